//! Lookups: the key of each input row read from a table by a point read on
//! one of its replicas, the rows found joined to the input row. For Arrow
//! batches, so PySpark's `mapInArrow` joins a DataFrame or a stream with a
//! table — what the JVM connector offers only in Scala (`joinWithCassandraTable`,
//! DirectJoin).

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, UInt32Array};
use arrow_schema::{Field, Schema, SchemaRef};
use futures::{stream, StreamExt};
use scylla::client::session::Session;
use scylla::response::query_result::QueryResult;
use scylla::response::{PagingState, PagingStateResponse};
use scylla::statement::prepared::PreparedStatement;
use scylla::value::CqlValue;

use crate::config::ReadOptions;
use crate::convert::ColumnConverter;
use crate::cql_type;
use crate::error::{ConfigError, Error, LookupError, ReadError};
use crate::read::plan::{OutputColumn, ScanPlan};
use crate::read::scan::decode_page;
use crate::read::to_arrow::Sink;
use crate::schema::{match_name, TableSchema};

/// Point reads in flight at once, per lookup, by default.
pub const DEFAULT_LOOKUP_CONCURRENCY: usize = 64;

/// Which input rows the output keeps.
///
/// ```
/// use pycassandra::{ConnectionOptions, JoinKind, LookupOptions, ReadOptions};
/// let read = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers");
/// let mut options = LookupOptions::new(read, ["customer_id"]);
/// options.how = JoinKind::Left; // keep input rows whose customer is not found
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JoinKind {
    /// Rows whose key is found, once per table row found.
    Inner,
    /// Every input row; a key not found (or null) gives nulls in the fetched columns.
    Left,
}

impl JoinKind {
    /// `inner` or `left`, case-insensitively.
    ///
    /// ```
    /// use pycassandra::JoinKind;
    /// assert_eq!(JoinKind::parse("LEFT").unwrap(), JoinKind::Left);
    /// assert_eq!(
    ///     JoinKind::parse("outer").unwrap_err().to_string(),
    ///     "option 'how' has invalid value 'outer': expected inner or left"
    /// );
    /// ```
    pub fn parse(value: &str) -> Result<Self, ConfigError> {
        match value.to_ascii_lowercase().as_str() {
            "inner" => Ok(Self::Inner),
            "left" => Ok(Self::Left),
            _ => Err(ConfigError::InvalidValue {
                option: "how",
                value: value.to_string(),
                expected: "inner or left".to_string(),
            }),
        }
    }
}

/// What a lookup reads and how.
///
/// ```
/// use pycassandra::{ConnectionOptions, JoinKind, LookupOptions, ReadOptions};
/// let mut read = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
/// read.columns = Some(vec!["total".into()]); // fetch only this
/// let mut options = LookupOptions::new(read, ["customer", "placed"]); // partition key, then a clustering column
/// options.concurrency = 16;
/// assert_eq!(options.how, JoinKind::Inner);
/// ```
#[derive(Clone, Debug)]
pub struct LookupOptions {
    /// Connection, keyspace, table, consistency and page size; `columns` are
    /// the columns to fetch (default: every column that is not a key in `on`),
    /// `writetime_columns`/`ttl_columns`, `where` and `limit` (per key) apply as in a read.
    pub read: ReadOptions,
    /// The input columns holding the key: the table's whole partition key,
    /// then optionally the first clustering columns; each named as in the
    /// table (case-insensitively, when that is unambiguous), in any order.
    pub on: Vec<String>,
    /// Inner or left.
    pub how: JoinKind,
    /// Point reads in flight at once.
    pub concurrency: usize,
}

impl LookupOptions {
    /// An inner lookup by `on` with the default concurrency.
    ///
    /// ```
    /// use pycassandra::{ConnectionOptions, LookupOptions, ReadOptions};
    /// let read = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers");
    /// let options = LookupOptions::new(read, ["customer_id"]);
    /// assert_eq!((options.on.as_slice(), options.concurrency), (&["customer_id".to_string()][..], 64));
    /// ```
    pub fn new(read: ReadOptions, on: impl IntoIterator<Item = impl Into<String>>) -> Self {
        Self {
            read,
            on: on.into_iter().map(Into::into).collect(),
            how: JoinKind::Inner,
            concurrency: DEFAULT_LOOKUP_CONCURRENCY,
        }
    }
}

struct KeyColumn {
    input: usize,
    converter: ColumnConverter,
}

/// Joins batches of keys with one table.
///
/// ```no_run
/// # async fn demo(keys: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
/// use pycassandra::{CassandraLookup, ConnectionOptions, JoinKind, LookupOptions, ReadOptions};
/// let read = ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers");
/// let mut options = LookupOptions::new(read, ["customer_id"]);
/// options.how = JoinKind::Left;
/// let lookup = CassandraLookup::open(options, &keys.schema()).await?;
/// let joined = lookup.join(&keys).await?; // the input's columns, then the customer's
/// # Ok(()) }
/// ```
pub struct CassandraLookup {
    session: Arc<Session>,
    plan: ScanPlan,
    statement: PreparedStatement,
    keys: Vec<KeyColumn>,
    schema: SchemaRef,
    how: JoinKind,
    concurrency: usize,
    table: String,
}

impl CassandraLookup {
    /// Connects, reads the table's schema, checks the keys and prepares the point read.
    ///
    /// ```no_run
    /// # async fn demo(keys: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraLookup, ConnectionOptions, LookupOptions, ReadOptions};
    /// # let options = LookupOptions::new(ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers"), ["customer_id"]);
    /// let lookup = CassandraLookup::open(options, &keys.schema()).await?;
    /// let joined = lookup.join(&keys).await?;
    /// # Ok(()) }
    /// ```
    pub async fn open(options: LookupOptions, input: &Schema) -> Result<Self, Error> {
        options.read.validate()?;
        let session = crate::session::connect_for(&options.read.connection, &[&options.read.keyspace]).await?;
        Self::with_session(session, options, input).await
    }

    /// Like [`open`](Self::open), on an existing session. `input` is the schema of the batches to join.
    ///
    /// ```no_run
    /// # async fn demo(keys: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraLookup, ConnectionOptions, LookupOptions, ReadOptions};
    /// # let options = LookupOptions::new(ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers"), ["customer_id"]);
    /// let session = pycassandra::session::connect(&options.read.connection).await?;
    /// let lookup = CassandraLookup::with_session(session, options, &keys.schema()).await?;
    /// let joined = lookup.join(&keys).await?;
    /// # Ok(()) }
    /// ```
    pub async fn with_session(session: Arc<Session>, options: LookupOptions, input: &Schema) -> Result<Self, Error> {
        options.read.validate()?;
        if options.concurrency == 0 {
            return Err(ConfigError::InvalidValue {
                option: "concurrency",
                value: "0".to_string(),
                expected: "a positive number of point reads in flight".to_string(),
            }
            .into());
        }
        let table = TableSchema::load(&session, &options.read.keyspace, &options.read.table).await?;
        let table_name = table.qualified_name();
        let (key_names, keys) = resolve_keys(&table, &options.on, input)?;

        let mut read = options.read.clone();
        let fetched = match &read.columns {
            Some(columns) => columns.clone(),
            None => table.columns.iter().map(|c| c.name.clone()).filter(|name| !key_names.contains(name)).collect(),
        };
        let input_names = input.fields().iter().map(|f| f.name().as_str());
        if let Some(clash) = fetched.iter().find(|name| match_name(input_names.clone(), name).is_some()) {
            return Err(LookupError::ColumnClash { column: clash.clone(), table: table_name }.into());
        }
        read.columns = Some(fetched);
        let key_refs: Vec<&str> = key_names.iter().map(String::as_str).collect();
        read.filters = Vec::new();
        let plan = ScanPlan::for_keys(&table, &read, &key_refs)?;

        let statement = crate::read::prepare(&session, &plan, &read, &table).await?;

        let fields: Vec<Arc<Field>> =
            input.fields().iter().cloned().chain(plan.schema.fields().iter().cloned()).collect();
        tracing::debug!(table = %table_name, cql = %plan.cql, "lookup opened");
        Ok(Self {
            session,
            plan,
            statement,
            keys,
            schema: Arc::new(Schema::new(fields)),
            how: options.how,
            concurrency: options.concurrency,
            table: table_name,
        })
    }

    /// The schema of every joined batch: the input's columns, then the fetched ones (nullable).
    ///
    /// ```no_run
    /// # async fn demo(keys: arrow_array::RecordBatch) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraLookup, ConnectionOptions, LookupOptions, ReadOptions};
    /// # let options = LookupOptions::new(ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers"), ["customer_id"]);
    /// let lookup = CassandraLookup::open(options, &keys.schema()).await?;
    /// // The key batch's columns first, then the customer's columns.
    /// assert_eq!(lookup.schema().field(0).name(), keys.schema().field(0).name());
    /// # Ok(()) }
    /// ```
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Joins one batch: for each input row, in order, one output row per
    /// table row found (inner), or one with nulls when none is (left). A
    /// row with a null key matches nothing. Bad key values fail with the
    /// write path's error (row, column, CQL type, value) before any read.
    ///
    /// ```no_run
    /// # async fn demo(batches: Vec<arrow_array::RecordBatch>) -> Result<(), pycassandra::Error> {
    /// # use pycassandra::{CassandraLookup, ConnectionOptions, LookupOptions, ReadOptions};
    /// # let options = LookupOptions::new(ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "customers"), ["customer_id"]);
    /// let lookup = CassandraLookup::open(options, &batches[0].schema()).await?;
    /// for keys in &batches {
    ///     let joined = lookup.join(keys).await?;
    ///     println!("{} of {} keys found", joined.num_rows(), keys.num_rows());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn join(&self, input: &RecordBatch) -> Result<RecordBatch, Error> {
        let mut key_values = self
            .keys
            .iter()
            .map(|key| key.converter.convert(input.column(key.input).as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        let reads = (0..input.num_rows()).map(|row| {
            let key: Option<Vec<CqlValue>> = key_values.iter_mut().map(|column| column[row].take()).collect();
            async move {
                match key {
                    Some(key) => self.fetch(key).await,
                    None => Ok(Vec::new()),
                }
            }
        });
        let mut pages_per_row = stream::iter(reads).buffered(self.concurrency);
        let mut sinks: Vec<Sink> = self.plan.columns.iter().map(OutputColumn::sink).collect();
        let mut taken: Vec<u32> = Vec::with_capacity(input.num_rows());
        let mut input_row = 0usize;
        while let Some(pages) = pages_per_row.next().await {
            let decode_error = |_, column: &OutputColumn, failure| ReadError::LookupDecode {
                input_row,
                column: column.name.clone(),
                cql_type: cql_type::name(&column.cql_type),
                failure,
            };
            let mut found = 0;
            for page in pages? {
                found += decode_page(page, &self.plan, &mut sinks, &|e| self.statement_error(e), &decode_error)?;
            }
            if found == 0 && self.how == JoinKind::Left {
                for (sink, column) in sinks.iter_mut().zip(&self.plan.columns) {
                    sink.push(None).map_err(|reason| decode_error(0, column, reason))?;
                }
                found = 1;
            }
            let index = u32::try_from(input_row).map_err(|e| self.statement_error(Box::new(e)))?;
            taken.extend(std::iter::repeat_n(index, found));
            input_row += 1;
        }
        let indices = UInt32Array::from(taken);
        let mut columns: Vec<ArrayRef> = Vec::with_capacity(self.schema.fields().len());
        for column in input.columns() {
            columns.push(arrow_select::take::take(column.as_ref(), &indices, None).map_err(|e| self.arrow_error(e))?);
        }
        for sink in &mut sinks {
            columns.push(sink.finish().map_err(|e| self.arrow_error(e))?);
        }
        let options = arrow_array::RecordBatchOptions::new().with_row_count(Some(indices.len()));
        Ok(RecordBatch::try_new_with_options(self.schema.clone(), columns, &options)
            .map_err(|e| self.arrow_error(e))?)
    }

    /// Every page of one key's rows.
    async fn fetch(&self, key: Vec<CqlValue>) -> Result<Vec<QueryResult>, ReadError> {
        let mut pages = Vec::new();
        let mut paging = PagingState::start();
        loop {
            let (page, next) = self
                .session
                .execute_single_page(&self.statement, &key, paging)
                .await
                .map_err(|e| self.statement_error(Box::new(e)))?;
            pages.push(page);
            match next {
                PagingStateResponse::HasMorePages { state } => paging = state,
                PagingStateResponse::NoMorePages => return Ok(pages),
            }
        }
    }

    fn statement_error(&self, source: Box<dyn std::error::Error + Send + Sync>) -> ReadError {
        ReadError::Statement { table: self.table.clone(), cql: self.plan.cql.clone(), source }
    }

    fn arrow_error(&self, source: arrow_schema::ArrowError) -> ReadError {
        ReadError::Arrow { table: self.table.clone(), source }
    }
}

/// The key columns in the table's order (partition key, then a clustering
/// prefix), each with its input column and converter.
fn resolve_keys(table: &TableSchema, on: &[String], input: &Schema) -> Result<(Vec<String>, Vec<KeyColumn>), Error> {
    let table_name = table.qualified_name();
    if on.is_empty() {
        return Err(LookupError::NoKeys { table: table_name, partition_key: table.partition_key.clone() }.into());
    }
    let input_names: Vec<&str> = input.fields().iter().map(|f| f.name().as_str()).collect();
    let mut given = Vec::with_capacity(on.len());
    for name in on {
        let input_name = match_name(input_names.iter().copied(), name).ok_or_else(|| LookupError::NotInInput {
            column: name.clone(),
            input: input_names.iter().map(ToString::to_string).collect(),
        })?;
        let input_index = input_names.iter().position(|n| *n == input_name).unwrap_or_default();
        let table_name_of = match_name(table.columns.iter().map(|c| c.name.as_str()), name);
        given.push((table_name_of.unwrap_or_else(|| name.clone()), input_index));
    }
    let wanted: Vec<&String> = table.partition_key.iter().chain(&table.clustering_key).take(given.len()).collect();
    let mut sorted: Vec<&String> = given.iter().map(|(name, _)| name).collect();
    sorted.sort();
    let mut expected = wanted.clone();
    expected.sort();
    if given.len() < table.partition_key.len() || sorted != expected {
        return Err(LookupError::NotAKey {
            keys: given.into_iter().map(|(name, _)| name).collect(),
            table: table_name,
            partition_key: table.partition_key.clone(),
            clustering_key: table.clustering_key.clone(),
        }
        .into());
    }
    let mut names = Vec::with_capacity(wanted.len());
    let mut keys = Vec::with_capacity(wanted.len());
    for name in wanted {
        let input_index = given.iter().find(|(given, _)| given == name).map_or(0, |(_, index)| *index);
        let column = table.column(name).ok_or_else(|| LookupError::NoKeys {
            table: table.qualified_name(),
            partition_key: table.partition_key.clone(),
        })?;
        let field = input.field(input_index);
        let converter = ColumnConverter::new(field.name(), field.data_type(), &column.cql_type)?;
        names.push(name.clone());
        keys.push(KeyColumn { input: input_index, converter });
    }
    Ok((names, keys))
}
