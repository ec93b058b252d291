//! Typed rows against the local node: a `#[derive(CassandraRow)]` struct
//! written by `CassandraWriter<T>` and read back by `CassandraReader`.
//!
//! ```sh
//! cargo run -p pycassandra --example derive_row     # PYCASSANDRA_HOST (default 127.0.0.1)
//! ```

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use pycassandra::row::CassandraRow;
use pycassandra::{CassandraReader, CassandraWriter, ConnectionOptions, ReadOptions, WriteOptions};
use scylla::value::CqlTimestamp;

#[derive(CassandraRow, Debug, Clone, PartialEq)]
#[cassandra(keyspace = "pyc_example", table = "orders")]
struct Order {
    #[cassandra(partition_key)]
    customer: uuid::Uuid,
    #[cassandra(clustering_key)]
    placed: CqlTimestamp,
    #[cassandra(rename = "total_cents")]
    total: i64,
    items: Vec<String>,
    note: Option<String>,
    #[cassandra(ttl)]
    ttl: Option<i32>,
}

#[tokio::main]
async fn main() -> Result<(), pycassandra::Error> {
    let host = std::env::var("PYCASSANDRA_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let connection = ConnectionOptions::new([host.as_str()]);
    let session = pycassandra::session::connect(&connection).await?;
    for cql in [
        "CREATE KEYSPACE IF NOT EXISTS pyc_example WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}",
        "CREATE TABLE IF NOT EXISTS pyc_example.orders (customer uuid, placed timestamp, total_cents bigint, items list<text>, note text, PRIMARY KEY (customer, placed))",
        "TRUNCATE pyc_example.orders",
    ] {
        session.query_unpaged(cql, ()).await.map_err(|source| pycassandra::WriteError::Statement { cql: cql.into(), source })?;
    }
    println!("{}", pycassandra::row::write_cql::<Order>("pyc_example"));

    let orders: Vec<Order> = (0..10u128)
        .map(|i| Order {
            customer: uuid::Uuid::from_u128(i % 3),
            placed: CqlTimestamp(1_700_000_000_000 + i as i64),
            total: 1_000 * i as i64,
            items: vec![format!("item-{i}")],
            note: (i % 2 == 0).then(|| "gift".to_string()),
            ttl: Some(3_600),
        })
        .collect();
    let mut writer = CassandraWriter::<Order>::with_session_rows(
        session.clone(),
        WriteOptions::new(connection.clone(), "pyc_example", "orders"),
    )
    .await?;
    writer.write_all(orders.clone()).await?;
    println!("written: {:?}", writer.finish().await?);

    let reader = CassandraReader::open_rows::<Order>(ReadOptions::new(connection, "pyc_example", "orders")).await?;
    let mut read = Vec::new();
    for split in reader.splits().await? {
        read.extend(reader.read_rows::<Order>(&split).await?);
    }
    read.sort_by_key(|o| o.placed.0);
    // The TTL is a write setting, not a column: it reads back as None.
    let expected: Vec<Order> = orders.into_iter().map(|o| Order { ttl: None, ..o }).collect();
    println!("read back {} orders, equal to what was written: {}", read.len(), read == expected);
    Ok(())
}
