//! What the mutation decoder ([`super::decode`]) gives: partition
//! updates, rows, cells, range-tombstone markers and deletions, borrowing
//! the entry's bytes. Values are as stored: the native protocol's
//! serialization of each CQL type.

use smallvec::SmallVec;
use uuid::Uuid;

use crate::cdc::table::ColumnRef;

/// A simple column's one cell, or a complex column's cells. Inline for one,
/// so that a simple column's cell takes no allocation of its own.
pub type Cells<'a> = SmallVec<[Cell<'a>; 1]>;
/// Clustering values or a bound's prefix, inline up to two.
pub type Clustering<'a> = SmallVec<[ClusteringValue<'a>; 2]>;

/// A deletion: everything written at or before `marked_for_delete_at` is gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeletionTime {
    /// Write timestamp of the deletion (µs since the Unix epoch, as clients set it).
    pub marked_for_delete_at: i64,
    /// When the node applied it (s since the Unix epoch; for tombstone GC).
    pub local_deletion_time: i64,
}

/// A row's primary-key liveness (the "row marker" an `INSERT` writes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Liveness {
    /// Write timestamp (µs).
    pub timestamp: i64,
    /// `USING TTL`: the TTL in seconds and the expiry time (s since the epoch).
    pub ttl: Option<(i32, i64)>,
}

/// One cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell<'a> {
    /// Write timestamp (µs).
    pub timestamp: i64,
    /// A tombstone (`DELETE c`, `SET c = null`, an element removed).
    pub deleted: bool,
    /// TTL in seconds, for an expiring cell.
    pub ttl: Option<i32>,
    /// For a tombstone, when it was written; for an expiring cell, when it
    /// expires (s since the epoch).
    pub local_deletion_time: Option<i64>,
    /// Complex columns: list element timeuuid, set element, map key, or UDT
    /// field index (2 bytes).
    pub path: Option<&'a [u8]>,
    /// The value as stored (empty for tombstones and set elements).
    pub value: &'a [u8],
}

/// The cells of one column of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ColumnData<'a> {
    /// Which column.
    pub column: ColumnRef,
    /// A complex column's deletion (an overwrite or `= null` of a whole
    /// collection or UDT); `None` for simple columns and when live.
    pub complex_deletion: Option<DeletionTime>,
    /// One cell for a simple column, any number for a complex one.
    pub cells: Cells<'a>,
}

/// A clustering value: `None` is null (a shorter bound prefix leaves none),
/// an empty slice is CQL's empty value.
pub type ClusteringValue<'a> = Option<&'a [u8]>;

/// A row (or the static row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row<'a> {
    /// File offset of the row's flags byte.
    pub position: u64,
    /// Clustering values (empty for the static row and tables without one).
    pub clustering: Clustering<'a>,
    /// Primary-key liveness: set by `INSERT`, not by `UPDATE`.
    pub liveness: Option<Liveness>,
    /// A row deletion (`DELETE FROM t WHERE <full primary key>`).
    pub deletion: Option<DeletionTime>,
    /// The columns with data, in header order.
    pub columns: Vec<ColumnData<'a>>,
}

impl<'a> Row<'a> {
    /// A row at `position` with `clustering`, before its body is decoded.
    pub(crate) fn at(position: u64, clustering: Clustering<'a>) -> Self {
        Row { position, clustering, liveness: None, deletion: None, columns: Vec::new() }
    }
}

/// The kind of a range-tombstone bound (`ClusteringPrefix.Kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BoundKind {
    /// Ends a range, excluding the prefix.
    ExclusiveEnd,
    /// Starts a range, including the prefix.
    InclusiveStart,
    /// Ends one range (exclusive) and starts the next (inclusive).
    ExclusiveEndInclusiveStart,
    /// Ends one range (inclusive) and starts the next (exclusive).
    InclusiveEndExclusiveStart,
    /// Ends a range, including the prefix.
    InclusiveEnd,
    /// Starts a range, excluding the prefix.
    ExclusiveStart,
}

impl BoundKind {
    pub(crate) fn from_ordinal(ordinal: u8) -> Option<Self> {
        Some(match ordinal {
            0 => BoundKind::ExclusiveEnd,
            1 => BoundKind::InclusiveStart,
            2 => BoundKind::ExclusiveEndInclusiveStart,
            5 => BoundKind::InclusiveEndExclusiveStart,
            6 => BoundKind::InclusiveEnd,
            7 => BoundKind::ExclusiveStart,
            _ => return None,
        })
    }

    /// A boundary: closes a range and opens the next.
    pub fn is_boundary(self) -> bool {
        matches!(self, BoundKind::ExclusiveEndInclusiveStart | BoundKind::InclusiveEndExclusiveStart)
    }

    /// Opens a range (a start bound or a boundary).
    pub fn opens(self) -> bool {
        !matches!(self, BoundKind::ExclusiveEnd | BoundKind::InclusiveEnd)
    }
}

/// A range-tombstone bound or boundary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RangeTombstoneMarker<'a> {
    /// File offset of the marker's flags byte.
    pub position: u64,
    /// Bound kind.
    pub kind: BoundKind,
    /// The clustering prefix (may be shorter than the clustering; empty for
    /// an open end).
    pub prefix: Clustering<'a>,
    /// The deletion of the range it closes (end bounds and boundaries).
    pub closes: Option<DeletionTime>,
    /// The deletion of the range it opens (start bounds and boundaries).
    pub opens: Option<DeletionTime>,
}

/// A row or a range-tombstone marker, in clustering order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unfiltered<'a> {
    /// A row.
    Row(Row<'a>),
    /// A range-tombstone bound or boundary.
    Marker(RangeTombstoneMarker<'a>),
}

/// The changes of one partition of one table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartitionUpdate<'a> {
    /// File offset of the table id that starts the update.
    pub position: u64,
    /// The table.
    pub table_id: Uuid,
    /// The partition key as stored (for a composite key, Cassandra's
    /// `CompositeType` bytes): what the token is computed over.
    pub key: &'a [u8],
    /// The partition-key column values, in key order.
    pub key_values: SmallVec<[&'a [u8]; 1]>,
    /// `DELETE FROM t WHERE <partition key>`.
    pub partition_deletion: Option<DeletionTime>,
    /// The static row, when static columns were written.
    pub static_row: Option<Row<'a>>,
    /// Rows and range-tombstone markers.
    pub unfiltereds: SmallVec<[Unfiltered<'a>; 1]>,
    /// The update's bytes, table id first (what a change id hashes).
    pub bytes: &'a [u8],
}

/// A partition update of a table the schema knows but nobody reads
/// (another keyspace's, such as the system tables').
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkippedUpdate {
    /// The table id.
    pub table_id: Uuid,
    /// Keyspace and table, as the schema names them.
    pub keyspace: String,
    /// Table name.
    pub table: String,
}

/// A decoded entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mutation<'a> {
    /// A mutation of a keyspace the schema decodes.
    Decoded(Vec<PartitionUpdate<'a>>),
    /// A mutation of another keyspace, not decoded: all its updates belong to
    /// the keyspace of the first.
    Skipped(SkippedUpdate),
}
