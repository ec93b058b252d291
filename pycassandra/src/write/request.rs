//! Sending one request (a row, or an unlogged batch of one partition's rows)
//! with retries for idempotent statements.

use std::time::Duration;

use scylla::client::session::Session;
use scylla::errors::{DbError, ExecutionError, RequestAttemptError};
use scylla::response::query_result::QueryResult;
use scylla::statement::batch::{Batch, BatchType};
use scylla::statement::prepared::PreparedStatement;
use scylla::statement::Consistency;
use scylla::value::{CqlValue, Row};

use scylla::serialize::row::SerializeRow;

use super::action::RowAction;
use super::report::Counters;
use crate::error::{Error, WriteError};

/// First backoff after a retryable failure; doubles each retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);
/// Longest single backoff.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub(super) struct Statements {
    pub(super) insert: PreparedStatement,
    pub(super) delete: Option<PreparedStatement>,
    pub(super) table: String,
    pub(super) consistency: Consistency,
    pub(super) idempotent: bool,
    pub(super) conditional: bool,
    pub(super) max_retries: u32,
}

/// One request: a row alone, or an unlogged batch of rows.
pub(super) enum Request<V> {
    Single(RowAction<V>),
    Batch(Vec<RowAction<V>>),
}

impl<V> Request<V> {
    pub(super) fn from_rows(mut rows: Vec<RowAction<V>>) -> Self {
        if rows.len() == 1 {
            if let Some(row) = rows.pop() {
                return Request::Single(row);
            }
        }
        Request::Batch(rows)
    }

    pub(super) fn row_count(&self) -> usize {
        match self {
            Request::Single(_) => 1,
            Request::Batch(rows) => rows.len(),
        }
    }
}

impl<V: SerializeRow + Sync> Request<V> {
    pub(super) async fn execute(
        &self,
        session: &Session,
        statements: &Statements,
        counters: &Counters,
    ) -> Result<(), Error> {
        Counters::add(&counters.requests, 1);
        let mut attempt = 0u32;
        let mut backoff = FIRST_BACKOFF;
        loop {
            attempt += 1;
            match self.attempt(session, statements).await {
                Ok(result) => {
                    self.count(statements, counters, result);
                    return Ok(());
                }
                Err(error) if statements.idempotent && attempt <= statements.max_retries && is_retryable(&error) => {
                    Counters::add(&counters.retries, 1);
                    tracing::debug!(attempt, %error, "retrying write");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(source) => {
                    return Err(
                        WriteError::Request { table: statements.table.clone(), attempts: attempt, source }.into()
                    );
                }
            }
        }
    }

    async fn attempt(&self, session: &Session, statements: &Statements) -> Result<QueryResult, ExecutionError> {
        match self {
            Request::Single(RowAction::Write(values)) => session.execute_unpaged(&statements.insert, values).await,
            Request::Single(RowAction::Delete(values)) => {
                let delete = statements.delete.as_ref().ok_or(ExecutionError::EmptyPlan)?;
                session.execute_unpaged(delete, values).await
            }
            Request::Batch(rows) => {
                let mut batch = Batch::new(BatchType::Unlogged);
                batch.set_consistency(statements.consistency);
                batch.set_is_idempotent(statements.idempotent);
                let mut values: Vec<&V> = Vec::with_capacity(rows.len());
                for row in rows {
                    match row {
                        RowAction::Write(row_values) => {
                            batch.append_statement(statements.insert.clone());
                            values.push(row_values);
                        }
                        RowAction::Delete(row_values) => {
                            let delete = statements.delete.as_ref().ok_or(ExecutionError::EmptyPlan)?;
                            batch.append_statement(delete.clone());
                            values.push(row_values);
                        }
                    }
                }
                session.batch(&batch, values).await
            }
        }
    }

    fn count(&self, statements: &Statements, counters: &Counters, result: QueryResult) {
        let rows: &[RowAction<V>] = match self {
            Request::Single(row) => std::slice::from_ref(row),
            Request::Batch(rows) => rows,
        };
        let deleted = rows.iter().filter(|r| r.is_delete()).count() as u64;
        let inserted = rows.len() as u64 - deleted;
        if statements.conditional && !applied(result) {
            Counters::add(&counters.lwt_not_applied, inserted);
        } else {
            Counters::add(&counters.rows_written, inserted);
        }
        Counters::add(&counters.rows_deleted, deleted);
    }
}

/// The `[applied]` column of a conditional write's result.
fn applied(result: QueryResult) -> bool {
    let Ok(rows) = result.into_rows_result() else { return true };
    match rows.first_row::<Row>() {
        Ok(row) => !matches!(row.columns.first(), Some(Some(CqlValue::Boolean(false)))),
        Err(_) => true,
    }
}

/// Timeouts, overload and lost connections may pass; anything else will not.
fn is_retryable(error: &ExecutionError) -> bool {
    crate::session::no_node_answered(error)
        || matches!(
            error,
            ExecutionError::LastAttemptError(RequestAttemptError::DbError(
                DbError::WriteTimeout { .. } | DbError::Unavailable { .. } | DbError::ServerError,
                _
            ))
        )
}
