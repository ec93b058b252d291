//! The mutation decoder: an entry's body, at messaging version 12 or 13, to
//! partition updates with their rows, cells and tombstones (Cassandra's
//! `Mutation` → `PartitionUpdate` → `UnfilteredRowIteratorSerializer` →
//! `UnfilteredSerializer` → `Cell.Serializer`, in their messaging form, which
//! has no row sizes: every cell is decoded to reach the next). Layout and
//! what the node was seen to write: docs/cdc-format.md, "Mutation body".
//!
//! Values stay the bytes Cassandra stored, which for every CQL type are the
//! native protocol's serialization, for the CQL→Arrow converters to decode.
//! Anything unknown — a flag bit, a table id, a column, a counter table, a
//! bound kind — fails closed with the file, the byte and what it was.

use smallvec::SmallVec;
use uuid::Uuid;

mod types;

use crate::cdc::cursor::Cursor;
use crate::cdc::segment::Entry;
use crate::cdc::table::{is_complex, CdcSchema, CdcTable, ColumnRef};
use crate::CdcError;
pub use types::{
    BoundKind, Cell, Cells, Clustering, ClusteringValue, ColumnData, DeletionTime, Liveness, Mutation, PartitionUpdate,
    RangeTombstoneMarker, Row, SkippedUpdate, Unfiltered,
};

/// `EncodingStats.TIMESTAMP_EPOCH`: 2015-09-22T00:00:00Z in microseconds.
const TIMESTAMP_EPOCH: i64 = 1_442_880_000_000_000;
/// `EncodingStats.DELETION_TIME_EPOCH`: the same instant in seconds.
const DELETION_TIME_EPOCH: i64 = 1_442_880_000;

// UnfilteredRowIteratorSerializer flags.
const IS_EMPTY: u8 = 0x01;
const IS_REVERSED: u8 = 0x02;
const HAS_PARTITION_DELETION: u8 = 0x04;
const HAS_STATIC_ROW: u8 = 0x08;
const HAS_ROW_ESTIMATE: u8 = 0x10;
const ITERATOR_FLAGS: u8 = IS_EMPTY | IS_REVERSED | HAS_PARTITION_DELETION | HAS_STATIC_ROW | HAS_ROW_ESTIMATE;

// UnfilteredSerializer flags (all 8 bits are defined).
const END_OF_PARTITION: u8 = 0x01;
const IS_MARKER: u8 = 0x02;
const HAS_TIMESTAMP: u8 = 0x04;
const HAS_TTL: u8 = 0x08;
const HAS_DELETION: u8 = 0x10;
const HAS_ALL_COLUMNS: u8 = 0x20;
const HAS_COMPLEX_DELETION: u8 = 0x40;
const EXTENSION_FLAG: u8 = 0x80;
// Extended flags.
const IS_STATIC: u8 = 0x01;
const HAS_SHADOWABLE_DELETION: u8 = 0x02;

// Cell flags.
const CELL_IS_DELETED: u8 = 0x01;
const CELL_IS_EXPIRING: u8 = 0x02;
const CELL_HAS_EMPTY_VALUE: u8 = 0x04;
const CELL_USE_ROW_TIMESTAMP: u8 = 0x08;
const CELL_USE_ROW_TTL: u8 = 0x10;
const CELL_FLAGS: u8 = 0x1F;

/// What `EncodingStats` sets: the bases the deltas are added to.
struct Stats {
    min_timestamp: i64,
    min_local_deletion_time: i64,
    min_ttl: i64,
}

impl Stats {
    fn timestamp(&self, cursor: &mut Cursor<'_, '_>) -> Result<i64, CdcError> {
        Ok(self.min_timestamp.wrapping_add(cursor.vint("timestamp (vint delta)")? as i64))
    }

    fn local_deletion_time(&self, cursor: &mut Cursor<'_, '_>) -> Result<i64, CdcError> {
        Ok(self.min_local_deletion_time + i64::from(cursor.vint32("local deletion time (vint delta)")?))
    }

    fn ttl(&self, cursor: &mut Cursor<'_, '_>) -> Result<i32, CdcError> {
        let at = cursor.position();
        let ttl = self.min_ttl + i64::from(cursor.vint32("TTL (vint delta)")?);
        i32::try_from(ttl).map_err(|_| cursor.invalid(at, format!("TTL {ttl} is not a 32-bit int")))
    }

    fn deletion_time(&self, cursor: &mut Cursor<'_, '_>) -> Result<DeletionTime, CdcError> {
        let marked_for_delete_at = self.timestamp(cursor)?;
        let local_deletion_time = self.local_deletion_time(cursor)?;
        Ok(DeletionTime { marked_for_delete_at, local_deletion_time })
    }
}

/// Decodes an entry read from the segment `file` against `schema`.
pub fn decode<'a>(file: &str, entry: &Entry<'a>, schema: &CdcSchema) -> Result<Mutation<'a>, CdcError> {
    decode_updates(file, entry, schema, false).map(|(mutation, _)| mutation)
}

/// Decodes as [`decode`] does, but passes over the updates of tables that
/// `schema` lacks (dropped before it was read), returning their ids. Updates
/// carry no lengths, so the ones after an unknown update are found where the
/// id of a table the schema has starts the rest of the mutation: an update
/// of one of its tables always begins so. With no such id after it, the rest
/// holds none of its tables' updates (and counts as one unknown update); with
/// one that does not decode as the rest, the entry fails.
pub fn decode_skipping_unknown<'a>(
    file: &str,
    entry: &Entry<'a>,
    schema: &CdcSchema,
) -> Result<(Mutation<'a>, Vec<Uuid>), CdcError> {
    decode_updates(file, entry, schema, true)
}

/// How many places [`decode_skipping_unknown`] tries (each a decode of the
/// rest) for the updates after an unknown one. Inside a try, a further
/// unknown update passes only when no known id follows it, so one entry
/// costs at most this many decodes of its body.
const RESYNC_ATTEMPTS: usize = 8;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unknown {
    /// Fail on an unknown table id.
    Refuse,
    /// Pass over it, trying places after it.
    Resync,
    /// Pass over it only when no known id follows (inside a try).
    PassIfLast,
}

fn decode_updates<'a>(
    file: &str,
    entry: &Entry<'a>,
    schema: &CdcSchema,
    skip_unknown: bool,
) -> Result<(Mutation<'a>, Vec<Uuid>), CdcError> {
    let mut cursor = Cursor::new(file, entry.body, entry.position + 8);
    let at = cursor.position();
    let count = cursor.vint32("mutation update count (vint)")?;
    if count <= 0 {
        return Err(cursor.invalid(at, format!("mutation update count {count} (at least 1)")));
    }
    // A mutation's updates are all of one keyspace: its first says which.
    if let Some(first) = cursor.rest().get(..16) {
        let table_id = Uuid::from_slice(first).expect("16 bytes");
        if let Some((keyspace, table)) = schema.others.get(&table_id) {
            let skipped = SkippedUpdate { table_id, keyspace: keyspace.clone(), table: table.clone() };
            return Ok((Mutation::Skipped(skipped), Vec::new()));
        }
    }
    let mut decoded = Decoded { updates: Vec::with_capacity((count as usize).min(64)), unknown: Vec::new() };
    let mode = if skip_unknown { Unknown::Resync } else { Unknown::Refuse };
    updates_from(&mut cursor, schema, count as usize, true, mode, &mut decoded)?;
    Ok((Mutation::Decoded(decoded.updates), decoded.unknown))
}

struct Decoded<'a> {
    updates: Vec<PartitionUpdate<'a>>,
    unknown: Vec<Uuid>,
}

/// Decodes `count` updates (at most `count` when not `exact`) to the end of
/// the body.
fn updates_from<'a>(
    cursor: &mut Cursor<'_, 'a>,
    schema: &CdcSchema,
    count: usize,
    exact: bool,
    mode: Unknown,
    decoded: &mut Decoded<'a>,
) -> Result<(), CdcError> {
    for i in 0..count {
        if !exact && cursor.is_empty() {
            return Ok(());
        }
        let position = cursor.position();
        let id = cursor.take(16, "table id")?;
        let table_id = Uuid::from_slice(id).expect("16 bytes");
        let Some(table) = schema.decodable(&table_id) else {
            if mode == Unknown::Refuse {
                return Err(cursor.invalid(
                    position,
                    format!("table id {table_id} is not in the schema (update {} of {count} of the mutation)", i + 1),
                ));
            }
            decoded.unknown.push(table_id);
            return resync(cursor, schema, count - i - 1, mode, decoded, table_id, position);
        };
        if let Some(column) = table.counter_column() {
            return Err(cursor.unsupported(
                position,
                format!(
                    "counter table {}.{} (column {column}): counter cells are not decoded",
                    table.keyspace, table.table
                ),
            ));
        }
        // Built where it is kept: updates and rows moved by value (through a
        // Result, then into their vector) made memcpy 12% of the decoder
        // benchmark's samples.
        decoded.updates.push(PartitionUpdate {
            position,
            table_id,
            key: &[],
            key_values: SmallVec::new(),
            partition_deletion: None,
            static_row: None,
            unfiltereds: SmallVec::new(),
            bytes: &[],
        });
        let update = decoded.updates.last_mut().expect("just pushed");
        if let Err(error) = partition_update(cursor, table, update) {
            decoded.updates.pop();
            return Err(error);
        }
        update.bytes = cursor.since(position);
    }
    if !cursor.is_empty() {
        let at = cursor.position();
        return Err(cursor.invalid(at, "bytes after the mutation's last partition update".into()));
    }
    Ok(())
}

/// After the update of unknown table `table_id` at `position`, with at most
/// `left` updates after it: continues where a known table's id starts a
/// decodable rest, or ends the mutation when no known id follows.
fn resync<'a>(
    cursor: &mut Cursor<'_, 'a>,
    schema: &CdcSchema,
    left: usize,
    mode: Unknown,
    decoded: &mut Decoded<'a>,
    table_id: Uuid,
    position: u64,
) -> Result<(), CdcError> {
    let rest = cursor.rest();
    let mut known_at = (1..rest.len().saturating_sub(15))
        .filter(|&k| schema.decodable(&Uuid::from_slice(&rest[k..k + 16]).expect("16 bytes")).is_some());
    let Some(first) = known_at.next() else {
        // No update of a known table can follow: the rest is of unknown ones.
        cursor.take(rest.len(), "unknown partition updates")?;
        return Ok(());
    };
    if mode == Unknown::Resync && left > 0 {
        for k in std::iter::once(first).chain(known_at).take(RESYNC_ATTEMPTS) {
            let mut attempt = cursor.clone();
            attempt.take(k, "unknown partition update")?;
            let mut found = Decoded { updates: Vec::new(), unknown: Vec::new() };
            if updates_from(&mut attempt, schema, left, false, Unknown::PassIfLast, &mut found).is_ok() {
                decoded.updates.extend(found.updates);
                decoded.unknown.extend(found.unknown);
                *cursor = attempt;
                return Ok(());
            }
        }
    }
    Err(cursor.invalid(
        position,
        format!(
            "table id {table_id} is not in the schema (a table dropped before it was read?), and no id of a \
             known table after it starts the rest of the mutation: its updates after this one cannot be found"
        ),
    ))
}

fn partition_update<'a>(
    cursor: &mut Cursor<'_, 'a>,
    table: &CdcTable,
    update: &mut PartitionUpdate<'a>,
) -> Result<(), CdcError> {
    let key_len = cursor.length("partition key length (vint)")?;
    let key_at = cursor.position();
    update.key = cursor.take(key_len, "partition key")?;
    update.key_values = split_key(cursor, table, update.key, key_at)?;
    let at = cursor.position();
    let flags = cursor.u8("partition flags")?;
    if flags & !ITERATOR_FLAGS != 0 || flags & IS_REVERSED != 0 {
        return Err(cursor.unsupported(at, format!("partition flags {flags:#04x} (known: 0x01, 0x04, 0x08, 0x10)")));
    }
    if flags & IS_EMPTY != 0 {
        return Ok(());
    }
    let stats = Stats {
        min_timestamp: TIMESTAMP_EPOCH.wrapping_add(cursor.vint("minimum timestamp (vint)")? as i64),
        min_local_deletion_time: DELETION_TIME_EPOCH + i64::from(cursor.vint32("minimum local deletion time (vint)")?),
        min_ttl: i64::from(cursor.vint32("minimum TTL (vint)")?),
    };
    let statics = if flags & HAS_STATIC_ROW != 0 { header_columns(cursor, table, true)? } else { Header::new() };
    let parsed: Header;
    let regulars: &[ColumnRef] = match table.regular_header.get() {
        Some((bytes, columns)) if cursor.rest().starts_with(bytes) => {
            cursor.take(bytes.len(), "column header")?;
            columns
        }
        _ => {
            let at = cursor.position();
            parsed = header_columns(cursor, table, false)?;
            table.regular_header.keep(cursor.since(at), &parsed);
            &parsed
        }
    };
    if flags & HAS_PARTITION_DELETION != 0 {
        update.partition_deletion = Some(stats.deletion_time(cursor)?);
    }
    if flags & HAS_STATIC_ROW != 0 {
        let at = cursor.position();
        let row_flags = cursor.u8("static row flags")?;
        let extended = if row_flags & EXTENSION_FLAG != 0 { cursor.u8("static row extended flags")? } else { 0 };
        if row_flags & (END_OF_PARTITION | IS_MARKER) != 0 || extended & IS_STATIC == 0 {
            return Err(cursor.invalid(at, format!("static row flags {row_flags:#04x}, extended {extended:#04x}")));
        }
        let row = update.static_row.insert(Row::at(at, Clustering::new()));
        row_body(cursor, table, &stats, &statics, row_flags, extended, row)?;
    }
    if flags & HAS_ROW_ESTIMATE != 0 {
        cursor.vint32("row estimate (vint)")?;
    }
    loop {
        let at = cursor.position();
        let row_flags = cursor.u8("row flags")?;
        if row_flags & END_OF_PARTITION != 0 {
            if row_flags != END_OF_PARTITION {
                return Err(cursor.invalid(at, format!("end-of-partition flags {row_flags:#04x}")));
            }
            return Ok(());
        }
        let extended = if row_flags & EXTENSION_FLAG != 0 { cursor.u8("row extended flags")? } else { 0 };
        if row_flags & IS_MARKER != 0 {
            update.unfiltereds.push(Unfiltered::Marker(marker(cursor, table, &stats, at)?));
        } else {
            if extended & IS_STATIC != 0 {
                return Err(cursor.invalid(at, "a second static row".into()));
            }
            let clustering = clustering_values(cursor, table, table.clustering.len())?;
            update.unfiltereds.push(Unfiltered::Row(Row::at(at, clustering)));
            let Some(Unfiltered::Row(row)) = update.unfiltereds.last_mut() else { unreachable!("a row was pushed") };
            row_body(cursor, table, &stats, regulars, row_flags, extended, row)?;
        }
    }
}

/// The partition-key column values: the bytes themselves for one column,
/// else `CompositeType` components (`uint16 length, bytes, uint8 0`).
fn split_key<'a>(
    cursor: &Cursor<'_, 'a>,
    table: &CdcTable,
    key: &'a [u8],
    key_at: u64,
) -> Result<SmallVec<[&'a [u8]; 1]>, CdcError> {
    if table.partition_key.len() <= 1 {
        return Ok(SmallVec::from_buf([key]));
    }
    let mut parts = SmallVec::with_capacity(table.partition_key.len());
    let mut rest = key;
    for (name, _) in &table.partition_key {
        let offset = key_at + (key.len() - rest.len()) as u64;
        let bad = |what: &str| cursor.invalid(offset, format!("composite partition key, component {name}: {what}"));
        if rest.len() < 2 {
            return Err(bad("no length"));
        }
        let n = usize::from(u16::from_be_bytes([rest[0], rest[1]]));
        if rest.len() < 2 + n + 1 {
            return Err(bad(&format!("{n} bytes and an end-of-component byte, {} left", rest.len() - 2)));
        }
        if rest[2 + n] != 0 {
            return Err(bad(&format!("end-of-component byte {:#04x}", rest[2 + n])));
        }
        parts.push(&rest[2..2 + n]);
        rest = &rest[3 + n..];
    }
    if !rest.is_empty() {
        let offset = key_at + (key.len() - rest.len()) as u64;
        return Err(cursor.invalid(offset, "bytes after the composite partition key's last component".into()));
    }
    Ok(parts)
}

/// A partition update's header columns: on the stack for most tables.
type Header = SmallVec<[ColumnRef; 16]>;

/// The header's column names, resolved against the table.
fn header_columns(cursor: &mut Cursor<'_, '_>, table: &CdcTable, statics: bool) -> Result<Header, CdcError> {
    let count = cursor.length("column count (vint)")?;
    let mut columns = Header::with_capacity(count.min(1024));
    for _ in 0..count {
        let len = cursor.length("column name length (vint)")?;
        let at = cursor.position();
        let name = cursor.take(len, "column name")?;
        let column = table.resolve(name, statics).ok_or_else(|| {
            cursor.invalid(
                at,
                format!(
                    "{} column {:?} is not in {}.{} (nor among its dropped columns)",
                    if statics { "static" } else { "regular" },
                    String::from_utf8_lossy(name),
                    table.keyspace,
                    table.table
                ),
            )
        })?;
        columns.push(column);
    }
    Ok(columns)
}

/// `ClusteringPrefix.Serializer.deserializeValuesWithoutSize`: blocks of up
/// to 32 values, each block after a vint of two bits per value (null, empty).
fn clustering_values<'a>(
    cursor: &mut Cursor<'_, 'a>,
    table: &CdcTable,
    size: usize,
) -> Result<Clustering<'a>, CdcError> {
    let mut values = Clustering::with_capacity(size);
    let mut header = 0u64;
    for i in 0..size {
        if i % 32 == 0 {
            header = cursor.vint("clustering header (vint)")?;
        }
        let bit = (i % 32) * 2;
        let value = if header & (1 << (bit + 1)) != 0 {
            None
        } else if header & (1 << bit) != 0 {
            Some(&[][..])
        } else {
            Some(cursor.value(&table.clustering[i].1, "clustering value")?)
        };
        values.push(value);
    }
    Ok(values)
}

fn marker<'a>(
    cursor: &mut Cursor<'_, 'a>,
    table: &CdcTable,
    stats: &Stats,
    position: u64,
) -> Result<RangeTombstoneMarker<'a>, CdcError> {
    let at = cursor.position();
    let ordinal = cursor.u8("bound kind")?;
    let kind = BoundKind::from_ordinal(ordinal)
        .ok_or_else(|| cursor.invalid(at, format!("range tombstone bound kind {ordinal} (known: 0, 1, 2, 5, 6, 7)")))?;
    let at = cursor.position();
    let size = usize::from(cursor.u16("bound size")?);
    if size > table.clustering.len() {
        return Err(cursor.invalid(
            at,
            format!(
                "bound of {size} clustering values, {}.{} has {}",
                table.keyspace,
                table.table,
                table.clustering.len()
            ),
        ));
    }
    let prefix = clustering_values(cursor, table, size)?;
    let (closes, opens) = if kind.is_boundary() {
        (Some(stats.deletion_time(cursor)?), Some(stats.deletion_time(cursor)?))
    } else if kind.opens() {
        (None, Some(stats.deletion_time(cursor)?))
    } else {
        (Some(stats.deletion_time(cursor)?), None)
    };
    Ok(RangeTombstoneMarker { position, kind, prefix, closes, opens })
}

/// Decodes a row's body into `row` (its position and clustering set), in
/// place: a row returned by value was copied twice more.
fn row_body<'a>(
    cursor: &mut Cursor<'_, 'a>,
    table: &CdcTable,
    stats: &Stats,
    header: &[ColumnRef],
    flags: u8,
    extended: u8,
    row: &mut Row<'a>,
) -> Result<(), CdcError> {
    let position = row.position;
    if extended & !IS_STATIC != 0 {
        let what = if extended & HAS_SHADOWABLE_DELETION != 0 {
            "shadowable row deletion (materialized views only)".to_owned()
        } else {
            format!("row extended flags {extended:#04x}")
        };
        return Err(cursor.unsupported(position, what));
    }
    if flags & HAS_TIMESTAMP != 0 {
        let timestamp = stats.timestamp(cursor)?;
        // Row liveness is ts, ttl, ldt; a cell's is ts, ldt, ttl.
        let ttl = if flags & HAS_TTL != 0 {
            let ttl = stats.ttl(cursor)?;
            Some((ttl, stats.local_deletion_time(cursor)?))
        } else {
            None
        };
        row.liveness = Some(Liveness { timestamp, ttl });
    } else if flags & HAS_TTL != 0 {
        return Err(cursor.invalid(position, format!("row flags {flags:#04x}: a TTL without a timestamp")));
    }
    if flags & HAS_DELETION != 0 {
        row.deletion = Some(stats.deletion_time(cursor)?);
    }
    // No copy of the header per row: most rows hold all its columns.
    let subset: Header;
    let present: &[ColumnRef] = if flags & HAS_ALL_COLUMNS != 0 {
        header
    } else {
        subset = columns_subset(cursor, header)?;
        &subset
    };
    row.columns.reserve_exact(present.len());
    for &column in present {
        let (_, cql_type) = table.column(column);
        let data = if is_complex(cql_type) {
            let complex_deletion = if flags & HAS_COMPLEX_DELETION != 0 {
                let deletion = stats.deletion_time(cursor)?;
                // DeletionTime.LIVE: markedForDeleteAt = Long.MIN_VALUE.
                (deletion.marked_for_delete_at != i64::MIN).then_some(deletion)
            } else {
                None
            };
            let count = cursor.length("complex column cell count (vint)")?;
            let mut cells = Cells::with_capacity(count.min(1024));
            for _ in 0..count {
                cells.push(cell(cursor, table, stats, row.liveness, column, true)?);
            }
            ColumnData { column, complex_deletion, cells }
        } else {
            let cell = cell(cursor, table, stats, row.liveness, column, false)?;
            ColumnData { column, complex_deletion: None, cells: SmallVec::from_buf([cell]) }
        };
        match table.earlier_drop(column) {
            Some((dropped, dropped_time)) => row.columns.extend(split_at_drop(data, dropped, dropped_time)),
            None => row.columns.push(data),
        }
    }
    Ok(())
}

/// A re-added column's data split as Cassandra reads it: what was written at
/// or before the drop (`dropped_time`, µs) belongs to the `dropped` column,
/// the rest to the live one. Each part is given only when it holds anything.
fn split_at_drop<'a>(data: ColumnData<'a>, dropped: ColumnRef, dropped_time: i64) -> Vec<ColumnData<'a>> {
    let before = |timestamp: i64| timestamp <= dropped_time;
    let (old, new): (Cells<'a>, Cells<'a>) = data.cells.into_iter().partition(|c| before(c.timestamp));
    let (old_deletion, new_deletion) = match data.complex_deletion {
        Some(deletion) if before(deletion.marked_for_delete_at) => (Some(deletion), None),
        deletion => (None, deletion),
    };
    let mut parts = Vec::with_capacity(2);
    if !old.is_empty() || old_deletion.is_some() {
        parts.push(ColumnData { column: dropped, complex_deletion: old_deletion, cells: old });
    }
    if !new.is_empty() || new_deletion.is_some() {
        parts.push(ColumnData { column: data.column, complex_deletion: new_deletion, cells: new });
    }
    if parts.is_empty() {
        // A complex column with no cells and no deletion: kept as written.
        parts.push(ColumnData { column: data.column, complex_deletion: None, cells: Cells::new() });
    }
    parts
}

/// `Columns.Serializer.deserializeSubset`: `0` for all; below 64 header
/// columns a bitmap of the missing ones; else a count and indices.
fn columns_subset(cursor: &mut Cursor<'_, '_>, header: &[ColumnRef]) -> Result<Header, CdcError> {
    let at = cursor.position();
    let encoded = cursor.vint("column subset (vint)")?;
    if encoded == 0 {
        return Ok(header.iter().copied().collect());
    }
    let n = header.len();
    if n < 64 {
        if encoded >> n != 0 {
            return Err(cursor.invalid(at, format!("column subset bitmap {encoded:#x} for {n} header columns")));
        }
        return Ok(header.iter().enumerate().filter(|(i, _)| encoded & (1 << i) == 0).map(|(_, c)| *c).collect());
    }
    let missing = usize::try_from(encoded)
        .ok()
        .filter(|&m| m <= n)
        .ok_or_else(|| cursor.invalid(at, format!("column subset missing {encoded} of {n} header columns")))?;
    let count = n - missing;
    let index = |cursor: &mut Cursor<'_, '_>| -> Result<usize, CdcError> {
        let at = cursor.position();
        let i = cursor.length("column subset index (vint)")?;
        if i >= n {
            return Err(cursor.invalid(at, format!("column subset index {i} of {n} header columns")));
        }
        Ok(i)
    };
    let mut present = Header::with_capacity(count);
    if count < n / 2 {
        for _ in 0..count {
            present.push(header[index(cursor)?]);
        }
    } else {
        let mut next = 0;
        for _ in 0..missing {
            let skip = index(cursor)?;
            if skip < next {
                return Err(cursor.invalid(at, "column subset indices out of order".into()));
            }
            present.extend_from_slice(&header[next..skip]);
            next = skip + 1;
        }
        present.extend_from_slice(&header[next..]);
    }
    Ok(present)
}

fn cell<'a>(
    cursor: &mut Cursor<'_, 'a>,
    table: &CdcTable,
    stats: &Stats,
    row: Option<Liveness>,
    column: ColumnRef,
    complex: bool,
) -> Result<Cell<'a>, CdcError> {
    let at = cursor.position();
    let flags = cursor.u8("cell flags")?;
    let (name, cql_type) = table.column(column);
    if flags & !CELL_FLAGS != 0 {
        return Err(cursor.unsupported(at, format!("cell flags {flags:#04x} in column {name}")));
    }
    let deleted = flags & CELL_IS_DELETED != 0;
    let expiring = flags & CELL_IS_EXPIRING != 0;
    if deleted && expiring {
        return Err(cursor.invalid(at, format!("cell flags {flags:#04x} in column {name}: deleted and expiring")));
    }
    let timestamp = if flags & CELL_USE_ROW_TIMESTAMP != 0 {
        row.ok_or_else(|| {
            cursor.invalid(at, format!("cell in column {name} uses the row timestamp, the row has none"))
        })?
        .timestamp
    } else {
        stats.timestamp(cursor)?
    };
    let (ttl, local_deletion_time) = if flags & CELL_USE_ROW_TTL != 0 {
        let (ttl, expires) = row
            .and_then(|r| r.ttl)
            .ok_or_else(|| cursor.invalid(at, format!("cell in column {name} uses the row TTL, the row has none")))?;
        (Some(ttl), Some(expires))
    } else {
        // A cell's liveness is ts, ldt, ttl (a row's is ts, ttl, ldt).
        let ldt = if deleted || expiring { Some(stats.local_deletion_time(cursor)?) } else { None };
        let ttl = if expiring { Some(stats.ttl(cursor)?) } else { None };
        (ttl, ldt)
    };
    let path = if complex { Some(path(cursor)?) } else { None };
    let value = if flags & CELL_HAS_EMPTY_VALUE != 0 {
        &[][..]
    } else if complex {
        // A complex column's cell values are written with the collection's
        // (or UDT's) type, which is never fixed-length.
        let n = cursor.length("cell value length (vint)")?;
        cursor.take(n, "cell value")?
    } else {
        cursor.value(cql_type, "cell value")?
    };
    Ok(Cell { timestamp, deleted, ttl, local_deletion_time, path, value })
}

fn path<'a>(cursor: &mut Cursor<'_, 'a>) -> Result<&'a [u8], CdcError> {
    let n = cursor.length("cell path length (vint)")?;
    cursor.take(n, "cell path")
}
