// The golden corpus's schema by hand: scripts/cdc_golden.py's DDL as the CDC
// decoder sees it, the table ids from mutations.txt. One copy, `include!`d by
// pycassandra/src/cdc/golden_tests.rs and fuzz/fuzz_targets/cdc_mutation.rs;
// the includer imports CdcSchema, CdcTable, CdcColumn, DroppedColumn,
// ColumnType, CollectionType, NativeType, UserDefinedType, Arc and Uuid.

/// The six golden tables of keyspace `cdc_golden`; `id` gives a table's id by name.
fn golden_schema_with(id: impl Fn(&str) -> Uuid) -> CdcSchema {
    use NativeType::*;
    let native = |n| ColumnType::Native(n);
    let boxed = |n| Box::new(ColumnType::Native(n));
    let collection = |frozen, typ| ColumnType::Collection { frozen, typ };
    let addr = Arc::new(UserDefinedType {
        name: "addr".into(),
        keyspace: "cdc_golden".into(),
        field_types: vec![("street".into(), native(Text)), ("zip".into(), native(Int))],
    });
    let udt = |frozen| ColumnType::UserDefinedType { frozen, definition: addr.clone() };
    let keys = |list: &[(&str, NativeType)]| -> Vec<(String, ColumnType<'static>)> {
        list.iter().map(|(name, n)| ((*name).to_owned(), native(n.clone()))).collect()
    };
    let columns = |list: Vec<(&str, ColumnType<'static>, bool)>| -> Vec<CdcColumn> {
        list.into_iter()
            .map(|(name, cql_type, is_static)| CdcColumn { name: name.into(), cql_type, is_static })
            .collect()
    };
    let table = |name: &str, partition_key, clustering, columns, dropped| CdcTable {
        id: id(name),
        keyspace: "cdc_golden".into(),
        table: name.into(),
        partition_key,
        clustering,
        columns,
        dropped,
        regular_header: Default::default(),
    };
    let types = [
        ("a", Ascii),
        ("bi", BigInt),
        ("bl", Blob),
        ("bo", Boolean),
        ("d", Date),
        ("de", Decimal),
        ("db", Double),
        ("du", Duration),
        ("f", Float),
        ("i", Inet),
        ("si", SmallInt),
        ("tm", Time),
        ("ts", Timestamp),
        ("tu", Timeuuid),
        ("ti", TinyInt),
        ("u", Uuid),
        ("vi", Varint),
        ("vt", Text),
    ];
    let many: Vec<String> = (0..70).map(|i| format!("c{i:02}")).collect();
    let mut schema = CdcSchema::default();
    schema.add(table(
        "kv",
        keys(&[("pk", Int)]),
        keys(&[("ck", Text)]),
        columns(vec![("v", native(Text), false), ("n", native(BigInt), false)]),
        Vec::new(),
    ));
    schema.add(table(
        "wide",
        keys(&[("a", Int), ("b", Text)]),
        keys(&[("c1", Int), ("c2", Text)]),
        columns(vec![("s", native(Text), true), ("v", native(Int), false)]),
        Vec::new(),
    ));
    schema.add(table(
        "coll",
        keys(&[("pk", Int)]),
        Vec::new(),
        columns(vec![
            ("l", collection(false, CollectionType::List(boxed(Text))), false),
            ("s", collection(false, CollectionType::Set(boxed(Int))), false),
            ("m", collection(false, CollectionType::Map(boxed(Text), boxed(Int))), false),
            ("u", udt(false), false),
            ("fl", collection(true, CollectionType::List(boxed(Int))), false),
            ("fu", udt(true), false),
            ("fm", collection(true, CollectionType::Map(boxed(Int), boxed(Text))), false),
            ("t", ColumnType::Tuple(vec![native(Int), native(Text)]), false),
            ("vec", ColumnType::Vector { typ: boxed(Float), dimensions: 3 }, false),
        ]),
        Vec::new(),
    ));
    schema.add(table(
        "types",
        keys(&[("pk", Int)]),
        Vec::new(),
        columns(types.iter().map(|(name, n)| (*name, native(n.clone()), false)).collect()),
        Vec::new(),
    ));
    schema.add(table(
        "many",
        keys(&[("pk", Int)]),
        keys(&[("ck", Int)]),
        columns(many.iter().map(|name| (name.as_str(), native(Int), false)).collect()),
        Vec::new(),
    ));
    // The drop time is after every golden write (TIMESTAMP 7000 µs).
    let gone = DroppedColumn { name: "gone".into(), cql_type: native(Text), dropped_time: i64::MAX, is_static: false };
    schema.add(table(
        "dropme",
        keys(&[("pk", Int)]),
        Vec::new(),
        columns(vec![("kept", native(Text), false)]),
        vec![gone],
    ));
    schema
}
