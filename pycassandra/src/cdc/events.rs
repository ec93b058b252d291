//! Change events: decoded partition updates of one table as Arrow rows, one
//! per changed row, static row, partition deletion or range bound
//! (`../shared/cdc/RESEARCH.md` §7.3, Scylla's operation codes). Values are
//! decoded by the CQL→Arrow sinks of [`crate::read`], the same converters a
//! scan uses, from the bytes the commit log holds; a non-frozen collection's
//! or UDT's cells are first assembled into the native protocol's form.
//!
//! Columns: the table's primary key, regular and static columns (null = not
//! written by this change); `_cdc_deleted_<c>` (a cell tombstone, or a
//! collection or UDT deleted or overwritten as a whole); for each non-frozen
//! collection or UDT, `_cdc_deleted_elements_<c>` (the paths of removed
//! elements as stored: list timeuuid, set element, map key, UDT field index);
//! then the metadata columns of [`METADATA`].

use std::sync::Arc;

use arrow_array::builder::{BinaryBuilder, BooleanBuilder, FixedSizeBinaryBuilder, ListBuilder};
use arrow_array::{ArrayRef, Int32Array, Int64Array, Int8Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use scylla::cluster::metadata::{CollectionType, ColumnType};

use crate::cdc::mutation::{BoundKind, Cell, ColumnData, PartitionUpdate, Row, Unfiltered};
use crate::cdc::table::{is_complex, CdcTable, ColumnRef};
use crate::read::arrow_type;
use crate::read::to_arrow::Sink;
use crate::{CdcError, DecodeFailure};

/// `_cdc_operation` values (Scylla's `cdc$operation`).
pub mod operation {
    /// `UPDATE`, or a static-row write.
    pub const UPDATE: i8 = 1;
    /// `INSERT` (the row has a primary-key liveness).
    pub const INSERT: i8 = 2;
    /// Row deletion.
    pub const ROW_DELETE: i8 = 3;
    /// Partition deletion.
    pub const PARTITION_DELETE: i8 = 4;
    /// Start of a range deletion, bound included.
    pub const RANGE_DELETE_START_INCLUSIVE: i8 = 5;
    /// Start of a range deletion, bound excluded.
    pub const RANGE_DELETE_START_EXCLUSIVE: i8 = 6;
    /// End of a range deletion, bound included.
    pub const RANGE_DELETE_END_INCLUSIVE: i8 = 7;
    /// End of a range deletion, bound excluded.
    pub const RANGE_DELETE_END_EXCLUSIVE: i8 = 8;
}

/// The metadata columns, after the table's.
pub const METADATA: [&str; 9] = [
    "_cdc_operation",
    "_cdc_time",
    "_cdc_ttl",
    "_cdc_expires_at",
    "_cdc_batch_seq_no",
    "_cdc_segment",
    "_cdc_position",
    "_cdc_change_id",
    "_cdc_node",
];

/// Where an update was read: the segment id and the entry's position (its
/// file offset; in an LZ4-compressed segment its logical, uncompressed one,
/// as Cassandra's `CommitLogPosition`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Segment id.
    pub segment: i64,
    /// File offset of the entry (its size field).
    pub position: u64,
}

/// Builds the event batches of one table.
pub struct EventBuilder {
    table: CdcTable,
    schema: SchemaRef,
    /// Key and clustering sinks, then one per live column.
    sinks: Vec<Sink>,
    deleted: Vec<BooleanBuilder>,
    /// For each live column: its index in `deleted_elements` if complex.
    complex_index: Vec<Option<usize>>,
    deleted_elements: Vec<ListBuilder<BinaryBuilder>>,
    operation: Vec<i8>,
    time: Vec<Option<i64>>,
    ttl: Vec<Option<i64>>,
    expires_at: Vec<Option<i64>>,
    seq: Vec<i32>,
    segment: Vec<i64>,
    position: Vec<i64>,
    change_id: FixedSizeBinaryBuilder,
    /// The host id of the node whose log is read, when known (cluster mode).
    node: Option<String>,
    /// Per event, reused: each live column's index in the event's columns.
    slots: Vec<Option<usize>>,
    /// Per column, reused: a collection's or UDT's cells in protocol form.
    assembled: Vec<u8>,
}

impl std::fmt::Debug for EventBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventBuilder").field("table", &self.table.table).field("events", &self.len()).finish()
    }
}

/// One event before its columns are appended.
struct Event<'a, 'r> {
    operation: i8,
    time: Option<i64>,
    ttl: Option<i64>,
    /// When the TTL'd data expires, in seconds since the epoch.
    expires_at: Option<i64>,
    clustering: &'r [Option<&'a [u8]>],
    columns: &'r [ColumnData<'a>],
}

#[doc(hidden)]
impl EventBuilder {
    /// A builder for `table`'s events; fails when a column's CQL type has no
    /// Arrow reader.
    pub fn new(table: &CdcTable) -> Result<Self, CdcError> {
        let unsupported = |name: &str, cql_type: &ColumnType<'_>| CdcError::Unsupported {
            file: format!("{}.{}", table.keyspace, table.table),
            position: 0,
            what: format!("column {name} of CQL type {}: no Arrow type", crate::cql_type::name(cql_type)),
        };
        let mut fields = Vec::new();
        let mut sinks = Vec::new();
        let keys = table.partition_key.iter().chain(&table.clustering);
        let live = table.columns.iter().map(|c| (&c.name, &c.cql_type));
        for (name, cql_type) in keys.map(|(n, t)| (n, t)).chain(live) {
            let data_type = arrow_type(cql_type).ok_or_else(|| unsupported(name, cql_type))?;
            sinks.push(Sink::new(cql_type, &data_type).ok_or_else(|| unsupported(name, cql_type))?);
            fields.push(Field::new(name.as_str(), data_type, true));
        }
        let mut complex_index = Vec::new();
        let mut deleted_elements = Vec::new();
        for column in &table.columns {
            fields.push(Field::new(format!("_cdc_deleted_{}", column.name), DataType::Boolean, false));
        }
        for column in &table.columns {
            if is_complex(&column.cql_type) {
                complex_index.push(Some(deleted_elements.len()));
                deleted_elements.push(ListBuilder::new(BinaryBuilder::new()));
                fields.push(Field::new(
                    format!("_cdc_deleted_elements_{}", column.name),
                    DataType::List(Arc::new(Field::new_list_field(DataType::Binary, true))),
                    true,
                ));
            } else {
                complex_index.push(None);
            }
        }
        fields.extend([
            Field::new(METADATA[0], DataType::Int8, false),
            Field::new(METADATA[1], DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
            Field::new(METADATA[2], DataType::Int64, true),
            Field::new(METADATA[3], DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), true),
            Field::new(METADATA[4], DataType::Int32, false),
            Field::new(METADATA[5], DataType::Int64, false),
            Field::new(METADATA[6], DataType::Int64, false),
            Field::new(METADATA[7], DataType::FixedSizeBinary(16), false),
            Field::new(METADATA[8], DataType::Utf8, true),
        ]);
        Ok(EventBuilder {
            table: table.clone(),
            schema: Arc::new(Schema::new(fields)),
            sinks,
            deleted: table.columns.iter().map(|_| BooleanBuilder::new()).collect(),
            complex_index,
            deleted_elements,
            operation: Vec::new(),
            time: Vec::new(),
            ttl: Vec::new(),
            expires_at: Vec::new(),
            seq: Vec::new(),
            segment: Vec::new(),
            position: Vec::new(),
            change_id: FixedSizeBinaryBuilder::new(16),
            node: None,
            slots: Vec::new(),
            assembled: Vec::new(),
        })
    }

    /// Names the node whose log the events come from (`_cdc_node`, null
    /// until set): a cluster stream reads every replica's log.
    pub fn set_node(&mut self, host_id: Option<String>) {
        self.node = host_id;
    }

    /// The node set by [`set_node`](Self::set_node).
    pub fn node(&self) -> Option<&str> {
        self.node.as_deref()
    }

    /// The event schema.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    /// Events appended since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.operation.len()
    }

    /// No events appended since the last [`finish`](Self::finish).
    pub fn is_empty(&self) -> bool {
        self.operation.is_empty()
    }

    /// Appends the events of `update` (of this builder's table).
    pub fn push(&mut self, update: &PartitionUpdate<'_>, from: Provenance) -> Result<(), CdcError> {
        let change_id = change_id(update.bytes);
        let key = &update.key_values;
        let mut seq = 0;
        let mut emit = |builder: &mut Self, event: Event<'_, '_>| -> Result<(), CdcError> {
            builder.append(key, event, change_id, seq, from)?;
            seq += 1;
            Ok(())
        };
        if let Some(deletion) = update.partition_deletion {
            let event = Event {
                operation: operation::PARTITION_DELETE,
                time: Some(deletion.marked_for_delete_at),
                ttl: None,
                expires_at: None,
                clustering: &[],
                columns: &[],
            };
            emit(self, event)?;
        }
        if let Some(row) = &update.static_row {
            for event in row_events(row).into_iter().flatten() {
                emit(self, event)?;
            }
        }
        for unfiltered in &update.unfiltereds {
            match unfiltered {
                Unfiltered::Row(row) => {
                    for event in row_events(row).into_iter().flatten() {
                        emit(self, event)?;
                    }
                }
                Unfiltered::Marker(marker) => {
                    use operation::*;
                    let (close, open) = match marker.kind {
                        BoundKind::ExclusiveEnd => (Some(RANGE_DELETE_END_EXCLUSIVE), None),
                        BoundKind::InclusiveEnd => (Some(RANGE_DELETE_END_INCLUSIVE), None),
                        BoundKind::InclusiveStart => (None, Some(RANGE_DELETE_START_INCLUSIVE)),
                        BoundKind::ExclusiveStart => (None, Some(RANGE_DELETE_START_EXCLUSIVE)),
                        BoundKind::ExclusiveEndInclusiveStart => {
                            (Some(RANGE_DELETE_END_EXCLUSIVE), Some(RANGE_DELETE_START_INCLUSIVE))
                        }
                        BoundKind::InclusiveEndExclusiveStart => {
                            (Some(RANGE_DELETE_END_INCLUSIVE), Some(RANGE_DELETE_START_EXCLUSIVE))
                        }
                    };
                    for (operation, deletion) in [(close, marker.closes), (open, marker.opens)] {
                        if let (Some(operation), Some(deletion)) = (operation, deletion) {
                            let time = Some(deletion.marked_for_delete_at);
                            let event = Event {
                                operation,
                                time,
                                ttl: None,
                                expires_at: None,
                                clustering: &marker.prefix,
                                columns: &[],
                            };
                            emit(self, event)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn append(
        &mut self,
        key: &[&[u8]],
        event: Event<'_, '_>,
        change_id: [u8; 16],
        seq: i32,
        from: Provenance,
    ) -> Result<(), CdcError> {
        let n_key = self.table.partition_key.len();
        let n_clustering = self.table.clustering.len();
        // The failure (kind and path) is written into `what`: CdcError::Invalid is the one
        // variant for segment bytes that cannot be right, and change_job.rs matches on it.
        let error = |name: &str, reason: DecodeFailure| CdcError::Invalid {
            file: format!("segment {}", from.segment),
            position: from.position,
            what: format!("column {name} of {}.{}: {reason}", self.table.keyspace, self.table.table),
        };
        for (i, value) in key.iter().enumerate() {
            self.sinks[i].push(Some(value)).map_err(|e| error(&self.table.partition_key[i].0, e))?;
        }
        for i in 0..n_clustering {
            let value = event.clustering.get(i).copied().flatten();
            let sink = &mut self.sinks[n_key + i];
            sink.push(value).map_err(|e| error(&self.table.clustering[i].0, e))?;
        }
        // Where each live column's data is in the event: no buffer per event.
        self.slots.clear();
        self.slots.resize(self.table.columns.len(), None);
        for (k, column) in event.columns.iter().enumerate() {
            if let ColumnRef::Live(i) = column.column {
                self.slots[i] = Some(k); // a dropped column's cells are no event column
            }
        }
        for i in 0..self.table.columns.len() {
            let data = self.slots[i].map(|k| &event.columns[k]);
            let mut deleted = false;
            let value = match (data, self.complex_index[i]) {
                (None, Some(index)) => {
                    self.deleted_elements[index].append_null();
                    None
                }
                (None, None) => None,
                (Some(column), Some(index)) => {
                    deleted = column.complex_deletion.is_some();
                    let removed = &mut self.deleted_elements[index];
                    let mut any_removed = false;
                    for path in column.cells.iter().filter(|c| c.deleted).filter_map(|c| c.path) {
                        removed.values().append_value(path);
                        any_removed = true;
                    }
                    if any_removed {
                        removed.append(true);
                    } else {
                        removed.append_null();
                    }
                    if column.cells.iter().any(|c| !c.deleted) {
                        self.assembled.clear();
                        assemble(&mut self.assembled, &self.table.columns[i].cql_type, &column.cells);
                        Some(self.assembled.as_slice())
                    } else {
                        None
                    }
                }
                (Some(column), None) => match column.cells.first() {
                    Some(cell) if cell.deleted => {
                        deleted = true;
                        None
                    }
                    Some(cell) => Some(cell.value),
                    None => None,
                },
            };
            let sink = &mut self.sinks[n_key + n_clustering + i];
            sink.push(value).map_err(|e| error(&self.table.columns[i].name, e))?;
            self.deleted[i].append_value(deleted);
        }
        self.operation.push(event.operation);
        self.time.push(event.time);
        self.ttl.push(event.ttl);
        self.expires_at.push(event.expires_at.map(|seconds| seconds.saturating_mul(1_000_000)));
        self.seq.push(seq);
        self.segment.push(from.segment);
        self.position.push(from.position as i64);
        self.change_id.append_value(change_id).expect("16 bytes");
        Ok(())
    }

    /// The events appended so far as one batch; the builder starts empty again.
    pub fn finish(&mut self) -> Result<RecordBatch, CdcError> {
        let arrow = |e: arrow_schema::ArrowError| CdcError::Invalid {
            file: format!("{}.{}", self.table.keyspace, self.table.table),
            position: 0,
            what: format!("building the event batch: {e}"),
        };
        let events = self.operation.len();
        // Every part is taken before any error is returned, so that the
        // builder starts empty again whatever happens (a reader retries).
        let sinks: Vec<Result<ArrayRef, arrow_schema::ArrowError>> = self.sinks.iter_mut().map(Sink::finish).collect();
        let mut rest: Vec<ArrayRef> = Vec::new();
        rest.extend(self.deleted.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        rest.extend(self.deleted_elements.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
        rest.push(Arc::new(Int8Array::from(std::mem::take(&mut self.operation))));
        rest.push(Arc::new(TimestampMicrosecondArray::from(std::mem::take(&mut self.time)).with_timezone("UTC")));
        rest.push(Arc::new(Int64Array::from(std::mem::take(&mut self.ttl))));
        let expires_at = std::mem::take(&mut self.expires_at);
        rest.push(Arc::new(TimestampMicrosecondArray::from(expires_at).with_timezone("UTC")));
        rest.push(Arc::new(Int32Array::from(std::mem::take(&mut self.seq))));
        rest.push(Arc::new(Int64Array::from(std::mem::take(&mut self.segment))));
        rest.push(Arc::new(Int64Array::from(std::mem::take(&mut self.position))));
        rest.push(Arc::new(self.change_id.finish()));
        rest.push(Arc::new(StringArray::from(vec![self.node.as_deref(); events])));
        let mut columns = sinks.into_iter().collect::<Result<Vec<ArrayRef>, _>>().map_err(arrow)?;
        columns.extend(rest);
        RecordBatch::try_new(self.schema.clone(), columns).map_err(arrow)
    }
}

/// A row's events: its deletion, then its writes (a row may carry both).
fn row_events<'a, 'r>(row: &'r Row<'a>) -> [Option<Event<'a, 'r>>; 2] {
    let deletion = row.deletion.map(|deletion| Event {
        operation: operation::ROW_DELETE,
        time: Some(deletion.marked_for_delete_at),
        ttl: None,
        expires_at: None,
        clustering: &row.clustering,
        columns: &[],
    });
    if row.liveness.is_none() && row.columns.is_empty() {
        return [deletion, None];
    }
    let cells = row.columns.iter().flat_map(|c| &c.cells);
    let deletions = row.columns.iter().filter_map(|c| c.complex_deletion).map(|d| d.marked_for_delete_at);
    let time = row.liveness.map(|l| l.timestamp).or_else(|| cells.clone().map(|c| c.timestamp).chain(deletions).max());
    // The row's TTL, else the longest of its expiring cells'.
    let expiring = || cells.clone().filter(|c| c.ttl.is_some() && !c.deleted);
    let (ttl, expires_at) = match row.liveness.and_then(|l| l.ttl) {
        Some((ttl, expires)) => (Some(i64::from(ttl)), Some(expires)),
        None => (
            expiring().filter_map(|c| c.ttl).max().map(i64::from),
            expiring().filter_map(|c| c.local_deletion_time).max(),
        ),
    };
    let operation = if row.liveness.is_some() { operation::INSERT } else { operation::UPDATE };
    [deletion, Some(Event { operation, time, ttl, expires_at, clustering: &row.clustering, columns: &row.columns })]
}

/// A non-frozen collection's or UDT's live cells (tombstones left out) in
/// the native protocol's form, appended to `out` for the Arrow sinks: list
/// and set `[int n] ([int len] bytes)*`, map with keys and values
/// alternating, a UDT its fields in order with `-1` (null) for fields this
/// change does not write.
fn assemble(out: &mut Vec<u8>, cql_type: &ColumnType<'_>, cells: &[Cell<'_>]) {
    let put = |out: &mut Vec<u8>, bytes: Option<&[u8]>| match bytes {
        Some(bytes) => {
            out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
            out.extend_from_slice(bytes);
        }
        None => out.extend_from_slice(&(-1i32).to_be_bytes()),
    };
    let live = || cells.iter().filter(|c| !c.deleted);
    match cql_type {
        ColumnType::UserDefinedType { definition, .. } => {
            for field in 0..definition.field_types.len() {
                let cell = live().find(|c| {
                    c.path.is_some_and(|p| p.len() == 2 && usize::from(u16::from_be_bytes([p[0], p[1]])) == field)
                });
                put(out, cell.map(|c| c.value));
            }
        }
        ColumnType::Collection { typ, .. } => {
            out.extend_from_slice(&(live().count() as i32).to_be_bytes());
            for cell in live() {
                match typ {
                    CollectionType::List(_) => put(out, Some(cell.value)),
                    CollectionType::Set(_) => put(out, cell.path),
                    CollectionType::Map(..) => {
                        put(out, cell.path);
                        put(out, Some(cell.value));
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// XXH3-128 over the update's bytes (its table id first): every replica
/// logs the coordinator's bytes, so the same on each (shown on the
/// three-node cluster, tests/python/test_change_agents.py).
fn change_id(bytes: &[u8]) -> [u8; 16] {
    twox_hash::XxHash3_128::oneshot(bytes).to_be_bytes()
}
