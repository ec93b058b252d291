//! Arrow binary into CQL blob, and 16-byte fixed-size binary into uuid and timeuuid.

use arrow_array::cast::AsArray;
use arrow_array::Array;
use arrow_schema::DataType;
use scylla::cluster::metadata::NativeType;

use super::{put_bytes, Encode, Failure, Node};
use crate::convert::text;
use crate::error::ConvertErrorKind;

pub(super) fn plan(input: &DataType, native: &NativeType) -> Option<Node> {
    let encode: Encode = match (input, native) {
        (binary, NativeType::Blob) if is_binary(binary) => |a, r, out| put_bytes(out, bytes_at(a, r)),
        (DataType::FixedSizeBinary(16), NativeType::Uuid) => |a, r, out| {
            let value = uuid(a, r)?;
            put_bytes(out, value.as_bytes())
        },
        (DataType::FixedSizeBinary(16), NativeType::Timeuuid) => |a, r, out| {
            let value = uuid(a, r)?;
            text::check_timeuuid(value).map_err(|reason| Failure::new(reason, value.to_string()))?;
            put_bytes(out, value.as_bytes())
        },
        _ => return None,
    };
    Some(Node::Scalar(encode))
}

fn uuid(array: &dyn Array, row: usize) -> Result<uuid::Uuid, Failure> {
    uuid::Uuid::from_slice(bytes_at(array, row))
        .map_err(|error| Failure::new(ConvertErrorKind::InvalidUuid { error }, "16 bytes"))
}

fn is_binary(input: &DataType) -> bool {
    matches!(input, DataType::Binary | DataType::LargeBinary | DataType::BinaryView | DataType::FixedSizeBinary(_))
}

fn bytes_at(array: &dyn Array, row: usize) -> &[u8] {
    match array.data_type() {
        DataType::LargeBinary => array.as_binary::<i64>().value(row),
        DataType::BinaryView => array.as_binary_view().value(row),
        DataType::FixedSizeBinary(_) => array.as_fixed_size_binary().value(row),
        _ => array.as_binary::<i32>().value(row),
    }
}
