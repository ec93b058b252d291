//! CRC-32 (IEEE 802.3, reflected, the one `java.util.zip.CRC32` computes),
//! with a running state so that one checksum can be continued over several
//! pieces, as Cassandra does for an entry's size and then its body.

/// Slicing-by-8 tables: `TABLES[0]` is the byte-at-a-time table, `TABLES[k][b]`
/// the CRC of byte `b` followed by `k` zero bytes, so that eight input bytes
/// take eight lookups instead of eight dependent steps (the entry CRCs cover
/// every byte of the log, and were a tenth of the decoder's time bytewise).
const TABLES: [[u32; 256]; 8] = {
    let mut tables = [[0u32; 256]; 8];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        tables[0][i] = c;
        i += 1;
    }
    let mut t = 1;
    while t < 8 {
        let mut i = 0;
        while i < 256 {
            let previous = tables[t - 1][i];
            tables[t][i] = (previous >> 8) ^ tables[0][(previous & 0xFF) as usize];
            i += 1;
        }
        t += 1;
    }
    tables
};

/// A running CRC-32.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    pub(crate) fn new() -> Self {
        Crc32(0xFFFF_FFFF)
    }

    pub(crate) fn update(mut self, bytes: &[u8]) -> Self {
        if bytes.len() >= 64 {
            // Entry bodies: crc32fast folds 64 bytes at a time with the CPU's
            // carry-less multiply; the tables took 8% of the decoder benchmark's samples.
            let mut hasher = crc32fast::Hasher::new_with_initial(self.value());
            hasher.update(bytes);
            return Crc32(hasher.finalize() ^ 0xFFFF_FFFF);
        }
        let t = &TABLES;
        let mut chunks = bytes.chunks_exact(8);
        for chunk in chunks.by_ref() {
            let low = self.0 ^ u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
            let high = u32::from_le_bytes([chunk[4], chunk[5], chunk[6], chunk[7]]);
            self.0 = t[7][(low & 0xFF) as usize]
                ^ t[6][((low >> 8) & 0xFF) as usize]
                ^ t[5][((low >> 16) & 0xFF) as usize]
                ^ t[4][(low >> 24) as usize]
                ^ t[3][(high & 0xFF) as usize]
                ^ t[2][((high >> 8) & 0xFF) as usize]
                ^ t[1][((high >> 16) & 0xFF) as usize]
                ^ t[0][(high >> 24) as usize];
        }
        for &b in chunks.remainder() {
            self.0 = t[0][((self.0 ^ u32::from(b)) & 0xFF) as usize] ^ (self.0 >> 8);
        }
        self
    }

    /// Cassandra's `FBUtilities.updateChecksumInt`: the int's 4 bytes, big-endian.
    pub(crate) fn update_int(self, value: i32) -> Self {
        self.update(&value.to_be_bytes())
    }

    pub(crate) fn value(self) -> u32 {
        self.0 ^ 0xFFFF_FFFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_check_values() {
        assert_eq!(Crc32::new().update(b"123456789").value(), 0xCBF4_3926);
        assert_eq!(Crc32::new().value(), 0);
        // Continuing equals one pass over the concatenation.
        assert_eq!(Crc32::new().update(b"1234").update(b"56789").value(), 0xCBF4_3926);
    }

    /// The byte-at-a-time definition the tables are derived from.
    fn bytewise(bytes: &[u8]) -> u32 {
        let mut c = 0xFFFF_FFFFu32;
        for &b in bytes {
            c = TABLES[0][((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
        c ^ 0xFFFF_FFFF
    }

    #[test]
    fn eight_bytes_at_a_time_equals_one_at_a_time_at_every_length_and_split() {
        let bytes: Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        for len in 0..bytes.len() {
            assert_eq!(Crc32::new().update(&bytes[..len]).value(), bytewise(&bytes[..len]), "{len}");
        }
        for split in 0..bytes.len() {
            let (a, b) = bytes.split_at(split);
            assert_eq!(Crc32::new().update(a).update(b).value(), bytewise(&bytes), "{split}");
        }
    }
}
