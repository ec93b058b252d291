//! The one parser from a string map to [`WriteOptions`].

use std::collections::BTreeMap;
use std::time::Duration;

use super::names::{self, *};
use super::validate;
use super::{BatchGrouping, Consistency, DeleteFlag, PerRow, Secret, WriteMode, WriteOptions};
use crate::error::ConfigError;

pub(super) fn write_options<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Result<WriteOptions, ConfigError> {
    let mut raw = lower_cased(pairs);
    let mut problems = Vec::new();
    let target = parse_target(&mut raw, &mut problems, Direction::Write);

    let mut reader = OptionReader { raw: &raw, problems: &mut problems };
    let concurrency: usize = reader.number_in(BATCH_SIZE, DEFAULT_BATCH_SIZE as u64, &validate::BATCH_SIZE_RANGE);
    let batch_max_rows: usize =
        reader.number_in(BATCH_MAX_ROWS, DEFAULT_BATCH_MAX_ROWS as u64, &validate::BATCH_MAX_ROWS_RANGE);
    let batch_max_bytes: Option<usize> = raw.contains_key(BATCH_MAX_BYTES).then(|| {
        reader.number_in(
            BATCH_MAX_BYTES,
            DEFAULT_BATCH_MAX_BYTES_ONE_PARTITION as u64,
            &validate::BATCH_MAX_BYTES_RANGE,
        )
    });
    let max_retries: u32 = reader.number_in(MAX_RETRIES, u64::from(DEFAULT_MAX_RETRIES), &validate::MAX_RETRIES_RANGE);
    let if_not_exists = reader.flag(IF_NOT_EXISTS);
    let ignore_nulls = reader.flag(IGNORE_NULLS);
    let confirm_truncate = reader.flag(CONFIRM_TRUNCATE);
    let consistency = reader.consistency(DEFAULT_CONSISTENCY);
    let batch_grouping = reader.batch_grouping();
    let ttl = reader
        .per_row(
            TTL,
            0,
            i64::from(MAX_TTL_SECONDS),
            &format!("whole seconds from 0 to {MAX_TTL_SECONDS}, or an input column name"),
        )
        .map(|ttl| match ttl {
            // In range, so it fits.
            PerRow::Constant(seconds) => PerRow::Constant(seconds as i32),
            PerRow::Column(column) => PerRow::Column(column),
        });
    let writetime =
        reader.per_row(WRITETIME, i64::MIN, i64::MAX, "microseconds since the epoch, or an input column name");
    let delete_flag = reader.delete_flag();
    let write_mode = reader.write_mode();
    let collection_append = reader.column_list(COLLECTION_APPEND);
    let collection_remove = reader.column_list(COLLECTION_REMOVE);
    let throughput_mb_per_sec = reader.rate(THROUGHPUT_MB_PER_SEC);

    let mut options = WriteOptions::new(target.connection, target.keyspace, target.table);
    options.concurrency = concurrency;
    options.consistency = consistency;
    options.delete_flag = delete_flag;
    options.batch_grouping = batch_grouping;
    options.batch_max_rows = batch_max_rows;
    options.batch_max_bytes = batch_max_bytes;
    options.ttl = ttl;
    options.writetime = writetime;
    options.if_not_exists = if_not_exists;
    options.ignore_nulls = ignore_nulls;
    options.max_retries = max_retries;
    options.confirm_truncate = confirm_truncate;
    options.write_mode = write_mode;
    options.collection_append = collection_append;
    options.collection_remove = collection_remove;
    options.throughput_mb_per_sec = throughput_mb_per_sec;
    // Values that failed to parse were replaced by defaults above, so the
    // rules report only what the parser has not already.
    problems.extend(options.rule_problems());
    as_given(&mut problems, &target.aliases);
    if !problems.is_empty() {
        return Err(ConfigError::from_problems(problems));
    }
    Ok(options)
}

/// Keys lower-cased: PySpark hands options over lower-cased, Rust callers may not.
pub(super) fn lower_cased<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> BTreeMap<String, String> {
    pairs.map(|(key, value)| (key.to_ascii_lowercase(), value.to_string())).collect()
}

/// Which way the data goes; each refuses the options of the others.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Read,
    Write,
    /// A change stream: the table's changes from a node's `cdc_raw`.
    Changes,
}

/// The table and how to reach it: what reads and writes share.
pub(super) struct TableTarget {
    pub(super) connection: super::ConnectionOptions,
    pub(super) keyspace: String,
    pub(super) table: String,
    /// `(alias, option)` for each of the plan's names given, so that errors
    /// about the value name the option as the user spelt it.
    pub(super) aliases: Vec<(&'static str, &'static str)>,
}

/// Parses the options reads and writes share, recording every problem, and
/// checks that no option is unknown or meant for the other direction. The
/// plan's names ([`ALIASES`]) are then moved to ours, so the callers read ours only.
pub(super) fn parse_target(
    raw: &mut BTreeMap<String, String>,
    problems: &mut Vec<ConfigError>,
    direction: Direction,
) -> TableTarget {
    // Each family of options the job does not take, with who takes it.
    let (other_sides, job): (&[(&[&'static str], &'static str)], _) = match direction {
        Direction::Read => {
            (&[(WRITE_ONLY_OPTIONS, "writes"), (CHANGES_ONLY_OPTIONS, "change streams (readStream)")], "read")
        }
        Direction::Write => {
            (&[(READ_ONLY_OPTIONS, "reads"), (CHANGES_ONLY_OPTIONS, "change streams (readStream)")], "write")
        }
        Direction::Changes => (&[(WRITE_ONLY_OPTIONS, "writes"), (READ_ONLY_OPTIONS, "table scans")], "change stream"),
    };
    let elsewhere = |option: &str| other_sides.iter().any(|(options, _)| options.contains(&option));
    let known: Vec<&'static str> = ALL_OPTIONS.iter().copied().filter(|option| !elsewhere(option)).collect();
    let unknown: Vec<(String, Option<&'static str>)> = raw
        .keys()
        .filter(|key| !ALL_OPTIONS.contains(&key.as_str()) && !SPARK_PASSTHROUGH.contains(&key.as_str()))
        .map(|key| (key.clone(), nearest(key, &known)))
        .collect();
    if !unknown.is_empty() {
        problems.push(ConfigError::Unknown { options: unknown, direction: job, known });
    }
    for (options, applies_to) in other_sides {
        let misplaced: Vec<String> = raw.keys().filter(|key| options.contains(&key.as_str())).cloned().collect();
        if !misplaced.is_empty() {
            problems.push(ConfigError::WrongDirection { options: misplaced, applies_to });
        }
    }
    let aliases = resolve_aliases(raw, problems);
    let raw: &BTreeMap<String, String> = raw;
    let missing: Vec<&'static str> =
        [HOST, KEYSPACE, TABLE].into_iter().filter(|name| raw.get(*name).is_none_or(|v| v.trim().is_empty())).collect();
    if !missing.is_empty() {
        problems.push(ConfigError::Missing { options: missing });
    }

    let mut reader = OptionReader { raw, problems };
    let port: u16 = reader.number(PORT, u64::from(DEFAULT_PORT), 1, 65_535);
    let connect_timeout: u64 =
        reader.number_in(CONNECT_TIMEOUT_MS, DEFAULT_CONNECT_TIMEOUT_MS, &validate::TIMEOUT_MS_RANGE);
    let request_timeout: u64 =
        reader.number_in(REQUEST_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, &validate::TIMEOUT_MS_RANGE);
    let tls = reader.tls();
    let contact_points = reader.contact_points(port);
    let username = raw.get(USERNAME).cloned();
    let password = raw.get(PASSWORD).map(Secret::new);
    if username.is_some() != password.is_some() {
        problems.push(ConfigError::RequiresTogether { a: USERNAME, b: PASSWORD });
    }

    let mut connection = super::ConnectionOptions::new(Vec::<String>::new());
    connection.contact_points = contact_points;
    connection.connect_timeout = Duration::from_millis(connect_timeout);
    connection.request_timeout = Duration::from_millis(request_timeout);
    connection.tls = tls;
    if let (Some(username), Some(password)) = (username, password) {
        connection = connection.with_credentials(username, password);
    }
    TableTarget {
        aliases,
        connection,
        keyspace: raw.get(KEYSPACE).cloned().unwrap_or_default(),
        table: raw.get(TABLE).cloned().unwrap_or_default(),
    }
}

/// Moves the value of each alias given to the option it names, and returns
/// the aliases moved. An alias and its option given different values are
/// refused, naming both.
fn resolve_aliases(
    raw: &mut BTreeMap<String, String>,
    problems: &mut Vec<ConfigError>,
) -> Vec<(&'static str, &'static str)> {
    let mut moved = Vec::new();
    for (alias, option) in ALIASES {
        let Some(value) = raw.remove(*alias) else { continue };
        match raw.get(*option) {
            Some(given) if given.trim() != value.trim() => problems.push(ConfigError::AliasDisagrees {
                alias,
                option,
                alias_value: value,
                option_value: given.clone(),
            }),
            Some(_) => {}
            None => {
                raw.insert(option.to_string(), value);
                moved.push((*alias, *option));
            }
        }
    }
    moved
}

/// A bad value given under one of the plan's names is reported under that name.
pub(super) fn as_given(problems: &mut [ConfigError], aliases: &[(&'static str, &'static str)]) {
    for problem in problems {
        if let ConfigError::InvalidValue { option, .. } = problem {
            if let Some((alias, _)) = aliases.iter().find(|(_, named)| named == option) {
                *option = alias;
            }
        }
    }
}

/// The option of `known` nearest to a misspelt name, when it is near enough
/// to be the one meant: at most 1 edit for names of up to 4 characters, else
/// at most 2 or a third of the name's length.
pub(super) fn nearest(name: &str, known: &[&'static str]) -> Option<&'static str> {
    let length = name.chars().count();
    let allowed = if length <= 4 { 1 } else { (length / 3).max(2) };
    known
        .iter()
        .map(|option| (edit_distance(name, option), *option))
        .filter(|(distance, _)| *distance <= allowed)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, option)| option)
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`:
/// the optimal string alignment distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let substitution = d[i - 1][j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = substitution.min(d[i - 1][j] + 1).min(d[i][j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Appends `:port` unless the contact point names one; IPv6 literals get brackets.
pub(super) fn with_port(host: &str, port: u16) -> String {
    if host.starts_with('[') {
        if host.contains("]:") {
            host.to_string()
        } else {
            format!("{host}:{port}")
        }
    } else if host.matches(':').count() > 1 {
        format!("[{host}]:{port}")
    } else if host.contains(':') {
        host.to_string()
    } else {
        format!("{host}:{port}")
    }
}

/// Reads typed values out of the raw map, recording a problem for each bad one.
pub(super) struct OptionReader<'a> {
    pub(super) raw: &'a BTreeMap<String, String>,
    pub(super) problems: &'a mut Vec<ConfigError>,
}

impl OptionReader<'_> {
    fn invalid(&mut self, option: &'static str, expected: impl Into<String>) {
        let value = self.raw.get(option).cloned().unwrap_or_default();
        self.problems.push(ConfigError::InvalidValue { option, value, expected: expected.into() });
    }

    /// The parsed number, or `default` after recording a problem. `max` must fit `T`.
    pub(super) fn number<T: TryFrom<u64> + Default>(
        &mut self,
        option: &'static str,
        default: u64,
        min: u64,
        max: u64,
    ) -> T {
        let value = match self.raw.get(option) {
            None => default,
            Some(text) => match text.trim().parse::<u64>() {
                Ok(value) if (min..=max).contains(&value) => value,
                _ => {
                    self.invalid(option, format!("a whole number from {min} to {max}"));
                    default
                }
            },
        };
        T::try_from(value).unwrap_or_default()
    }

    /// [`number`](Self::number) over one of the ranges of [`validate`].
    pub(super) fn number_in<T: TryFrom<u64> + Default>(
        &mut self,
        option: &'static str,
        default: u64,
        allowed: &std::ops::RangeInclusive<u64>,
    ) -> T {
        self.number(option, default, *allowed.start(), *allowed.end())
    }

    pub(super) fn flag(&mut self, option: &'static str) -> bool {
        match self.raw.get(option).map(|v| v.trim().to_ascii_lowercase()) {
            None => false,
            Some(v) if v == "true" => true,
            Some(v) if v == "false" => false,
            Some(_) => {
                self.invalid(option, "true or false");
                false
            }
        }
    }

    pub(super) fn consistency(&mut self, default: Consistency) -> Consistency {
        let Some(text) = self.raw.get(CONSISTENCY).map(|v| v.trim().to_ascii_uppercase()) else { return default };
        let level = match text.as_str() {
            "ANY" => Consistency::Any,
            "ONE" => Consistency::One,
            "TWO" => Consistency::Two,
            "THREE" => Consistency::Three,
            "QUORUM" => Consistency::Quorum,
            "ALL" => Consistency::All,
            "LOCAL_QUORUM" => Consistency::LocalQuorum,
            "EACH_QUORUM" => Consistency::EachQuorum,
            "LOCAL_ONE" => Consistency::LocalOne,
            _ => {
                self.invalid(
                    CONSISTENCY,
                    "one of ANY, ONE, TWO, THREE, QUORUM, ALL, LOCAL_QUORUM, EACH_QUORUM, LOCAL_ONE",
                );
                default
            }
        };
        level
    }

    fn batch_grouping(&mut self) -> BatchGrouping {
        match self.raw.get(BATCH_GROUPING).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            Some("partition") => BatchGrouping::Partition,
            None | Some("replica_set") => BatchGrouping::ReplicaSet,
            Some("none") => BatchGrouping::None,
            Some(_) => {
                self.invalid(BATCH_GROUPING, "partition, replica_set or none");
                BatchGrouping::Partition
            }
        }
    }

    /// A number is a constant; anything else names an input column.
    fn per_row(&mut self, option: &'static str, min: i64, max: i64, expected: &str) -> Option<PerRow<i64>> {
        let text = self.raw.get(option).map(|v| v.trim().to_string())?;
        let looks_numeric = text.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+');
        if looks_numeric {
            match text.parse::<i64>() {
                Ok(value) if (min..=max).contains(&value) => Some(PerRow::Constant(value)),
                _ => {
                    self.invalid(option, expected);
                    None
                }
            }
        } else if text.is_empty() {
            self.invalid(option, expected);
            None
        } else {
            Some(PerRow::Column(text))
        }
    }

    fn delete_flag(&mut self) -> Option<DeleteFlag> {
        let column = self.raw.get(DELETE_FLAG_COLUMN).filter(|v| !v.is_empty());
        let value = self.raw.get(DELETE_FLAG_VALUE).filter(|v| !v.is_empty());
        match (column, value) {
            (None, None) => None,
            (Some(column), Some(value)) => Some(DeleteFlag { column: column.clone(), value: value.clone() }),
            (Some(_), None) => {
                self.problems.push(ConfigError::Requires { given: DELETE_FLAG_COLUMN, needed: DELETE_FLAG_VALUE });
                None
            }
            (None, Some(_)) => {
                self.problems.push(ConfigError::Requires { given: DELETE_FLAG_VALUE, needed: DELETE_FLAG_COLUMN });
                None
            }
        }
    }

    fn write_mode(&mut self) -> WriteMode {
        match self.raw.get(WRITE_MODE).map(|v| v.trim().to_ascii_lowercase()).as_deref() {
            None | Some("upsert") => WriteMode::Upsert,
            Some("update") => WriteMode::Update,
            Some(_) => {
                self.invalid(WRITE_MODE, "upsert or update");
                WriteMode::Upsert
            }
        }
    }

    pub(super) fn column_list(&mut self, option: &'static str) -> Vec<String> {
        let Some(text) = self.raw.get(option) else { return Vec::new() };
        let columns: Vec<String> = text.split(',').map(|c| c.trim().to_string()).collect();
        if columns.iter().any(String::is_empty) {
            self.invalid(option, "comma-separated column names");
            return Vec::new();
        }
        columns
    }

    fn rate(&mut self, option: &'static str) -> Option<f64> {
        let text = self.raw.get(option)?;
        match text.trim().parse::<f64>() {
            Ok(rate) if rate.is_finite() && rate > 0.0 => Some(rate),
            _ => {
                self.invalid(option, "a positive number");
                None
            }
        }
    }

    /// TLS settings; `ssl_*` options without `ssl_enabled=true` are an error, not ignored.
    fn tls(&mut self) -> Option<super::TlsOptions> {
        let enabled = self.flag(SSL_ENABLED);
        let verify_hostname = match self.raw.get(SSL_VERIFY_HOSTNAME) {
            None => true,
            Some(_) => self.flag(SSL_VERIFY_HOSTNAME),
        };
        let file = |reader: &mut Self, option: &'static str| -> Option<std::path::PathBuf> {
            let path = reader.raw.get(option)?;
            if std::path::Path::new(path).is_file() {
                Some(path.into())
            } else {
                reader.invalid(option, "the path of a readable PEM file");
                None
            }
        };
        let ca_cert = file(self, SSL_CA_CERT);
        let client_cert = file(self, SSL_CLIENT_CERT);
        let client_key = file(self, SSL_CLIENT_KEY);
        if self.raw.contains_key(SSL_CLIENT_CERT) != self.raw.contains_key(SSL_CLIENT_KEY) {
            self.problems.push(ConfigError::RequiresTogether { a: SSL_CLIENT_CERT, b: SSL_CLIENT_KEY });
        }
        let tls_options: Vec<&'static str> = [SSL_CA_CERT, SSL_VERIFY_HOSTNAME, SSL_CLIENT_CERT, SSL_CLIENT_KEY]
            .into_iter()
            .filter(|o| self.raw.contains_key(*o))
            .collect();
        if !enabled {
            if !tls_options.is_empty() {
                self.problems.push(ConfigError::TlsNotEnabled { options: tls_options });
            }
            return None;
        }
        Some(super::TlsOptions { ca_cert, verify_hostname, client_cert: client_cert.zip(client_key) })
    }

    fn contact_points(&mut self, port: u16) -> Vec<String> {
        let Some(text) = self.raw.get(HOST) else {
            return Vec::new();
        };
        let mut points = Vec::new();
        for host in text.split(',').map(str::trim) {
            let with_port = with_port(host, port);
            let port_ok = with_port.rsplit_once(':').is_some_and(|(name, port)| {
                !name.is_empty() && name != "[]" && port.parse::<u16>().is_ok_and(|p| p > 0)
            });
            if host.is_empty() || !port_ok {
                self.invalid(names::HOST, "comma-separated contact points, each host or host:port");
                return Vec::new();
            }
            points.push(with_port);
        }
        points
    }
}

#[cfg(test)]
#[path = "parse_tests.rs"]
mod tests;
