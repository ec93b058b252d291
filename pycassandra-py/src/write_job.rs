//! `pycassandra._native.WriteJob`: one write into one table. A batch job is
//! parsed and checked once on the driver (the table read there travels, pickled,
//! to every task); a stream's job is only parsed there, since Spark builds it
//! for every micro-batch's planning and commit, and each task checks the table.

use std::collections::HashMap;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use pycassandra::{CassandraWriter, TableSchema, WriteOptions};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyType};

use crate::errors::to_py;
use crate::pickled_table::carried_or_loaded;
use crate::runtime::{run_detached, session, write_statements};
use crate::writer::PyWriter;

/// The arguments a pickled job is rebuilt from: the options, Spark's schema, streaming or not.
type NewArgs = (HashMap<String, String>, PyArrowType<Schema>, bool);

/// Writes Spark's rows into one table: made on the driver, pickled to the tasks.
#[pyclass(name = "WriteJob", module = "pycassandra._native")]
pub(crate) struct WriteJob {
    /// The options as given, for pickling (the password included: executors connect).
    settings: HashMap<String, String>,
    options: WriteOptions,
    /// The schema Spark writes, as Arrow.
    input: Schema,
    stream: bool,
    /// The table as the driver's check read it; `None` until then, and always for a stream.
    table: Option<TableSchema>,
}

impl WriteJob {
    /// The table, read from the cluster only if the job did not bring it.
    fn table(&mut self, py: Python<'_>) -> PyResult<TableSchema> {
        let target = &self.options;
        carried_or_loaded(py, &mut self.table, &target.connection, &target.keyspace, &target.table)
    }
}

#[pymethods]
impl WriteJob {
    /// Parses the options; raises `ConfigError` naming the option. Connects
    /// to nothing. A stream never truncates (complete mode upserts the whole
    /// result every micro-batch), so `confirm_truncate` is refused for it
    /// rather than ignored.
    #[new]
    #[pyo3(signature = (options, schema, stream = false))]
    fn new(options: HashMap<String, String>, schema: PyArrowType<Schema>, stream: bool) -> PyResult<Self> {
        let parsed = WriteOptions::from_options(&options).map_err(|e| to_py(e.into()))?;
        if stream && parsed.confirm_truncate {
            return Err(to_py(
                pycassandra::ConfigError::NotForStreaming {
                    option: pycassandra::config::names::CONFIRM_TRUNCATE,
                    why: "a stream never truncates (outputMode(\"complete\") upserts the whole result every micro-batch)",
                }
                .into(),
            ));
        }
        Ok(Self { settings: options, options: parsed, input: schema.0, stream, table: None })
    }

    /// Checks the table, keys, columns and types against the live cluster
    /// for Spark's schema, before any task runs; prepares nothing. The table
    /// read here travels with the job, so no task reads it again.
    fn check(&mut self, py: Python<'_>) -> PyResult<()> {
        let table = self.table(py)?;
        CassandraWriter::check(&table, &self.input, &self.options).map_err(to_py)
    }

    /// Empties the table; refuses unless `confirm_truncate` is `true`.
    fn truncate(&self, py: Python<'_>) -> PyResult<()> {
        let session = session(py, &self.options.connection, &self.options.keyspace)?;
        let options = self.options.clone();
        run_detached(py, async move { pycassandra::write::truncate(&session, &options).await })
    }

    /// A writer for one task's batches of `schema` (default: the job's), on
    /// the worker's cached session and with the statements its earlier tasks
    /// prepared, with the table the driver read (a stream's task reads it
    /// here, before any row).
    #[pyo3(signature = (schema = None))]
    fn writer(&mut self, py: Python<'_>, schema: Option<PyArrowType<Schema>>) -> PyResult<PyWriter> {
        let table = self.table(py)?;
        let input = schema.map_or_else(|| self.input.clone(), |schema| schema.0);
        let session = session(py, &self.options.connection, &self.options.keyspace)?;
        let statements = write_statements(&session)?;
        let options = self.options.clone();
        let writer = run_detached(py, async move {
            CassandraWriter::with_prepared(session, options, &table, &input, &statements).await
        })?;
        Ok(PyWriter::new(writer))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyType>, NewArgs, Option<Bound<'py, PyBytes>>)> {
        let py = slf.py();
        let job = slf.borrow();
        let table = crate::pickled_table::pickle(py, job.table.as_ref());
        Ok((slf.get_type(), (job.settings.clone(), PyArrowType(job.input.clone()), job.stream), table))
    }

    fn __setstate__(&mut self, table: Option<Bound<'_, PyBytes>>) -> PyResult<()> {
        self.table = crate::pickled_table::unpickle(table, "WriteJob")?;
        Ok(())
    }

    fn __repr__(&self) -> String {
        let kind = if self.stream { "stream" } else { "batch" };
        format!("pycassandra._native.WriteJob({}.{}, {kind})", self.options.keyspace, self.options.table)
    }
}
