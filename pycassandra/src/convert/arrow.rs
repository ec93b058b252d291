//! Arrow columns in CQL's wire encoding. [`ColumnConverter::new`] checks an
//! (Arrow type, CQL type) pair once per statement and picks a [`Node`]; each
//! cell is then written straight from the Arrow buffers into bytes, with no
//! `CqlValue` between (the per-type code is split by family in `arrow/`).

mod binary;
mod float;
mod integer;
mod nested;
mod nested_plan;
mod temporal;
mod text;

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;
use scylla::cluster::metadata::{ColumnType, NativeType};
use scylla::deserialize::value::DeserializeValue;
use scylla::deserialize::FrameSlice;
use scylla::serialize::value::SerializeValue;
use scylla::serialize::writers::CellWriter;
use scylla::value::CqlValue;

use crate::cql_type;
use crate::error::{excerpt, ConvertError, ConvertErrorKind, SchemaError, ValuePart};

/// Why one value was refused, where inside it, and how it looked.
struct Failure {
    path: Vec<ValuePart>,
    kind: ConvertErrorKind,
    value: String,
}

impl Failure {
    fn new(kind: ConvertErrorKind, value: impl Into<String>) -> Self {
        Self { path: Vec::new(), kind, value: value.into() }
    }

    /// The same refusal, said of a part of a nested value ("element 3", "field 'f'").
    fn within(mut self, part: ValuePart) -> Self {
        self.path.insert(0, part);
        self
    }
}

/// Appends one value, as CQL `[bytes]` (a 4-byte length, then the value).
type Encode = fn(&dyn Array, usize, &mut Vec<u8>) -> Result<(), Failure>;

/// The conversion plan of one (Arrow type, CQL type) pair; nested types nest plans.
enum Node {
    /// Arrow's Null type: every value is null.
    AllNull,
    /// Any Arrow integer (or Decimal128 of scale 0), range-checked into a CQL integer type.
    Integer { read: fn(&dyn Array, usize) -> i128, target: NativeType },
    /// A string parsed into the CQL type.
    Text { parse: fn(&str, &mut Vec<u8>) -> Result<(), ConvertErrorKind> },
    /// Any other scalar pair.
    Scalar(Encode),
    /// A list, set, vector, map, user-defined type or tuple.
    Nested(nested::Nested),
}

/// Converts one input column into CQL values.
// Public for the fuzz target convert_arrow only, and so hidden: writers build
// their converters inside `CassandraWriter` (REVIEW F12).
#[doc(hidden)]
pub struct ColumnConverter {
    column: String,
    cql_type: String,
    /// The type bound (for decoding into [`CqlValue`]).
    bind_type: ColumnType<'static>,
    node: Node,
}

/// One column of a batch in CQL's wire encoding: each row's cell is
/// `[bytes]` (length -1 for null), back to back.
pub(crate) struct EncodedColumn {
    bytes: Vec<u8>,
    /// Where each row's cell starts; one more entry than rows.
    starts: Vec<usize>,
    /// Whether a value starts with an element count (list, set, map).
    counted: bool,
}

impl EncodedColumn {
    /// The row's value without its length; `None` for null.
    pub(crate) fn value(&self, row: usize) -> Option<&[u8]> {
        let cell = &self.bytes[self.starts[row]..self.starts[row + 1]];
        if cell.len() == 4 && cell == (-1i32).to_be_bytes() {
            None
        } else {
            Some(&cell[4..])
        }
    }

    /// The elements of a non-null list, set or map value (each its own cell on the node); 0 otherwise.
    pub(crate) fn elements(&self, row: usize) -> usize {
        match self.value(row) {
            Some(value) if self.counted && value.len() >= 4 => {
                i32::from_be_bytes([value[0], value[1], value[2], value[3]]).max(0) as usize
            }
            _ => 0,
        }
    }
}

impl ColumnConverter {
    /// Picks the conversion from `input` to `cql_type`, or says that none exists.
    pub fn new(column: &str, input: &DataType, cql_type: &ColumnType<'_>) -> Result<Self, SchemaError> {
        let node = plan(input, cql_type).ok_or_else(|| SchemaError::UnsupportedConversion {
            column: column.to_string(),
            input_type: input.to_string(),
            cql_type: cql_type::name(cql_type),
        })?;
        Ok(Self {
            column: column.to_string(),
            cql_type: cql_type::name(cql_type),
            bind_type: cql_type.clone().into_owned(),
            node,
        })
    }

    /// The CQL type the values are encoded as.
    pub(crate) fn bind_type(&self) -> &ColumnType<'static> {
        &self.bind_type
    }

    /// Encodes every row of `array`, failing at the first value that cannot
    /// become the CQL type.
    pub(crate) fn encode(&self, array: &dyn Array) -> Result<EncodedColumn, ConvertError> {
        // Every cell's length, and about the input's own bytes (growing a buffer of text copies it).
        let input_bytes = array.to_data().get_slice_memory_size().unwrap_or(0);
        let mut bytes = Vec::with_capacity(array.len() * 4 + input_bytes);
        let mut starts = Vec::with_capacity(array.len() + 1);
        for row in 0..array.len() {
            starts.push(bytes.len());
            if is_null(array, row) {
                bytes.extend_from_slice(&(-1i32).to_be_bytes());
                continue;
            }
            encode(&self.node, array, row, &mut bytes).map_err(|failure| self.error(row, failure))?;
        }
        starts.push(bytes.len());
        let counted = matches!(&self.node, Node::Nested(nested) if nested.is_counted());
        Ok(EncodedColumn { bytes, starts, counted })
    }

    /// Converts every row of `array`; nulls become `None`.
    pub fn convert(&self, array: &dyn Array) -> Result<Vec<Option<CqlValue>>, ConvertError> {
        let encoded = self.encode(array)?;
        (0..array.len()).map(|row| self.decode(row, encoded.value(row))).collect()
    }

    /// Row `row`'s value as encoded by [`encode`](Self::encode), decoded as the driver would.
    pub(crate) fn decode(&self, row: usize, value: Option<&[u8]>) -> Result<Option<CqlValue>, ConvertError> {
        let Some(value) = value else { return Ok(None) };
        CqlValue::deserialize(&self.bind_type, Some(FrameSlice::new_borrowed(value))).map(Some).map_err(|e| {
            let failure = Failure::new(
                ConvertErrorKind::DriverDecode { reason: e.to_string() },
                format!("{} bytes", value.len()),
            );
            self.error(row, failure)
        })
    }

    fn error(&self, row: usize, failure: Failure) -> ConvertError {
        ConvertError {
            row,
            column: self.column.clone(),
            cql_type: self.cql_type.clone(),
            value: failure.value,
            path: failure.path,
            kind: failure.kind,
        }
    }
}

fn encode(node: &Node, array: &dyn Array, row: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
    match node {
        Node::AllNull => Err(Failure::new(ConvertErrorKind::Null, "null")),
        Node::Integer { read, target } => integer::encode(read(array, row), target, out),
        Node::Text { parse } => {
            let value = string_at(array, row);
            parse(value, out).map_err(|reason| Failure::new(reason, excerpt(value)))
        }
        Node::Scalar(encode) => encode(array, row, out),
        Node::Nested(nested) => nested.encode(array, row, out),
    }
}

/// Arrow's Null type keeps no validity buffer, so `Array::is_null` says no
/// for each of its values.
fn is_null(array: &dyn Array, row: usize) -> bool {
    *array.data_type() == DataType::Null || array.is_null(row)
}

/// Appends a value the driver's own serialization writes (dates, durations,
/// decimals ...), so those encodings exist once, in the driver.
fn put<V: SerializeValue>(out: &mut Vec<u8>, native: NativeType, value: &V) -> Result<(), ConvertErrorKind> {
    value
        .serialize(&ColumnType::Native(native), CellWriter::new(out))
        .map(|_| ())
        .map_err(|e| ConvertErrorKind::DriverEncode { reason: e.to_string() })
}

/// Appends `bytes` as CQL `[bytes]`.
fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), Failure> {
    let length = i32::try_from(bytes.len())
        .map_err(|_| Failure::new(ConvertErrorKind::TooLong, format!("{} bytes", bytes.len())))?;
    out.extend_from_slice(&length.to_be_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

fn string_at(array: &dyn Array, row: usize) -> &str {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        DataType::Utf8View => array.as_string_view().value(row),
        _ => array.as_string::<i32>().value(row),
    }
}

fn plan(input: &DataType, cql_type: &ColumnType<'_>) -> Option<Node> {
    if *input == DataType::Null {
        return Some(Node::AllNull);
    }
    match cql_type {
        ColumnType::Native(native) => integer::plan(input, native)
            .or_else(|| text::plan(input, native))
            .or_else(|| float::plan(input, native))
            .or_else(|| temporal::plan(input, native))
            .or_else(|| binary::plan(input, native)),
        other => nested::plan(input, other).map(Node::Nested),
    }
}

#[cfg(test)]
#[path = "arrow_tests.rs"]
mod tests;
