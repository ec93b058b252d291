//! The native module `pycassandra._native`: glue between Python and the
//! `pycassandra` core. Every check and conversion lives in the core.
//!
//! Spark's side is two jobs, each parsing its options once on the driver and
//! pickled to the tasks: [`read_job::ReadJob`] and [`write_job::WriteJob`].

mod agent;
mod change_job;
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
mod _native {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::agent::ChangeAgent;
    #[pymodule_export]
    use crate::change_job::ChangeJob;
    #[pymodule_export]
    use crate::convert::convert_value;
    #[pymodule_export]
    use crate::lookup::PyLookup;
    #[pymodule_export]
    use crate::read_job::ReadJob;
    #[pymodule_export]
    use crate::runtime::{
        cached_session_count, change_schema_reloads, scans_prepared, table_schema_loads, write_statements_prepared,
    };
    #[pymodule_export]
    use crate::scan::PyScan;
    #[pymodule_export]
    use crate::write_job::WriteJob;
    #[pymodule_export]
    use crate::writer::PyWriter;

    #[pymodule_init]
    fn init(module: &Bound<'_, PyModule>) -> PyResult<()> {
        module.add("__version__", env!("CARGO_PKG_VERSION"))?;
        crate::logging::install(module.py())
    }
}
