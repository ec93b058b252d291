//! Arrow integers and Decimal128 into CQL integers, varint, decimal and
//! time (nanoseconds since midnight, as the reader gives it).

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, ArrowPrimitiveType};
use arrow_schema::DataType;
use scylla::cluster::metadata::NativeType;

use super::{put, put_bytes, Failure, Node};
use crate::convert::text;
use crate::error::ConvertErrorKind;

pub(super) fn plan(input: &DataType, native: &NativeType) -> Option<Node> {
    use NativeType as N;
    if let Some(read) = reader(input) {
        return match native {
            N::TinyInt | N::SmallInt | N::Int | N::BigInt | N::Counter | N::Varint | N::Time => {
                Some(Node::Integer { read, target: native.clone() })
            }
            _ => None,
        };
    }
    match (input, native) {
        (DataType::Decimal128(_, _), N::Decimal) => Some(Node::Scalar(|a, r, out| {
            let DataType::Decimal128(_, scale) = a.data_type() else {
                return Err(Failure::new(ConvertErrorKind::Syntax { expected: "decimal" }, "?"));
            };
            let unscaled = a.as_primitive::<Decimal128Type>().value(r).to_be_bytes();
            // A decimal is its scale (4 bytes), then the unscaled value as a varint.
            out.extend_from_slice(&(4 + unscaled.len() as i32).to_be_bytes());
            out.extend_from_slice(&i32::from(*scale).to_be_bytes());
            out.extend_from_slice(&unscaled);
            Ok(())
        })),
        (DataType::Decimal128(_, 0), N::Varint) => {
            Some(Node::Scalar(|a, r, out| put_bytes(out, &a.as_primitive::<Decimal128Type>().value(r).to_be_bytes())))
        }
        (DataType::Decimal128(_, 0), N::TinyInt | N::SmallInt | N::Int | N::BigInt) => {
            Some(Node::Integer { read: |a, r| a.as_primitive::<Decimal128Type>().value(r), target: native.clone() })
        }
        _ => None,
    }
}

/// Appends `value` as `target`, refusing it outside the target's range.
pub(super) fn encode(value: i128, target: &NativeType, out: &mut Vec<u8>) -> Result<(), Failure> {
    let overflow = |range| Failure::new(ConvertErrorKind::Overflow { range }, value.to_string());
    match target {
        NativeType::TinyInt => {
            put_bytes(out, &i8::try_from(value).map_err(|_| overflow("tinyint (int8)"))?.to_be_bytes())
        }
        NativeType::SmallInt => {
            put_bytes(out, &i16::try_from(value).map_err(|_| overflow("smallint (int16)"))?.to_be_bytes())
        }
        NativeType::Int => put_bytes(out, &i32::try_from(value).map_err(|_| overflow("int (int32)"))?.to_be_bytes()),
        NativeType::BigInt => {
            put_bytes(out, &i64::try_from(value).map_err(|_| overflow("bigint (int64)"))?.to_be_bytes())
        }
        NativeType::Counter => {
            put_bytes(out, &i64::try_from(value).map_err(|_| overflow("counter (int64)"))?.to_be_bytes())
        }
        NativeType::Time => {
            let nanos = i64::try_from(value).map_err(|_| overflow("time (nanoseconds of a day)"))?;
            let time = text::time_from_nanos(nanos).map_err(|reason| Failure::new(reason, format!("{nanos} ns")))?;
            put(out, NativeType::Time, &time).map_err(|reason| Failure::new(reason, format!("{nanos} ns")))
        }
        // Varint: sixteen bytes of two's complement, as CqlVarint sends an i128.
        _ => put_bytes(out, &value.to_be_bytes()),
    }
}

fn read<A: ArrowPrimitiveType>(array: &dyn Array, row: usize) -> i128
where
    A::Native: Into<i128>,
{
    array.as_primitive::<A>().value(row).into()
}

fn reader(input: &DataType) -> Option<fn(&dyn Array, usize) -> i128> {
    Some(match input {
        DataType::Int8 => read::<Int8Type>,
        DataType::Int16 => read::<Int16Type>,
        DataType::Int32 => read::<Int32Type>,
        DataType::Int64 => read::<Int64Type>,
        DataType::UInt8 => read::<UInt8Type>,
        DataType::UInt16 => read::<UInt16Type>,
        DataType::UInt32 => read::<UInt32Type>,
        DataType::UInt64 => read::<UInt64Type>,
        _ => return None,
    })
}
