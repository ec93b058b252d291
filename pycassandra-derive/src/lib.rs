//! `#[derive(CassandraRow)]` and `#[derive(CassandraUdt)]` for
//! [pycassandra](https://docs.rs/pycassandra). Use them through
//! `pycassandra::row`, which re-exports both (the default `derive` feature)
//! and documents their attributes with examples; the generated code names
//! `::pycassandra` paths only, so this crate is not used on its own.

// Inside: parse (`ast`) → check (`validate`, every problem at once, with
// spans) → generate (`expand`); on any error, the errors and a stub impl
// (`fallback`) so that they are the only errors.

mod ast;
mod expand;
mod fallback;
mod symbol;
mod validate;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Maps a struct to a table; `pycassandra::row` documents every attribute and
/// the Rust → CQL type table.
///
/// ```
/// use pycassandra::row::{write_cql, CassandraRow};
///
/// #[derive(CassandraRow)]
/// #[cassandra(keyspace = "shop", table = "events")]
/// struct Event {
///     #[cassandra(partition_key = 1)] day: i32,          // numbered: the key is (tenant, day)
///     #[cassandra(partition_key = 0)] tenant: String,
///     #[cassandra(clustering_key)] seq: i64,
///     #[cassandra(rename = "body")] payload: Vec<u8>,
///     #[cassandra(writetime)] at_us: Option<i64>,       // USING TIMESTAMP, per row
///     #[cassandra(ttl)] ttl_s: Option<i32>,             // USING TTL, per row
///     #[cassandra(skip)] cached: bool,                  // not a column
/// }
///
/// assert_eq!(Event::PARTITION_KEY, ["tenant", "day"]);
/// assert_eq!(
///     write_cql::<Event>("shop"),
///     r#"INSERT INTO "shop"."events" ("tenant", "day", "seq", "body") VALUES (?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?"#
/// );
/// ```
///
/// `#[cassandra(counter)]` on an `i64` makes the write an UPDATE adding to
/// it; `#[cassandra(crate = path)]` names pycassandra where it is re-exported.
#[proc_macro_derive(CassandraRow, attributes(cassandra))]
pub fn derive_cassandra_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    ast::Row::from_input(&input)
        .and_then(|row| validate::row(&row).map(|()| row))
        .map_or_else(|error| fallback::row(&input, &error), |row| expand::row(&row))
        .into()
}

/// Maps a struct to a user-defined type, for fields of a `CassandraRow`;
/// derive the driver's `SerializeValue` and `DeserializeValue` beside it.
///
/// ```
/// use pycassandra::row::{CassandraRow, CassandraUdt, CqlType};
///
/// #[derive(CassandraUdt, scylla::SerializeValue, scylla::DeserializeValue)]
/// #[cassandra(name = "address")] // the type's name in CQL; default: the struct's, in snake case
/// struct Address {
///     street: String,
///     number: Option<i32>,
/// }
///
/// #[derive(CassandraRow)]
/// #[cassandra(table = "customers")]
/// struct Customer {
///     #[cassandra(partition_key)] id: String,
///     home: Option<Address>,
/// }
///
/// assert_eq!(Address::describe(), "frozen<address>");
/// ```
#[proc_macro_derive(CassandraUdt, attributes(cassandra))]
pub fn derive_cassandra_udt(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    ast::Udt::from_input(&input).map_or_else(|error| fallback::udt(&input, &error), |udt| expand::udt(&udt)).into()
}
