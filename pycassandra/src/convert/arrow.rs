use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType};
use arrow_schema::{DataType, IntervalUnit, TimeUnit};
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};
use scylla::value::{Counter, CqlDecimal, CqlDuration, CqlTimestamp, CqlValue, CqlVarint};

use super::text;
use crate::cql_type;
use crate::error::{excerpt, ConvertError, SchemaError};

/// Why one value was refused, and how it looked.
struct Failure {
    reason: String,
    value: String,
}

impl Failure {
    fn new(reason: impl Into<String>, value: impl Into<String>) -> Self {
        Self { reason: reason.into(), value: value.into() }
    }
}

type Read<T> = fn(&dyn Array, usize) -> T;
type Produce = fn(&dyn Array, usize) -> Result<CqlValue, Failure>;

/// The conversion plan of one (Arrow type, CQL type) pair; nested types nest plans.
enum Node {
    /// Arrow's Null type: every value is null.
    AllNull,
    /// Any Arrow integer, range-checked into a CQL integer type.
    Integer { read: Read<i128>, target: NativeType },
    /// A string parsed into the CQL type.
    Text { parse: fn(&str) -> Result<CqlValue, String> },
    /// Any other scalar pair.
    Scalar(Produce),
    /// Arrow list into a CQL list, set or vector.
    Sequence { element: Box<Node>, shape: Shape },
    /// Arrow map (or list of key/value structs) into a CQL map.
    Map { key: Box<Node>, value: Box<Node> },
    /// Arrow struct into a user-defined type, fields matched by name.
    Udt { keyspace: String, name: String, fields: Vec<(String, Option<(usize, Node)>)> },
    /// Arrow struct into a tuple, fields matched by position.
    Tuple(Vec<Node>),
}

#[derive(Clone, Copy)]
enum Shape {
    List,
    Set,
    Vector(u16),
}

/// Converts one input column into CQL values.
pub struct ColumnConverter {
    column: String,
    cql_type: String,
    node: Node,
}

impl ColumnConverter {
    /// Picks the conversion from `input` to `cql_type`, or says that none exists.
    pub fn new(column: &str, input: &DataType, cql_type: &ColumnType<'_>) -> Result<Self, SchemaError> {
        let node = plan(input, cql_type).ok_or_else(|| SchemaError::UnsupportedConversion {
            column: column.to_string(),
            input_type: input.to_string(),
            cql_type: cql_type::name(cql_type),
        })?;
        Ok(Self { column: column.to_string(), cql_type: cql_type::name(cql_type), node })
    }

    /// Converts every row of `array`; nulls become `None`.
    pub fn convert(&self, array: &dyn Array) -> Result<Vec<Option<CqlValue>>, ConvertError> {
        let mut values = Vec::with_capacity(array.len());
        for row in 0..array.len() {
            if is_null(array, row) {
                values.push(None);
                continue;
            }
            match apply(&self.node, array, row) {
                Ok(value) => values.push(Some(value)),
                Err(failure) => {
                    return Err(ConvertError {
                        row,
                        column: self.column.clone(),
                        cql_type: self.cql_type.clone(),
                        value: failure.value,
                        reason: failure.reason,
                    })
                }
            }
        }
        Ok(values)
    }
}

fn apply(node: &Node, array: &dyn Array, row: usize) -> Result<CqlValue, Failure> {
    match node {
        Node::AllNull => Err(Failure::new("null", "null")),
        Node::Integer { read, target } => integer(read(array, row), target),
        Node::Text { parse } => {
            let value = string_at(array, row);
            parse(value).map_err(|reason| Failure::new(reason, excerpt(value)))
        }
        Node::Scalar(produce) => produce(array, row),
        Node::Sequence { element, shape } => {
            let items = list_values(array, row);
            if let Shape::Vector(dimensions) = shape {
                if items.len() != usize::from(*dimensions) {
                    return Err(Failure::new(
                        format!("vector needs {dimensions} elements, got {}", items.len()),
                        format!("[{} elements]", items.len()),
                    ));
                }
            }
            let converted = elements(element, &items, "element")?;
            Ok(match shape {
                Shape::List => CqlValue::List(converted),
                Shape::Set => CqlValue::Set(converted),
                Shape::Vector(_) => CqlValue::Vector(converted),
            })
        }
        Node::Map { key, value } => {
            let entries = map_entries(array, row);
            let keys = elements(key, entries.column(0), "map key")?;
            let values = elements(value, entries.column(1), "map value")?;
            Ok(CqlValue::Map(keys.into_iter().zip(values).collect()))
        }
        Node::Udt { keyspace, name, fields } => {
            let structure = array.as_struct();
            let mut values = Vec::with_capacity(fields.len());
            for (field, source) in fields {
                let value = match source {
                    Some((index, node)) => optional(node, structure.column(*index).as_ref(), row)
                        .map_err(|f| Failure::new(format!("field '{field}': {}", f.reason), f.value))?,
                    None => None,
                };
                values.push((field.clone(), value));
            }
            Ok(CqlValue::UserDefinedType { keyspace: keyspace.clone(), name: name.clone(), fields: values })
        }
        Node::Tuple(nodes) => {
            let structure = array.as_struct();
            let mut values = Vec::with_capacity(nodes.len());
            for (index, node) in nodes.iter().enumerate() {
                values.push(
                    optional(node, structure.column(index).as_ref(), row)
                        .map_err(|f| Failure::new(format!("tuple element {index}: {}", f.reason), f.value))?,
                );
            }
            Ok(CqlValue::Tuple(values))
        }
    }
}

/// Arrow's Null type keeps no validity buffer, so `Array::is_null` says no
/// for each of its values.
fn is_null(array: &dyn Array, row: usize) -> bool {
    *array.data_type() == DataType::Null || array.is_null(row)
}

fn optional(node: &Node, array: &dyn Array, row: usize) -> Result<Option<CqlValue>, Failure> {
    if is_null(array, row) {
        Ok(None)
    } else {
        apply(node, array, row).map(Some)
    }
}

/// Converts every item of a collection; CQL collections cannot hold nulls.
fn elements(node: &Node, items: &ArrayRef, what: &str) -> Result<Vec<CqlValue>, Failure> {
    (0..items.len())
        .map(|i| {
            if items.is_null(i) {
                Err(Failure::new(format!("{what} {i} is null, which CQL collections cannot hold"), "null"))
            } else {
                apply(node, items.as_ref(), i).map_err(|f| Failure::new(format!("{what} {i}: {}", f.reason), f.value))
            }
        })
        .collect()
}

fn list_values(array: &dyn Array, row: usize) -> ArrayRef {
    match array.data_type() {
        DataType::LargeList(_) => array.as_list::<i64>().value(row),
        DataType::FixedSizeList(_, _) => array.as_fixed_size_list().value(row),
        _ => array.as_list::<i32>().value(row),
    }
}

fn map_entries(array: &dyn Array, row: usize) -> arrow_array::StructArray {
    match array.data_type() {
        DataType::Map(_, _) => array.as_map().value(row),
        _ => list_values(array, row).as_struct().clone(),
    }
}

fn string_at(array: &dyn Array, row: usize) -> &str {
    match array.data_type() {
        DataType::LargeUtf8 => array.as_string::<i64>().value(row),
        DataType::Utf8View => array.as_string_view().value(row),
        _ => array.as_string::<i32>().value(row),
    }
}

fn bytes_at(array: &dyn Array, row: usize) -> &[u8] {
    match array.data_type() {
        DataType::LargeBinary => array.as_binary::<i64>().value(row),
        DataType::BinaryView => array.as_binary_view().value(row),
        DataType::FixedSizeBinary(_) => array.as_fixed_size_binary().value(row),
        _ => array.as_binary::<i32>().value(row),
    }
}

fn read_int<A: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> i128
where
    A::Native: Into<i128>,
{
    array.as_primitive::<A>().value(row).into()
}

fn integer(value: i128, target: &NativeType) -> Result<CqlValue, Failure> {
    let overflow =
        |range: &str| Failure::new(format!("integer overflow: outside the {range} range"), value.to_string());
    Ok(match target {
        NativeType::TinyInt => CqlValue::TinyInt(i8::try_from(value).map_err(|_| overflow("tinyint (int8)"))?),
        NativeType::SmallInt => CqlValue::SmallInt(i16::try_from(value).map_err(|_| overflow("smallint (int16)"))?),
        NativeType::Int => CqlValue::Int(i32::try_from(value).map_err(|_| overflow("int (int32)"))?),
        NativeType::BigInt => CqlValue::BigInt(i64::try_from(value).map_err(|_| overflow("bigint (int64)"))?),
        NativeType::Counter => {
            CqlValue::Counter(Counter(i64::try_from(value).map_err(|_| overflow("counter (int64)"))?))
        }
        NativeType::Time => {
            let nanos = i64::try_from(value).map_err(|_| overflow("time (nanoseconds of a day)"))?;
            CqlValue::Time(text::time_from_nanos(nanos).map_err(|reason| Failure::new(reason, format!("{nanos} ns")))?)
        }
        _ => CqlValue::Varint(CqlVarint::from_signed_bytes_be(value.to_be_bytes().to_vec())),
    })
}

fn integer_reader(input: &DataType) -> Option<Read<i128>> {
    Some(match input {
        DataType::Int8 => read_int::<Int8Type>,
        DataType::Int16 => read_int::<Int16Type>,
        DataType::Int32 => read_int::<Int32Type>,
        DataType::Int64 => read_int::<Int64Type>,
        DataType::UInt8 => read_int::<UInt8Type>,
        DataType::UInt16 => read_int::<UInt16Type>,
        DataType::UInt32 => read_int::<UInt32Type>,
        DataType::UInt64 => read_int::<UInt64Type>,
        _ => return None,
    })
}

fn is_string(input: &DataType) -> bool {
    matches!(input, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

fn is_binary(input: &DataType) -> bool {
    matches!(input, DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_))
}

fn plan(input: &DataType, cql_type: &ColumnType<'_>) -> Option<Node> {
    if *input == DataType::Null {
        return Some(Node::AllNull);
    }
    match cql_type {
        ColumnType::Native(native) => plan_native(input, native),
        ColumnType::Collection { typ, .. } => match typ {
            CollectionType::List(element) => sequence(input, element, Shape::List),
            CollectionType::Set(element) => sequence(input, element, Shape::Set),
            CollectionType::Map(key, value) => {
                let (key_type, value_type) = map_field_types(input)?;
                Some(Node::Map { key: Box::new(plan(&key_type, key)?), value: Box::new(plan(&value_type, value)?) })
            }
            _ => None,
        },
        ColumnType::Vector { typ, dimensions } => sequence(input, typ, Shape::Vector(*dimensions)),
        ColumnType::UserDefinedType { definition, .. } => udt(input, definition),
        ColumnType::Tuple(elements) => {
            let DataType::Struct(fields) = input else { return None };
            if fields.len() != elements.len() {
                return None;
            }
            let nodes = fields.iter().zip(elements).map(|(f, e)| plan(f.data_type(), e)).collect::<Option<Vec<_>>>()?;
            Some(Node::Tuple(nodes))
        }
        _ => None,
    }
}

fn sequence(input: &DataType, element: &ColumnType<'_>, shape: Shape) -> Option<Node> {
    let item = match input {
        DataType::List(field) | DataType::LargeList(field) | DataType::FixedSizeList(field, _) => field.data_type(),
        _ => return None,
    };
    Some(Node::Sequence { element: Box::new(plan(item, element)?), shape })
}

/// Key and value types of an Arrow map, or of a list of two-field structs.
fn map_field_types(input: &DataType) -> Option<(DataType, DataType)> {
    let entries = match input {
        DataType::Map(field, _) => field.data_type(),
        DataType::List(field) | DataType::LargeList(field) => field.data_type(),
        _ => return None,
    };
    let DataType::Struct(fields) = entries else { return None };
    if fields.len() != 2 {
        return None;
    }
    Some((fields[0].data_type().clone(), fields[1].data_type().clone()))
}

fn udt(input: &DataType, definition: &Arc<UserDefinedType<'_>>) -> Option<Node> {
    let DataType::Struct(input_fields) = input else { return None };
    // Every input field must exist in the type; type fields absent from the input stay null.
    for field in input_fields {
        if !definition.field_types.iter().any(|(name, _)| name.eq_ignore_ascii_case(field.name())) {
            return None;
        }
    }
    let mut fields = Vec::with_capacity(definition.field_types.len());
    for (name, field_type) in &definition.field_types {
        let source = match input_fields
            .iter()
            .position(|f| f.name() == name.as_ref())
            .or_else(|| input_fields.iter().position(|f| f.name().eq_ignore_ascii_case(name)))
        {
            Some(index) => Some((index, plan(input_fields[index].data_type(), field_type)?)),
            None => None,
        };
        fields.push((name.to_string(), source));
    }
    Some(Node::Udt { keyspace: definition.keyspace.to_string(), name: definition.name.to_string(), fields })
}

fn plan_native(input: &DataType, native: &NativeType) -> Option<Node> {
    use NativeType as N;
    if let Some(read) = integer_reader(input) {
        return match native {
            // Time from an integer is nanoseconds since midnight, as the reader gives it.
            N::TinyInt | N::SmallInt | N::Int | N::BigInt | N::Counter | N::Varint | N::Time => {
                Some(Node::Integer { read, target: native.clone() })
            }
            _ => None,
        };
    }
    if is_string(input) {
        let parse: fn(&str) -> Result<CqlValue, String> = match native {
            N::Text => |s| Ok(CqlValue::Text(s.to_string())),
            N::Ascii => |s| {
                if s.is_ascii() {
                    Ok(CqlValue::Ascii(s.to_string()))
                } else {
                    Err("ascii column got non-ASCII text".into())
                }
            },
            N::Uuid => |s| text::uuid(s).map(CqlValue::Uuid),
            N::Timeuuid => |s| text::timeuuid(s).map(CqlValue::Timeuuid),
            N::Inet => |s| text::inet(s).map(CqlValue::Inet),
            N::Decimal => |s| text::decimal(s).map(CqlValue::Decimal),
            N::Varint => |s| text::varint(s).map(CqlValue::Varint),
            N::Date => |s| text::date(s).map(CqlValue::Date),
            N::Time => |s| text::time(s).map(CqlValue::Time),
            N::Timestamp => |s| text::timestamp(s).map(CqlValue::Timestamp),
            N::Duration => |s| text::duration(s).map(CqlValue::Duration),
            N::Boolean => |s| match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(CqlValue::Boolean(true)),
                "false" => Ok(CqlValue::Boolean(false)),
                _ => Err("not a boolean (expected true or false)".into()),
            },
            N::TinyInt => |s| {
                parse_int(s)
                    .and_then(|v| i8::try_from(v).map_err(|_| overflow_text("tinyint (int8)")))
                    .map(CqlValue::TinyInt)
            },
            N::SmallInt => |s| {
                parse_int(s)
                    .and_then(|v| i16::try_from(v).map_err(|_| overflow_text("smallint (int16)")))
                    .map(CqlValue::SmallInt)
            },
            N::Int => |s| {
                parse_int(s).and_then(|v| i32::try_from(v).map_err(|_| overflow_text("int (int32)"))).map(CqlValue::Int)
            },
            N::BigInt => |s| parse_int(s).map(CqlValue::BigInt),
            N::Counter => |s| parse_int(s).map(|v| CqlValue::Counter(Counter(v))),
            N::Double => |s| s.trim().parse().map(CqlValue::Double).map_err(|_| "not a number".into()),
            N::Float => |s| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|_| "not a number".into())
                    .and_then(|v| narrow_float(v).map(CqlValue::Float))
            },
            _ => return None,
        };
        return Some(Node::Text { parse });
    }
    let produce: Produce = match (input, native) {
        (DataType::Boolean, N::Boolean) => |a, r| Ok(CqlValue::Boolean(a.as_boolean().value(r))),
        (DataType::Float32, N::Float) => |a, r| Ok(CqlValue::Float(a.as_primitive::<Float32Type>().value(r))),
        (DataType::Float32, N::Double) => {
            |a, r| Ok(CqlValue::Double(f64::from(a.as_primitive::<Float32Type>().value(r))))
        }
        (DataType::Float64, N::Double) => |a, r| Ok(CqlValue::Double(a.as_primitive::<Float64Type>().value(r))),
        (DataType::Float64, N::Float) => |a, r| {
            let v = a.as_primitive::<Float64Type>().value(r);
            narrow_float(v).map(CqlValue::Float).map_err(|reason| Failure::new(reason, v.to_string()))
        },
        (DataType::Decimal128(_, _), N::Decimal) => |a, r| {
            let DataType::Decimal128(_, scale) = a.data_type() else { return Err(Failure::new("not decimal", "?")) };
            let unscaled = a.as_primitive::<Decimal128Type>().value(r);
            Ok(CqlValue::Decimal(CqlDecimal::from_signed_be_bytes_and_exponent(
                unscaled.to_be_bytes().to_vec(),
                i32::from(*scale),
            )))
        },
        (DataType::Decimal128(_, 0), N::Varint) => |a, r| {
            Ok(CqlValue::Varint(CqlVarint::from_signed_bytes_be(
                a.as_primitive::<Decimal128Type>().value(r).to_be_bytes().to_vec(),
            )))
        },
        (DataType::Decimal128(_, 0), N::TinyInt | N::SmallInt | N::Int | N::BigInt) => {
            return Some(Node::Integer {
                read: |a, r| a.as_primitive::<Decimal128Type>().value(r),
                target: native.clone(),
            })
        }
        (binary, N::Blob) if is_binary(binary) => |a, r| Ok(CqlValue::Blob(bytes_at(a, r).to_vec())),
        (DataType::FixedSizeBinary(16), N::Uuid) => |a, r| {
            Ok(CqlValue::Uuid(
                uuid::Uuid::from_slice(bytes_at(a, r))
                    .map_err(|e| Failure::new(format!("Invalid UUID ({e})"), "16 bytes"))?,
            ))
        },
        (DataType::FixedSizeBinary(16), N::Timeuuid) => |a, r| {
            let value = uuid::Uuid::from_slice(bytes_at(a, r))
                .map_err(|e| Failure::new(format!("Invalid UUID ({e})"), "16 bytes"))?;
            text::check_timeuuid(value)
                .map(CqlValue::Timeuuid)
                .map_err(|reason| Failure::new(reason, value.to_string()))
        },
        (DataType::Date32, N::Date) => |a, r| {
            let days = a.as_primitive::<Date32Type>().value(r);
            text::date_from_days(i64::from(days))
                .map(CqlValue::Date)
                .map_err(|reason| Failure::new(reason, format!("{days} days")))
        },
        (DataType::Date64, N::Date) => |a, r| {
            let millis = a.as_primitive::<Date64Type>().value(r);
            if millis % 86_400_000 != 0 {
                return Err(Failure::new("date64 value is not a whole day", format!("{millis} ms")));
            }
            text::date_from_days(millis / 86_400_000)
                .map(CqlValue::Date)
                .map_err(|reason| Failure::new(reason, format!("{millis} ms")))
        },
        (DataType::Timestamp(_, _), N::Timestamp) => {
            |a, r| timestamp_millis(a, r).map(|ms| CqlValue::Timestamp(CqlTimestamp(ms)))
        }
        (DataType::Time32(_) | DataType::Time64(_), N::Time) => |a, r| {
            let nanos = time_nanos(a, r);
            text::time_from_nanos(nanos)
                .map(CqlValue::Time)
                .map_err(|reason| Failure::new(reason, format!("{nanos} ns")))
        },
        (DataType::Duration(_), N::Duration) => |a, r| {
            let (value, per_unit) = duration_units(a, r);
            let nanoseconds =
                value.checked_mul(per_unit).ok_or_else(|| Failure::new("duration out of range", value.to_string()))?;
            Ok(CqlValue::Duration(CqlDuration { months: 0, days: 0, nanoseconds }))
        },
        (DataType::Interval(IntervalUnit::MonthDayNano), N::Duration) => |a, r| {
            let v = a.as_primitive::<IntervalMonthDayNanoType>().value(r);
            Ok(CqlValue::Duration(CqlDuration { months: v.months, days: v.days, nanoseconds: v.nanoseconds }))
        },
        (DataType::Interval(IntervalUnit::YearMonth), N::Duration) => |a, r| {
            Ok(CqlValue::Duration(CqlDuration {
                months: a.as_primitive::<IntervalYearMonthType>().value(r),
                days: 0,
                nanoseconds: 0,
            }))
        },
        (DataType::Interval(IntervalUnit::DayTime), N::Duration) => |a, r| {
            let v = a.as_primitive::<IntervalDayTimeType>().value(r);
            Ok(CqlValue::Duration(CqlDuration {
                months: 0,
                days: v.days,
                nanoseconds: i64::from(v.milliseconds) * 1_000_000,
            }))
        },
        _ => return None,
    };
    Some(Node::Scalar(produce))
}

fn parse_int(text: &str) -> Result<i64, String> {
    text.trim().parse::<i64>().map_err(|_| "not an integer in the bigint (int64) range".to_string())
}

fn overflow_text(range: &str) -> String {
    format!("integer overflow: outside the {range} range")
}

/// A double as a float, refusing finite values beyond the float range.
fn narrow_float(value: f64) -> Result<f32, String> {
    let narrowed = value as f32;
    if value.is_finite() && narrowed.is_infinite() {
        Err("outside the float (32-bit) range".into())
    } else {
        Ok(narrowed)
    }
}

fn timestamp_millis(array: &dyn Array, row: usize) -> Result<i64, Failure> {
    let DataType::Timestamp(unit, _) = array.data_type() else { return Err(Failure::new("not a timestamp", "?")) };
    let (value, per_milli) = match unit {
        TimeUnit::Second => {
            let s = array.as_primitive::<TimestampSecondType>().value(row);
            return s.checked_mul(1000).ok_or_else(|| Failure::new("timestamp out of range", s.to_string()));
        }
        TimeUnit::Millisecond => return Ok(array.as_primitive::<TimestampMillisecondType>().value(row)),
        TimeUnit::Microsecond => (array.as_primitive::<TimestampMicrosecondType>().value(row), 1_000),
        TimeUnit::Nanosecond => (array.as_primitive::<TimestampNanosecondType>().value(row), 1_000_000),
    };
    if value % per_milli != 0 {
        return Err(Failure::new(
            "timestamp has sub-millisecond precision, which CQL timestamp cannot hold (truncate it first, e.g. date_trunc('millisecond', col))",
            format!("{value} {}", if per_milli == 1_000 { "µs" } else { "ns" }),
        ));
    }
    Ok(value / per_milli)
}

fn time_nanos(array: &dyn Array, row: usize) -> i64 {
    match array.data_type() {
        DataType::Time32(TimeUnit::Second) => {
            i64::from(array.as_primitive::<Time32SecondType>().value(row)) * 1_000_000_000
        }
        DataType::Time32(_) => i64::from(array.as_primitive::<Time32MillisecondType>().value(row)) * 1_000_000,
        DataType::Time64(TimeUnit::Microsecond) => array.as_primitive::<Time64MicrosecondType>().value(row) * 1_000,
        _ => array.as_primitive::<Time64NanosecondType>().value(row),
    }
}

fn duration_units(array: &dyn Array, row: usize) -> (i64, i64) {
    match array.data_type() {
        DataType::Duration(TimeUnit::Second) => (array.as_primitive::<DurationSecondType>().value(row), 1_000_000_000),
        DataType::Duration(TimeUnit::Millisecond) => {
            (array.as_primitive::<DurationMillisecondType>().value(row), 1_000_000)
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            (array.as_primitive::<DurationMicrosecondType>().value(row), 1_000)
        }
        _ => (array.as_primitive::<DurationNanosecondType>().value(row), 1),
    }
}

#[cfg(test)]
#[path = "arrow_tests.rs"]
mod tests;
