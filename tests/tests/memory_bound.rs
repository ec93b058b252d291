//! Two million rows in batch mode: the client's memory stays flat, because it
//! is bounded by the requests in flight, not by the input. Its own binary, so
//! no other test shares the process whose memory is measured.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::{CassandraWriter, WriteOptions};

const ROWS: usize = 2_000_000;
const BATCH_ROWS: usize = 10_000;
/// Allowed growth of resident memory from 10 % of the rows to the end.
const GROWTH_LIMIT_BYTES: i64 = 48 << 20;

fn resident_bytes() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kib: i64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_million_rows_in_flat_memory() {
    let session = pycassandra_tests::node_session().await;
    let keyspace = pycassandra_tests::unique_keyspace(&session).await;
    pycassandra_tests::ddl(&session, &format!("CREATE TABLE {keyspace}.bulk (p bigint, c int, payload text, PRIMARY KEY (p, c))")).await;
    let schema = Arc::new(Schema::new(vec![
        Field::new("p", DataType::Int64, false),
        Field::new("c", DataType::Int32, false),
        Field::new("payload", DataType::Utf8, true),
    ]));
    let mut writer = CassandraWriter::with_session(session.clone(), WriteOptions::new(pycassandra_tests::node_options(), &keyspace, "bulk"), &schema).await.unwrap();
    let mut baseline = None;
    let mut peak = 0;
    for start in (0..ROWS).step_by(BATCH_ROWS) {
        let rows = start..start + BATCH_ROWS;
        // 100 rows per partition: partition batches keep the test quick.
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(rows.clone().map(|i| (i / 100) as i64))),
            Arc::new(Int32Array::from_iter_values(rows.clone().map(|i| (i % 100) as i32))),
            Arc::new(StringArray::from_iter_values(rows.map(|i| format!("payload-{i:016}")))),
        ];
        writer.write_batch(&RecordBatch::try_new(schema.clone(), columns).unwrap()).await.unwrap();
        let resident = resident_bytes();
        peak = peak.max(resident);
        if start + BATCH_ROWS == ROWS / 10 {
            baseline = Some(resident);
        }
    }
    let report = writer.finish().await.unwrap();
    assert_eq!(report.rows_written, ROWS as u64);
    let baseline = baseline.unwrap();
    let growth = peak - baseline;
    eprintln!("resident at 10%: {} MiB, peak: {} MiB, growth {} MiB", baseline >> 20, peak >> 20, growth >> 20);
    assert!(growth < GROWTH_LIMIT_BYTES, "memory grew by {} MiB after 10% of the rows", growth >> 20);
    let count: (i64,) = session
        .query_unpaged(format!("SELECT count(*) FROM {keyspace}.bulk"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap()
        .single_row()
        .unwrap();
    assert_eq!(count.0, ROWS as i64);
    pycassandra_tests::ddl(&session, &format!("DROP KEYSPACE {keyspace}")).await;
}
