//! Change-data-capture files that cannot be read or are not understood.

/// A change-data-capture file that cannot be read, or whose bytes are not
/// what this reader knows. Every variant names the file and, where there is
/// one, the byte position; the reader fails closed on anything unknown.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CdcError {
    /// The file or directory could not be read.
    #[error("cdc: cannot read {file}: {source}")]
    Io {
        /// The path.
        file: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// A structure runs past the bytes that are there.
    #[error("cdc: {file}: at byte {position}: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// The file.
        file: String,
        /// Where the structure starts.
        position: u64,
        /// What was being read.
        what: &'static str,
        /// Bytes it needs.
        needed: u64,
        /// Bytes there are.
        available: u64,
    },
    /// A commit-log descriptor version other than 7 (Cassandra 4.0–5.0 in
    /// CASSANDRA_4 mode) or 8 (5.0 in NONE mode).
    #[error("cdc: {file}: at byte {position}: unknown commit-log descriptor version {version} (known: 7, 8)")]
    UnknownVersion {
        /// The file.
        file: String,
        /// Where the version is.
        position: u64,
        /// The version read.
        version: i32,
    },
    /// Something this reader does not decode (yet): compression,
    /// encryption, unknown descriptor parameters.
    #[error("cdc: {file}: at byte {position}: unsupported {what}")]
    Unsupported {
        /// The file.
        file: String,
        /// Where it is.
        position: u64,
        /// What it is.
        what: String,
    },
    /// A stored CRC32 does not match the bytes it covers.
    #[error("cdc: {file}: at byte {position}: bad {what} CRC (stored {stored:#010x}, computed {computed:#010x})")]
    BadCrc {
        /// The file.
        file: String,
        /// Where the checksummed structure starts.
        position: u64,
        /// Which CRC: descriptor header, sync marker, entry size, entry body.
        what: &'static str,
        /// The CRC in the file.
        stored: u32,
        /// The CRC of the bytes.
        computed: u32,
    },
    /// A value that has a valid CRC (or none) but cannot be right.
    #[error("cdc: {file}: at byte {position}: {what}")]
    Invalid {
        /// The file.
        file: String,
        /// Where it is.
        position: u64,
        /// What is wrong.
        what: String,
    },
}
