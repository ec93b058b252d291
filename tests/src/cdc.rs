//! The CDC reader's first layer against a real node: scripts/cassandra's
//! `cdc` profile (127.0.0.16:9042, `cdc_enabled`, 1 MiB segments, group sync
//! every 10 ms; started by scripts/test). `PYCASSANDRA_CDC_HOST` and
//! `PYCASSANDRA_CDC_PORT` name another node, `PYCASSANDRA_CDC_RAW` its
//! `cdc_raw` directory (default: the profile's, from `scripts/cassandra env`).
//! The test fails, never skips, when the node is not up.
//!
//! It writes inserts, updates, row and partition deletes to a fresh table
//! `WITH cdc = true`, more than one segment's worth, and checks that walking
//! every segment up to its `_cdc.idx` offset finds each write exactly once
//! (one mutation, one entry, per single-partition statement), with every CRC
//! valid. Then, as the consumer of the node's CDC data, it deletes the
//! `COMPLETED` segments it walked, so that runs do not fill `cdc_total_space`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pycassandra::cdc::canonical::{Masks, Renderer};
use pycassandra::cdc::{
    self, CdcIndex, CdcSchema, ChangeBatch, ChangeOffset, ChangeReader, Mutation, MutationEnvelope, Readable, Segment,
    StopReason,
};
use pycassandra::ConnectionOptions;
use scylla::client::session::Session;
use uuid::Uuid;

use crate::TEST_KEYSPACE_PREFIX;

mod dropped;
mod lz4_oracle;
mod oracle;

fn cdc_node() -> String {
    let host = std::env::var("PYCASSANDRA_CDC_HOST").unwrap_or_else(|_| "127.0.0.16".into());
    let port = std::env::var("PYCASSANDRA_CDC_PORT").unwrap_or_else(|_| "9042".into());
    format!("{host}:{port}")
}

fn cdc_raw() -> PathBuf {
    if let Ok(dir) = std::env::var("PYCASSANDRA_CDC_RAW") {
        return PathBuf::from(dir);
    }
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/cassandra");
    let output = Command::new(&script)
        .args(["env", "--profile", "cdc"])
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    assert!(
        output.status.success(),
        "scripts/cassandra env --profile cdc: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let node_dir = text
        .lines()
        .find_map(|line| line.strip_prefix("PYCASSANDRA_NODE_DIR="))
        .unwrap_or_else(|| panic!("no PYCASSANDRA_NODE_DIR in: {text}"));
    PathBuf::from(node_dir).join("cdc_raw")
}

async fn cdc_session() -> Arc<Session> {
    match pycassandra::session::connect(&ConnectionOptions::new([cdc_node()])).await {
        Ok(session) => session,
        Err(error) => panic!(
            "no Cassandra node answers at {} ({error}); start it with `scripts/cassandra start --profile cdc`",
            cdc_node()
        ),
    }
}

/// Drops the test keyspace on the cdc node, also when the test panics.
struct CdcKeyspace(String);

/// A fresh keyspace on the cdc node, `<prefix><tag>_<random>`: each test owns
/// its own, dropped with the guard.
async fn cdc_keyspace(session: &Session, tag: &str) -> CdcKeyspace {
    let keyspace = CdcKeyspace(format!("{TEST_KEYSPACE_PREFIX}{tag}_{}", &Uuid::new_v4().simple().to_string()[..16]));
    let cql = format!(
        "CREATE KEYSPACE {} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}",
        keyspace.0
    );
    run(session, &cql).await;
    keyspace
}

impl Drop for CdcKeyspace {
    fn drop(&mut self) {
        let cql = format!("DROP KEYSPACE IF EXISTS {}", self.0);
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let options = ConnectionOptions::new([cdc_node()]);
                let session = pycassandra::session::connect(&options).await.map_err(|e| e.to_string())?;
                session.query_unpaged(cql, ()).await.map_err(|e| e.to_string())?;
                Ok(())
            })
        })
        .join();
        if !matches!(outcome, Ok(Ok(()))) {
            eprintln!("test keyspace {} was not dropped on the cdc node: {outcome:?}", self.0);
        }
    }
}

/// The tests of this file one at a time: the first deletes the COMPLETED
/// segments it read, which may hold the other's entries.
static CDC_RAW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn run(session: &Session, cql: &str) {
    if let Err(error) = session.query_unpaged(cql, ()).await {
        panic!("{cql}: {error}");
    }
}

/// What a walk of the whole directory found.
#[derive(Debug, Default)]
struct Walked {
    /// Entries of every table.
    entries: usize,
    /// Entries of the test table, by partition key (an int).
    ours: BTreeMap<i32, usize>,
    /// Our entries in segments whose idx said COMPLETED.
    ours_in_completed: usize,
    /// The COMPLETED segments walked: (.log, .idx).
    completed: Vec<(PathBuf, PathBuf)>,
}

fn walk_directory(dir: &std::path::Path, table: Uuid) -> Walked {
    let mut walked = Walked::default();
    let segments = cdc::list_segments(dir).unwrap_or_else(|e| panic!("{e}"));
    for file in segments {
        let (Some(log), Some(idx_path)) = (&file.log, &file.idx) else {
            // No idx: no CDC data yet (or ever, when a higher segment has one).
            continue;
        };
        let Some(CdcIndex { offset, completed }) = cdc::idx::read(idx_path).unwrap_or_else(|e| panic!("{e}")) else {
            continue; // being rewritten
        };
        let name = log.display().to_string();
        let bytes = std::fs::read(log).unwrap_or_else(|e| panic!("{name}: {e}"));
        let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(segment.descriptor().id, file.id);
        let mut entries = segment.entries(Some(offset));
        for entry in entries.by_ref() {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            assert!(entry.end <= offset, "{name}: entry at {} ends past the idx offset {offset}", entry.position);
            walked.entries += 1;
            let envelope = MutationEnvelope::parse(&name, &entry).unwrap_or_else(|e| panic!("{e}"));
            if envelope.table_id == table {
                assert_eq!(envelope.updates, 1, "{name}: entry at {}", entry.position);
                let key: [u8; 4] = envelope.partition_key.try_into().unwrap_or_else(|_| {
                    panic!("{name}: key of {} bytes at {}", envelope.partition_key.len(), entry.position)
                });
                *walked.ours.entry(i32::from_be_bytes(key)).or_default() += 1;
                if completed {
                    walked.ours_in_completed += 1;
                }
            }
        }
        // The idx offset is a section end, so the walk reaches it exactly.
        assert_eq!(entries.stopped(), Some(StopReason::Limit), "{name}: walk to {offset} stopped early");
        assert_eq!(entries.position(), offset, "{name}");
        if completed {
            walked.completed.push((log.clone(), idx_path.clone()));
        }
    }
    walked
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_write_to_a_cdc_table_is_one_entry_with_valid_crcs_in_cdc_raw() {
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    assert!(dir.is_dir(), "{} is not a directory: is this the cdc node's cdc_raw?", dir.display());
    let keyspace = cdc_keyspace(&session, "cdc").await;
    let ks = &keyspace.0;
    run(&session, &format!("CREATE TABLE {ks}.t (pk int, ck int, v text, PRIMARY KEY (pk, ck)) WITH cdc = true")).await;
    let _ = session.await_schema_agreement().await;
    let rows = session
        .query_unpaged("SELECT id, cdc FROM system_schema.tables WHERE keyspace_name = ? AND table_name = 't'", (ks,))
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    let (table, flag): (Uuid, bool) = rows.single_row().unwrap();
    assert!(flag, "{ks}.t has cdc = false");

    // 300 inserts of 4 KB (about 1.2 MiB: more than one 1 MiB segment), 50
    // updates, 50 row deletes, 10 partition deletes: one partition each.
    let value = "x".repeat(4000);
    let insert = session.prepare(format!("INSERT INTO {ks}.t (pk, ck, v) VALUES (?, 0, ?)")).await.unwrap();
    let update = session.prepare(format!("UPDATE {ks}.t SET v = 'u' WHERE pk = ? AND ck = 0")).await.unwrap();
    let delete_row = session.prepare(format!("DELETE FROM {ks}.t WHERE pk = ? AND ck = 0")).await.unwrap();
    let delete_partition = session.prepare(format!("DELETE FROM {ks}.t WHERE pk = ?")).await.unwrap();
    let mut expected: BTreeMap<i32, usize> = BTreeMap::new();
    let mut writes = Vec::new();
    for pk in 0..300 {
        writes.push((&insert, pk, Some(value.as_str())));
    }
    for pk in 0..50 {
        writes.push((&update, pk, None));
    }
    for pk in 50..100 {
        writes.push((&delete_row, pk, None));
    }
    for pk in 100..110 {
        writes.push((&delete_partition, pk, None));
    }
    for chunk in writes.chunks(16) {
        let requests = chunk.iter().map(|&(statement, pk, v)| {
            let session = &session;
            async move {
                match v {
                    Some(v) => session.execute_unpaged(statement, (pk, v)).await,
                    None => session.execute_unpaged(statement, (pk,)).await,
                }
                .unwrap_or_else(|e| panic!("write of pk {pk}: {e}"))
            }
        });
        futures::future::join_all(requests).await;
        for &(_, pk, _) in chunk {
            *expected.entry(pk).or_default() += 1;
        }
    }
    let total: usize = expected.values().sum();
    assert_eq!(total, 410);

    // Group sync acknowledges a write once its section is synced, and the
    // idx is rewritten at that sync; allow a few windows for the last one.
    let began = Instant::now();
    let walked = loop {
        let walked = walk_directory(&dir, table);
        let ours: usize = walked.ours.values().sum();
        if ours >= total || began.elapsed() > Duration::from_secs(20) {
            break walked;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    eprintln!(
        "cdc_raw {}: {} entries in durable ranges, {} of {ks}.t ({} in COMPLETED segments), {} COMPLETED segments, after {:?}",
        dir.display(),
        walked.entries,
        walked.ours.values().sum::<usize>(),
        walked.ours_in_completed,
        walked.completed.len(),
        began.elapsed()
    );
    assert_eq!(walked.ours, expected, "entries of {ks}.t by partition key: found vs written");
    assert!(walked.ours_in_completed > 0, "1.2 MiB of writes filled no 1 MiB segment: none is COMPLETED");
    assert!(walked.entries >= total);

    // The consumer's part: COMPLETED segments that were read go.
    for (log, idx) in &walked.completed {
        std::fs::remove_file(log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        std::fs::remove_file(idx).unwrap_or_else(|e| panic!("{}: {e}", idx.display()));
    }
}

/// tests/golden/cdc/mutations.txt: (DDL, statements, ALTERs after them).
fn golden_statements() -> (Vec<String>, Vec<String>, Vec<String>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/cdc/mutations.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines = |prefix: &str| -> Vec<String> {
        text.lines().filter_map(|line| line.strip_prefix(prefix)).map(str::to_owned).collect()
    };
    (lines("ddl "), lines("cql "), lines("after "))
}

/// The golden statements written on the node in a fresh keyspace: its guard,
/// the statements, and the keyspace's schema as the node has it then.
async fn golden_on_the_node(session: &Session, tag: &str) -> (CdcKeyspace, Vec<String>, CdcSchema) {
    let keyspace = cdc_keyspace(session, tag).await;
    let statements = replay_golden(session, &keyspace.0).await;
    let schema = CdcSchema::load(session, &[keyspace.0.as_str()]).await.unwrap_or_else(|e| panic!("{e}"));
    (keyspace, statements, schema)
}

/// scripts/cdc_golden.py's DDL, statements and ALTERs run in keyspace `ks`
/// (for `cdc_golden`); the statements.
async fn replay_golden(session: &Session, ks: &str) -> Vec<String> {
    let ours = |cql: &str| cql.replace("cdc_golden.", &format!("{ks}."));
    let (ddl, statements, after) = golden_statements();
    assert_eq!(statements.len(), 36, "statements in mutations.txt");
    for cql in &ddl {
        run(session, &ours(cql)).await;
    }
    let _ = session.await_schema_agreement().await;
    for cql in statements.iter().chain(&after) {
        run(session, &ours(cql)).await;
    }
    let _ = session.await_schema_agreement().await;
    statements
}

/// The golden corpus replayed on the node: scripts/cdc_golden.py's DDL and
/// statements in a fresh keyspace, the schema read back from
/// `system_schema` (columns, UDTs, dropped columns) by `CdcSchema::load`,
/// and every entry of the keyspace in `cdc_raw` decoded to the text pinned
/// in tests/golden/cdc/mutations.expected (the node's clock, table ids and
/// list timeuuids masked). This is what shows that the node still writes
/// what the unit tests pin, and that the schema from the node decodes it as
/// the hand-written one does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_golden_statements_decode_on_the_node_with_its_schema_to_the_pinned_text() {
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let (keyspace, statements, schema) = golden_on_the_node(&session, "cdcg").await;
    let ks = keyspace.0.clone();
    assert_eq!(schema.tables.len(), 6, "tables of {ks}");
    assert!(schema.others.values().any(|(k, t)| k == "system" && t == "local"), "system.local is a known id");

    // Every entry of the keyspace's tables, in segment then file order; the
    // other mutations in the log must be recognised (skipped) or decoded.
    let began = Instant::now();
    let (text, decoded) = loop {
        let mut renderer = Renderer::new(Masks { local_times: true, table_id: true, list_paths: true });
        let (mut text, mut decoded, mut skipped) = (String::new(), 0, 0);
        let mut at = 0;
        for file in cdc::list_segments(&dir).unwrap_or_else(|e| panic!("{e}")) {
            let offset = match cdc::readable(&file).unwrap_or_else(|e| panic!("{e}")) {
                Readable::Nothing => continue,
                Readable::Open { offset } | Readable::Closed { offset } => offset,
            };
            let log = file.log.as_ref().unwrap();
            let name = log.display().to_string();
            let bytes = match std::fs::read(log) {
                Ok(bytes) => bytes,
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue, // consumed meanwhile
                Err(error) => panic!("{name}: {error}"),
            };
            let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
            for entry in segment.entries(Some(offset)) {
                let entry = entry.unwrap_or_else(|e| panic!("{e}"));
                let envelope = MutationEnvelope::parse(&name, &entry).unwrap_or_else(|e| panic!("{e}"));
                if !schema.tables.contains_key(&envelope.table_id) && !schema.others.contains_key(&envelope.table_id) {
                    continue; // a table dropped since (another test's keyspace)
                }
                let mutation = cdc::decode(&name, &entry, &schema).unwrap_or_else(|e| panic!("{e}"));
                if matches!(mutation, Mutation::Skipped(_)) {
                    skipped += 1;
                    continue;
                }
                text.push_str(&format!("cql {}\n", statements.get(at).map_or("?", String::as_str)));
                at += 1;
                text.push_str(&renderer.render(&mutation, &schema).replace(&format!("{ks}."), "cdc_golden."));
                decoded += 1;
            }
        }
        if decoded >= statements.len() || began.elapsed() > Duration::from_secs(20) {
            eprintln!(
                "{decoded} entries of {ks} decoded, {skipped} of other keyspaces skipped, after {:?}",
                began.elapsed()
            );
            break (text, decoded);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(decoded, statements.len(), "entries of {ks}");
    let expected_path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/cdc/mutations.expected");
    let expected = std::fs::read_to_string(&expected_path).unwrap();
    for (i, (got, want)) in text.lines().zip(expected.lines()).enumerate() {
        assert_eq!(got, want, "mutations.expected line {}", i + 1);
    }
    assert_eq!(text.lines().count(), expected.lines().count());
}

/// The change reader on the node: a table's writes, read as Arrow events
/// from the latest offset, in two reads whose second resumes from the
/// offset the first returned; together they hold every write once, in
/// order, with its values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_reader_reads_a_tables_events_resumably() {
    use arrow_array::{Array, Int32Array, Int8Array, StringArray};
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let keyspace = cdc_keyspace(&session, "cdcr").await;
    let ks = keyspace.0.clone();
    run(&session, &format!("CREATE TABLE {ks}.t (pk int, ck int, v text, PRIMARY KEY (pk, ck)) WITH cdc = true")).await;
    let _ = session.await_schema_agreement().await;
    let schema = CdcSchema::load(&session, &[ks.as_str()]).await.unwrap_or_else(|e| panic!("{e}"));
    let table = schema.tables.values().find(|t| t.table == "t").unwrap().id;
    let mut reader = ChangeReader::new(&dir, schema, table).unwrap_or_else(|e| panic!("{e}"));
    let start = reader.latest().unwrap_or_else(|e| panic!("{e}"));

    // Waits until the reader has seen `wanted` events from `from`.
    async fn read_until(reader: &mut ChangeReader, from: ChangeOffset, wanted: usize) -> Vec<ChangeBatch> {
        let began = Instant::now();
        let mut batches = Vec::new();
        let mut at = from;
        let mut seen = 0;
        while seen < wanted && began.elapsed() < Duration::from_secs(20) {
            let batch = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
            assert!(batch.next >= at, "the offset went back: {at:?} → {:?}", batch.next);
            at = batch.next;
            seen += batch.events.num_rows();
            batches.push(batch);
            if seen < wanted {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        batches
    }

    for pk in 0..20 {
        run(&session, &format!("INSERT INTO {ks}.t (pk, ck, v) VALUES ({pk}, 0, 'v{pk}')")).await;
    }
    // A table the schema does not know (created after it was read), then
    // dropped: its entries fail the read until the reader is told to skip
    // ids a reloaded schema still lacks.
    run(&session, &format!("CREATE TABLE {ks}.later (pk int PRIMARY KEY, v int)")).await;
    run(&session, &format!("INSERT INTO {ks}.later (pk, v) VALUES (1, 1)")).await;
    run(&session, &format!("DROP TABLE {ks}.later")).await;
    let began = Instant::now();
    let error = loop {
        match reader.read(start) {
            Err(error) => break error.to_string(),
            Ok(_) if began.elapsed() < Duration::from_secs(20) => tokio::time::sleep(Duration::from_millis(50)).await,
            Ok(_) => panic!("the unknown table's entry never failed the read"),
        }
    };
    assert!(error.contains("is not in the schema"), "{error}");
    let reloaded = CdcSchema::load(&session, &[ks.as_str()]).await.unwrap_or_else(|e| panic!("{e}"));
    reader.set_schema(reloaded).unwrap();
    assert!(reader.read(start).is_err(), "a dropped table stays unknown after a reload");
    reader.skip_unknown_tables(true);
    let first = read_until(&mut reader, start, 20).await;
    let unknown: usize = first.iter().map(|b| b.unknown).sum();
    assert!(unknown >= 1, "the dropped table's insert was skipped and counted");
    let middle = first.last().unwrap().next;
    for pk in 0..10 {
        run(&session, &format!("DELETE FROM {ks}.t WHERE pk = {pk} AND ck = 0")).await;
    }
    run(&session, &format!("UPDATE {ks}.t SET v = 'u' WHERE pk = 19 AND ck = 0")).await;
    let second = read_until(&mut reader, middle, 11).await;

    let mut events: Vec<(i8, i32, Option<String>)> = Vec::new();
    for batch in first.iter().chain(&second) {
        let events_batch = &batch.events;
        assert_eq!(events_batch.schema(), reader.schema());
        let operation =
            events_batch.column_by_name("_cdc_operation").unwrap().as_any().downcast_ref::<Int8Array>().unwrap();
        let pk = events_batch.column_by_name("pk").unwrap().as_any().downcast_ref::<Int32Array>().unwrap();
        let v = events_batch.column_by_name("v").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
        for i in 0..events_batch.num_rows() {
            events.push((operation.value(i), pk.value(i), (!v.is_null(i)).then(|| v.value(i).to_owned())));
        }
    }
    let mut expected: Vec<(i8, i32, Option<String>)> = (0..20).map(|pk| (2, pk, Some(format!("v{pk}")))).collect();
    expected.extend((0..10).map(|pk| (3, pk, None)));
    expected.push((1, 19, Some("u".into())));
    assert_eq!(events, expected);
    // Nothing more after the last offset.
    let last = second.last().unwrap().next;
    assert_eq!(reader.read(last).unwrap_or_else(|e| panic!("{e}")).events.num_rows(), 0);
    eprintln!(
        "change reader: {} events in {} + {} reads, {unknown} unknown entries skipped, {start:?} → {middle:?} → {last:?}",
        events.len(),
        first.len(),
        second.len()
    );
}

/// A row as the fold of events sees it: the row marker's timestamp, and per
/// column its value (`None`: a tombstone) and timestamp.
#[derive(Debug, Default, Clone)]
struct FoldedRow {
    marker: Option<i64>,
    v: Option<(Option<String>, i64, Option<i64>)>,
    n: Option<(Option<i64>, i64)>,
}

/// A visible row as the comparison sees it: v, n, WRITETIME(v),
/// WRITETIME(n), the TTL v was written with.
type VisibleRow = (Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i64>);

/// Replay equivalence on the node: folding a table's change events (last
/// write wins per cell; cell, row, range and partition tombstones; TTL)
/// gives what `SELECT ..., WRITETIME(v), WRITETIME(n), TTL(v)` returns. The
/// writes use explicit timestamps, some older than what they follow, so
/// that order of arrival and order of time differ.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folding_the_events_reproduces_the_table() {
    use arrow_array::{Array, BooleanArray, Int32Array, Int64Array, Int8Array, StringArray, TimestampMicrosecondArray};
    use pycassandra::cdc::events::operation;
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let keyspace = cdc_keyspace(&session, "cdcf").await;
    let ks = keyspace.0.clone();
    run(
        &session,
        &format!("CREATE TABLE {ks}.t (pk int, ck int, v text, n bigint, PRIMARY KEY (pk, ck)) WITH cdc = true"),
    )
    .await;
    let _ = session.await_schema_agreement().await;
    let schema = CdcSchema::load(&session, &[ks.as_str()]).await.unwrap_or_else(|e| panic!("{e}"));
    let table = schema.tables.values().find(|t| t.table == "t").unwrap().id;
    let mut reader = ChangeReader::new(&dir, schema, table).unwrap_or_else(|e| panic!("{e}"));
    let start = reader.latest().unwrap_or_else(|e| panic!("{e}"));

    let t = format!("{ks}.t");
    let mut statements: Vec<String> = (0..10)
        .map(|pk| format!("INSERT INTO {t} (pk, ck, v, n) VALUES ({pk}, 0, 'a', {pk}) USING TIMESTAMP 100"))
        .collect();
    statements.extend([
        format!("UPDATE {t} USING TIMESTAMP 200 SET v = 'b' WHERE pk = 0 AND ck = 0"),
        format!("UPDATE {t} USING TIMESTAMP 50 SET v = 'old' WHERE pk = 1 AND ck = 0"),
        format!("DELETE v FROM {t} USING TIMESTAMP 150 WHERE pk = 2 AND ck = 0"),
        format!("DELETE FROM {t} USING TIMESTAMP 150 WHERE pk = 3 AND ck = 0"),
        format!("DELETE FROM {t} USING TIMESTAMP 50 WHERE pk = 4 AND ck = 0"),
        format!("DELETE FROM {t} USING TIMESTAMP 150 WHERE pk = 5"),
        format!("DELETE FROM {t} USING TIMESTAMP 150 WHERE pk = 6"),
        format!("INSERT INTO {t} (pk, ck, v, n) VALUES (6, 0, 'new', 60) USING TIMESTAMP 160"),
        format!("INSERT INTO {t} (pk, ck, v, n) VALUES (6, 1, 'late', 61) USING TIMESTAMP 140"),
        format!("UPDATE {t} USING TTL 1000 AND TIMESTAMP 200 SET v = 't' WHERE pk = 7 AND ck = 0"),
        format!("INSERT INTO {t} (pk, ck, v, n) VALUES (8, 1, 'x', 80) USING TIMESTAMP 100"),
        format!("INSERT INTO {t} (pk, ck, v, n) VALUES (8, 3, 'y', 83) USING TIMESTAMP 100"),
        format!("DELETE FROM {t} USING TIMESTAMP 150 WHERE pk = 8 AND ck >= 1 AND ck < 3"),
        format!("DELETE n FROM {t} USING TIMESTAMP 90 WHERE pk = 9 AND ck = 0"),
    ]);
    for cql in &statements {
        run(&session, cql).await;
    }

    // The events, all of them (one event per statement here but for the
    // range delete's two bounds).
    let wanted = statements.len() + 1;
    let began = Instant::now();
    let mut batches = Vec::new();
    let mut at = start;
    let mut seen = 0;
    while seen < wanted && began.elapsed() < Duration::from_secs(20) {
        let batch = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
        at = batch.next;
        seen += batch.events.num_rows();
        batches.push(batch.events);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(seen, wanted, "events of {t}");

    // The fold.
    let mut rows: BTreeMap<(i32, i32), FoldedRow> = BTreeMap::new();
    let mut deletions: Vec<(i32, Option<i32>, Option<i32>, i64)> = Vec::new(); // pk, ck from, ck to (incl.), ts
    let mut range_start: Option<Option<i32>> = None;
    let covered = |deletions: &[(i32, Option<i32>, Option<i32>, i64)], pk: i32, ck: i32, ts: i64| {
        deletions
            .iter()
            .any(|&(p, lo, hi, at)| p == pk && lo.is_none_or(|lo| ck >= lo) && hi.is_none_or(|hi| ck <= hi) && ts <= at)
    };
    for batch in &batches {
        let col = |name: &str| batch.column_by_name(name).unwrap_or_else(|| panic!("{name}"));
        let operations = col("_cdc_operation").as_any().downcast_ref::<Int8Array>().unwrap();
        let pks = col("pk").as_any().downcast_ref::<Int32Array>().unwrap();
        let cks = col("ck").as_any().downcast_ref::<Int32Array>().unwrap();
        let vs = col("v").as_any().downcast_ref::<StringArray>().unwrap();
        let ns = col("n").as_any().downcast_ref::<Int64Array>().unwrap();
        let deleted_v = col("_cdc_deleted_v").as_any().downcast_ref::<BooleanArray>().unwrap();
        let deleted_n = col("_cdc_deleted_n").as_any().downcast_ref::<BooleanArray>().unwrap();
        let times = col("_cdc_time").as_any().downcast_ref::<TimestampMicrosecondArray>().unwrap();
        let ttls = col("_cdc_ttl").as_any().downcast_ref::<Int64Array>().unwrap();
        for i in 0..batch.num_rows() {
            let (pk, ts) = (pks.value(i), times.value(i));
            let ck = (!cks.is_null(i)).then(|| cks.value(i));
            match operations.value(i) {
                operation::PARTITION_DELETE => deletions.push((pk, None, None, ts)),
                operation::ROW_DELETE => deletions.push((pk, ck, ck, ts)),
                operation::RANGE_DELETE_START_INCLUSIVE => range_start = Some(ck),
                operation::RANGE_DELETE_END_EXCLUSIVE => {
                    let lo = range_start.take().expect("a range start before its end");
                    deletions.push((pk, lo, ck.map(|c| c - 1), ts));
                }
                op @ (operation::INSERT | operation::UPDATE) => {
                    let ck = ck.unwrap();
                    if covered(&deletions, pk, ck, ts) {
                        continue;
                    }
                    let row = rows.entry((pk, ck)).or_default();
                    if op == operation::INSERT && row.marker.is_none_or(|m| ts > m) {
                        row.marker = Some(ts);
                    }
                    let ttl = (!ttls.is_null(i)).then(|| ttls.value(i));
                    if (!vs.is_null(i) || deleted_v.value(i)) && row.v.as_ref().is_none_or(|(_, at, _)| ts > *at) {
                        row.v = Some(((!vs.is_null(i)).then(|| vs.value(i).to_owned()), ts, ttl));
                    }
                    if (!ns.is_null(i) || deleted_n.value(i)) && row.n.as_ref().is_none_or(|(_, at)| ts > *at) {
                        row.n = Some(((!ns.is_null(i)).then(|| ns.value(i)), ts));
                    }
                }
                other => panic!("operation {other} in this test's events"),
            }
        }
    }
    // Deletions that came after the writes they shadow.
    let mut folded: BTreeMap<(i32, i32), VisibleRow> = BTreeMap::new();
    for (&(pk, ck), row) in &rows {
        let live_at = |ts: i64| !covered(&deletions, pk, ck, ts);
        let v = row.v.clone().filter(|(value, ts, _)| value.is_some() && live_at(*ts));
        let n = row.n.filter(|(value, ts)| value.is_some() && live_at(*ts));
        let marker = row.marker.filter(|&ts| live_at(ts));
        if marker.is_none() && v.is_none() && n.is_none() {
            continue;
        }
        let (v, v_ts, v_ttl) = v.map_or((None, None, None), |(v, ts, ttl)| (v, Some(ts), ttl));
        let (n, n_ts) = n.map_or((None, None), |(n, ts)| (n, Some(ts)));
        folded.insert((pk, ck), (v, n, v_ts, n_ts, v_ttl));
    }

    let selected = session
        .query_unpaged(format!("SELECT pk, ck, v, n, WRITETIME(v), WRITETIME(n), TTL(v) FROM {t}"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    type Selected = (i32, i32, Option<String>, Option<i64>, Option<i64>, Option<i64>, Option<i32>);
    let mut table: BTreeMap<(i32, i32), VisibleRow> = BTreeMap::new();
    for row in selected.rows::<Selected>().unwrap() {
        let (pk, ck, v, n, v_ts, n_ts, ttl) = row.unwrap();
        // TTL(v) is what is left: at most the TTL written, and not much less.
        let ttl = ttl.map(|left| {
            let written = folded.get(&(pk, ck)).and_then(|r| r.4).unwrap_or(0);
            assert!(left <= written as i32 && left > written as i32 - 60, "TTL({pk},{ck}) {left} of {written}");
            written
        });
        table.insert((pk, ck), (v, n, v_ts, n_ts, ttl));
    }
    assert_eq!(folded, table, "folded events vs SELECT of {t}");
    // Of 13 rows written, pk 3 (row delete), 5 (partition delete), (6, 1)
    // (written before its partition's deletion) and (8, 1) (range delete) are gone.
    assert_eq!(table.len(), 9, "{table:?}");
}

/// Lightweight transactions on the node (RESEARCH §10.4): an applied
/// `INSERT ... IF NOT EXISTS` and `UPDATE ... IF` reach the commit log as
/// ordinary mutations of the table (the Paxos state goes to system tables,
/// whose mutations are skipped), and a condition that fails writes nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lightweight_transactions_are_ordinary_events() {
    use arrow_array::{Array, Int32Array, Int8Array, StringArray};
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let keyspace = cdc_keyspace(&session, "cdcl").await;
    let ks = keyspace.0.clone();
    run(&session, &format!("CREATE TABLE {ks}.t (pk int PRIMARY KEY, v text) WITH cdc = true")).await;
    let _ = session.await_schema_agreement().await;
    let schema = CdcSchema::load(&session, &[ks.as_str()]).await.unwrap_or_else(|e| panic!("{e}"));
    let table = schema.tables.values().find(|t| t.table == "t").unwrap().id;
    let mut reader = ChangeReader::new(&dir, schema, table).unwrap_or_else(|e| panic!("{e}"));
    let start = reader.latest().unwrap_or_else(|e| panic!("{e}"));
    for cql in [
        format!("INSERT INTO {ks}.t (pk, v) VALUES (1, 'a') IF NOT EXISTS"),
        format!("INSERT INTO {ks}.t (pk, v) VALUES (1, 'not applied') IF NOT EXISTS"),
        format!("UPDATE {ks}.t SET v = 'b' WHERE pk = 1 IF v = 'a'"),
        format!("UPDATE {ks}.t SET v = 'not applied' WHERE pk = 1 IF v = 'a'"),
    ] {
        run(&session, &cql).await;
    }
    let began = Instant::now();
    let mut events: Vec<(i8, i32, Option<String>)> = Vec::new();
    let mut at = start;
    while events.len() < 2 && began.elapsed() < Duration::from_secs(20) {
        let batch = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
        at = batch.next;
        let b = &batch.events;
        let operation = b.column_by_name("_cdc_operation").unwrap().as_any().downcast_ref::<Int8Array>().unwrap();
        let pk = b.column_by_name("pk").unwrap().as_any().downcast_ref::<Int32Array>().unwrap();
        let v = b.column_by_name("v").unwrap().as_any().downcast_ref::<StringArray>().unwrap();
        for i in 0..b.num_rows() {
            events.push((operation.value(i), pk.value(i), (!v.is_null(i)).then(|| v.value(i).to_owned())));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // Give a wrongly written not-applied statement time to show up too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let more = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(more.events.num_rows(), 0, "a not-applied LWT wrote an event");
    assert_eq!(events, [(2, 1, Some("a".to_owned())), (1, 1, Some("b".to_owned()))]);
}
