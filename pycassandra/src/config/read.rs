//! [`ReadOptions`]: what a table scan needs, parsed from the same string map
//! (and the same connection options) as writes.

use super::names::*;
use super::parse::{lower_cased, parse_target, Direction, OptionReader};
use super::{ConnectionOptions, Consistency};
use crate::error::ConfigError;

/// Everything a read needs.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct ReadOptions {
    /// How to reach the cluster.
    pub connection: ConnectionOptions,
    /// Keyspace of the table, as named in the schema (case preserved).
    pub keyspace: String,
    /// The table, as named in the schema (case preserved).
    pub table: String,
    /// Columns to read, in this order; every column of the table when `None`.
    pub columns: Option<Vec<String>>,
    /// Consistency of every page fetched.
    pub consistency: Consistency,
    /// Target bytes of table data per split.
    pub split_size_bytes: u64,
    /// Fewest splits, whatever the table's size; the reader picks when `None`.
    pub min_splits: Option<usize>,
    /// Rows per page.
    pub fetch_size_rows: i32,
    /// A CQL predicate added to every scan, as given.
    pub where_clause: Option<String>,
    /// Whether `where_clause` ends the scan with `ALLOW FILTERING` (option
    /// `allow_filtering`, default true). With false, the node refuses a
    /// predicate that would make it filter rows instead of scanning them all.
    pub allow_filtering: bool,
    /// Most rows per split.
    pub limit: Option<u64>,
    /// Columns read with `writetime(col)` as extra columns.
    pub writetime_columns: Vec<String>,
    /// Columns read with `ttl(col)` as extra columns.
    pub ttl_columns: Vec<String>,
    /// Filters the scan applies in Cassandra, each of which CQL must evaluate
    /// exactly (see [`crate::read::pushdown`]; opening the reader fails
    /// otherwise). Set by the PySpark source's filter pushdown, not by an option.
    pub filters: Vec<crate::read::pushdown::Filter>,
}

impl ReadOptions {
    /// Read options for `keyspace.table` with every default.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, ReadOptions};
    /// let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// assert_eq!(options.split_size_bytes, 64 << 20);
    /// ```
    pub fn new(connection: ConnectionOptions, keyspace: impl Into<String>, table: impl Into<String>) -> Self {
        Self {
            connection,
            keyspace: keyspace.into(),
            table: table.into(),
            columns: None,
            consistency: DEFAULT_READ_CONSISTENCY,
            split_size_bytes: DEFAULT_SPLIT_SIZE_MB << 20,
            min_splits: None,
            fetch_size_rows: DEFAULT_FETCH_SIZE_ROWS as i32,
            where_clause: None,
            allow_filtering: true,
            limit: None,
            writetime_columns: Vec::new(),
            ttl_columns: Vec::new(),
            filters: Vec::new(),
        }
    }

    /// Parses the string options of the PySpark source (or any string map).
    /// Keys are matched case-insensitively; unknown keys and write-only
    /// options are an error.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// let map = HashMap::from([("host", "10.0.0.1"), ("keyspace", "ks"), ("table", "t"), ("split_size_mb", "16")]);
    /// let options = pycassandra::ReadOptions::from_options(&map).unwrap();
    /// assert_eq!(options.split_size_bytes, 16 << 20);
    ///
    /// let map = HashMap::from([("host", "h"), ("keyspace", "ks"), ("table", "t"), ("batch_size", "5")]);
    /// let error = pycassandra::ReadOptions::from_options(&map).unwrap_err();
    /// assert_eq!(error.to_string(), "options batch_size apply to writes only");
    /// ```
    pub fn from_options<K, V>(options: &std::collections::HashMap<K, V>) -> Result<Self, ConfigError>
    where
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let mut raw = lower_cased(options.iter().map(|(k, v)| (k.as_ref(), v.as_ref())));
        let mut problems = Vec::new();
        let target = parse_target(&mut raw, &mut problems, Direction::Read);
        let mut reader = OptionReader { raw: &raw, problems: &mut problems };
        let consistency = reader.consistency(DEFAULT_READ_CONSISTENCY);
        let split_size_mb: u64 = reader.number(SPLIT_SIZE_MB, DEFAULT_SPLIT_SIZE_MB, 1, 1 << 20);
        let min_splits: Option<usize> =
            raw.contains_key(MIN_SPLITS).then(|| reader.number(MIN_SPLITS, 1, 1, 1_000_000));
        let fetch_size_rows: i32 =
            reader.number_in(FETCH_SIZE_ROWS, DEFAULT_FETCH_SIZE_ROWS, &super::validate::FETCH_SIZE_ROWS_RANGE);
        let limit: Option<u64> = raw.contains_key(LIMIT).then(|| reader.number(LIMIT, 1, 1, i64::MAX as u64));
        let writetime_columns = reader.column_list(WRITETIME_COLUMNS);
        let ttl_columns = reader.column_list(TTL_COLUMNS);
        let allow_filtering = !raw.contains_key(ALLOW_FILTERING) || reader.flag(ALLOW_FILTERING);
        let where_clause = raw.get(WHERE).map(|w| w.trim().to_string());
        let mut options = Self::new(target.connection, target.keyspace, target.table);
        options.consistency = consistency;
        options.split_size_bytes = split_size_mb << 20;
        options.min_splits = min_splits;
        options.fetch_size_rows = fetch_size_rows;
        options.where_clause = where_clause;
        options.allow_filtering = allow_filtering;
        options.limit = limit;
        options.writetime_columns = writetime_columns;
        options.ttl_columns = ttl_columns;
        problems.extend(options.rule_problems());
        super::parse::as_given(&mut problems, &target.aliases);
        if !problems.is_empty() {
            return Err(ConfigError::from_problems(problems));
        }
        Ok(options)
    }
}
