//! [`CassandraWriter`]: one engine for batch jobs and streams. Memory is
//! bounded by the requests in flight (`batch_size`), never by input size.

mod plan;
mod report;
mod request;
mod size;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub use report::WriteReport;

use crate::config::{BatchGrouping, WriteOptions};
use crate::error::{Error, WriteError};
use crate::row::CassandraRow;
use crate::schema::TableSchema;
use plan::{Grouping, PlannedRow, RowAction, Values, WritePlan};
use report::Counters;
use request::{Request, Statements};

/// Writes Arrow record batches into one table.
///
/// ```no_run
/// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
/// use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
/// let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
/// writer.write_batch(&batch).await?;
/// let report = writer.finish().await?;
/// println!("{} rows written", report.rows_written);
/// # Ok(()) }
/// ```
///
/// Typed rows go through the same engine: `CassandraWriter<T>` for a
/// `#[derive(CassandraRow)]` struct `T` (see [`crate::row`]).
pub struct CassandraWriter<T = RecordBatch> {
    session: Arc<Session>,
    /// Keyspace and table as the schema names them (for token computation).
    keyspace: String,
    table: String,
    options: WriteOptions,
    /// How Arrow columns become values; `None` for typed rows.
    plan: Option<WritePlan>,
    statements: Arc<Statements>,
    permits: Arc<Semaphore>,
    in_flight: JoinSet<()>,
    counters: Arc<Counters>,
    first_error: Arc<Mutex<Option<Error>>>,
    started: Instant,
    micro_batch: Option<(Instant, WriteReport)>,
    rows: std::marker::PhantomData<fn(T)>,
}

impl CassandraWriter<RecordBatch> {
    /// Connects, reads the table's schema and prepares the statements for
    /// input of the given Arrow schema.
    pub async fn open(options: WriteOptions, input: &Schema) -> Result<Self, Error> {
        options.validate()?;
        let session = crate::session::connect_for(&options.connection, &[&options.keyspace]).await?;
        Self::with_session(session, options, input).await
    }

    /// Like [`open`](Self::open), on an existing session.
    pub async fn with_session(session: Arc<Session>, options: WriteOptions, input: &Schema) -> Result<Self, Error> {
        options.validate()?;
        let table = TableSchema::load(&session, &options.keyspace, &options.table).await?;
        Self::with_schema(session, options, &table, input).await
    }

    /// Like [`with_session`](Self::with_session), with the schema already read
    /// (the PySpark source reads it once on the driver).
    pub async fn with_schema(
        session: Arc<Session>,
        options: WriteOptions,
        table: &TableSchema,
        input: &Schema,
    ) -> Result<Self, Error> {
        options.validate()?;
        let plan = WritePlan::new(table, input, &options)?;
        // Increments and list appends repeat if retried; LWTs must never be retried blindly.
        let idempotent = !options.if_not_exists && !table.has_counters() && !appends_to_lists(table, &options);
        let insert = prepare(&session, &plan.write_cql, &options, idempotent).await?;
        let delete = match &plan.delete_cql {
            Some(cql) => Some(prepare(&session, cql, &options, true).await?),
            None => None,
        };
        tracing::debug!(keyspace = %table.keyspace, table = %table.table, cql = %plan.write_cql, "writer opened");
        Ok(Self::assemble(session, options, table, Some(plan), insert, delete, idempotent))
    }

    /// Converts `batch` and sends its rows. Returns once every request is in
    /// flight, so the caller can fetch the next batch while these complete.
    /// A conversion error fails before any row of the batch is sent.
    pub async fn write_batch(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.raise_first_error()?;
        Counters::add(&self.counters.input_bytes, batch.get_array_memory_size() as u64);
        let cluster = self.session.get_cluster_state();
        let grouping = match self.grouping() {
            BatchGrouping::None => Grouping::None,
            BatchGrouping::Partition => Grouping::Partition,
            BatchGrouping::ReplicaSet => {
                Grouping::ReplicaSet { cluster: &cluster, keyspace: &self.keyspace, table: &self.table }
            }
        };
        let Some(plan) = &self.plan else { return Err(WriteError::Closed { reason: "no Arrow plan".into() }.into()) };
        let rows = match plan.rows(batch, grouping) {
            Ok(rows) => rows,
            Err(error) => {
                Counters::add(&self.counters.rows_failed, batch.num_rows() as u64);
                return Err(error);
            }
        };
        for request in self.group(rows) {
            self.send(request).await?;
        }
        self.throttle().await;
        Ok(())
    }
}

impl<T: CassandraRow> CassandraWriter<T> {
    /// Connects, checks `T` against the live table (every mismatch in one
    /// error) and prepares `T`'s statement. The keyspace is `T`'s, else
    /// `options.keyspace`; the table is `T`'s.
    pub async fn open_rows(options: WriteOptions) -> Result<Self, Error> {
        let options = Self::rows_target(options);
        options.validate()?;
        let session = crate::session::connect_for(&options.connection, &[&options.keyspace]).await?;
        Self::with_session_rows(session, options).await
    }

    /// `options` aimed at `T`'s table: its keyspace (else `options.keyspace`) and its table.
    fn rows_target(mut options: WriteOptions) -> WriteOptions {
        if let Some(keyspace) = T::KEYSPACE {
            options.keyspace = keyspace.to_string();
        }
        options.table = T::TABLE.to_string();
        options
    }

    /// Like [`open_rows`](Self::open_rows), on an existing session.
    pub async fn with_session_rows(session: Arc<Session>, options: WriteOptions) -> Result<Self, Error> {
        let options = Self::rows_target(options);
        options.validate()?;
        let table = TableSchema::load(&session, &options.keyspace, T::TABLE).await?;
        crate::row::check_against::<T>(&table)?;
        let cql = crate::row::write_cql::<T>(&table.keyspace);
        // Increments repeat if retried.
        let idempotent = T::COUNTERS.is_empty();
        let insert = prepare(&session, &cql, &options, idempotent).await?;
        tracing::debug!(keyspace = %table.keyspace, table = %table.table, cql = %cql, "typed writer opened");
        Ok(Self::assemble(session, options, &table, None, insert, None, idempotent))
    }

    /// Sends one row; returns once it is in flight.
    pub async fn write(&mut self, row: T) -> Result<(), Error> {
        self.raise_first_error()?;
        self.send(Request::single(RowAction::Write(Values::Typed(Box::new(row))))).await
    }

    /// Sends every row; returns once the last is in flight.
    pub async fn write_all(&mut self, rows: impl IntoIterator<Item = T>) -> Result<(), Error> {
        for row in rows {
            self.write(row).await?;
        }
        Ok(())
    }
}

impl<T> CassandraWriter<T> {
    fn assemble(
        session: Arc<Session>,
        options: WriteOptions,
        table: &TableSchema,
        plan: Option<WritePlan>,
        insert: PreparedStatement,
        delete: Option<PreparedStatement>,
        idempotent: bool,
    ) -> Self {
        Self {
            statements: Arc::new(Statements {
                insert,
                delete,
                table: format!("{}.{}", table.keyspace, table.table),
                consistency: options.consistency,
                idempotent,
                conditional: options.if_not_exists,
                max_retries: options.max_retries,
            }),
            permits: Arc::new(Semaphore::new(options.concurrency)),
            keyspace: table.keyspace.clone(),
            table: table.table.clone(),
            session,
            options,
            plan,
            in_flight: JoinSet::new(),
            counters: Arc::new(Counters::default()),
            first_error: Arc::new(Mutex::new(None)),
            started: Instant::now(),
            micro_batch: None,
            rows: std::marker::PhantomData,
        }
    }

    /// Sleeps while the input consumed runs ahead of `throughput_mb_per_sec`.
    async fn throttle(&self) {
        let Some(limit) = self.options.throughput_mb_per_sec else { return };
        let consumed = self.counters.snapshot(self.started.elapsed()).input_bytes as f64;
        let due = std::time::Duration::from_secs_f64(consumed / (limit * 1e6));
        let elapsed = self.started.elapsed();
        if due > elapsed {
            tokio::time::sleep(due - elapsed).await;
        }
    }

    /// Conditional inserts go one by one: Cassandra refuses LWT batches across partitions.
    fn grouping(&self) -> BatchGrouping {
        if self.options.if_not_exists {
            BatchGrouping::None
        } else {
            self.options.batch_grouping
        }
    }

    /// Waits for every request in flight; fails with the first error seen.
    pub async fn flush(&mut self) -> Result<(), Error> {
        while self.in_flight.join_next().await.is_some() {}
        self.raise_first_error()
    }

    /// Flushes and returns the report of the whole job.
    pub async fn finish(mut self) -> Result<WriteReport, Error> {
        self.flush().await?;
        Ok(self.report())
    }

    /// What has been acknowledged so far (also after a failure).
    pub fn report(&self) -> WriteReport {
        self.counters.snapshot(self.started.elapsed())
    }

    /// Stream mode: marks the start of a micro-batch.
    pub fn begin_micro_batch(&mut self) {
        self.micro_batch = Some((Instant::now(), self.report()));
    }

    /// Stream mode: flushes the micro-batch and reports only what it did.
    pub async fn commit_micro_batch(&mut self) -> Result<WriteReport, Error> {
        self.flush().await?;
        let (started, before) = self.micro_batch.take().unwrap_or((self.started, WriteReport::default()));
        Ok(Counters::since(self.report(), before, started.elapsed()))
    }

    /// Empties the table; overwrite mode calls it, and only with `confirm_truncate`.
    pub async fn truncate(&self) -> Result<(), Error> {
        truncate(&self.session, &self.options).await
    }

    /// Cuts the rows into requests: rows of one group (partition or first
    /// replica) share a batch up to `batch_max_rows` rows and
    /// `batch_max_bytes` bytes; a row larger than a batch goes alone.
    fn group(&self, rows: Vec<PlannedRow>) -> Vec<Request> {
        if self.grouping() == BatchGrouping::None {
            return rows.into_iter().map(|row| Request::single(row.action)).collect();
        }
        let mut groups: Vec<Vec<(plan::RowAction, usize)>> = Vec::new();
        let mut index_of: HashMap<String, usize> = HashMap::new();
        for row in rows {
            let at = *index_of.entry(row.partition).or_insert_with(|| {
                groups.push(Vec::new());
                groups.len() - 1
            });
            groups[at].push((row.action, row.bytes));
        }
        let max_rows = self.options.batch_max_rows;
        let max_bytes = self.options.batch_max_bytes_or_default();
        let mut requests = Vec::with_capacity(groups.len());
        for group in groups {
            let mut chunk: Vec<plan::RowAction> = Vec::new();
            let mut chunk_bytes = 0;
            for (action, bytes) in group {
                if !chunk.is_empty() && (chunk.len() >= max_rows || chunk_bytes + bytes > max_bytes) {
                    requests.push(Request::from_rows(std::mem::take(&mut chunk)));
                    chunk_bytes = 0;
                }
                chunk.push(action);
                chunk_bytes += bytes;
            }
            if !chunk.is_empty() {
                requests.push(Request::from_rows(chunk));
            }
        }
        requests
    }

    async fn send(&mut self, request: Request) -> Result<(), Error> {
        while self.in_flight.try_join_next().is_some() {}
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| WriteError::Closed { reason: "semaphore closed".into() })?;
        self.raise_first_error()?;
        let session = Arc::clone(&self.session);
        let statements = Arc::clone(&self.statements);
        let counters = Arc::clone(&self.counters);
        let first_error = Arc::clone(&self.first_error);
        self.in_flight.spawn(async move {
            let rows = request.row_count() as u64;
            if let Err(error) = request.execute(&session, &statements, &counters).await {
                Counters::add(&counters.rows_failed, rows);
                if let Ok(mut slot) = first_error.lock() {
                    slot.get_or_insert(error);
                }
            }
            drop(permit);
        });
        Ok(())
    }

    fn raise_first_error(&self) -> Result<(), Error> {
        match self.first_error.lock() {
            Ok(mut slot) => match slot.take() {
                Some(error) => {
                    // Later calls must keep failing: leave a marker behind.
                    *slot = Some(Error::Write(WriteError::Closed { reason: "an earlier request failed".into() }));
                    Err(error)
                }
                None => Ok(()),
            },
            Err(_) => Err(Error::Write(WriteError::Closed { reason: "a request task panicked".into() })),
        }
    }
}

fn appends_to_lists(table: &TableSchema, options: &WriteOptions) -> bool {
    use scylla::cluster::metadata::{CollectionType, ColumnType};
    options.collection_append.iter().chain(&options.collection_remove).any(|name| {
        table
            .column(name)
            .is_some_and(|c| matches!(c.cql_type, ColumnType::Collection { typ: CollectionType::List(_), .. }))
    })
}

async fn prepare(
    session: &Session,
    cql: &str,
    options: &WriteOptions,
    idempotent: bool,
) -> Result<PreparedStatement, Error> {
    let mut statement =
        session.prepare(cql).await.map_err(|source| WriteError::Prepare { cql: cql.to_string(), source })?;
    statement.set_consistency(options.consistency);
    statement.set_is_idempotent(idempotent);
    Ok(statement)
}

/// `TRUNCATE` the table named in `options` (names resolved against the schema as
/// for writes), refusing without `confirm_truncate`.
pub async fn truncate(session: &Session, options: &WriteOptions) -> Result<(), Error> {
    if !options.confirm_truncate {
        let table = format!("{}.{}", options.keyspace, options.table);
        return Err(WriteError::TruncateNotConfirmed { table }.into());
    }
    let table = TableSchema::load(session, &options.keyspace, &options.table).await?;
    let cql = crate::cql::truncate(&table.keyspace, &table.table);
    session.query_unpaged(cql.as_str(), ()).await.map_err(|source| WriteError::Statement { cql, source })?;
    tracing::info!(table = %format!("{}.{}", table.keyspace, table.table), "table truncated");
    Ok(())
}
