//! The rules that make options valid, in one place for every caller: the
//! string parser ends with them, and every `open*`/`with_*` constructor of
//! [`crate::CassandraWriter`] and [`crate::CassandraReader`] runs them, so a
//! Rust caller who sets fields directly meets the same checks as a PySpark
//! user. Each problem names the option (and, where the field is called
//! otherwise, the field).

use std::ops::RangeInclusive;
use std::time::Duration;

use super::names::*;
use super::{ConnectionOptions, PerRow, ReadOptions, WriteMode, WriteOptions};
use crate::error::ConfigError;

/// Requests in flight (`batch_size`, the field `concurrency`): 0 would wait forever.
pub(super) const BATCH_SIZE_RANGE: RangeInclusive<u64> = 1..=100_000;
/// Rows per batch: 0 would never make progress; CQL batches hold at most 65,535 statements.
pub(super) const BATCH_MAX_ROWS_RANGE: RangeInclusive<u64> = 1..=65_535;
/// Bytes per batch: no batch can usefully exceed the largest mutation a node accepts.
pub(super) const BATCH_MAX_BYTES_RANGE: RangeInclusive<u64> = 1..=MAX_MUTATION_BYTES as u64;
/// Retries of one request.
pub(super) const MAX_RETRIES_RANGE: RangeInclusive<u64> = 0..=100;
/// Connect and request timeouts, in milliseconds: at least 1 ms, at most an hour.
pub(super) const TIMEOUT_MS_RANGE: RangeInclusive<u64> = 1..=3_600_000;
/// Rows per page of a read.
pub(super) const FETCH_SIZE_ROWS_RANGE: RangeInclusive<u64> = 1..=1_000_000;

impl WriteOptions {
    /// Checks every rule that needs no server: ranges (`batch_size` ≥ 1,
    /// `batch_max_rows` ≥ 1, …) and the options that exclude or need each
    /// other. All problems are reported together. The writer's constructors
    /// call it; call it yourself to check options early.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, WriteMode, WriteOptions};
    /// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert!(options.validate().is_ok());
    /// options.concurrency = 0;
    /// options.if_not_exists = true;
    /// options.write_mode = WriteMode::Update;
    /// let error = options.validate().unwrap_err().to_string();
    /// assert!(error.contains("'batch_size'") && error.contains("'if_not_exists'"), "{error}");
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = target_problems(&self.connection, &self.keyspace, &self.table);
        problems.extend(self.rule_problems());
        result(problems)
    }

    /// The rules beyond the target (contact points, keyspace, table), which
    /// the string parser checks from the raw map itself.
    pub(super) fn rule_problems(&self) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        let mut range = |option: &'static str, field: &str, value: u64, allowed: &RangeInclusive<u64>| {
            if !allowed.contains(&value) {
                problems.push(out_of_range(option, field, value, allowed));
            }
        };
        range(BATCH_SIZE, "concurrency", self.concurrency as u64, &BATCH_SIZE_RANGE);
        range(BATCH_MAX_ROWS, BATCH_MAX_ROWS, self.batch_max_rows as u64, &BATCH_MAX_ROWS_RANGE);
        if let Some(bytes) = self.batch_max_bytes {
            range(BATCH_MAX_BYTES, BATCH_MAX_BYTES, bytes as u64, &BATCH_MAX_BYTES_RANGE);
        }
        range(MAX_RETRIES, MAX_RETRIES, u64::from(self.max_retries), &MAX_RETRIES_RANGE);
        match &self.ttl {
            Some(PerRow::Constant(seconds)) if !(0..=MAX_TTL_SECONDS).contains(seconds) => {
                problems.push(ConfigError::InvalidValue {
                    option: TTL,
                    value: seconds.to_string(),
                    expected: format!("whole seconds from 0 to {MAX_TTL_SECONDS}, or an input column name"),
                });
            }
            Some(PerRow::Column(column)) if column.trim().is_empty() => problems.push(empty_column(TTL)),
            _ => {}
        }
        if matches!(&self.writetime, Some(PerRow::Column(column)) if column.trim().is_empty()) {
            problems.push(empty_column(WRITETIME));
        }
        if let Some(rate) = self.throughput_mb_per_sec {
            if !(rate.is_finite() && rate > 0.0) {
                problems.push(ConfigError::InvalidValue {
                    option: THROUGHPUT_MB_PER_SEC,
                    value: rate.to_string(),
                    expected: "a positive number".into(),
                });
            }
        }
        if let Some(flag) = &self.delete_flag {
            if flag.column.is_empty() || flag.value.is_empty() {
                problems.push(ConfigError::BothNonEmpty { a: DELETE_FLAG_COLUMN, b: DELETE_FLAG_VALUE });
            }
        }
        for (option, columns) in
            [(COLLECTION_APPEND, &self.collection_append), (COLLECTION_REMOVE, &self.collection_remove)]
        {
            if columns.iter().any(|c| c.trim().is_empty()) {
                problems.push(ConfigError::InvalidValue {
                    option,
                    value: columns.join(","),
                    expected: "comma-separated column names".into(),
                });
            }
        }
        let updating = self.write_mode == WriteMode::Update;
        let collections_listed = !self.collection_append.is_empty() || !self.collection_remove.is_empty();
        if collections_listed && !updating {
            problems.push(ConfigError::NeedsUpdateMode { options: &[COLLECTION_APPEND, COLLECTION_REMOVE] });
        }
        if let Some(column) = self.collection_append.iter().find(|c| self.collection_remove.contains(c)) {
            problems.push(ConfigError::ColumnInBoth {
                column: column.clone(),
                a: COLLECTION_APPEND,
                b: COLLECTION_REMOVE,
            });
        }
        if self.if_not_exists && updating {
            problems.push(ConfigError::Excludes {
                a: IF_NOT_EXISTS,
                b: WRITE_MODE,
                b_value: Some("update"),
                why: "it applies to inserts only",
            });
        }
        if self.if_not_exists && self.delete_flag.is_some() {
            problems.push(ConfigError::Excludes {
                a: IF_NOT_EXISTS,
                b: DELETE_FLAG_COLUMN,
                b_value: None,
                why: "deletes are not conditional inserts",
            });
        }
        if self.if_not_exists && self.writetime.is_some() {
            problems.push(ConfigError::Excludes {
                a: IF_NOT_EXISTS,
                b: WRITETIME,
                b_value: None,
                why: "Cassandra refuses custom timestamps on conditional inserts",
            });
        }
        problems
    }
}

impl ReadOptions {
    /// Checks every rule that needs no server (`fetch_size_rows` ≥ 1, a
    /// non-empty `where`, `limit` and `min_splits` ≥ 1, …); all problems are
    /// reported together. The reader's constructors call it.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, ReadOptions};
    /// let mut options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert!(options.validate().is_ok());
    /// options.fetch_size_rows = 0;
    /// assert!(options.validate().unwrap_err().to_string().contains("'fetch_size_rows'"));
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = target_problems(&self.connection, &self.keyspace, &self.table);
        problems.extend(self.rule_problems());
        result(problems)
    }

    /// The rules beyond the target, which the string parser checks itself.
    pub(super) fn rule_problems(&self) -> Vec<ConfigError> {
        let mut problems = Vec::new();
        if self.split_size_bytes == 0 {
            problems.push(ConfigError::InvalidValue {
                option: SPLIT_SIZE_MB,
                value: "0 bytes (field split_size_bytes)".into(),
                expected: "at least 1 byte of table data per split".into(),
            });
        }
        let fetch_size = u64::try_from(self.fetch_size_rows).unwrap_or(0);
        if !FETCH_SIZE_ROWS_RANGE.contains(&fetch_size) {
            problems.push(ConfigError::InvalidValue {
                option: FETCH_SIZE_ROWS,
                value: self.fetch_size_rows.to_string(),
                expected: range_text(&FETCH_SIZE_ROWS_RANGE),
            });
        }
        if self.min_splits == Some(0) {
            problems.push(out_of_range(MIN_SPLITS, MIN_SPLITS, 0, &(1..=1_000_000)));
        }
        if self.limit == Some(0) {
            problems.push(out_of_range(LIMIT, LIMIT, 0, &(1..=i64::MAX as u64)));
        }
        if self.where_clause.as_deref().is_some_and(|w| w.trim().is_empty()) {
            problems.push(ConfigError::InvalidValue {
                option: WHERE,
                value: String::new(),
                expected: "a CQL predicate".into(),
            });
        }
        for (option, columns) in [(WRITETIME_COLUMNS, &self.writetime_columns), (TTL_COLUMNS, &self.ttl_columns)] {
            if columns.iter().any(|c| c.trim().is_empty()) {
                problems.push(ConfigError::InvalidValue {
                    option,
                    value: columns.join(","),
                    expected: "comma-separated column names".into(),
                });
            }
        }
        problems
    }
}

/// What reads and writes share: where the table is and how to reach it.
fn target_problems(connection: &ConnectionOptions, keyspace: &str, table: &str) -> Vec<ConfigError> {
    let mut problems = Vec::new();
    let missing: Vec<&'static str> = [
        (HOST, connection.contact_points.iter().all(|point| point.trim().is_empty())),
        (KEYSPACE, keyspace.trim().is_empty()),
        (TABLE, table.trim().is_empty()),
    ]
    .into_iter()
    .filter_map(|(option, absent)| absent.then_some(option))
    .collect();
    if !missing.is_empty() {
        problems.push(ConfigError::Missing { options: missing });
    }
    for (option, timeout) in
        [(CONNECT_TIMEOUT_MS, connection.connect_timeout), (REQUEST_TIMEOUT_MS, connection.request_timeout)]
    {
        let millis = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
        if !TIMEOUT_MS_RANGE.contains(&millis) || timeout < Duration::from_millis(1) {
            problems.push(out_of_range(option, option, millis, &TIMEOUT_MS_RANGE));
        }
    }
    if connection.credentials.as_ref().is_some_and(|c| c.username.is_empty()) {
        problems.push(ConfigError::InvalidValue {
            option: USERNAME,
            value: String::new(),
            expected: "a role name".into(),
        });
    }
    problems
}

fn result(problems: Vec<ConfigError>) -> Result<(), ConfigError> {
    if problems.is_empty() {
        Ok(())
    } else {
        Err(ConfigError::from_problems(problems))
    }
}

/// "a whole number from 1 to 100000": the same words the parser uses.
pub(super) fn range_text(allowed: &RangeInclusive<u64>) -> String {
    format!("a whole number from {} to {}", allowed.start(), allowed.end())
}

/// A number out of range; `field` is the Rust field when it is named otherwise than the option.
fn out_of_range(option: &'static str, field: &str, value: u64, allowed: &RangeInclusive<u64>) -> ConfigError {
    let field_note = if field == option { String::new() } else { format!(" (field `{field}`)") };
    ConfigError::InvalidValue {
        option,
        value: value.to_string(),
        expected: format!("{}{field_note}", range_text(allowed)),
    }
}

fn empty_column(option: &'static str) -> ConfigError {
    ConfigError::InvalidValue { option, value: String::new(), expected: "an input column name".into() }
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
