//! A change reader over a `cdc_raw` directory: one table's events as Arrow
//! record batches, from an offset to what is durable now, and the offset to
//! resume from.
//!
//! An offset is a segment id and the position of the next sync marker to
//! read in it (in an LZ4-compressed segment a logical, uncompressed
//! position, as Cassandra and the `_cdc.idx` count): every position a walk
//! stops at is a section end, so reading
//! `[a, c)` gives exactly the events of `[a, b)` then `[b, c)` for the `b`
//! the first read returned. Entries of other keyspaces are skipped (their
//! tables' ids are in the schema); an entry whose table id the schema does
//! not know fails closed — a table created after the schema was read — and
//! the caller reloads the schema ([`CdcSchema::load`]) and reads again from
//! the same offset. A reload keeps the tables the reader knew and the new
//! schema lacks (dropped since), so their updates still decode and are passed
//! over. An id no schema the reader loaded had is a table dropped before it
//! loaded one; [`ChangeReader::skip_unknown_tables`] then passes over such an
//! update, not its whole entry (a logged batch across that table and ours is
//! one mutation): updates carry no lengths, so the rest resumes where the id
//! of a known table starts a rest that decodes
//! ([`decode_skipping_unknown`]); with no known id after it, the rest holds
//! none of ours; a known id after it that no try decodes fails the read.
//! Passed-over updates are counted in [`ChangeBatch::unknown`].

use std::path::{Path, PathBuf};

use arrow_array::RecordBatch;
use uuid::Uuid;

use crate::cdc::directory::{list_segments, readable, Readable, SegmentFile};
use crate::cdc::events::{EventBuilder, Provenance};
use crate::cdc::mutation::{decode, decode_skipping_unknown, Mutation};
use crate::cdc::segment::Segment;
use crate::cdc::table::CdcSchema;
use crate::CdcError;

/// Where a read starts: a segment id and the position of a sync marker
/// in it (the segment's header length, or a position a read returned).
/// Offsets order as the log does, so a consumer can store the last one it
/// committed and compare.
///
/// ```
/// use pycassandra::cdc::ChangeOffset;
/// let committed = ChangeOffset { segment: 1_796_152_552_674, position: 4096 };
/// let later_in_the_segment = ChangeOffset { position: 8192, ..committed };
/// let next_segment = ChangeOffset { segment: committed.segment + 1, position: 0 };
/// assert!(committed < later_in_the_segment && later_in_the_segment < next_segment);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChangeOffset {
    /// Segment id.
    pub segment: i64,
    /// Position of the next sync marker to read (a file offset; in an
    /// LZ4-compressed segment a logical one, as its `_cdc.idx` counts); 0
    /// means the segment's first.
    pub position: u64,
}

/// One read's events and where the next read starts.
///
/// ```no_run
/// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
/// # use pycassandra::cdc::ChangeReader;
/// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
/// let batch = reader.read(reader.earliest()?)?;
/// println!("{} events in {} entries; resume at {:?}", batch.events.num_rows(), batch.entries, batch.next);
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct ChangeBatch {
    /// The table's events, in commit-log order.
    pub events: RecordBatch,
    /// The offset to resume from.
    pub next: ChangeOffset,
    /// Entries walked (all tables).
    pub entries: usize,
    /// Partition updates passed over because their table id is unknown (only
    /// with [`ChangeReader::skip_unknown_tables`]); at least that many: the
    /// unknown updates at the end of a mutation, after one, count as one.
    pub unknown: usize,
}

/// Reads one table's changes from a `cdc_raw` directory.
///
/// ```no_run
/// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::Error> {
/// use pycassandra::cdc::{cdc_enabled, CdcSchema, ChangeReader};
/// assert!(cdc_enabled(session, "shop", "orders").await?, "shop.orders is WITH cdc = true");
/// let schema = CdcSchema::load(session, &["shop"]).await?;
/// let table_id = schema.table_id("shop", "orders").expect("shop.orders is in the schema");
/// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, table_id)?;
/// let batch = reader.read(reader.earliest()?)?;
/// println!("{} events of shop.orders", batch.events.num_rows());
/// // Store batch.next with what the events produced: the next read resumes there.
/// let _more = reader.read(batch.next)?;
/// # Ok(()) }
/// ```
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
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// for field in reader.schema().fields() {
    ///     println!("{}: {}", field.name(), field.data_type()); // the change columns, then the table's
    /// }
    /// # Ok(()) }
    /// ```
    pub fn schema(&self) -> arrow_schema::SchemaRef {
        self.builder.schema()
    }

    /// Replaces the schema (after a table was created), keeping the offset
    /// the caller holds valid, and the tables of the old schema that the new
    /// one lacks (dropped since: their updates are still in the log).
    ///
    /// ```no_run
    /// # async fn demo(session: &scylla::client::session::Session, mut reader: pycassandra::cdc::ChangeReader) -> Result<(), pycassandra::Error> {
    /// // A table was created or altered since the reader's schema was read.
    /// reader.set_schema(pycassandra::cdc::CdcSchema::load(session, &["shop"]).await?)?;
    /// # Ok(()) }
    /// ```
    pub fn set_schema(&mut self, mut schema: CdcSchema) -> Result<(), CdcError> {
        schema.keep_dropped_tables(&self.schema);
        let skip_unknown = self.skip_unknown;
        *self = ChangeReader::new(&self.dir, schema, self.table_id)?;
        self.skip_unknown = skip_unknown;
        Ok(())
    }

    /// Passes over (and counts) the partition updates of tables the schema
    /// does not know, instead of failing: for a schema just reloaded, whose
    /// unknown ids are tables dropped before it was first read. The updates
    /// after one are found as the module docs say. Off by default.
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// reader.skip_unknown_tables(true);
    /// let batch = reader.read(reader.earliest()?)?;
    /// println!("passed over at least {} updates of unknown tables", batch.unknown);
    /// # Ok(()) }
    /// ```
    pub fn skip_unknown_tables(&mut self, skip: bool) {
        self.skip_unknown = skip;
    }

    /// The offset of the oldest segment there is (`starting_position = earliest`).
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let everything_kept = reader.read(reader.earliest()?)?;
    /// # Ok(()) }
    /// ```
    pub fn earliest(&self) -> Result<ChangeOffset, CdcError> {
        let segments = list_segments(&self.dir)?;
        Ok(ChangeOffset { segment: segments.first().map_or(0, |s| s.id), position: 0 })
    }

    /// The offset just past what is durable now (`starting_position = latest`).
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// // Only what is written from now on.
    /// let from_now = reader.latest()?;
    /// let later = reader.read(from_now)?;
    /// # Ok(()) }
    /// ```
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
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let mut offset = reader.earliest()?;
    /// loop {
    ///     let batch = reader.read(offset)?;
    ///     println!("{} events", batch.events.num_rows());
    ///     offset = batch.next; // commit it with what the events produced
    ///     std::thread::sleep(std::time::Duration::from_secs(1));
    /// }
    /// # }
    /// ```
    pub fn read(&mut self, from: ChangeOffset) -> Result<ChangeBatch, CdcError> {
        self.read_up_to(from, None)
    }

    /// The table's events in `[from, to)` and nothing past `to`, however much
    /// is durable now: the same events whenever it is called, which a Spark
    /// micro-batch replayed after a restart needs. `to` is an offset
    /// [`latest`](Self::latest), [`latest_within`](Self::latest_within) or
    /// [`segments_between`](Self::segments_between) gave (a section end).
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let (from, to) = (reader.earliest()?, reader.latest()?);
    /// let once = reader.read_between(from, to)?;
    /// let again = reader.read_between(from, to)?; // the same events, however much was written since
    /// assert_eq!(once.events.num_rows(), again.events.num_rows());
    /// # Ok(()) }
    /// ```
    pub fn read_between(&mut self, from: ChangeOffset, to: ChangeOffset) -> Result<ChangeBatch, CdcError> {
        self.read_up_to(from, Some(to))
    }

    fn read_up_to(&mut self, from: ChangeOffset, to: Option<ChangeOffset>) -> Result<ChangeBatch, CdcError> {
        let read = self.read_into_builder(from, to);
        let events = self.builder.finish();
        let (next, entries, unknown) = read?;
        Ok(ChangeBatch { events: events?, next, entries, unknown })
    }

    /// Appends the events from `from` on; returns the next offset and the
    /// entries walked and skipped as unknown.
    fn read_into_builder(
        &mut self,
        from: ChangeOffset,
        to: Option<ChangeOffset>,
    ) -> Result<(ChangeOffset, usize, usize), CdcError> {
        let mut next = from;
        let (mut entries, mut unknown) = (0, 0);
        let segments = list_segments(&self.dir)?;
        for (index, file) in segments.iter().enumerate() {
            let file = file.clone();
            if file.id < from.segment {
                continue;
            }
            if to.is_some_and(|to| file.id > to.segment) {
                break;
            }
            let offset = match (readable(&file)?, to) {
                // A bounded read was planned when `to` was durable: it needs
                // no idx, which may be caught mid-rewrite now.
                (Readable::Open { offset } | Readable::Closed { offset }, Some(to)) if to.segment == file.id => {
                    to.position.min(offset)
                }
                (Readable::Nothing, Some(to)) if to.segment == file.id => to.position,
                (Readable::Open { offset } | Readable::Closed { offset }, _) => offset,
                // Before `to`'s segment, a segment with an idx is closed (Cassandra
                // syncs segments in id order): read to its end.
                (Readable::Nothing, Some(_)) if file.idx.is_some() => u64::MAX,
                (Readable::Nothing, Some(_)) => continue,
                // Unbounded: a segment without an idx holds no CDC data only if a
                // later one has an idx (Cassandra syncs segments in id order);
                // otherwise (an idx caught mid-rewrite, or the newest segment)
                // stop here, so that `next` does not pass data read later.
                (Readable::Nothing, None)
                    if file.idx.is_none() && segments[index + 1..].iter().any(|later| later.idx.is_some()) =>
                {
                    continue
                }
                (Readable::Nothing, None) => break,
            };
            let Some(log) = &file.log else { continue };
            let name = log.display().to_string();
            let bytes = match std::fs::read(log) {
                Ok(bytes) => bytes,
                // A segment that held CDC data, deleted before it was read.
                Err(source) if file.idx.is_some() => return Err(CdcError::Io { file: name, source }),
                // Deleted by its consumer or by Cassandra since the listing.
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
                Err(source) => return Err(CdcError::Io { file: name, source }),
            };
            let segment = Segment::parse(&name, &bytes)?;
            let start = resume_position(&segment, file.id, from);
            let mut walk = segment.entries_from(start, Some(offset));
            for entry in walk.by_ref() {
                let entry = entry?;
                entries += 1;
                let mutation = if self.skip_unknown {
                    let (mutation, unknown_tables) = decode_skipping_unknown(&name, &entry, &self.schema)?;
                    unknown += unknown_tables.len();
                    mutation
                } else {
                    decode(&name, &entry, &self.schema)?
                };
                let Mutation::Decoded(updates) = mutation else { continue };
                for update in updates.iter().filter(|u| u.table_id == self.table_id) {
                    self.builder.push(update, Provenance { segment: file.id, position: entry.position })?;
                }
            }
            next = ChangeOffset { segment: file.id, position: walk.position() };
        }
        Ok((next, entries, unknown))
    }
}

/// Planning a stream's micro-batches over the directory: how far the next one
/// may go, the pieces it is read in, and what a commit frees.
impl ChangeReader {
    /// The furthest section end at most `max_bytes` of segment bytes past
    /// `from`, but always at least one section past it when one is durable
    /// (so a stream never stalls on a section larger than the budget); `from`
    /// when nothing new is durable.
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let from = reader.earliest()?;
    /// let to = reader.latest_within(from, 16 << 20)?; // about 16 MiB of commit log at most
    /// let batch = reader.read_between(from, to)?;
    /// # Ok(()) }
    /// ```
    pub fn latest_within(&self, from: ChangeOffset, max_bytes: u64) -> Result<ChangeOffset, CdcError> {
        let mut best = from;
        let mut spent = 0u64;
        for (file, offset) in self.readable_from(from)? {
            let Some(log) = &file.log else { break };
            let name = log.display().to_string();
            let bytes = std::fs::read(log).map_err(|source| CdcError::Io { file: name.clone(), source })?;
            let segment = Segment::parse(&name, &bytes)?;
            let start = resume_position(&segment, file.id, from);
            let mut walk = segment.entries_from(start, Some(offset));
            // Every position the walk reaches is a section end, a valid resume point.
            let mut ends = Vec::new();
            while let Some(entry) = walk.next() {
                entry?;
                ends.push(walk.position());
            }
            ends.push(walk.position());
            for end in ends.into_iter().filter(|end| *end > start) {
                let candidate = ChangeOffset { segment: file.id, position: end };
                if candidate <= best {
                    continue;
                }
                let cost = spent + (end - start);
                if cost > max_bytes && best > from {
                    return Ok(best);
                }
                best = candidate;
            }
            spent += offset.saturating_sub(start);
            if spent >= max_bytes && best > from {
                return Ok(best);
            }
        }
        Ok(best)
    }

    /// `[from, to)` cut at segment boundaries: the pieces read with
    /// [`read_between`](Self::read_between) give exactly its events for
    /// `(from, to)`. A piece before `to`'s segment ends at `u64::MAX`: that
    /// segment is closed, so its end is fixed.
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let (from, to) = (reader.earliest()?, reader.latest()?);
    /// for (start, end) in reader.segments_between(from, to)? {
    ///     let piece = reader.read_between(start, end)?; // e.g. one task per segment
    /// }
    /// # Ok(()) }
    /// ```
    pub fn segments_between(
        &self,
        from: ChangeOffset,
        to: ChangeOffset,
    ) -> Result<Vec<(ChangeOffset, ChangeOffset)>, CdcError> {
        let mut pieces = Vec::new();
        for file in list_segments(&self.dir)? {
            if file.id < from.segment || file.log.is_none() {
                continue;
            }
            if file.id > to.segment {
                break;
            }
            let start = if file.id == from.segment { from } else { ChangeOffset { segment: file.id, position: 0 } };
            // A segment before `to`'s is closed, so "to its end" is a fixed place.
            let end = if file.id == to.segment { to } else { ChangeOffset { segment: file.id, position: u64::MAX } };
            if end > start {
                pieces.push((start, end));
            }
        }
        Ok(pieces)
    }

    /// Deletes the `cdc_raw` files (log and idx) of every segment before
    /// `before`'s that Cassandra has closed (`COMPLETED`, or the last link
    /// to its bytes): what a stream that committed `before` has consumed.
    /// Frees `cdc_total_space`; the deleted segments' ids.
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let mut reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// let batch = reader.read(reader.earliest()?)?;
    /// // ... once batch.events are stored and batch.next committed:
    /// let deleted = reader.delete_consumed(batch.next)?;
    /// println!("freed segments {deleted:?}");
    /// # Ok(()) }
    /// ```
    pub fn delete_consumed(&self, before: ChangeOffset) -> Result<Vec<i64>, CdcError> {
        let mut deleted = Vec::new();
        for file in list_segments(&self.dir)? {
            if file.id >= before.segment {
                break;
            }
            if !matches!(readable(&file)?, Readable::Closed { .. }) {
                continue;
            }
            for path in [&file.log, &file.idx].into_iter().flatten() {
                match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(source) => return Err(CdcError::Io { file: path.display().to_string(), source }),
                }
            }
            deleted.push(file.id);
        }
        Ok(deleted)
    }

    /// The segments from `from`'s on that can be read now, each with its
    /// durable end, in id order, stopping at the first that cannot be read
    /// yet: a segment with an idx caught mid-rewrite stops the walk (its
    /// data would otherwise be skipped); one without an idx holds no CDC
    /// data only if a later segment has one (Cassandra syncs segments in id
    /// order), so it is skipped then and stops the walk otherwise. A segment
    /// gone after the stream read part of it is data lost (Cassandra deletes
    /// unread segments when `cdc_block_writes` is false).
    fn readable_from(&self, from: ChangeOffset) -> Result<Vec<(SegmentFile, u64)>, CdcError> {
        let segments: Vec<SegmentFile> =
            list_segments(&self.dir)?.into_iter().filter(|file| file.id >= from.segment).collect();
        let resumes_inside = from.position > 0;
        if resumes_inside && segments.first().is_none_or(|first| first.id != from.segment || first.log.is_none()) {
            if segments.iter().any(|file| file.id > from.segment) {
                return Err(CdcError::Invalid {
                    file: self.dir.display().to_string(),
                    position: from.position,
                    what: format!(
                        "segment {} was deleted before it was read past byte {}: its later changes are lost \
                         (with cdc_block_writes: false Cassandra deletes unread segments when cdc_raw is full)",
                        from.segment, from.position
                    ),
                });
            }
            return Ok(Vec::new());
        }
        let mut readable_now = Vec::new();
        for (index, file) in segments.iter().enumerate() {
            match readable(file)? {
                Readable::Open { offset } | Readable::Closed { offset } => readable_now.push((file.clone(), offset)),
                Readable::Nothing
                    if file.idx.is_none() && segments[index + 1..].iter().any(|later| later.idx.is_some()) => {}
                Readable::Nothing => break,
            }
        }
        Ok(readable_now)
    }
}

/// Where a walk of segment `id` starts for a read from `from`: `from`'s
/// position in its own segment, else the segment's first section.
fn resume_position(segment: &Segment<'_>, id: i64, from: ChangeOffset) -> u64 {
    if id == from.segment && from.position > 0 {
        from.position
    } else {
        segment.descriptor().header_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cdc::golden_tests::{golden_entries, golden_schema};

    const GOLDEN: &[u8] = include_bytes!("../../../tests/golden/cdc/CommitLog-7-1796152552674.log");

    #[test]
    fn a_read_stops_at_a_segment_whose_idx_is_caught_mid_rewrite() {
        // Segment 673's idx is empty (Cassandra truncates it before each
        // rewrite); 674 after it is readable. Reading past 673 would lose
        // whatever 673 holds beyond the offset: the read must stop there.
        let dir = std::env::temp_dir().join(format!("pycassandra-cdc-reader-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("CommitLog-7-1796152552673.log"), b"").unwrap();
        std::fs::write(dir.join("CommitLog-7-1796152552673_cdc.idx"), b"").unwrap();
        std::fs::write(dir.join("CommitLog-7-1796152552674.log"), GOLDEN).unwrap();
        std::fs::write(dir.join("CommitLog-7-1796152552674_cdc.idx"), b"58454").unwrap();
        let (_, ids) = golden_entries();
        let schema = golden_schema(&ids);
        let kv = ids.iter().find(|(n, _)| n == "kv").unwrap().1;
        let mut reader = ChangeReader::new(&dir, schema, kv).unwrap();
        reader.skip_unknown_tables(true); // the golden segment's tables are not the golden schema's
        let from = reader.earliest().unwrap();
        assert_eq!(from, ChangeOffset { segment: 1796152552673, position: 0 });
        let batch = reader.read(from).unwrap();
        assert_eq!((batch.next, batch.entries), (from, 0), "the read went past the segment being rewritten");
        // Once 673 has no idx at all and 674 does, 673 held no CDC data: 674 is read.
        std::fs::remove_file(dir.join("CommitLog-7-1796152552673_cdc.idx")).unwrap();
        let batch = reader.read(from).unwrap();
        assert_eq!(batch.next, ChangeOffset { segment: 1796152552674, position: 58454 });
        assert_eq!((batch.entries, batch.unknown), (44, 44));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
