//! Cassandra's variable-length integers (`utils/vint/VIntCoding`), the one
//! codec for every place they appear: the native protocol's vector element
//! lengths and duration parts ([`crate::read`], [`crate::convert`]) and the
//! commit log's mutations ([`crate::cdc`]).
//!
//! The number of leading 1-bits of the first byte is the number of extra
//! bytes (0–8); the first byte's other bits and the extra bytes are the
//! value, big-endian. A signed vint is the unsigned one of its zig-zag
//! encoding.

/// Reads an unsigned vint from the start of `bytes`: `Some((value, length))`,
/// or `None` when `bytes` ends first.
#[inline]
pub(crate) fn read_unsigned(bytes: &[u8]) -> Option<(u64, usize)> {
    let first = *bytes.first()?;
    if first < 0x80 {
        return Some((u64::from(first), 1)); // most lengths, deltas and counts
    }
    let extra = first.leading_ones() as usize;
    let rest = bytes.get(1..1 + extra)?;
    let mut value = if extra >= 8 { 0 } else { u64::from(first & (0xFF >> extra)) };
    for &b in rest {
        value = (value << 8) | u64::from(b);
    }
    Some((value, 1 + extra))
}

/// How many bytes the vint at the start of `bytes` takes, as its first byte
/// announces (1 when there is none): what a short read is missing.
pub(crate) fn announced_length(bytes: &[u8]) -> usize {
    bytes.first().map_or(1, |b| 1 + b.leading_ones() as usize)
}

/// `readUnsignedVInt32`: the 64-bit value must be an `int` once read as a
/// signed long (Cassandra sign-extends on write and checks on read); `Err`
/// holds the value that is not.
pub(crate) fn read_unsigned32(bytes: &[u8]) -> Option<Result<(i32, usize), u64>> {
    let (value, length) = read_unsigned(bytes)?;
    Some(i32::try_from(value as i64).map(|v| (v, length)).map_err(|_| value))
}

/// Reads a signed (zig-zag) vint from the start of `bytes`, as [`read_unsigned`].
pub(crate) fn read_signed(bytes: &[u8]) -> Option<(i64, usize)> {
    let (value, length) = read_unsigned(bytes)?;
    Some((((value >> 1) as i64) ^ -((value & 1) as i64), length))
}

/// Appends `value` as an unsigned vint, in the fewest bytes.
pub(crate) fn write_unsigned(value: u64, out: &mut Vec<u8>) {
    // 7 value bits fit one byte, and each extra byte adds 7 more (8 for the
    // ninth): the extra bytes are ceil(significant bits / 7) - 1, capped at 8.
    let extra = ((639 - 9 * value.leading_zeros()) >> 6).saturating_sub(1) as usize;
    if extra == 0 {
        out.push(value as u8);
    } else if extra == 8 {
        out.push(0xff);
        out.extend_from_slice(&value.to_be_bytes());
    } else {
        let marked = value | (u64::from(!(0xffu8 >> extra)) << (8 * extra));
        out.extend_from_slice(&marked.to_be_bytes()[7 - extra..]);
    }
}

#[cfg(test)]
#[path = "vint_tests.rs"]
mod tests;
