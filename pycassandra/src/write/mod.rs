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
///
/// ```no_run
/// # #[derive(pycassandra::row::CassandraRow)]
/// # #[cassandra(table = "hits")]
/// # struct Hit { #[cassandra(partition_key)] page: String, #[cassandra(counter)] views: i64 }
/// use arrow_array::RecordBatch;
/// use pycassandra::CassandraWriter;
///
/// // Either input, one engine: `CassandraWriter` is `CassandraWriter<RecordBatch>`.
/// fn arrow_writer(writer: CassandraWriter<RecordBatch>) -> CassandraWriter { writer }
/// fn typed_writer(writer: CassandraWriter<Hit>) -> CassandraWriter<Hit> { writer }
/// ```
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
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// writer.write_batch(&batch).await?;
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
    pub async fn open(options: WriteOptions, input: &Schema) -> Result<Self, Error> {
        options.validate()?;
        let session = crate::session::connect_for(&options.connection, &[&options.keyspace]).await?;
        Self::with_session(session, options, input).await
    }

    /// Like [`open`](Self::open), on an existing session.
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// // One session for several writers (and readers) of the cluster.
    /// let session = pycassandra::session::connect(&options.connection).await?;
    /// let mut writer = CassandraWriter::with_session(session.clone(), options, batch.schema().as_ref()).await?;
    /// writer.write_batch(&batch).await?;
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
    pub async fn with_session(session: Arc<Session>, options: WriteOptions, input: &Schema) -> Result<Self, Error> {
        options.validate()?;
        let table = TableSchema::load(&session, &options.keyspace, &options.table).await?;
        Self::with_schema(session, options, &table, input).await
    }

    /// Like [`with_session`](Self::with_session), with the schema already read
    /// (the PySpark source reads it once on the driver).
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let session = pycassandra::session::connect(&options.connection).await?;
    /// let table = pycassandra::TableSchema::load(&session, "shop", "orders").await?;
    /// // Several writers of one table read its schema once.
    /// let mut writer = CassandraWriter::with_schema(session, options, &table, batch.schema().as_ref()).await?;
    /// writer.write_batch(&batch).await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```
    /// use arrow_schema::{DataType, Field, Schema};
    /// use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
    /// use pycassandra::schema::ColumnSchema;
    /// use pycassandra::{CassandraWriter, ConnectionOptions, TableSchema, WriteOptions};
    ///
    /// let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
    /// let table = TableSchema {
    ///     keyspace: "shop".into(),
    ///     table: "orders".into(),
    ///     columns: vec![column("id", NativeType::Int, ColumnKind::PartitionKey), column("note", NativeType::Text, ColumnKind::Regular)],
    ///     partition_key: vec!["id".into()],
    ///     clustering_key: vec![],
    /// };
    /// let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let input = Schema::new(vec![Field::new("id", DataType::Int32, false), Field::new("note", DataType::Utf8, true)]);
    /// assert!(CassandraWriter::check(&table, &input, &options).is_ok());
    ///
    /// let no_key = Schema::new(vec![Field::new("note", DataType::Utf8, true)]);
    /// assert!(CassandraWriter::check(&table, &no_key, &options).is_err());
    /// ```
    pub fn check(table: &TableSchema, input: &Schema, options: &WriteOptions) -> Result<(), Error> {
        options.validate()?;
        WritePlan::new(table, input, options)?;
        Ok(())
    }

    /// Converts `batch` and sends its rows. Returns once every request is in
    /// flight, so the caller can fetch the next batch while these complete.
    /// A conversion error fails before any row of the batch is sent.
    ///
    /// ```no_run
    /// # async fn demo(batches: Vec<arrow_array::RecordBatch>) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batches[0].schema().as_ref()).await?;
    /// for batch in &batches {
    ///     writer.write_batch(batch).await?; // returns while this batch's rows are in flight
    /// }
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(keyspace = "shop", table = "hits")]
    /// # struct Hit { #[cassandra(partition_key)] page: String, #[cassandra(counter)] views: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "hits");
    /// let mut writer = CassandraWriter::<Hit>::open_rows(options).await?;
    /// writer.write(Hit { page: "/".into(), views: 1 }).await?;
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(keyspace = "shop", table = "hits")]
    /// # struct Hit { #[cassandra(partition_key)] page: String, #[cassandra(counter)] views: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "hits");
    /// let session = pycassandra::session::connect(&options.connection).await?;
    /// let mut writer = CassandraWriter::<Hit>::with_session_rows(session, options).await?;
    /// writer.write(Hit { page: "/".into(), views: 1 }).await?;
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(keyspace = "shop", table = "hits")]
    /// # struct Hit { #[cassandra(partition_key)] page: String, #[cassandra(counter)] views: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "hits");
    /// let mut writer = CassandraWriter::<Hit>::open_rows(options).await?;
    /// writer.write(Hit { page: "/about".into(), views: 1 }).await?;
    /// writer.flush().await?; // acknowledged
    /// # Ok(()) }
    /// ```
    pub async fn write(&mut self, row: T) -> Result<(), Error> {
        self.engine.raise_first_error()?;
        self.engine.send(Request::Single(RowAction::Write(row))).await
    }

    /// Sends every row; returns once the last is in flight.
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(keyspace = "shop", table = "hits")]
    /// # struct Hit { #[cassandra(partition_key)] page: String, #[cassandra(counter)] views: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "hits");
    /// let mut writer = CassandraWriter::<Hit>::open_rows(options).await?;
    /// writer.write_all(["/", "/about"].map(|page| Hit { page: page.into(), views: 1 })).await?;
    /// writer.finish().await?;
    /// # Ok(()) }
    /// ```
    pub async fn write_all(&mut self, rows: impl IntoIterator<Item = T>) -> Result<(), Error> {
        for row in rows {
            self.write(row).await?;
        }
        Ok(())
    }
}

impl<T: WriteInput> CassandraWriter<T> {
    /// Waits for every request in flight; fails with the first error seen.
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// writer.write_batch(&batch).await?;
    /// writer.flush().await?; // every row of `batch` is acknowledged, or this failed
    /// assert_eq!(writer.report().rows_written, batch.num_rows() as u64);
    /// # Ok(()) }
    /// ```
    pub async fn flush(&mut self) -> Result<(), Error> {
        self.engine.flush().await
    }

    /// Flushes and returns the report of the whole job.
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// writer.write_batch(&batch).await?;
    /// let report = writer.finish().await?;
    /// println!("{} rows in {} requests", report.rows_written, report.requests);
    /// # Ok(()) }
    /// ```
    pub async fn finish(mut self) -> Result<WriteReport, Error> {
        self.flush().await?;
        Ok(self.report())
    }

    /// What has been acknowledged so far (also after a failure).
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// if let Err(error) = writer.write_batch(&batch).await {
    ///     // What the cluster acknowledged before the failure.
    ///     eprintln!("{error}; {} rows were written", writer.report().rows_written);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn report(&self) -> WriteReport {
        self.engine.report()
    }

    /// Stream mode: marks the start of a micro-batch.
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// writer.begin_micro_batch();
    /// writer.write_batch(&batch).await?;
    /// let this_batch = writer.commit_micro_batch().await?; // only this micro-batch's counts
    /// assert_eq!(this_batch.rows_written, batch.num_rows() as u64);
    /// # Ok(()) }
    /// ```
    pub fn begin_micro_batch(&mut self) {
        self.engine.begin_micro_batch();
    }

    /// Stream mode: flushes the micro-batch and reports only what it did.
    ///
    /// ```no_run
    /// # async fn demo(batch: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
    /// # let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    /// for _ in 0..2 {
    ///     writer.begin_micro_batch();
    ///     writer.write_batch(&batch).await?;
    ///     println!("{} rows this micro-batch", writer.commit_micro_batch().await?.rows_written);
    /// }
    /// println!("{} rows in all", writer.finish().await?.rows_written);
    /// # Ok(()) }
    /// ```
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
///
/// ```no_run
/// # async fn demo() -> Result<(), pycassandra::Error> {
/// use pycassandra::{ConnectionOptions, WriteOptions};
/// let mut options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// let session = pycassandra::session::connect(&options.connection).await?;
/// assert!(pycassandra::write::truncate(&session, &options).await.is_err()); // not confirmed
/// options.confirm_truncate = true;
/// pycassandra::write::truncate(&session, &options).await?;
/// # Ok(()) }
/// ```
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
