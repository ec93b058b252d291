//! `CommitLog-<version>-<id>_cdc.idx`: the durable offset of a segment.
//!
//! Cassandra rewrites the file at each sync of a segment that holds CDC data
//! (`CommitLogSegment.writeCDCIndexFile`): the offset in decimal, then
//! `\nCOMPLETED` once the segment is closed; no trailing newline. The rewrite
//! truncates first, so a reader may see the file empty; that is not an error
//! but "not known yet" (`Ok(None)`), as is a `COMPLETED` still being written.

use std::path::Path;

use crate::CdcError;

/// What a `_cdc.idx` file says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CdcIndex {
    /// Position up to which the segment is durable (a sync-section end): a
    /// file offset, or in a compressed segment a logical (uncompressed) one.
    pub offset: u64,
    /// The segment is closed: nothing will be written past `offset`.
    pub completed: bool,
}

const COMPLETED: &[u8] = b"\nCOMPLETED";

/// Parses the content of an idx file; `file` names it in errors.
/// `Ok(None)`: empty or caught mid-rewrite (read it again later).
pub fn parse(file: &str, content: &[u8]) -> Result<Option<CdcIndex>, CdcError> {
    let digits = content.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        if content.is_empty() {
            return Ok(None);
        }
        return Err(invalid(file, 0, content));
    }
    let offset = std::str::from_utf8(&content[..digits])
        .ok()
        .and_then(|text| text.parse::<u64>().ok())
        .filter(|&offset| offset <= i32::MAX as u64)
        .ok_or_else(|| invalid(file, 0, content))?;
    let rest = &content[digits..];
    if rest.is_empty() {
        return Ok(Some(CdcIndex { offset, completed: false }));
    }
    if rest == COMPLETED {
        return Ok(Some(CdcIndex { offset, completed: true }));
    }
    if COMPLETED.starts_with(rest) {
        // Seen while Cassandra writes it: the offset may be partial too.
        return Ok(None);
    }
    Err(invalid(file, digits as u64, content))
}

fn invalid(file: &str, position: u64, content: &[u8]) -> CdcError {
    CdcError::Invalid {
        file: file.to_owned(),
        position,
        what: format!(
            "a _cdc.idx holds '<offset>' or '<offset>\\nCOMPLETED' (offset at most 2^31-1), not {:?}",
            String::from_utf8_lossy(&content[..content.len().min(64)])
        ),
    }
}

/// Reads and parses an idx file. A file that has gone (the consumer or
/// Cassandra deleted the segment) is an I/O error for the caller to judge.
pub fn read(path: &Path) -> Result<Option<CdcIndex>, CdcError> {
    let file = path.display().to_string();
    let content = std::fs::read(path).map_err(|source| CdcError::Io { file: file.clone(), source })?;
    parse(&file, &content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_offset_and_the_completed_marker() {
        assert_eq!(parse("x", b"58454").unwrap(), Some(CdcIndex { offset: 58454, completed: false }));
        assert_eq!(parse("x", b"1045489\nCOMPLETED").unwrap(), Some(CdcIndex { offset: 1045489, completed: true }));
    }

    #[test]
    fn an_empty_or_half_written_file_is_not_known_yet() {
        assert_eq!(parse("x", b"").unwrap(), None);
        assert_eq!(parse("x", b"1045489\n").unwrap(), None);
        assert_eq!(parse("x", b"1045489\nCOMPL").unwrap(), None);
    }

    #[test]
    fn anything_else_fails_closed_naming_the_file() {
        for content in [&b"abc"[..], b"12 34", b"12\nDONE", b"12\nCOMPLETED\n", b"99999999999", b"-1"] {
            let error = parse("cdc_raw/CommitLog-7-1_cdc.idx", content).unwrap_err();
            let message = error.to_string();
            assert!(message.contains("cdc_raw/CommitLog-7-1_cdc.idx"), "{message}");
            assert!(matches!(error, CdcError::Invalid { .. }), "{message}");
        }
    }
}
