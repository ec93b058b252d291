//! The one place where Rust errors become Python exceptions. The exception
//! classes live in `pycassandra/exceptions.py`, so that they can subclass the
//! built-ins the original plan promises (`ValueError`).

use pyo3::PyErr;

pyo3::import_exception!(pycassandra.exceptions, PycassandraError);
pyo3::import_exception!(pycassandra.exceptions, ConfigError);
pyo3::import_exception!(pycassandra.exceptions, SchemaMismatchError);
pyo3::import_exception!(pycassandra.exceptions, ConversionError);
pyo3::import_exception!(pycassandra.exceptions, CassandraConnectError);
pyo3::import_exception!(pycassandra.exceptions, CassandraWriteError);
pyo3::import_exception!(pycassandra.exceptions, CassandraReadError);

/// Maps each error kind to its exception; messages come from the core's
/// `Display`, which never holds a secret.
pub(crate) fn to_py(error: pycassandra::Error) -> PyErr {
    let message = error.to_string();
    match error {
        pycassandra::Error::Config(_) => ConfigError::new_err(message),
        // A schema no node answered for is a connection problem, not a mismatch.
        pycassandra::Error::Schema(pycassandra::SchemaError::NoNodeAnswered { .. }) => {
            CassandraConnectError::new_err(message)
        }
        pycassandra::Error::Schema(_) => SchemaMismatchError::new_err(message),
        pycassandra::Error::Convert(_) => ConversionError::new_err(message),
        // Input that no node accepts, found before sending: like a value that
        // cannot be converted, a ValueError that no retry can fix.
        pycassandra::Error::Write(pycassandra::WriteError::RowTooLarge { .. }) => ConversionError::new_err(message),
        pycassandra::Error::Connect(_) => CassandraConnectError::new_err(message),
        pycassandra::Error::Read(
            pycassandra::ReadError::UnknownColumn { .. }
            | pycassandra::ReadError::UnsupportedType { .. }
            | pycassandra::ReadError::NoColumns { .. }
            | pycassandra::ReadError::ColumnNameTaken { .. }
            | pycassandra::ReadError::NoWriteTimeOrTtl { .. },
        ) => SchemaMismatchError::new_err(message),
        pycassandra::Error::Read(_) => CassandraReadError::new_err(message),
        pycassandra::Error::Lookup(_) => SchemaMismatchError::new_err(message),
        pycassandra::Error::Write(_) => CassandraWriteError::new_err(message),
        _ => PycassandraError::new_err(message),
    }
}
