//! `pycassandra._native.Writer`: a [`CassandraWriter`] for one Spark task,
//! made by [`WriteJob.writer`](crate::write_job::WriteJob).

use std::sync::Mutex;

use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatch;
use pycassandra::{CassandraWriter, WriteReport};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::runtime::run_detached;

/// Writes pyarrow RecordBatches into one table.
#[pyclass(name = "Writer", module = "pycassandra._native")]
pub(crate) struct PyWriter {
    inner: Mutex<Option<CassandraWriter>>,
}

impl PyWriter {
    pub(crate) fn new(writer: CassandraWriter) -> Self {
        Self { inner: Mutex::new(Some(writer)) }
    }

    fn run<T: Send>(
        &self,
        py: Python<'_>,
        action: impl for<'w> FnOnce(
                &'w mut CassandraWriter,
            ) -> std::pin::Pin<
                Box<dyn std::future::Future<Output = Result<T, pycassandra::Error>> + Send + 'w>,
            > + Send,
    ) -> PyResult<T> {
        let mut guard = self.inner.lock().map_err(|_| closed())?;
        let writer = guard.as_mut().ok_or_else(closed)?;
        run_detached(py, action(writer))
    }
}

fn closed() -> PyErr {
    crate::errors::CassandraWriteError::new_err("the writer is closed")
}

#[pymethods]
impl PyWriter {
    /// Converts and sends one batch; returns once its requests are in flight.
    fn write_batch(&self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<()> {
        let batch = batch.0;
        self.run(py, move |writer| Box::pin(async move { writer.write_batch(&batch).await }))
    }

    /// Waits for every request in flight.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.run(py, |writer| Box::pin(writer.flush()))
    }

    /// What has been acknowledged so far, also after a failure.
    fn report<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let guard = self.inner.lock().map_err(|_| closed())?;
        report_dict(py, &guard.as_ref().ok_or_else(closed)?.report())
    }

    /// Flushes, closes the writer and returns the job's report.
    fn finish<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let writer = self.inner.lock().map_err(|_| closed())?.take().ok_or_else(closed)?;
        let report = run_detached(py, writer.finish())?;
        report_dict(py, &report)
    }

    fn __repr__(&self) -> String {
        "pycassandra._native.Writer(...)".to_string()
    }
}

pub(crate) fn report_dict<'py>(py: Python<'py>, report: &WriteReport) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("rows_written", report.rows_written)?;
    dict.set_item("rows_deleted", report.rows_deleted)?;
    dict.set_item("rows_failed", report.rows_failed)?;
    dict.set_item("lwt_not_applied", report.lwt_not_applied)?;
    dict.set_item("requests", report.requests)?;
    dict.set_item("retries", report.retries)?;
    dict.set_item("input_bytes", report.input_bytes)?;
    dict.set_item("elapsed_seconds", report.elapsed.as_secs_f64())?;
    Ok(dict)
}
