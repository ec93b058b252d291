//! [`ChangeOptions`]: what a change stream (the table's changes read from a
//! node's `cdc_raw` directory) needs, parsed from the same string map and the
//! same connection options as reads and writes.

use std::path::PathBuf;

use super::change_agents::ChangeAgents;
use super::names::*;
use super::parse::{lower_cased, parse_target, Direction, OptionReader};
use super::ConnectionOptions;
use crate::error::ConfigError;

/// Where a change stream without a checkpoint starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StartingPosition {
    /// The oldest segment still in `cdc_raw`.
    Earliest,
    /// What is durable when the stream starts: only later changes.
    Latest,
}

/// Everything a change stream needs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ChangeOptions {
    /// How to reach the cluster (for the table's schema).
    pub connection: ConnectionOptions,
    /// Keyspace of the table, as named in the schema (case preserved).
    pub keyspace: String,
    /// The table, as named in the schema (case preserved).
    pub table: String,
    /// The node's `cdc_raw` directory, as this process sees it (local mode;
    /// empty in cluster mode).
    pub cdc_raw_directory: PathBuf,
    /// The change agents of every node (cluster mode); `None` in local mode.
    pub agents: Option<ChangeAgents>,
    /// Where a stream without a checkpoint starts (default latest).
    pub starting_position: StartingPosition,
    /// Most commit-log bytes one micro-batch reads; every durable byte when `None`.
    pub max_bytes_per_trigger: Option<u64>,
    /// Whether committed segments are deleted from `cdc_raw` (default false).
    pub delete_consumed: bool,
    /// Whether columns added to the table while the stream runs are passed
    /// over (`cdc_schema_changes = ignore`) instead of ending it (default false).
    pub ignore_added_columns: bool,
}

impl ChangeOptions {
    /// Change options for `keyspace.table` from `cdc_raw_directory`, with every default.
    pub fn new(
        connection: ConnectionOptions,
        keyspace: impl Into<String>,
        table: impl Into<String>,
        cdc_raw_directory: impl Into<PathBuf>,
    ) -> Self {
        Self {
            connection,
            keyspace: keyspace.into(),
            table: table.into(),
            cdc_raw_directory: cdc_raw_directory.into(),
            agents: None,
            starting_position: StartingPosition::Latest,
            max_bytes_per_trigger: None,
            delete_consumed: false,
            ignore_added_columns: false,
        }
    }

    /// Parses the string options of the PySpark source (or any string map).
    /// Keys are matched case-insensitively; unknown keys and the options of
    /// writes and table scans are an error.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use pycassandra::config::{ChangeOptions, StartingPosition};
    /// let map = HashMap::from([
    ///     ("host", "10.0.0.1"), ("keyspace", "ks"), ("table", "t"),
    ///     ("cdc_raw_directory", "/var/lib/cassandra/cdc_raw"), ("starting_position", "earliest"),
    /// ]);
    /// let options = ChangeOptions::from_options(&map).unwrap();
    /// assert_eq!(options.starting_position, StartingPosition::Earliest);
    ///
    /// let map = HashMap::from([("host", "h"), ("keyspace", "ks"), ("table", "t"), ("where", "v > 1")]);
    /// let error = ChangeOptions::from_options(&map).unwrap_err().to_string();
    /// assert!(error.contains("options where apply to table scans only"), "{error}");
    /// assert!(error.contains("cdc_raw_directory"), "{error}");
    /// ```
    pub fn from_options<K, V>(options: &std::collections::HashMap<K, V>) -> Result<Self, ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut raw = lower_cased(options.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        let mut problems = Vec::new();
        let target = parse_target(&mut raw, &mut problems, Direction::Changes);
        let directory = raw.get(CDC_RAW_DIRECTORY).map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
        let agents = ChangeAgents::parse(&raw, &mut problems);
        match (&directory, &agents) {
            (None, None) => problems.push(ConfigError::Missing { options: vec![CDC_RAW_DIRECTORY] }),
            (Some(directory), Some(_)) => problems.push(ConfigError::InvalidValue {
                option: CDC_RAW_DIRECTORY,
                value: directory.clone(),
                expected: "no value beside cdc_agents or cdc_agent_port: a stream reads one node's cdc_raw \
                           (local mode) or every node's through its agent (cluster mode)"
                    .to_string(),
            }),
            _ => {}
        }
        let mut reader = OptionReader { raw: &raw, problems: &mut problems };
        let max_bytes_per_trigger: Option<u64> = raw
            .contains_key(MAX_BYTES_PER_TRIGGER)
            .then(|| reader.number(MAX_BYTES_PER_TRIGGER, 1, 1, i64::MAX as u64));
        let delete_consumed = reader.flag(CDC_DELETE_CONSUMED);
        let ignore_added_columns = match raw.get(CDC_SCHEMA_CHANGES).map(|v| v.trim().to_ascii_lowercase()) {
            None => false,
            Some(v) if v == "fail" => false,
            Some(v) if v == "ignore" => true,
            Some(v) => {
                problems.push(ConfigError::InvalidValue {
                    option: CDC_SCHEMA_CHANGES,
                    value: v,
                    expected: "fail or ignore".to_string(),
                });
                false
            }
        };
        let starting_position = match raw.get(STARTING_POSITION).map(|v| v.trim().to_ascii_lowercase()) {
            None => StartingPosition::Latest,
            Some(v) if v == "latest" => StartingPosition::Latest,
            Some(v) if v == "earliest" => StartingPosition::Earliest,
            Some(v) => {
                problems.push(ConfigError::InvalidValue {
                    option: STARTING_POSITION,
                    value: v,
                    expected: "earliest or latest".to_string(),
                });
                StartingPosition::Latest
            }
        };
        if !problems.is_empty() {
            return Err(ConfigError::from_problems(problems));
        }
        let mut options = Self::new(target.connection, target.keyspace, target.table, directory.unwrap_or_default());
        options.starting_position = starting_position;
        options.max_bytes_per_trigger = max_bytes_per_trigger;
        options.delete_consumed = delete_consumed;
        options.agents = agents;
        options.ignore_added_columns = ignore_added_columns;
        Ok(options)
    }
}

#[cfg(test)]
#[path = "changes_tests.rs"]
mod tests;
