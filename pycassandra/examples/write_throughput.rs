//! Measures CassandraWriter on the local node: rows/s and client CPU per row,
//! for one row per partition (single statements, or unlogged batches by
//! replica) and 100 rows per partition (unlogged partition batches).
//!
//! ```sh
//! cargo run --release -p pycassandra --example write_throughput -- 500000
//! ```

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::{BatchGrouping, CassandraWriter, ConnectionOptions, WriteOptions};

const BATCH_ROWS: usize = 10_000;

#[path = "../../bench/process_cpu.rs"]
mod process_cpu;
use process_cpu::cpu_seconds;

fn batch(schema: &Arc<Schema>, start: usize, rows_per_partition: usize) -> RecordBatch {
    let ids = (start..start + BATCH_ROWS).map(|i| i / rows_per_partition);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from_iter_values(ids.map(|p| p as i64))),
        Arc::new(Int32Array::from_iter_values((start..start + BATCH_ROWS).map(|i| (i % rows_per_partition) as i32))),
        Arc::new(StringArray::from_iter_values((start..start + BATCH_ROWS).map(|i| format!("payload-{i:012}")))),
        Arc::new(Int64Array::from_iter_values((start..start + BATCH_ROWS).map(|i| i as i64 * 31))),
    ];
    RecordBatch::try_new(schema.clone(), columns).unwrap_or_else(|e| panic!("batch: {e}"))
}

#[tokio::main]
async fn main() -> Result<(), pycassandra::Error> {
    let rows: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(500_000);
    let host = std::env::var("PYCASSANDRA_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let session = pycassandra::session::connect(&ConnectionOptions::new([host.as_str()])).await?;
    for cql in [
        "CREATE KEYSPACE IF NOT EXISTS pyc_bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "DROP TABLE IF EXISTS pyc_bench.events",
        "CREATE TABLE pyc_bench.events (p bigint, c int, payload text, total bigint, PRIMARY KEY (p, c))",
    ] {
        session.query_unpaged(cql, ()).await.map_err(|source| pycassandra::WriteError::Statement { cql: cql.into(), source })?;
    }
    let schema = Arc::new(Schema::new(vec![
        Field::new("p", DataType::Int64, false),
        Field::new("c", DataType::Int32, false),
        Field::new("payload", DataType::Utf8, true),
        Field::new("total", DataType::Int64, true),
    ]));
    println!("rows={rows} layout grouping rows/s cpu_us_per_row requests");
    for (layout, rows_per_partition, grouping) in [
        ("1-row-partitions", 1, BatchGrouping::None),
        ("1-row-partitions", 1, BatchGrouping::ReplicaSet),
        ("100-row-partitions", 100, BatchGrouping::Partition),
        ("100-row-partitions", 100, BatchGrouping::None),
    ] {
        session
            .query_unpaged("TRUNCATE pyc_bench.events", ())
            .await
            .map_err(|source| pycassandra::WriteError::Statement { cql: "TRUNCATE".into(), source })?;
        let mut options = WriteOptions::new(ConnectionOptions::new([host.as_str()]), "pyc_bench", "events");
        options.batch_grouping = grouping;
        options.consistency = pycassandra::Consistency::One;
        let batches: Vec<RecordBatch> =
            (0..rows / BATCH_ROWS).map(|i| batch(&schema, i * BATCH_ROWS, rows_per_partition)).collect();
        let mut writer = CassandraWriter::with_session(session.clone(), options, &schema).await?;
        let (cpu_before, started) = (cpu_seconds(), Instant::now());
        for batch in &batches {
            writer.write_batch(batch).await?;
        }
        let report = writer.finish().await?;
        let (seconds, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu_before);
        println!(
            "{layout} {grouping:?} {:.0} {:.2} {}",
            report.rows_written as f64 / seconds,
            cpu * 1e6 / report.rows_written as f64,
            report.requests
        );
    }
    Ok(())
}
