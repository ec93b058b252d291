//! pycassandra writes Arrow data and typed rows into Apache Cassandra and
//! ScyllaDB, fast: column-at-a-time conversion, token-aware routing, bounded
//! concurrency. The PySpark data source `format("pycassandra")` is a thin
//! front end on this crate.
//!
//! The stages, in the order data flows:
//! [`config`] → [`session`] → [`schema`] → [`convert`] → [`write`](mod@write); reads go
//! [`config`] → [`session`] → [`schema`] → [`read`]; lookups (a join of
//! input rows with a table by key) go [`schema`] → [`convert`] (the keys) →
//! [`lookup`] → [`read`]'s decoders.

#[doc(hidden)]
pub mod _macro_internal;
pub mod cdc;
pub mod config;
pub mod convert;
// The CQL text of every statement; public for the fuzz targets and the
// binding only (a Rust user's statements come from the writers and readers).
#[doc(hidden)]
pub mod cql;
pub mod cql_type;
mod error;
pub mod lookup;
pub mod read;
pub mod row;
mod row_lookup;
pub mod schema;
pub mod session;
mod vint;
pub mod write;

pub use config::{
    BatchGrouping, ConnectionOptions, Consistency, DeleteFlag, PerRow, ReadOptions, Secret, WriteMode, WriteOptions,
};
pub use error::{
    CdcError, ConfigError, ConnectError, ConvertError, ConvertErrorKind, DecodeErrorKind, DecodeFailure,
    DecodeValuesError, Error, LookupError, ReadError, Result, SchemaError, ValuePart, WriteError,
};
pub use lookup::{CassandraLookup, JoinKind, LookupOptions};
pub use read::CassandraReader;
pub use row::CassandraRow;
pub use row_lookup::RowLookup;
pub use schema::TableSchema;
pub use write::{CassandraWriter, WriteReport};

// The crate README (its crates.io page) is compiled as doc tests, so its
// examples cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
