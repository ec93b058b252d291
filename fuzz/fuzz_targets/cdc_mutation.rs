//! The CDC mutation decoder on arbitrary entry bodies, against the schema of
//! the golden corpus's tables (tests/golden/cdc/mutations.txt, whose entries
//! seed fuzz/seeds/cdc_mutation/), and what it decodes made into change
//! events (the Arrow sinks on arbitrary cell bytes): a mutation or an error
//! naming the byte, never a panic or an allocation beyond the input.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use pycassandra::cdc::canonical::{render, Masks};
use pycassandra::cdc::events::{EventBuilder, Provenance};
use pycassandra::cdc::mutation::decode_skipping_unknown;
use pycassandra::cdc::{decode, CdcColumn, CdcSchema, CdcTable, DroppedColumn, Entry, Mutation};
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};

const GOLDEN: &str = include_str!("../../tests/golden/cdc/mutations.txt");

fn native(n: NativeType) -> ColumnType<'static> {
    ColumnType::Native(n)
}

fn collection(frozen: bool, typ: CollectionType<'static>) -> ColumnType<'static> {
    ColumnType::Collection { frozen, typ }
}

fn columns(list: Vec<(&str, ColumnType<'static>, bool)>) -> Vec<CdcColumn> {
    list.into_iter().map(|(name, cql_type, is_static)| CdcColumn { name: name.into(), cql_type, is_static }).collect()
}

fn key(list: Vec<(&str, NativeType)>) -> Vec<(String, ColumnType<'static>)> {
    list.into_iter().map(|(name, n)| (name.into(), native(n))).collect()
}

/// Three of the golden tables (kv, wide, coll: clustering, a composite key,
/// DESC order, a static column, every collection kind, UDTs) and a dropped
/// column on kv.
fn schema() -> &'static CdcSchema {
    static SCHEMA: OnceLock<CdcSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        use NativeType::*;
        let id = |table: &str| {
            GOLDEN
                .lines()
                .find_map(|line| line.strip_prefix(&format!("table {table} ")))
                .and_then(|id| id.parse().ok())
                .expect("a table id in mutations.txt")
        };
        let addr = Arc::new(UserDefinedType {
            name: "addr".into(),
            keyspace: "cdc_golden".into(),
            field_types: vec![("street".into(), native(Text)), ("zip".into(), native(Int))],
        });
        let udt = |frozen| ColumnType::UserDefinedType { frozen, definition: addr.clone() };
        let boxed = |t| Box::new(native(t));
        let table = |name: &str, partition_key, clustering, columns, dropped| CdcTable {
            id: id(name),
            keyspace: "cdc_golden".into(),
            table: name.into(),
            partition_key,
            clustering,
            columns,
            dropped,
        };
        let mut schema = CdcSchema::default();
        schema.add(table(
            "kv",
            key(vec![("pk", Int)]),
            key(vec![("ck", Text)]),
            columns(vec![("v", native(Text), false), ("n", native(BigInt), false)]),
            vec![DroppedColumn { name: "gone".into(), cql_type: native(Text), dropped_time: 0, is_static: false }],
        ));
        schema.add(table(
            "wide",
            key(vec![("a", Int), ("b", Text)]),
            key(vec![("c1", Int), ("c2", Text)]),
            columns(vec![("s", native(Text), true), ("v", native(Int), false)]),
            Vec::new(),
        ));
        schema.add(table(
            "coll",
            key(vec![("pk", Int)]),
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
        schema
    })
}

/// The schema without kv: its updates are unknown, to be passed over.
fn schema_without_kv() -> &'static CdcSchema {
    static SCHEMA: OnceLock<CdcSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let mut schema = schema().clone();
        schema.tables.retain(|_, table| table.table != "kv");
        schema
    })
}

fuzz_target!(|body: &[u8]| {
    let entry = Entry { section: 20, position: 28, end: 28 + 12 + body.len() as u64, body };
    // Passing over unknown updates tries places in the rest of the body.
    if let Ok((Mutation::Decoded(updates), _)) = decode_skipping_unknown("fuzz.log", &entry, schema_without_kv()) {
        assert!(updates.iter().all(|update| schema_without_kv().tables.contains_key(&update.table_id)));
    }
    let Ok(mutation) = decode("fuzz.log", &entry, schema()) else { return };
    let _ = render(&mutation, schema(), Masks::default());
    let Mutation::Decoded(updates) = mutation else { return };
    for update in &updates {
        let mut events =
            EventBuilder::new(&schema().tables[&update.table_id]).expect("the golden types have Arrow types");
        // A push refuses what the batch could not hold (a null map key, found
        // by this target); what it accepts, finish builds.
        if events.push(update, Provenance { segment: 1, position: 28 }).is_ok() {
            if let Err(error) = events.finish() {
                panic!("finish refused what push accepted: {error}");
            }
        }
    }
});
