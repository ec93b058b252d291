//! What the mutation decoder must know about a table: a mutation names its
//! table by id and its columns by name, never by type, and its messaging
//! form has no row sizes, so every cell's length comes from the column's CQL
//! type (docs/cdc-format.md, "Mutation body").

use std::collections::HashMap;

use scylla::cluster::metadata::{CollectionType, ColumnKind, ColumnType, NativeType};
use uuid::Uuid;

use crate::schema::TableSchema;

/// A regular or static column.
#[derive(Clone, Debug, PartialEq)]
pub struct CdcColumn {
    /// Name as stored (the mutation's header spells it so, byte for byte).
    pub name: String,
    /// Its CQL type.
    pub cql_type: ColumnType<'static>,
    /// A static column (written in the static row).
    pub is_static: bool,
}

/// A column dropped from the table: old mutations still name it.
#[derive(Clone, Debug, PartialEq)]
pub struct DroppedColumn {
    /// Name as it was.
    pub name: String,
    /// The type it had (`system_schema.dropped_columns.type`).
    pub cql_type: ColumnType<'static>,
    /// When it was dropped, in microseconds since the Unix epoch: Cassandra
    /// ignores its cells written before.
    pub dropped_time: i64,
    /// It was a static column.
    pub is_static: bool,
}

/// One table as the decoder sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct CdcTable {
    /// `system_schema.tables.id`: the 16 bytes that start a partition update.
    pub id: Uuid,
    /// Keyspace name.
    pub keyspace: String,
    /// Table name.
    pub table: String,
    /// Partition-key column names and types, in key order.
    pub partition_key: Vec<(String, ColumnType<'static>)>,
    /// Clustering column names and types, in clustering order.
    pub clustering: Vec<(String, ColumnType<'static>)>,
    /// Regular and static columns.
    pub columns: Vec<CdcColumn>,
    /// Dropped columns.
    pub dropped: Vec<DroppedColumn>,
    /// The first regular-column header decoded, and what it resolved to.
    #[doc(hidden)]
    pub regular_header: HeaderMemo,
}

/// A column header's bytes (count, then each name's length and name) and the
/// columns they resolve to in one table. Nearly every update of a table
/// repeats one header, and resolving its names took 9% of the decoder
/// benchmark's samples (bench/cdc_bench.rs): an update whose header starts
/// with these bytes takes the columns as they are.
/// Set once; never part of a table's equality. Whoever edits a table's
/// `columns` or `dropped` after decoding with it builds a new table instead.
#[doc(hidden)]
#[derive(Clone, Default)]
pub struct HeaderMemo(std::sync::OnceLock<KeptHeader>);

/// A header's bytes and the columns they name.
type KeptHeader = (Box<[u8]>, Box<[ColumnRef]>);

impl HeaderMemo {
    /// The memo: header bytes and columns, once set.
    pub(crate) fn get(&self) -> Option<(&[u8], &[ColumnRef])> {
        self.0.get().map(|(bytes, columns)| (&bytes[..], &columns[..]))
    }

    /// Keeps `bytes` and `columns` unless a header is kept already.
    pub(crate) fn keep(&self, bytes: &[u8], columns: &[ColumnRef]) {
        if self.0.get().is_none() {
            let _ = self.0.set((bytes.into(), columns.into()));
        }
    }
}

impl PartialEq for HeaderMemo {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for HeaderMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.get().is_some() { "HeaderMemo(kept)" } else { "HeaderMemo(empty)" })
    }
}

/// Where a name in a mutation's column header points.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColumnRef {
    /// [`CdcTable::columns`]`[i]`.
    Live(usize),
    /// [`CdcTable::dropped`]`[i]`.
    Dropped(usize),
}

#[doc(hidden)]
impl CdcTable {
    /// The decoder's view of `schema`, whose table has id `id`.
    pub fn from_schema(id: Uuid, schema: &TableSchema, dropped: Vec<DroppedColumn>) -> Self {
        let key = |names: &[String]| -> Vec<(String, ColumnType<'static>)> {
            names
                .iter()
                .filter_map(|name| schema.columns.iter().find(|c| &c.name == name))
                .map(|c| (c.name.clone(), c.cql_type.clone()))
                .collect()
        };
        let columns = schema
            .columns
            .iter()
            .filter(|c| matches!(c.kind, ColumnKind::Regular | ColumnKind::Static))
            .map(|c| CdcColumn {
                name: c.name.clone(),
                cql_type: c.cql_type.clone(),
                is_static: c.kind == ColumnKind::Static,
            })
            .collect();
        CdcTable {
            id,
            keyspace: schema.keyspace.clone(),
            table: schema.table.clone(),
            partition_key: key(&schema.partition_key),
            clustering: key(&schema.clustering_key),
            columns,
            dropped,
            regular_header: HeaderMemo::default(),
        }
    }

    /// The column a header names: a live column first, then a dropped one of
    /// the same kind.
    pub fn resolve(&self, name: &[u8], is_static: bool) -> Option<ColumnRef> {
        if let Some(i) = self.columns.iter().position(|c| c.name.as_bytes() == name && c.is_static == is_static) {
            return Some(ColumnRef::Live(i));
        }
        self.last_drop(name, is_static).map(ColumnRef::Dropped)
    }

    /// For a live column once dropped and added again: its last drop and
    /// when it was (µs). Cassandra ignores the cells written at or before
    /// that time, which belong to the column as it was.
    pub fn earlier_drop(&self, column: ColumnRef) -> Option<(ColumnRef, i64)> {
        let ColumnRef::Live(i) = column else { return None };
        let live = &self.columns[i];
        let j = self.last_drop(live.name.as_bytes(), live.is_static)?;
        Some((ColumnRef::Dropped(j), self.dropped[j].dropped_time))
    }

    fn last_drop(&self, name: &[u8], is_static: bool) -> Option<usize> {
        self.dropped.iter().rposition(|c| c.name.as_bytes() == name && c.is_static == is_static)
    }

    /// Name and type of a resolved column.
    pub fn column(&self, column: ColumnRef) -> (&str, &ColumnType<'static>) {
        match column {
            ColumnRef::Live(i) => (&self.columns[i].name, &self.columns[i].cql_type),
            ColumnRef::Dropped(i) => (&self.dropped[i].name, &self.dropped[i].cql_type),
        }
    }

    /// The first counter column, if any: counter cells hold Cassandra's
    /// counter contexts (shards per replica), which this reader does not decode.
    pub fn counter_column(&self) -> Option<&str> {
        // A match, not ColumnType's deep equality: this runs for every update.
        self.columns
            .iter()
            .find(|c| matches!(c.cql_type, ColumnType::Native(NativeType::Counter)))
            .map(|c| c.name.as_str())
    }
}

/// The tables the decoder can read, by id. A mutation belongs to one
/// keyspace, and its partition updates carry no lengths, so a consumer of one
/// table must know every table of its keyspace (a logged batch may put
/// another table's update before it). `others` are ids known to belong to
/// keyspaces nobody reads (system tables share the log), skipped unread.
///
/// ```no_run
/// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::SchemaError> {
/// use pycassandra::cdc::CdcSchema;
/// // Every table of keyspace shop, from system_schema; a ChangeReader decodes with it.
/// let schema = CdcSchema::load(session, &["shop"]).await?;
/// let orders = schema.table_id("shop", "orders").expect("shop.orders exists");
/// assert!(schema.decodable(&orders).is_some());
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CdcSchema {
    /// Decodable tables.
    pub tables: ById<CdcTable>,
    /// Known tables of other keyspaces: `(keyspace, table)` by id.
    pub others: ById<(String, String)>,
    /// Tables an earlier schema had and this one lacks (dropped since): their
    /// updates still in the log are decoded, so that the updates after them
    /// in the same mutation can be reached, and passed over.
    pub dropped_tables: ById<CdcTable>,
}

/// A map by table id. Every partition update is looked up by its id, and
/// SipHash of those 16 bytes took 11% of the decoder benchmark's samples; the ids are Cassandra's
/// (time-based, or random), never chosen to collide, so both halves folded
/// and multiplied spread them well enough.
pub type ById<V> = HashMap<Uuid, V, std::hash::BuildHasherDefault<IdHasher>>;

/// The hasher of [`ById`]: the id's two 64-bit halves folded into one.
#[doc(hidden)]
#[derive(Clone, Copy, Debug, Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        let h = self.0.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^ (h >> 29)
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(23) ^ u64::from_le_bytes(word);
        }
    }
}

impl CdcSchema {
    /// Adds a decodable table.
    #[doc(hidden)]
    pub fn add(&mut self, table: CdcTable) {
        self.others.remove(&table.id);
        self.dropped_tables.remove(&table.id);
        self.tables.insert(table.id, table);
    }

    /// The table of id `id`, live or dropped since an earlier schema.
    #[doc(hidden)]
    pub fn decodable(&self, id: &Uuid) -> Option<&CdcTable> {
        self.tables.get(id).or_else(|| self.dropped_tables.get(id))
    }

    /// Keeps the tables of `earlier` (a schema read before this one) that
    /// this one lacks, as [`dropped_tables`](Self::dropped_tables).
    #[doc(hidden)]
    pub fn keep_dropped_tables(&mut self, earlier: &CdcSchema) {
        for (id, table) in earlier.tables.iter().chain(&earlier.dropped_tables) {
            if !self.tables.contains_key(id) && !self.others.contains_key(id) {
                self.dropped_tables.entry(*id).or_insert_with(|| table.clone());
            }
        }
    }

    /// The id of decodable table `keyspace.table`, the names matched as
    /// stored or case-insensitively when that is unambiguous.
    ///
    /// ```no_run
    /// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::Error> {
    /// let schema = pycassandra::cdc::CdcSchema::load(session, &["shop"]).await?;
    /// let orders = schema.table_id("shop", "Orders").expect("shop.orders exists"); // matched case-insensitively
    /// # Ok(()) }
    /// ```
    pub fn table_id(&self, keyspace: &str, table: &str) -> Option<Uuid> {
        let in_keyspace: Vec<&CdcTable> = {
            let keyspaces = self.tables.values().map(|t| t.keyspace.as_str());
            let keyspace = crate::schema::match_name(keyspaces, keyspace)?;
            self.tables.values().filter(|t| t.keyspace == keyspace).collect()
        };
        let name = crate::schema::match_name(in_keyspace.iter().map(|t| t.table.as_str()), table)?;
        in_keyspace.iter().find(|t| t.table == name).map(|t| t.id)
    }
}

/// The byte length of a value of `cql_type` when the type fixes it
/// (Cassandra's `valueLengthIfFixed`): such values carry no length prefix,
/// in cells and in clusterings alike. `None`: length-prefixed.
pub fn fixed_length(cql_type: &ColumnType<'_>) -> Option<usize> {
    match cql_type {
        ColumnType::Native(native) => match native {
            NativeType::Boolean => Some(1),
            NativeType::Int | NativeType::Float => Some(4),
            NativeType::BigInt | NativeType::Double | NativeType::Timestamp => Some(8),
            NativeType::Uuid | NativeType::Timeuuid => Some(16),
            _ => None,
        },
        ColumnType::Vector { typ, dimensions } => fixed_length(typ).map(|n| n * usize::from(*dimensions)),
        _ => None,
    }
}

/// A multi-cell column: a non-frozen collection or UDT, whose cells carry a
/// path (element, key or field).
pub fn is_complex(cql_type: &ColumnType<'_>) -> bool {
    matches!(cql_type, ColumnType::Collection { frozen: false, .. } | ColumnType::UserDefinedType { frozen: false, .. })
}

/// What a complex column's cell path is, for rendering and events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathKind {
    /// A list element's 16-byte timeuuid.
    ListIndex,
    /// A set element or map key, typed by the column's key type.
    Key,
    /// A UDT field index (2 bytes, big-endian).
    Field,
}

/// The kind of path a complex column's cells carry; `None` for a simple column.
pub fn path_kind(cql_type: &ColumnType<'_>) -> Option<PathKind> {
    match cql_type {
        ColumnType::Collection { frozen: false, typ: CollectionType::List(_) } => Some(PathKind::ListIndex),
        ColumnType::Collection { frozen: false, .. } => Some(PathKind::Key),
        ColumnType::UserDefinedType { frozen: false, .. } => Some(PathKind::Field),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_lengths_follow_cassandra() {
        let native = |n| ColumnType::Native(n);
        assert_eq!(fixed_length(&native(NativeType::Int)), Some(4));
        assert_eq!(fixed_length(&native(NativeType::Timeuuid)), Some(16));
        assert_eq!(fixed_length(&native(NativeType::SmallInt)), None);
        assert_eq!(fixed_length(&native(NativeType::Date)), None);
        let vector = ColumnType::Vector { typ: Box::new(native(NativeType::Float)), dimensions: 3 };
        assert_eq!(fixed_length(&vector), Some(12));
        let vector = ColumnType::Vector { typ: Box::new(native(NativeType::Text)), dimensions: 3 };
        assert_eq!(fixed_length(&vector), None);
    }
}
