//! Reading CQL's binary value encodings (native protocol v4/v5 §6) straight
//! from the frame, without building driver values in between.

use std::fmt::Write as _;

use crate::error::DecodeErrorKind;
use crate::vint;

/// A cursor over the bytes of one value.
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeErrorKind> {
        if self.bytes.len() < n {
            return Err(DecodeErrorKind::Truncated { needed: n, left: self.bytes.len() });
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    pub(crate) fn i32(&mut self) -> Result<i32, DecodeErrorKind> {
        Ok(i32::from_be_bytes(fixed(self.take(4)?)?))
    }

    /// A `[bytes]` item: a signed length, then that many bytes; a negative length is null.
    pub(crate) fn item(&mut self) -> Result<Option<&'a [u8]>, DecodeErrorKind> {
        let length = self.i32()?;
        if length < 0 {
            return Ok(None);
        }
        self.take(length as usize).map(Some)
    }

    /// An unsigned variable-length integer (vector element lengths).
    pub(crate) fn unsigned_vint(&mut self) -> Result<u64, DecodeErrorKind> {
        let (value, length) = vint::read_unsigned(self.bytes).ok_or_else(|| self.short_vint())?;
        self.bytes = &self.bytes[length..];
        Ok(value)
    }

    /// A signed (zig-zag) variable-length integer (duration parts).
    pub(crate) fn signed_vint(&mut self) -> Result<i64, DecodeErrorKind> {
        let (value, length) = vint::read_signed(self.bytes).ok_or_else(|| self.short_vint())?;
        self.bytes = &self.bytes[length..];
        Ok(value)
    }

    /// What a vint that ends early is missing: its first byte, or the extra bytes that byte announces.
    fn short_vint(&self) -> DecodeErrorKind {
        let left = self.bytes.len().saturating_sub(1);
        let needed = vint::announced_length(self.bytes) - usize::from(!self.bytes.is_empty());
        DecodeErrorKind::Truncated { needed, left }
    }
}

/// Exactly `N` bytes, or an error naming the length found.
pub(crate) fn fixed<const N: usize>(bytes: &[u8]) -> Result<[u8; N], DecodeErrorKind> {
    bytes.try_into().map_err(|_| DecodeErrorKind::Length { expected: N, got: bytes.len() })
}

/// Appends the decimal digits of a two's-complement big-endian integer.
pub(crate) fn push_varint(bytes: &[u8], out: &mut String) {
    let negative = bytes.first().is_some_and(|b| b & 0x80 != 0);
    // Magnitude in big-endian base 256.
    let mut magnitude: Vec<u8> = if negative {
        let mut inverted: Vec<u8> = bytes.iter().map(|b| !b).collect();
        for byte in inverted.iter_mut().rev() {
            let (sum, overflow) = byte.overflowing_add(1);
            *byte = sum;
            if !overflow {
                break;
            }
        }
        inverted
    } else {
        bytes.to_vec()
    };
    // Repeated division by 10^9 gives base-10^9 limbs, least significant first.
    let mut limbs: Vec<u32> = Vec::new();
    while magnitude.iter().any(|b| *b != 0) {
        let mut remainder: u64 = 0;
        for byte in magnitude.iter_mut() {
            let value = (remainder << 8) | u64::from(*byte);
            *byte = (value / 1_000_000_000) as u8;
            remainder = value % 1_000_000_000;
        }
        limbs.push(remainder as u32);
        let leading_zeros = magnitude.iter().take_while(|b| **b == 0).count();
        magnitude.drain(..leading_zeros);
    }
    if negative {
        out.push('-');
    }
    match limbs.split_last() {
        None => out.push('0'),
        Some((most, rest)) => {
            let _ = write!(out, "{most}");
            for limb in rest.iter().rev() {
                let _ = write!(out, "{limb:09}");
            }
        }
    }
}

/// Zeros written after "0." before E notation is used instead.
const MOST_LEADING_ZEROS: usize = 32;

/// Appends a CQL decimal (scale, then unscaled varint) in plain or E notation, exactly.
pub(crate) fn push_decimal(bytes: &[u8], out: &mut String) -> Result<(), DecodeErrorKind> {
    let mut cursor = Cursor::new(bytes);
    let scale = cursor.i32()?;
    let mut digits = String::new();
    push_varint(cursor.take(bytes.len() - 4)?, &mut digits);
    let (sign, digits) = match digits.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", digits.as_str()),
    };
    out.push_str(sign);
    if scale <= 0 {
        out.push_str(digits);
        if scale < 0 {
            let _ = write!(out, "E{}", -i64::from(scale));
        }
        return Ok(());
    }
    let scale = scale as usize;
    if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        let _ = write!(out, "{whole}.{fraction}");
    } else if scale - digits.len() <= MOST_LEADING_ZEROS {
        let _ = write!(out, "0.{}{digits}", "0".repeat(scale - digits.len()));
    } else {
        // A scale of up to 2^31 would otherwise spell out as many zeros.
        let _ = write!(out, "{digits}E-{scale}");
    }
    Ok(())
}

/// Appends a CQL duration as `[-]<months>mo<days>d<nanoseconds>ns`, zero parts left out.
pub(crate) fn push_duration(bytes: &[u8], out: &mut String) -> Result<(), DecodeErrorKind> {
    let mut cursor = Cursor::new(bytes);
    let months = cursor.signed_vint()?;
    let days = cursor.signed_vint()?;
    let nanos = cursor.signed_vint()?;
    if months < 0 || days < 0 || nanos < 0 {
        out.push('-');
    }
    let mut wrote = false;
    for (value, unit) in [(months, "mo"), (days, "d"), (nanos, "ns")] {
        if value != 0 {
            let _ = write!(out, "{}{unit}", value.unsigned_abs());
            wrote = true;
        }
    }
    if !wrote {
        out.push_str("0s");
    }
    Ok(())
}

/// Appends an IPv4 or IPv6 address.
pub(crate) fn push_inet(bytes: &[u8], out: &mut String) -> Result<(), DecodeErrorKind> {
    let address = match bytes.len() {
        4 => std::net::IpAddr::from(fixed::<4>(bytes)?),
        16 => std::net::IpAddr::from(fixed::<16>(bytes)?),
        got => return Err(DecodeErrorKind::InetLength { got }),
    };
    let _ = write!(out, "{address}");
    Ok(())
}

/// Appends a uuid in its hyphenated lower-case form.
pub(crate) fn push_uuid(bytes: &[u8], out: &mut String) -> Result<(), DecodeErrorKind> {
    let uuid = uuid::Uuid::from_bytes(fixed::<16>(bytes)?);
    let mut buffer = uuid::Uuid::encode_buffer();
    out.push_str(uuid.hyphenated().encode_lower(&mut buffer));
    Ok(())
}

/// The value of a two's-complement big-endian integer, if it fits an i128.
pub(crate) fn varint_i128(bytes: &[u8]) -> Option<i128> {
    if bytes.len() > 16 {
        return None;
    }
    let fill = if bytes.first().is_some_and(|b| b & 0x80 != 0) { 0xff } else { 0 };
    let mut buffer = [fill; 16];
    buffer[16 - bytes.len()..].copy_from_slice(bytes);
    Some(i128::from_be_bytes(buffer))
}

#[cfg(test)]
#[path = "wire_tests.rs"]
mod tests;
