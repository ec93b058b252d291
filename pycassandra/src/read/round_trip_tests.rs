//! Arrow → CQL bytes → Arrow is the identity: a column converted for writing
//! (ColumnConverter), serialized as the driver sends it, and decoded by the
//! read path's Sink comes back equal, for every pair the read path gives by
//! default and the write path accepts.

use std::sync::Arc;

use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array,
    Int8Array, StringArray, TimestampMicrosecondArray,
};
use proptest::prelude::*;
use scylla::cluster::metadata::{ColumnType, NativeType};
use scylla::serialize::value::SerializeValue;
use scylla::serialize::writers::CellWriter;

use super::Sink;
use crate::convert::ColumnConverter;

fn round_trip(array: ArrayRef, native: NativeType) -> ArrayRef {
    let cql_type = ColumnType::Native(native);
    let converter = ColumnConverter::new("c", array.data_type(), &cql_type).unwrap();
    let mut sink = Sink::new(&cql_type, array.data_type()).unwrap();
    for value in converter.convert(array.as_ref()).unwrap() {
        match value {
            None => sink.push(None).unwrap(),
            Some(value) => {
                let mut cell = Vec::new();
                value.serialize(&cql_type, CellWriter::new(&mut cell)).unwrap();
                // A cell is its length (4 bytes) and then its bytes: the Sink reads the bytes.
                sink.push(Some(&cell[4..])).unwrap();
            }
        }
    }
    sink.finish().unwrap()
}

fn assert_round_trip(array: ArrayRef, native: NativeType) {
    let back = round_trip(array.clone(), native.clone());
    assert_eq!(&*back, &*array, "{native:?}");
}

/// Floats that compare equal to themselves (NaN does not, in Arrow's equality too).
fn f32s() -> impl Strategy<Value = f32> {
    use proptest::num::f32;
    f32::NORMAL | f32::SUBNORMAL | f32::ZERO | f32::INFINITE
}

fn f64s() -> impl Strategy<Value = f64> {
    use proptest::num::f64;
    f64::NORMAL | f64::SUBNORMAL | f64::ZERO | f64::INFINITE
}

fn column<T: std::fmt::Debug>(values: impl Strategy<Value = T>) -> impl Strategy<Value = Vec<Option<T>>> {
    prop::collection::vec(prop::option::of(values), 0..20)
}

proptest! {
    #[test]
    fn integers_round_trip(
        tiny in column(any::<i8>()),
        small in column(any::<i16>()),
        int in column(any::<i32>()),
        big in column(any::<i64>()),
    ) {
        assert_round_trip(Arc::new(Int8Array::from(tiny)), NativeType::TinyInt);
        assert_round_trip(Arc::new(Int16Array::from(small)), NativeType::SmallInt);
        assert_round_trip(Arc::new(Int32Array::from(int)), NativeType::Int);
        assert_round_trip(Arc::new(Int64Array::from(big)), NativeType::BigInt);
    }

    #[test]
    fn floats_and_booleans_round_trip(
        floats in column(f32s()),
        doubles in column(f64s()),
        booleans in column(any::<bool>()),
    ) {
        assert_round_trip(Arc::new(Float32Array::from(floats)), NativeType::Float);
        assert_round_trip(Arc::new(Float64Array::from(doubles)), NativeType::Double);
        assert_round_trip(Arc::new(BooleanArray::from(booleans)), NativeType::Boolean);
    }

    #[test]
    fn text_and_bytes_round_trip(
        text in column(any::<String>()),
        ascii in column("[ -~]{0,12}"),
        blobs in column(prop::collection::vec(any::<u8>(), 0..16)),
        uuids in column(any::<u128>()),
    ) {
        assert_round_trip(Arc::new(StringArray::from(text)), NativeType::Text);
        assert_round_trip(Arc::new(StringArray::from(ascii)), NativeType::Ascii);
        let blobs: Vec<Option<&[u8]>> = blobs.iter().map(|b| b.as_deref()).collect();
        assert_round_trip(Arc::new(BinaryArray::from(blobs)), NativeType::Blob);
        // The read path spells a uuid hyphenated in lower case: text in that spelling comes back as it went.
        let uuids: Vec<Option<String>> =
            uuids.into_iter().map(|u| u.map(|u| uuid::Uuid::from_u128(u).hyphenated().to_string())).collect();
        assert_round_trip(Arc::new(StringArray::from(uuids)), NativeType::Uuid);
    }

    #[test]
    fn dates_and_timestamps_round_trip(
        days in column(any::<i32>()),
        // CQL timestamps are milliseconds: the read path's microseconds are whole milliseconds.
        millis in column(-(1i64 << 53)..(1i64 << 53)),
    ) {
        assert_round_trip(Arc::new(Date32Array::from(days)), NativeType::Date);
        let micros: Vec<Option<i64>> = millis.into_iter().map(|m| m.map(|m| m * 1000)).collect();
        assert_round_trip(
            Arc::new(TimestampMicrosecondArray::from(micros).with_timezone("UTC")),
            NativeType::Timestamp,
        );
    }
}
