//! Bytes from the node that are not a value of their CQL type.

use super::value::{PathPrefix, ValuePart};

/// Why a value from the node could not be decoded: the part of a nested
/// value where it went wrong (empty for a scalar) and what went wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{kind}", PathPrefix(.path))]
pub struct DecodeFailure {
    /// Where inside a nested value the bad part is, outermost first.
    pub path: Vec<ValuePart>,
    /// What is wrong with it.
    pub kind: DecodeErrorKind,
}

impl DecodeFailure {
    /// The same failure, one level further inside: `part` of the enclosing value.
    pub(crate) fn within(mut self, part: ValuePart) -> Self {
        self.path.insert(0, part);
        self
    }
}

impl From<DecodeErrorKind> for DecodeFailure {
    fn from(kind: DecodeErrorKind) -> Self {
        Self { path: Vec::new(), kind }
    }
}

/// Why bytes from the node are not a value of their CQL type, one variant
/// per rule of the read path's decoders.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The value ends before a part it announces.
    #[error("value truncated: needed {needed} more bytes, {left} left")]
    Truncated {
        /// Bytes the part needs beyond what was read.
        needed: usize,
        /// Bytes left in the value.
        left: usize,
    },
    /// A fixed-size value of another length.
    #[error("expected {expected} bytes, got {got}")]
    Length {
        /// The type's size.
        expected: usize,
        /// The value's length.
        got: usize,
    },
    /// An `inet` neither IPv4 nor IPv6.
    #[error("inet needs 4 or 16 bytes, got {got}")]
    InetLength {
        /// The value's length.
        got: usize,
    },
    /// `text` or `ascii` bytes that are not UTF-8.
    #[error("text is not UTF-8: {error}")]
    NotUtf8 {
        /// Where the UTF-8 breaks.
        error: std::str::Utf8Error,
    },
    /// A vector element whose length does not fit this machine's `usize`.
    #[error("element too long")]
    ElementTooLong,
    /// A collection of more elements than an Arrow list holds.
    #[error("too many elements")]
    TooManyElements,
    /// A null map key (the path says which entry).
    #[error("null (a map key cannot be null)")]
    NullMapKey,
    /// A page whose text or bytes exceed an Arrow array's 2 GiB.
    #[error("a page's text exceeds 2 GiB")]
    PageTooLarge,
    /// A timestamp whose microseconds overflow 64 bits.
    #[error("timestamp {millis} ms is beyond the microsecond range")]
    TimestampRange {
        /// The timestamp, in milliseconds.
        millis: i64,
    },
    /// A varint outside the Arrow integer it is read as.
    #[error("{value} does not fit a {target}")]
    DoesNotFit {
        /// An excerpt of the value.
        value: String,
        /// The type it was read as, e.g. `long (int64)`.
        target: &'static str,
    },
    /// A decimal or varint that a `decimal(precision, scale)` would round or overflow.
    #[error("{value} does not fit decimal({precision}, {scale}) exactly")]
    InexactDecimal {
        /// An excerpt of the value.
        value: String,
        /// The Arrow decimal's precision.
        precision: u8,
        /// The Arrow decimal's scale.
        scale: i8,
    },
}

/// Why `read::decode_values` (public for the fuzz target decode_cql only)
/// refused its input.
#[doc(hidden)]
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeValuesError {
    /// The CQL type has no Arrow type to decode into.
    #[error("CQL type {cql_type} has no Arrow type")]
    NoArrowType {
        /// The CQL type.
        cql_type: String,
    },
    /// The CQL type has an Arrow type but no decoder into it.
    #[error("no decoder for {cql_type}")]
    NoDecoder {
        /// The CQL type.
        cql_type: String,
    },
    /// One value could not be decoded.
    #[error("value {index}: {failure}")]
    Value {
        /// Its position in the input.
        index: usize,
        /// What is wrong, and where inside it.
        failure: DecodeFailure,
    },
    /// The decoded values did not make an Arrow array.
    #[error(transparent)]
    Arrow(#[from] arrow_schema::ArrowError),
}
