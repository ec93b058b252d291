//! Measures CassandraReader on the local node, beside a plain paged
//! `SELECT *` on the driver alone (rows as driver values), in the same run:
//! rows/s and client CPU per row. Reads the table `write_throughput` leaves.
//!
//! ```sh
//! cargo run --release -p pycassandra --example write_throughput -- 1000000
//! cargo run --release -p pycassandra --example read_throughput -- pyc_bench events
//! ```

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use std::time::Instant;

use futures::TryStreamExt;
use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
use tokio::task::JoinSet;

#[path = "../../bench/process_cpu.rs"]
mod process_cpu;
use process_cpu::cpu_seconds;

#[tokio::main]
async fn main() -> Result<(), pycassandra::Error> {
    let mut args = std::env::args().skip(1);
    let keyspace = args.next().unwrap_or_else(|| "pyc_bench".into());
    let table = args.next().unwrap_or_else(|| "events".into());
    let host = std::env::var("PYCASSANDRA_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let session = pycassandra::session::connect(&ConnectionOptions::new([host.as_str()])).await?;
    println!("reader rows rows/s cpu_us_per_row");

    for parallel_splits in [1usize, 4] {
        let mut options = ReadOptions::new(ConnectionOptions::new([host.as_str()]), keyspace.as_str(), table.as_str());
        options.min_splits = Some(8);
        let reader = std::sync::Arc::new(CassandraReader::with_session(session.clone(), options, None).await?);
        let splits = reader.splits().await?;
        let (cpu_before, started) = (cpu_seconds(), Instant::now());
        let mut rows = 0usize;
        let mut running = JoinSet::new();
        for split in splits {
            if running.len() == parallel_splits {
                rows += running.join_next().await.and_then(Result::ok).transpose()?.unwrap_or(0);
            }
            let reader = std::sync::Arc::clone(&reader);
            running.spawn(async move {
                let mut scan = reader.scan(&split);
                let mut rows = 0;
                while let Some(batch) = scan.next_batch().await? {
                    rows += batch.num_rows();
                }
                Ok::<usize, pycassandra::Error>(rows)
            });
        }
        while let Some(done) = running.join_next().await {
            rows += done.map_err(|e| pycassandra::ReadError::Statement {
                table: table.clone(),
                cql: "scan".into(),
                source: Box::new(e),
            })??;
        }
        let (seconds, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu_before);
        println!(
            "pycassandra-arrow({parallel_splits}-splits-at-once) {rows} {:.0} {:.2}",
            rows as f64 / seconds,
            cpu * 1e6 / rows as f64
        );
    }

    let cql = format!("SELECT * FROM {keyspace}.{table}");
    let (cpu_before, started) = (cpu_seconds(), Instant::now());
    let mut statement = scylla::statement::Statement::new(cql.as_str());
    statement.set_page_size(5_000);
    let pager = session.query_iter(statement, ()).await.map_err(|e| pycassandra::ReadError::Statement {
        table: table.clone(),
        cql: cql.clone(),
        source: Box::new(e),
    })?;
    let mut stream = pager.rows_stream::<scylla::value::Row>().map_err(|e| pycassandra::ReadError::Statement {
        table: table.clone(),
        cql: cql.clone(),
        source: Box::new(e),
    })?;
    let mut rows = 0usize;
    while let Some(_row) = stream.try_next().await.map_err(|e| pycassandra::ReadError::Statement {
        table: table.clone(),
        cql: cql.clone(),
        source: Box::new(e),
    })? {
        rows += 1;
    }
    let (seconds, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu_before);
    println!("driver-paged-rows {rows} {:.0} {:.2}", rows as f64 / seconds, cpu * 1e6 / rows as f64);
    Ok(())
}
