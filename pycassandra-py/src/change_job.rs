//! `pycassandra._native.ChangeJob`: one change stream of one table, read from
//! a node's `cdc_raw` directory. Spark's stream reader keeps one on the
//! driver (offsets, planning, commits) and pickles it by its options to the
//! tasks, which read the events of one `[from, to)` piece each. A worker
//! reads the table's schema for its first task of a query and decodes its
//! later tasks of that query with it.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, RecordBatch, RecordBatchOptions};
use arrow::compute::{cast_with_options, CastOptions};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::pyarrow::PyArrowType;
use pycassandra::cdc::{cdc_enabled, CdcSchema, ChangeOffset, ChangeReader, SegmentBytes};
use pycassandra::config::{AgentAddresses, ChangeAgents, ChangeOptions, StartingPosition};
use pycassandra::{CdcError, ConfigError, Error};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyType};

use crate::errors::{to_py, CassandraConnectError};
use crate::runtime::{cache_change_schema, change_schema, count_change_schema_reload, run_detached, session};

/// An offset as Python holds it: `(segment id, position)`.
type OffsetTuple = (i64, u64);

/// What `__reduce__` gives pickle: the class and its constructor's arguments.
type Reduced<'py> = (Bound<'py, PyType>, (HashMap<String, String>, String));

/// One table's change stream for Spark.
#[pyclass(name = "ChangeJob", module = "pycassandra._native")]
pub(crate) struct ChangeJob {
    /// The options as given, for pickling (the password included: tasks read the schema).
    settings: HashMap<String, String>,
    options: ChangeOptions,
    /// Made at construction and kept by the copies pickled from it: Spark
    /// pickles one job to all the tasks of a query, so this names the query
    /// whose schema a worker caches (a later query reads the table again,
    /// as the driver does).
    query: String,
    /// Made on first use: it needs the table's schema from the cluster.
    reader: Option<ChangeReader>,
    /// The schema `reader` decodes with, tables dropped since included: a
    /// reload keeps them, in the reader and in the worker's cache.
    schema: Option<CdcSchema>,
}

impl ChangeJob {
    fn reader(&mut self, py: Python<'_>) -> PyResult<&mut ChangeReader> {
        if self.reader.is_none() {
            let schema = change_schema(&self.cache_key(), || self.load_schema(py))?;
            let id = table_id(&schema, &self.options.keyspace, &self.options.table).map_err(to_py)?;
            let reader = ChangeReader::new(&self.options.cdc_raw_directory, schema.clone(), id).map_err(cdc)?;
            self.reader = Some(reader);
            self.schema = Some(schema);
        }
        self.reader.as_mut().ok_or_else(|| pyo3::exceptions::PyRuntimeError::new_err("change reader missing"))
    }

    /// The decoder's schema of the table's keyspace, from the cluster; the
    /// table must be `WITH cdc = true`.
    fn load_schema(&self, py: Python<'_>) -> PyResult<CdcSchema> {
        let session = session(py, &self.options.connection, &self.options.keyspace)?;
        let (keyspace, table) = (self.options.keyspace.clone(), self.options.table.clone());
        run_detached(py, async move {
            let schema = CdcSchema::load(&session, &[&keyspace]).await?;
            let found = &schema.tables[&table_id(&schema, &keyspace, &table)?];
            if !cdc_enabled(&session, &found.keyspace, &found.table).await? {
                let table = format!("{}.{}", found.keyspace, found.table);
                return Err(pycassandra::SchemaError::CdcDisabled { table }.into());
            }
            Ok(schema)
        })
    }

    /// Reads the schema again (a table id the reader does not know). The
    /// tables dropped since are kept in what the worker caches too, not only
    /// in this reader: a later task of the query would otherwise meet their
    /// updates, still in the log, unknown and read the schema once more.
    fn reload_schema(&mut self, py: Python<'_>) -> PyResult<()> {
        let mut schema = self.load_schema(py)?;
        count_change_schema_reload()?;
        if let Some(earlier) = &self.schema {
            schema.keep_dropped_tables(earlier);
        }
        cache_change_schema(&self.cache_key(), &schema)?;
        self.reader(py)?.set_schema(schema.clone()).map_err(cdc)?;
        self.schema = Some(schema);
        Ok(())
    }

    /// The table's columns dropped, as the reader's schema knows them.
    fn dropped_columns(&self) -> Vec<String> {
        let Some(schema) = &self.schema else { return Vec::new() };
        let Ok(id) = table_id(schema, &self.options.keyspace, &self.options.table) else { return Vec::new() };
        schema.tables.get(&id).map(|table| table.dropped.iter().map(|d| d.name.clone()).collect()).unwrap_or_default()
    }

    /// The agents' settings: cluster mode only.
    fn agents(&self) -> PyResult<&ChangeAgents> {
        self.options.agents.as_ref().ok_or_else(|| {
            PyValueError::new_err(
                "change stream: cluster mode needs cdc_agents or cdc_agent_port (this stream reads cdc_raw_directory)",
            )
        })
    }

    /// The smaller of `max_bytes_per_trigger` and Spark's own limit.
    fn budget(&self, spark_limit: Option<u64>) -> Option<u64> {
        match (self.options.max_bytes_per_trigger, spark_limit) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The worker's cache key for this query's schema: the options (the
    /// password too, so never printed) and the query.
    fn cache_key(&self) -> String {
        let mut settings: Vec<_> = self.settings.iter().collect();
        settings.sort();
        format!("{}|{settings:?}", self.query)
    }
}

/// The id of `keyspace.table` among the tables the schema decodes.
fn table_id(schema: &CdcSchema, keyspace: &str, table: &str) -> Result<uuid::Uuid, Error> {
    schema.table_id(keyspace, table).ok_or_else(|| {
        Error::from(pycassandra::SchemaError::TableNotFound {
            keyspace: keyspace.to_string(),
            table: table.to_string(),
        })
    })
}

fn offset((segment, position): OffsetTuple) -> ChangeOffset {
    ChangeOffset { segment, position }
}

fn tuple(offset: ChangeOffset) -> OffsetTuple {
    (offset.segment, offset.position)
}

fn cdc(error: CdcError) -> PyErr {
    to_py(Error::from(error))
}

/// The event schema in the types Spark takes from Arrow: a change id as
/// plain binary (Spark has no fixed-size binary), everything else as built.
fn spark_ready(schema: &Schema) -> Schema {
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|field| match field.data_type() {
            DataType::FixedSizeBinary(_) => field.as_ref().clone().with_data_type(DataType::Binary),
            _ => field.as_ref().clone(),
        })
        .collect();
    Schema::new(fields)
}

/// `events` with the columns Spark asked for, in its order and types: the
/// stream's schema (or a given one naming some of the event columns).
/// A column of the stream's schema that `dropped` (the table's columns
/// dropped since the query started) explains is filled: null, or false for a
/// deletion flag, which is never null.
fn conform(events: &RecordBatch, target: &SchemaRef, dropped: &[String]) -> Result<RecordBatch, Error> {
    let invalid = |what: String| {
        Error::from(ConfigError::InvalidValue { option: "schema", value: what, expected: event_columns(events) })
    };
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(target.fields().len());
    for field in target.fields() {
        let Some(column) = events.column_by_name(field.name()) else {
            match dropped_column_filler(field, events.num_rows(), dropped) {
                Some(filler) => {
                    columns.push(filler);
                    continue;
                }
                None => return Err(invalid(format!("column '{}' is not a change-event column", field.name()))),
            }
        };
        let column = if column.data_type() == field.data_type() {
            Arc::clone(column)
        } else {
            // Not `safe`: a value that does not fit fails, it does not become null.
            let options = CastOptions { safe: false, ..CastOptions::default() };
            cast_with_options(column, field.data_type(), &options)
                .map_err(|e| invalid(format!("column '{}' as {}: {e}", field.name(), field.data_type())))?
        };
        columns.push(column);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(events.num_rows()));
    RecordBatch::try_new_with_options(Arc::clone(target), columns, &options)
        .map_err(|e| invalid(format!("the events do not fit the schema: {e}")))
}

fn dropped_column_filler(field: &Field, rows: usize, dropped: &[String]) -> Option<ArrayRef> {
    let name = field.name();
    let of_dropped = |prefix: &str| name.strip_prefix(prefix).is_some_and(|c| dropped.iter().any(|d| d == c));
    if dropped.iter().any(|d| d == name) || of_dropped("_cdc_deleted_elements_") {
        return field.is_nullable().then(|| arrow::array::new_null_array(field.data_type(), rows));
    }
    if of_dropped("_cdc_deleted_") && field.data_type() == &DataType::Boolean {
        return Some(Arc::new(arrow::array::BooleanArray::from(vec![false; rows])));
    }
    None
}

fn event_columns(events: &RecordBatch) -> String {
    let names: Vec<&str> = events.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
    format!("a subset of the change-event columns ({})", names.join(", "))
}

#[pymethods]
impl ChangeJob {
    /// Parses and checks the options; connects to nothing. `query` is for
    /// pickle only (the copies of one job share it).
    #[new]
    #[pyo3(signature = (options, query=None))]
    fn new(options: HashMap<String, String>, query: Option<String>) -> PyResult<Self> {
        let parsed = ChangeOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        let query = query.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        Ok(Self { settings: options, options: parsed, query, reader: None, schema: None })
    }

    /// The events' Arrow schema, in types Spark accepts.
    fn schema(&mut self, py: Python<'_>) -> PyResult<PyArrowType<Schema>> {
        Ok(PyArrowType(spark_ready(&self.reader(py)?.schema())))
    }

    /// Where a stream without a checkpoint starts.
    fn initial_offset(&mut self, py: Python<'_>) -> PyResult<OffsetTuple> {
        let earliest = self.options.starting_position == StartingPosition::Earliest;
        let reader = self.reader(py)?;
        let start = if earliest { reader.earliest() } else { reader.latest() };
        start.map(tuple).map_err(cdc)
    }

    /// The end of the next micro-batch: what is durable now, at most
    /// `max_bytes` (the option, or Spark's tighter limit) past `start`;
    /// `start` unknown (PySpark before 4.2 does not say it) reads all.
    #[pyo3(signature = (start, max_bytes=None))]
    fn latest_offset(
        &mut self,
        py: Python<'_>,
        start: Option<OffsetTuple>,
        max_bytes: Option<u64>,
    ) -> PyResult<OffsetTuple> {
        let budget = self.budget(max_bytes);
        let reader = self.reader(py)?;
        let latest = match (start, budget) {
            (Some(start), Some(budget)) => reader.latest_within(offset(start), budget),
            _ => reader.latest(),
        }
        .map_err(cdc)?;
        // Never behind the start: an offset only moves forward.
        Ok(tuple(start.map_or(latest, |start| latest.max(offset(start)))))
    }

    /// `[start, end)` cut at segment boundaries: one Spark partition each.
    fn pieces(
        &mut self,
        py: Python<'_>,
        start: OffsetTuple,
        end: OffsetTuple,
    ) -> PyResult<Vec<(OffsetTuple, OffsetTuple)>> {
        if offset(end) <= offset(start) {
            return Ok(Vec::new());
        }
        let pieces = self.reader(py)?.segments_between(offset(start), offset(end)).map_err(cdc)?;
        Ok(pieces.into_iter().map(|(from, to)| (tuple(from), tuple(to))).collect())
    }

    /// The events of `[start, end)` as one batch in Spark's Arrow schema.
    fn read(
        &mut self,
        py: Python<'_>,
        start: OffsetTuple,
        end: OffsetTuple,
        target: PyArrowType<Schema>,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        let target: SchemaRef = Arc::new(target.0);
        let (from, to) = (offset(start), offset(end));
        let reader = self.reader(py)?;
        let batch = match py.detach(|| reader.read_between(from, to)) {
            Ok(batch) => batch,
            // A table id the schema lacks: a table created since it was read
            // (reload), or one dropped since (still unknown after the reload,
            // so none of this table's keyspace: skipped).
            Err(CdcError::Invalid { .. }) => {
                self.reload_schema(py)?;
                let reader = self.reader(py)?;
                reader.skip_unknown_tables(true);
                py.detach(|| reader.read_between(from, to)).map_err(cdc)?
            }
            Err(error) => return Err(cdc(error)),
        };
        let events = conform(&batch.events, &target, &self.dropped_columns()).map_err(to_py)?;
        Ok(PyArrowType(events))
    }

    /// After Spark committed everything before `end`: deletes the fully
    /// consumed segments when `cdc_delete_consumed` allows it; their ids.
    fn commit(&mut self, py: Python<'_>, end: OffsetTuple) -> PyResult<Vec<i64>> {
        if !self.options.delete_consumed {
            return Ok(Vec::new());
        }
        self.reader(py)?.delete_consumed(offset(end)).map_err(cdc)
    }

    /// Fails when the table changed since the query started in a way the
    /// stream cannot follow (pycassandra::cdc::drift): called on the driver
    /// after each micro-batch's end is planned, so a batch with values of a
    /// column added since never runs.
    ///
    /// When no node answers (a connection error), the check waits for the
    /// next batch with a warning: `cdc_raw` stays readable while its node is
    /// down, and an unknown column or table id still fails the decoding.
    fn check_schema(&mut self, py: Python<'_>) -> PyResult<()> {
        self.reader(py)?;
        let Some(schema) = &self.schema else { return Ok(()) };
        let (keyspace, table) = (&self.options.keyspace, &self.options.table);
        let started = schema.tables[&table_id(schema, keyspace, table).map_err(to_py)?].clone();
        let (found_keyspace, found_table) = (started.keyspace.clone(), started.table.clone());
        let live = session(py, &self.options.connection, keyspace).and_then(|session| {
            run_detached(py, async move {
                Ok(pycassandra::cdc::drift::live_table(&session, &found_keyspace, &found_table).await?)
            })
        });
        let now = match live {
            Err(unanswered) if unanswered.is_instance_of::<CassandraConnectError>(py) => {
                tracing::warn!("change stream: this micro-batch's schema check waits for the next one: {unanswered}");
                return Ok(());
            }
            other => other?,
        };
        match pycassandra::cdc::drift::drift(&started, now.as_ref()) {
            None => Ok(()),
            Some(pycassandra::cdc::drift::Drift::ColumnsAdded(_)) if self.options.ignore_added_columns => Ok(()),
            Some(drift) => Err(to_py(drift.error(&started.keyspace, &started.table).into())),
        }
    }

    /// Cluster mode: what the stream reader needs to talk to the agents
    /// (`token`, `ca`, `consumer`, `urls` (empty when found with
    /// `cdc_agent_port`), `starting_position`). The token is for the
    /// requests' header only: never logged.
    fn agent_settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let agents = self.agents()?;
        let settings = PyDict::new(py);
        settings.set_item("token", agents.token.expose())?;
        settings.set_item("ca", agents.ca.as_ref().map(|ca| ca.display().to_string()))?;
        settings.set_item("consumer", &agents.consumer)?;
        let urls = match &agents.addresses {
            AgentAddresses::Urls(urls) => urls.clone(),
            AgentAddresses::Port(_) => Vec::new(),
        };
        settings.set_item("urls", urls)?;
        let earliest = self.options.starting_position == StartingPosition::Earliest;
        settings.set_item("starting_position", if earliest { "earliest" } else { "latest" })?;
        Ok(settings)
    }

    /// Cluster mode with `cdc_agent_port`: `(host id, agent URL)` of every
    /// node the cluster lists, from the driver's view of the ring.
    fn agent_urls(&self, py: Python<'_>) -> PyResult<Vec<(String, String)>> {
        let AgentAddresses::Port(port) = self.agents()?.addresses else {
            return Err(PyValueError::new_err("change stream: cdc_agents lists the agents; none are discovered"));
        };
        let session = session(py, &self.options.connection, &self.options.keyspace)?;
        let state = session.get_cluster_state();
        let mut urls: Vec<(String, String)> = state
            .get_nodes_info()
            .iter()
            .map(|node| {
                let host = match node.address.ip() {
                    std::net::IpAddr::V6(ip) => format!("[{ip}]"),
                    ip => ip.to_string(),
                };
                (node.host_id.to_string(), format!("https://{host}:{port}"))
            })
            .collect();
        urls.sort();
        Ok(urls)
    }

    /// The most bytes one micro-batch reads per node: the option, or Spark's tighter limit.
    #[pyo3(signature = (spark_limit=None))]
    fn byte_budget(&self, spark_limit: Option<u64>) -> Option<u64> {
        self.budget(spark_limit)
    }

    /// Cluster mode: the events of `[start, end)` in the segment bytes an
    /// agent served (`name` its file, `limit` the walk's limit), from node
    /// `host_id`, as one batch in Spark's Arrow schema.
    #[allow(clippy::too_many_arguments)]
    fn read_piece(
        &mut self,
        py: Python<'_>,
        host_id: String,
        name: String,
        data: &[u8],
        limit: u64,
        start: OffsetTuple,
        end: OffsetTuple,
        target: PyArrowType<Schema>,
    ) -> PyResult<PyArrowType<RecordBatch>> {
        self.agents()?;
        let target: SchemaRef = Arc::new(target.0);
        let (from, to) = (offset(start), offset(end));
        let piece = SegmentBytes { id: from.segment, name, bytes: data.to_vec(), limit };
        let reader = self.reader(py)?;
        reader.set_node(Some(host_id));
        let batch = match py.detach(|| reader.read_piece(&piece, from, to)) {
            Ok(batch) => batch,
            // As in `read`: a table created since the schema was read, or one dropped since.
            Err(CdcError::Invalid { .. }) => {
                self.reload_schema(py)?;
                let reader = self.reader(py)?;
                reader.skip_unknown_tables(true);
                py.detach(|| reader.read_piece(&piece, from, to)).map_err(cdc)?
            }
            Err(error) => return Err(cdc(error)),
        };
        let events = conform(&batch.events, &target, &self.dropped_columns()).map_err(to_py)?;
        Ok(PyArrowType(events))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let job = slf.borrow();
        Ok((slf.get_type(), (job.settings.clone(), job.query.clone())))
    }

    fn __repr__(&self) -> String {
        let source = match self.options.agents.as_ref().map(|agents| &agents.addresses) {
            None => self.options.cdc_raw_directory.display().to_string(),
            Some(AgentAddresses::Urls(urls)) => format!("change agents {}", urls.join(", ")),
            Some(AgentAddresses::Port(port)) => format!("the change agent on port {port} of every node"),
        };
        format!("ChangeJob({}.{} from {source})", self.options.keyspace, self.options.table)
    }
}
