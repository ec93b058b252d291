//! What the decoder and the event builder pass over or refuse, on golden
//! entries: updates of tables the schema lacks, cells of a column from
//! before it was dropped and added again, a null map key.

use super::{entry, first_insert, golden_entries, golden_schema, native};
use crate::cdc::events::{EventBuilder, Provenance};
use crate::cdc::mutation::{decode, decode_skipping_unknown, Mutation};
use crate::cdc::table::{ColumnRef, DroppedColumn};
use scylla::cluster::metadata::NativeType;

/// The logged batch across kv and coll (one mutation of two updates).
fn logged_batch() -> Vec<u8> {
    let (entries, _) = golden_entries();
    entries.into_iter().find(|(cql, _)| cql.starts_with("BEGIN BATCH USING TIMESTAMP 6000")).unwrap().1
}

#[test]
fn an_unknown_table_in_a_logged_batch_is_passed_over_and_the_other_update_decoded() {
    let body = logged_batch();
    let (_, ids) = golden_entries();
    let full = golden_schema(&ids);
    let Mutation::Decoded(both) = decode("seg", &entry(&body), &full).unwrap() else { panic!() };
    let order: Vec<_> = both.iter().map(|u| u.table_id).collect();
    assert_eq!(order.len(), 2);
    // Each table unknown in turn: the first update of the entry, then the last.
    for (unknown, kept) in [(order[0], order[1]), (order[1], order[0])] {
        let mut schema = full.clone();
        schema.tables.remove(&unknown);
        let error = decode("seg", &entry(&body), &schema).unwrap_err().to_string();
        assert!(error.contains(&format!("table id {unknown} is not in the schema")), "{error}");
        let (mutation, passed) = decode_skipping_unknown("seg", &entry(&body), &schema).unwrap();
        let Mutation::Decoded(updates) = mutation else { panic!() };
        assert_eq!(passed, [unknown]);
        assert_eq!(updates.len(), 1);
        let original = both.iter().find(|u| u.table_id == kept).unwrap();
        assert_eq!(&updates[0], original, "the known update decodes as with the full schema");
    }
    // Neither known: nothing of the schema's tables follows, both passed over as one.
    let mut schema = full.clone();
    schema.tables.clear();
    let (mutation, passed) = decode_skipping_unknown("seg", &entry(&body), &schema).unwrap();
    assert_eq!((mutation, passed), (Mutation::Decoded(Vec::new()), vec![order[0]]));
}

#[test]
fn an_unknown_update_followed_by_a_known_id_that_does_not_decode_fails() {
    let body = logged_batch();
    let (_, ids) = golden_entries();
    let mut schema = golden_schema(&ids);
    let Mutation::Decoded(both) = decode("seg", &entry(&body), &schema).unwrap() else { panic!() };
    let (first, second) = (both[0].table_id, &both[1]);
    schema.tables.remove(&first);
    // The second update's partition flags (after its id, key length and key) made unknown.
    let flags = (second.position - super::BODY_AT) as usize + 16 + 1 + second.key.len();
    let mut bad = body.clone();
    bad[flags] |= 0x20;
    let error = decode_skipping_unknown("seg", &entry(&bad), &schema).unwrap_err().to_string();
    assert!(error.contains(&format!("table id {first} is not in the schema (a table dropped")), "{error}");
    assert!(error.contains("cannot be found"), "{error}");
}

#[test]
fn cells_written_before_a_column_was_dropped_and_added_again_are_the_dropped_columns() {
    // INSERT INTO kv (pk, ck, v, n) VALUES (1, 'a', 'hello', 42) USING TIMESTAMP 1000.
    let (body, mut schema, kv) = first_insert();
    let table = schema.tables.get_mut(&kv).unwrap();
    let v = table.columns.iter().position(|c| c.name == "v").unwrap();
    let dropped_at = |time| DroppedColumn {
        name: "v".into(),
        cql_type: native(NativeType::Text),
        dropped_time: time,
        is_static: false,
    };
    // Dropped at 1000 µs (and added again): the cell of 1000 is the old column's.
    table.dropped = vec![dropped_at(1000)];
    let Mutation::Decoded(updates) = decode("seg", &entry(&body), &schema).unwrap() else { panic!() };
    let crate::cdc::mutation::Unfiltered::Row(row) = &updates[0].unfiltereds[0] else { panic!() };
    let columns: Vec<ColumnRef> = row.columns.iter().map(|c| c.column).collect();
    assert!(columns.contains(&ColumnRef::Dropped(0)) && !columns.contains(&ColumnRef::Live(v)), "{columns:?}");
    let mut events = EventBuilder::new(&schema.tables[&kv]).unwrap();
    events.push(&updates[0], Provenance { segment: 1, position: 0 }).unwrap();
    let batch = events.finish().unwrap();
    assert!(arrow_array::Array::is_null(batch.column_by_name("v").unwrap(), 0), "v from before the drop");
    assert!(!arrow_array::Array::is_null(batch.column_by_name("n").unwrap(), 0));
    // Dropped before the write: the cell is the live column's.
    schema.tables.get_mut(&kv).unwrap().dropped = vec![dropped_at(999)];
    let Mutation::Decoded(updates) = decode("seg", &entry(&body), &schema).unwrap() else { panic!() };
    let crate::cdc::mutation::Unfiltered::Row(row) = &updates[0].unfiltereds[0] else { panic!() };
    assert!(row.columns.iter().any(|c| c.column == ColumnRef::Live(v)));
    assert!(!row.columns.iter().any(|c| matches!(c.column, ColumnRef::Dropped(_))));
}

#[test]
fn a_null_map_key_is_refused_by_push_naming_the_column() {
    // What the cdc_mutation fuzz target found: a frozen<map<int, text>> value
    // whose key is empty, which reads as a null int.
    let body = include_bytes!("../../../../fuzz/seeds/cdc_mutation/regression_null_map_key");
    let (_, ids) = golden_entries();
    let schema = golden_schema(&ids);
    let Mutation::Decoded(updates) = decode("seg", &entry(body), &schema).unwrap() else { panic!() };
    let mut events = EventBuilder::new(&schema.tables[&updates[0].table_id]).unwrap();
    let error = events.push(&updates[0], Provenance { segment: 1, position: 28 }).unwrap_err().to_string();
    assert!(error.contains("column fm of cdc_golden.coll: map key 0: null"), "{error}");
}
