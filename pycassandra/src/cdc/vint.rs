//! Cassandra's unsigned variable-length integers (`utils/vint/VIntCoding`):
//! the number of leading 1-bits of the first byte is the number of extra
//! bytes (0–8); the first byte's other bits and the extra bytes are the value,
//! big-endian.

/// Reads an unsigned vint from the start of `bytes`: `Some((value, length))`,
/// or `None` when `bytes` ends first.
pub(crate) fn read_unsigned(bytes: &[u8]) -> Option<(u64, usize)> {
    let first = *bytes.first()?;
    let extra = first.leading_ones() as usize;
    let rest = bytes.get(1..1 + extra)?;
    let mut value = if extra >= 8 { 0 } else { u64::from(first & (0xFF >> extra)) };
    for &b in rest {
        value = (value << 8) | u64::from(b);
    }
    Some((value, 1 + extra))
}

/// `readUnsignedVInt32`: the 64-bit value must be an `int` once read as a
/// signed long (Cassandra sign-extends on write and checks on read).
pub(crate) fn read_unsigned32(bytes: &[u8]) -> Option<Result<(i32, usize), u64>> {
    let (value, length) = read_unsigned(bytes)?;
    Some(i32::try_from(value as i64).map(|v| (v, length)).map_err(|_| value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_each_length() {
        assert_eq!(read_unsigned(&[0x00]), Some((0, 1)));
        assert_eq!(read_unsigned(&[0x7F]), Some((127, 1)));
        assert_eq!(read_unsigned(&[0x80, 0x80]), Some((128, 2)));
        assert_eq!(read_unsigned(&[0xBF, 0xFF]), Some((0x3FFF, 2)));
        assert_eq!(read_unsigned(&[0xC0, 0x40, 0x00]), Some((0x4000, 3)));
        assert_eq!(read_unsigned(&[0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), Some((u64::MAX, 9)));
        assert_eq!(read_unsigned(&[]), None);
        assert_eq!(read_unsigned(&[0xC0, 0x40]), None);
    }

    #[test]
    fn a_32_bit_vint_must_fit_an_int() {
        assert_eq!(read_unsigned32(&[0x05]), Some(Ok((5, 1))));
        // -1 sign-extended: nine bytes of 0xFF.
        assert_eq!(read_unsigned32(&[0xFF; 9]), Some(Ok((-1, 9))));
        assert_eq!(read_unsigned32(&[0xF0, 0x80, 0x00, 0x00, 0x00]), Some(Err(0x8000_0000)));
    }
}
