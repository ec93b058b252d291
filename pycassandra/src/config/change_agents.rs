//! [`ChangeAgents`]: how a change stream in cluster mode reaches the change
//! agent beside each node (`python -m pycassandra.agent`), parsed from
//! `cdc_agents` or `cdc_agent_port`, `cdc_agent_token`, `cdc_agent_ca` and
//! `cdc_consumer`.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::PathBuf;

use super::names::*;
use super::Secret;
use crate::error::ConfigError;

/// Where the agents are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentAddresses {
    /// The agents' URLs as given (`https://HOST:PORT`; `http://` on loopback only).
    Urls(Vec<String>),
    /// An agent on this port beside every node the cluster lists (`https://NODE:PORT`).
    Port(u16),
}

/// A cluster change stream's agents and its name at them.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangeAgents {
    /// The agents' addresses.
    pub addresses: AgentAddresses,
    /// The bearer token every agent requires (never printed).
    pub token: Secret,
    /// A PEM file of the CA that signed the agents' certificates; the system's trust store when `None`.
    pub ca: Option<PathBuf>,
    /// The consumer the stream commits as: each agent deletes a segment once
    /// every registered consumer has committed past it.
    pub consumer: String,
}

impl ChangeAgents {
    /// The agents' settings in `raw`, `None` in local mode (neither `cdc_agents`
    /// nor `cdc_agent_port`); each problem recorded.
    pub(super) fn parse(raw: &BTreeMap<String, String>, problems: &mut Vec<ConfigError>) -> Option<Self> {
        let given = |name: &str| raw.get(name).map(|v| v.trim().to_string());
        let addresses = match (given(CDC_AGENTS), given(CDC_AGENT_PORT)) {
            (None, None) => {
                for option in [CDC_AGENT_TOKEN, CDC_AGENT_CA, CDC_CONSUMER] {
                    if raw.contains_key(option) {
                        problems.push(ConfigError::Requires { given: option, needed: "cdc_agents or cdc_agent_port" });
                    }
                }
                return None;
            }
            (Some(_), Some(_)) => {
                problems.push(ConfigError::InvalidValue {
                    option: CDC_AGENT_PORT,
                    value: raw[CDC_AGENT_PORT].clone(),
                    expected: "no value beside cdc_agents (the agents' URLs, or their port beside every node)"
                        .to_string(),
                });
                AgentAddresses::Urls(Vec::new())
            }
            (Some(list), None) => AgentAddresses::Urls(urls(&list, problems)),
            (None, Some(port)) => match port.parse::<u16>() {
                Ok(port) if port > 0 => AgentAddresses::Port(port),
                _ => {
                    problems.push(ConfigError::InvalidValue {
                        option: CDC_AGENT_PORT,
                        value: port,
                        expected: "a port from 1 to 65535".to_string(),
                    });
                    AgentAddresses::Port(0)
                }
            },
        };
        let token = raw.get(CDC_AGENT_TOKEN).map(|t| t.trim()).filter(|t| !t.is_empty());
        let consumer = given(CDC_CONSUMER).filter(|c| !c.is_empty());
        let missing: Vec<&'static str> = [(CDC_AGENT_TOKEN, token.is_none()), (CDC_CONSUMER, consumer.is_none())]
            .into_iter()
            .filter_map(|(option, absent)| absent.then_some(option))
            .collect();
        if !missing.is_empty() {
            problems.push(ConfigError::Missing { options: missing });
        }
        if let Some(consumer) = &consumer {
            if crate::cdc::consumers::check_id(consumer).is_err() {
                problems.push(ConfigError::InvalidValue {
                    option: CDC_CONSUMER,
                    value: consumer.clone(),
                    expected: "1 to 128 of A-Z a-z 0-9 . _ -".to_string(),
                });
            }
        }
        if raw.contains_key(CDC_DELETE_CONSUMED) {
            problems.push(ConfigError::InvalidValue {
                option: CDC_DELETE_CONSUMED,
                value: raw[CDC_DELETE_CONSUMED].clone(),
                expected: "no value with change agents: each agent deletes a segment once every consumer \
                           has committed past it"
                    .to_string(),
            });
        }
        Some(ChangeAgents {
            addresses,
            token: Secret::new(token.unwrap_or_default()),
            ca: given(CDC_AGENT_CA).filter(|c| !c.is_empty()).map(PathBuf::from),
            consumer: consumer.unwrap_or_default(),
        })
    }
}

/// The URLs of `list`, each checked: https, or http to a loopback address
/// only (the token would cross the network in clear).
fn urls(list: &str, problems: &mut Vec<ConfigError>) -> Vec<String> {
    let mut urls = Vec::new();
    for url in list.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        let invalid = |expected: &str| ConfigError::InvalidValue {
            option: CDC_AGENTS,
            value: url.to_string(),
            expected: expected.to_string(),
        };
        let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
        let host = host_of(rest);
        match scheme.to_ascii_lowercase().as_str() {
            "https" if !host.is_empty() => urls.push(url.trim_end_matches('/').to_string()),
            "http" if is_loopback(host) => urls.push(url.trim_end_matches('/').to_string()),
            "http" => problems.push(invalid(
                "https://HOST:PORT (plain http only to a loopback address: the token would cross the network in clear)",
            )),
            _ => problems.push(invalid("https://HOST:PORT, comma-separated")),
        }
    }
    if urls.is_empty() && !problems.iter().any(|p| matches!(p, ConfigError::InvalidValue { option: CDC_AGENTS, .. })) {
        problems.push(ConfigError::InvalidValue {
            option: CDC_AGENTS,
            value: list.to_string(),
            expected: "one URL at least (https://HOST:PORT, comma-separated)".to_string(),
        });
    }
    urls
}

/// The host of `HOST:PORT[/...]` or `[V6]:PORT[/...]`.
fn host_of(authority_and_path: &str) -> &str {
    let authority = authority_and_path.split('/').next().unwrap_or("");
    if let Some(v6) = authority.strip_prefix('[') {
        return v6.split(']').next().unwrap_or("");
    }
    authority.rsplit_once(':').map_or(authority, |(host, _)| host)
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost") || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(pairs: &[(&str, &str)]) -> (Option<ChangeAgents>, Vec<String>) {
        let raw: BTreeMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let mut problems = Vec::new();
        let agents = ChangeAgents::parse(&raw, &mut problems);
        (agents, problems.iter().map(ToString::to_string).collect())
    }

    #[test]
    fn urls_token_ca_and_consumer_are_taken() {
        let (agents, problems) = parsed(&[
            ("cdc_agents", "https://10.0.0.1:8765/, https://10.0.0.2:8765"),
            ("cdc_agent_token", "s3cret"),
            ("cdc_agent_ca", "/etc/ca.pem"),
            ("cdc_consumer", "orders-to-lake"),
        ]);
        assert!(problems.is_empty(), "{problems:?}");
        let agents = agents.unwrap();
        assert_eq!(
            agents.addresses,
            AgentAddresses::Urls(vec!["https://10.0.0.1:8765".into(), "https://10.0.0.2:8765".into()])
        );
        assert_eq!((agents.token.expose(), agents.consumer.as_str()), ("s3cret", "orders-to-lake"));
        assert_eq!(agents.ca, Some(PathBuf::from("/etc/ca.pem")));
        assert!(!format!("{agents:?}").contains("s3cret"), "the token is never printed");
    }

    #[test]
    fn plain_http_is_for_loopback_only() {
        let (_, problems) = parsed(&[
            ("cdc_agents", "http://127.0.0.1:8765,http://[::1]:8765,http://localhost:1,http://10.0.0.1:8765"),
            ("cdc_agent_token", "t"),
            ("cdc_consumer", "c"),
        ]);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].contains("http://10.0.0.1:8765") && problems[0].contains("in clear"), "{problems:?}");
    }

    #[test]
    fn a_port_finds_the_agents_and_each_bad_setting_is_named() {
        let (agents, problems) = parsed(&[("cdc_agent_port", "8765"), ("cdc_agent_token", "t"), ("cdc_consumer", "c")]);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(agents.unwrap().addresses, AgentAddresses::Port(8765));

        let (_, problems) =
            parsed(&[("cdc_agent_port", "0"), ("cdc_consumer", "a b"), ("cdc_delete_consumed", "true")]);
        let all = problems.join("\n");
        for named in ["cdc_agent_port", "cdc_agent_token", "cdc_consumer", "'a b'", "cdc_delete_consumed"] {
            assert!(all.contains(named), "{named} in {all}");
        }
        let (_, problems) = parsed(&[("cdc_agents", "https://a:1"), ("cdc_agent_port", "1")]);
        assert!(problems.join("\n").contains("beside cdc_agents"), "{problems:?}");
        let (agents, problems) = parsed(&[("cdc_agent_token", "t")]);
        assert!(agents.is_none());
        assert!(problems[0].contains("cdc_agents or cdc_agent_port"), "{problems:?}");
    }
}
