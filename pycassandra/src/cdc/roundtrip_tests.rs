//! decode(encode(x)) == x over random tables and random partition updates.
//!
//! The encoder here is test-only and written from Cassandra's serializers
//! (`Mutation`, `PartitionUpdate`, `UnfilteredRowIteratorSerializer`,
//! `UnfilteredSerializer`, `Cell.Serializer`, `Columns.serializeSubset`,
//! `ClusteringPrefix.serializeValuesWithoutSize`, messaging form) as
//! docs/cdc-format.md gives them; it keeps its own table of which types are
//! fixed-length and which columns are complex, so a mistake in the
//! decoder's is not repeated here. The node's own bytes are checked by the
//! golden tests and the oracle; this covers the shapes no statement list
//! reaches: any mix of column kinds (regular, static, clustering, frozen and
//! non-frozen collections and UDTs, tuples, vectors), column subsets of every
//! encoding (all, bitmap, large subset by present or by missing indices),
//! cells that use the row's timestamp or TTL or not, tombstones, expiring
//! cells, complex deletions, row and partition deletions, range-tombstone
//! bounds and boundaries, empty and null clustering values, pre-2015
//! timestamps. A DESC clustering column (`ReversedType`) stores its values
//! as the ASC type does: only the order of rows and bounds differs, which
//! the decoder takes as written.

use std::sync::Arc;

use proptest::collection::vec;
use proptest::prelude::*;
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};
use uuid::Uuid;

use crate::cdc::mutation::{decode, BoundKind, DeletionTime, Liveness, Mutation, PartitionUpdate, Row, Unfiltered};
use crate::cdc::segment::Entry;
use crate::cdc::table::{CdcColumn, CdcSchema, CdcTable, ColumnRef};
use crate::vint::write_unsigned;

const TIMESTAMP_EPOCH: i64 = 1_442_880_000_000_000;
const DELETION_TIME_EPOCH: i64 = 1_442_880_000;

// ---- the model: what an update holds, owned ----

#[derive(Clone, Debug, PartialEq)]
struct MCell {
    timestamp: i64,
    deleted: bool,
    ttl: Option<i32>,
    local_deletion_time: Option<i64>,
    path: Option<Vec<u8>>,
    value: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
struct MColumn {
    /// Index in the table's columns.
    column: usize,
    complex_deletion: Option<DeletionTime>,
    cells: Vec<MCell>,
}

#[derive(Clone, Debug, PartialEq)]
struct MRow {
    clustering: Vec<Option<Vec<u8>>>,
    liveness: Option<Liveness>,
    deletion: Option<DeletionTime>,
    columns: Vec<MColumn>,
}

#[derive(Clone, Debug, PartialEq)]
enum MUnfiltered {
    Row(MRow),
    Marker { kind: BoundKind, prefix: Vec<Option<Vec<u8>>>, closes: Option<DeletionTime>, opens: Option<DeletionTime> },
}

#[derive(Clone, Debug, PartialEq)]
struct MUpdate {
    key_values: Vec<Vec<u8>>,
    partition_deletion: Option<DeletionTime>,
    static_row: Option<MRow>,
    unfiltereds: Vec<MUnfiltered>,
}

fn model_row(row: &Row<'_>) -> MRow {
    MRow {
        clustering: row.clustering.iter().map(|v| v.map(<[u8]>::to_vec)).collect(),
        liveness: row.liveness,
        deletion: row.deletion,
        columns: row
            .columns
            .iter()
            .map(|c| MColumn {
                column: match c.column {
                    ColumnRef::Live(i) => i,
                    ColumnRef::Dropped(i) => panic!("dropped column {i}: the random tables have none"),
                },
                complex_deletion: c.complex_deletion,
                cells: c
                    .cells
                    .iter()
                    .map(|cell| MCell {
                        timestamp: cell.timestamp,
                        deleted: cell.deleted,
                        ttl: cell.ttl,
                        local_deletion_time: cell.local_deletion_time,
                        path: cell.path.map(<[u8]>::to_vec),
                        value: cell.value.to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn model(update: &PartitionUpdate<'_>) -> MUpdate {
    MUpdate {
        key_values: update.key_values.iter().map(|v| v.to_vec()).collect(),
        partition_deletion: update.partition_deletion,
        static_row: update.static_row.as_ref().map(model_row),
        unfiltereds: update
            .unfiltereds
            .iter()
            .map(|u| match u {
                Unfiltered::Row(row) => MUnfiltered::Row(model_row(row)),
                Unfiltered::Marker(m) => MUnfiltered::Marker {
                    kind: m.kind,
                    prefix: m.prefix.iter().map(|v| v.map(<[u8]>::to_vec)).collect(),
                    closes: m.closes,
                    opens: m.opens,
                },
            })
            .collect(),
    }
}

// ---- this test's own view of the types ----

/// Value length when the type fixes it (`AbstractType.valueLengthIfFixed`).
fn fixed(t: &ColumnType<'_>) -> Option<usize> {
    use NativeType::*;
    match t {
        ColumnType::Native(Boolean) => Some(1),
        ColumnType::Native(Int | Float) => Some(4),
        ColumnType::Native(BigInt | Double | Timestamp) => Some(8),
        ColumnType::Native(Uuid | Timeuuid) => Some(16),
        ColumnType::Vector { typ, dimensions } => fixed(typ).map(|n| n * usize::from(*dimensions)),
        _ => None,
    }
}

/// Multi-cell: a non-frozen collection or UDT.
fn multi_cell(t: &ColumnType<'_>) -> bool {
    matches!(t, ColumnType::Collection { frozen: false, .. } | ColumnType::UserDefinedType { frozen: false, .. })
}

// ---- the encoder ----

fn vint(value: u64, out: &mut Vec<u8>) {
    write_unsigned(value, out);
}

struct Stats {
    min_timestamp: i64,
    min_ldt: i64,
    min_ttl: i64,
}

impl Stats {
    fn timestamp(&self, ts: i64, out: &mut Vec<u8>) {
        vint(ts.wrapping_sub(self.min_timestamp) as u64, out);
    }
    fn ldt(&self, ldt: i64, out: &mut Vec<u8>) {
        vint((ldt - self.min_ldt) as u64, out);
    }
    fn ttl(&self, ttl: i32, out: &mut Vec<u8>) {
        vint((i64::from(ttl) - self.min_ttl) as u64, out);
    }
    fn deletion(&self, d: DeletionTime, out: &mut Vec<u8>) {
        self.timestamp(d.marked_for_delete_at, out);
        self.ldt(d.local_deletion_time, out);
    }
}

/// `EncodingStats` of an update: the smallest timestamp, local deletion time and TTL in it.
fn stats(update: &MUpdate) -> Stats {
    let (mut ts, mut ldt, mut ttl) = (Vec::new(), Vec::new(), Vec::new());
    let deletion = |d: &DeletionTime, ts: &mut Vec<i64>, ldt: &mut Vec<i64>| {
        ts.push(d.marked_for_delete_at);
        ldt.push(d.local_deletion_time);
    };
    update.partition_deletion.iter().for_each(|d| deletion(d, &mut ts, &mut ldt));
    let rows = update.static_row.iter().chain(update.unfiltereds.iter().filter_map(|u| match u {
        MUnfiltered::Row(row) => Some(row),
        MUnfiltered::Marker { .. } => None,
    }));
    for row in rows {
        if let Some(l) = row.liveness {
            ts.push(l.timestamp);
            if let Some((t, e)) = l.ttl {
                ttl.push(i64::from(t));
                ldt.push(e);
            }
        }
        row.deletion.iter().for_each(|d| deletion(d, &mut ts, &mut ldt));
        for column in &row.columns {
            column.complex_deletion.iter().for_each(|d| deletion(d, &mut ts, &mut ldt));
            for cell in &column.cells {
                ts.push(cell.timestamp);
                ldt.extend(cell.local_deletion_time);
                ttl.extend(cell.ttl.map(i64::from));
            }
        }
    }
    for u in &update.unfiltereds {
        if let MUnfiltered::Marker { closes, opens, .. } = u {
            closes.iter().chain(opens).for_each(|d| deletion(d, &mut ts, &mut ldt));
        }
    }
    Stats {
        min_timestamp: ts.into_iter().min().unwrap_or(TIMESTAMP_EPOCH),
        min_ldt: ldt.into_iter().min().unwrap_or(DELETION_TIME_EPOCH),
        min_ttl: ttl.into_iter().min().unwrap_or(0),
    }
}

fn value(t: &ColumnType<'_>, bytes: &[u8], out: &mut Vec<u8>) {
    match fixed(t) {
        Some(n) => {
            assert_eq!(bytes.len(), n, "a {t:?} value");
            out.extend(bytes);
        }
        None => {
            vint(bytes.len() as u64, out);
            out.extend(bytes);
        }
    }
}

fn clustering(types: &[&ColumnType<'_>], values: &[Option<Vec<u8>>], out: &mut Vec<u8>) {
    for (block, chunk) in values.chunks(32).enumerate() {
        let mut header = 0u64;
        for (i, v) in chunk.iter().enumerate() {
            match v {
                None => header |= 1 << (i * 2 + 1),
                Some(v) if v.is_empty() => header |= 1 << (i * 2),
                Some(_) => {}
            }
        }
        vint(header, out);
        for (i, v) in chunk.iter().enumerate() {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                value(types[block * 32 + i], v, out);
            }
        }
    }
}

/// The header's columns: those any row of the kind holds, simple ones first
/// (Cassandra's `Columns` order: simple, then complex).
fn header(table: &CdcTable, rows: &[&MRow]) -> Vec<usize> {
    let mut columns: Vec<usize> = rows.iter().flat_map(|r| r.columns.iter().map(|c| c.column)).collect();
    columns.sort_by_key(|&i| (multi_cell(&table.columns[i].cql_type), i));
    columns.dedup();
    columns
}

fn columns(table: &CdcTable, header: &[usize], out: &mut Vec<u8>) {
    vint(header.len() as u64, out);
    for &i in header {
        let name = table.columns[i].name.as_bytes();
        vint(name.len() as u64, out);
        out.extend(name);
    }
}

fn subset(header: &[usize], present: &[usize], out: &mut Vec<u8>) {
    let n = header.len();
    let missing: Vec<usize> = (0..n).filter(|i| !present.contains(&header[*i])).collect();
    if n < 64 {
        vint(missing.iter().fold(0u64, |bits, i| bits | 1 << i), out);
        return;
    }
    vint(missing.len() as u64, out);
    let present_indices: Vec<usize> = (0..n).filter(|i| !missing.contains(i)).collect();
    let indices = if present_indices.len() < n / 2 { present_indices } else { missing };
    for i in indices {
        vint(i as u64, out);
    }
}

fn cell(table: &CdcTable, column: usize, row: Option<Liveness>, cell: &MCell, stats: &Stats, out: &mut Vec<u8>) {
    let t = &table.columns[column].cql_type;
    let complex = multi_cell(t);
    let expiring = cell.ttl.is_some();
    let use_row_timestamp = row.is_some_and(|l| l.timestamp == cell.timestamp);
    let use_row_ttl = expiring
        && row.and_then(|l| l.ttl) == cell.ttl.zip(cell.local_deletion_time)
        && row.is_some_and(|l| l.ttl.is_some());
    let mut flags = 0u8;
    flags |= if cell.deleted { 0x01 } else { 0 };
    flags |= if expiring { 0x02 } else { 0 };
    flags |= if cell.value.is_empty() { 0x04 } else { 0 };
    flags |= if use_row_timestamp { 0x08 } else { 0 };
    flags |= if use_row_ttl { 0x10 } else { 0 };
    out.push(flags);
    if !use_row_timestamp {
        stats.timestamp(cell.timestamp, out);
    }
    if !use_row_ttl {
        if cell.deleted || expiring {
            stats.ldt(cell.local_deletion_time.expect("a tombstone or expiring cell has a local time"), out);
        }
        if let Some(ttl) = cell.ttl {
            stats.ttl(ttl, out);
        }
    }
    if complex {
        let path = cell.path.as_ref().expect("a complex cell has a path");
        vint(path.len() as u64, out);
        out.extend(path);
    }
    if !cell.value.is_empty() {
        if complex {
            vint(cell.value.len() as u64, out);
            out.extend(&cell.value);
        } else {
            value(t, &cell.value, out);
        }
    }
}

fn row(table: &CdcTable, header: &[usize], row: &MRow, is_static: bool, stats: &Stats, out: &mut Vec<u8>) {
    let present: Vec<usize> = row.columns.iter().map(|c| c.column).collect();
    let all = header.iter().all(|c| present.contains(c));
    let complex_deletion = row.columns.iter().any(|c| c.complex_deletion.is_some());
    let mut flags = if is_static { 0x80 } else { 0 };
    flags |= if row.liveness.is_some() { 0x04 } else { 0 };
    flags |= if row.liveness.is_some_and(|l| l.ttl.is_some()) { 0x08 } else { 0 };
    flags |= if row.deletion.is_some() { 0x10 } else { 0 };
    flags |= if all { 0x20 } else { 0 };
    flags |= if complex_deletion { 0x40 } else { 0 };
    out.push(flags);
    if is_static {
        out.push(0x01); // extended flags: IS_STATIC
    } else {
        let types: Vec<&ColumnType<'_>> = table.clustering.iter().map(|(_, t)| t).collect();
        clustering(&types, &row.clustering, out);
    }
    if let Some(l) = row.liveness {
        stats.timestamp(l.timestamp, out);
        if let Some((ttl, expires)) = l.ttl {
            stats.ttl(ttl, out); // a row's liveness is ts, ttl, ldt
            stats.ldt(expires, out);
        }
    }
    if let Some(d) = row.deletion {
        stats.deletion(d, out);
    }
    if !all {
        subset(header, &present, out);
    }
    for column in &row.columns {
        if multi_cell(&table.columns[column.column].cql_type) {
            if complex_deletion {
                // Every complex column writes one once any has one: DeletionTime.LIVE when none.
                let live = DeletionTime { marked_for_delete_at: i64::MIN, local_deletion_time: i64::from(i32::MAX) };
                stats.deletion(column.complex_deletion.unwrap_or(live), out);
            }
            vint(column.cells.len() as u64, out);
        }
        for c in &column.cells {
            cell(table, column.column, row.liveness, c, stats, out);
        }
    }
}

fn encode_update(table: &CdcTable, update: &MUpdate, out: &mut Vec<u8>) {
    out.extend(table.id.as_bytes());
    let key = if update.key_values.len() == 1 {
        update.key_values[0].clone()
    } else {
        let mut key = Vec::new();
        for v in &update.key_values {
            key.extend((v.len() as u16).to_be_bytes());
            key.extend(v);
            key.push(0);
        }
        key
    };
    vint(key.len() as u64, out);
    out.extend(&key);
    let rows: Vec<&MRow> = update
        .unfiltereds
        .iter()
        .filter_map(|u| match u {
            MUnfiltered::Row(r) => Some(r),
            MUnfiltered::Marker { .. } => None,
        })
        .collect();
    if update.partition_deletion.is_none() && update.static_row.is_none() && update.unfiltereds.is_empty() {
        out.push(0x01); // IS_EMPTY
        return;
    }
    let mut flags = 0x10; // HAS_ROW_ESTIMATE: a PartitionUpdate always has one
    flags |= if update.partition_deletion.is_some() { 0x04 } else { 0 };
    flags |= if update.static_row.is_some() { 0x08 } else { 0 };
    out.push(flags);
    let stats = stats(update);
    vint(stats.min_timestamp.wrapping_sub(TIMESTAMP_EPOCH) as u64, out);
    vint((stats.min_ldt - DELETION_TIME_EPOCH) as u64, out);
    vint(stats.min_ttl as u64, out);
    let statics = header(table, &update.static_row.iter().collect::<Vec<_>>());
    let regulars = header(table, &rows);
    if update.static_row.is_some() {
        columns(table, &statics, out);
    }
    columns(table, &regulars, out);
    if let Some(d) = update.partition_deletion {
        stats.deletion(d, out);
    }
    if let Some(s) = &update.static_row {
        row(table, &statics, s, true, &stats, out);
    }
    vint(rows.len() as u64, out);
    for u in &update.unfiltereds {
        match u {
            MUnfiltered::Row(r) => row(table, &regulars, r, false, &stats, out),
            MUnfiltered::Marker { kind, prefix, closes, opens } => {
                out.push(0x02); // IS_MARKER
                let ordinal = match kind {
                    BoundKind::ExclusiveEnd => 0,
                    BoundKind::InclusiveStart => 1,
                    BoundKind::ExclusiveEndInclusiveStart => 2,
                    BoundKind::InclusiveEndExclusiveStart => 5,
                    BoundKind::InclusiveEnd => 6,
                    BoundKind::ExclusiveStart => 7,
                };
                out.push(ordinal);
                out.extend((prefix.len() as u16).to_be_bytes());
                let types: Vec<&ColumnType<'_>> = table.clustering.iter().map(|(_, t)| t).collect();
                clustering(&types, prefix, out);
                for d in closes.iter().chain(opens) {
                    stats.deletion(*d, out);
                }
            }
        }
    }
    out.push(0x01); // END_OF_PARTITION
}

fn encode(table: &CdcTable, updates: &[MUpdate]) -> Vec<u8> {
    let mut out = Vec::new();
    vint(updates.len() as u64, &mut out);
    for update in updates {
        encode_update(table, update, &mut out);
    }
    out
}

// ---- random tables ----

fn native() -> impl Strategy<Value = NativeType> {
    use NativeType::*;
    prop::sample::select(vec![
        Boolean, Int, BigInt, Float, Double, Timestamp, Uuid, Timeuuid, Text, Ascii, Blob, SmallInt, TinyInt, Date,
        Time, Decimal, Varint, Inet, Duration,
    ])
}

fn udt() -> impl Strategy<Value = Arc<UserDefinedType<'static>>> {
    vec(native(), 1..4).prop_map(|fields| {
        Arc::new(UserDefinedType {
            name: "u".into(),
            keyspace: "ks".into(),
            field_types: fields
                .into_iter()
                .enumerate()
                .map(|(i, n)| (format!("f{i}").into(), ColumnType::Native(n)))
                .collect(),
        })
    })
}

fn collection(frozen: bool) -> impl Strategy<Value = ColumnType<'static>> {
    let boxed = |n| Box::new(ColumnType::Native(n));
    prop_oneof![
        native().prop_map(move |n| CollectionType::List(boxed(n))),
        native().prop_map(move |n| CollectionType::Set(boxed(n))),
        (native(), native()).prop_map(move |(k, v)| CollectionType::Map(boxed(k), boxed(v))),
    ]
    .prop_map(move |typ| ColumnType::Collection { frozen, typ })
}

/// A type whose values are one cell: natives, frozen collections and UDTs, tuples, vectors.
fn simple_type() -> impl Strategy<Value = ColumnType<'static>> {
    prop_oneof![
        4 => native().prop_map(ColumnType::Native),
        1 => collection(true),
        1 => udt().prop_map(|definition| ColumnType::UserDefinedType { frozen: true, definition }),
        1 => vec(native(), 1..3).prop_map(|t| ColumnType::Tuple(t.into_iter().map(ColumnType::Native).collect())),
        1 => (prop::sample::select(vec![NativeType::Float, NativeType::Int, NativeType::Text]), 1u16..4)
            .prop_map(|(n, dimensions)| ColumnType::Vector { typ: Box::new(ColumnType::Native(n)), dimensions }),
    ]
}

fn column_type() -> impl Strategy<Value = ColumnType<'static>> {
    prop_oneof![
        3 => simple_type(),
        1 => collection(false),
        1 => udt().prop_map(|definition| ColumnType::UserDefinedType { frozen: false, definition }),
    ]
}

fn table() -> impl Strategy<Value = CdcTable> {
    let columns = prop_oneof![
        6 => vec((column_type(), any::<bool>()), 0..7),
        // Above 64 header columns a subset is a count and indices.
        1 => (64usize..70).prop_map(|n| vec![(ColumnType::Native(NativeType::Int), false); n]),
    ];
    (vec(simple_type(), 1..3), vec(simple_type(), 0..4), columns).prop_map(|(key, clustering, columns)| CdcTable {
        id: Uuid::from_u128(0x5eed),
        keyspace: "ks".into(),
        table: "t".into(),
        partition_key: key.into_iter().enumerate().map(|(i, t)| (format!("k{i}"), t)).collect(),
        clustering: clustering.into_iter().enumerate().map(|(i, t)| (format!("c{i}"), t)).collect(),
        columns: columns
            .into_iter()
            .enumerate()
            .map(|(i, (cql_type, is_static))| CdcColumn { name: format!("v{i}"), cql_type, is_static })
            .collect(),
        dropped: Vec::new(),
        regular_header: Default::default(),
    })
}

// ---- random updates of a table ----

/// Timestamps from a small pool, so that cells often share their row's (and
/// then use it); 1000 is before the 2015 epoch (a "negative" delta).
fn timestamp() -> impl Strategy<Value = i64> {
    prop_oneof![
        prop::sample::select(vec![1000i64, 1_764_000_000_000_000, 1_764_000_000_000_001]),
        -1_000_000_000_000_000i64..4_000_000_000_000_000,
    ]
}

fn local_time() -> impl Strategy<Value = i64> {
    prop_oneof![Just(1_764_000_000i64), DELETION_TIME_EPOCH..DELETION_TIME_EPOCH + (1 << 30)]
}

fn ttl() -> impl Strategy<Value = i32> {
    prop_oneof![Just(60), 1..630_720_000]
}

fn deletion() -> impl Strategy<Value = DeletionTime> {
    (timestamp(), local_time()).prop_map(|(marked_for_delete_at, local_deletion_time)| DeletionTime {
        marked_for_delete_at,
        local_deletion_time,
    })
}

fn liveness() -> impl Strategy<Value = Liveness> {
    (timestamp(), prop::option::of((ttl(), local_time()))).prop_map(|(timestamp, ttl)| Liveness { timestamp, ttl })
}

fn bytes_of(t: &ColumnType<'static>) -> BoxedStrategy<Vec<u8>> {
    match fixed(t) {
        // An empty value is valid for every type (HAS_EMPTY_VALUE).
        Some(n) => prop_oneof![6 => vec(any::<u8>(), n), 1 => Just(Vec::new())].boxed(),
        None => vec(any::<u8>(), 0..12).boxed(),
    }
}

/// A cell: live, a tombstone, or expiring (TTL and expiry).
fn cell_of(value: BoxedStrategy<Vec<u8>>, path: Option<BoxedStrategy<Vec<u8>>>) -> BoxedStrategy<MCell> {
    let path = match path {
        Some(p) => p.prop_map(Some).boxed(),
        None => Just(None).boxed(),
    };
    (timestamp(), 0..3u8, ttl(), local_time(), path, value)
        .prop_map(|(timestamp, kind, ttl, ldt, path, value)| match kind {
            0 => MCell { timestamp, deleted: false, ttl: None, local_deletion_time: None, path, value },
            1 => MCell { timestamp, deleted: true, ttl: None, local_deletion_time: Some(ldt), path, value: Vec::new() },
            _ => MCell { timestamp, deleted: false, ttl: Some(ttl), local_deletion_time: Some(ldt), path, value },
        })
        .boxed()
}

fn column_data(table: &CdcTable, column: usize) -> BoxedStrategy<MColumn> {
    let t = table.columns[column].cql_type.clone();
    if !multi_cell(&t) {
        return cell_of(bytes_of(&t), None)
            .prop_map(move |c| MColumn { column, complex_deletion: None, cells: vec![c] })
            .boxed();
    }
    let any_bytes = || vec(any::<u8>(), 0..10).boxed();
    let (path, value): (BoxedStrategy<Vec<u8>>, BoxedStrategy<Vec<u8>>) = match &t {
        ColumnType::Collection { typ: CollectionType::List(_), .. } => (vec(any::<u8>(), 16).boxed(), any_bytes()),
        ColumnType::Collection { typ: CollectionType::Set(_), .. } => (any_bytes(), Just(Vec::new()).boxed()),
        ColumnType::UserDefinedType { .. } => (vec(any::<u8>(), 2).boxed(), any_bytes()),
        _ => (any_bytes(), any_bytes()),
    };
    (prop::option::of(deletion()), vec(cell_of(value, Some(path)), 0..4))
        .prop_map(move |(complex_deletion, cells)| MColumn { column, complex_deletion, cells })
        .boxed()
}

/// A row of `table`'s static or regular columns; columns in header order.
fn row_of(table: &CdcTable, is_static: bool) -> BoxedStrategy<MRow> {
    let mut eligible: Vec<usize> =
        (0..table.columns.len()).filter(|&i| table.columns[i].is_static == is_static).collect();
    eligible.sort_by_key(|&i| (multi_cell(&table.columns[i].cql_type), i));
    let columns: Vec<BoxedStrategy<Option<MColumn>>> =
        eligible.iter().map(|&i| prop::option::weighted(0.6, column_data(table, i)).boxed()).collect();
    let clustering: Vec<BoxedStrategy<Option<Vec<u8>>>> = if is_static {
        Vec::new()
    } else {
        table.clustering.iter().map(|(_, t)| bytes_of(t).prop_map(Some).boxed()).collect()
    };
    (clustering, prop::option::of(liveness()), prop::option::of(deletion()), columns)
        .prop_map(|(clustering, liveness, deletion, columns)| MRow {
            clustering,
            liveness,
            deletion,
            columns: columns.into_iter().flatten().collect(),
        })
        .boxed()
}

fn marker_of(table: &CdcTable) -> BoxedStrategy<MUnfiltered> {
    use BoundKind::*;
    let values: Vec<BoxedStrategy<Option<Vec<u8>>>> =
        table.clustering.iter().map(|(_, t)| bytes_of(t).prop_map(Some).boxed()).collect();
    let n = table.clustering.len();
    let kinds = vec![
        ExclusiveEnd,
        InclusiveStart,
        ExclusiveEndInclusiveStart,
        InclusiveEndExclusiveStart,
        InclusiveEnd,
        ExclusiveStart,
    ];
    (prop::sample::select(kinds), values, 0..=n, deletion(), deletion())
        .prop_map(|(kind, mut prefix, len, a, b)| {
            prefix.truncate(len);
            let (closes, opens) = if kind.is_boundary() {
                (Some(a), Some(b))
            } else if kind.opens() {
                (None, Some(a))
            } else {
                (Some(a), None)
            };
            MUnfiltered::Marker { kind, prefix, closes, opens }
        })
        .boxed()
}

fn update_of(table: &CdcTable) -> BoxedStrategy<MUpdate> {
    let key: Vec<BoxedStrategy<Vec<u8>>> = table.partition_key.iter().map(|(_, t)| bytes_of(t)).collect();
    let has_statics = table.columns.iter().any(|c| c.is_static);
    let static_row = if has_statics { prop::option::of(row_of(table, true)).boxed() } else { Just(None).boxed() };
    let unfiltered = prop_oneof![3 => row_of(table, false).prop_map(MUnfiltered::Row), 1 => marker_of(table)];
    (key, prop::option::of(deletion()), static_row, vec(unfiltered, 0..4))
        .prop_map(|(key_values, partition_deletion, static_row, unfiltereds)| MUpdate {
            key_values,
            partition_deletion,
            static_row,
            unfiltereds,
        })
        .boxed()
}

fn table_and_updates() -> impl Strategy<Value = (CdcTable, Vec<MUpdate>)> {
    table().prop_flat_map(|table| {
        let updates = vec(update_of(&table), 1..3);
        (Just(table), updates)
    })
}

proptest! {
    // A few hundred random tables in well under a second of decoding: the
    // cost is generating them (make check runs this in about a second).
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn decoding_an_encoded_mutation_gives_it_back((table, updates) in table_and_updates()) {
        let body = encode(&table, &updates);
        let mut schema = CdcSchema::default();
        schema.add(table.clone());
        let entry = Entry { section: 20, position: 28, end: 28 + 12 + body.len() as u64, body: &body };
        let mutation = decode("roundtrip", &entry, &schema).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let Mutation::Decoded(decoded) = mutation else { return Err(TestCaseError::fail("skipped")) };
        let got: Vec<MUpdate> = decoded.iter().map(model).collect();
        prop_assert_eq!(&got, &updates);
        // Each update's bytes are exactly its encoding.
        for (update, model) in decoded.iter().zip(&updates) {
            let mut alone = Vec::new();
            encode_update(&table, model, &mut alone);
            prop_assert_eq!(update.bytes, &alone[..]);
        }
        // And one byte less is an error, never a panic or a shorter mutation.
        let short = Entry { body: &body[..body.len() - 1], ..entry };
        prop_assert!(decode("roundtrip", &short, &schema).is_err());
    }
}
