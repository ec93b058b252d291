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

/// A fresh keyspace for one test, so tests run in parallel; it is dropped
/// with the returned guard.
pub async fn unique_keyspace(session: &Session) -> TestKeyspace {
    let name = format!("{TEST_KEYSPACE_PREFIX}{}", uuid::Uuid::new_v4().simple());
    ddl(
        session,
        &format!("CREATE KEYSPACE {name} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
    )
    .await;
    TestKeyspace { name }
}

/// What every test keyspace's name starts with; scripts/test fails when a
/// run leaves one behind on the node.
pub const TEST_KEYSPACE_PREFIX: &str = "pyc_test_";

/// A keyspace made by [`unique_keyspace`] for one test. Dropping the guard
/// drops the keyspace, also when the test panics (the guard is dropped while
/// the panic unwinds), so runs leave nothing on the developer's node.
#[derive(Debug)]
pub struct TestKeyspace {
    name: String,
}

impl TestKeyspace {
    /// The keyspace's name.
    pub fn as_str(&self) -> &str {
        &self.name
    }
}

impl std::ops::Deref for TestKeyspace {
    type Target = str;
    fn deref(&self) -> &str {
        &self.name
    }
}

// For the options' `impl Into<String>` parameters: `WriteOptions::new(.., &keyspace, ..)`.
impl From<&TestKeyspace> for String {
    fn from(keyspace: &TestKeyspace) -> String {
        keyspace.name.clone()
    }
}

impl std::fmt::Display for TestKeyspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl Drop for TestKeyspace {
    fn drop(&mut self) {
        // Drop cannot await, and the test's runtime may be a current-thread one
        // that is blocked in this very call, so its sessions cannot make
        // progress: the DROP goes through a session of its own, on a thread
        // with its own runtime.
        let cql = format!("DROP KEYSPACE IF EXISTS {}", self.name);
        let outcome = std::thread::spawn(move || -> Result<(), String> {
            let runtime =
                tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
            runtime.block_on(async {
                let session = pycassandra::session::connect(&node_options()).await.map_err(|e| e.to_string())?;
                session.query_unpaged(cql, ()).await.map_err(|e| e.to_string())?;
                Ok(())
            })
        })
        .join();
        // No panic here: during a failing test's unwinding it would abort the
        // whole run. scripts/test names any keyspace left behind.
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(error)) => eprintln!("test keyspace {} was not dropped: {error}", self.name),
            Err(_) => eprintln!("test keyspace {} was not dropped: the dropping thread panicked", self.name),
        }
    }
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
mod cdc;
#[cfg(test)]
mod derive;
#[cfg(test)]
mod docs;
#[cfg(test)]
mod faults;
#[cfg(test)]
mod features;
#[cfg(test)]
mod lookup;
#[cfg(test)]
mod nested;
#[cfg(test)]
mod option_rules;
#[cfg(test)]
mod read;
#[cfg(test)]
mod read_stream;
#[cfg(test)]
mod roundtrip;
#[cfg(test)]
mod row_lookup;
#[cfg(test)]
mod security;
#[cfg(test)]
mod stream;
#[cfg(test)]
mod update_mode;
#[cfg(test)]
mod write;

#[cfg(test)]
mod keyspace_guard {
    use super::*;

    async fn keyspace_exists(session: &Session, name: &str) -> bool {
        let rows = session
            .query_unpaged("SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", (name,))
            .await
            .unwrap()
            .into_rows_result()
            .unwrap();
        rows.rows_num() > 0
    }

    #[tokio::test]
    async fn the_keyspace_of_a_test_that_panics_is_dropped() {
        let session = node_session().await;
        let in_task = session.clone();
        // The panic message carries the name, so the test can look for it afterwards.
        let failed = tokio::spawn(async move {
            let keyspace = unique_keyspace(&in_task).await;
            assert!(keyspace_exists(&in_task, &keyspace).await);
            panic!("{keyspace}");
        })
        .await
        .unwrap_err();
        let name = *failed.into_panic().downcast::<String>().unwrap();
        assert!(name.starts_with(TEST_KEYSPACE_PREFIX), "{name}");
        assert!(!keyspace_exists(&session, &name).await, "{name} is still there");
    }
}
