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
mod write_job;
mod writer;

use pyo3::prelude::*;

#[pymodule]
fn _native(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<write_job::WriteJob>()?;
    module.add_class::<writer::PyWriter>()?;
    module.add_class::<read_job::ReadJob>()?;
    module.add_class::<scan::PyScan>()?;
    module.add_class::<lookup::PyLookup>()?;
    module.add_function(wrap_pyfunction!(runtime::cached_session_count, module)?)?;
    module.add_function(wrap_pyfunction!(runtime::table_schema_loads, module)?)?;
    module.add_function(wrap_pyfunction!(runtime::scans_prepared, module)?)?;
    module.add_function(wrap_pyfunction!(convert::convert_value, module)?)?;
    module.add("__version__", env!("CARGO_PKG_VERSION"))?;
    logging::install(module.py())?;
    Ok(())
}
