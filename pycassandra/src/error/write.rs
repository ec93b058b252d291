//! Writes the cluster failed.

/// The cluster failed a write.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A statement could not be prepared.
    #[error("cannot prepare `{cql}`: {source}")]
    Prepare {
        /// The statement.
        cql: String,
        /// The driver's reason.
        #[source]
        source: scylla::errors::PrepareError,
    },
    /// A request failed after its retries.
    #[error("write to {table} failed after {attempts} attempt(s): {source}")]
    Request {
        /// `keyspace.table`.
        table: String,
        /// Attempts made.
        attempts: u32,
        /// The driver's reason.
        #[source]
        source: scylla::errors::ExecutionError,
    },
    /// A statement without a prepared form (TRUNCATE) failed.
    #[error("`{cql}` failed: {source}")]
    Statement {
        /// The statement.
        cql: String,
        /// The driver's reason.
        #[source]
        source: scylla::errors::ExecutionError,
    },
    /// Overwrite mode was asked without `confirm_truncate=true`.
    #[error(
        "overwrite mode would truncate {table} and delete every row; set option 'confirm_truncate' to 'true' to allow it, or use mode 'append'"
    )]
    TruncateNotConfirmed {
        /// `keyspace.table`.
        table: String,
    },
    /// A row is larger than the largest mutation a node accepts: refused
    /// before anything of its input batch is sent.
    #[error(
        "row {row} of the input batch is about {bytes} bytes as a mutation of {table} (largest column '{largest_column}', about {largest_column_bytes} bytes), more than the {limit} bytes a node accepts in one mutation (half of commitlog_segment_size); no row of this batch was sent"
    )]
    RowTooLarge {
        /// Index of the row in its input batch (0-based).
        row: usize,
        /// `keyspace.table`.
        table: String,
        /// The row's estimated size as the node measures a mutation.
        bytes: usize,
        /// The column holding the largest value.
        largest_column: String,
        /// That value's estimated size.
        largest_column_bytes: usize,
        /// The largest mutation accepted ([`crate::config::names::MAX_MUTATION_BYTES`]).
        limit: usize,
    },
    /// The writer was used after a failure or after it finished.
    #[error("the writer is closed: {reason}")]
    Closed {
        /// Why it closed.
        reason: String,
    },
}
