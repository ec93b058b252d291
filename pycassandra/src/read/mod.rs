//! [`CassandraReader`]: a table read in parallel-ready token-range splits,
//! each scanned page by page into Arrow record batches.

mod estimate;
pub(crate) mod plan;
// Public for the PySpark binding, which maps Spark's filters to these.
#[doc(hidden)]
pub mod pushdown;
mod routing;
pub(crate) mod scan;
mod stream;
pub(crate) mod to_arrow;
// The ring arithmetic; a user needs only the TokenRange and TokenSplit re-exported below.
#[doc(hidden)]
pub mod token_range;
mod wire;

use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use scylla::client::session::Session;
use scylla::statement::prepared::PreparedStatement;

pub use plan::{TTL_PREFIX, WRITETIME_PREFIX};
pub use scan::Scan;
pub use to_arrow::arrow_type;
pub use token_range::{TokenRange, TokenSplit};

use crate::config::ReadOptions;
use crate::error::{DecodeValuesError, Error, ReadError};
use crate::schema::TableSchema;
use plan::ScanPlan;

/// Decodes values in CQL's binary encoding (as a node sends them) of type
/// `cql` into one Arrow array of the type [`arrow_type`] gives; `None` is null.
/// An error names the value's position and what is wrong; nothing panics.
///
/// ```
/// use scylla::cluster::metadata::{ColumnType, NativeType};
/// let array = pycassandra::read::decode_values(&ColumnType::Native(NativeType::Int), &[Some(&[0, 0, 0, 7]), None]).unwrap();
/// assert_eq!(array.len(), 2);
/// ```
// Public for the fuzz target decode_cql only, and so hidden: readers decode
// pages inside `CassandraReader` (REVIEW F12).
#[doc(hidden)]
pub fn decode_values(
    cql: &scylla::cluster::metadata::ColumnType<'_>,
    values: &[Option<&[u8]>],
) -> Result<arrow_array::ArrayRef, DecodeValuesError> {
    let cql_type = || crate::cql_type::name(cql);
    let data_type = arrow_type(cql).ok_or_else(|| DecodeValuesError::NoArrowType { cql_type: cql_type() })?;
    let mut sink =
        to_arrow::Sink::new(cql, &data_type).ok_or_else(|| DecodeValuesError::NoDecoder { cql_type: cql_type() })?;
    for (index, value) in values.iter().enumerate() {
        sink.push(*value).map_err(|failure| DecodeValuesError::Value { index, failure })?;
    }
    Ok(sink.finish()?)
}

/// Prepares a plan's statement at the read's consistency and page size;
/// reads are idempotent, so the driver may retry them.
pub(crate) async fn prepare(
    session: &Session,
    plan: &ScanPlan,
    options: &ReadOptions,
    table: &TableSchema,
) -> Result<PreparedStatement, ReadError> {
    let mut statement = session.prepare(plan.cql.as_str()).await.map_err(|source| ReadError::Statement {
        table: table.qualified_name(),
        cql: plan.cql.clone(),
        source: Box::new(source),
    })?;
    statement.set_consistency(options.consistency);
    statement.set_page_size(options.fetch_size_rows);
    statement.set_is_idempotent(true);
    Ok(statement)
}

/// Reads one table into Arrow record batches.
///
/// ```no_run
/// # async fn demo() -> Result<(), pycassandra::Error> {
/// use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
/// let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// let reader = CassandraReader::open(options).await?;
/// for split in reader.splits().await? {
///     let mut scan = reader.scan(&split);
///     while let Some(batch) = scan.next_batch().await? {
///         println!("{} rows", batch.num_rows());
///     }
/// }
/// # Ok(()) }
/// ```
pub struct CassandraReader {
    session: Arc<Session>,
    options: ReadOptions,
    table: TableSchema,
    plan: Arc<ScanPlan>,
    statement: PreparedStatement,
}

impl CassandraReader {
    /// Connects, reads the table's schema and prepares the scan.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// let batches = reader.read_all().await?;
    /// # Ok(()) }
    /// ```
    pub async fn open(options: ReadOptions) -> Result<Self, Error> {
        options.validate()?;
        let session = crate::session::connect_for(&options.connection, &[&options.keyspace]).await?;
        Self::with_session(session, options, None).await
    }

    /// Like [`open`](Self::open), on an existing session. `target` names the
    /// columns to read, in order, with the Arrow type of each (the PySpark
    /// source passes Spark's schema); `None` reads what `options` says.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// use arrow_schema::{DataType, Field, Schema};
    /// let session = pycassandra::session::connect(&options.connection).await?;
    /// // Two columns, `total` as Arrow's Int64 (a CQL bigint).
    /// let target = Schema::new(vec![Field::new("id", DataType::Int32, false), Field::new("total", DataType::Int64, true)]);
    /// let reader = CassandraReader::with_session(session, options, Some(&target)).await?;
    /// assert_eq!(reader.schema().fields().len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn with_session(
        session: Arc<Session>,
        options: ReadOptions,
        target: Option<&Schema>,
    ) -> Result<Self, Error> {
        options.validate()?;
        let table = TableSchema::load(&session, &options.keyspace, &options.table).await?;
        Self::with_table(session, options, table, target).await
    }

    /// Like [`with_session`](Self::with_session), with the table already read:
    /// the PySpark source reads it once on the driver and carries it to the
    /// tasks, so a task prepares its scan without a schema round trip.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let session = pycassandra::session::connect(&options.connection).await?;
    /// let table = pycassandra::TableSchema::load(&session, "shop", "orders").await?;
    /// // Readers of one table, one schema read.
    /// let narrow = CassandraReader::with_table(session.clone(), options.clone(), table.clone(), None).await?;
    /// let again = CassandraReader::with_table(session, options, table, None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn with_table(
        session: Arc<Session>,
        options: ReadOptions,
        table: TableSchema,
        target: Option<&Schema>,
    ) -> Result<Self, Error> {
        options.validate()?;
        let plan = ScanPlan::new(&table, &options, target)?;
        let statement = prepare(&session, &plan, &options, &table).await?;
        tracing::debug!(keyspace = %table.keyspace, table = %table.table, cql = %plan.cql, "reader opened");
        Ok(Self { session, options, table, plan: Arc::new(plan), statement })
    }

    /// The schema of every batch.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// for field in reader.schema().fields() {
    ///     println!("{}: {}", field.name(), field.data_type());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn schema(&self) -> SchemaRef {
        self.plan.schema.clone()
    }

    /// The table as the cluster describes it.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// println!("{} keyed by {:?}", reader.table().qualified_name(), reader.table().primary_key());
    /// # Ok(()) }
    /// ```
    pub fn table(&self) -> &TableSchema {
        &self.table
    }

    /// The token ranges to scan, each about `split_size_bytes` of data
    /// (estimated from `system.size_estimates`), at least `min_splits` of
    /// them, each inside one replica set, together covering the ring exactly
    /// once. Without `min_splits`, [`default_splits`](token_range::default_splits)
    /// decides: 4 per core of this machine for a table bigger than one split
    /// (or not yet measured), one per core for a smaller one or one of fewer
    /// than 4 partitions per core, and never more than its partitions (which
    /// the node counts, memtables included, so a table written a moment ago
    /// counts too).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// let splits = reader.splits().await?;
    /// let tokens: u128 = splits.iter().map(|split| split.range.width()).sum();
    /// assert_eq!(tokens, pycassandra::read::TokenRange::FULL.width()); // the ring, once
    /// # Ok(()) }
    /// ```
    pub async fn splits(&self) -> Result<Vec<TokenSplit>, Error> {
        Ok(self.planned_splits().await?.0)
    }

    /// [`splits`](Self::splits) as the tasks of an engine that runs one task
    /// per group (the PySpark source): neighbouring splits joined into at
    /// most as many groups as the read wants splits, about equal shares of
    /// the ring each. A ring of many replica sets has more splits than a small
    /// table wants tasks, since no split straddles two replica sets.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// for (task, splits) in reader.split_tasks().await?.iter().enumerate() {
    ///     println!("task {task} scans {} splits", splits.len());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn split_tasks(&self) -> Result<Vec<Vec<TokenSplit>>, Error> {
        let (splits, wanted) = self.planned_splits().await?;
        Ok(token_range::group_splits(splits, wanted))
    }

    /// The splits and how many the read wanted (fewer than the splits when
    /// the ring has more replica sets than that).
    async fn planned_splits(&self) -> Result<(Vec<TokenSplit>, usize), Error> {
        if !self.plan.binds_range {
            // Partition lookups: one split; the driver routes nothing, the coordinator fans out.
            return Ok((vec![TokenSplit { range: TokenRange::FULL, replicas: Vec::new() }], 1));
        }
        let bytes = estimate::table_bytes(&self.session, &self.table.keyspace, &self.table.table).await?;
        let mut partitions = None;
        let wanted = match self.options.min_splits {
            Some(min_splits) => token_range::splits_for(bytes, self.options.split_size_bytes, min_splits),
            None => {
                let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
                // A table of 4 partitions per core or more gets no fewer splits for being counted.
                partitions =
                    estimate::partitions_below(&self.session, &self.table, self.options.consistency, 4 * cores).await;
                token_range::default_splits(bytes, self.options.split_size_bytes, partitions, cores)
            }
        };
        let ring = estimate::ring(&self.session, &self.table.keyspace, &self.table.table);
        let splits = token_range::split_ring(&ring, wanted);
        tracing::debug!(table = %self.table.table, estimated_bytes = ?bytes, ?partitions, wanted, splits = splits.len(), "token ring split");
        Ok((splits, wanted))
    }

    /// Scans one split, asking its replicas first.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// let split = &reader.splits().await?[0];
    /// let mut scan = reader.scan(split);
    /// while let Some(batch) = scan.next_batch().await? {
    ///     println!("{} rows", batch.num_rows());
    /// }
    /// # Ok(()) }
    /// ```
    pub fn scan(&self, split: &TokenSplit) -> Scan {
        let table = self.table.qualified_name();
        Scan::new(Arc::clone(&self.session), Arc::clone(&self.plan), self.routed_statement(split), split.range, table)
    }

    fn routed_statement(&self, split: &TokenSplit) -> PreparedStatement {
        let mut statement = self.statement.clone();
        let policy = Arc::new(routing::ReplicasFirst { replicas: split.replicas.clone() });
        let profile = self
            .session
            .get_default_execution_profile_handle()
            .pointee_to_builder()
            .load_balancing_policy(policy)
            .build();
        statement.set_execution_profile_handle(Some(profile.into_handle()));
        statement
    }

    /// Reads the typed rows of `T` (`#[derive(CassandraRow)]`): its keyspace
    /// (else `options.keyspace`), its table, its columns.
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(table = "orders")]
    /// # struct Order { #[cassandra(partition_key)] id: i64, total: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open_rows::<Order>(options).await?;
    /// for split in reader.splits().await? {
    ///     let orders: Vec<Order> = reader.read_rows(&split).await?;
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn open_rows<T: crate::row::CassandraRow>(mut options: ReadOptions) -> Result<Self, Error> {
        if let Some(keyspace) = T::KEYSPACE {
            options.keyspace = keyspace.to_string();
        }
        options.table = T::TABLE.to_string();
        options.columns = Some(T::COLUMNS.iter().map(ToString::to_string).collect());
        options.validate()?;
        let session = crate::session::connect_for(&options.connection, &[&options.keyspace]).await?;
        Self::with_session(session, options, None).await
    }

    /// One split's rows as `T`, page by page; the reader's columns must be
    /// `T`'s, in order (as [`open_rows`](Self::open_rows) makes them).
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)]
    /// # #[cassandra(table = "orders")]
    /// # struct Order { #[cassandra(partition_key)] id: i64, total: i64 }
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open_rows::<Order>(options).await?;
    /// let mut total = 0;
    /// for split in reader.splits().await? {
    ///     total += reader.read_rows::<Order>(&split).await?.iter().map(|order| order.total).sum::<i64>();
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn read_rows<T>(&self, split: &TokenSplit) -> Result<Vec<T>, Error>
    where
        T: for<'frame, 'metadata> scylla::deserialize::row::DeserializeRow<'frame, 'metadata>,
    {
        use futures::TryStreamExt;
        let pages: Vec<Vec<T>> = self.typed_pages::<T>(split.clone()).try_collect().await?;
        Ok(pages.into_iter().flatten().collect())
    }

    /// Every batch of every split, one split after another, all in memory
    /// (for small tables and tests; [`batches`](Self::batches) streams them).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraReader, ConnectionOptions, ReadOptions};
    /// # let options = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
    /// let reader = CassandraReader::open(options).await?;
    /// let rows: usize = reader.read_all().await?.iter().map(|batch| batch.num_rows()).sum();
    /// # Ok(()) }
    /// ```
    pub async fn read_all(&self) -> Result<Vec<RecordBatch>, Error> {
        let mut batches = Vec::new();
        for split in self.splits().await? {
            let mut scan = self.scan(&split);
            while let Some(batch) = scan.next_batch().await? {
                batches.push(batch);
            }
        }
        Ok(batches)
    }
}
