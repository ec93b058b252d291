//! Dropped tables and columns on the cdc node: what the log still holds of
//! them is passed over, and never hides or poses as our table's changes.

use std::time::{Duration, Instant};

use arrow_array::{Array, Int32Array, StringArray};
use pycassandra::cdc::{self, CdcSchema, ChangeOffset, ChangeReader, MutationEnvelope, Readable, Segment};
use uuid::Uuid;

use super::{cdc_keyspace, cdc_raw, cdc_session, run, CdcKeyspace, CDC_RAW};
use crate::TEST_KEYSPACE_PREFIX;

/// Our table's `(pk, v)` events from `from`, read until `wanted` arrived
/// (the commit log syncs every 10 ms; 120 s is a guard for a loaded node,
/// spent only when events are missing); and the updates passed over.
async fn events(reader: &mut ChangeReader, from: ChangeOffset, wanted: usize) -> (Vec<(i32, Option<String>)>, usize) {
    let began = Instant::now();
    let (mut events, mut unknown, mut at) = (Vec::new(), 0, from);
    while events.len() < wanted && began.elapsed() < Duration::from_secs(120) {
        let batch = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
        at = batch.next;
        unknown += batch.unknown;
        let b = &batch.events;
        let pk = b.column_by_name("pk").unwrap().as_any().downcast_ref::<Int32Array>().unwrap();
        let v = b.column_by_name("v").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
        events.extend((0..b.num_rows()).map(|i| (pk.value(i), (!v.is_null(i)).then(|| v.value(i).to_owned()))));
        if events.len() < wanted {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    (events, unknown)
}

/// The first table id of every entry of two updates from `from` on, in log order.
fn batch_orders(from: ChangeOffset) -> Vec<Uuid> {
    let mut firsts = Vec::new();
    for file in cdc::list_segments(&cdc_raw()).unwrap_or_else(|e| panic!("{e}")) {
        if file.id < from.segment {
            continue;
        }
        let (Readable::Open { offset } | Readable::Closed { offset }) = cdc::readable(&file).unwrap() else { continue };
        let log = file.log.as_ref().unwrap();
        let name = log.display().to_string();
        let bytes = std::fs::read(log).unwrap_or_else(|e| panic!("{name}: {e}"));
        let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let header = segment.descriptor().header_len;
        let start = if file.id == from.segment { from.position.max(header) } else { header };
        for entry in segment.entries_from(start, Some(offset)) {
            let envelope = MutationEnvelope::parse(&name, &entry.unwrap()).unwrap();
            if envelope.updates == 2 {
                firsts.push(envelope.table_id);
            }
        }
    }
    firsts
}

/// REVIEW's finding: a logged batch across a table dropped since and ours is
/// one mutation of two updates, and a reader that skipped it by its first
/// table id lost our update. Table ids are fixed (`WITH id`) so that the
/// node orders each batch's updates the same way every run (by a hash of the
/// ids): `first`'s update comes before ours, `last`'s after.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_logged_batch_across_a_dropped_table_and_ours_keeps_our_update() {
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let ks = format!("{TEST_KEYSPACE_PREFIX}cdc_dropped_batch");
    // The fixed ids are taken while a run's keyspace exists: one killed
    // before its guard dropped it is dropped here.
    run(&session, &format!("DROP KEYSPACE IF EXISTS {ks}")).await;
    let _keyspace = CdcKeyspace(ks.clone());
    run(
        &session,
        &format!("CREATE KEYSPACE {ks} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
    )
    .await;
    let id = |n: u8| Uuid::parse_str(&format!("00000000-0000-4000-8000-0000000000{n:02x}")).unwrap();
    let (ours, first, last) = (id(0xa1), id(0xb0), id(0xb2));
    for (table, id) in [("t", ours), ("first", first), ("last", last)] {
        let columns = if table == "t" { "v text" } else { "w text" };
        run(
            &session,
            &format!("CREATE TABLE {ks}.{table} (pk int PRIMARY KEY, {columns}) WITH cdc = true AND id = {id}"),
        )
        .await;
    }
    let _ = session.await_schema_agreement().await;
    let mut knew = ChangeReader::new(&dir, CdcSchema::load(&session, &[ks.as_str()]).await.unwrap(), ours).unwrap();
    let start = knew.latest().unwrap_or_else(|e| panic!("{e}"));
    for (pk, other) in [(1, "first"), (2, "last")] {
        run(
            &session,
            &format!(
                "BEGIN BATCH INSERT INTO {ks}.{other} (pk, w) VALUES ({pk}, 'other'); \
                 INSERT INTO {ks}.t (pk, v) VALUES ({pk}, '{other}'); APPLY BATCH"
            ),
        )
        .await;
    }
    run(&session, &format!("DROP TABLE {ks}.first")).await;
    run(&session, &format!("DROP TABLE {ks}.last")).await;
    let _ = session.await_schema_agreement().await;
    let wanted = vec![(1, Some("first".to_owned())), (2, Some("last".to_owned()))];

    // A reader whose schema had the tables keeps them across a reload.
    knew.set_schema(CdcSchema::load(&session, &[ks.as_str()]).await.unwrap()).unwrap();
    knew.skip_unknown_tables(true);
    assert_eq!(events(&mut knew, start, 2).await, (wanted.clone(), 0), "a reader that knew the dropped tables");
    let orders = batch_orders(start);
    assert_eq!(orders, [first, ours], "the node's order of the batches' updates (the test's premise)");

    // A reader whose schema never had them passes over their updates,
    // before ours (the finding) and after it.
    let mut fresh = ChangeReader::new(&dir, CdcSchema::load(&session, &[ks.as_str()]).await.unwrap(), ours).unwrap();
    assert!(fresh.read(start).is_err(), "without skip_unknown_tables an unknown table fails the read");
    fresh.skip_unknown_tables(true);
    assert_eq!(events(&mut fresh, start, 2).await, (wanted, 2), "a reader that never knew them");
}

/// A column dropped and added again: the cells written before the drop are
/// the old column's (Cassandra no longer shows them), not the new one's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cells_from_before_a_column_was_dropped_are_not_the_re_added_columns() {
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let keyspace = cdc_keyspace(&session, "cdcd").await;
    let ks = keyspace.0.clone();
    run(&session, &format!("CREATE TABLE {ks}.t (pk int PRIMARY KEY, v text) WITH cdc = true")).await;
    let _ = session.await_schema_agreement().await;
    let schema = CdcSchema::load(&session, &[ks.as_str()]).await.unwrap();
    let table = schema.table_id(&ks, "t").unwrap();
    let start = ChangeReader::new(&dir, schema, table).unwrap().latest().unwrap();
    run(&session, &format!("INSERT INTO {ks}.t (pk, v) VALUES (1, 'before the drop')")).await;
    run(&session, &format!("ALTER TABLE {ks}.t DROP v")).await;
    run(&session, &format!("ALTER TABLE {ks}.t ADD v text")).await;
    run(&session, &format!("INSERT INTO {ks}.t (pk, v) VALUES (2, 'after')")).await;
    let _ = session.await_schema_agreement().await;
    let selected: Vec<(i32, Option<String>)> = session
        .query_unpaged(format!("SELECT pk, v FROM {ks}.t"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .rows::<(i32, Option<String>)>()
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(selected.contains(&(1, None)), "the node no longer shows the old cell: {selected:?}");
    let mut reader = ChangeReader::new(&dir, CdcSchema::load(&session, &[ks.as_str()]).await.unwrap(), table).unwrap();
    let (events, _) = events(&mut reader, start, 2).await;
    assert_eq!(events, [(1, None), (2, Some("after".to_owned()))]);
}
