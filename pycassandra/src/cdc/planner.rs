//! Planning over a `cdc_raw` directory, without a schema: where a stream
//! starts, how far a micro-batch may go, the pieces it is read in, the bytes
//! of one piece (what a change agent serves to a reader that cannot see the
//! node's disk), what a commit frees, and how full the directory is.
//!
//! Offsets and the rules for which segment can be read are the
//! [`ChangeReader`](crate::cdc::ChangeReader)'s: a [`ChangeOffset`] is a
//! segment id and a section end in it; Cassandra syncs segments in id order,
//! so a segment without an idx holds no CDC data once a later one has one.

use std::path::{Path, PathBuf};

use crate::cdc::directory::{list_segments, readable, Readable, SegmentFile};
use crate::cdc::reader::ChangeOffset;
use crate::cdc::segment::Segment;
use crate::CdcError;

/// A node's `cdc_raw` directory, for planning.
///
/// ```no_run
/// use pycassandra::cdc::CdcDirectory;
/// let cdc_raw = CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
/// let (from, to) = (cdc_raw.earliest()?, cdc_raw.latest()?);
/// for (start, end) in cdc_raw.segments_between(from, to)? {
///     println!("a piece: {start:?} to {end:?}");
/// }
/// # Ok::<(), pycassandra::CdcError>(())
/// ```
#[derive(Clone, Debug)]
pub struct CdcDirectory {
    dir: PathBuf,
}

/// How full a `cdc_raw` directory is: what Cassandra compares with
/// `cdc_total_space` before it refuses CDC writes.
///
/// ```no_run
/// let usage = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref()).usage()?;
/// let cdc_total_space: u64 = 4096 << 20;
/// println!("cdc_raw {:.0}% full", 100.0 * usage.bytes as f64 / cdc_total_space as f64);
/// # Ok::<(), pycassandra::CdcError>(())
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Bytes of the segment files (logs only; idx files are a few bytes).
    pub bytes: u64,
    /// Segments with a log file.
    pub segments: usize,
}

/// The bytes a piece of one segment is decoded from, and where its walk
/// stops: what a change agent sends and
/// a reader decodes.
///
/// ```no_run
/// use pycassandra::cdc::CdcDirectory;
/// let cdc_raw = CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
/// let latest = cdc_raw.latest()?;
/// if let Some(piece) = cdc_raw.segment_bytes(latest.segment, latest)? {
///     assert!(piece.bytes.len() as u64 <= piece.limit || piece.limit == 0 || piece.limit == u64::MAX);
/// }
/// # Ok::<(), pycassandra::CdcError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentBytes {
    /// Segment id.
    pub id: i64,
    /// The log file's name (errors name it).
    pub name: String,
    /// The file from its start (the descriptor is needed): an uncompressed
    /// segment cut at `limit`, a compressed one whole. Empty when the piece
    /// holds nothing.
    pub bytes: Vec<u8>,
    /// The position the walk stops at (logical in a compressed segment);
    /// `u64::MAX` for a closed segment read to its end; 0 with empty bytes.
    pub limit: u64,
}

impl CdcDirectory {
    /// Plans over `dir`; reads nothing yet.
    ///
    /// ```
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// assert_eq!(cdc_raw.path(), std::path::Path::new("/var/lib/cassandra/cdc_raw"));
    /// ```
    pub fn new(dir: &Path) -> Self {
        CdcDirectory { dir: dir.to_owned() }
    }

    /// The directory.
    ///
    /// ```
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("cdc_raw".as_ref());
    /// println!("planning over {}", cdc_raw.path().display());
    /// ```
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The offset of the oldest segment there is (`starting_position = earliest`).
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// println!("the oldest change kept starts at {:?}", cdc_raw.earliest()?);
    /// # Ok::<(), pycassandra::CdcError>(())
    /// ```
    pub fn earliest(&self) -> Result<ChangeOffset, CdcError> {
        let segments = list_segments(&self.dir)?;
        Ok(ChangeOffset { segment: segments.first().map_or(0, |s| s.id), position: 0 })
    }

    /// The offset just past what is durable now (`starting_position = latest`).
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// println!("durable up to {:?}", cdc_raw.latest()?);
    /// # Ok::<(), pycassandra::CdcError>(())
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

    /// What the directory holds now.
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// let usage = cdc_raw.usage()?;
    /// println!("{} segments, {} bytes", usage.segments, usage.bytes);
    /// # Ok::<(), pycassandra::CdcError>(())
    /// ```
    pub fn usage(&self) -> Result<Usage, CdcError> {
        let mut usage = Usage::default();
        for (_, bytes) in self.segment_sizes()? {
            usage.bytes += bytes;
            usage.segments += 1;
        }
        Ok(usage)
    }

    /// Each segment with a log file and the log's size, in id order (a file
    /// deleted since the listing is left out).
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// for (id, bytes) in cdc_raw.segment_sizes()? {
    ///     println!("segment {id}: {bytes} bytes");
    /// }
    /// # Ok::<(), pycassandra::CdcError>(())
    /// ```
    pub fn segment_sizes(&self) -> Result<Vec<(i64, u64)>, CdcError> {
        let mut sizes = Vec::new();
        for file in list_segments(&self.dir)? {
            let Some(log) = &file.log else { continue };
            match std::fs::metadata(log) {
                Ok(metadata) => sizes.push((file.id, metadata.len())),
                Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => return Err(CdcError::Io { file: log.display().to_string(), source }),
            }
        }
        Ok(sizes)
    }

    /// The furthest section end at most `max_bytes` of segment bytes past
    /// `from`, but always at least one section past it when one is durable
    /// (so a stream never stalls on a section larger than the budget); `from`
    /// when nothing new is durable.
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// let from = cdc_raw.earliest()?;
    /// let to = cdc_raw.latest_within(from, 16 << 20)?; // about 16 MiB of commit log at most
    /// # Ok::<(), pycassandra::CdcError>(())
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
    /// [`ChangeReader::read_between`](crate::cdc::ChangeReader::read_between)
    /// (or served by [`segment_bytes`](Self::segment_bytes)) give exactly its
    /// events. A piece before `to`'s segment ends at `u64::MAX`: that segment
    /// is closed, so its end is fixed.
    ///
    /// ```no_run
    /// let cdc_raw = pycassandra::cdc::CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// let pieces = cdc_raw.segments_between(cdc_raw.earliest()?, cdc_raw.latest()?)?;
    /// println!("{} pieces, one task each", pieces.len());
    /// # Ok::<(), pycassandra::CdcError>(())
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

    /// The bytes of segment `id` a piece ending at `to` decodes (a piece
    /// [`segments_between`](Self::segments_between) gave), with the walk's
    /// limit; `None` when the segment is gone: deleted after it was planned,
    /// which loses data unless it held none of the piece (the caller decides).
    ///
    /// ```no_run
    /// use pycassandra::cdc::CdcDirectory;
    /// let cdc_raw = CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// for (start, end) in cdc_raw.segments_between(cdc_raw.earliest()?, cdc_raw.latest()?)? {
    ///     if let Some(piece) = cdc_raw.segment_bytes(start.segment, end)? {
    ///         println!("{}: {} bytes, walk to {}", piece.name, piece.bytes.len(), piece.limit);
    ///     }
    /// }
    /// # Ok::<(), pycassandra::CdcError>(())
    /// ```
    pub fn segment_bytes(&self, id: i64, to: ChangeOffset) -> Result<Option<SegmentBytes>, CdcError> {
        let Some(file) = list_segments(&self.dir)?.into_iter().find(|file| file.id == id) else {
            return Ok(None);
        };
        let Some(log) = &file.log else { return Ok(None) };
        let name = log.file_name().map_or_else(|| log.display().to_string(), |n| n.to_string_lossy().into_owned());
        let Some(limit) = bounded_limit(&file, readable(&file)?, to) else {
            return Ok(Some(SegmentBytes { id, name, bytes: Vec::new(), limit: 0 }));
        };
        let mut bytes = match std::fs::read(log) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(CdcError::Io { file: log.display().to_string(), source }),
        };
        // Positions count file bytes only in an uncompressed segment.
        if !Segment::parse(&name, &bytes)?.descriptor().compressed {
            bytes.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        }
        Ok(Some(SegmentBytes { id, name, bytes, limit }))
    }

    /// Deletes the `cdc_raw` files (log and idx) of every segment before
    /// `before`'s that Cassandra has closed (`COMPLETED`, or the last link
    /// to its bytes): what a stream that committed `before` has consumed.
    /// Frees `cdc_total_space`; the deleted segments' ids.
    ///
    /// ```no_run
    /// use pycassandra::cdc::{CdcDirectory, ChangeOffset};
    /// let cdc_raw = CdcDirectory::new("/var/lib/cassandra/cdc_raw".as_ref());
    /// let committed = ChangeOffset { segment: 1_796_152_552_674, position: 4096 };
    /// println!("freed segments {:?}", cdc_raw.delete_consumed(committed)?);
    /// # Ok::<(), pycassandra::CdcError>(())
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

/// Where the walk of `file` stops for a read bounded by `to` (planned when
/// `to` was durable, so it needs no idx, which may be caught mid-rewrite
/// now); `None` when the segment holds nothing to read.
pub(crate) fn bounded_limit(file: &SegmentFile, now: Readable, to: ChangeOffset) -> Option<u64> {
    match now {
        Readable::Open { offset } | Readable::Closed { offset } if to.segment == file.id => {
            Some(to.position.min(offset))
        }
        Readable::Nothing if to.segment == file.id => Some(to.position),
        Readable::Open { offset } | Readable::Closed { offset } => Some(offset),
        // Before `to`'s segment, a segment with an idx is closed (Cassandra
        // syncs segments in id order): read to its end.
        Readable::Nothing if file.idx.is_some() => Some(u64::MAX),
        Readable::Nothing => None,
    }
}

/// Where a walk of segment `id` starts for a read from `from`: `from`'s
/// position in its own segment, else the segment's first section.
pub(crate) fn resume_position(segment: &Segment<'_>, id: i64, from: ChangeOffset) -> u64 {
    if id == from.segment && from.position > 0 {
        from.position
    } else {
        segment.descriptor().header_len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: &[u8] = include_bytes!("../../../tests/golden/cdc/CommitLog-7-1796152552674.log");
    const ID: i64 = 1796152552674;

    fn golden_dir(name: &str, idx: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pycassandra-cdc-planner-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("CommitLog-7-{ID}.log")), GOLDEN).unwrap();
        std::fs::write(dir.join(format!("CommitLog-7-{ID}_cdc.idx")), idx).unwrap();
        dir
    }

    fn entries(bytes: &[u8], limit: u64) -> Vec<u64> {
        let segment = Segment::parse("golden", bytes).unwrap();
        let start = segment.descriptor().header_len;
        segment.entries_from(start, Some(limit)).map(|entry| entry.unwrap().position).collect()
    }

    #[test]
    fn a_piece_served_as_bytes_walks_the_same_entries_as_the_file() {
        let dir = golden_dir("bytes", b"58454");
        let cdc_raw = CdcDirectory::new(&dir);
        let latest = cdc_raw.latest().unwrap();
        assert_eq!(latest, ChangeOffset { segment: ID, position: 58454 });
        let piece = cdc_raw.segment_bytes(ID, latest).unwrap().expect("the segment is there");
        assert_eq!((piece.limit, piece.bytes.len()), (58454, 58454), "an uncompressed segment is cut at its limit");
        let served = entries(&piece.bytes, piece.limit);
        assert_eq!(served.len(), 44);
        assert_eq!(served, entries(GOLDEN, 58454));
        assert_eq!(cdc_raw.segment_bytes(ID + 1, latest).unwrap(), None, "a segment that is not there");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_piece_ends_where_it_was_planned_however_far_the_idx_moved() {
        let dir = golden_dir("planned", b"58454");
        let cdc_raw = CdcDirectory::new(&dir);
        let ends: Vec<u64> = {
            let segment = Segment::parse("golden", GOLDEN).unwrap();
            let mut walk = segment.entries_from(segment.descriptor().header_len, Some(58454));
            let mut ends = Vec::new();
            while walk.next().is_some() {
                ends.push(walk.position());
            }
            ends
        };
        let planned = ChangeOffset { segment: ID, position: ends[ends.len() / 2] };
        let piece = cdc_raw.segment_bytes(ID, planned).unwrap().unwrap();
        assert_eq!(piece.limit, planned.position);
        let walked = entries(&piece.bytes, piece.limit);
        assert_eq!(walked, entries(GOLDEN, planned.position));
        assert!(walked.len() < 44);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn usage_counts_the_segment_files() {
        let dir = golden_dir("usage", b"58454");
        std::fs::write(dir.join("CommitLog-7-1796152552675.log"), vec![0u8; 1000]).unwrap();
        let usage = CdcDirectory::new(&dir).usage().unwrap();
        assert_eq!(usage, Usage { bytes: GOLDEN.len() as u64 + 1000, segments: 2 });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
