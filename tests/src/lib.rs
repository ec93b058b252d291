//! Integration tests of pycassandra against a real Cassandra node.
//!
//! The node is named by `PYCASSANDRA_HOST` (default `127.0.0.1`) and
//! `PYCASSANDRA_PORT` (default 9042). When nothing answers, the fixtures
//! fail loudly: these tests are never skipped.

use std::sync::Arc;

use pycassandra::ConnectionOptions;
use scylla::client::session::Session;

/// Contact point of the test node.
pub fn node_address() -> String {
    let host = std::env::var("PYCASSANDRA_HOST").unwrap_or_else(|_| "127.0.0.1".into());
    let port = std::env::var("PYCASSANDRA_PORT").unwrap_or_else(|_| "9042".into());
    format!("{host}:{port}")
}

/// Connection options for the test node.
pub fn node_options() -> ConnectionOptions {
    ConnectionOptions::new([node_address()])
}

/// A session on the test node; panics with advice when the node is down.
pub async fn node_session() -> Arc<Session> {
    match pycassandra::session::connect(&node_options()).await {
        Ok(session) => session,
        Err(error) => panic!(
            "no Cassandra node answers at {} ({error}); start one with `scripts/cassandra start`",
            node_address()
        ),
    }
}

/// A fresh keyspace for one test, so tests run in parallel.
pub async fn unique_keyspace(session: &Session) -> String {
    let name = format!("pyc_test_{}", uuid::Uuid::new_v4().simple());
    ddl(
        session,
        &format!("CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
    )
    .await;
    name
}

/// Runs a schema statement and waits for agreement.
pub async fn ddl(session: &Session, cql: &str) {
    if let Err(error) = session.query_unpaged(cql, ()).await {
        panic!("DDL failed: {cql}: {error}");
    }
    let _ = session.await_schema_agreement().await;
}

/// A batch of nullable columns named as given.
pub fn record_batch(columns: Vec<(&str, arrow_array::ArrayRef)>) -> arrow_array::RecordBatch {
    let fields: Vec<arrow_schema::Field> =
        columns.iter().map(|(n, a)| arrow_schema::Field::new(*n, a.data_type().clone(), true)).collect();
    let schema = Arc::new(arrow_schema::Schema::new(fields));
    match arrow_array::RecordBatch::try_new(schema, columns.into_iter().map(|(_, a)| a).collect()) {
        Ok(batch) => batch,
        Err(error) => panic!("test batch: {error}"),
    }
}

/// Sends test logs to the test's output when `RUST_LOG` asks for them.
pub fn setup_tracing() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
}

#[cfg(test)]
mod bad_input;
#[cfg(test)]
mod batch_limits;
#[cfg(test)]
mod derive;
#[cfg(test)]
mod docs;
#[cfg(test)]
mod faults;
#[cfg(test)]
mod features;
#[cfg(test)]
mod nested;
#[cfg(test)]
mod read;
#[cfg(test)]
mod roundtrip;
#[cfg(test)]
mod security;
#[cfg(test)]
mod stream;
#[cfg(test)]
mod update_mode;
#[cfg(test)]
mod write;
