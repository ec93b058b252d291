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

use std::path::Path;

use arrow_array::RecordBatch;
use uuid::Uuid;

use crate::cdc::directory::{list_segments, readable, Readable};
use crate::cdc::events::{EventBuilder, Provenance};
use crate::cdc::mutation::{decode, decode_skipping_unknown, Mutation};
use crate::cdc::planner::{bounded_limit, resume_position, CdcDirectory, SegmentBytes};
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
    directory: CdcDirectory,
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
        Ok(ChangeReader { directory: CdcDirectory::new(dir), schema, table_id, builder, skip_unknown: false })
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
        let (skip_unknown, node) = (self.skip_unknown, self.builder.node().map(str::to_owned));
        *self = ChangeReader::new(self.directory.path(), schema, self.table_id)?;
        self.skip_unknown = skip_unknown;
        self.builder.set_node(node);
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
        self.directory.earliest()
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
        self.directory.latest()
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
        let segments = list_segments(self.directory.path())?;
        for (index, file) in segments.iter().enumerate() {
            let file = file.clone();
            if file.id < from.segment {
                continue;
            }
            if to.is_some_and(|to| file.id > to.segment) {
                break;
            }
            let now = readable(&file)?;
            let offset = match (now, to) {
                (_, Some(to)) => match bounded_limit(&file, now, to) {
                    Some(limit) => limit,
                    None => continue,
                },
                (Readable::Open { offset } | Readable::Closed { offset }, None) => offset,
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
            let walked = self.walk_segment(file.id, &name, &bytes, from, offset)?;
            entries += walked.entries;
            unknown += walked.unknown;
            next = walked.next;
        }
        Ok((next, entries, unknown))
    }

    /// Appends the events of segment `id` (its file `name`, its `bytes`) from
    /// `from` (its own position there, else the first section) up to `limit`.
    fn walk_segment(
        &mut self,
        id: i64,
        name: &str,
        bytes: &[u8],
        from: ChangeOffset,
        limit: u64,
    ) -> Result<Walked, CdcError> {
        let segment = Segment::parse(name, bytes)?;
        let start = resume_position(&segment, id, from);
        let mut walk = segment.entries_from(start, Some(limit));
        let (mut entries, mut unknown) = (0, 0);
        for entry in walk.by_ref() {
            let entry = entry?;
            entries += 1;
            let mutation = if self.skip_unknown {
                let (mutation, unknown_tables) = decode_skipping_unknown(name, &entry, &self.schema)?;
                unknown += unknown_tables.len();
                mutation
            } else {
                decode(name, &entry, &self.schema)?
            };
            let Mutation::Decoded(updates) = mutation else { continue };
            for update in updates.iter().filter(|u| u.table_id == self.table_id) {
                self.builder.push(update, Provenance { segment: id, position: entry.position })?;
            }
        }
        Ok(Walked { next: ChangeOffset { segment: id, position: walk.position() }, entries, unknown })
    }
}

/// What a walk of one segment appended.
struct Walked {
    next: ChangeOffset,
    entries: usize,
    unknown: usize,
}

/// Reading pieces a change agent served (cluster mode): the bytes come over
/// the network, not from this process's `cdc_raw`.
impl ChangeReader {
    /// The table's events in `[from, to)` of the segment `piece` holds, as
    /// [`CdcDirectory::segment_bytes`] served it (the bytes, the file name
    /// and the walk's limit). Like [`read_between`](Self::read_between), the
    /// same events whenever it is called.
    ///
    /// ```no_run
    /// # fn demo(mut reader: pycassandra::cdc::ChangeReader, served: pycassandra::cdc::CdcDirectory) -> Result<(), pycassandra::CdcError> {
    /// let (from, to) = (served.earliest()?, served.latest()?);
    /// for (start, end) in served.segments_between(from, to)? {
    ///     if let Some(piece) = served.segment_bytes(start.segment, end)? {
    ///         let batch = reader.read_piece(&piece, start, end)?;
    ///         println!("{} events", batch.events.num_rows());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn read_piece(
        &mut self,
        piece: &SegmentBytes,
        from: ChangeOffset,
        to: ChangeOffset,
    ) -> Result<ChangeBatch, CdcError> {
        let read = if piece.bytes.is_empty() || to <= from {
            Ok(Walked { next: from, entries: 0, unknown: 0 })
        } else {
            let limit = if to.segment == piece.id { piece.limit.min(to.position) } else { piece.limit };
            self.walk_segment(piece.id, &piece.name, &piece.bytes, from, limit)
        };
        let events = self.builder.finish();
        let walked = read?;
        Ok(ChangeBatch { events: events?, next: walked.next, entries: walked.entries, unknown: walked.unknown })
    }

    /// Names the node whose log the events come from: its host id in
    /// `_cdc_node` (null until set; a cluster stream reads every replica's log).
    ///
    /// ```no_run
    /// # fn demo(mut reader: pycassandra::cdc::ChangeReader) {
    /// reader.set_node(Some("1c0b5c9e-6a0e-4b7f-9d59-3f1f0f4e2a11".into()));
    /// # }
    /// ```
    pub fn set_node(&mut self, host_id: Option<String>) {
        self.builder.set_node(host_id);
    }
}

/// Planning a stream's micro-batches over the directory: the reader's
/// [`CdcDirectory`], which plans without a schema (a change agent does too).
impl ChangeReader {
    /// The directory's planner.
    ///
    /// ```no_run
    /// # fn demo(schema: pycassandra::cdc::CdcSchema, orders: uuid::Uuid) -> Result<(), pycassandra::CdcError> {
    /// # use pycassandra::cdc::ChangeReader;
    /// let reader = ChangeReader::new("/var/lib/cassandra/cdc_raw".as_ref(), schema, orders)?;
    /// println!("{} bytes in cdc_raw", reader.directory().usage()?.bytes);
    /// # Ok(()) }
    /// ```
    pub fn directory(&self) -> &CdcDirectory {
        &self.directory
    }

    /// [`CdcDirectory::latest_within`].
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
        self.directory.latest_within(from, max_bytes)
    }

    /// [`CdcDirectory::segments_between`].
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
        self.directory.segments_between(from, to)
    }

    /// [`CdcDirectory::delete_consumed`].
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
        self.directory.delete_consumed(before)
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
