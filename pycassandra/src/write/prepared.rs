//! [`PreparedStatements`]: statements prepared once per session and shared
//! by the writers opened on it later, so that a process running many tasks
//! of one job (a PySpark worker) prepares each statement once, not per task.

use std::collections::HashMap;
use std::sync::Mutex;

use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

use crate::error::{Error, WriteError};

/// Prepared statements by CQL text, for one session.
///
/// ```no_run
/// # async fn demo(session: std::sync::Arc<scylla::client::session::Session>, input: arrow_schema::Schema,
/// #     table: pycassandra::TableSchema, options: pycassandra::WriteOptions) -> Result<(), pycassandra::Error> {
/// use pycassandra::write::PreparedStatements;
/// let statements = PreparedStatements::default();
/// for _task in 0..3 {
///     let writer = pycassandra::CassandraWriter::with_prepared(
///         session.clone(), options.clone(), &table, &input, &statements).await?;
///     writer.finish().await?;
/// }
/// assert!(statements.len() <= 2); // the INSERT (and DELETE), prepared by the first writer only
/// # Ok(()) }
/// ```
#[derive(Debug, Default)]
pub struct PreparedStatements {
    by_cql: Mutex<HashMap<String, PreparedStatement>>,
}

impl PreparedStatements {
    /// How many statements have been prepared through this cache.
    pub fn len(&self) -> usize {
        self.by_cql.lock().map_or(0, |by_cql| by_cql.len())
    }

    /// Whether nothing has been prepared through this cache yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `cql` as prepared earlier on `session`, else prepared now and kept.
    /// The caller sets consistency and idempotence on its own copy.
    pub(super) async fn get_or_prepare(&self, session: &Session, cql: &str) -> Result<PreparedStatement, Error> {
        if let Some(statement) = self.by_cql.lock().ok().and_then(|by_cql| by_cql.get(cql).cloned()) {
            return Ok(statement);
        }
        let statement =
            session.prepare(cql).await.map_err(|source| WriteError::Prepare { cql: cql.to_string(), source })?;
        if let Ok(mut by_cql) = self.by_cql.lock() {
            by_cql.insert(cql.to_string(), statement.clone());
        }
        Ok(statement)
    }
}
