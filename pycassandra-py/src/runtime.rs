//! The tokio runtime and the session cache of one Python process.
//!
//! PySpark forks its Python workers, and a runtime's threads do not survive a
//! fork: each process makes its own runtime lazily and drops sessions made by
//! its parent. Sessions, and the readers prepared on them, are reused by
//! later tasks of the same worker.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use pycassandra::cdc::CdcSchema;
use pycassandra::write::PreparedStatements;
use pycassandra::{CassandraReader, ConnectionOptions, TableSchema};
use pyo3::prelude::*;
use scylla::client::session::Session;
use tokio::runtime::Runtime;

struct ProcessState {
    pid: u32,
    runtime: Arc<Runtime>,
    sessions: HashMap<String, Arc<Session>>,
    /// Readers by job (options, table, columns, filters): a worker's later
    /// tasks of the same read reuse the prepared scan.
    readers: HashMap<String, Arc<CassandraReader>>,
    /// Write statements by session: a worker's later tasks reuse them.
    write_statements: HashMap<usize, Arc<PreparedStatements>>,
    /// Change-stream schemas by query: a worker's later tasks of one query
    /// decode with the schema its first task read.
    change_schemas: HashMap<String, CdcSchema>,
    counts: Counts,
}

/// What this process asked of the cluster, for tests that pin how often.
#[derive(Clone, Copy, Default)]
pub(crate) struct Counts {
    pub(crate) table_schema_loads: usize,
    pub(crate) change_schema_reloads: usize,
    pub(crate) scans_prepared: usize,
}

/// Readers kept per process at most: a long-lived worker serving many jobs
/// starts over rather than holding every table's statements forever.
const MAX_CACHED_READERS: usize = 32;
const MAX_CACHED_WRITE_STATEMENTS: usize = 64;
const MAX_CACHED_CHANGE_SCHEMAS: usize = 32;

static STATE: Mutex<Option<ProcessState>> = Mutex::new(None);

fn with_state<T>(f: impl FnOnce(&mut ProcessState) -> T) -> PyResult<T> {
    let mut guard =
        STATE.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("pycassandra runtime lock poisoned"))?;
    let pid = std::process::id();
    if guard.as_ref().is_none_or(|state| state.pid != pid) {
        if let Some(stale) = guard.take() {
            // Inherited across a fork: its threads are gone, so never drop (join) them.
            std::mem::forget(stale);
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("pycassandra")
            .enable_all()
            .build()
            .map_err(|e| {
                pyo3::exceptions::PyRuntimeError::new_err(format!("cannot start the pycassandra runtime: {e}"))
            })?;
        *guard = Some(ProcessState {
            pid,
            runtime: Arc::new(runtime),
            sessions: HashMap::new(),
            readers: HashMap::new(),
            write_statements: HashMap::new(),
            change_schemas: HashMap::new(),
            counts: Counts::default(),
        });
    }
    match guard.as_mut() {
        Some(state) => Ok(f(state)),
        None => Err(pyo3::exceptions::PyRuntimeError::new_err("pycassandra runtime missing")),
    }
}

/// Runs `future` to completion with the GIL released.
pub(crate) fn run_detached<F, T>(py: Python<'_>, future: F) -> PyResult<T>
where
    F: Future<Output = Result<T, pycassandra::Error>> + Send,
    T: Send,
{
    let runtime = with_state(|state| Arc::clone(&state.runtime))?;
    py.detach(|| runtime.block_on(future)).map_err(crate::errors::to_py)
}

/// A session for these connection options and keyspace (the only one whose
/// schema it reads), made once per process.
pub(crate) fn session(py: Python<'_>, options: &ConnectionOptions, keyspace: &str) -> PyResult<Arc<Session>> {
    // The password is part of the key (a different login needs another
    // session) but the key is never printed.
    // The timeouts too: the request timeout is the session's default, so a
    // job with another one must not get this job's session.
    let key = format!(
        "{:?}|{:?}|{:?}|{:?}|{}|{keyspace}",
        options.contact_points,
        options.connect_timeout,
        options.request_timeout,
        options.tls,
        options.credentials.as_ref().map_or(String::new(), |c| format!("{}:{}", c.username, c.password.expose()))
    );
    if let Some(session) = with_state(|state| state.sessions.get(&key).cloned())? {
        // A session that lost every connection (its nodes went down) is
        // replaced: the driver's pools may give up on a node that has since
        // come back, and later tasks in this worker would fail on it forever.
        if session.get_cluster_state().get_nodes_info().iter().any(|node| node.is_connected()) {
            return Ok(session);
        }
        tracing::info!("a cached session has no live connection left; connecting again");
        let address = session_address(&session);
        with_state(|state| {
            state.sessions.remove(&key);
            // What was prepared on it goes with it (a new session may reuse its address).
            state.readers.retain(|reader_key, _| !reader_key.starts_with(&format!("{address:x}|")));
            state.write_statements.remove(&address);
        })?;
    }
    let (options, keyspace) = (options.clone(), keyspace.to_string());
    let session = run_detached(py, async move { pycassandra::session::connect_for(&options, &[&keyspace]).await })?;
    with_state(|state| state.sessions.insert(key, Arc::clone(&session)))?;
    Ok(session)
}

/// Reads `keyspace.table` from the cluster's metadata (a round trip), counted.
pub(crate) fn load_table(py: Python<'_>, session: Arc<Session>, keyspace: &str, table: &str) -> PyResult<TableSchema> {
    let (keyspace, table) = (keyspace.to_string(), table.to_string());
    let loaded = run_detached(py, async move {
        TableSchema::load(&session, &keyspace, &table).await.map_err(pycassandra::Error::from)
    })?;
    with_state(|state| state.counts.table_schema_loads += 1)?;
    Ok(loaded)
}

/// The change-stream schema cached under `key`, else the one `load` reads
/// from the cluster (counted as a table schema load), cached for the worker's
/// later tasks.
pub(crate) fn change_schema(key: &str, load: impl FnOnce() -> PyResult<CdcSchema>) -> PyResult<CdcSchema> {
    if let Some(schema) = with_state(|state| state.change_schemas.get(key).cloned())? {
        return Ok(schema);
    }
    let schema = load()?;
    with_state(|state| state.counts.table_schema_loads += 1)?;
    cache_change_schema(key, &schema)?;
    Ok(schema)
}

/// Counts a change stream's schema read again after a table id it did not know.
pub(crate) fn count_change_schema_reload() -> PyResult<()> {
    with_state(|state| state.counts.change_schema_reloads += 1)
}

/// Replaces the change-stream schema cached under `key` (one reloaded after
/// a table it did not know appeared in the log).
pub(crate) fn cache_change_schema(key: &str, schema: &CdcSchema) -> PyResult<()> {
    with_state(|state| {
        if state.change_schemas.len() >= MAX_CACHED_CHANGE_SCHEMAS && !state.change_schemas.contains_key(key) {
            state.change_schemas.clear();
        }
        state.change_schemas.insert(key.to_string(), schema.clone());
    })
}

/// The reader cached under `key` on `session`, else the one `open` makes
/// (which prepares the scan), cached for the worker's later tasks.
pub(crate) fn reader(
    key: &str,
    session: &Arc<Session>,
    open: impl FnOnce() -> PyResult<CassandraReader>,
) -> PyResult<Arc<CassandraReader>> {
    // The session is part of the key: a session replaced after losing its
    // nodes must not keep serving statements prepared on the old one.
    let key = format!("{:x}|{key}", session_address(session));
    if let Some(reader) = with_state(|state| state.readers.get(&key).cloned())? {
        return Ok(reader);
    }
    let reader = Arc::new(open()?);
    with_state(|state| {
        state.counts.scans_prepared += 1;
        if state.readers.len() >= MAX_CACHED_READERS {
            state.readers.clear();
        }
        state.readers.insert(key, Arc::clone(&reader));
    })?;
    Ok(reader)
}

fn session_address(session: &Arc<Session>) -> usize {
    Arc::as_ptr(session) as usize
}

/// The write statements prepared on `session` by this process (more when a
/// writer needs others); a long-lived worker starts over past a limit.
pub(crate) fn write_statements(session: &Arc<Session>) -> PyResult<Arc<PreparedStatements>> {
    with_state(|state| {
        let statements = state.write_statements.entry(session_address(session)).or_default();
        if statements.len() >= MAX_CACHED_WRITE_STATEMENTS {
            *statements = Arc::default();
        }
        Arc::clone(statements)
    })
}

fn current<T>(read: impl FnOnce(&ProcessState) -> T, default: T) -> PyResult<T> {
    let guard =
        STATE.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("pycassandra runtime lock poisoned"))?;
    Ok(guard.as_ref().filter(|state| state.pid == std::process::id()).map_or(default, read))
}

/// The number of sessions cached in this process (made by it, not inherited
/// across a fork); starts no runtime.
#[pyfunction]
pub(crate) fn cached_session_count() -> PyResult<usize> {
    current(|state| state.sessions.len(), 0)
}

/// How many times this process read a table's schema from the cluster (a
/// task of a planned job reads none: the table travels with the job; a
/// change stream's worker reads one per query, and its reloads after another
/// client's DDL are counted by `change_schema_reloads`); starts no runtime.
#[pyfunction]
pub(crate) fn table_schema_loads() -> PyResult<usize> {
    current(|state| state.counts.table_schema_loads, 0)
}

/// How many times a change stream in this process read its schema again
/// after meeting a table id it did not know; starts no runtime.
#[pyfunction]
pub(crate) fn change_schema_reloads() -> PyResult<usize> {
    current(|state| state.counts.change_schema_reloads, 0)
}

/// How many write statements (INSERT/UPDATE, DELETE) this process prepared:
/// a worker prepares a job's once and its later tasks reuse them; starts no runtime.
#[pyfunction]
pub(crate) fn write_statements_prepared() -> PyResult<usize> {
    current(|state| state.write_statements.values().map(|statements| statements.len()).sum(), 0)
}

/// How many scans this process prepared (one per read job per worker: later
/// tasks reuse it); starts no runtime.
#[pyfunction]
pub(crate) fn scans_prepared() -> PyResult<usize> {
    current(|state| state.counts.scans_prepared, 0)
}
