//! `convert_value(value, cql_type)`: the original plan's single-value
//! conversion. It runs the very converters of the batch path on a one-row
//! Arrow array, so a value converts the same way alone or in a DataFrame.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Decimal128Array, Float64Array, Int64Array, NullArray, StringArray,
};
use scylla::cluster::metadata::{ColumnType, NativeType};
use scylla::value::CqlValue;

use super::ColumnConverter;
use crate::error::{ConfigError, ConvertError, Error};

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
    let native = native_type(cql_type).ok_or_else(|| ConfigError::InvalidValue {
        option: "cql_type",
        value: cql_type.to_string(),
        expected: "a scalar CQL type name (ascii, text, varchar, boolean, tinyint, smallint, int, bigint, varint, float, double, decimal, uuid, timeuuid, inet, blob, date, time, timestamp, duration, counter)".into(),
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
            reason: "integer overflow: too large".into(),
        }
        .into());
    }
    Ok(converted)
}

/// The scalar CQL type of a name (`varchar` is `text`).
pub fn native_type(name: &str) -> Option<NativeType> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "ascii" => NativeType::Ascii,
        "text" | "varchar" => NativeType::Text,
        "boolean" => NativeType::Boolean,
        "tinyint" => NativeType::TinyInt,
        "smallint" => NativeType::SmallInt,
        "int" => NativeType::Int,
        "bigint" => NativeType::BigInt,
        "varint" => NativeType::Varint,
        "float" => NativeType::Float,
        "double" => NativeType::Double,
        "decimal" => NativeType::Decimal,
        "uuid" => NativeType::Uuid,
        "timeuuid" => NativeType::Timeuuid,
        "inet" => NativeType::Inet,
        "blob" => NativeType::Blob,
        "date" => NativeType::Date,
        "time" => NativeType::Time,
        "timestamp" => NativeType::Timestamp,
        "duration" => NativeType::Duration,
        "counter" => NativeType::Counter,
        _ => return None,
    })
}
