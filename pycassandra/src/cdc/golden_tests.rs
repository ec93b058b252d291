//! The decoder on entries the real node wrote (tests/golden/cdc/mutations.txt,
//! from scripts/cdc_golden.py): each decodes, consuming every byte, to the
//! text pinned in mutations.expected. `PYCASSANDRA_BLESS=1` rewrites that
//! file after a regeneration; review its diff before committing it.

use std::path::PathBuf;
use std::sync::Arc;

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};
use uuid::Uuid;

use crate::cdc::canonical::{Masks, Renderer};
use crate::cdc::mutation::{decode, Mutation, Unfiltered};
use crate::cdc::segment::Entry;
use crate::cdc::table::{CdcColumn, CdcSchema, CdcTable, DroppedColumn};

mod lz4;
mod passed_over;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/cdc").join(name)
}

fn hex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A golden statement and the body of its entry.
pub(crate) type GoldenEntry = (String, Vec<u8>);
/// A table's name and id.
pub(crate) type TableId = (String, Uuid);

/// The golden entries, and the table ids by name.
pub(crate) fn golden_entries() -> (Vec<GoldenEntry>, Vec<TableId>) {
    golden_entries_in("mutations.txt")
}

/// The golden entries of a file in mutations.txt's form.
pub(crate) fn golden_entries_in(name: &str) -> (Vec<GoldenEntry>, Vec<TableId>) {
    let text = std::fs::read_to_string(golden(name)).unwrap();
    let (mut entries, mut ids) = (Vec::new(), Vec::new());
    let mut cql = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("table ") {
            let (name, id) = rest.split_once(' ').unwrap();
            ids.push((name.to_owned(), Uuid::parse_str(id).unwrap()));
        } else if let Some(rest) = line.strip_prefix("cql ") {
            cql = Some(rest.to_owned());
        } else if let Some(rest) = line.strip_prefix("body ") {
            entries.push((cql.take().unwrap(), hex(rest)));
        }
    }
    (entries, ids)
}

fn native(n: NativeType) -> ColumnType<'static> {
    ColumnType::Native(n)
}

/// scripts/cdc_golden.py's DDL, by hand, with the ids of `ids`.
pub(crate) fn golden_schema(ids: &[TableId]) -> CdcSchema {
    golden_schema_with(|name| ids.iter().find(|(n, _)| n == name).unwrap().1)
}

include!("../../../tests/golden/cdc/schema.rs");

fn entry(body: &[u8]) -> Entry<'_> {
    Entry { section: 20, position: 28, end: 28 + 12 + body.len() as u64, body }
}

#[test]
fn every_golden_entry_decodes_to_its_pinned_text() {
    let (entries, ids) = golden_entries();
    assert_eq!(entries.len(), 36);
    let schema = golden_schema(&ids);
    let entries: Vec<(&str, Entry<'_>)> = entries.iter().map(|(cql, body)| (cql.as_str(), entry(body))).collect();
    let text = rendered(&entries, &schema);
    let expected_path = golden("mutations.expected");
    if std::env::var_os("PYCASSANDRA_BLESS").is_some() {
        std::fs::write(&expected_path, &text).unwrap();
    }
    assert_pinned(&text);
}

/// Each statement and its entry's decoded text, as mutations.expected holds them.
fn rendered(entries: &[(&str, Entry<'_>)], schema: &CdcSchema) -> String {
    let mut renderer = Renderer::new(Masks { local_times: true, table_id: true, list_paths: true });
    let mut text = String::new();
    for (cql, entry) in entries {
        let mutation = decode("golden", entry, schema).unwrap_or_else(|e| panic!("{cql}: {e}"));
        text.push_str(&format!("cql {cql}\n"));
        text.push_str(&renderer.render(&mutation, schema));
    }
    text
}

/// `text` equals mutations.expected, line by line.
fn assert_pinned(text: &str) {
    let expected = std::fs::read_to_string(golden("mutations.expected")).unwrap();
    for (i, (got, want)) in text.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "mutations.expected line {}", i + 1);
    }
    assert_eq!(text.lines().count(), expected.lines().count());
}

#[test]
fn local_deletion_times_are_the_nodes_clock_in_seconds() {
    // Masked in the pinned text (they change with each regeneration); here
    // they must be near the day the golden entries were written.
    let (entries, ids) = golden_entries();
    let schema = golden_schema(&ids);
    let plausible = 1_764_000_000..2_000_000_000; // 2025-11 .. 2033
    let mut seen = 0;
    for (cql, body) in &entries {
        let Mutation::Decoded(updates) = decode("golden", &entry(body), &schema).unwrap() else { panic!("{cql}") };
        for update in &updates {
            let mut times: Vec<i64> = update.partition_deletion.iter().map(|d| d.local_deletion_time).collect();
            for unfiltered in &update.unfiltereds {
                match unfiltered {
                    Unfiltered::Row(row) => {
                        times.extend(row.deletion.map(|d| d.local_deletion_time));
                        times.extend(row.liveness.and_then(|l| l.ttl).map(|(_, expires)| expires));
                        for column in &row.columns {
                            times.extend(column.complex_deletion.map(|d| d.local_deletion_time));
                            times.extend(column.cells.iter().filter_map(|c| c.local_deletion_time));
                        }
                    }
                    Unfiltered::Marker(marker) => {
                        times.extend(marker.closes.iter().chain(&marker.opens).map(|d| d.local_deletion_time));
                    }
                }
            }
            for time in times {
                assert!(plausible.contains(&time), "{cql}: local time {time}");
                seen += 1;
            }
        }
    }
    assert!(seen >= 15, "{seen} local times");
}

#[test]
fn every_truncation_of_a_golden_entry_is_an_error_not_a_panic() {
    let (entries, ids) = golden_entries();
    let schema = golden_schema(&ids);
    for (cql, body) in &entries {
        for len in 0..body.len() {
            assert!(decode("golden", &entry(&body[..len]), &schema).is_err(), "{cql}: {len} bytes decoded");
        }
        let mut longer = body.clone();
        longer.push(0);
        let error = decode("golden", &entry(&longer), &schema).unwrap_err().to_string();
        assert!(error.contains("after the mutation's last partition update"), "{cql}: {error}");
    }
}

/// The first golden entry (`INSERT INTO kv ... (1, 'a', 'hello', 42)`), its
/// table's schema, and the entry's file offset of body byte 0.
fn first_insert() -> (Vec<u8>, CdcSchema, Uuid) {
    let (entries, ids) = golden_entries();
    let kv = ids.iter().find(|(n, _)| n == "kv").unwrap().1;
    (entries[0].1.clone(), golden_schema(&ids), kv)
}

const BODY_AT: u64 = 28 + 8;

#[test]
fn a_table_id_not_in_the_schema_fails_closed_and_a_known_other_is_skipped() {
    let (body, mut schema, kv) = first_insert();
    let table = schema.tables.remove(&kv).unwrap();
    let error = decode("seg", &entry(&body), &schema).unwrap_err().to_string();
    assert!(error.contains(&format!("seg: at byte {}: table id {kv} is not in the schema", BODY_AT + 1)), "{error}");
    schema.others.insert(kv, ("other_ks".into(), "t".into()));
    let Mutation::Skipped(skipped) = decode("seg", &entry(&body), &schema).unwrap() else { panic!() };
    assert_eq!((skipped.keyspace.as_str(), skipped.table_id), ("other_ks", kv));
    schema.add(table);
    assert!(matches!(decode("seg", &entry(&body), &schema).unwrap(), Mutation::Decoded(_)));
}

#[test]
fn a_column_the_table_does_not_have_fails_closed_naming_it() {
    let (body, mut schema, kv) = first_insert();
    schema.tables.get_mut(&kv).unwrap().columns.retain(|c| c.name != "n");
    let error = decode("seg", &entry(&body), &schema).unwrap_err().to_string();
    // Flags at 22, then the minimum timestamp (1000 µs is before the 2015
    // epoch: a 9-byte "negative" delta), ldt and TTL, column count at 34,
    // the first name's length at 35 and the name at 36.
    assert!(
        error.contains(&format!("at byte {}: regular column \"n\" is not in cdc_golden.kv", BODY_AT + 36)),
        "{error}"
    );
}

#[test]
fn unknown_flag_bits_fail_closed() {
    let (body, schema, _) = first_insert();
    // Partition flags at body byte 22 (count, id, key length, 4-byte key).
    assert_eq!(body[22], 0x10);
    let mut bad = body.clone();
    bad[22] |= 0x20;
    let error = decode("seg", &entry(&bad), &schema).unwrap_err().to_string();
    assert!(error.contains(&format!("at byte {}: unsupported partition flags 0x30", BODY_AT + 22)), "{error}");
    // Row flags follow the header and the row estimate: 0x24 (timestamp, all columns).
    let row = body.windows(2).position(|w| w == [0x01, 0x24]).unwrap() + 1;
    let mut bad = body.clone();
    bad[row] = 0xA4; // the extension flag, then an extended flags byte
    bad.insert(row + 1, 0x02);
    let error = decode("seg", &entry(&bad), &schema).unwrap_err().to_string();
    assert!(error.contains("unsupported shadowable row deletion"), "{error}");
}

#[test]
fn a_counter_table_fails_closed() {
    let (body, mut schema, kv) = first_insert();
    schema.tables.get_mut(&kv).unwrap().columns[0].cql_type = native(NativeType::Counter);
    let error = decode("seg", &entry(&body), &schema).unwrap_err().to_string();
    assert!(error.contains("unsupported counter table cdc_golden.kv"), "{error}");
}

/// The golden entries' events for one table.
fn golden_events(table: &str) -> arrow_array::RecordBatch {
    let (entries, ids) = golden_entries();
    let schema = golden_schema(&ids);
    let id = ids.iter().find(|(n, _)| n == table).unwrap().1;
    let mut builder = crate::cdc::events::EventBuilder::new(&schema.tables[&id]).unwrap();
    for (i, (cql, body)) in entries.iter().enumerate() {
        let Mutation::Decoded(updates) = decode("golden", &entry(body), &schema).unwrap() else { panic!("{cql}") };
        for update in updates.iter().filter(|u| u.table_id == id) {
            let from = crate::cdc::events::Provenance { segment: 7, position: i as u64 };
            builder.push(update, from).unwrap_or_else(|e| panic!("{cql}: {e}"));
        }
    }
    builder.finish().unwrap()
}

fn column<'b, T: 'static>(batch: &'b arrow_array::RecordBatch, name: &str) -> &'b T {
    batch.column_by_name(name).unwrap_or_else(|| panic!("{name}")).as_any().downcast_ref::<T>().unwrap()
}

#[test]
fn the_golden_kv_statements_are_these_events() {
    use arrow_array::{Array, BooleanArray, Int32Array, Int64Array, Int8Array, StringArray};
    let batch = golden_events("kv");
    let operations: Vec<i8> = column::<Int8Array>(&batch, "_cdc_operation").values().to_vec();
    // insert, 3 updates, row delete, partition delete, two ranges, TTL insert
    // and update, key-only insert, a batch of two updates, the logged batch.
    assert_eq!(operations, [2, 1, 1, 1, 3, 4, 6, 7, 5, 7, 2, 1, 2, 1, 1, 2]);
    let pk = column::<Int32Array>(&batch, "pk");
    let ck = column::<StringArray>(&batch, "ck");
    let v = column::<StringArray>(&batch, "v");
    let n = column::<Int64Array>(&batch, "n");
    assert_eq!((pk.value(0), ck.value(0), v.value(0), n.value(0)), (1, "a", "hello", 42));
    assert!(v.is_null(2) && n.is_null(2), "DELETE n writes no value");
    let deleted_n = column::<BooleanArray>(&batch, "_cdc_deleted_n");
    let deleted_v = column::<BooleanArray>(&batch, "_cdc_deleted_v");
    assert!(deleted_n.value(2) && !deleted_v.value(2));
    assert!(deleted_v.value(3) && !deleted_n.value(3));
    assert!(ck.is_null(5), "a partition deletion has no clustering");
    assert_eq!((ck.value(6), ck.value(7)), ("b", "d"));
    assert!(ck.is_null(9), "the open end of ck >= 'x'");
    assert_eq!(ck.value(12), "", "the empty clustering value is not null");
    let time = column::<arrow_array::TimestampMicrosecondArray>(&batch, "_cdc_time");
    let times: Vec<i64> = (0..batch.num_rows()).map(|i| time.value(i)).collect();
    assert_eq!(times, [1000, 1001, 1002, 1003, 1004, 1005, 1006, 1006, 1007, 1007, 1008, 1009, 1010, 1011, 1011, 6000]);
    let ttl = column::<Int64Array>(&batch, "_cdc_ttl");
    assert_eq!((ttl.value(10), ttl.value(11)), (3600, 60));
    assert!(ttl.is_null(0));
    // Expiry: the node's clock at the write plus the TTL, in µs.
    let expires = column::<arrow_array::TimestampMicrosecondArray>(&batch, "_cdc_expires_at");
    assert!(expires.is_null(0) && expires.is_null(1));
    let (insert_expires, update_expires) = (expires.value(10) / 1_000_000, expires.value(11) / 1_000_000);
    assert!((1_764_000_000..2_000_000_000).contains(&insert_expires), "{insert_expires}");
    // Written right after each other: 3600 s and 60 s from (nearly) the same now.
    assert!((3530..=3545).contains(&(insert_expires - update_expires)), "{insert_expires} {update_expires}");
    let seq = column::<Int32Array>(&batch, "_cdc_batch_seq_no");
    assert_eq!((seq.value(6), seq.value(7), seq.value(13), seq.value(14)), (0, 1, 0, 1));
    let change_id = column::<arrow_array::FixedSizeBinaryArray>(&batch, "_cdc_change_id");
    assert_eq!(change_id.value(6), change_id.value(7), "one update, one change id");
    assert_ne!(change_id.value(0), change_id.value(1));
}

#[test]
fn the_golden_wide_statements_are_these_events() {
    use arrow_array::{Array, Int32Array, Int8Array, StringArray};
    let batch = golden_events("wide");
    let operations: Vec<i8> = column::<Int8Array>(&batch, "_cdc_operation").values().to_vec();
    // The INSERT is a static-row update and a row insert; the static
    // update; two ranges (a clustering prefix, then DESC bounds); the static
    // cell delete; a row delete.
    assert_eq!(operations, [1, 2, 1, 5, 7, 6, 8, 1, 3]);
    let (a, b) = (column::<Int32Array>(&batch, "a"), column::<StringArray>(&batch, "b"));
    assert!((0..batch.num_rows()).all(|i| a.value(i) == 1 && b.value(i) == "x"), "the composite key split");
    let (c1, s) = (column::<Int32Array>(&batch, "c1"), column::<StringArray>(&batch, "s"));
    assert!(c1.is_null(0) && s.value(0) == "st", "the static row has no clustering");
    assert!(s.is_null(1) && c1.value(1) == 10);
    assert_eq!((c1.value(5), c1.value(6)), (20, 5), "DESC: the range starts at the larger bound");
    let deleted_s = column::<arrow_array::BooleanArray>(&batch, "_cdc_deleted_s");
    assert!(deleted_s.value(7) && !deleted_s.value(0));
}

#[test]
fn the_golden_collection_statements_carry_their_values_and_removals() {
    use arrow_array::{Array, BooleanArray, Int8Array, ListArray, MapArray, StringArray, StructArray};
    let batch = golden_events("coll");
    let operations: Vec<i8> = column::<Int8Array>(&batch, "_cdc_operation").values().to_vec();
    assert_eq!(operations, [2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 1]);
    let l = column::<ListArray>(&batch, "l");
    let first = l.value(0);
    let first = first.as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!((first.value(0), first.value(1)), ("a", "b"));
    let m = column::<MapArray>(&batch, "m");
    assert_eq!(m.value_length(0), 1);
    let u = column::<StructArray>(&batch, "u");
    let street = u.column(0).as_any().downcast_ref::<StringArray>().unwrap();
    assert_eq!(street.value(0), "main");
    // s = s - {1}: no value, the element 1 (int, 4 bytes) removed.
    let s = column::<ListArray>(&batch, "s");
    assert!(s.is_null(2));
    let removed = column::<ListArray>(&batch, "_cdc_deleted_elements_s");
    let removed_2 = removed.value(2);
    let removed_2 = removed_2.as_any().downcast_ref::<arrow_array::BinaryArray>().unwrap();
    assert_eq!(removed_2.value(0), 1i32.to_be_bytes());
    assert!(removed.is_null(0));
    // u.zip = 9: the street not written (null), zip 9.
    let zip = u.column(1).as_any().downcast_ref::<arrow_array::Int32Array>().unwrap();
    assert!(street.is_null(4) && zip.value(4) == 9);
    // DELETE l, SET m = {...}: the whole collection deleted; the INSERT overwrote too.
    let deleted_l = column::<BooleanArray>(&batch, "_cdc_deleted_l");
    let deleted_m = column::<BooleanArray>(&batch, "_cdc_deleted_m");
    assert!(deleted_l.value(6) && deleted_m.value(7) && deleted_l.value(0));
    assert!(!deleted_l.value(1), "l = l + [...] deletes nothing");
    let vec = column::<ListArray>(&batch, "vec");
    assert_eq!(vec.value_length(0), 3);
}
