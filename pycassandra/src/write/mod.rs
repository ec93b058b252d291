//! [`CassandraWriter`]: one engine for batch jobs and streams. Memory is
//! bounded by the requests in flight (`batch_size`), never by input size.
//!
//! The two front ends (Arrow batches, typed rows) share one `engine::Engine`
//! (session, statements, permits, counters, first error, throttle); an Arrow
//! writer adds its `plan::WritePlan` and cuts rows into requests by
//! `grouping` (private modules: no links, so the public docs have none broken).

mod action;
mod encoded;
mod engine;
mod grouping;
mod plan;
mod prepared;
mod report;
mod request;
mod size;

use std::marker::PhantomData;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

// Public for the PySpark binding, whose workers prepare a job's statements once.
#[doc(hidden)]
pub use prepared::PreparedStatements;
pub use report::WriteReport;

use crate::config::{BatchGrouping, WriteOptions};
use crate::error::{Error, WriteError};
use crate::row::CassandraRow;
use crate::schema::TableSchema;
use action::RowAction;
use engine::Engine;
use grouping::{Limits, Ring};
use plan::WritePlan;
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
pub struct CassandraWriter<T: WriteInput = RecordBatch> {
    engine: Engine,
    input: T::Plan,
}

/// What a [`CassandraWriter`] is fed: Arrow [`RecordBatch`]es, or rows of a
/// `#[derive(CassandraRow)]` struct. Implemented for those two only.
pub trait WriteInput: sealed::Sealed {
    /// What the writer keeps, beside its engine, to turn this input into requests.
    #[doc(hidden)]
    type Plan: Send + Sync;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for arrow_array::RecordBatch {}
    impl<T: crate::row::CassandraRow> Sealed for T {}
}

impl WriteInput for RecordBatch {
    type Plan = ArrowInput;
}

impl<T: CassandraRow> WriteInput for T {
    type Plan = PhantomData<fn(T)>;
}

/// An Arrow writer's plan and how it groups rows.
#[doc(hidden)]
pub struct ArrowInput {
    plan: WritePlan,
    /// Keyspace and table as the schema names them (for token computation).
    keyspace: String,
    table: String,
    /// Conditional inserts go one by one: Cassandra refuses LWT batches across partitions.
    grouping: BatchGrouping,
    limits: Limits,
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
        Self::with_prepared(session, options, table, input, &PreparedStatements::default()).await
    }

    /// Like [`with_schema`](Self::with_schema), taking the statements from
    /// `statements` when an earlier writer on this session prepared them (a
    /// PySpark worker keeps one per session for its later tasks).
    #[doc(hidden)]
    pub async fn with_prepared(
        session: Arc<Session>,
        options: WriteOptions,
        table: &TableSchema,
        input: &Schema,
        statements: &PreparedStatements,
    ) -> Result<Self, Error> {
        options.validate()?;
        let plan = WritePlan::new(table, input, &options)?;
        // Increments and list appends repeat if retried; LWTs must never be retried blindly.
        let idempotent = !options.if_not_exists && !table.has_counters() && !appends_to_lists(table, &options);
        let insert = configure(statements.get_or_prepare(&session, &plan.write_cql).await?, &options, idempotent);
        let delete = match &plan.delete_cql {
            Some(cql) => Some(configure(statements.get_or_prepare(&session, cql).await?, &options, true)),
            None => None,
        };
        plan.check_prepared(&insert, delete.as_ref())?;
        tracing::debug!(keyspace = %table.keyspace, table = %table.table, cql = %plan.write_cql, "writer opened");
        let grouping = if options.if_not_exists { BatchGrouping::None } else { options.batch_grouping };
        let limits = Limits {
            max_rows: options.batch_max_rows,
            max_bytes_one_partition: options.batch_max_bytes_one_partition(),
            max_bytes_across_partitions: options.batch_max_bytes_across_partitions(),
        };
        let input = ArrowInput { plan, keyspace: table.keyspace.clone(), table: table.table.clone(), grouping, limits };
        Ok(Self { engine: engine(session, &options, table, insert, delete, idempotent), input })
    }

    /// Checks input of `input`'s schema against `table` with `options` as
    /// [`with_schema`](Self::with_schema) does, preparing nothing (the
    /// PySpark source runs it on the driver).
    pub fn check(table: &TableSchema, input: &Schema, options: &WriteOptions) -> Result<(), Error> {
        options.validate()?;
        WritePlan::new(table, input, options)?;
        Ok(())
    }

    /// Converts `batch` and sends its rows. Returns once every request is in
    /// flight, so the caller can fetch the next batch while these complete.
    /// A conversion error fails before any row of the batch is sent.
    pub async fn write_batch(&mut self, batch: &RecordBatch) -> Result<(), Error> {
        self.engine.raise_first_error()?;
        self.engine.count_input(batch.get_array_memory_size());
        let input = &self.input;
        let cluster = self.engine.session().get_cluster_state();
        let ring = Ring { cluster: &cluster, keyspace: &input.keyspace, table: &input.table };
        let grouped = input.grouping != BatchGrouping::None;
        let rows = match input.plan.rows(batch, grouped.then_some(&ring)) {
            Ok(rows) => rows,
            Err(error) => {
                self.engine.count_refused(batch.num_rows());
                return Err(error);
            }
        };
        let requests = grouping::requests(rows, input.grouping, &ring, input.limits);
        drop(cluster);
        for request in requests {
            self.engine.send(request).await?;
        }
        self.engine.throttle().await;
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
        Ok(Self { engine: engine(session, &options, &table, insert, None, idempotent), input: PhantomData })
    }

    /// Sends one row; returns once it is in flight.
    pub async fn write(&mut self, row: T) -> Result<(), Error> {
        self.engine.raise_first_error()?;
        self.engine.send(Request::Single(RowAction::Write(row))).await
    }

    /// Sends every row; returns once the last is in flight.
    pub async fn write_all(&mut self, rows: impl IntoIterator<Item = T>) -> Result<(), Error> {
        for row in rows {
            self.write(row).await?;
        }
        Ok(())
    }
}

impl<T: WriteInput> CassandraWriter<T> {
    /// Waits for every request in flight; fails with the first error seen.
    pub async fn flush(&mut self) -> Result<(), Error> {
        self.engine.flush().await
    }

    /// Flushes and returns the report of the whole job.
    pub async fn finish(mut self) -> Result<WriteReport, Error> {
        self.flush().await?;
        Ok(self.report())
    }

    /// What has been acknowledged so far (also after a failure).
    pub fn report(&self) -> WriteReport {
        self.engine.report()
    }

    /// Stream mode: marks the start of a micro-batch.
    pub fn begin_micro_batch(&mut self) {
        self.engine.begin_micro_batch();
    }

    /// Stream mode: flushes the micro-batch and reports only what it did.
    pub async fn commit_micro_batch(&mut self) -> Result<WriteReport, Error> {
        self.engine.commit_micro_batch().await
    }
}

fn engine(
    session: Arc<Session>,
    options: &WriteOptions,
    table: &TableSchema,
    insert: PreparedStatement,
    delete: Option<PreparedStatement>,
    idempotent: bool,
) -> Engine {
    let statements = Statements {
        insert,
        delete,
        table: format!("{}.{}", table.keyspace, table.table),
        consistency: options.consistency,
        idempotent,
        conditional: options.if_not_exists,
        max_retries: options.max_retries,
    };
    Engine::new(session, statements, options.concurrency, options.throughput_mb_per_sec)
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
    let statement =
        session.prepare(cql).await.map_err(|source| WriteError::Prepare { cql: cql.to_string(), source })?;
    Ok(configure(statement, options, idempotent))
}

fn configure(mut statement: PreparedStatement, options: &WriteOptions, idempotent: bool) -> PreparedStatement {
    statement.set_consistency(options.consistency);
    statement.set_is_idempotent(idempotent);
    statement
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
