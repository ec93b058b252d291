//! Values that cannot become their column's CQL type.

use super::value::{PathPrefix, ValuePart};

/// A value that cannot become its column's CQL type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("row {row}, column '{column}' ({cql_type}): {}{kind}: {value}", PathPrefix(.path))]
pub struct ConvertError {
    /// Index of the row in its input batch (0-based).
    pub row: usize,
    /// The column.
    pub column: String,
    /// The column's CQL type.
    pub cql_type: String,
    /// An excerpt of the value, cut to a readable length.
    pub value: String,
    /// Where inside a nested value the refused part is, outermost first
    /// (empty for a scalar).
    pub path: Vec<ValuePart>,
    /// Why it was refused.
    pub kind: ConvertErrorKind,
}

/// Why a value was refused, one variant per rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConvertErrorKind {
    /// Text that is not in the form the type is written in.
    #[error("not {expected}")]
    Syntax {
        /// What was expected, with an article: `an integer`, `a date (expected YYYY-MM-DD)`.
        expected: &'static str,
    },
    /// An integer outside the range of the column's integer type.
    #[error("integer overflow: outside the {range} range")]
    Overflow {
        /// The type and its range, e.g. `int (int32)`.
        range: &'static str,
    },
    /// A date, time, duration or number outside what the CQL type holds.
    #[error("{what} out of range ({range})")]
    OutOfRange {
        /// What kind of value, e.g. `timestamp`.
        what: &'static str,
        /// The range the CQL type holds.
        range: &'static str,
    },
    /// Not a UUID.
    #[error("Invalid UUID ({error})")]
    InvalidUuid {
        /// The parser's reason.
        error: uuid::Error,
    },
    /// A UUID of a version other than 1, for a `timeuuid` column.
    #[error("Invalid UUID for timeuuid: version {version} (timeuuid needs version 1)")]
    NotTimeuuid {
        /// The UUID's version.
        version: usize,
    },
    /// A well-formed date that the calendar does not have (`2024-02-30`).
    #[error("no such calendar date")]
    NoSuchDate,
    /// Text with characters outside ASCII, for an `ascii` column.
    #[error("ascii column got non-ASCII text")]
    NotAscii,
    /// An Arrow `date64` that is not midnight.
    #[error("date64 value is not a whole day")]
    NotWholeDay,
    /// A timestamp finer than CQL's milliseconds: refused, not truncated.
    #[error(
        "timestamp has sub-millisecond precision, which CQL timestamp cannot hold (truncate it first, e.g. \
         date_trunc('millisecond', col))"
    )]
    SubMillisecond,
    /// A null item of a collection: CQL collections cannot hold nulls.
    #[error("{item} is null, which CQL collections cannot hold")]
    NullInCollection {
        /// The null item.
        item: ValuePart,
    },
    /// A vector of the wrong length.
    #[error("vector needs {expected} elements, got {got}")]
    VectorLength {
        /// The column's dimensions.
        expected: usize,
        /// The elements given.
        got: usize,
    },
    /// A value of Arrow's Null type where a value is needed.
    #[error("null")]
    Null,
    /// A value whose encoding is longer than CQL's 2 GiB `[bytes]`.
    #[error("value longer than 2 GiB, which CQL cannot hold")]
    TooLong,
    /// The driver could not serialize the value into the column's type.
    #[error("cannot encode the value ({reason})")]
    DriverEncode {
        /// The driver's reason.
        reason: String,
    },
    /// The driver could not read back a value as the column's type.
    #[error("cannot decode the encoded value ({reason})")]
    DriverDecode {
        /// The driver's reason.
        reason: String,
    },
    /// A per-row `ttl` or `writetime` out of what the option accepts.
    #[error("not a valid value for this setting")]
    InvalidSetting,
}
