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

/// See `pycassandra::row::CassandraRow`.
#[proc_macro_derive(CassandraRow, attributes(cassandra))]
pub fn derive_cassandra_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    ast::Row::from_input(&input)
        .and_then(|row| validate::row(&row).map(|()| row))
        .map_or_else(|error| fallback::row(&input, &error), |row| expand::row(&row))
        .into()
}

/// See `pycassandra::row::CassandraUdt`.
#[proc_macro_derive(CassandraUdt, attributes(cassandra))]
pub fn derive_cassandra_udt(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    ast::Udt::from_input(&input).map_or_else(|error| fallback::udt(&input, &error), |udt| expand::udt(&udt)).into()
}
