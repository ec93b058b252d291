//! The read path's decoder on arbitrary bytes as a node might send them, for
//! scalar and nested CQL types: an Arrow array or an error, never a panic.
#![no_main]

use std::borrow::Cow;
use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use pycassandra::read::decode_values;
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};

fn native(n: NativeType) -> ColumnType<'static> {
    ColumnType::Native(n)
}

fn types() -> Vec<ColumnType<'static>> {
    use NativeType as N;
    let scalars = [
        N::Ascii, N::Boolean, N::Blob, N::Counter, N::Date, N::Decimal, N::Double, N::Duration, N::Float, N::Int,
        N::BigInt, N::Text, N::Timestamp, N::Inet, N::SmallInt, N::TinyInt, N::Time, N::Timeuuid, N::Uuid, N::Varint,
    ];
    let mut types: Vec<ColumnType<'static>> = scalars.into_iter().map(native).collect();
    let list = |e| ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(e)) };
    let set = |e| ColumnType::Collection { frozen: true, typ: CollectionType::Set(Box::new(e)) };
    let map = |k, v| ColumnType::Collection { frozen: false, typ: CollectionType::Map(Box::new(k), Box::new(v)) };
    types.push(list(native(N::Int)));
    types.push(set(native(N::Text)));
    types.push(map(native(N::Text), list(native(N::Decimal))));
    types.push(ColumnType::Tuple(vec![native(N::Int), native(N::Varint), native(N::Duration)]));
    types.push(ColumnType::Vector { typ: Box::new(native(N::Float)), dimensions: 3 });
    types.push(ColumnType::Vector { typ: Box::new(native(N::Text)), dimensions: 2 });
    types.push(ColumnType::UserDefinedType {
        frozen: true,
        definition: Arc::new(UserDefinedType {
            name: Cow::Borrowed("address"),
            keyspace: Cow::Borrowed("ks"),
            field_types: vec![(Cow::Borrowed("street"), native(N::Text)), (Cow::Borrowed("inet"), native(N::Inet))],
        }),
    });
    types
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let types = types();
    let cql = &types[usize::from(selector) % types.len()];
    // The rest is up to four values separated by 0xfe bytes; a value that is exactly 0xff is null.
    let values: Vec<Option<&[u8]>> = rest.split(|b| *b == 0xfe).take(4).map(|v| if v == [0xff] { None } else { Some(v) }).collect();
    let _ = decode_values(cql, &values);
});
