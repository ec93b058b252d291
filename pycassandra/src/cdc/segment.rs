//! One commit-log segment: the descriptor header, then a chain of sync
//! sections, each a sync marker followed by entries (one serialized mutation
//! each). Layout as verified on Cassandra 5.0.8 (docs/cdc-format.md):
//!
//! ```text
//! header   := int32 version, int64 id, uint16 paramsLen, params[paramsLen] (JSON), int32 crc
//!             crc = CRC32(int version, int id_low, int id_high, int paramsLen, params)
//! section  := int32 nextMarker (file offset of the next marker), int32 crc, entry*
//!             crc = CRC32(int id_low, int id_high, int markerPosition)
//! entry    := int32 size, int32 crcA = CRC32(int size), body[size], int32 crcB = CRC32(int size, body)
//! ```
//!
//! All integers are big-endian. A marker of eight zero bytes ends the
//! segment. Uncompressed segments (descriptor parameters `{}`) are walked as
//! they are; LZ4-compressed ones are decompressed first (`compressed`) and
//! walked in Cassandra's logical positions, which their entries, resume
//! positions and `_cdc.idx` offsets count in. Anything else (another
//! compressor, encryption, other parameters) fails closed.

use std::borrow::Cow;

use crate::cdc::compressed::{self, Broken, Compressor, Decompressed, Tail};
use crate::cdc::crc::Crc32;
use crate::CdcError;

/// Descriptor version of Cassandra 4.0, 4.1, and 5.0 in `CASSANDRA_4` storage
/// compatibility mode (messaging version 12).
pub const VERSION_40: i32 = 7;
/// Descriptor version of Cassandra 5.0 in storage compatibility mode `NONE`
/// (messaging version 13).
pub const VERSION_50: i32 = 8;

/// Size of a sync marker: next-marker offset and CRC.
pub const SYNC_MARKER_SIZE: u64 = 8;
/// Bytes an entry adds around its body: size, size CRC, body CRC.
pub const ENTRY_OVERHEAD: u64 = 12;
/// Cassandra's smallest valid entry size (`CommitLogReader`: below this the
/// size is invalid).
pub const MIN_ENTRY_SIZE: i32 = 10;

/// A segment's descriptor header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Descriptor {
    /// Descriptor version: [`VERSION_40`] or [`VERSION_50`].
    pub version: i32,
    /// Segment id (also in the file name; ids only grow).
    pub id: i64,
    /// The parameters JSON as stored (`{}` for an uncompressed segment).
    pub params: String,
    /// Length of the header in bytes: where the first sync marker is.
    pub header_len: u64,
    /// Whether the sections are compressed (LZ4): positions in the segment
    /// are then logical (uncompressed) ones, as Cassandra counts them.
    pub compressed: bool,
}

#[doc(hidden)]
impl Descriptor {
    /// The messaging version the mutations are serialized at.
    pub fn messaging_version(&self) -> u32 {
        if self.version == VERSION_50 {
            13
        } else {
            12
        }
    }
}

/// One entry: a serialized mutation, its CRCs checked. Positions are file
/// offsets in an uncompressed segment, logical (uncompressed) positions in a
/// compressed one: Cassandra's `CommitLogPosition`s either way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Position of the sync marker of the section holding the entry.
    pub section: u64,
    /// Position of the entry (its size field).
    pub position: u64,
    /// Position just past the entry (past its body CRC): Cassandra's
    /// `entryLocation`, the position a replay or consumer resumes after.
    pub end: u64,
    /// The serialized mutation.
    pub body: &'a [u8],
}

/// Why a walk of a segment stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// The walk reached the limit it was given (the durable `_cdc.idx` offset).
    Limit,
    /// A sync marker of zero bytes, or an entry of size 0: the end of what was
    /// written.
    EndMarker,
    /// Fewer than eight bytes left for a sync marker.
    EndOfFile,
}

/// A segment's bytes with a parsed, checked descriptor header.
#[derive(Clone, Debug)]
pub struct Segment<'a> {
    file: String,
    /// The file's bytes, or for a compressed segment its logical layout.
    bytes: Cow<'a, [u8]>,
    descriptor: Descriptor,
    /// A compressed segment's sections and what follows them.
    compressed: Option<(Vec<compressed::Section>, Tail)>,
}

fn be_i32(bytes: &[u8], at: usize) -> i32 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&bytes[at..at + 4]);
    i32::from_be_bytes(b)
}

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    be_i32(bytes, at) as u32
}

fn be_i64(bytes: &[u8], at: usize) -> i64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&bytes[at..at + 8]);
    i64::from_be_bytes(b)
}

/// `(version, id)` from a file name `CommitLog-<version>-<id>.log`, or `None`
/// if the name has another form.
pub fn parse_log_name(name: &str) -> Option<(i32, i64)> {
    let rest = name.strip_prefix("CommitLog-")?.strip_suffix(".log")?;
    let (version, id) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(version) || !digits(id) {
        return None;
    }
    Some((version.parse().ok()?, id.parse().ok()?))
}

#[doc(hidden)]
impl<'a> Segment<'a> {
    /// Parses and checks the descriptor header of a segment. `file` names the
    /// segment in errors; if its last path component is a commit-log file name
    /// (`CommitLog-<version>-<id>.log`), its version and id must equal the
    /// header's.
    pub fn parse(file: &str, bytes: &'a [u8]) -> Result<Self, CdcError> {
        let truncated = |what, needed: usize| CdcError::Truncated {
            file: file.to_owned(),
            position: 0,
            what,
            needed: needed as u64,
            available: bytes.len() as u64,
        };
        if bytes.len() < 14 {
            return Err(truncated("descriptor header (version, id, parameters length)", 14));
        }
        let version = be_i32(bytes, 0);
        if version != VERSION_40 && version != VERSION_50 {
            return Err(CdcError::UnknownVersion { file: file.to_owned(), position: 0, version });
        }
        let id = be_i64(bytes, 4);
        let params_len = usize::from(u16::from_be_bytes([bytes[12], bytes[13]]));
        let header_len = 14 + params_len + 4;
        if bytes.len() < header_len {
            return Err(truncated("descriptor header (parameters and CRC)", header_len));
        }
        let params = &bytes[14..14 + params_len];
        let stored = be_u32(bytes, 14 + params_len);
        let computed = Crc32::new()
            .update_int(version)
            .update_int(id as i32)
            .update_int((id >> 32) as i32)
            .update_int(params_len as i32)
            .update(params)
            .value();
        if stored != computed {
            return Err(CdcError::BadCrc {
                file: file.to_owned(),
                position: 0,
                what: "descriptor header",
                stored,
                computed,
            });
        }
        let params = match std::str::from_utf8(params) {
            Ok(text) => text.to_owned(),
            Err(_) => {
                return Err(CdcError::Invalid {
                    file: file.to_owned(),
                    position: 14,
                    what: "descriptor parameters are not UTF-8".into(),
                });
            }
        };
        let unsupported = |what| CdcError::Unsupported { file: file.to_owned(), position: 14, what };
        let compressor = if params.trim() == "{}" {
            None
        } else if params.contains("encCipher") {
            return Err(unsupported(format!("encrypted segment (parameters {params})")));
        } else {
            match compressed::compressor(&params) {
                Ok(Some(compressor)) => Some(compressor),
                Ok(None) => return Err(unsupported(format!("descriptor parameters {params}"))),
                Err(what) => return Err(unsupported(what)),
            }
        };
        let name = file.rsplit(['/', '\\']).next().unwrap_or(file);
        if let Some((name_version, name_id)) = parse_log_name(name) {
            if (name_version, name_id) != (version, id) {
                return Err(CdcError::Invalid {
                    file: file.to_owned(),
                    position: 0,
                    what: format!(
                        "the header says version {version}, id {id}; the file name says version {name_version}, id {name_id}"
                    ),
                });
            }
        }
        let header_len = header_len as u64;
        let descriptor = Descriptor { version, id, params, header_len, compressed: compressor.is_some() };
        let (bytes, compressed) = match compressor {
            None => (Cow::Borrowed(bytes), None),
            Some(compressor @ Compressor::Lz4) => {
                let Decompressed { image, sections, tail } = compressed::decompress(bytes, header_len, id, compressor);
                (Cow::Owned(image), Some((sections, tail)))
            }
        };
        Ok(Segment { file: file.to_owned(), bytes, descriptor, compressed })
    }

    /// The file offset where the section ending at `position` (a position a
    /// walk stopped at, or an idx offset) ends: `position` itself in an
    /// uncompressed segment; `None` if a compressed one has no section
    /// boundary there. A copy of the file cut there holds exactly the
    /// sections before it.
    pub fn file_offset(&self, position: u64) -> Option<u64> {
        let Some((sections, _)) = &self.compressed else { return Some(position) };
        if position == self.descriptor.header_len {
            return Some(position);
        }
        sections.iter().find(|s| s.end == position).map(|s| s.file_end)
    }

    /// Length of the segment in its positions: the file's, or a compressed
    /// segment's logical length up to its last readable section.
    pub fn len(&self) -> u64 {
        self.bytes.len() as u64
    }

    /// Whether the segment has no bytes (never: it has a header).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The descriptor header.
    pub fn descriptor(&self) -> &Descriptor {
        &self.descriptor
    }

    /// The name used in errors.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The entries from the first sync section on, up to `limit` (a file
    /// offset, normally the `_cdc.idx` durable offset; `None`: to the end of
    /// what was written). Sections must start on or after the header and a
    /// section must not cross `limit`: the idx offset is always a section end.
    pub fn entries(&self, limit: Option<u64>) -> Entries<'a, '_> {
        self.entries_from(self.descriptor.header_len, limit)
    }

    /// As [`entries`](Self::entries), from the sync marker at `section` (a
    /// position a previous walk reported as [`Entries::position`]).
    pub fn entries_from(&self, section: u64, limit: Option<u64>) -> Entries<'a, '_> {
        Entries { segment: self, marker: section, cursor: None, stopped: None, failed: false, limit }
    }
}

/// The entries of a segment, in file order; see [`Segment::entries`].
/// After the last entry (`None`), [`stopped`](Entries::stopped) says why.
#[derive(Debug)]
pub struct Entries<'a, 's> {
    segment: &'s Segment<'a>,
    /// The marker of the current section (or of the next one to read).
    marker: u64,
    /// Inside a section: (next entry offset, section end).
    cursor: Option<(u64, u64)>,
    stopped: Option<StopReason>,
    failed: bool,
    limit: Option<u64>,
}

#[doc(hidden)]
impl<'a, 's> Entries<'a, 's> {
    /// Why the walk stopped, once it has (`None` while entries remain or after
    /// an error).
    pub fn stopped(&self) -> Option<StopReason> {
        self.stopped
    }

    /// The file offset of the next sync marker to read: after a walk that
    /// stopped, the position a later walk of the same segment resumes from
    /// ([`Segment::entries_from`]).
    pub fn position(&self) -> u64 {
        self.marker
    }

    fn error_invalid(&self, position: u64, what: String) -> CdcError {
        CdcError::Invalid { file: self.segment.file.clone(), position, what }
    }

    fn truncated(&self, position: u64, what: &'static str, needed: u64, available: u64) -> CdcError {
        CdcError::Truncated { file: self.segment.file.clone(), position, what, needed, available }
    }

    /// Reads the sync marker at `self.marker`: `Ok(Some(end))` for a section,
    /// `Ok(None)` when the segment ends there.
    fn read_marker(&mut self) -> Result<Option<u64>, CdcError> {
        if let Some((sections, tail)) = &self.segment.compressed {
            return self.compressed_section(sections, tail);
        }
        let bytes: &[u8] = &self.segment.bytes;
        let len = bytes.len() as u64;
        let at = self.marker;
        if at < self.segment.descriptor.header_len || at > len {
            return Err(self.error_invalid(at, format!("sync marker position outside the file ({len} bytes)")));
        }
        if let Some(limit) = self.limit {
            if at >= limit {
                self.stopped = Some(StopReason::Limit);
                return Ok(None);
            }
        }
        if len - at < SYNC_MARKER_SIZE {
            if self.limit.is_some() {
                // The idx promised bytes the file does not have.
                return Err(self.truncated(at, "sync marker below the idx offset", SYNC_MARKER_SIZE, len - at));
            }
            self.stopped = Some(StopReason::EndOfFile);
            return Ok(None);
        }
        let p = at as usize;
        let next = be_i32(bytes, p);
        let stored = be_u32(bytes, p + 4);
        let id = self.segment.descriptor.id;
        let computed = Crc32::new().update_int(id as i32).update_int((id >> 32) as i32).update_int(at as i32).value();
        if stored != computed {
            if next == 0 && stored == 0 {
                self.stopped = Some(StopReason::EndMarker);
                return Ok(None);
            }
            return Err(CdcError::BadCrc {
                file: self.segment.file.clone(),
                position: at,
                what: "sync marker",
                stored,
                computed,
            });
        }
        let next = i64::from(next);
        if next < (at + SYNC_MARKER_SIZE) as i64 || next > len as i64 {
            return Err(self.error_invalid(
                at,
                format!("sync marker (valid CRC) points to {next}, outside {}..={len}", at + SYNC_MARKER_SIZE),
            ));
        }
        let next = next as u64;
        if let Some(limit) = self.limit {
            if next > limit {
                return Err(self.error_invalid(
                    at,
                    format!("the section {at}..{next} crosses the idx offset {limit} (an idx offset is a section end)"),
                ));
            }
        }
        Ok(Some(next))
    }

    /// [`read_marker`](Self::read_marker) of a compressed segment: its
    /// sections were checked when it was decompressed; what followed the last
    /// one counts only where a walk gets to it.
    fn compressed_section(&mut self, sections: &[compressed::Section], tail: &Tail) -> Result<Option<u64>, CdcError> {
        let at = self.marker;
        if self.limit.is_some_and(|limit| at >= limit) {
            self.stopped = Some(StopReason::Limit);
            return Ok(None);
        }
        let last_end = sections.last().map_or(self.segment.descriptor.header_len, |s| s.end);
        if at == last_end {
            let stopped = match tail {
                Tail::EndMarker => StopReason::EndMarker,
                Tail::EndOfFile if self.limit.is_none() => StopReason::EndOfFile,
                Tail::EndOfFile => {
                    // The idx promised sections the file does not have.
                    return Err(self.truncated(
                        at,
                        "compressed sync section below the idx offset",
                        SYNC_MARKER_SIZE,
                        0,
                    ));
                }
                Tail::Broken(Broken::MarkerCrc { at: file_at, stored, computed }) => {
                    return Err(CdcError::BadCrc {
                        file: self.segment.file.clone(),
                        position: *file_at,
                        what: "compressed sync marker (at a file offset)",
                        stored: *stored,
                        computed: *computed,
                    });
                }
                Tail::Broken(Broken::Invalid { at: file_at, what }) => {
                    return Err(self.error_invalid(*file_at, what.clone()));
                }
            };
            self.stopped = Some(stopped);
            return Ok(None);
        }
        let Ok(index) = sections.binary_search_by_key(&at, |s| s.marker) else {
            return Err(self.error_invalid(
                at,
                format!("position {at} is not where a sync section of this compressed segment starts"),
            ));
        };
        let end = sections[index].end;
        if let Some(limit) = self.limit {
            if end > limit {
                return Err(self.error_invalid(
                    at,
                    format!("the section {at}..{end} crosses the idx offset {limit} (an idx offset is a section end)"),
                ));
            }
        }
        Ok(Some(end))
    }

    fn next_entry(&mut self) -> Result<Option<Entry<'s>>, CdcError> {
        let segment: &'s Segment<'_> = self.segment;
        let bytes: &'s [u8] = &segment.bytes;
        loop {
            let (at, end) = match self.cursor {
                Some(cursor) => cursor,
                None => match self.read_marker()? {
                    Some(end) => {
                        let start = self.marker + SYNC_MARKER_SIZE;
                        self.cursor = Some((start, end));
                        (start, end)
                    }
                    None => return Ok(None),
                },
            };
            let left = end - at;
            // Cassandra's reader: fewer than 4 bytes left ends the section.
            if left < 4 {
                self.cursor = None;
                self.marker = end;
                continue;
            }
            let p = at as usize;
            let size = be_i32(bytes, p);
            if size == 0 {
                // LEGACY_END_OF_SEGMENT_MARKER: nothing after it was written.
                self.cursor = None;
                self.stopped = Some(StopReason::EndMarker);
                return Ok(None);
            }
            if left < 8 {
                return Err(self.truncated(at, "entry size and size CRC", 8, left));
            }
            let stored = be_u32(bytes, p + 4);
            let size_crc = Crc32::new().update_int(size);
            if stored != size_crc.value() {
                return Err(CdcError::BadCrc {
                    file: self.segment.file.clone(),
                    position: at,
                    what: "entry size",
                    stored,
                    computed: size_crc.value(),
                });
            }
            if size < MIN_ENTRY_SIZE {
                return Err(self
                    .error_invalid(at, format!("entry size {size} (a mutation has at least {MIN_ENTRY_SIZE} bytes)")));
            }
            let needed = size as u64 + ENTRY_OVERHEAD;
            if left < needed {
                return Err(self.truncated(
                    at,
                    "entry (size, size CRC, body, body CRC) within its sync section",
                    needed,
                    left,
                ));
            }
            let body = &bytes[p + 8..p + 8 + size as usize];
            let stored = be_u32(bytes, p + 8 + size as usize);
            let computed = size_crc.update(body).value();
            if stored != computed {
                return Err(CdcError::BadCrc {
                    file: self.segment.file.clone(),
                    position: at,
                    what: "entry body",
                    stored,
                    computed,
                });
            }
            let entry_end = at + needed;
            let section = self.marker;
            if entry_end == end {
                self.cursor = None;
                self.marker = end;
            } else {
                self.cursor = Some((entry_end, end));
            }
            return Ok(Some(Entry { section, position: at, end: entry_end, body }));
        }
    }
}

impl<'s> Iterator for Entries<'_, 's> {
    type Item = Result<Entry<'s>, CdcError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed || self.stopped.is_some() {
            return None;
        }
        match self.next_entry() {
            Ok(entry) => entry.map(Ok),
            Err(error) => {
                self.failed = true;
                Some(Err(error))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    /// The first 28 bytes of CommitLog-7-1796152552674.log written by the
    /// cdc node (docs/cdc-format.md): the header and the first sync marker.
    const REAL_HEAD: &str = "00000007000001a23308ece200027b7dbe0d9d510000018140de4c62";
    /// The entry at 58382 of that segment: `INSERT INTO cdc_probe.t (pk, ck,
    /// v, n) VALUES (1, 'a', 'hello', 42)`, size 60 and both CRCs.
    const REAL_ENTRY: &str = "0000003c0e2ba39b01a7fc8ed0edbb11f18ecf4fc5e88df1ef040000000110fd414cae03e2a70000\
                              02016e017601240001610008000000000000002a080568656c6c6f01d6bc6f51";
    const REAL_ID: i64 = 1796152552674;

    fn header(version: i32, id: i64, params: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend(version.to_be_bytes());
        out.extend(id.to_be_bytes());
        out.extend((params.len() as u16).to_be_bytes());
        out.extend(params);
        let crc = Crc32::new()
            .update_int(version)
            .update_int(id as i32)
            .update_int((id >> 32) as i32)
            .update_int(params.len() as i32)
            .update(params)
            .value();
        out.extend(crc.to_be_bytes());
        out
    }

    fn marker(id: i64, at: usize, next: usize) -> Vec<u8> {
        let crc = Crc32::new().update_int(id as i32).update_int((id >> 32) as i32).update_int(at as i32).value();
        let mut out = (next as i32).to_be_bytes().to_vec();
        out.extend(crc.to_be_bytes());
        out
    }

    fn entry(body: &[u8]) -> Vec<u8> {
        let size = body.len() as i32;
        let a = Crc32::new().update_int(size);
        let mut out = size.to_be_bytes().to_vec();
        out.extend(a.value().to_be_bytes());
        out.extend(body);
        out.extend(a.update(body).value().to_be_bytes());
        out
    }

    /// A segment of `sections` (each a list of entry bodies), then a zero
    /// marker and zero padding, as an mmap segment looks.
    fn segment(id: i64, sections: &[&[&[u8]]]) -> Vec<u8> {
        let mut out = header(VERSION_40, id, b"{}");
        for bodies in sections {
            let entries: Vec<u8> = bodies.iter().flat_map(|b| entry(b)).collect();
            let at = out.len();
            out.extend(marker(id, at, at + 8 + entries.len()));
            out.extend(entries);
        }
        out.extend([0u8; 64]);
        out
    }

    /// (section, position, body length) of each entry, and why the walk stopped.
    type Walk = (Vec<(u64, u64, usize)>, Option<StopReason>);

    fn walk(bytes: &[u8], limit: Option<u64>) -> Result<Walk, CdcError> {
        let segment = Segment::parse("seg", bytes)?;
        let mut entries = segment.entries(limit);
        let mut seen = Vec::new();
        for entry in entries.by_ref() {
            let entry = entry?;
            seen.push((entry.section, entry.position, entry.body.len()));
        }
        Ok((seen, entries.stopped()))
    }

    #[test]
    fn the_nodes_header_and_marker_crcs_check() {
        let head = hex(REAL_HEAD);
        let segment = Segment::parse("CommitLog-7-1796152552674.log", &head).unwrap();
        assert_eq!(
            segment.descriptor(),
            &Descriptor { version: 7, id: REAL_ID, params: "{}".into(), header_len: 20, compressed: false }
        );
        assert_eq!(segment.descriptor().messaging_version(), 12);
        assert_eq!(&head[20..28], &marker(REAL_ID, 20, 385)[..]);
    }

    #[test]
    fn the_header_and_marker_of_a_version_8_node_check() {
        // CommitLog-8-1796154201711.log of a node with storage_compatibility_mode: NONE.
        let head = hex("00000008000001a23322166f00027b7d716b0df200000184b4996079");
        let segment = Segment::parse("CommitLog-8-1796154201711.log", &head).unwrap();
        assert_eq!((segment.descriptor().version, segment.descriptor().messaging_version()), (8, 13));
        assert_eq!(&head[20..28], &marker(1796154201711, 20, 388)[..]);
    }

    #[test]
    fn the_nodes_entry_crcs_check() {
        let real = hex(REAL_ENTRY);
        let mut bytes = hex(REAL_HEAD)[..20].to_vec();
        bytes.extend(marker(REAL_ID, 20, 28 + real.len()));
        bytes.extend(&real);
        bytes.extend([0u8; 8]);
        let (seen, stopped) = walk(&bytes, None).unwrap();
        assert_eq!(seen, [(20, 28, 60)]);
        assert_eq!(stopped, Some(StopReason::EndMarker));
        // The idx offset is the section end: the walk stops there.
        let (seen, stopped) = walk(&bytes, Some(28 + real.len() as u64)).unwrap();
        assert_eq!((seen.len(), stopped), (1, Some(StopReason::Limit)));
    }

    #[test]
    fn walks_sections_and_entries_in_order() {
        let bytes = segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl", b"mnopqrstuvwxyz"], &[]]);
        let (seen, stopped) = walk(&bytes, None).unwrap();
        // 20 header; section 1 at 20: entry 28..52; section 2 at 52: 60..84, 84..110; empty section at 110.
        assert_eq!(seen, [(20, 28, 12), (52, 60, 12), (52, 84, 14)]);
        assert_eq!(stopped, Some(StopReason::EndMarker));
        // A limit at a section end stops the walk there and resumes after it.
        let segment_ = Segment::parse("seg", &bytes).unwrap();
        let mut first = segment_.entries(Some(52));
        assert_eq!(first.by_ref().count(), 1);
        assert_eq!((first.stopped(), first.position()), (Some(StopReason::Limit), 52));
        let rest: Vec<u64> = segment_.entries_from(52, None).map(|e| e.unwrap().position).collect();
        assert_eq!(rest, [60, 84]);
    }

    #[test]
    fn a_file_that_ends_without_a_zero_marker_ends_the_walk() {
        let mut bytes = segment(5, &[&[b"0123456789ab"]]);
        bytes.truncate(52 + 4);
        let (seen, stopped) = walk(&bytes, None).unwrap();
        assert_eq!((seen.len(), stopped), (1, Some(StopReason::EndOfFile)));
        // ... but not when the idx promised more.
        let error = walk(&bytes, Some(100)).unwrap_err();
        assert!(matches!(error, CdcError::Truncated { position: 52, .. }), "{error}");
    }

    #[test]
    fn a_truncated_header_is_an_error_naming_what_is_missing() {
        let bytes = header(VERSION_40, 5, b"{}");
        let error = Segment::parse("seg", &bytes[..10]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cdc: seg: at byte 0: descriptor header (version, id, parameters length) needs 14 bytes, 10 left"
        );
        let error = Segment::parse("seg", &bytes[..17]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cdc: seg: at byte 0: descriptor header (parameters and CRC) needs 20 bytes, 17 left"
        );
    }

    #[test]
    fn an_unknown_version_fails_closed() {
        for version in [6, 9, -1] {
            let bytes = header(version, 5, b"{}");
            let error = Segment::parse("cdc_raw/x.log", &bytes).unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("cdc: cdc_raw/x.log: at byte 0: unknown commit-log descriptor version {version} (known: 7, 8)")
            );
        }
        let bytes = header(VERSION_50, 5, b"{}");
        assert_eq!(Segment::parse("x", &bytes).unwrap().descriptor().messaging_version(), 13);
    }

    #[test]
    fn a_bad_header_crc_fails() {
        let mut bytes = header(VERSION_40, 5, b"{}");
        bytes[19] ^= 1;
        let error = Segment::parse("seg", &bytes).unwrap_err();
        assert!(matches!(error, CdcError::BadCrc { position: 0, what: "descriptor header", .. }), "{error}");
    }

    #[test]
    fn encrypted_segments_and_other_compressors_are_unsupported() {
        let snappy = br#"{"compressionClass":"SnappyCompressor","compressionParameters":null}"#;
        let error = Segment::parse("seg", &header(VERSION_40, 5, snappy)).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cdc: seg: at byte 14: unsupported compressed segment: compressor SnappyCompressor (this reader \
             decompresses LZ4Compressor only; parameters {\"compressionClass\":\"SnappyCompressor\",\
             \"compressionParameters\":null})"
        );
        let enc = br#"{"encCipher":"AES/CBC/PKCS5Padding","encIV":"00","encKeyAlias":"k"}"#;
        let error = Segment::parse("seg", &header(VERSION_40, 5, enc)).unwrap_err();
        assert!(error.to_string().contains("unsupported encrypted segment"), "{error}");
        let error = Segment::parse("seg", &header(VERSION_40, 5, br#"{"x":1}"#)).unwrap_err();
        assert!(error.to_string().contains("unsupported descriptor parameters {\"x\":1}"), "{error}");
    }

    const LZ4_PARAMS: &[u8] = br#"{"compressionClass":"LZ4Compressor","compressionParameters":null}"#;

    /// One compressed section at file offset `at`, as `CompressedSegment.write` writes it.
    fn compressed_section(id: i64, at: usize, plain: &[u8]) -> Vec<u8> {
        let mut block = (plain.len() as u32).to_le_bytes().to_vec();
        block.extend(lz4_flex::block::compress(plain));
        let mut out = marker(id, at, at + 12 + block.len());
        out.extend((plain.len() as i32).to_be_bytes());
        out.extend(block);
        out
    }

    /// A compressed segment of `sections` (entry bodies each), then the
    /// closing empty section; the file ends there, as Cassandra leaves it.
    fn compressed_segment(id: i64, sections: &[&[&[u8]]]) -> Vec<u8> {
        let mut out = header(VERSION_40, id, LZ4_PARAMS);
        for bodies in sections.iter().chain([&(&[] as &[&[u8]])]) {
            let plain: Vec<u8> = bodies.iter().flat_map(|b| entry(b)).collect();
            let at = out.len();
            out.extend(compressed_section(id, at, &plain));
        }
        out
    }

    #[test]
    fn walks_a_compressed_segment_in_logical_positions() {
        let bytes = compressed_segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl", b"mnopqrstuvwxyz"], &[]]);
        let segment = Segment::parse("CommitLog-7-5.log", &bytes).unwrap();
        assert_eq!((segment.descriptor().header_len, segment.descriptor().compressed), (83, true));
        // 83 header; section at 83: entry 91..115; at 115: 123..147, 147..173;
        // empty sections at 173 and 181 (the closing one); logical end 189.
        let (seen, stopped) = walk(&bytes, None).unwrap();
        assert_eq!(seen, [(83, 91, 12), (115, 123, 12), (115, 147, 14)]);
        assert_eq!(stopped, Some(StopReason::EndOfFile));
        assert_eq!(segment.len(), 189);
        let all: Vec<Entry<'_>> = segment.entries(Some(189)).map(Result::unwrap).collect();
        assert_eq!(all[2].body, b"mnopqrstuvwxyz");
        // An idx offset is logical: reading to it, then on from where that
        // stopped, reads each entry once.
        for b in [83, 115, 173, 181, 189] {
            let mut first = segment.entries(Some(b));
            let mut read: Vec<Entry<'_>> = first.by_ref().map(Result::unwrap).collect();
            assert_eq!((first.stopped(), first.position()), (Some(StopReason::Limit), b));
            read.extend(segment.entries_from(b, Some(189)).map(Result::unwrap));
            assert_eq!(read, all, "split at {b}");
        }
        // Section ends map to the file offsets a copy cut there keeps.
        assert_eq!(segment.file_offset(83), Some(83));
        assert_eq!(segment.file_offset(189), Some(bytes.len() as u64));
        assert_eq!(segment.file_offset(100), None);
        let error = walk(&bytes, Some(190)).unwrap_err();
        assert!(error.to_string().contains("compressed sync section below the idx offset"), "{error}");
        let error = segment.entries_from(100, None).next().unwrap().unwrap_err();
        assert!(error.to_string().contains("position 100 is not where a sync section"), "{error}");
    }

    #[test]
    fn a_damaged_compressed_section_fails_only_where_a_walk_reaches_it() {
        let mut bytes = compressed_segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl"]]);
        // The second section (file offset 83 + 12 + 4 + compressed first) is being written: cut it short.
        let second = 83 + 12 + 4 + lz4_flex::block::compress(&entry(b"0123456789ab")).len();
        bytes.truncate(second + 20);
        let segment = Segment::parse("seg", &bytes).unwrap();
        let to_first: Vec<Entry<'_>> = segment.entries(Some(115)).map(Result::unwrap).collect();
        assert_eq!(to_first.len(), 1);
        let error = walk(&bytes, None).unwrap_err();
        assert!(
            error.to_string().contains(&format!("at byte {second}: compressed sync marker (valid CRC)")),
            "{error}"
        );
        // A bad marker CRC, a corrupt block, and a length the block does not have.
        let good = compressed_segment(5, &[&[b"0123456789ab"]]);
        let mut bytes = good.clone();
        bytes[83 + 5] ^= 1;
        let error = walk(&bytes, None).unwrap_err();
        assert!(matches!(error, CdcError::BadCrc { position: 83, .. }), "{error}");
        let mut bytes = good.clone();
        bytes[83 + 11] ^= 1; // the uncompressed length
        let error = walk(&bytes, None).unwrap_err();
        assert!(error.to_string().contains("uncompressed length 25, LZ4 block length 24"), "{error}");
        let mut bytes = good;
        // Both lengths say 30; the block holds 24 bytes.
        bytes[83 + 11] = 30;
        bytes[83 + 12] = 30;
        let error = walk(&bytes, None).unwrap_err();
        assert!(error.to_string().contains("LZ4 block of 24 bytes, 30 expected"), "{error}");
    }

    #[test]
    fn arbitrary_compressed_bytes_never_panic() {
        let base = compressed_segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl", b"mnopqrstuvwxyz"]]);
        for cut in 0..base.len() {
            let _ = walk(&base[..cut], None);
            let _ = walk(&base[..cut], Some(cut as u64 * 4));
        }
        for at in 0..base.len() {
            for bit in [0x01, 0x80] {
                let mut bytes = base.clone();
                bytes[at] ^= bit;
                let _ = walk(&bytes, None);
            }
        }
    }

    #[test]
    fn the_file_name_must_match_the_header() {
        let bytes = header(VERSION_40, 5, b"{}");
        assert!(Segment::parse("dir/CommitLog-7-5.log", &bytes).is_ok());
        let error = Segment::parse("dir/CommitLog-7-6.log", &bytes).unwrap_err();
        assert!(error.to_string().contains("the file name says version 7, id 6"), "{error}");
    }

    #[test]
    fn a_bad_sync_marker_crc_fails_at_its_position() {
        let mut bytes = segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl"]]);
        bytes[52 + 5] ^= 0x40;
        let error = walk(&bytes, None).unwrap_err();
        assert!(matches!(error, CdcError::BadCrc { position: 52, what: "sync marker", .. }), "{error}");
    }

    #[test]
    fn a_sync_marker_pointing_outside_the_file_fails() {
        let mut bytes = segment(5, &[&[b"0123456789ab"]]);
        let len = bytes.len();
        bytes[20..28].copy_from_slice(&marker(5, 20, len + 1));
        let error = walk(&bytes, None).unwrap_err();
        assert!(error.to_string().contains("sync marker (valid CRC) points to"), "{error}");
        bytes[20..28].copy_from_slice(&marker(5, 20, 24));
        assert!(walk(&bytes, None).is_err());
    }

    #[test]
    fn a_bad_entry_crc_fails_at_the_entry() {
        let mut bytes = segment(5, &[&[b"0123456789ab", b"abcdefghijkl"]]);
        bytes[28 + 8 + 24 + 3] ^= 1; // the second entry's body (at 52)
        let error = walk(&bytes, None).unwrap_err();
        assert!(matches!(error, CdcError::BadCrc { position: 52, what: "entry body", .. }), "{error}");
        let mut bytes = segment(5, &[&[b"0123456789ab"]]);
        bytes[28 + 7] ^= 1; // the size CRC
        let error = walk(&bytes, None).unwrap_err();
        assert!(matches!(error, CdcError::BadCrc { position: 28, what: "entry size", .. }), "{error}");
    }

    #[test]
    fn an_entry_longer_than_its_section_is_truncated() {
        let mut bytes = segment(5, &[&[b"0123456789ab"]]);
        // Section 20..52 declared as 20..48: the entry (24 bytes from 28) no longer fits.
        bytes[20..28].copy_from_slice(&marker(5, 20, 48));
        let error = walk(&bytes, None).unwrap_err();
        assert_eq!(
            error.to_string(),
            "cdc: seg: at byte 28: entry (size, size CRC, body, body CRC) within its sync section needs 24 bytes, 20 left"
        );
    }

    #[test]
    fn a_too_small_entry_size_is_invalid() {
        let bytes = segment(5, &[&[b"short"]]);
        let error = walk(&bytes, None).unwrap_err();
        assert!(error.to_string().contains("entry size 5 (a mutation has at least 10 bytes)"), "{error}");
    }

    #[test]
    fn a_section_crossing_the_idx_offset_fails() {
        let bytes = segment(5, &[&[b"0123456789ab"]]);
        let error = walk(&bytes, Some(40)).unwrap_err();
        assert!(error.to_string().contains("crosses the idx offset 40"), "{error}");
    }

    #[test]
    fn arbitrary_bytes_never_panic() {
        let base = segment(5, &[&[b"0123456789ab"], &[b"abcdefghijkl", b"mnopqrstuvwxyz"]]);
        for cut in 0..base.len() {
            let _ = walk(&base[..cut], None);
            let _ = walk(&base[..cut], Some(cut as u64));
        }
        for at in 0..base.len() {
            for bit in [0x01, 0x80] {
                let mut bytes = base.clone();
                bytes[at] ^= bit;
                let _ = walk(&bytes, None);
            }
        }
    }

    const GOLDEN: &[u8] = include_bytes!("../../../tests/golden/cdc/CommitLog-7-1796152552674.log");
    const GOLDEN_LZ4_HEADER: &[u8] =
        include_bytes!("../../../tests/golden/cdc/lz4-header-CommitLog-7-1796153040398.log");

    #[test]
    fn walks_the_nodes_segment_to_its_idx_offset() {
        let segment = Segment::parse("tests/golden/cdc/CommitLog-7-1796152552674.log", GOLDEN).unwrap();
        let mut entries = segment.entries(Some(58454));
        let all: Vec<Entry<'_>> = entries.by_ref().map(Result::unwrap).collect();
        assert_eq!((entries.stopped(), entries.position()), (Some(StopReason::Limit), 58454));
        // One entry per section (sequential writes under group sync), the
        // first right after the 20-byte header, the last ending at the idx offset.
        assert_eq!(all.len(), 44);
        assert!(all.iter().all(|e| e.position == e.section + SYNC_MARKER_SIZE));
        assert_eq!((all[0].section, all[0].position), (20, 28));
        let last = all.last().unwrap();
        assert_eq!((last.position, last.end, last.body.len()), (58382, 58454, 60));
        let envelope = crate::cdc::MutationEnvelope::parse(segment.file(), last).unwrap();
        assert_eq!(envelope.table_id.to_string(), "a7fc8ed0-edbb-11f1-8ecf-4fc5e88df1ef");
        assert_eq!(envelope.partition_key, &1i32.to_be_bytes());
        // Without the limit the truncated copy just ends.
        let mut entries = segment.entries(None);
        assert_eq!(entries.by_ref().count(), 44);
        assert_eq!(entries.stopped(), Some(StopReason::EndOfFile));
    }

    #[test]
    fn reading_to_any_section_end_then_resuming_there_reads_each_entry_once() {
        // What a consumer does as the idx offset grows: walk to b, later
        // resume at the position the walk stopped at and walk to c.
        let segment = Segment::parse("golden.log", GOLDEN).unwrap();
        let all: Vec<Entry<'_>> = segment.entries(Some(58454)).map(Result::unwrap).collect();
        let ends: Vec<u64> = all.iter().map(|e| e.end).collect();
        for &b in &ends {
            let mut first = segment.entries(Some(b));
            let mut read: Vec<Entry<'_>> = first.by_ref().map(Result::unwrap).collect();
            assert_eq!((first.stopped(), first.position()), (Some(StopReason::Limit), b));
            let mut second = segment.entries_from(first.position(), Some(58454));
            read.extend(second.by_ref().map(Result::unwrap));
            assert_eq!(second.position(), 58454);
            assert_eq!(read, all, "split at {b}");
        }
        assert_eq!(ends.len(), 44);
    }

    #[test]
    fn the_nodes_empty_lz4_segment_is_its_header_alone() {
        let segment = Segment::parse("CommitLog-7-1796153040398.log", GOLDEN_LZ4_HEADER).unwrap();
        let descriptor = segment.descriptor();
        assert_eq!((descriptor.header_len, descriptor.compressed), (83, true));
        assert_eq!(descriptor.params, r#"{"compressionClass":"LZ4Compressor","compressionParameters":null}"#);
        let mut entries = segment.entries(None);
        assert_eq!((entries.by_ref().count(), entries.stopped()), (0, Some(StopReason::EndOfFile)));
    }
}
