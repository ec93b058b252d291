//! Arrow → CQL bytes → Arrow is the identity: a column encoded for writing
//! (ColumnConverter::encode, the bytes the writer binds) and decoded by the
//! read path's Sink comes back equal, for every pair the read path gives by
//! default and the write path accepts.

use std::sync::Arc;

use arrow_array::types::Int32Type;
use arrow_array::ListArray;
use arrow_array::{
    ArrayRef, BinaryArray, BooleanArray, Date32Array, Float32Array, Float64Array, Int16Array, Int32Array, Int64Array,
    Int8Array, StringArray, TimestampMicrosecondArray,
};
use proptest::prelude::*;
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};

use super::Sink;
use crate::convert::ColumnConverter;

fn round_trip(array: ArrayRef, cql_type: &ColumnType<'static>) -> ArrayRef {
    let converter = ColumnConverter::new("c", array.data_type(), cql_type).unwrap();
    let mut sink = Sink::new(cql_type, array.data_type()).unwrap();
    // The bytes the writer binds, cell by cell, straight from the Arrow column.
    let encoded = converter.encode(array.as_ref()).unwrap();
    for row in 0..array.len() {
        sink.push(encoded.value(row)).unwrap();
    }
    sink.finish().unwrap()
}

fn assert_round_trip(array: ArrayRef, native: NativeType) {
    assert_round_trip_as(array, ColumnType::Native(native));
}

fn assert_round_trip_as(array: ArrayRef, cql_type: ColumnType<'static>) {
    let back = round_trip(array.clone(), &cql_type);
    assert_eq!(&*back, &*array, "{cql_type:?}");
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

proptest! {
    #[test]
    fn times_addresses_and_varints_round_trip(
        nanos in column(0i64..86_400_000_000_000),
        v4 in column(any::<u32>()),
        v6 in column(any::<u128>()),
        varints in column(any::<i128>()),
    ) {
        assert_round_trip(Arc::new(Int64Array::from(nanos)), NativeType::Time);
        // The read path spells addresses as Rust does; text in that spelling comes back as it went.
        let spelled = |addresses: Vec<Option<std::net::IpAddr>>| -> Vec<Option<String>> {
            addresses.into_iter().map(|a| a.map(|a| a.to_string())).collect()
        };
        let v4 = v4.into_iter().map(|a| a.map(|a| std::net::IpAddr::from(std::net::Ipv4Addr::from(a)))).collect();
        let v6 = v6.into_iter().map(|a| a.map(|a| std::net::IpAddr::from(std::net::Ipv6Addr::from(a)))).collect();
        assert_round_trip(Arc::new(StringArray::from(spelled(v4))), NativeType::Inet);
        assert_round_trip(Arc::new(StringArray::from(spelled(v6))), NativeType::Inet);
        let varints: Vec<Option<String>> = varints.into_iter().map(|v| v.map(|v| v.to_string())).collect();
        assert_round_trip(Arc::new(StringArray::from(varints)), NativeType::Varint);
    }

    #[test]
    fn lists_round_trip(lists in column(prop::collection::vec(any::<i32>(), 0..5))) {
        // CQL lists hold no nulls; a list itself may be null.
        let lists = lists.into_iter().map(|l| l.map(|l| l.into_iter().map(Some).collect::<Vec<_>>()));
        let array = ListArray::from_iter_primitive::<Int32Type, _, _>(lists);
        let list_of_int = ColumnType::Collection {
            frozen: false,
            typ: CollectionType::List(Box::new(ColumnType::Native(NativeType::Int))),
        };
        assert_round_trip_as(Arc::new(array), list_of_int);
    }
}
