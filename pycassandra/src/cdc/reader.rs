//! A change reader over a `cdc_raw` directory: one table's events as Arrow
//! record batches, from an offset to what is durable now, and the offset to
//! resume from.
//!
//! An offset is a segment id and the file offset of the next sync marker to
//! read in it: every position a walk stops at is a section end, so reading
//! `[a, c)` gives exactly the events of `[a, b)` then `[b, c)` for the `b`
//! the first read returned. Entries of other keyspaces are skipped (their
//! tables' ids are in the schema); an entry whose table id the schema does
//! not know fails closed — a table created after the schema was read — and
//! the caller reloads the schema ([`CdcSchema::load`]) and reads again from
//! the same offset. An id still unknown after a reload is a table dropped
//! since; [`ChangeReader::skip_unknown_tables`] then skips such entries
//! (a mutation's updates are all of one keyspace, so if the first table is
//! unknown to a schema that has every table of the keyspaces read, the
//! mutation is not theirs) and counts them in [`ChangeBatch::unknown`].

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use uuid::Uuid;

use crate::cdc::directory::{list_segments, readable, Readable};
use crate::cdc::envelope::MutationEnvelope;
use crate::cdc::events::{EventBuilder, Provenance};
use crate::cdc::mutation::{decode, Mutation};
use crate::cdc::segment::Segment;
use crate::cdc::table::CdcSchema;
use crate::CdcError;

/// Where a read starts: a segment id and the file offset of a sync marker
/// in it (the segment's header length, or a position a read returned).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeOffset {
    /// Segment id.
    pub segment: i64,
    /// File offset of the next sync marker to read; 0 means the segment's
    /// first.
    pub position: u64,
}

/// One read's events and where the next read starts.
#[derive(Debug)]
pub struct ChangeBatch {
    /// The table's events, in commit-log order.
    pub events: RecordBatch,
    /// The offset to resume from.
    pub next: ChangeOffset,
    /// Entries walked (all tables).
    pub entries: usize,
    /// Entries skipped because their first table id is unknown (only with
    /// [`ChangeReader::skip_unknown_tables`]).
    pub unknown: usize,
}

/// Reads one table's changes from a `cdc_raw` directory.
#[derive(Debug)]
pub struct ChangeReader {
    dir: PathBuf,
    schema: CdcSchema,
    table_id: Uuid,
    builder: EventBuilder,
    skip_unknown: bool,
}

impl ChangeReader {
    /// A reader of table `table_id`, which `schema` must decode.
    pub fn new(dir: &Path, schema: CdcSchema, table_id: Uuid) -> Result<Self, CdcError> {
        let table = schema.tables.get(&table_id).ok_or_else(|| CdcError::Invalid {
            file: dir.display().to_string(),
            position: 0,
            what: format!("table id {table_id} is not among the schema's decodable tables"),
        })?;
        let builder = EventBuilder::new(table)?;
        Ok(ChangeReader { dir: dir.to_owned(), schema, table_id, builder, skip_unknown: false })
    }

    /// The event schema.
    pub fn schema(&self) -> arrow_schema::SchemaRef {
        self.builder.schema()
    }

    /// Replaces the schema (after a table was created), keeping the offset
    /// the caller holds valid.
    pub fn set_schema(&mut self, schema: CdcSchema) -> Result<(), CdcError> {
        let skip_unknown = self.skip_unknown;
        *self = ChangeReader::new(&self.dir, schema, self.table_id)?;
        self.skip_unknown = skip_unknown;
        Ok(())
    }

    /// Skips (and counts) entries whose first table id the schema does not
    /// know, instead of failing: for a schema just reloaded, whose unknown
    /// ids are tables dropped since. Off by default.
    pub fn skip_unknown_tables(&mut self, skip: bool) {
        self.skip_unknown = skip;
    }

    /// The offset of the oldest segment there is (`starting_position = earliest`).
    pub fn earliest(&self) -> Result<ChangeOffset, CdcError> {
        let segments = list_segments(&self.dir)?;
        Ok(ChangeOffset { segment: segments.first().map_or(0, |s| s.id), position: 0 })
    }

    /// The offset just past what is durable now (`starting_position = latest`).
    pub fn latest(&self) -> Result<ChangeOffset, CdcError> {
        let mut latest = ChangeOffset { segment: 0, position: 0 };
        for file in list_segments(&self.dir)? {
            match readable(&file)? {
                Readable::Open { offset } | Readable::Closed { offset } => {
                    latest = ChangeOffset { segment: file.id, position: offset };
                }
                Readable::Nothing => {}
            }
        }
        Ok(latest)
    }

    /// The table's events from `from` to what is durable now. After an
    /// error nothing of the failed read is kept: reading again from `from`
    /// gives each event once.
    pub fn read(&mut self, from: ChangeOffset) -> Result<ChangeBatch, CdcError> {
        let read = self.read_into_builder(from);
        let events = self.builder.finish();
        let (next, entries, unknown) = read?;
        Ok(ChangeBatch { events: events?, next, entries, unknown })
    }

    /// Appends the events from `from` on; returns the next offset and the
    /// entries walked and skipped as unknown.
    fn read_into_builder(&mut self, from: ChangeOffset) -> Result<(ChangeOffset, usize, usize), CdcError> {
        let mut next = from;
        let (mut entries, mut unknown) = (0, 0);
        for file in list_segments(&self.dir)? {
            if file.id < from.segment {
                continue;
            }
            let offset = match readable(&file)? {
                Readable::Open { offset } | Readable::Closed { offset } => offset,
                Readable::Nothing => continue,
            };
            let Some(log) = &file.log else { continue };
            let name = log.display().to_string();
            let bytes = match std::fs::read(log) {
                Ok(bytes) => bytes,
                // Deleted by its consumer or by Cassandra since the listing.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(CdcError::Io { file: name, source }),
            };
            let segment = Segment::parse(&name, &bytes)?;
            let start = if file.id == from.segment && from.position > 0 {
                from.position
            } else {
                segment.descriptor().header_len
            };
            let mut walk = segment.entries_from(start, Some(offset));
            for entry in walk.by_ref() {
                let entry = entry?;
                entries += 1;
                if self.skip_unknown {
                    let first = MutationEnvelope::parse(&name, &entry)?.table_id;
                    if !self.schema.tables.contains_key(&first) && !self.schema.others.contains_key(&first) {
                        unknown += 1;
                        continue;
                    }
                }
                let Mutation::Decoded(updates) = decode(&name, &entry, &self.schema)? else { continue };
                for update in updates.iter().filter(|u| u.table_id == self.table_id) {
                    self.builder.push(update, Provenance { segment: file.id, position: entry.position })?;
                }
            }
            next = ChangeOffset { segment: file.id, position: walk.position() };
        }
        Ok((next, entries, unknown))
    }
}
