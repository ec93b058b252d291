//! Tables and input columns that do not fit a job.

/// The table, or the input's columns, do not fit the write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SchemaError {
    /// A `#[derive(CassandraRow)]` struct does not fit the live table.
    #[error("struct does not fit table {table}: {}", .problems.join("; "))]
    RowMismatch {
        /// `keyspace.table`.
        table: String,
        /// Every disagreement.
        problems: Vec<String>,
    },
    /// No such keyspace.
    #[error("keyspace '{keyspace}' does not exist")]
    KeyspaceNotFound {
        /// The keyspace asked for.
        keyspace: String,
    },
    /// No such table.
    #[error("table '{table}' does not exist in keyspace '{keyspace}'")]
    TableNotFound {
        /// The keyspace.
        keyspace: String,
        /// The table asked for.
        table: String,
    },
    /// The table of a running change stream changed in a way the stream cannot follow.
    #[error("table {table} changed while the change stream ran: {what}")]
    ChangedUnderStream {
        /// `keyspace.table`.
        table: String,
        /// What changed and what to do.
        what: String,
    },
    /// A change stream of a table whose changes Cassandra does not keep.
    #[error("table {table} is not WITH cdc = true, so Cassandra keeps none of its changes in cdc_raw; run ALTER TABLE {table} WITH cdc = true (and set cdc_enabled: true on every node)")]
    CdcDisabled {
        /// `keyspace.table`.
        table: String,
    },
    /// The input lacks primary-key columns.
    #[error("input is missing primary key columns: {}. Required primary key columns: {}", .missing.join(", "), .required.join(", "))]
    MissingKeyColumns {
        /// Key columns absent from the input.
        missing: Vec<String>,
        /// The whole primary key.
        required: Vec<String>,
    },
    /// The input has columns the table lacks.
    #[error("input columns not in table '{table}': {}", .columns.join(", "))]
    UnknownColumns {
        /// The table.
        table: String,
        /// Input columns with no table column.
        columns: Vec<String>,
    },
    /// A control column (delete flag, ttl, writetime) named in the options is absent.
    #[error("option '{option}' names column '{column}', which is not in the input")]
    MissingControlColumn {
        /// The option naming it.
        option: &'static str,
        /// The column.
        column: String,
    },
    /// No converter exists from this input type to this CQL type.
    #[error("column '{column}': cannot write input type {input_type} into CQL type {cql_type}")]
    UnsupportedConversion {
        /// The column.
        column: String,
        /// The input (Arrow) type.
        input_type: String,
        /// The column's CQL type.
        cql_type: String,
    },
    /// Update mode with only key columns in the input: nothing to SET.
    #[error("write_mode 'update' needs at least one input column outside the primary key")]
    NothingToUpdate {
        /// `keyspace.table`.
        table: String,
    },
    /// A counter table written other than by `write_mode` = `update`.
    #[error(
        "table '{table}' has counter columns ({}): set option 'write_mode' to 'update' to increment them",
        .counters.join(", ")
    )]
    CountersNeedUpdateMode {
        /// The table.
        table: String,
        /// Its counter columns.
        counters: Vec<String>,
    },
    /// `ttl` or `if_not_exists` given for a counter table.
    #[error("counter tables accept neither 'ttl' nor 'if_not_exists'")]
    NotForCounters {
        /// The table.
        table: String,
    },
    /// A column named in `collection_append` or `collection_remove` is not in the table.
    #[error("collection column '{column}' is not in table '{table}'")]
    CollectionNotInTable {
        /// The column as listed.
        column: String,
        /// The table.
        table: String,
    },
    /// A column named in `collection_append` or `collection_remove` is not in the input.
    #[error("collection column '{column}' is not in the input")]
    CollectionNotInInput {
        /// The column as listed.
        column: String,
    },
    /// A column named in `collection_append` or `collection_remove` is no non-frozen collection.
    #[error(
        "column '{column}' is {cql_type}, not a (non-frozen) list, set or map: it cannot be appended to or removed from"
    )]
    NotACollection {
        /// The column.
        column: String,
        /// Its CQL type.
        cql_type: String,
    },
    /// A statement prepared for a write binds a column as another CQL type
    /// than the write was planned for: the table changed after its schema
    /// was read (a PySpark job reads it once, on the driver), and the bytes
    /// would be of the wrong type.
    #[error(
        "column '{column}' of {table} is {prepared} in the statement just prepared, but the write was planned \
         for {planned}: the table changed after its schema was read; run the write again"
    )]
    PreparedTypeMismatch {
        /// `keyspace.table`.
        table: String,
        /// The column (or `ttl` / `writetime` for their bind markers).
        column: String,
        /// The CQL type the plan encodes.
        planned: String,
        /// The CQL type the prepared statement takes.
        prepared: String,
    },
    /// A statement prepared for a write has another number of bind markers
    /// than the plan binds values: a bug, said rather than sent.
    #[error("the statement prepared for {table} has {markers} bind markers, but the write binds {planned} values")]
    PreparedMarkerCount {
        /// `keyspace.table`.
        table: String,
        /// Bind markers in the prepared statement.
        markers: usize,
        /// Values the plan binds per row.
        planned: usize,
    },
    /// No node answered a read of the schema: down, unreachable, shutting
    /// down or overloaded (a connection problem, not a schema one).
    #[error("cannot read the schema of {keyspace}.{table}: no node answered: {reason}")]
    NoNodeAnswered {
        /// The keyspace.
        keyspace: String,
        /// The table.
        table: String,
        /// The driver's reason.
        reason: String,
    },
    /// The schema could not be read from the cluster.
    #[error("cannot read the schema of {keyspace}.{table}: {reason}")]
    Metadata {
        /// The keyspace.
        keyspace: String,
        /// The table.
        table: String,
        /// The driver's reason.
        reason: String,
    },
}
