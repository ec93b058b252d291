//! The attribute names the derives accept, spelled once.

use std::fmt;

/// An attribute word, compared with a `syn::Path` as `meta.path == TABLE`.
#[derive(Clone, Copy)]
pub(crate) struct Symbol(&'static str);

/// `#[cassandra(...)]`, the one attribute both derives read.
pub(crate) const CASSANDRA: Symbol = Symbol("cassandra");
/// The path of the pycassandra crate, for crates that re-export it.
pub(crate) const CRATE: Symbol = Symbol("crate");
pub(crate) const KEYSPACE: Symbol = Symbol("keyspace");
pub(crate) const TABLE: Symbol = Symbol("table");
/// A user-defined type's CQL name.
pub(crate) const NAME: Symbol = Symbol("name");
pub(crate) const PARTITION_KEY: Symbol = Symbol("partition_key");
pub(crate) const CLUSTERING_KEY: Symbol = Symbol("clustering_key");
pub(crate) const COUNTER: Symbol = Symbol("counter");
pub(crate) const TTL: Symbol = Symbol("ttl");
pub(crate) const WRITETIME: Symbol = Symbol("writetime");
pub(crate) const SKIP: Symbol = Symbol("skip");
pub(crate) const RENAME: Symbol = Symbol("rename");

impl PartialEq<Symbol> for syn::Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl PartialEq<Symbol> for &syn::Path {
    fn eq(&self, word: &Symbol) -> bool {
        self.is_ident(word.0)
    }
}

impl fmt::Display for Symbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}
