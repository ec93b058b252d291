//! CRC-32 (IEEE 802.3, reflected, the one `java.util.zip.CRC32` computes),
//! with a running state so that one checksum can be continued over several
//! pieces, as Cassandra does for an entry's size and then its body.

const TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
};

/// A running CRC-32.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Crc32(u32);

impl Crc32 {
    pub(crate) fn new() -> Self {
        Crc32(0xFFFF_FFFF)
    }

    pub(crate) fn update(mut self, bytes: &[u8]) -> Self {
        for &b in bytes {
            self.0 = TABLE[((self.0 ^ u32::from(b)) & 0xFF) as usize] ^ (self.0 >> 8);
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
}
