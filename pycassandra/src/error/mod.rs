//! One error type per stage, wrapped by [`Error`]. Messages name the option,
//! or the row, column, CQL type and value, and never a secret.

mod cdc;
mod config;
mod connect;
mod convert;
mod decode;
mod lookup;
mod read;
mod schema;
mod value;
mod write;

pub use cdc::CdcError;
pub use config::ConfigError;
pub use connect::ConnectError;
pub use convert::{ConvertError, ConvertErrorKind};
pub use decode::{DecodeErrorKind, DecodeFailure, DecodeValuesError};
pub use lookup::LookupError;
pub use read::ReadError;
pub use schema::SchemaError;
pub(crate) use value::excerpt;
pub use value::ValuePart;
pub use write::WriteError;

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any failure of pycassandra.
///
/// Each stage's error converts into it with `?`; match on the variant to tell
/// the caller's mistakes (`Config`, `Schema`, `Convert`, `Lookup`) from the
/// cluster's (`Connect`, `Write`, `Read`).
///
/// ```
/// use std::collections::HashMap;
/// use pycassandra::{ConfigError, Error, WriteOptions};
///
/// fn options(map: &HashMap<&str, &str>) -> pycassandra::Result<WriteOptions> {
///     Ok(WriteOptions::from_options(map)?)
/// }
///
/// match options(&HashMap::from([("host", "127.0.0.1"), ("keyspace", "shop")])) {
///     Err(Error::Config(ConfigError::Missing { options })) => assert_eq!(options, ["table"]),
///     other => panic!("expected the missing table option, got {other:?}"),
/// }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Options are missing, malformed or contradict each other.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The cluster could not be reached or refused the login.
    #[error(transparent)]
    Connect(#[from] ConnectError),
    /// The table or the input does not fit the write.
    #[error(transparent)]
    Schema(#[from] SchemaError),
    /// A value could not become the column's CQL type.
    #[error(transparent)]
    Convert(#[from] ConvertError),
    /// The cluster failed a request.
    #[error(transparent)]
    Write(#[from] WriteError),
    /// A read could not be planned, or a scan failed.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// A lookup's keys do not fit the table or the input.
    #[error(transparent)]
    Lookup(#[from] LookupError),
    /// A change-data-capture file (commit-log segment, `_cdc.idx`, `cdc_raw`
    /// directory) could not be read or is not in a form this reader knows.
    #[error(transparent)]
    Cdc(#[from] CdcError),
}

#[cfg(test)]
mod tests;
