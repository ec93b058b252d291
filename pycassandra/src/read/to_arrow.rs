//! CQL values into Arrow columns, a value at a time straight from the frame.
//! The Arrow type of each CQL type is what a Spark user expects (see
//! [`arrow_type`]); a caller may ask for another where no value can be lost.

use std::sync::Arc;

use arrow_array::{make_array, ArrayRef, BooleanArray, ListArray, MapArray, StructArray};
use arrow_buffer::{BooleanBufferBuilder, Buffer, MutableBuffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{ArrowError, DataType, Field, Fields, TimeUnit};
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};

use super::wire::{self, Cursor};
use crate::error::{DecodeErrorKind, DecodeFailure, ValuePart};

/// Arrow type of a CQL type as read by default:
///
/// | CQL | Arrow (Spark) |
/// |---|---|
/// | ascii, text, varchar | utf8 (string) |
/// | tinyint, smallint, int, bigint, counter | int8, int16, int32, int64 (byte, short, int, long) |
/// | float, double, boolean, blob | float32, float64, bool, binary |
/// | date | date32 (date) |
/// | timestamp | timestamp[us, UTC] (timestamp) |
/// | time | int64 nanoseconds since midnight (long) |
/// | uuid, timeuuid, inet | utf8, canonical text form |
/// | decimal, varint | utf8, exact decimal text (or decimal128 when asked for, if every value fits) |
/// | duration | utf8, e.g. `1mo2d3ns` |
/// | list, set, vector | list (array) |
/// | map | map (map) |
/// | tuple | struct with fields `_1`, `_2`, … |
/// | user-defined type | struct with the type's field names |
pub fn arrow_type(cql: &ColumnType<'_>) -> Option<DataType> {
    use NativeType as N;
    Some(match cql {
        ColumnType::Native(native) => match native {
            N::Ascii | N::Text | N::Uuid | N::Timeuuid | N::Inet | N::Decimal | N::Varint | N::Duration => {
                DataType::Utf8
            }
            N::TinyInt => DataType::Int8,
            N::SmallInt => DataType::Int16,
            N::Int => DataType::Int32,
            N::BigInt | N::Counter | N::Time => DataType::Int64,
            N::Float => DataType::Float32,
            N::Double => DataType::Float64,
            N::Boolean => DataType::Boolean,
            N::Blob => DataType::Binary,
            N::Date => DataType::Date32,
            N::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            _ => return None,
        },
        ColumnType::Collection { typ, .. } => match typ {
            CollectionType::List(element) | CollectionType::Set(element) => list_of(arrow_type(element)?),
            CollectionType::Map(key, value) => map_of(arrow_type(key)?, arrow_type(value)?),
            _ => return None,
        },
        ColumnType::Vector { typ, .. } => list_of(arrow_type(typ)?),
        ColumnType::Tuple(elements) => DataType::Struct(
            elements
                .iter()
                .enumerate()
                .map(|(i, e)| Some(Field::new(format!("_{}", i + 1), arrow_type(e)?, true)))
                .collect::<Option<Fields>>()?,
        ),
        ColumnType::UserDefinedType { definition, .. } => DataType::Struct(
            definition
                .field_types
                .iter()
                .map(|(name, typ)| Some(Field::new(name.to_string(), arrow_type(typ)?, true)))
                .collect::<Option<Fields>>()?,
        ),
        _ => return None,
    })
}

/// Spark's list layout: items named `element`, nullable.
fn list_of(element: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", element, true)))
}

/// Spark's map layout: `entries` of non-null `key` and nullable `value`.
fn map_of(key: DataType, value: DataType) -> DataType {
    let entries = Fields::from(vec![Field::new("key", key, false), Field::new("value", value, true)]);
    DataType::Map(Arc::new(Field::new("entries", DataType::Struct(entries), false)), false)
}

/// Writes one value's bytes into a fixed-width buffer (little-endian Arrow layout).
type FixedDecode = Box<dyn Fn(&[u8], &mut MutableBuffer) -> Result<(), DecodeErrorKind> + Send + Sync>;
/// Writes one value's text (or bytes) into a variable-width buffer.
type VariableDecode = fn(&[u8], &mut Vec<u8>) -> Result<(), DecodeErrorKind>;

/// Accumulates one Arrow column.
pub(crate) enum Sink {
    Fixed {
        data_type: DataType,
        width: usize,
        values: MutableBuffer,
        validity: NullBufferBuilder,
        decode: FixedDecode,
    },
    Boolean {
        values: BooleanBufferBuilder,
        validity: NullBufferBuilder,
    },
    Variable {
        data_type: DataType,
        offsets: Vec<i32>,
        values: Vec<u8>,
        validity: NullBufferBuilder,
        decode: VariableDecode,
    },
    List {
        field: Arc<Field>,
        offsets: Vec<i32>,
        validity: NullBufferBuilder,
        element: Box<Sink>,
        shape: Shape,
    },
    Map {
        field: Arc<Field>,
        offsets: Vec<i32>,
        validity: NullBufferBuilder,
        key: Box<Sink>,
        value: Box<Sink>,
    },
    Struct {
        fields: Fields,
        validity: NullBufferBuilder,
        children: Vec<Sink>,
    },
}

/// How a list's elements are laid out on the wire.
#[derive(Clone, Copy)]
pub(crate) enum Shape {
    /// list, set: a count, then `[bytes]` items.
    Counted,
    /// vector of a fixed-size type: `dimensions` items of `size` bytes each.
    FixedVector { dimensions: usize, size: usize },
    /// vector of a variable-size type: `dimensions` items each prefixed by an unsigned vint length.
    VariableVector { dimensions: usize },
}

impl Sink {
    /// The sink reading `cql` into `target`, or `None` when that pair cannot
    /// be read without loss.
    pub(crate) fn new(cql: &ColumnType<'_>, target: &DataType) -> Option<Sink> {
        match (cql, target) {
            (ColumnType::Native(native), _) => native_sink(native, target),
            (
                ColumnType::Collection { typ: CollectionType::List(element) | CollectionType::Set(element), .. },
                DataType::List(field),
            ) => Some(Sink::list(field, Sink::new(element, field.data_type())?, Shape::Counted)),
            (ColumnType::Vector { typ, dimensions }, DataType::List(field)) => {
                let dimensions = usize::from(*dimensions);
                let shape = match typ.type_size_for_vector() {
                    Some(size) => Shape::FixedVector { dimensions, size },
                    None => Shape::VariableVector { dimensions },
                };
                Some(Sink::list(field, Sink::new(typ, field.data_type())?, shape))
            }
            (ColumnType::Collection { typ: CollectionType::Map(key, value), .. }, DataType::Map(field, _)) => {
                let DataType::Struct(entries) = field.data_type() else { return None };
                if entries.len() != 2 {
                    return None;
                }
                Some(Sink::Map {
                    field: field.clone(),
                    offsets: vec![0],
                    validity: NullBufferBuilder::new(0),
                    key: Box::new(Sink::new(key, entries[0].data_type())?),
                    value: Box::new(Sink::new(value, entries[1].data_type())?),
                })
            }
            (ColumnType::Tuple(elements), DataType::Struct(fields)) if fields.len() == elements.len() => {
                let children = elements
                    .iter()
                    .zip(fields.iter())
                    .map(|(e, f)| Sink::new(e, f.data_type()))
                    .collect::<Option<Vec<_>>>()?;
                Some(Sink::Struct { fields: fields.clone(), validity: NullBufferBuilder::new(0), children })
            }
            (ColumnType::UserDefinedType { definition, .. }, DataType::Struct(fields)) => {
                // Fields are read in the type's order; the target must name them all, in that order.
                if fields.len() != definition.field_types.len()
                    || fields.iter().zip(&definition.field_types).any(|(f, (name, _))| f.name() != name.as_ref())
                {
                    return None;
                }
                let children = definition
                    .field_types
                    .iter()
                    .zip(fields.iter())
                    .map(|((_, typ), f)| Sink::new(typ, f.data_type()))
                    .collect::<Option<Vec<_>>>()?;
                Some(Sink::Struct { fields: fields.clone(), validity: NullBufferBuilder::new(0), children })
            }
            _ => None,
        }
    }

    fn list(field: &Arc<Field>, element: Sink, shape: Shape) -> Sink {
        Sink::List {
            field: field.clone(),
            offsets: vec![0],
            validity: NullBufferBuilder::new(0),
            element: Box::new(element),
            shape,
        }
    }

    /// Appends one value; `None` is null.
    pub(crate) fn push(&mut self, value: Option<&[u8]>) -> Result<(), DecodeFailure> {
        let bytes = match value {
            Some(bytes) if !self.reads_as_null(value) => bytes,
            _ => {
                self.push_null();
                return Ok(());
            }
        };
        match self {
            Sink::Fixed { values, validity, decode, .. } => {
                let before = values.len();
                if let Err(error) = decode(bytes, values) {
                    values.truncate(before);
                    return Err(error.into());
                }
                validity.append_non_null();
            }
            Sink::Boolean { values, validity } => {
                values.append(wire::fixed::<1>(bytes)?[0] != 0);
                validity.append_non_null();
            }
            Sink::Variable { offsets, values, validity, decode, .. } => {
                let before = values.len();
                if let Err(error) = decode(bytes, values) {
                    values.truncate(before);
                    return Err(error.into());
                }
                offsets.push(offset(values.len())?);
                validity.append_non_null();
            }
            Sink::List { offsets, validity, element, shape, .. } => {
                let mut cursor = Cursor::new(bytes);
                let count = match *shape {
                    Shape::Counted => {
                        let count = cursor.i32()?;
                        for i in 0..count.max(0) {
                            element.push(cursor.item()?).map_err(|e| e.within(ValuePart::Element(i as usize)))?;
                        }
                        count.max(0) as usize
                    }
                    Shape::FixedVector { dimensions, size } => {
                        for i in 0..dimensions {
                            element.push(Some(cursor.take(size)?)).map_err(|e| e.within(ValuePart::Element(i)))?;
                        }
                        dimensions
                    }
                    Shape::VariableVector { dimensions } => {
                        for i in 0..dimensions {
                            let length = usize::try_from(cursor.unsigned_vint()?)
                                .map_err(|_| DecodeErrorKind::ElementTooLong)?;
                            element.push(Some(cursor.take(length)?)).map_err(|e| e.within(ValuePart::Element(i)))?;
                        }
                        dimensions
                    }
                };
                let last = *offsets.last().unwrap_or(&0);
                offsets.push(last + i32::try_from(count).map_err(|_| DecodeErrorKind::TooManyElements)?);
                validity.append_non_null();
            }
            Sink::Map { offsets, validity, key, value, .. } => {
                let mut cursor = Cursor::new(bytes);
                let count = cursor.i32()?.max(0);
                for i in 0..count {
                    let item = cursor.item()?;
                    // Arrow map keys are never null; refused here, not at finish, which names no row.
                    if key.reads_as_null(item) {
                        let null_key = DecodeFailure::from(DecodeErrorKind::NullMapKey);
                        return Err(null_key.within(ValuePart::MapKey(i as usize)));
                    }
                    key.push(item).map_err(|e| e.within(ValuePart::MapKey(i as usize)))?;
                    value.push(cursor.item()?).map_err(|e| e.within(ValuePart::MapValue(i as usize)))?;
                }
                let last = *offsets.last().unwrap_or(&0);
                offsets.push(last + count);
                validity.append_non_null();
            }
            Sink::Struct { fields, validity, children } => {
                let mut cursor = Cursor::new(bytes);
                for (child, field) in children.iter_mut().zip(fields.iter()) {
                    // Values written before a field was added to the type end early: the rest are null.
                    let item = if cursor.is_empty() { None } else { cursor.item()? };
                    child.push(item).map_err(|e| e.within(ValuePart::Field(field.name().clone())))?;
                }
                validity.append_non_null();
            }
        }
        Ok(())
    }

    /// Whether `value` is appended as null: `None`, or an empty value (legal
    /// for most CQL scalars) of a fixed-width scalar or a boolean, which has
    /// nothing to show. The one home of that rule: [`push`](Self::push) and
    /// a map's key check both ask here.
    fn reads_as_null(&self, value: Option<&[u8]>) -> bool {
        match (self, value) {
            (_, None) => true,
            (Sink::Fixed { data_type, .. }, Some(bytes)) => bytes.is_empty() && !matches!(data_type, DataType::Utf8),
            (Sink::Boolean { .. }, Some(bytes)) => bytes.is_empty(),
            _ => false,
        }
    }

    fn push_null(&mut self) {
        match self {
            Sink::Fixed { width, values, validity, .. } => {
                values.resize(values.len() + *width, 0);
                validity.append_null();
            }
            Sink::Boolean { values, validity } => {
                values.append(false);
                validity.append_null();
            }
            Sink::Variable { offsets, validity, .. } | Sink::List { offsets, validity, .. } => {
                offsets.push(*offsets.last().unwrap_or(&0));
                validity.append_null();
            }
            Sink::Map { offsets, validity, .. } => {
                offsets.push(*offsets.last().unwrap_or(&0));
                validity.append_null();
            }
            Sink::Struct { validity, children, .. } => {
                for child in children {
                    child.push_null();
                }
                validity.append_null();
            }
        }
    }

    /// The column built so far; the sink starts over empty.
    pub(crate) fn finish(&mut self) -> Result<ArrayRef, ArrowError> {
        Ok(match self {
            Sink::Fixed { data_type, width, values, validity, .. } => {
                let len = values.len() / *width;
                let data = arrow_data::ArrayData::builder(data_type.clone())
                    .len(len)
                    .add_buffer(Buffer::from(std::mem::replace(values, MutableBuffer::new(0))))
                    .nulls(validity.finish())
                    .build()?;
                make_array(data)
            }
            Sink::Boolean { values, validity } => Arc::new(BooleanArray::new(values.finish(), validity.finish())),
            Sink::Variable { data_type, offsets, values, validity, .. } => {
                let offsets = std::mem::replace(offsets, vec![0]);
                let data = arrow_data::ArrayData::builder(data_type.clone())
                    .len(offsets.len() - 1)
                    .add_buffer(Buffer::from_vec(offsets))
                    .add_buffer(Buffer::from_vec(std::mem::take(values)))
                    .nulls(validity.finish())
                    .build()?;
                make_array(data)
            }
            Sink::List { field, offsets, validity, element, .. } => {
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(offsets, vec![0])));
                Arc::new(ListArray::try_new(field.clone(), offsets, element.finish()?, validity.finish())?)
            }
            Sink::Map { field, offsets, validity, key, value } => {
                let DataType::Struct(entry_fields) = field.data_type() else {
                    return Err(ArrowError::SchemaError("map entries must be a struct".into()));
                };
                let entries = StructArray::try_new(entry_fields.clone(), vec![key.finish()?, value.finish()?], None)?;
                let offsets = OffsetBuffer::new(ScalarBuffer::from(std::mem::replace(offsets, vec![0])));
                Arc::new(MapArray::try_new(field.clone(), offsets, entries, validity.finish(), false)?)
            }
            Sink::Struct { fields, validity, children } => {
                let arrays = children.iter_mut().map(Sink::finish).collect::<Result<Vec<_>, _>>()?;
                Arc::new(StructArray::try_new(fields.clone(), arrays, validity.finish())?)
            }
        })
    }
}

fn offset(length: usize) -> Result<i32, DecodeErrorKind> {
    i32::try_from(length).map_err(|_| DecodeErrorKind::PageTooLarge)
}

fn fixed_sink(data_type: DataType, width: usize, decode: FixedDecode) -> Option<Sink> {
    Some(Sink::Fixed { data_type, width, values: MutableBuffer::new(0), validity: NullBufferBuilder::new(0), decode })
}

fn variable_sink(data_type: DataType, decode: VariableDecode) -> Option<Sink> {
    Some(Sink::Variable {
        data_type,
        offsets: vec![0],
        values: Vec::new(),
        validity: NullBufferBuilder::new(0),
        decode,
    })
}

/// A big-endian signed integer of `N` bytes, widened to the `M`-byte target.
fn integer<const N: usize, const M: usize>() -> FixedDecode {
    Box::new(|bytes, out| {
        let value = wire::fixed::<N>(bytes)?;
        let fill = if value[0] & 0x80 != 0 { 0xff } else { 0 };
        let mut little = [fill; M];
        for (i, byte) in value.iter().rev().enumerate() {
            little[i] = *byte;
        }
        out.extend_from_slice(&little);
        Ok(())
    })
}

fn native_sink(native: &NativeType, target: &DataType) -> Option<Sink> {
    use NativeType as N;
    let width = |t: &DataType| t.primitive_width();
    match (native, target) {
        (N::Ascii | N::Text, DataType::Utf8) => variable_sink(DataType::Utf8, |bytes, out| {
            std::str::from_utf8(bytes).map_err(|error| DecodeErrorKind::NotUtf8 { error })?;
            out.extend_from_slice(bytes);
            Ok(())
        }),
        (N::Blob, DataType::Binary) => variable_sink(DataType::Binary, |bytes, out| {
            out.extend_from_slice(bytes);
            Ok(())
        }),
        (N::Uuid | N::Timeuuid, DataType::Utf8) => {
            variable_sink(DataType::Utf8, |bytes, out| text_into(out, |s| wire::push_uuid(bytes, s)))
        }
        (N::Inet, DataType::Utf8) => {
            variable_sink(DataType::Utf8, |bytes, out| text_into(out, |s| wire::push_inet(bytes, s)))
        }
        (N::Decimal, DataType::Utf8) => {
            variable_sink(DataType::Utf8, |bytes, out| text_into(out, |s| wire::push_decimal(bytes, s)))
        }
        (N::Duration, DataType::Utf8) => {
            variable_sink(DataType::Utf8, |bytes, out| text_into(out, |s| wire::push_duration(bytes, s)))
        }
        (N::Varint, DataType::Utf8) => variable_sink(DataType::Utf8, |bytes, out| {
            text_into(out, |s| {
                wire::push_varint(bytes, s);
                Ok(())
            })
        }),
        (N::Boolean, DataType::Boolean) => {
            Some(Sink::Boolean { values: BooleanBufferBuilder::new(0), validity: NullBufferBuilder::new(0) })
        }
        (N::TinyInt, t @ (DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64)) => {
            fixed_sink(t.clone(), width(t)?, widen::<1>(width(t)?))
        }
        (N::SmallInt, t @ (DataType::Int16 | DataType::Int32 | DataType::Int64)) => {
            fixed_sink(t.clone(), width(t)?, widen::<2>(width(t)?))
        }
        (N::Int, t @ (DataType::Int32 | DataType::Int64)) => fixed_sink(t.clone(), width(t)?, widen::<4>(width(t)?)),
        (N::BigInt | N::Counter | N::Time, DataType::Int64) => fixed_sink(DataType::Int64, 8, integer::<8, 8>()),
        (N::Time, DataType::Time64(TimeUnit::Nanosecond)) => fixed_sink(target.clone(), 8, integer::<8, 8>()),
        (N::Float, DataType::Float32) => fixed_sink(DataType::Float32, 4, reversed::<4>()),
        (N::Float, DataType::Float64) => fixed_sink(
            DataType::Float64,
            8,
            Box::new(|bytes, out| {
                out.extend_from_slice(&f64::from(f32::from_be_bytes(wire::fixed::<4>(bytes)?)).to_le_bytes());
                Ok(())
            }),
        ),
        (N::Double, DataType::Float64) => fixed_sink(DataType::Float64, 8, reversed::<8>()),
        (N::Date, DataType::Date32) => fixed_sink(
            DataType::Date32,
            4,
            Box::new(|bytes, out| {
                // CQL dates count days from 2^31 = 1970-01-01.
                let days = u32::from_be_bytes(wire::fixed::<4>(bytes)?).wrapping_sub(1 << 31) as i32;
                out.extend_from_slice(&days.to_le_bytes());
                Ok(())
            }),
        ),
        (N::Timestamp, DataType::Timestamp(TimeUnit::Microsecond, _)) => fixed_sink(
            target.clone(),
            8,
            Box::new(|bytes, out| {
                let millis = i64::from_be_bytes(wire::fixed::<8>(bytes)?);
                let micros = millis.checked_mul(1000).ok_or(DecodeErrorKind::TimestampRange { millis })?;
                out.extend_from_slice(&micros.to_le_bytes());
                Ok(())
            }),
        ),
        (N::Timestamp, DataType::Timestamp(TimeUnit::Millisecond, _)) => fixed_sink(target.clone(), 8, reversed::<8>()),
        (N::Varint, DataType::Int64) => fixed_sink(
            DataType::Int64,
            8,
            Box::new(|bytes, out| {
                let value = wire::varint_i128(bytes).and_then(|v| i64::try_from(v).ok());
                let value = value.ok_or_else(|| varint_overflow(bytes, "long (int64)"))?;
                out.extend_from_slice(&value.to_le_bytes());
                Ok(())
            }),
        ),
        (N::Varint | N::Decimal, DataType::Decimal128(precision, scale)) => {
            let (precision, scale, is_decimal) = (*precision, *scale, *native == N::Decimal);
            fixed_sink(
                target.clone(),
                16,
                Box::new(move |bytes, out| {
                    let value = decimal128(bytes, is_decimal, precision, scale)?;
                    out.extend_from_slice(&value.to_le_bytes());
                    Ok(())
                }),
            )
        }
        _ => None,
    }
}

/// A signed big-endian integer of `N` bytes, sign-extended to `width` little-endian bytes.
fn widen<const N: usize>(width: usize) -> FixedDecode {
    match width {
        1 => integer::<N, 1>(),
        2 => integer::<N, 2>(),
        4 => integer::<N, 4>(),
        _ => integer::<N, 8>(),
    }
}

/// A big-endian value of `N` bytes stored little-endian (floats, timestamps).
fn reversed<const N: usize>() -> FixedDecode {
    Box::new(|bytes, out| {
        let mut value = wire::fixed::<N>(bytes)?;
        value.reverse();
        out.extend_from_slice(&value);
        Ok(())
    })
}

fn text_into(
    out: &mut Vec<u8>,
    write: impl FnOnce(&mut String) -> Result<(), DecodeErrorKind>,
) -> Result<(), DecodeErrorKind> {
    let mut text = String::new();
    write(&mut text)?;
    out.extend_from_slice(text.as_bytes());
    Ok(())
}

fn varint_overflow(bytes: &[u8], target: &'static str) -> DecodeErrorKind {
    let mut text = String::new();
    wire::push_varint(bytes, &mut text);
    DecodeErrorKind::DoesNotFit { value: crate::error::excerpt(&text), target }
}

/// An exact decimal128 at `scale` digits, or an error when the value would be rounded or overflow.
fn decimal128(bytes: &[u8], is_decimal: bool, precision: u8, scale: i8) -> Result<i128, DecodeErrorKind> {
    let (value_scale, unscaled) = if is_decimal {
        let mut cursor = Cursor::new(bytes);
        let value_scale = cursor.i32()?;
        (value_scale, cursor.take(bytes.len() - 4)?)
    } else {
        (0, bytes)
    };
    let describe = || {
        let mut text = String::new();
        if is_decimal {
            let _ = wire::push_decimal(bytes, &mut text);
        } else {
            wire::push_varint(bytes, &mut text);
        }
        crate::error::excerpt(&text)
    };
    let lost = || DecodeErrorKind::InexactDecimal { value: describe(), precision, scale };
    let mut value = wire::varint_i128(unscaled).ok_or_else(lost)?;
    let shift = i64::from(scale) - i64::from(value_scale);
    if shift >= 0 {
        for _ in 0..shift {
            value = value.checked_mul(10).ok_or_else(lost)?;
        }
    } else {
        for _ in 0..-shift {
            if value % 10 != 0 {
                return Err(lost());
            }
            value /= 10;
        }
    }
    if value.unsigned_abs() >= 10u128.pow(u32::from(precision)) {
        return Err(lost());
    }
    Ok(value)
}

#[cfg(test)]
#[path = "to_arrow_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "round_trip_tests.rs"]
mod round_trip_tests;
