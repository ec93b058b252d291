//! Compressed segments (`commitlog_compression: [{class_name: LZ4Compressor}]`),
//! as Cassandra 5.0 writes them (`CompressedSegment.write`) and reads them
//! (`CommitLogSegmentReader.CompressedSegmenter`), verified on a node
//! (docs/cdc-format.md):
//!
//! ```text
//! section := int32 next (FILE offset of the next marker), int32 crc (over the marker's FILE offset),
//!            int32 uncompressedLen, int32-LE uncompressedLen, raw LZ4 block   -- LZ4Compressor.compress
//! ```
//!
//! The file is not preallocated: it ends after the last section written.
//! Everything else Cassandra knows of the segment is in *logical*
//! (uncompressed) positions: the first section's marker is at the header's
//! length, and each section adds its 8 marker bytes and its uncompressed
//! length. `CommitLogPosition`s, the entry ends handed to
//! `CommitLogReadHandler.handleMutation` and the `_cdc.idx` offset
//! (`CommitLogSegment.sync` writes the in-memory buffer's section end) all
//! count that way. So this module lays the decompressed sections out at
//! their logical positions — the segment as the uncompressed walker reads it —
//! and keeps each section's logical and file bounds.

use crate::cdc::crc::Crc32;

/// A compressor this reader decompresses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compressor {
    /// `org.apache.cassandra.io.compress.LZ4Compressor` (fast or high: the same block format).
    Lz4,
}

/// The compressor the descriptor parameters name (`compressionClass`), `None`
/// when they name none, or an error naming the class this reader does not read.
pub(crate) fn compressor(params: &str) -> Result<Option<Compressor>, String> {
    let Some(class) = json_string_value(params, "compressionClass") else {
        return Ok(None);
    };
    // Cassandra resolves a short name in org.apache.cassandra.io.compress.
    match class.strip_prefix("org.apache.cassandra.io.compress.").unwrap_or(class) {
        "LZ4Compressor" => Ok(Some(Compressor::Lz4)),
        _ => Err(format!(
            "compressed segment: compressor {class} (this reader decompresses LZ4Compressor only; parameters {params})"
        )),
    }
}

/// The string value of `"key"` in Cassandra's compact JSON, if it is a string.
fn json_string_value<'p>(json: &'p str, key: &str) -> Option<&'p str> {
    let quoted = format!("\"{key}\"");
    let rest = &json[json.find(&quoted)? + quoted.len()..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start().strip_prefix('"')?;
    Some(&rest[..rest.find('"')?])
}

/// One decompressed section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Section {
    /// Logical position of its marker.
    pub(crate) marker: u64,
    /// Logical position of its end (the next marker's).
    pub(crate) end: u64,
    /// File offset of its marker.
    pub(crate) file_marker: u64,
    /// File offset of its end.
    pub(crate) file_end: u64,
}

/// What follows the last section that decompressed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Tail {
    /// The file ends (the normal end of a compressed segment).
    EndOfFile,
    /// A zero marker.
    EndMarker,
    /// A section that cannot be read, at a file offset: an error once a walk
    /// reaches it, and nothing before (a section being written right now
    /// looks like this, beyond the idx offset).
    Broken(Broken),
}

/// Why the section at a file offset cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Broken {
    /// The marker's CRC does not match its file offset.
    MarkerCrc {
        /// File offset of the marker.
        at: u64,
        /// The CRC stored.
        stored: u32,
        /// The CRC of the position.
        computed: u32,
    },
    /// Anything else, said in words.
    Invalid {
        /// File offset of the marker.
        at: u64,
        /// What is wrong.
        what: String,
    },
}

/// A compressed segment decompressed to its logical layout.
#[derive(Clone, Debug)]
pub(crate) struct Decompressed {
    /// The header, then each section's 8 marker bytes (the logical next
    /// marker and a zero CRC; walks read the section table, not these) and
    /// its uncompressed bytes, each at its logical position.
    pub(crate) image: Vec<u8>,
    /// The sections, in order.
    pub(crate) sections: Vec<Section>,
    /// What follows them.
    pub(crate) tail: Tail,
}

/// LZ4 never expands a byte of input into more than 255 bytes of output;
/// a section claiming more is damaged (and is not allocated).
const LZ4_MAX_RATIO: u64 = 255;
/// Cassandra's positions are Java ints.
const MAX_LOGICAL: u64 = i32::MAX as u64;

fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Decompresses every section of the segment `bytes` (whose header is
/// `header_len` bytes, id `id`) that can be read, in order.
pub(crate) fn decompress(bytes: &[u8], header_len: u64, id: i64, compressor: Compressor) -> Decompressed {
    let Compressor::Lz4 = compressor;
    let len = bytes.len() as u64;
    let mut image = bytes[..header_len as usize].to_vec();
    let mut sections = Vec::new();
    let mut at = header_len;
    let invalid = |at: u64, what: String| Tail::Broken(Broken::Invalid { at, what });
    let tail = loop {
        if len - at < 8 {
            break Tail::EndOfFile;
        }
        let p = at as usize;
        let next = u64::from(be_u32(bytes, p));
        let stored = be_u32(bytes, p + 4);
        let computed = Crc32::new().update_int(id as i32).update_int((id >> 32) as i32).update_int(at as i32).value();
        if stored != computed {
            if next == 0 && stored == 0 {
                break Tail::EndMarker;
            }
            break Tail::Broken(Broken::MarkerCrc { at, stored, computed });
        }
        // The marker, the uncompressed length, the LZ4 block's length prefix.
        if next < at + 16 || next > len {
            break invalid(
                at,
                format!(
                    "compressed sync marker (valid CRC) at file offset {at} points to {next}, outside {}..={len}",
                    at + 16
                ),
            );
        }
        let uncompressed = be_u32(bytes, p + 8);
        let block = &bytes[p + 12..next as usize];
        let prefix = u32::from_le_bytes([block[0], block[1], block[2], block[3]]);
        let logical = image.len() as u64;
        let size = u64::from(uncompressed);
        if uncompressed != prefix {
            break invalid(
                at,
                format!("compressed section at file offset {at}: uncompressed length {uncompressed}, LZ4 block length {prefix}"),
            );
        }
        if size > (block.len() as u64) * LZ4_MAX_RATIO || logical + 8 + size > MAX_LOGICAL {
            break invalid(
                at,
                format!(
                    "compressed section at file offset {at}: uncompressed length {uncompressed} from {} compressed bytes",
                    block.len()
                ),
            );
        }
        let end = logical + 8 + size;
        image.extend((end as u32).to_be_bytes());
        image.extend([0u8; 4]);
        let start = image.len();
        image.resize(start + size as usize, 0);
        match lz4_flex::block::decompress_into(&block[4..], &mut image[start..]) {
            Ok(written) if written as u64 == size => {}
            Ok(written) => {
                image.truncate(logical as usize);
                break invalid(
                    at,
                    format!(
                        "compressed section at file offset {at}: LZ4 block of {written} bytes, {uncompressed} expected"
                    ),
                );
            }
            Err(error) => {
                image.truncate(logical as usize);
                break invalid(at, format!("compressed section at file offset {at}: LZ4 block: {error}"));
            }
        }
        sections.push(Section { marker: logical, end, file_marker: at, file_end: next });
        at = next;
    };
    Decompressed { image, sections, tail }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_compressor_or_refuses_it() {
        assert_eq!(compressor("{}"), Ok(None));
        for class in ["LZ4Compressor", "org.apache.cassandra.io.compress.LZ4Compressor"] {
            let params = format!("{{\"compressionClass\":\"{class}\",\"compressionParameters\":null}}");
            assert_eq!(compressor(&params), Ok(Some(Compressor::Lz4)));
        }
        let params = r#"{"compressionClass":"LZ4Compressor","compressionParameters":{"lz4_compressor_type":"high"}}"#;
        assert_eq!(compressor(params), Ok(Some(Compressor::Lz4)));
        for class in ["SnappyCompressor", "DeflateCompressor", "ZstdCompressor", "org.example.Lz4Like"] {
            let params = format!("{{\"compressionClass\":\"{class}\",\"compressionParameters\":null}}");
            let error = compressor(&params).unwrap_err();
            assert!(error.starts_with(&format!("compressed segment: compressor {class} (")), "{error}");
        }
    }
}
