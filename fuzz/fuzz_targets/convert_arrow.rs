//! The write path's Arrow converter on arbitrary arrays against arbitrary CQL
//! types, nested ones included: a converter is refused with an error, or it
//! converts every row or returns an error naming one; never a panic.
#![no_main]

use std::sync::Arc;

use arrow_array::{make_array, Array};
use arrow_buffer::Buffer;
use arrow_data::ArrayData;
use arrow_schema::{DataType, Field, Fields, TimeUnit};
use libfuzzer_sys::fuzz_target;
use pycassandra::convert::ColumnConverter;

#[path = "shared/cql_types.rs"]
mod cql_types;

/// Reads the fuzzer's bytes as choices; zeros once they run out.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        let Some((&first, rest)) = self.0.split_first() else { return 0 };
        self.0 = rest;
        first
    }

    /// `n` bytes, zero-filled past the end of the input.
    fn take(&mut self, n: usize) -> Vec<u8> {
        let (taken, rest) = self.0.split_at(n.min(self.0.len()));
        self.0 = rest;
        let mut out = taken.to_vec();
        out.resize(n, 0);
        out
    }
}

fn leaf_types() -> Vec<DataType> {
    vec![
        DataType::Boolean,
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Int64,
        DataType::UInt32,
        DataType::Float32,
        DataType::Float64,
        DataType::Utf8,
        DataType::LargeUtf8,
        DataType::Binary,
        DataType::FixedSizeBinary(16),
        DataType::Decimal128(12, 2),
        DataType::Decimal128(38, 0),
        DataType::Date32,
        DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
        DataType::Timestamp(TimeUnit::Nanosecond, None),
        DataType::Time64(TimeUnit::Nanosecond),
        DataType::Null,
    ]
}

/// A data type chosen by the bytes, nested at most `depth` deep.
fn data_type(bytes: &mut Bytes, depth: u8) -> DataType {
    let leaves = leaf_types();
    let choice = usize::from(bytes.byte());
    if depth == 0 || choice < leaves.len() * 2 {
        return leaves[choice % leaves.len()].clone();
    }
    let child = |bytes: &mut Bytes, name: &str| Arc::new(Field::new(name, data_type(bytes, depth - 1), true));
    match choice % 4 {
        0 => DataType::List(child(bytes, "item")),
        1 => DataType::FixedSizeList(child(bytes, "item"), i32::from(bytes.byte() % 4)),
        2 => {
            let key = Field::new("keys", data_type(bytes, 0), false);
            let value = Field::new("values", data_type(bytes, depth - 1), true);
            DataType::Map(
                Arc::new(Field::new("entries", DataType::Struct(Fields::from(vec![key, value])), false)),
                false,
            )
        }
        _ => DataType::Struct(Fields::from(
            (0..1 + bytes.byte() % 3)
                .map(|i| Field::new(format!("f{i}"), data_type(bytes, depth - 1), true))
                .collect::<Vec<_>>(),
        )),
    }
}

/// An array of `len` values of `data_type` with contents from the bytes;
/// None where Arrow itself rejects the buffers (that is Arrow's check, not ours).
fn array_data(bytes: &mut Bytes, data_type: &DataType, len: usize) -> Option<ArrayData> {
    let nulls = (bytes.byte() % 2 == 1).then(|| Buffer::from(bytes.take(len.div_ceil(8))));
    let offsets = |bytes: &mut Bytes| -> (Buffer, usize) {
        let mut ends = vec![0i32];
        for _ in 0..len {
            ends.push(ends[ends.len() - 1] + i32::from(bytes.byte() % 5));
        }
        let total = ends[len] as usize;
        (Buffer::from_vec(ends), total)
    };
    let builder = ArrayData::builder(data_type.clone()).len(len).null_bit_buffer(nulls);
    let builder = match data_type {
        DataType::Null => ArrayData::builder(DataType::Null).len(len),
        DataType::Boolean => builder.add_buffer(Buffer::from(bytes.take(len.div_ceil(8)))),
        DataType::Utf8 | DataType::Binary => {
            let (offsets, total) = offsets(bytes);
            builder.add_buffer(offsets).add_buffer(Buffer::from(bytes.take(total)))
        }
        DataType::LargeUtf8 => {
            let (offsets, total) = offsets(bytes);
            let wide: Vec<i64> = offsets.typed_data::<i32>().iter().map(|&o| i64::from(o)).collect();
            builder.add_buffer(Buffer::from_vec(wide)).add_buffer(Buffer::from(bytes.take(total)))
        }
        DataType::List(field) => {
            let (offsets, total) = offsets(bytes);
            builder.add_buffer(offsets).add_child_data(array_data(bytes, field.data_type(), total)?)
        }
        DataType::Map(entries, _) => {
            let (offsets, total) = offsets(bytes);
            builder.add_buffer(offsets).add_child_data(array_data(bytes, entries.data_type(), total)?)
        }
        DataType::FixedSizeList(field, size) => {
            builder.add_child_data(array_data(bytes, field.data_type(), len * *size as usize)?)
        }
        DataType::Struct(fields) => {
            let mut builder = builder;
            for field in fields {
                builder = builder.add_child_data(array_data(bytes, field.data_type(), len)?);
            }
            builder
        }
        primitive => {
            let width = primitive.primitive_width().unwrap_or(1);
            builder.add_buffer(Buffer::from(bytes.take(len * width)))
        }
    };
    builder.build().ok()
}

fuzz_target!(|data: &[u8]| {
    let mut bytes = Bytes(data);
    let types = cql_types::types();
    let cql = &types[usize::from(bytes.byte()) % types.len()];
    let data_type = data_type(&mut bytes, 2);
    let len = usize::from(bytes.byte() % 9);
    let Some(data) = array_data(&mut bytes, &data_type, len) else { return };
    let array = make_array(data);
    let Ok(converter) = ColumnConverter::new("c", array.data_type(), cql) else { return };
    if let Ok(values) = converter.convert(array.as_ref()) {
        assert_eq!(values.len(), array.len(), "a converted column has one value per row");
    }
});
