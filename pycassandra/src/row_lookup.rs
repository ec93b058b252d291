//! Lookups for Rust callers with typed keys: the rows of a
//! `#[derive(CassandraRow)]` struct read by key, each key by a point read on
//! one of its replicas, with bounded concurrency. The Arrow counterpart for
//! batches of keys is [`CassandraLookup`](crate::CassandraLookup).

use std::marker::PhantomData;
use std::sync::Arc;

use futures::{stream, StreamExt, TryStreamExt};
use scylla::client::session::Session;
use scylla::deserialize::row::DeserializeRow;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::serialize::row::SerializeRow;
use scylla::statement::prepared::PreparedStatement;

use crate::config::ReadOptions;
use crate::error::{ConfigError, Error, LookupError, ReadError};
use crate::lookup::DEFAULT_LOOKUP_CONCURRENCY;
use crate::read::plan::ScanPlan;
use crate::row::CassandraRow;
use crate::schema::TableSchema;

/// Reads the rows of `T` whose key is given, for many keys at once.
///
/// The key is `T`'s whole partition key, then optionally the first of its
/// clustering columns, in that order; each key is a tuple (or any
/// `SerializeRow`) of those values. A key that matches nothing gives no row.
///
/// ```no_run
/// # async fn demo() -> Result<(), pycassandra::Error> {
/// use pycassandra::{ConnectionOptions, ReadOptions, RowLookup};
/// #[derive(pycassandra::CassandraRow)]
/// #[cassandra(table = "customers")]
/// struct Customer {
///     #[cassandra(partition_key)] id: i64,
///     name: String,
/// }
/// let read = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers");
/// let lookup = RowLookup::<Customer>::open(read, &["id"]).await?;
/// let found: Vec<Vec<Customer>> = lookup.get(&[(7i64,), (8i64,)]).await?; // one Vec per key, in order
/// # Ok(()) }
/// ```
pub struct RowLookup<T> {
    session: Arc<Session>,
    statement: PreparedStatement,
    cql: String,
    table: String,
    concurrency: usize,
    row: PhantomData<fn() -> T>,
}

impl<T> RowLookup<T>
where
    T: CassandraRow + for<'frame, 'metadata> DeserializeRow<'frame, 'metadata>,
{
    /// Connects, reads the table's schema and prepares the point read of `T`
    /// by `on`. `T`'s keyspace (else `read.keyspace`) and table are used;
    /// `read` gives the connection, consistency and page size. Every way `T`
    /// and the live table disagree is named in one error, as for a writer.
    pub async fn open(read: ReadOptions, on: &[&str]) -> Result<Self, Error> {
        let read = Self::retarget(read);
        read.validate()?;
        let session = crate::session::connect_for(&read.connection, &[&read.keyspace]).await?;
        Self::with_session(session, read, on).await
    }

    /// Like [`open`](Self::open), on an existing session.
    pub async fn with_session(session: Arc<Session>, read: ReadOptions, on: &[&str]) -> Result<Self, Error> {
        let read = Self::retarget(read);
        read.validate()?;
        let table = TableSchema::load(&session, &read.keyspace, &read.table).await?;
        crate::row::check_against::<T>(&table)?;
        let table_name = table.qualified_name();
        let is_key_prefix = on.len() >= T::PARTITION_KEY.len()
            && on.len() <= T::PARTITION_KEY.len() + T::CLUSTERING_KEY.len()
            && on.iter().zip(T::PARTITION_KEY.iter().chain(T::CLUSTERING_KEY)).all(|(given, key)| given == key);
        if !is_key_prefix {
            return Err(LookupError::NotAKey {
                keys: on.iter().map(ToString::to_string).collect(),
                table: table_name,
                partition_key: T::PARTITION_KEY.iter().map(ToString::to_string).collect(),
                clustering_key: T::CLUSTERING_KEY.iter().map(ToString::to_string).collect(),
            }
            .into());
        }
        let plan = ScanPlan::for_keys(&table, &read, on)?;
        let statement = crate::read::prepare(&session, &plan, &read, &table).await?;
        tracing::debug!(table = %table_name, cql = %plan.cql, "typed lookup opened");
        Ok(Self {
            session,
            statement,
            cql: plan.cql,
            table: table_name,
            concurrency: DEFAULT_LOOKUP_CONCURRENCY,
            row: PhantomData,
        })
    }

    /// At most `concurrency` point reads in flight at once (default 64).
    pub fn with_concurrency(mut self, concurrency: usize) -> Result<Self, Error> {
        if concurrency == 0 {
            return Err(ConfigError::InvalidValue {
                option: "concurrency",
                value: "0".to_string(),
                expected: "a positive number of point reads in flight".to_string(),
            }
            .into());
        }
        self.concurrency = concurrency;
        Ok(self)
    }

    /// The rows of each key, in the keys' order: an empty `Vec` where none
    /// is; a duplicate key is answered each time. A key whose values do not
    /// fit the key's CQL types fails with the driver's type error.
    pub async fn get<K: SerializeRow + Sync>(&self, keys: &[K]) -> Result<Vec<Vec<T>>, Error> {
        stream::iter(keys.iter().map(|key| self.rows_of(key))).buffered(self.concurrency).try_collect().await
    }

    async fn rows_of<K: SerializeRow>(&self, key: &K) -> Result<Vec<T>, Error> {
        let mut rows = Vec::new();
        let mut paging = PagingState::start();
        loop {
            let (page, next) = self
                .session
                .execute_single_page(&self.statement, key, paging)
                .await
                .map_err(|e| self.statement_error(Box::new(e)))?;
            let page = page.into_rows_result().map_err(|e| self.statement_error(Box::new(e)))?;
            for row in page.rows::<T>().map_err(|e| self.statement_error(Box::new(e)))? {
                rows.push(row.map_err(|e| self.statement_error(Box::new(e)))?);
            }
            match next {
                PagingStateResponse::HasMorePages { state } => paging = state,
                PagingStateResponse::NoMorePages => return Ok(rows),
            }
        }
    }

    fn retarget(mut read: ReadOptions) -> ReadOptions {
        if let Some(keyspace) = T::KEYSPACE {
            read.keyspace = keyspace.to_string();
        }
        read.table = T::TABLE.to_string();
        read.columns = Some(T::COLUMNS.iter().map(ToString::to_string).collect());
        read.filters = Vec::new();
        read
    }

    fn statement_error(&self, source: Box<dyn std::error::Error + Send + Sync>) -> Error {
        ReadError::Statement { table: self.table.clone(), cql: self.cql.clone(), source }.into()
    }
}
