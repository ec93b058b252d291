//! The segments of a `cdc_raw` directory, in segment-id order.
//!
//! Files are `CommitLog-<version>-<id>.log` (a hard link to the commit-log
//! segment) and `CommitLog-<version>-<id>_cdc.idx`. Segment ids only grow, so
//! id order is write order. Files whose names do not start with `CommitLog-`
//! are ignored; a `CommitLog-` name of any other form fails closed.

use std::path::{Path, PathBuf};

use crate::cdc::segment::parse_log_name;
use crate::CdcError;

/// One segment of a `cdc_raw` directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SegmentFile {
    /// Segment id.
    pub id: i64,
    /// Descriptor version in the file name.
    pub version: i32,
    /// The `.log` file; `None` when only the idx is left (a consumer or
    /// Cassandra is deleting the segment).
    pub log: Option<PathBuf>,
    /// The `_cdc.idx` file; `None` until the first sync after the segment's
    /// first CDC mutation, and for ever when it holds none.
    pub idx: Option<PathBuf>,
}

fn parse_idx_name(name: &str) -> Option<(i32, i64)> {
    let stem = name.strip_suffix("_cdc.idx")?;
    parse_log_name(&format!("{stem}.log"))
}

/// Lists the segments in `dir`, sorted by id.
pub fn list_segments(dir: &Path) -> Result<Vec<SegmentFile>, CdcError> {
    let io = |source| CdcError::Io { file: dir.display().to_string(), source };
    let mut segments: Vec<SegmentFile> = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(io)? {
        let entry = entry.map_err(io)?;
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
            continue;
        };
        if !name.starts_with("CommitLog-") {
            continue;
        }
        let (version, id, is_log) = if let Some((version, id)) = parse_log_name(&name) {
            (version, id, true)
        } else if let Some((version, id)) = parse_idx_name(&name) {
            (version, id, false)
        } else {
            return Err(CdcError::Invalid {
                file: path.display().to_string(),
                position: 0,
                what: "a cdc_raw file name that is neither CommitLog-<version>-<id>.log nor \
                       CommitLog-<version>-<id>_cdc.idx"
                    .into(),
            });
        };
        let index = match segments.iter().position(|s| s.id == id) {
            Some(index) => index,
            None => {
                segments.push(SegmentFile { id, version, log: None, idx: None });
                segments.len() - 1
            }
        };
        let segment = &mut segments[index];
        if segment.version != version {
            return Err(CdcError::Invalid {
                file: path.display().to_string(),
                position: 0,
                what: format!("segment id {id} appears with versions {} and {version}", segment.version),
            });
        }
        if is_log {
            segment.log = Some(path);
        } else {
            segment.idx = Some(path);
        }
    }
    segments.sort_by_key(|s| s.id);
    Ok(segments)
}

/// How far one segment of a `cdc_raw` directory can be read now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Readable {
    /// Nothing to read: no idx (no CDC data yet, or ever), an idx caught
    /// mid-rewrite, or the segment is being deleted. Ask again later.
    Nothing,
    /// Durable up to `offset`, and Cassandra may still write past it: the
    /// live segment (or one whose `COMPLETED` is not written yet).
    Open {
        /// The idx offset (a sync-section end).
        offset: u64,
    },
    /// Durable up to `offset`, and nothing will ever be written past it.
    Closed {
        /// The idx offset (a sync-section end).
        offset: u64,
    },
}

/// Decides how far `segment` can be read (docs/cdc-format.md, "Directory
/// rules"): an idx saying `COMPLETED` closes a segment; so does the
/// `cdc_raw` file being the last link to its bytes, since Cassandra then has
/// discarded its own `commitlog/` file and writes no more. That second rule
/// covers the segment a crash left behind whose idx replay never rewrote
/// (the node was seen to leave such an idx non-`COMPLETED` for ever).
pub fn readable(segment: &SegmentFile) -> Result<Readable, CdcError> {
    let (Some(log), Some(idx_path)) = (&segment.log, &segment.idx) else {
        return Ok(Readable::Nothing);
    };
    let index = match crate::cdc::idx::read(idx_path) {
        Ok(Some(index)) => index,
        Ok(None) => return Ok(Readable::Nothing),
        Err(CdcError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Readable::Nothing);
        }
        Err(error) => return Err(error),
    };
    if index.completed {
        return Ok(Readable::Closed { offset: index.offset });
    }
    let metadata = match std::fs::metadata(log) {
        Ok(metadata) => metadata,
        Err(source) if source.kind() == std::io::ErrorKind::NotFound => return Ok(Readable::Nothing),
        Err(source) => return Err(CdcError::Io { file: log.display().to_string(), source }),
    };
    // The offset is not compared with the file's length: in a compressed
    // segment it counts uncompressed bytes. A file holding less than its idx
    // promises fails the walk to that offset (Segment::entries).
    if last_link(&metadata) {
        return Ok(Readable::Closed { offset: index.offset });
    }
    Ok(Readable::Open { offset: index.offset })
}

#[cfg(unix)]
fn last_link(metadata: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    metadata.nlink() == 1
}

#[cfg(not(unix))]
fn last_link(_metadata: &std::fs::Metadata) -> bool {
    // Without link counts a non-COMPLETED segment stays open.
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("pycassandra-cdc-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn lists_segments_in_id_order_with_their_idx() {
        let dir = temp_dir("list");
        for name in [
            "CommitLog-7-1796152552675.log",
            "CommitLog-7-1796152552674.log",
            "CommitLog-7-1796152552674_cdc.idx",
            "CommitLog-7-1796152552676_cdc.idx",
            "notes.txt",
        ] {
            std::fs::write(dir.join(name), b"").unwrap();
        }
        let segments = list_segments(&dir).unwrap();
        let ids: Vec<i64> = segments.iter().map(|s| s.id).collect();
        assert_eq!(ids, [1796152552674, 1796152552675, 1796152552676]);
        assert!(segments[0].log.is_some() && segments[0].idx.is_some());
        assert!(segments[1].log.is_some() && segments[1].idx.is_none());
        assert!(segments[2].log.is_none() && segments[2].idx.is_some());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_unknown_commit_log_name_fails_closed() {
        let dir = temp_dir("badname");
        std::fs::write(dir.join("CommitLog-1796152552674.log"), b"").unwrap();
        let message = list_segments(&dir).unwrap_err().to_string();
        assert!(message.contains("CommitLog-1796152552674.log"), "{message}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn lists_the_golden_directory_and_its_idx_reads() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/golden/cdc");
        let segments = list_segments(&dir).unwrap();
        assert_eq!(segments.len(), 1, "{segments:?}");
        assert_eq!((segments[0].id, segments[0].version), (1796152552674, 7));
        let idx = crate::cdc::idx::read(segments[0].idx.as_ref().unwrap()).unwrap();
        assert_eq!(idx, Some(crate::cdc::CdcIndex { offset: 58454, completed: false }));
    }

    #[test]
    fn an_idx_decides_how_far_a_segment_reads() {
        let dir = temp_dir("readable");
        let log = dir.join("CommitLog-7-10.log");
        std::fs::write(&log, vec![0u8; 100]).unwrap();
        let segment = || list_segments(&dir).unwrap().remove(0);
        assert_eq!(readable(&segment()).unwrap(), Readable::Nothing, "no idx yet");
        let idx = dir.join("CommitLog-7-10_cdc.idx");
        std::fs::write(&idx, b"").unwrap();
        assert_eq!(readable(&segment()).unwrap(), Readable::Nothing, "idx mid-rewrite");
        std::fs::write(&idx, b"60").unwrap();
        // The only link: Cassandra's commitlog/ file is gone.
        assert_eq!(readable(&segment()).unwrap(), Readable::Closed { offset: 60 });
        let commitlog = dir.join("commitlog-link.log");
        std::fs::hard_link(&log, &commitlog).unwrap();
        assert_eq!(readable(&segment()).unwrap(), Readable::Open { offset: 60 }, "the live segment");
        std::fs::write(&idx, b"80\nCOMPLETED").unwrap();
        assert_eq!(readable(&segment()).unwrap(), Readable::Closed { offset: 80 });
        // An offset past the file's end is not refused here (a compressed
        // segment's offset counts uncompressed bytes): the walk to it fails.
        std::fs::write(&idx, b"120").unwrap();
        assert_eq!(readable(&segment()).unwrap(), Readable::Open { offset: 120 });
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
