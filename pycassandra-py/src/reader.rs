//! Reading for the PySpark source: the table's default schema, the token-range
//! splits (on the driver) and one scan per split (in a task), batches by Arrow.

use std::collections::HashMap;
use std::sync::Mutex;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatch;
use pycassandra::read::pushdown::{Filter, FilterValue, Operator};
use pycassandra::read::{Scan, TokenRange, TokenSplit};
use pycassandra::{CassandraReader, ReadOptions};
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::runtime::{run_detached, session};

fn parse(options: &HashMap<String, String>) -> PyResult<ReadOptions> {
    ReadOptions::from_options(options).map_err(|e| to_py(e.into()))
}

/// A Spark filter as `pycassandra._filters` gives it: `(column, operator,
/// [(kind, value)])`, kinds `integer`, `text`, `boolean`, `date` or another
/// (never pushed). No CQL: the core decides what is exact and renders it.
pub(crate) type FilterTuple = (String, String, Vec<(String, String)>);

/// The filters pushed on the driver, carried to every task.
pub(crate) type Pushed = Option<Vec<FilterTuple>>;

fn filter(tuple: FilterTuple) -> PyResult<Filter> {
    let (column, operator, values) = tuple;
    let operator = Operator::parse(&operator)
        .ok_or_else(|| pyo3::exceptions::PyValueError::new_err(format!("unknown filter operator '{operator}'")))?;
    let values = values
        .into_iter()
        .map(|(kind, value)| match kind.as_str() {
            "integer" => value.parse().map_or(FilterValue::Other, FilterValue::Integer),
            "text" => FilterValue::Text(value),
            "boolean" => FilterValue::Boolean(value == "true"),
            "date" => FilterValue::Date(value),
            _ => FilterValue::Other,
        })
        .collect();
    Ok(Filter { column, operator, values })
}

fn open(
    py: Python<'_>,
    options: &HashMap<String, String>,
    schema: Option<Schema>,
    pushed: Pushed,
) -> PyResult<CassandraReader> {
    let mut options = parse(options)?;
    options.filters = pushed.unwrap_or_default().into_iter().map(filter).collect::<PyResult<_>>()?;
    let session = session(py, &options.connection, &options.keyspace)?;
    run_detached(py, async move { CassandraReader::with_session(session, options, schema.as_ref()).await })
}

/// Checks read options without connecting; raises `ConfigError` naming the option.
#[pyfunction]
pub(crate) fn validate_read_options(options: HashMap<String, String>) -> PyResult<()> {
    parse(&options).map(|_| ())
}

/// The Arrow schema of the whole table (plus asked-for metadata columns), as read by default.
#[pyfunction]
pub(crate) fn read_schema(py: Python<'_>, options: HashMap<String, String>) -> PyResult<PyArrowType<Schema>> {
    let reader = open(py, &options, None, None)?;
    Ok(PyArrowType(reader.schema().as_ref().clone()))
}

/// Checks that the columns and types of `schema` can be read from the table, before any task runs.
#[pyfunction]
pub(crate) fn check_read(
    py: Python<'_>,
    options: HashMap<String, String>,
    schema: PyArrowType<Schema>,
) -> PyResult<()> {
    open(py, &options, Some(schema.0), None).map(|_| ())
}

/// Which of `filters` Cassandra evaluates exactly (one flag each): those are
/// pushed into every scan, and Spark leaves them out.
#[pyfunction]
pub(crate) fn push_filters(
    py: Python<'_>,
    options: HashMap<String, String>,
    filters: Vec<FilterTuple>,
) -> PyResult<Vec<bool>> {
    let reader = open(py, &options, None, None)?;
    let filters = filters.into_iter().map(filter).collect::<PyResult<Vec<_>>>()?;
    Ok(pycassandra::read::pushdown::push(reader.table(), &filters).0)
}

/// Checks that `schema`'s columns and types can be read, then splits the ring:
/// `(start, end, replica host ids)` per split.
#[pyfunction]
#[pyo3(signature = (options, schema, pushed=None))]
pub(crate) fn plan_splits(
    py: Python<'_>,
    options: HashMap<String, String>,
    schema: PyArrowType<Schema>,
    pushed: Pushed,
) -> PyResult<Vec<(i64, i64, Vec<String>)>> {
    let reader = open(py, &options, Some(schema.0), pushed)?;
    let splits = run_detached(py, async move { reader.splits().await })?;
    Ok(splits
        .into_iter()
        .map(|s| (s.range.start, s.range.end, s.replicas.iter().map(ToString::to_string).collect()))
        .collect())
}

/// Iterates the batches of one token range; made inside a Spark task.
#[pyclass(name = "Scan", module = "pycassandra._native")]
pub(crate) struct PyScan {
    // The reader owns the prepared statement the scan borrows a copy of.
    inner: Mutex<Option<Scan>>,
}

#[pymethods]
impl PyScan {
    /// Connects (reusing this process's session), prepares the scan of `(start, end]` for `schema`.
    #[new]
    #[pyo3(signature = (options, schema, start, end, replicas, pushed=None))]
    fn new(
        py: Python<'_>,
        options: HashMap<String, String>,
        schema: PyArrowType<Schema>,
        start: i64,
        end: i64,
        replicas: Vec<String>,
        pushed: Pushed,
    ) -> PyResult<Self> {
        if start >= end {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "token range ({start}, {end}] is empty or wraps"
            )));
        }
        let reader = open(py, &options, Some(schema.0), pushed)?;
        let replicas = replicas.iter().filter_map(|r| uuid::Uuid::parse_str(r).ok()).collect();
        let scan = reader.scan(&TokenSplit { range: TokenRange { start, end }, replicas });
        Ok(Self { inner: Mutex::new(Some(scan)) })
    }

    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    /// The next page as a pyarrow RecordBatch; the GIL is released while it is fetched and decoded.
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyArrowType<RecordBatch>>> {
        let mut guard =
            self.inner.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("scan lock poisoned"))?;
        let Some(scan) = guard.as_mut() else { return Ok(None) };
        let batch = run_detached(py, scan.next_batch())?;
        if batch.is_none() {
            *guard = None;
        }
        Ok(batch.map(PyArrowType))
    }

    /// Rows returned so far.
    fn rows_read(&self) -> PyResult<u64> {
        let guard = self.inner.lock().map_err(|_| pyo3::exceptions::PyRuntimeError::new_err("scan lock poisoned"))?;
        Ok(guard.as_ref().map_or(0, Scan::rows_read))
    }
}
