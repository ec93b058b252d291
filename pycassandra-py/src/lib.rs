//! The native module `pycassandra._native`: glue between Python and the
//! `pycassandra` core. Every check and conversion lives in the core.

mod convert;
mod errors;
mod logging;
mod lookup;
mod pickled_table;
mod read_job;
mod runtime;
mod scan;
mod writer;

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::Schema;
use arrow::pyarrow::PyArrowType;
use pycassandra::WriteOptions;
use pyo3::prelude::*;

use crate::errors::to_py;
use crate::runtime::{run_detached, session};

fn parse(options: &HashMap<String, String>) -> PyResult<WriteOptions> {
    WriteOptions::from_options(options).map_err(|e| to_py(e.into()))
}

/// Checks the options without connecting; raises `ConfigError` naming the option.
#[pyfunction]
fn validate_options(options: HashMap<String, String>) -> PyResult<()> {
    parse(&options).map(|_| ())
}

/// Checks the options of a streaming write without connecting. Spark builds a
/// stream writer for every micro-batch's planning and again for every commit
/// and abort, so nothing here may need the cluster; and a stream never
/// truncates (complete mode upserts the whole result every micro-batch), so
/// `confirm_truncate` is refused rather than ignored.
#[pyfunction]
fn validate_stream_options(options: HashMap<String, String>) -> PyResult<()> {
    let options = parse(&options)?;
    if options.confirm_truncate {
        return Err(to_py(
            pycassandra::ConfigError::NotForStreaming {
                option: pycassandra::config::names::CONFIRM_TRUNCATE,
                why: "a stream never truncates (outputMode(\"complete\") upserts the whole result every micro-batch)",
            }
            .into(),
        ));
    }
    Ok(())
}

/// Checks options, table, keys, columns and types against the live cluster
/// for input of `schema`, before any Spark task runs; prepares the statements once.
#[pyfunction]
fn check_write(py: Python<'_>, options: HashMap<String, String>, schema: PyArrowType<Schema>) -> PyResult<()> {
    let options = parse(&options)?;
    let session = session(py, &options.connection, &options.keyspace)?;
    let schema = schema.0;
    run_detached(py, async move {
        let writer = pycassandra::CassandraWriter::with_session(Arc::clone(&session), options, &schema).await?;
        writer.finish().await.map(|_| ())
    })
}

/// Empties the table; refuses unless `confirm_truncate` is `true`.
#[pyfunction]
fn truncate(py: Python<'_>, options: HashMap<String, String>) -> PyResult<()> {
    let options = parse(&options)?;
    if !options.confirm_truncate {
        // Fail before connecting: the refusal needs no server.
        return Err(to_py(
            pycassandra::WriteError::TruncateNotConfirmed { table: format!("{}.{}", options.keyspace, options.table) }
                .into(),
        ));
    }
    let session = session(py, &options.connection, &options.keyspace)?;
    run_detached(py, async move { pycassandra::write::truncate(&session, &options).await })
}

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<writer::PyWriter>()?;
    module.add_class::<read_job::ReadJob>()?;
    module.add_class::<scan::PyScan>()?;
    module.add_class::<lookup::PyLookup>()?;
    module.add_function(wrap_pyfunction!(validate_options, module)?)?;
    module.add_function(wrap_pyfunction!(validate_stream_options, module)?)?;
    module.add_function(wrap_pyfunction!(runtime::cached_session_count, module)?)?;
    module.add_function(wrap_pyfunction!(runtime::table_schema_loads, module)?)?;
    module.add_function(wrap_pyfunction!(runtime::scans_prepared, module)?)?;
    module.add_function(wrap_pyfunction!(check_write, module)?)?;
    module.add_function(wrap_pyfunction!(truncate, module)?)?;
    module.add_function(wrap_pyfunction!(convert::convert_value, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install(module.py())?;
    Ok(())
}
