//! Typed rows: `#[derive(CassandraRow)]` maps a struct to a table, checked
//! against the live table when a writer opens, serialized straight from the
//! struct into each request, and read back from rows.
//!
//! ```no_run
//! use pycassandra::row::CassandraRow;
//!
//! #[derive(CassandraRow)]
//! #[cassandra(keyspace = "shop", table = "orders")]      // keyspace optional: else the writer's
//! struct Order {
//!     #[cassandra(partition_key)] customer: uuid::Uuid,
//!     #[cassandra(clustering_key)] placed: scylla::value::CqlTimestamp,
//!     #[cassandra(rename = "total_cents")] total: i64,
//!     note: Option<String>,
//!     #[cassandra(ttl)] ttl: Option<i32>,                  // USING TTL, per row
//!     #[cassandra(skip)] cache: Vec<u8>,                   // not a column
//! }
//!
//! # async fn write(orders: Vec<Order>) -> Result<(), pycassandra::Error> {
//! use pycassandra::{CassandraWriter, ConnectionOptions, WriteOptions};
//! let options = WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "shop", "orders");
//! let mut writer = CassandraWriter::<Order>::open_rows(options).await?;
//! writer.write_all(orders).await?;
//! writer.finish().await?;
//! # Ok(()) }
//! ```
//!
//! Struct attributes: `table = "t"`, `keyspace = "ks"` (optional), and
//! `crate = path` where pycassandra is re-exported under another path (the
//! generated code names it `::pycassandra` otherwise). Field attributes: `partition_key` and `clustering_key` (in field order, or
//! numbered `partition_key = 0, 1, …`), `rename = "col"`, `skip`, `ttl`
//! (`i32`/`Option<i32>` seconds), `writetime` (`i64`/`Option<i64>` µs),
//! `counter` (`i64`, incremented: the statement becomes an UPDATE). Key
//! fields cannot be `Option`. Mistakes are compile errors pointing at the
//! field or attribute.
//!
//! | Rust | CQL |
//! |---|---|
//! | `i8`, `i16`, `i32`, `i64` | tinyint, smallint, int, bigint (`i64` also counter) |
//! | `f32`, `f64`, `bool` | float, double, boolean |
//! | `String` | text, ascii |
//! | `Vec<u8>` | blob |
//! | `uuid::Uuid` | uuid |
//! | `scylla::value::CqlTimeuuid` | timeuuid |
//! | `std::net::IpAddr` | inet |
//! | `scylla::value::CqlDecimal`, `CqlVarint` | decimal, varint |
//! | `scylla::value::CqlDate`, `CqlTime`, `CqlTimestamp`, `CqlDuration` | date, time, timestamp, duration |
//! | `Option<T>` | T, nullable |
//! | `Vec<T>` | `list<T>`, `set<T>`, `vector<T, n>` |
//! | `HashSet<T>`, `BTreeSet<T>` | `set<T>` |
//! | `HashMap<K, V>`, `BTreeMap<K, V>` | `map<K, V>` |
//! | `(A, B, …)` | `tuple<A, B, …>` |
//! | a struct with `#[derive(CassandraUdt, scylla::SerializeValue, scylla::DeserializeValue)]` | its user-defined type |

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};
use scylla::deserialize::row::ColumnIterator;
use scylla::deserialize::value::DeserializeValue;
use scylla::deserialize::{DeserializationError, TypeCheckError};
use scylla::frame::response::result::ColumnSpec;
use scylla::serialize::value::SerializeValue;
use scylla::serialize::writers::RowWriter;
use scylla::serialize::SerializationError;

use crate::cql;
use crate::cql_type;
use crate::error::SchemaError;
use crate::schema::TableSchema;

/// A struct mapped to a table; implemented by `#[derive(CassandraRow)]`.
///
/// ```
/// use pycassandra::row::CassandraRow;
/// #[derive(CassandraRow)]
/// #[cassandra(table = "hits")]
/// struct Hits {
///     #[cassandra(partition_key)] page: String,
///     #[cassandra(counter)] views: i64,
/// }
/// assert_eq!((Hits::KEYSPACE, Hits::TABLE), (None, "hits"));
/// assert_eq!(Hits::COLUMNS, ["page", "views"]);
/// assert_eq!((Hits::PARTITION_KEY, Hits::COUNTERS), (&["page"][..], &["views"][..]));
/// ```
pub trait CassandraRow: scylla::serialize::row::SerializeRow + Send + Sync + 'static {
    /// Keyspace named on the struct, if any.
    const KEYSPACE: Option<&'static str>;
    /// Table name.
    const TABLE: &'static str;
    /// Columns written and read, in statement order: partition key, clustering key, the rest.
    const COLUMNS: &'static [&'static str];
    /// Partition key columns, in order.
    const PARTITION_KEY: &'static [&'static str];
    /// Clustering key columns, in order.
    const CLUSTERING_KEY: &'static [&'static str];
    /// Counter columns (the write is then an UPDATE incrementing them).
    const COUNTERS: &'static [&'static str];
    /// Whether a field carries the row's TTL.
    const HAS_TTL: bool;
    /// Whether a field carries the row's write timestamp.
    const HAS_WRITETIME: bool;
    /// Each column's name, expected CQL type and whether a table type fits it.
    ///
    /// ```
    /// use pycassandra::row::CassandraRow;
    /// #[derive(CassandraRow)]
    /// #[cassandra(table = "hits")]
    /// struct Hits {
    ///     #[cassandra(partition_key)] page: String,
    ///     #[cassandra(counter)] views: i64,
    /// }
    /// let checks = Hits::column_checks();
    /// assert_eq!(checks.iter().map(|c| c.name).collect::<Vec<_>>(), ["page", "views"]);
    /// assert_eq!(checks[1].expected, "bigint");
    /// ```
    fn column_checks() -> Vec<ColumnCheck>;
}

/// The statement that writes a `T` into `keyspace`, in the bind order its
/// `SerializeRow` follows: an INSERT of [`COLUMNS`](CassandraRow::COLUMNS)
/// then TTL, then timestamp; for a counter table an UPDATE adding to the
/// counters, then the key columns.
///
/// ```
/// use pycassandra::row::{write_cql, CassandraRow};
/// #[derive(CassandraRow)]
/// #[cassandra(table = "hits")]
/// struct Hits {
///     #[cassandra(partition_key)] page: String,
///     #[cassandra(counter)] views: i64,
/// }
/// assert_eq!(write_cql::<Hits>("web"), r#"UPDATE "web"."hits" SET "views" = "views" + ? WHERE "page" = ?"#);
/// ```
pub fn write_cql<T: CassandraRow>(keyspace: &str) -> String {
    let keys: Vec<&str> = T::PARTITION_KEY.iter().chain(T::CLUSTERING_KEY).copied().collect();
    if T::COUNTERS.is_empty() {
        let using = cql::Using { ttl: T::HAS_TTL, timestamp: T::HAS_WRITETIME };
        cql::insert(keyspace, T::TABLE, T::COLUMNS, using, false)
    } else {
        let counters: Vec<(&str, cql::Assignment)> = T::COUNTERS.iter().map(|c| (*c, cql::Assignment::Add)).collect();
        cql::update(keyspace, T::TABLE, &counters, &keys, cql::Using::default())
    }
}

/// The statement that deletes a `T` from `keyspace` by its primary key
/// (binds the partition key, then the clustering key columns).
///
/// ```
/// use pycassandra::row::{delete_cql, CassandraRow};
/// #[derive(CassandraRow)]
/// #[cassandra(table = "orders")]
/// struct Order {
///     #[cassandra(partition_key)] customer: String,
///     #[cassandra(clustering_key)] number: i32,
///     total: i64,
/// }
/// assert_eq!(delete_cql::<Order>("shop"), r#"DELETE FROM "shop"."orders" WHERE "customer" = ? AND "number" = ?"#);
/// ```
pub fn delete_cql<T: CassandraRow>(keyspace: &str) -> String {
    let keys: Vec<&str> = T::PARTITION_KEY.iter().chain(T::CLUSTERING_KEY).copied().collect();
    cql::delete(keyspace, T::TABLE, &keys, false)
}

/// The statement that reads every row of `T`'s table in `keyspace`, its
/// [`COLUMNS`](CassandraRow::COLUMNS) in the order its `DeserializeRow` reads.
///
/// ```
/// use pycassandra::row::{select_cql, CassandraRow};
/// #[derive(CassandraRow)]
/// #[cassandra(table = "orders")]
/// struct Order {
///     #[cassandra(partition_key)] customer: String,
///     total: i64,
/// }
/// assert_eq!(select_cql::<Order>("shop"), r#"SELECT "customer", "total" FROM "shop"."orders""#);
/// ```
pub fn select_cql<T: CassandraRow>(keyspace: &str) -> String {
    cql::select_all(keyspace, T::TABLE, T::COLUMNS)
}

/// What one field needs of its column.
///
/// ```
/// use scylla::cluster::metadata::{ColumnType, NativeType};
/// use pycassandra::row::CassandraRow;
/// #[derive(CassandraRow)]
/// #[cassandra(table = "hits")]
/// struct Hits {
///     #[cassandra(partition_key)] page: String,
///     #[cassandra(counter)] views: i64,
/// }
/// let views = &Hits::column_checks()[1];
/// assert_eq!(views.name, "views");
/// assert!((views.fits)(&ColumnType::Native(NativeType::Counter)));
/// assert!(!(views.fits)(&ColumnType::Native(NativeType::Int)));
/// ```
pub struct ColumnCheck {
    /// Column name.
    pub name: &'static str,
    /// The CQL types the field maps to, for messages.
    pub expected: String,
    /// Whether a column type fits the field.
    pub fits: fn(&ColumnType<'_>) -> bool,
}

/// Rust types with a CQL type. Unsupported field types fail to compile here.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no CQL type mapping",
    label = "this field's type is not supported by #[derive(CassandraRow)]",
    note = "see the mapping table in the docs of pycassandra::row; user-defined types derive CassandraUdt"
)]
///
/// A `CqlType` is also what the driver writes and reads, so a field needs
/// this one trait and an unsupported type is one error.
///
/// ```
/// use scylla::cluster::metadata::{ColumnType, NativeType};
/// use pycassandra::row::CqlType;
///
/// assert_eq!(<Option<Vec<i32>>>::describe(), "list<int>, set<int> or vector<int, n>");
/// assert!(i64::fits(&ColumnType::Native(NativeType::Counter)));
/// ```
pub trait CqlType: SerializeValue + for<'frame, 'metadata> DeserializeValue<'frame, 'metadata> {
    /// The CQL spelling of the types this maps to.
    ///
    /// ```
    /// use pycassandra::row::CqlType;
    /// assert_eq!(<std::collections::HashMap<String, i64>>::describe(), "map<text, bigint>");
    /// ```
    fn describe() -> String;
    /// Whether a table column of type `cql` can hold this.
    ///
    /// ```
    /// use scylla::cluster::metadata::{ColumnType, NativeType};
    /// use pycassandra::row::CqlType;
    /// assert!(String::fits(&ColumnType::Native(NativeType::Ascii)));
    /// assert!(!String::fits(&ColumnType::Native(NativeType::Blob)));
    /// ```
    fn fits(cql: &ColumnType<'_>) -> bool;

    /// The derive writes a field through this: not an API.
    #[doc(hidden)]
    fn __write_cell(
        &self,
        columns: &[ColumnSpec<'_>],
        index: usize,
        writer: &mut RowWriter<'_>,
    ) -> Result<(), SerializationError> {
        crate::_macro_internal::write_cell(self, columns, index, writer)
    }

    /// The derive checks a column's type through this: not an API.
    #[doc(hidden)]
    fn __type_check(cql: &ColumnType<'_>) -> Result<(), TypeCheckError> {
        <Self as DeserializeValue<'_, '_>>::type_check(cql)
    }

    /// The derive reads a field through this: not an API.
    #[doc(hidden)]
    fn __next_value<'frame, 'metadata>(
        row: &mut ColumnIterator<'frame, 'metadata>,
    ) -> Result<Self, DeserializationError> {
        crate::_macro_internal::next_value(row)
    }
}

macro_rules! native {
    ($rust:ty, $text:literal, $($native:ident),+) => {
        impl CqlType for $rust {
            fn describe() -> String {
                $text.to_string()
            }
            fn fits(cql: &ColumnType<'_>) -> bool {
                matches!(cql, $(ColumnType::Native(NativeType::$native))|+)
            }
        }
    };
}

native!(i8, "tinyint", TinyInt);
native!(i16, "smallint", SmallInt);
native!(i32, "int", Int);
native!(i64, "bigint", BigInt, Counter);
native!(f32, "float", Float);
native!(f64, "double", Double);
native!(bool, "boolean", Boolean);
native!(String, "text", Text, Ascii);
native!(Vec<u8>, "blob", Blob);
native!(uuid::Uuid, "uuid", Uuid);
native!(scylla::value::CqlTimeuuid, "timeuuid", Timeuuid);
native!(std::net::IpAddr, "inet", Inet);
native!(scylla::value::CqlDecimal, "decimal", Decimal);
native!(scylla::value::CqlVarint, "varint", Varint);
native!(scylla::value::CqlDate, "date", Date);
native!(scylla::value::CqlTime, "time", Time);
native!(scylla::value::CqlTimestamp, "timestamp", Timestamp);
native!(scylla::value::CqlDuration, "duration", Duration);

impl<T: CqlType> CqlType for Option<T> {
    fn describe() -> String {
        T::describe()
    }
    fn fits(cql: &ColumnType<'_>) -> bool {
        T::fits(cql)
    }
}

impl<T: CqlType> CqlType for Vec<T> {
    fn describe() -> String {
        format!("list<{0}>, set<{0}> or vector<{0}, n>", T::describe())
    }
    fn fits(cql: &ColumnType<'_>) -> bool {
        match cql {
            ColumnType::Collection { typ: CollectionType::List(e) | CollectionType::Set(e), .. } => T::fits(e),
            ColumnType::Vector { typ, .. } => T::fits(typ),
            _ => false,
        }
    }
}

macro_rules! set {
    ($($set:ident)::+; $($bound:tt)+) => {
        impl<T: CqlType + $($bound)+> CqlType for $($set)::+<T> {
            fn describe() -> String {
                format!("set<{}>", T::describe())
            }
            fn fits(cql: &ColumnType<'_>) -> bool {
                matches!(cql, ColumnType::Collection { typ: CollectionType::Set(e), .. } if T::fits(e))
            }
        }
    };
}
set!(std::collections::HashSet; Eq + std::hash::Hash);
set!(std::collections::BTreeSet; Ord);

macro_rules! map {
    ($($map:ident)::+; $($bound:tt)+) => {
        impl<K: CqlType + $($bound)+, V: CqlType> CqlType for $($map)::+<K, V> {
            fn describe() -> String {
                format!("map<{}, {}>", K::describe(), V::describe())
            }
            fn fits(cql: &ColumnType<'_>) -> bool {
                matches!(cql, ColumnType::Collection { typ: CollectionType::Map(k, v), .. } if K::fits(k) && V::fits(v))
            }
        }
    };
}
map!(std::collections::HashMap; Eq + std::hash::Hash);
map!(std::collections::BTreeMap; Ord);

macro_rules! tuple {
    ($($t:ident $i:tt),+) => {
        impl<$($t: CqlType),+> CqlType for ($($t,)+) {
            fn describe() -> String {
                let parts: Vec<String> = vec![$($t::describe()),+];
                format!("tuple<{}>", parts.join(", "))
            }
            fn fits(cql: &ColumnType<'_>) -> bool {
                let ColumnType::Tuple(elements) = cql else { return false };
                let count = [$($i),+].len();
                elements.len() == count $(&& $t::fits(&elements[$i]))+
            }
        }
    };
}
tuple!(A 0);
tuple!(A 0, B 1);
tuple!(A 0, B 1, C 2);
tuple!(A 0, B 1, C 2, D 3);
tuple!(A 0, B 1, C 2, D 3, E 4);
tuple!(A 0, B 1, C 2, D 3, E 4, F 5);

/// Every way `T` and the live table disagree, in one error.
///
/// ```
/// use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
/// use pycassandra::schema::ColumnSchema;
/// use pycassandra::TableSchema;
/// use pycassandra::row::CassandraRow;
/// #[derive(CassandraRow)]
/// #[cassandra(table = "hits")]
/// struct Hits {
///     #[cassandra(partition_key)] page: String,
///     #[cassandra(counter)] views: i64,
/// }
/// let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
/// let table = TableSchema {
///     keyspace: "web".into(),
///     table: "hits".into(),
///     columns: vec![column("page", NativeType::Int, ColumnKind::PartitionKey)],
///     partition_key: vec!["page".into()],
///     clustering_key: vec![],
/// };
/// let error = pycassandra::row::check_against::<Hits>(&table).unwrap_err().to_string();
/// assert!(error.contains(r#"column "page" is int but the field maps to text"#), "{error}");
/// assert!(error.contains(r#"column "views" is missing"#), "{error}");
/// ```
pub fn check_against<T: CassandraRow>(table: &TableSchema) -> Result<(), SchemaError> {
    let mut problems = Vec::new();
    for check in T::column_checks() {
        match table.columns.iter().find(|c| c.name == check.name) {
            None => problems.push(format!("column \"{}\" is missing", check.name)),
            Some(column) if !(check.fits)(&column.cql_type) => problems.push(format!(
                "column \"{}\" is {} but the field maps to {}",
                check.name,
                cql_type::name(&column.cql_type),
                check.expected
            )),
            Some(_) => {}
        }
    }
    if table.partition_key.iter().map(String::as_str).ne(T::PARTITION_KEY.iter().copied()) {
        problems.push(format!(
            "partition key is ({}) but the struct says ({})",
            table.partition_key.join(", "),
            T::PARTITION_KEY.join(", ")
        ));
    }
    if table.clustering_key.iter().map(String::as_str).ne(T::CLUSTERING_KEY.iter().copied()) {
        problems.push(format!(
            "clustering key is ({}) but the struct says ({})",
            table.clustering_key.join(", "),
            T::CLUSTERING_KEY.join(", ")
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::RowMismatch { table: table.qualified_name(), problems })
    }
}

#[cfg(feature = "derive")]
pub use pycassandra_derive::{CassandraRow, CassandraUdt};
