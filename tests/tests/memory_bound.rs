//! A sustained write in stream mode (micro-batches of 100,000 rows, each
//! committed): the client's memory stays flat, because it is bounded by the
//! requests in flight, not by the input. Two million rows by default;
//! `PYCASSANDRA_LOAD_ROWS=10000000` for the long run. Its own binary, so no
//! other test shares the process whose memory is measured.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::{CassandraWriter, WriteOptions};

const DEFAULT_ROWS: usize = 2_000_000;
const BATCH_ROWS: usize = 10_000;
const MICRO_BATCH_ROWS: usize = 100_000;
/// Allowed growth of resident memory from 10 % of the rows to the end.
const GROWTH_LIMIT_BYTES: i64 = 48 << 20;

fn resident_bytes() -> i64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status (Linux)");
    let kib: i64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmRSS in /proc/self/status");
    kib * 1024
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sustained_stream_write_in_flat_memory() {
    let rows_wanted =
        std::env::var("PYCASSANDRA_LOAD_ROWS").ok().and_then(|v| v.parse::<usize>().ok()).unwrap_or(DEFAULT_ROWS);
    let total_rows = rows_wanted.div_ceil(MICRO_BATCH_ROWS) * MICRO_BATCH_ROWS;
    let session = pycassandra_tests::node_session().await;
    let keyspace = pycassandra_tests::unique_keyspace(&session).await;
    pycassandra_tests::ddl(
        &session,
        &format!("CREATE TABLE {keyspace}.bulk (p bigint, c int, payload text, PRIMARY KEY (p, c))"),
    )
    .await;
    let schema = Arc::new(Schema::new(vec![
        Field::new("p", DataType::Int64, false),
        Field::new("c", DataType::Int32, false),
        Field::new("payload", DataType::Utf8, true),
    ]));
    let mut writer = CassandraWriter::with_session(
        session.clone(),
        WriteOptions::new(pycassandra_tests::node_options(), &keyspace, "bulk"),
        &schema,
    )
    .await
    .unwrap();
    let mut baseline = None;
    let mut peak = 0;
    let mut committed = 0u64;
    for start in (0..total_rows).step_by(BATCH_ROWS) {
        if start % MICRO_BATCH_ROWS == 0 {
            writer.begin_micro_batch();
        }
        let rows = start..start + BATCH_ROWS;
        // 100 rows per partition: partition batches keep the test quick.
        let columns: Vec<ArrayRef> = vec![
            Arc::new(Int64Array::from_iter_values(rows.clone().map(|i| (i / 100) as i64))),
            Arc::new(Int32Array::from_iter_values(rows.clone().map(|i| (i % 100) as i32))),
            Arc::new(StringArray::from_iter_values(rows.map(|i| format!("payload-{i:016}")))),
        ];
        writer.write_batch(&RecordBatch::try_new(schema.clone(), columns).unwrap()).await.unwrap();
        if (start + BATCH_ROWS).is_multiple_of(MICRO_BATCH_ROWS) {
            let micro_batch = writer.commit_micro_batch().await.unwrap();
            assert_eq!(micro_batch.rows_written, MICRO_BATCH_ROWS as u64, "{micro_batch:?}");
            committed += micro_batch.rows_written;
        }
        let resident = resident_bytes();
        peak = peak.max(resident);
        if start + BATCH_ROWS == total_rows / 10 {
            baseline = Some(resident);
        }
    }
    let report = writer.finish().await.unwrap();
    assert_eq!((report.rows_written, committed), (total_rows as u64, total_rows as u64));
    let baseline = baseline.unwrap();
    let growth = peak - baseline;
    eprintln!(
        "{total_rows} rows: resident at 10%: {} MiB, peak: {} MiB, growth {} MiB",
        baseline >> 20,
        peak >> 20,
        growth >> 20
    );
    assert!(growth < GROWTH_LIMIT_BYTES, "memory grew by {} MiB after 10% of the rows", growth >> 20);
    // Counted over 16 token ranges: one count(*) of ten million rows outlasts the server's timeout.
    let step = u64::MAX / 16;
    let mut counted = 0i64;
    for k in 0..16u64 {
        let low = i64::MIN.wrapping_add((k * step) as i64);
        let high = if k == 15 { i64::MAX } else { i64::MIN.wrapping_add(((k + 1) * step) as i64) };
        let cql = format!("SELECT count(*) FROM {keyspace}.bulk WHERE token(p) > {low} AND token(p) <= {high}");
        let (n,): (i64,) =
            session.query_unpaged(cql, ()).await.unwrap().into_rows_result().unwrap().single_row().unwrap();
        counted += n;
    }
    let count = (counted,);
    assert_eq!(count.0, total_rows as i64);
    pycassandra_tests::ddl(&session, &format!("DROP KEYSPACE {keyspace}")).await;
}
