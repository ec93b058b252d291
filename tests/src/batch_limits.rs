//! Batches on a node with Cassandra's stock limits (scripts/cassandra runs
//! every profile with them): `batch_max_bytes` keeps a batch spanning
//! partitions under `batch_size_warn_threshold` (5 KiB) and one of a single
//! partition far under the 16 MiB mutation size, rows of 100 B, 2 KB and
//! 64 KB are all written in full, a 20 MB row is refused before anything is
//! sent, and the node's own log shows no batch-size warning for these jobs.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use futures::TryStreamExt;
use pycassandra::{BatchGrouping, CassandraWriter, Error, WriteError, WriteOptions, WriteReport};
use scylla::client::session::Session;
use scylla::statement::unprepared::Statement;

use crate::{ddl, node_options, node_session, unique_keyspace, TestKeyspace};

/// A keyspace with `rows (p int, c int, payload text, PRIMARY KEY (p, c))`.
async fn rows_table(session: &Session) -> TestKeyspace {
    let keyspace = unique_keyspace(session).await;
    ddl(session, &format!("CREATE TABLE {keyspace}.rows (p int, c int, payload text, PRIMARY KEY (p, c))")).await;
    keyspace
}

/// A payload of exactly `bytes` ASCII bytes that differs from row to row.
fn payload(row: i32, bytes: usize) -> String {
    let stamp = format!("{row}:");
    let filler = char::from(b'a' + (row % 26) as u8);
    let mut text = String::with_capacity(bytes);
    text.push_str(&stamp[..stamp.len().min(bytes)]);
    text.extend(std::iter::repeat_n(filler, bytes - text.len()));
    text
}

/// `rows` rows spread over `partitions` partitions, each with a payload of `bytes`.
fn input(rows: i32, partitions: i32, bytes: usize) -> RecordBatch {
    let schema = Schema::new(vec![
        Field::new("p", DataType::Int32, false),
        Field::new("c", DataType::Int32, false),
        Field::new("payload", DataType::Utf8, false),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int32Array::from_iter_values((0..rows).map(|i| i % partitions))),
        Arc::new(Int32Array::from_iter_values(0..rows)),
        Arc::new(StringArray::from_iter_values((0..rows).map(|i| payload(i, bytes)))),
    ];
    RecordBatch::try_new(Arc::new(schema), columns).unwrap()
}

/// Order-independent checksum of (p, c, payload) rows: FNV-1a of each, added up.
fn checksum<'a>(rows: impl Iterator<Item = (i32, i32, &'a str)>) -> u64 {
    rows.map(|(p, c, text)| {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in p.to_le_bytes().iter().chain(&c.to_le_bytes()).chain(text.as_bytes()) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        hash
    })
    .fold(0u64, u64::wrapping_add)
}

fn input_checksum(batch: &RecordBatch) -> u64 {
    let p = batch.column(0).as_any().downcast_ref::<Int32Array>().unwrap();
    let c = batch.column(1).as_any().downcast_ref::<Int32Array>().unwrap();
    let text = batch.column(2).as_any().downcast_ref::<StringArray>().unwrap();
    checksum((0..batch.num_rows()).map(|i| (p.value(i), c.value(i), text.value(i))))
}

/// Row count and checksum of what the table holds, read in small pages (64 KB rows).
async fn stored(session: &Session, keyspace: &str) -> (usize, u64) {
    let mut statement = Statement::new(format!("SELECT p, c, payload FROM {keyspace}.rows"));
    statement.set_page_size(100);
    let rows: Vec<(i32, i32, String)> =
        session.query_iter(statement, ()).await.unwrap().rows_stream().unwrap().try_collect().await.unwrap();
    (rows.len(), checksum(rows.iter().map(|(p, c, text)| (*p, *c, text.as_str()))))
}

async fn write(options: WriteOptions, batch: &RecordBatch) -> WriteReport {
    let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await.unwrap();
    writer.write_batch(batch).await.unwrap();
    writer.finish().await.unwrap()
}

/// The test node's system.log (and the file it rolled into, should it roll
/// mid-test): `PYCASSANDRA_NODE_DIR` as `scripts/cassandra env` prints it,
/// else the default profile's directory.
fn node_log() -> String {
    let node_dir = std::env::var("PYCASSANDRA_NODE_DIR").unwrap_or_else(|_| {
        let cache = std::env::var("PYCASSANDRA_CACHE")
            .unwrap_or_else(|_| format!("{}/.cache/pycassandra", std::env::var("HOME").unwrap_or_default()));
        format!("{cache}/nodes/default")
    });
    let current = format!("{node_dir}/logs/system.log");
    let text = std::fs::read_to_string(&current).unwrap_or_else(|error| {
        panic!("cannot read the node's log {current} ({error}); set PYCASSANDRA_NODE_DIR (scripts/cassandra env)")
    });
    let rolled = std::fs::read_to_string(format!("{node_dir}/logs/system.log.1")).unwrap_or_default();
    rolled + &text
}

/// The node's batch-size lines about `keyspace`: "Batch for [ks.t] is of size …"
/// (a warning over the warn threshold, an error, then "Batch too large" to the
/// client, over the fail threshold), and "Unlogged batch covering N partitions"
/// (over the stock 10 partitions). Other tests use other keyspaces, so their
/// warnings do not count here.
fn batch_size_lines(log: &str, keyspace: &str) -> Vec<String> {
    let about_batches = |line: &str| {
        line.contains("Batch for") || line.contains("Batch too large") || line.contains("Unlogged batch covering")
    };
    log.lines().filter(|line| about_batches(line) && line.contains(keyspace)).map(str::to_string).collect()
}

/// The sizes of the issue: rows of 100 B, 2 KB and 64 KB.
const SIZES: [(usize, i32); 3] = [(100, 2_000), (2_000, 2_000), (64 << 10, 200)];

#[tokio::test]
async fn default_batches_of_one_row_partitions_stay_under_the_stock_warn_threshold() {
    let session = node_session().await;
    let mut keyspaces = Vec::new();
    for (bytes, rows) in SIZES {
        let keyspace = rows_table(&session).await;
        let input = input(rows, rows, bytes);
        // The defaults: replica-set batches.
        let options = WriteOptions::new(node_options(), &keyspace, "rows");
        assert_eq!(options.batch_grouping, BatchGrouping::ReplicaSet);
        let report = write(options, &input).await;
        assert_eq!((report.rows_written, report.rows_failed), (rows as u64, 0), "{bytes} B rows");
        assert_eq!(stored(&session, &keyspace).await, (rows as usize, input_checksum(&input)), "{bytes} B rows");
        // One node owns every partition, so the byte bound (4 KiB) and the
        // 10 partitions of a replica-set batch cut: a 100 B row is estimated
        // at 64 + 24 + 24 + 20 + 100 = 232 bytes, 17 would fit, 10 partitions
        // go; a 2 KB row (2,132 bytes) already fills a batch alone, and so
        // does a 64 KB row, which is larger than one.
        let expected = match bytes {
            100 => (rows as u64).div_ceil(10),
            _ => rows as u64,
        };
        assert_eq!(report.requests, expected, "{bytes} B rows");
        keyspaces.push(keyspace);
    }
    let log = node_log();
    for keyspace in keyspaces {
        assert_eq!(batch_size_lines(&log, &keyspace), Vec::<String>::new(), "the node warned about {keyspace}");
    }
}

#[tokio::test]
async fn batches_of_large_partitions_are_bounded_by_bytes_and_rows() {
    let session = node_session().await;
    let mut keyspaces = Vec::new();
    // Replica-set batches (the default) of large partitions are partition batches:
    // the rest of a partition too large to join another in 4 KiB goes alone.
    for grouping in [BatchGrouping::Partition, BatchGrouping::ReplicaSet] {
        for (bytes, rows, partitions, expected_requests) in [
            // 100 rows a partition, 50 rows a batch: the row bound cuts.
            (100, 2_000, 20, 40),
            (2_000, 2_000, 20, 40),
            // 50 rows of 65,668 bytes a partition: 15 fit in 1 MiB, so 15 + 15 + 15 + 5.
            (64 << 10, 200, 4, 16),
        ] {
            let keyspace = rows_table(&session).await;
            let input = input(rows, partitions, bytes);
            let mut options = WriteOptions::new(node_options(), &keyspace, "rows");
            options.batch_grouping = grouping;
            let report = write(options, &input).await;
            let case = format!("{bytes} B rows, {grouping:?}");
            assert_eq!((report.rows_written, report.rows_failed), (rows as u64, 0), "{case}");
            assert_eq!(report.requests, expected_requests, "{case}");
            assert_eq!(stored(&session, &keyspace).await, (rows as usize, input_checksum(&input)), "{case}");
            keyspaces.push(keyspace);
        }
    }
    let log = node_log();
    for keyspace in keyspaces {
        assert_eq!(batch_size_lines(&log, &keyspace), Vec::<String>::new(), "the node warned about {keyspace}");
    }
}

#[tokio::test]
async fn a_row_above_the_mutation_size_is_refused_before_anything_is_sent() {
    let session = node_session().await;
    let keyspace = rows_table(&session).await;
    let schema = Arc::new(Schema::new(vec![
        Field::new("p", DataType::Int32, false),
        Field::new("c", DataType::Int32, false),
        Field::new("payload", DataType::Utf8, false),
    ]));
    let sizes = [100, 100, 100, 20_000_000, 100];
    let input = RecordBatch::try_new(
        schema.clone(),
        vec![
            Arc::new(Int32Array::from_iter_values(0..5)),
            Arc::new(Int32Array::from_iter_values(0..5)),
            Arc::new(StringArray::from_iter_values(sizes.iter().enumerate().map(|(i, &n)| payload(i as i32, n)))),
        ],
    )
    .unwrap();
    for grouping in [BatchGrouping::Partition, BatchGrouping::ReplicaSet, BatchGrouping::None] {
        let mut options = WriteOptions::new(node_options(), &keyspace, "rows");
        options.batch_grouping = grouping;
        let mut writer = CassandraWriter::open(options, &schema).await.unwrap();
        let error = writer.write_batch(&input).await.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::Write(WriteError::RowTooLarge { row: 3, bytes, limit: 16_777_216, largest_column, .. })
                    if *bytes > 20_000_000 && largest_column == "payload"
            ),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("row 3") && message.contains(&format!("{keyspace}.rows")), "{message}");
        let report = writer.report();
        assert_eq!((report.requests, report.rows_written, report.rows_failed), (0, 0, 5), "{grouping:?}");
    }
    assert_eq!(stored(&session, &keyspace).await.0, 0, "nothing of the refused batch may reach the table");
}

#[tokio::test]
async fn the_log_check_sees_a_batch_over_the_warn_threshold() {
    // Without this the two checks above could pass on a log that is never
    // written: a batch spanning partitions of about 6.5 KB must be logged.
    let session = node_session().await;
    let keyspace = rows_table(&session).await;
    let input = input(30, 30, 2_000);
    let mut options = WriteOptions::new(node_options(), &keyspace, "rows");
    options.batch_grouping = BatchGrouping::ReplicaSet;
    options.batch_max_bytes = Some(8 << 10);
    let report = write(options, &input).await;
    assert_eq!(report.rows_written, 30);
    let lines = batch_size_lines(&node_log(), &keyspace);
    assert!(!lines.is_empty(), "no 'Batch for [{keyspace}.rows] is of size' warning in the node's log");
    assert!(lines.iter().all(|line| line.contains("exceeding specified threshold of 5.000KiB")), "{lines:?}");
}
