//! `pycassandra._native.Scan`: the batches of one token range, made inside a
//! Spark task by [`ReadJob.scan`](crate::read_job::ReadJob).

use std::sync::Mutex;

use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatch;
use pycassandra::read::Scan;
use pyo3::prelude::*;

use crate::runtime::run_detached;

/// Iterates the batches of one token range.
#[pyclass(name = "Scan", module = "pycassandra._native")]
pub(crate) struct PyScan {
    inner: Mutex<Option<Scan>>,
}

impl PyScan {
    pub(crate) fn new(scan: Scan) -> Self {
        Self { inner: Mutex::new(Some(scan)) }
    }
}

#[pymethods]
impl PyScan {
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
