//! Arrow floats and booleans into CQL float, double and boolean.

use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type};
use arrow_schema::DataType;
use scylla::cluster::metadata::NativeType;

use super::{put_bytes, Failure, Node};
use crate::error::ConvertErrorKind;

pub(super) fn plan(input: &DataType, native: &NativeType) -> Option<Node> {
    use NativeType as N;
    Some(Node::Scalar(match (input, native) {
        (DataType::Boolean, N::Boolean) => |a, r, out| put_bytes(out, &[u8::from(a.as_boolean().value(r))]),
        (DataType::Float32, N::Float) => {
            |a, r, out| put_bytes(out, &a.as_primitive::<Float32Type>().value(r).to_be_bytes())
        }
        (DataType::Float32, N::Double) => {
            |a, r, out| put_bytes(out, &f64::from(a.as_primitive::<Float32Type>().value(r)).to_be_bytes())
        }
        (DataType::Float64, N::Double) => {
            |a, r, out| put_bytes(out, &a.as_primitive::<Float64Type>().value(r).to_be_bytes())
        }
        (DataType::Float64, N::Float) => |a, r, out| {
            let v = a.as_primitive::<Float64Type>().value(r);
            let narrowed = narrow(v).map_err(|reason| Failure::new(reason, v.to_string()))?;
            put_bytes(out, &narrowed.to_be_bytes())
        },
        _ => return None,
    }))
}

/// A double as a float, refusing finite values beyond the float range.
pub(super) fn narrow(value: f64) -> Result<f32, ConvertErrorKind> {
    let narrowed = value as f32;
    if value.is_finite() && narrowed.is_infinite() {
        Err(ConvertErrorKind::OutOfRange { what: "number", range: "the float (32-bit) range" })
    } else {
        Ok(narrowed)
    }
}
