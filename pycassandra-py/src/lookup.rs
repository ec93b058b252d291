//! `pycassandra._native.Lookup`: a [`CassandraLookup`] joining the batches of
//! one Spark task (or planned once on the driver for its output schema).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatch;
use pycassandra::{CassandraLookup, JoinKind, LookupOptions, ReadOptions};
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::runtime::{run_detached, session};

/// Joins pyarrow RecordBatches of keys with one table by point reads.
#[pyclass(name = "Lookup", module = "pycassandra._native", frozen)]
pub(crate) struct PyLookup {
    inner: Arc<CassandraLookup>,
}

#[pymethods]
impl PyLookup {
    /// Checks the options, the keys and the columns against the table, and
    /// prepares the point read (on this process's cached session).
    #[new]
    #[pyo3(signature = (options, on, how, columns, concurrency, schema))]
    fn new(
        py: Python<'_>,
        options: HashMap<String, String>,
        on: Vec<String>,
        how: &str,
        columns: Option<Vec<String>>,
        concurrency: usize,
        schema: PyArrowType<Schema>,
    ) -> PyResult<Self> {
        let mut read = ReadOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        read.columns = columns;
        let how = JoinKind::parse(how).map_err(|e| to_py(e.into()))?;
        let mut options = LookupOptions::new(read, on);
        options.how = how;
        options.concurrency = concurrency;
        let session = session(py, &options.read.connection, &options.read.keyspace)?;
        let input = schema.0;
        let lookup = run_detached(py, async move { CassandraLookup::with_session(session, options, &input).await })?;
        Ok(Self { inner: Arc::new(lookup) })
    }

    /// The schema of every joined batch: the input's columns, then the fetched ones.
    fn schema(&self) -> PyArrowType<Schema> {
        PyArrowType(self.inner.schema().as_ref().clone())
    }

    /// Joins one batch; the GIL is released while the reads run.
    fn join(&self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<PyArrowType<RecordBatch>> {
        let (lookup, batch) = (Arc::clone(&self.inner), batch.0);
        run_detached(py, async move { lookup.join(&batch).await }).map(PyArrowType)
    }
}
