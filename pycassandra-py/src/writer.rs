//! `pycassandra._native.Writer`: a [`CassandraWriter`] for one Spark task.

use std::collections::HashMap;
use std::sync::Mutex;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use arrow::record_batch::RecordBatch;
use pycassandra::{CassandraWriter, WriteOptions, WriteReport};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::errors::to_py;
use crate::runtime::{run_detached, session};

/// Writes pyarrow RecordBatches into one table; made inside a Spark task.
#[pyclass(name = "Writer", module = "pycassandra._native")]
pub(crate) struct PyWriter {
    inner: Mutex<Option<CassandraWriter>>,
}

impl PyWriter {
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
    /// Connects (reusing this process's session), reads the table and prepares statements.
    #[new]
    fn new(py: Python<'_>, options: HashMap<String, String>, schema: PyArrowType<Schema>) -> PyResult<Self> {
        let options = WriteOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        let session = session(py, &options.connection, &options.keyspace)?;
        let schema = schema.0;
        let writer = run_detached(py, async move { CassandraWriter::with_session(session, options, &schema).await })?;
        Ok(Self { inner: Mutex::new(Some(writer)) })
    }

    /// Converts and sends one batch; returns once its requests are in flight.
    fn write_batch(&self, py: Python<'_>, batch: PyArrowType<RecordBatch>) -> PyResult<()> {
        let batch = batch.0;
        self.run(py, move |writer| Box::pin(async move { writer.write_batch(&batch).await }))
    }

    /// Waits for every request in flight.
    fn flush(&self, py: Python<'_>) -> PyResult<()> {
        self.run(py, |writer| Box::pin(writer.flush()))
    }

    /// Stream mode: starts counting a micro-batch.
    fn begin_micro_batch(&self) -> PyResult<()> {
        let mut guard = self.inner.lock().map_err(|_| closed())?;
        guard.as_mut().ok_or_else(closed)?.begin_micro_batch();
        Ok(())
    }

    /// Stream mode: flushes and reports the micro-batch.
    fn commit_micro_batch<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let report = self.run(py, |writer| Box::pin(writer.commit_micro_batch()))?;
        report_dict(py, &report)
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
