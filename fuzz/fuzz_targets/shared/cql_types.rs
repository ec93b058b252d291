//! The CQL types the fuzz targets try: every scalar, and nested collections,
//! tuples, vectors and a user-defined type.

use std::borrow::Cow;
use std::sync::Arc;

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};

fn native(n: NativeType) -> ColumnType<'static> {
    ColumnType::Native(n)
}

pub fn types() -> Vec<ColumnType<'static>> {
    use NativeType as N;
    let scalars = [
        N::Ascii,
        N::Boolean,
        N::Blob,
        N::Counter,
        N::Date,
        N::Decimal,
        N::Double,
        N::Duration,
        N::Float,
        N::Int,
        N::BigInt,
        N::Text,
        N::Timestamp,
        N::Inet,
        N::SmallInt,
        N::TinyInt,
        N::Time,
        N::Timeuuid,
        N::Uuid,
        N::Varint,
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
