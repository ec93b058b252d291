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
//! never below the node's measure. It costs nothing beyond the encoding the
//! request sends anyway: a value's size is its encoded length.

/// Per cell: timestamp (8), TTL (4) and local deletion time (8), as 5.0's `Cell.dataSize()` counts them.
pub(crate) const CELL_OVERHEAD_BYTES: usize = 20;
/// Per element of a collection: its own cell (20) plus a cell path of up to 16 bytes (a list's timeuuid).
/// Frozen collections are one cell; counting them this way only makes batches smaller.
pub(crate) const COLLECTION_ELEMENT_OVERHEAD_BYTES: usize = 36;
/// Per row: liveness info (20), row deletion (16) and partition deletion (16), rounded up.
pub(crate) const ROW_OVERHEAD_BYTES: usize = 64;

/// The estimated size of one cell whose value is `value_bytes` long in
/// CQL's encoding (`None`: a null, which the node stores as a tombstone
/// cell), with `elements` elements if it is a list, set or map.
pub(crate) fn cell_bytes(value_bytes: Option<usize>, elements: usize) -> usize {
    match value_bytes {
        None => CELL_OVERHEAD_BYTES,
        Some(bytes) => CELL_OVERHEAD_BYTES + bytes + elements * COLLECTION_ELEMENT_OVERHEAD_BYTES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convert::ColumnConverter;
    use arrow_array::builder::{Int32Builder, Int64Builder, ListBuilder, MapBuilder, StringBuilder};
    use arrow_array::{Array, BinaryArray, StringArray};
    use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};

    /// The estimate of row 0 of `array` bound as `cql_type`.
    fn estimate(array: &dyn Array, cql_type: ColumnType<'static>) -> usize {
        let encoded = ColumnConverter::new("c", array.data_type(), &cql_type).unwrap().encode(array).unwrap();
        cell_bytes(encoded.value(0).map(<[u8]>::len), encoded.elements(0))
    }

    #[test]
    fn text_and_blobs_count_their_bytes() {
        let text = StringArray::from(vec![Some("é".repeat(10)), None]);
        assert_eq!(estimate(&text, ColumnType::Native(NativeType::Text)), 20 + 20);
        assert_eq!(estimate(&BinaryArray::from(vec![&[0u8; 2000][..]]), ColumnType::Native(NativeType::Blob)), 2020);
        assert_eq!(cell_bytes(None, 0), 20);
    }

    #[test]
    fn collections_count_each_element_as_a_cell() {
        let mut list = ListBuilder::new(Int32Builder::new());
        list.append_value([Some(1), Some(2)]);
        let list_type = ColumnType::Collection {
            frozen: false,
            typ: CollectionType::List(Box::new(ColumnType::Native(NativeType::Int))),
        };
        // 4 (count) + 2 × (4 + 4) encoded, + 2 elements × 36.
        assert_eq!(estimate(&list.finish(), list_type), 20 + 20 + 72);

        let mut map = MapBuilder::new(None, StringBuilder::new(), Int64Builder::new());
        map.keys().append_value("k");
        map.values().append_value(1);
        map.append(true).unwrap();
        let map_type = ColumnType::Collection {
            frozen: false,
            typ: CollectionType::Map(
                Box::new(ColumnType::Native(NativeType::Text)),
                Box::new(ColumnType::Native(NativeType::BigInt)),
            ),
        };
        // 4 (count) + (4 + 1) key + (4 + 8) value encoded, + 1 entry × 36.
        assert_eq!(estimate(&map.finish(), map_type), 20 + 21 + 36);
    }
}

#[cfg(test)]
mod cost {
    use super::*;
    use crate::convert::ColumnConverter;
    use arrow_array::{Array, Int32Array, StringArray};
    use scylla::cluster::metadata::{ColumnType, NativeType};

    /// A measurement, not a check: `cargo test --release -p pycassandra --lib
    /// sizing_costs -- --ignored --nocapture`. On 2026-12-01 (2 shared cores,
    /// load ~14) it printed encode 185–201 ms, size 13–18 ms; the same test
    /// before F7 printed convert 313 ms (to `CqlValue`s, which still had to be
    /// serialized) and size 7 ms.
    #[test]
    #[ignore = "a measurement; run it by name in release mode"]
    fn sizing_costs_little_next_to_conversion() {
        let rows = 1_000_000;
        let ints = Int32Array::from_iter_values(0..rows);
        let texts = StringArray::from_iter_values((0..rows).map(|i| format!("{i:0>100}")));
        let int = ColumnConverter::new("k", ints.data_type(), &ColumnType::Native(NativeType::Int)).unwrap();
        let text = ColumnConverter::new("v", texts.data_type(), &ColumnType::Native(NativeType::Text)).unwrap();
        let started = std::time::Instant::now();
        let a = int.encode(&ints).unwrap();
        let b = text.encode(&texts).unwrap();
        let encoding = started.elapsed();
        let started = std::time::Instant::now();
        let mut total = 0usize;
        for row in 0..rows as usize {
            let cell = |c: &crate::convert::EncodedColumn| cell_bytes(c.value(row).map(<[u8]>::len), c.elements(row));
            total += ROW_OVERHEAD_BYTES + cell(&a) + cell(&b);
        }
        let sizing = started.elapsed();
        eprintln!("1M rows (int, 100 B text): encode {encoding:?}, size {sizing:?} (total {total} bytes)");
    }
}
