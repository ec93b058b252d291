//! `CassandraWriter<T>` (typed rows through pycassandra's engine) against a
//! hand-written loop on the scylla driver alone: the same derived struct
//! bound through `SerializeRow`, a prepared INSERT, the same number of
//! requests in flight. Same node, same run, table truncated between runs,
//! median of the repeats, and the ratio.
//!
//! ```sh
//! cargo run --release -p pycassandra --example derive_vs_driver -- 200000 3
//! ```

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use std::sync::Arc;
use std::time::Instant;

use pycassandra::row::CassandraRow;
use pycassandra::{CassandraWriter, ConnectionOptions, Consistency, WriteOptions};
use scylla::client::session::Session;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

const CONCURRENCY: usize = 100;

#[derive(CassandraRow, Clone)]
#[cassandra(keyspace = "pyc_bench", table = "typed")]
struct Event {
    #[cassandra(partition_key)]
    id: i64,
    name: String,
    amount: i32,
    total: i64,
}

fn event(i: usize) -> Event {
    Event { id: i as i64, name: format!("event-{i:09}"), amount: (i % 1000) as i32, total: i as i64 * 7 }
}

#[path = "process_cpu.rs"]
mod process_cpu;
use process_cpu::cpu_seconds;

async fn run(session: &Session, cql: &str) {
    if let Err(error) = session.query_unpaged(cql, ()).await {
        panic!("{cql}: {error}");
    }
}

async fn count(session: &Session) -> i64 {
    let result = session
        .query_unpaged("SELECT count(*) FROM pyc_bench.typed", ())
        .await
        .unwrap_or_else(|e| panic!("count: {e}"));
    result.into_rows_result().ok().and_then(|rows| rows.first_row::<(i64,)>().ok()).map_or(-1, |(n,)| n)
}

async fn pycassandra_writer(session: &Arc<Session>, host: &str, rows: usize) {
    let mut options = WriteOptions::new(ConnectionOptions::new([host]), "pyc_bench", "typed");
    options.concurrency = CONCURRENCY;
    options.consistency = Consistency::One;
    let mut writer = CassandraWriter::<Event>::with_session_rows(Arc::clone(session), options)
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    writer.write_all((0..rows).map(event)).await.unwrap_or_else(|e| panic!("{e}"));
    writer.finish().await.unwrap_or_else(|e| panic!("{e}"));
}

async fn driver_loop(session: &Arc<Session>, rows: usize) {
    let mut insert =
        session.prepare(pycassandra::row::write_cql::<Event>("pyc_bench")).await.unwrap_or_else(|e| panic!("{e}"));
    insert.set_consistency(Consistency::One);
    let permits = Arc::new(Semaphore::new(CONCURRENCY));
    let mut in_flight = JoinSet::new();
    for i in 0..rows {
        let permit = Arc::clone(&permits).acquire_owned().await.unwrap_or_else(|e| panic!("{e}"));
        let (session, insert, row) = (Arc::clone(session), insert.clone(), event(i));
        in_flight.spawn(async move {
            session.execute_unpaged(&insert, &row).await.unwrap_or_else(|e| panic!("{e}"));
            drop(permit);
        });
        while in_flight.try_join_next().is_some() {}
    }
    while in_flight.join_next().await.is_some() {}
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let rows: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(200_000);
    let repeats: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let host = std::env::var("PYCASSANDRA_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let session =
        pycassandra::session::connect(&ConnectionOptions::new([host.as_str()])).await.unwrap_or_else(|e| panic!("{e}"));
    run(&session, "CREATE KEYSPACE IF NOT EXISTS pyc_bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").await;
    run(
        &session,
        "CREATE TABLE IF NOT EXISTS pyc_bench.typed (id bigint PRIMARY KEY, name text, amount int, total bigint)",
    )
    .await;

    let mut results: Vec<(&str, Vec<f64>, Vec<f64>)> =
        vec![("CassandraWriter<T>", Vec::new(), Vec::new()), ("driver loop", Vec::new(), Vec::new())];
    for repeat in 0..repeats {
        for (name, rates, cpus) in results.iter_mut() {
            run(&session, "TRUNCATE pyc_bench.typed").await;
            let (cpu_before, started) = (cpu_seconds(), Instant::now());
            if *name == "driver loop" {
                driver_loop(&session, rows).await;
            } else {
                pycassandra_writer(&session, &host, rows).await;
            }
            let (seconds, cpu) = (started.elapsed().as_secs_f64(), cpu_seconds() - cpu_before);
            let stored = count(&session).await;
            assert_eq!(stored, rows as i64, "{name} left {stored} rows, not {rows}");
            rates.push(rows as f64 / seconds);
            cpus.push(cpu * 1e6 / rows as f64);
            println!(
                "repeat {repeat}: {name}: {:.0} rows/s, {:.2} µs CPU/row",
                rows as f64 / seconds,
                cpu * 1e6 / rows as f64
            );
        }
    }
    println!("\n| writer | median rows/s | spread | median client CPU µs/row |\n|---|---|---|---|");
    for (name, rates, cpus) in &results {
        let spread = rates.iter().copied().fold(f64::MIN, f64::max) - rates.iter().copied().fold(f64::MAX, f64::min);
        println!("| {name} | {:.0} | {:.0} | {:.2} |", median(rates.clone()), spread, median(cpus.clone()));
    }
    println!(
        "\nratio CassandraWriter<T> / driver loop (rows/s): {:.2}",
        median(results[0].1.clone()) / median(results[1].1.clone())
    );
}
