//! Reads that cannot be planned, and scans that failed.

use super::DecodeFailure;

/// A read that cannot be planned, or a scan that failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReadError {
    /// A requested column is not in the table.
    #[error("column '{column}' is not in table {table} (its columns: {})", .available.join(", "))]
    UnknownColumn {
        /// The requested name.
        column: String,
        /// `keyspace.table`.
        table: String,
        /// The table's columns.
        available: Vec<String>,
    },
    /// A column cannot be read as the type asked for without losing values.
    #[error("column '{column}' of CQL type {cql_type} cannot be read as {requested}; read it as {default}")]
    UnsupportedType {
        /// The column (or `writetime_col`/`ttl_col`).
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// The Arrow type asked for.
        requested: String,
        /// The type it is read as by default.
        default: String,
    },
    /// The read selects no column: the `columns` option, or the schema asked for, is empty.
    #[error("a read of {table} needs at least one column (its columns: {})", .available.join(", "))]
    NoColumns {
        /// `keyspace.table`.
        table: String,
        /// The table's columns.
        available: Vec<String>,
    },
    /// A write-time or TTL column asked for (`writetime_<column>`, `ttl_<column>`)
    /// would have the name of a column of the table.
    #[error("cannot add column '{column}' for option '{option}': table {table} has a column of that name")]
    ColumnNameTaken {
        /// The name the added column would have.
        column: String,
        /// `writetime_columns` or `ttl_columns`.
        option: &'static str,
        /// `keyspace.table`.
        table: String,
    },
    /// A write time or TTL asked for a column that has no single one: a key
    /// column, or a non-frozen collection or user-defined type.
    #[error(
        "column '{column}' ({cql_type}) has no {function}: only regular and static columns of non-collection \
         types have one write time and TTL"
    )]
    NoWriteTimeOrTtl {
        /// The table's column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// `writetime` or `ttl`.
        function: &'static str,
    },
    /// The node refused or failed a scan.
    #[error("scan of {table} failed: {cql}: {source}")]
    Statement {
        /// `keyspace.table`.
        table: String,
        /// The statement.
        cql: String,
        /// The driver's error.
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// A task fetching a page ended without it: it panicked or was cancelled.
    #[error("a page fetch of {table} did not finish: {source}")]
    TaskFailed {
        /// `keyspace.table`.
        table: String,
        /// The runtime's reason.
        source: tokio::task::JoinError,
    },
    /// Decoded columns that do not make an Arrow batch (a bug, or a column
    /// larger than Arrow's offsets allow).
    #[error("cannot assemble the Arrow batch of {table}: {source}")]
    Arrow {
        /// `keyspace.table`.
        table: String,
        /// Arrow's reason.
        source: arrow_schema::ArrowError,
    },
    /// A filter given to a read that CQL would not evaluate exactly as Spark does.
    #[error(
        "the filter {filter} on column '{column}' of {table} cannot be pushed to Cassandra exactly; leave it to Spark"
    )]
    FilterNotExact {
        /// The filter's column.
        column: String,
        /// `keyspace.table`.
        table: String,
        /// The filter.
        filter: String,
    },
    /// A value a lookup fetched could not be decoded.
    #[error("lookup of input row {input_row}, column '{column}' ({cql_type}): {failure}")]
    LookupDecode {
        /// The input row whose key was looked up.
        input_row: usize,
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// What is wrong, and where inside the value.
        failure: DecodeFailure,
    },
    /// A value from the node could not be decoded.
    #[error("row {row} of token range ({start}, {end}], column '{column}' ({cql_type}): {failure}")]
    Decode {
        /// Row within the page.
        row: usize,
        /// Range start (exclusive).
        start: i64,
        /// Range end (inclusive).
        end: i64,
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
        /// What is wrong, and where inside the value.
        failure: DecodeFailure,
    },
}
