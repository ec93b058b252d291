//! Arrow lists, maps and structs into CQL lists, sets, vectors, maps,
//! user-defined types and tuples. Elements are encoded by their own plans.

use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef};
use arrow_schema::DataType;

use super::{encode, is_null, Failure, Node};
use crate::error::{ConvertErrorKind, ValuePart};
use crate::vint;

pub(super) use super::nested_plan::plan;

pub(super) enum Nested {
    /// Arrow list into a CQL list, set or vector.
    Sequence { element: Box<Node>, shape: Shape },
    /// Arrow map (or list of key/value structs) into a CQL map.
    Map { key: Box<Node>, value: Box<Node> },
    /// Arrow struct into a user-defined type, fields matched by name; type
    /// fields absent from the input are null.
    Udt { fields: Vec<(String, Option<(usize, Node)>)> },
    /// Arrow struct into a tuple, fields matched by position.
    Tuple(Vec<Node>),
}

#[derive(Clone, Copy)]
pub(super) enum Shape {
    List,
    Set,
    /// Elements of a fixed size go without a length; others with an unsigned vint length.
    Vector {
        dimensions: u16,
        fixed_size: bool,
    },
}

impl Nested {
    /// Whether the value starts with an element count (list, set, map).
    pub(super) fn is_counted(&self) -> bool {
        matches!(self, Nested::Map { .. } | Nested::Sequence { shape: Shape::List | Shape::Set, .. })
    }

    pub(super) fn encode(&self, array: &dyn Array, row: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
        let start = out.len();
        out.extend_from_slice(&[0; 4]);
        match self {
            Nested::Sequence { element, shape } => {
                let items = list_values(array, row);
                match *shape {
                    Shape::List | Shape::Set => {
                        out.extend_from_slice(&count(items.len()).to_be_bytes());
                        for i in 0..items.len() {
                            element_at(element, &items, i, ValuePart::Element, out)?;
                        }
                    }
                    Shape::Vector { dimensions, fixed_size } => {
                        if items.len() != usize::from(dimensions) {
                            return Err(Failure::new(
                                ConvertErrorKind::VectorLength { expected: usize::from(dimensions), got: items.len() },
                                format!("[{} elements]", items.len()),
                            ));
                        }
                        for i in 0..items.len() {
                            let at = out.len();
                            element_at(element, &items, i, ValuePart::Element, out)?;
                            let bytes = out.split_off(at + 4);
                            out.truncate(at);
                            if !fixed_size {
                                vint::write_unsigned(bytes.len() as u64, out);
                            }
                            out.extend_from_slice(&bytes);
                        }
                    }
                }
            }
            Nested::Map { key, value } => {
                let entries = map_entries(array, row);
                let (keys, values) = (entries.column(0), entries.column(1));
                out.extend_from_slice(&count(keys.len()).to_be_bytes());
                for i in 0..keys.len() {
                    element_at(key, keys, i, ValuePart::MapKey, out)?;
                    if let Err(failure) = element_at(value, values, i, ValuePart::MapValue, out) {
                        // Keys are checked before values, as a key's error is the clearer one.
                        let mut scratch = Vec::new();
                        for later in i + 1..keys.len() {
                            element_at(key, keys, later, ValuePart::MapKey, &mut scratch)?;
                        }
                        return Err(failure);
                    }
                }
            }
            Nested::Udt { fields } => {
                let structure = array.as_struct();
                for (field, source) in fields {
                    match source {
                        Some((index, node)) => optional(node, structure.column(*index).as_ref(), row, out)
                            .map_err(|f| f.within(ValuePart::Field(field.clone())))?,
                        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                    }
                }
            }
            Nested::Tuple(nodes) => {
                let structure = array.as_struct();
                for (index, node) in nodes.iter().enumerate() {
                    optional(node, structure.column(index).as_ref(), row, out)
                        .map_err(|f| f.within(ValuePart::TupleElement(index)))?;
                }
            }
        }
        let length = i32::try_from(out.len() - start - 4)
            .map_err(|_| Failure::new(ConvertErrorKind::TooLong, "a collection"))?;
        out[start..start + 4].copy_from_slice(&length.to_be_bytes());
        Ok(())
    }
}

/// Appends item `i`; CQL collections cannot hold nulls.
fn element_at(
    node: &Node,
    items: &ArrayRef,
    i: usize,
    part: fn(usize) -> ValuePart,
    out: &mut Vec<u8>,
) -> Result<(), Failure> {
    if items.is_null(i) {
        return Err(Failure::new(ConvertErrorKind::NullInCollection { item: part(i) }, "null"));
    }
    encode(node, items.as_ref(), i, out).map_err(|f| f.within(part(i)))
}

fn optional(node: &Node, array: &dyn Array, row: usize, out: &mut Vec<u8>) -> Result<(), Failure> {
    if is_null(array, row) {
        out.extend_from_slice(&(-1i32).to_be_bytes());
        Ok(())
    } else {
        encode(node, array, row, out)
    }
}

/// An Arrow list's length always fits CQL's i32 count: its offsets are at most i64, its values in memory.
fn count(items: usize) -> i32 {
    i32::try_from(items).unwrap_or(i32::MAX)
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
