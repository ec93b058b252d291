//! `convert_value(value, cql_type)`: the original plan's single-value
//! conversion. It runs the very converters of the batch path on a one-row
//! Arrow array, so a value converts the same way alone or in a DataFrame.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Decimal128Array, Float64Array, Int64Array, NullArray, StringArray,
};
use scylla::cluster::metadata::ColumnType;
use scylla::value::CqlValue;

use super::ColumnConverter;
use crate::cql_type;
use crate::error::{ConfigError, ConvertError, ConvertErrorKind, Error};

/// A single input value, as a dynamic language hands it over.
#[derive(Clone, Debug, PartialEq)]
pub enum InputValue<'a> {
    /// No value.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer of any size up to 128 bits.
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// Text.
    Text(&'a str),
    /// Bytes.
    Bytes(&'a [u8]),
}

/// Converts one value to `cql_type` (a scalar CQL type name such as `uuid`
/// or `int`); `Null` stays `None`.
///
/// ```
/// use pycassandra::convert::{convert_value, InputValue};
/// assert!(convert_value(InputValue::Int(1 << 32), "int").unwrap_err().to_string().contains("overflow"));
/// assert!(convert_value(InputValue::Text("not-a-uuid"), "uuid").unwrap_err().to_string().contains("Invalid UUID"));
/// ```
pub fn convert_value(value: InputValue<'_>, cql_type: &str) -> Result<Option<CqlValue>, Error> {
    let native = cql_type::parse_native(cql_type).ok_or_else(|| ConfigError::InvalidValue {
        option: "cql_type",
        value: cql_type.to_string(),
        expected: format!("a scalar CQL type name ({})", cql_type::NAMES.join(", ")),
    })?;
    let array: ArrayRef = match value {
        InputValue::Null => return Ok(None),
        InputValue::Bool(b) => Arc::new(BooleanArray::from(vec![b])),
        InputValue::Int(i) => match i64::try_from(i) {
            Ok(small) => Arc::new(Int64Array::from(vec![small])),
            Err(_) => match Decimal128Array::from(vec![i]).with_precision_and_scale(38, 0) {
                Ok(big) => Arc::new(big),
                Err(_) => Arc::new(NullArray::new(1)),
            },
        },
        InputValue::Float(f) => Arc::new(Float64Array::from(vec![f])),
        InputValue::Text(s) => Arc::new(StringArray::from(vec![s])),
        InputValue::Bytes(b) => Arc::new(BinaryArray::from(vec![b])),
    };
    let column_type = ColumnType::Native(native);
    let converter = ColumnConverter::new("value", array.data_type(), &column_type)?;
    let mut values = converter.convert(array.as_ref())?;
    let converted = values.pop().flatten();
    if converted.is_none() {
        // A 128-bit integer outside Decimal128's 38 digits cannot fit any CQL integer but varint.
        return Err(ConvertError {
            row: 0,
            column: "value".into(),
            cql_type: cql_type.to_string(),
            value: format!("{value:?}"),
            path: Vec::new(),
            kind: ConvertErrorKind::Overflow { range: "38-digit" },
        }
        .into());
    }
    Ok(converted)
}
