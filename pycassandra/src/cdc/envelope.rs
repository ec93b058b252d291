//! The start of a serialized mutation (messaging version 12/13): enough to
//! route an entry to its table and partition without decoding rows.
//!
//! ```text
//! mutation        := uvint32 nUpdates (> 0), partitionUpdate × nUpdates
//! partitionUpdate := tableId (16 bytes: msb int64, lsb int64), uvint32 keyLen, key[keyLen], ...
//! ```
//!
//! Every partition update of one mutation has the same partition key (a
//! mutation is one key in one keyspace). Only the first update's table id is
//! read here: the later ones start after the first update's rows, which needs
//! the full decoder (issue 15).

use uuid::Uuid;

use crate::cdc::segment::Entry;
use crate::vint;
use crate::CdcError;

/// The first fields of a mutation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MutationEnvelope<'a> {
    /// Number of partition updates (tables) in the mutation.
    pub updates: u32,
    /// Table id of the first partition update (`system_schema.tables.id`).
    pub table_id: Uuid,
    /// The partition key as stored: the value bytes for a one-column key,
    /// `CompositeType` (per component: uint16 length, bytes, a 0 byte) otherwise.
    pub partition_key: &'a [u8],
}

#[doc(hidden)]
impl<'a> MutationEnvelope<'a> {
    /// Reads the envelope of an entry's body; `file` names the segment in
    /// errors, whose positions are file offsets.
    pub fn parse(file: &str, entry: &Entry<'a>) -> Result<Self, CdcError> {
        let body = entry.body;
        let base = entry.position + 8; // the body follows the size and its CRC
        let truncated = |at: usize, what, needed: usize| CdcError::Truncated {
            file: file.to_owned(),
            position: base + at as u64,
            what,
            needed: needed as u64,
            available: (body.len() - at) as u64,
        };
        let invalid =
            |at: usize, what: String| CdcError::Invalid { file: file.to_owned(), position: base + at as u64, what };
        let (updates, n) = match vint::read_unsigned32(body) {
            None => return Err(truncated(0, "mutation update count (vint)", 1)),
            Some(Err(raw)) => return Err(invalid(0, format!("mutation update count {raw} is not a 32-bit int"))),
            Some(Ok((updates, _))) if updates <= 0 => {
                return Err(invalid(0, format!("mutation update count {updates} (at least 1)")));
            }
            Some(Ok(read)) => read,
        };
        let mut at = n;
        let id = body.get(at..at + 16).ok_or_else(|| truncated(at, "table id", 16))?;
        let mut id_bytes = [0u8; 16];
        id_bytes.copy_from_slice(id);
        at += 16;
        let (key_len, n) = match vint::read_unsigned32(&body[at..]) {
            None => return Err(truncated(at, "partition key length (vint)", 1)),
            Some(Err(raw)) => return Err(invalid(at, format!("partition key length {raw} is not a 32-bit int"))),
            Some(Ok((len, _))) if len < 0 => return Err(invalid(at, format!("partition key length {len}"))),
            Some(Ok(read)) => read,
        };
        at += n;
        let key_len = key_len as usize;
        let partition_key = body.get(at..at + key_len).ok_or_else(|| truncated(at, "partition key", key_len))?;
        Ok(MutationEnvelope { updates: updates as u32, table_id: Uuid::from_bytes(id_bytes), partition_key })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &[u8]) -> Entry<'_> {
        Entry { section: 20, position: 28, end: 28 + 12 + body.len() as u64, body }
    }

    // The body of `INSERT INTO cdc_probe.t (pk, ...) VALUES (1, ...)` on the
    // node (docs/cdc-format.md), up to the iterator flags.
    const REAL: &str = "01a7fc8ed0edbb11f18ecf4fc5e88df1ef040000000110";

    fn hex(text: &str) -> Vec<u8> {
        (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
    }

    #[test]
    fn reads_the_table_id_and_key_written_by_the_node() {
        let body = hex(REAL);
        let envelope = MutationEnvelope::parse("seg", &entry(&body)).unwrap();
        assert_eq!(envelope.updates, 1);
        assert_eq!(envelope.table_id, Uuid::parse_str("a7fc8ed0-edbb-11f1-8ecf-4fc5e88df1ef").unwrap());
        assert_eq!(envelope.partition_key, &1i32.to_be_bytes());
    }

    #[test]
    fn a_key_past_the_body_is_truncated_at_its_file_position() {
        let body = hex("01a7fc8ed0edbb11f18ecf4fc5e88df1ef0800000001");
        let error = MutationEnvelope::parse("seg", &entry(&body)).unwrap_err();
        match error {
            CdcError::Truncated { position, needed, available, .. } => {
                assert_eq!((position, needed, available), (28 + 8 + 18, 8, 4));
            }
            other => panic!("{other}"),
        }
        let error = MutationEnvelope::parse("seg", &entry(&body[..10])).unwrap_err();
        assert!(error.to_string().contains("table id needs 16 bytes, 9 left"), "{error}");
    }

    #[test]
    fn zero_updates_is_invalid() {
        let error = MutationEnvelope::parse("seg", &entry(&[0x00, 1, 2])).unwrap_err();
        assert!(error.to_string().contains("update count 0"), "{error}");
    }
}
