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
}
