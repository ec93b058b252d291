//! Lookups (joins of input rows with a table by key) that cannot be planned.

/// A lookup (a join of input rows with a table by key) that cannot be planned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupError {
    /// No key column was given.
    #[error("a lookup in {table} needs key columns (`on`): its partition key is ({})", .partition_key.join(", "))]
    NoKeys {
        /// `keyspace.table`.
        table: String,
        /// The table's partition key columns.
        partition_key: Vec<String>,
    },
    /// A key column is not a column of the input.
    #[error("lookup key '{column}' is not a column of the input (its columns: {})", .input.join(", "))]
    NotInInput {
        /// The key column.
        column: String,
        /// The input's columns.
        input: Vec<String>,
    },
    /// The keys are not the whole partition key, optionally followed by a clustering key prefix.
    #[error(
        "lookup keys ({}) of {table} must be every partition key column ({}) and optionally the first clustering \
         columns in order ({})",
        .keys.join(", "), .partition_key.join(", "), .clustering_key.join(", ")
    )]
    NotAKey {
        /// The keys given, as the table spells them where it has them.
        keys: Vec<String>,
        /// `keyspace.table`.
        table: String,
        /// The table's partition key columns.
        partition_key: Vec<String>,
        /// The table's clustering columns.
        clustering_key: Vec<String>,
    },
    /// A column to fetch is already a column of the input.
    #[error(
        "column '{column}' of {table} is also a column of the input; choose the columns to fetch \
         (`columns`) or rename the input's"
    )]
    ColumnClash {
        /// The column.
        column: String,
        /// `keyspace.table`.
        table: String,
    },
}
