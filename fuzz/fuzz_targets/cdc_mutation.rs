//! The CDC mutation decoder on arbitrary entry bodies, against the schema of
//! the golden corpus's tables (tests/golden/cdc/schema.rs, shared with the
//! golden unit tests; mutations.txt's entries seed fuzz/seeds/cdc_mutation/),
//! and what it decodes made into change events (the Arrow sinks on arbitrary
//! cell bytes): a mutation or an error naming the byte, never a panic or an
//! allocation beyond the input.
#![no_main]

use std::sync::{Arc, OnceLock};

use libfuzzer_sys::fuzz_target;
use pycassandra::cdc::canonical::{render, Masks};
use pycassandra::cdc::events::{EventBuilder, Provenance};
use pycassandra::cdc::mutation::decode_skipping_unknown;
use pycassandra::cdc::{decode, CdcColumn, CdcSchema, CdcTable, DroppedColumn, Entry, Mutation};
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};
use uuid::Uuid;

const GOLDEN: &str = include_str!("../../tests/golden/cdc/mutations.txt");

include!("../../tests/golden/cdc/schema.rs");

/// The golden tables (clustering, a composite key, DESC order, a static
/// column, every collection kind, UDTs, every native type, a dropped column)
/// with the ids of mutations.txt.
fn schema() -> &'static CdcSchema {
    static SCHEMA: OnceLock<CdcSchema> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        golden_schema_with(|table| {
            GOLDEN
                .lines()
                .find_map(|line| line.strip_prefix(&format!("table {table} ")))
                .and_then(|id| id.parse().ok())
                .expect("a table id in mutations.txt")
        })
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
