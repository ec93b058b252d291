//! `pycassandra._native.ReadJob`: one read of one table. The driver parses the
//! options once, reads the table once, checks Spark's columns and claims the
//! filters; the job is then pickled to every task with that table, so a task
//! neither parses again nor reads the schema, and the scan it prepares is
//! reused by the worker's later tasks of the same job.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use pycassandra::read::pushdown::{Filter, FilterValue, Operator};
use pycassandra::read::{TokenRange, TokenSplit};
use pycassandra::{CassandraReader, ReadOptions, TableSchema};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::errors::to_py;
use crate::pickled_table::carried_or_loaded;
use crate::runtime::{run_detached, session};
use crate::scan::PyScan;

/// A Spark filter as `pycassandra._filters` gives it: `(column, operator,
/// [(kind, value)])`, kinds `integer`, `text`, `boolean`, `date` or another
/// (never pushed). No CQL: the core decides what is exact and renders it.
type FilterTuple = (String, String, Vec<(String, String)>);

/// A token range `(start, end]` and the host ids of its replicas.
type SplitTuple = (i64, i64, Vec<String>);

/// What a pickled job carries besides its options: the table, Spark's columns, the pushed filters.
type PickledState<'py> = (Option<Bound<'py, PyBytes>>, Option<PyArrowType<Schema>>, Vec<FilterTuple>);

/// What `__reduce__` gives pickle: the class, its constructor's arguments, the state.
type Reduced<'py> = (Bound<'py, PyType>, (HashMap<String, String>,), PickledState<'py>);

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

fn split_tuple(split: TokenSplit) -> SplitTuple {
    (split.range.start, split.range.end, split.replicas.iter().map(ToString::to_string).collect())
}

/// Reads one table for Spark: made on the driver, pickled to the tasks.
#[pyclass(name = "ReadJob", module = "pycassandra._native")]
pub(crate) struct ReadJob {
    /// The options as given, for pickling (the password included: executors connect).
    settings: HashMap<String, String>,
    options: ReadOptions,
    table: Option<TableSchema>,
    /// Spark's columns, once checked; `None` reads what the options say.
    target: Option<Schema>,
    pushed: Vec<FilterTuple>,
    reader: Option<Arc<CassandraReader>>,
}

impl ReadJob {
    /// The table, read from the cluster only if the job did not bring it.
    fn table(&mut self, py: Python<'_>) -> PyResult<TableSchema> {
        let target = &self.options;
        carried_or_loaded(py, &mut self.table, &target.connection, &target.keyspace, &target.table)
    }

    /// The reader of this job: this process's for the same job if it has one, else prepared now.
    fn reader(&mut self, py: Python<'_>) -> PyResult<Arc<CassandraReader>> {
        if let Some(reader) = &self.reader {
            return Ok(Arc::clone(reader));
        }
        let table = self.table(py)?;
        let session = session(py, &self.options.connection, &self.options.keyspace)?;
        let mut settings: Vec<_> = self.settings.iter().collect();
        settings.sort();
        // Everything that shapes the reader; never printed (it holds the password).
        let key = format!("{settings:?}|{table:?}|{:?}|{:?}", self.target, self.pushed);
        let (options, target) = (self.options.clone(), self.target.clone());
        let reader = crate::runtime::reader(&key, &session, || {
            let session = Arc::clone(&session);
            run_detached(py, async move { CassandraReader::with_table(session, options, table, target.as_ref()).await })
        })?;
        self.reader = Some(Arc::clone(&reader));
        Ok(reader)
    }

    fn set_pushed(&mut self, pushed: Vec<FilterTuple>) -> PyResult<()> {
        self.options.filters = pushed.iter().cloned().map(filter).collect::<PyResult<_>>()?;
        self.pushed = pushed;
        self.reader = None;
        Ok(())
    }
}

#[pymethods]
impl ReadJob {
    /// Parses the options; raises `ConfigError` naming the option. Connects to nothing.
    #[new]
    fn new(options: HashMap<String, String>) -> PyResult<Self> {
        let parsed = ReadOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        Ok(Self { settings: options, options: parsed, table: None, target: None, pushed: Vec::new(), reader: None })
    }

    /// The Arrow schema of the whole table (plus asked-for metadata columns), as read by default.
    fn schema(&mut self, py: Python<'_>) -> PyResult<PyArrowType<Schema>> {
        let reader = self.reader(py)?;
        Ok(PyArrowType(reader.schema().as_ref().clone()))
    }

    /// Checks that the columns and types of `schema` can be read from the
    /// table, before any task runs; every scan of the job reads them.
    fn check(&mut self, py: Python<'_>, schema: PyArrowType<Schema>) -> PyResult<()> {
        self.target = Some(schema.0);
        self.reader = None;
        self.reader(py).map(|_| ())
    }

    /// Keeps the filters Cassandra evaluates exactly (pushed into every scan)
    /// and returns, one flag each, those Spark must still evaluate.
    fn push_filters(&mut self, py: Python<'_>, filters: Vec<FilterTuple>) -> PyResult<Vec<bool>> {
        let table = self.table(py)?;
        let parsed = filters.iter().cloned().map(filter).collect::<PyResult<Vec<_>>>()?;
        let exact = pycassandra::read::pushdown::push(&table, &parsed).0;
        let rejected = exact.iter().map(|exact| !exact).collect();
        self.set_pushed(filters.into_iter().zip(exact).filter_map(|(f, exact)| exact.then_some(f)).collect())?;
        Ok(rejected)
    }

    /// Splits the ring: `(start, end, replica host ids)` per split.
    fn splits(&mut self, py: Python<'_>) -> PyResult<Vec<SplitTuple>> {
        let reader = self.reader(py)?;
        let splits = run_detached(py, async move { reader.splits().await })?;
        Ok(splits.into_iter().map(split_tuple).collect())
    }

    /// The splits as Spark's tasks: neighbouring splits joined into at most
    /// as many tasks as the read wants splits (a ring of many replica sets
    /// has more splits than a small table wants tasks).
    fn tasks(&mut self, py: Python<'_>) -> PyResult<Vec<Vec<SplitTuple>>> {
        let reader = self.reader(py)?;
        let tasks = run_detached(py, async move { reader.split_tasks().await })?;
        Ok(tasks.into_iter().map(|task| task.into_iter().map(split_tuple).collect()).collect())
    }

    /// The batches of one split; made inside a Spark task, on the worker's cached session and scan.
    fn scan(&mut self, py: Python<'_>, split: SplitTuple) -> PyResult<PyScan> {
        let (start, end, replicas) = split;
        if start >= end {
            return Err(pyo3::exceptions::PyValueError::new_err(format!(
                "token range ({start}, {end}] is empty or wraps"
            )));
        }
        let reader = self.reader(py)?;
        let replicas = replicas.iter().filter_map(|r| uuid::Uuid::parse_str(r).ok()).collect();
        Ok(PyScan::new(reader.scan(&TokenSplit { range: TokenRange { start, end }, replicas })))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<Reduced<'py>> {
        let py = slf.py();
        let job = slf.borrow();
        let table = crate::pickled_table::pickle(py, job.table.as_ref());
        Ok((slf.get_type(), (job.settings.clone(),), (table, job.target.clone().map(PyArrowType), job.pushed.clone())))
    }

    fn __setstate__(&mut self, state: PickledState<'_>) -> PyResult<()> {
        let (table, target, pushed) = state;
        self.table = crate::pickled_table::unpickle(table, "ReadJob")?;
        self.target = target.map(|schema| schema.0);
        self.set_pushed(pushed)
    }

    fn __repr__(&self) -> String {
        format!("pycassandra._native.ReadJob({}.{})", self.options.keyspace, self.options.table)
    }
}
