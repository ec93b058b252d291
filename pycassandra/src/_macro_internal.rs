//! Paths the derive's generated code uses; not an API.

pub use scylla::deserialize::row::{ColumnIterator, DeserializeRow};
pub use scylla::deserialize::value::DeserializeValue;
pub use scylla::deserialize::{DeserializationError, TypeCheckError};
pub use scylla::frame::response::result::{ColumnSpec, ColumnType, NativeType};
pub use scylla::serialize::row::{RowSerializationContext, SerializeRow};
pub use scylla::serialize::value::SerializeValue;
pub use scylla::serialize::writers::RowWriter;
pub use scylla::serialize::SerializationError;
pub use scylla::value::Counter;

pub use crate::row::{CassandraRow, ColumnCheck, CqlType};

/// A field's value into the next cell of the row.
pub fn write_cell<V: SerializeValue + ?Sized>(
    value: &V,
    columns: &[ColumnSpec<'_>],
    index: usize,
    writer: &mut RowWriter<'_>,
) -> Result<(), SerializationError> {
    let spec = columns
        .get(index)
        .ok_or_else(|| SerializationError::new(Mismatch(format!("the statement has no bind marker {index}"))))?;
    value.serialize(spec.typ(), writer.make_cell_writer()).map(|_| ())
}

/// An optional per-row setting (TTL, timestamp): `None` leaves the marker unset.
pub fn write_unset_if_none<V: SerializeValue>(
    value: &Option<V>,
    columns: &[ColumnSpec<'_>],
    index: usize,
    writer: &mut RowWriter<'_>,
) -> Result<(), SerializationError> {
    write_cell(&scylla::value::MaybeUnset::from_option(value.as_ref()), columns, index, writer)
}

/// The statement's columns must be the struct's, in order.
pub fn check_columns(specs: &[ColumnSpec<'_>], expected: &[&str]) -> Result<(), TypeCheckError> {
    let names: Vec<&str> = specs.iter().map(ColumnSpec::name).collect();
    if names == expected {
        Ok(())
    } else {
        Err(TypeCheckError::new(Mismatch(format!(
            "rows have columns ({}) but the struct reads ({})",
            names.join(", "),
            expected.join(", ")
        ))))
    }
}

/// The next column's value as `V`.
pub fn next_value<'frame, 'metadata, V: DeserializeValue<'frame, 'metadata>>(
    row: &mut ColumnIterator<'frame, 'metadata>,
) -> Result<V, DeserializationError> {
    let column = row
        .next()
        .ok_or_else(|| DeserializationError::new(Mismatch("the row has fewer columns than the struct".into())))??;
    V::deserialize(column.spec.typ(), column.slice)
}

#[derive(Debug)]
struct Mismatch(String);

impl std::fmt::Display for Mismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Mismatch {}
