//! How big a row is as a Cassandra node measures it, estimated from the
//! converted values, so batches can be bounded by bytes before they are sent.
//!
//! A node compares a multi-partition batch with `batch_size_warn_threshold`
//! and `batch_size_fail_threshold` by the *data size* of its mutations
//! (`Mutation.dataSize()` in 5.0: per row the clustering values, the
//! liveness info and the row deletion; per cell 8 bytes of timestamp, 4 of
//! TTL and 8 of local deletion time, plus the value and, for an element of a
//! non-frozen collection, its cell path). The partition key is not counted.
//! The estimate below counts every bound value (the partition key too), the
//! per-cell overhead for each, and a rounded-up per-row overhead, so it is
//! never below the node's measure. It costs one pass over the values already
//! converted: a string or blob is its length, nothing is serialized twice.

use scylla::value::CqlValue;

/// Per cell: timestamp (8), TTL (4) and local deletion time (8), as 5.0's `Cell.dataSize()` counts them.
pub(crate) const CELL_OVERHEAD_BYTES: usize = 20;
/// Per element of a collection: its own cell (20) plus a cell path of up to 16 bytes (a list's timeuuid).
/// Frozen collections are one cell; counting them this way only makes batches smaller.
pub(crate) const COLLECTION_ELEMENT_OVERHEAD_BYTES: usize = 36;
/// Per row: liveness info (20), row deletion (16) and partition deletion (16), rounded up.
pub(crate) const ROW_OVERHEAD_BYTES: usize = 64;

/// The estimated size of one cell holding `value` (`None`: a null, which the
/// node stores as a tombstone cell).
pub(crate) fn cell_bytes(value: Option<&CqlValue>) -> usize {
    match value {
        None => CELL_OVERHEAD_BYTES,
        Some(value) => {
            CELL_OVERHEAD_BYTES + value_bytes(value) + collection_elements(value) * COLLECTION_ELEMENT_OVERHEAD_BYTES
        }
    }
}

fn collection_elements(value: &CqlValue) -> usize {
    match value {
        CqlValue::List(items) | CqlValue::Set(items) => items.len(),
        CqlValue::Map(entries) => entries.len(),
        _ => 0,
    }
}

/// Bytes of the value in CQL's binary encoding, without its own 4-byte length.
pub(crate) fn value_bytes(value: &CqlValue) -> usize {
    match value {
        CqlValue::Ascii(text) | CqlValue::Text(text) => text.len(),
        CqlValue::Blob(bytes) => bytes.len(),
        CqlValue::Boolean(_) | CqlValue::TinyInt(_) => 1,
        CqlValue::SmallInt(_) => 2,
        CqlValue::Int(_) | CqlValue::Date(_) | CqlValue::Float(_) => 4,
        CqlValue::BigInt(_)
        | CqlValue::Counter(_)
        | CqlValue::Timestamp(_)
        | CqlValue::Time(_)
        | CqlValue::Double(_) => 8,
        CqlValue::Uuid(_) | CqlValue::Timeuuid(_) => 16,
        CqlValue::Inet(address) => {
            if address.is_ipv4() {
                4
            } else {
                16
            }
        }
        CqlValue::Varint(varint) => varint.as_signed_bytes_be_slice().len(),
        CqlValue::Decimal(decimal) => 4 + decimal.as_signed_be_bytes_slice_and_exponent().0.len(),
        // Three variable-length integers: at most 5 + 5 + 9 bytes.
        CqlValue::Duration(_) => 19,
        CqlValue::Empty => 0,
        CqlValue::List(items) | CqlValue::Set(items) | CqlValue::Vector(items) => {
            4 + items.iter().map(|item| 4 + value_bytes(item)).sum::<usize>()
        }
        CqlValue::Map(entries) => 4 + entries.iter().map(|(k, v)| 8 + value_bytes(k) + value_bytes(v)).sum::<usize>(),
        CqlValue::Tuple(items) => items.iter().map(|item| 4 + item.as_ref().map_or(0, value_bytes)).sum(),
        CqlValue::UserDefinedType { fields, .. } => {
            fields.iter().map(|(_, field)| 4 + field.as_ref().map_or(0, value_bytes)).sum()
        }
        // A kind of value added by a later driver: its debug text is no smaller than its encoding.
        other => format!("{other:?}").len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_and_blobs_count_their_bytes() {
        assert_eq!(cell_bytes(Some(&CqlValue::Text("é".repeat(10)))), 20 + 20);
        assert_eq!(cell_bytes(Some(&CqlValue::Blob(vec![0; 2000]))), 2020);
        assert_eq!(cell_bytes(None), 20);
    }

    #[test]
    fn collections_count_each_element_as_a_cell() {
        let list = CqlValue::List(vec![CqlValue::Int(1), CqlValue::Int(2)]);
        // 4 (count) + 2 × (4 + 4) encoded, + 2 elements × 36.
        assert_eq!(cell_bytes(Some(&list)), 20 + 20 + 72);
        let map = CqlValue::Map(vec![(CqlValue::Text("k".into()), CqlValue::BigInt(1))]);
        assert_eq!(value_bytes(&map), 4 + 8 + 1 + 8);
    }
}

#[cfg(test)]
mod cost {
    use super::*;
    use crate::convert::ColumnConverter;
    use arrow_array::{Array, Int32Array, StringArray};
    use scylla::cluster::metadata::{ColumnType, NativeType};

    /// A measurement, not a check: `cargo test --release -p pycassandra --lib
    /// sizing_costs -- --ignored --nocapture`. On 2026-12-01 (2 cores, load ~12)
    /// it printed convert 258 ms, size 4.9 ms: about 2.5 ns a value, 2% of
    /// the conversion it follows.
    #[test]
    #[ignore = "a measurement; run it by name in release mode"]
    fn sizing_costs_little_next_to_conversion() {
        let rows = 1_000_000;
        let ints = Int32Array::from_iter_values(0..rows);
        let texts = StringArray::from_iter_values((0..rows).map(|i| format!("{i:0>100}")));
        let int = ColumnConverter::new("k", ints.data_type(), &ColumnType::Native(NativeType::Int)).unwrap();
        let text = ColumnConverter::new("v", texts.data_type(), &ColumnType::Native(NativeType::Text)).unwrap();
        let started = std::time::Instant::now();
        let a = int.convert(&ints).unwrap();
        let b = text.convert(&texts).unwrap();
        let converting = started.elapsed();
        let started = std::time::Instant::now();
        let mut total = 0usize;
        for (x, y) in a.iter().zip(&b) {
            total += ROW_OVERHEAD_BYTES + cell_bytes(x.as_ref()) + cell_bytes(y.as_ref());
        }
        let sizing = started.elapsed();
        eprintln!("1M rows (int, 100 B text): convert {converting:?}, size {sizing:?} (total {total} bytes)");
    }
}
