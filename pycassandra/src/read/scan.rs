//! One token range scanned page by page, each page one RecordBatch. The next
//! page is already on its way while the current one is decoded.

use std::sync::Arc;

use arrow_array::RecordBatch;
use scylla::client::session::Session;
use scylla::deserialize::row::ColumnIterator;
use scylla::response::query_result::QueryResult;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::statement::prepared::PreparedStatement;
use tokio::task::JoinHandle;

use super::plan::{OutputColumn, ScanPlan};
use super::to_arrow::Sink;
use super::token_range::TokenRange;
use crate::cql_type;
use crate::error::{DecodeFailure, Error, ReadError};

type Page = Result<(QueryResult, PagingStateResponse), ReadError>;

/// Reads one token range. Call [`next_batch`](Self::next_batch) until it gives `None`.
pub struct Scan {
    session: Arc<Session>,
    plan: Arc<ScanPlan>,
    statement: PreparedStatement,
    range: TokenRange,
    table: String,
    sinks: Vec<Sink>,
    pending: Option<JoinHandle<Page>>,
    /// The first page, asked for on the first call: making a scan needs no runtime.
    first_page: Option<PagingState>,
    rows_read: u64,
}

impl Scan {
    pub(crate) fn new(
        session: Arc<Session>,
        plan: Arc<ScanPlan>,
        statement: PreparedStatement,
        range: TokenRange,
        table: String,
    ) -> Self {
        let sinks = plan.columns.iter().map(|c| c.sink()).collect();
        Self {
            session,
            plan,
            statement,
            range,
            table,
            sinks,
            pending: None,
            first_page: Some(PagingState::start()),
            rows_read: 0,
        }
    }

    /// The range this scan reads.
    pub fn range(&self) -> TokenRange {
        self.range
    }

    /// Rows returned so far.
    pub fn rows_read(&self) -> u64 {
        self.rows_read
    }

    /// The next page as a batch, or `None` when the range is done. Empty pages
    /// (the node may send some) are skipped.
    pub async fn next_batch(&mut self) -> Result<Option<RecordBatch>, Error> {
        if let Some(first) = self.first_page.take() {
            self.pending = Some(fetch(&self.session, &self.plan, &self.statement, self.range, first, &self.table));
        }
        while let Some(pending) = self.pending.take() {
            let (result, paging) =
                pending.await.map_err(|source| ReadError::TaskFailed { table: self.table.clone(), source })??;
            if let PagingStateResponse::HasMorePages { state } = paging {
                self.pending = Some(fetch(&self.session, &self.plan, &self.statement, self.range, state, &self.table));
            }
            let batch = self.decode(result)?;
            if batch.num_rows() > 0 {
                self.rows_read += batch.num_rows() as u64;
                return Ok(Some(batch));
            }
        }
        Ok(None)
    }

    fn decode(&mut self, result: QueryResult) -> Result<RecordBatch, Error> {
        let statement_error = |source: Box<dyn std::error::Error + Send + Sync>| ReadError::Statement {
            table: self.table.clone(),
            cql: self.plan.cql.clone(),
            source,
        };
        let (start, end) = (self.range.start, self.range.end);
        let decode_error = |row, column: &OutputColumn, failure| ReadError::Decode {
            row,
            start,
            end,
            column: column.name.clone(),
            cql_type: cql_type::name(&column.cql_type),
            failure,
        };
        let rows = decode_page(result, &self.plan, &mut self.sinks, &statement_error, &decode_error)?;
        let arrow_error = |source| ReadError::Arrow { table: self.table.clone(), source };
        let arrays = self.sinks.iter_mut().map(Sink::finish).collect::<Result<Vec<_>, _>>().map_err(arrow_error)?;
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(rows));
        Ok(RecordBatch::try_new_with_options(self.plan.schema.clone(), arrays, &options).map_err(arrow_error)?)
    }
}

/// A driver error as the read error that names the statement.
pub(crate) type StatementError<'a> = &'a dyn Fn(Box<dyn std::error::Error + Send + Sync>) -> ReadError;
/// A value that does not decode, at (row of the page, column), as the read error that names it.
pub(crate) type DecodeError<'a> = &'a dyn Fn(usize, &OutputColumn, DecodeFailure) -> ReadError;

/// Decodes every row of one page into `sinks` (one per column of `plan`),
/// straight from the frame; returns the number of rows.
pub(crate) fn decode_page(
    result: QueryResult,
    plan: &ScanPlan,
    sinks: &mut [Sink],
    statement_error: StatementError<'_>,
    decode_error: DecodeError<'_>,
) -> Result<usize, ReadError> {
    let rows = result.into_rows_result().map_err(|e| statement_error(Box::new(e)))?;
    let iterator = rows.rows::<ColumnIterator>().map_err(|e| statement_error(Box::new(e)))?;
    for (row, columns) in iterator.enumerate() {
        let columns = columns.map_err(|e| statement_error(Box::new(e)))?;
        for ((raw, sink), column) in columns.zip(sinks.iter_mut()).zip(&plan.columns) {
            let raw = raw.map_err(|e| statement_error(Box::new(e)))?;
            sink.push(raw.slice.map(|s| s.as_slice())).map_err(|failure| decode_error(row, column, failure))?;
        }
    }
    Ok(rows.rows_num())
}

fn fetch(
    session: &Arc<Session>,
    plan: &ScanPlan,
    statement: &PreparedStatement,
    range: TokenRange,
    paging: PagingState,
    table: &str,
) -> JoinHandle<Page> {
    let session = Arc::clone(session);
    let statement = statement.clone();
    let (table, cql, binds_range) = (table.to_string(), plan.cql.clone(), plan.binds_range);
    tokio::spawn(async move {
        let page = if binds_range {
            session.execute_single_page(&statement, (range.start, range.end), paging).await
        } else {
            session.execute_single_page(&statement, (), paging).await
        };
        page.map_err(|source| ReadError::Statement { table, cql, source: Box::new(source) })
    })
}
