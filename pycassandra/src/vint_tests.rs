//! The codec against Cassandra's own encodings, and reading back what it writes.

use proptest::prelude::*;

use super::*;

/// Cases from the driver's own vint tests.
const CASES: [(u64, &[u8]); 7] = [
    (0, &[0]),
    (127, &[127]),
    (1 << 7, &[128, 128]),
    ((1 << 8) + 1, &[129, 1]),
    ((1 << 14) - 1, &[191, 255]),
    (1 << 14, &[192, 64, 0]),
    (u64::MAX, &[255, 255, 255, 255, 255, 255, 255, 255, 255]),
];

#[test]
fn writes_cassandras_bytes_for_each_length() {
    for (value, expected) in CASES {
        let mut out = Vec::new();
        write_unsigned(value, &mut out);
        assert_eq!(out, expected, "{value}");
    }
}

#[test]
fn reads_each_length_and_refuses_a_short_one() {
    for (value, bytes) in CASES {
        assert_eq!(read_unsigned(bytes), Some((value, bytes.len())), "{bytes:?}");
    }
    assert_eq!(read_unsigned(&[]), None);
    assert_eq!(read_unsigned(&[0xC0, 0x40]), None);
    assert_eq!((announced_length(&[]), announced_length(&[0xC0, 0x40])), (1, 3));
}

#[test]
fn a_32_bit_vint_must_fit_an_int() {
    assert_eq!(read_unsigned32(&[0x05]), Some(Ok((5, 1))));
    // -1 sign-extended: nine bytes of 0xFF.
    assert_eq!(read_unsigned32(&[0xFF; 9]), Some(Ok((-1, 9))));
    assert_eq!(read_unsigned32(&[0xF0, 0x80, 0x00, 0x00, 0x00]), Some(Err(0x8000_0000)));
}

#[test]
fn signed_vints_are_zig_zag() {
    assert_eq!(read_signed(&[0]), Some((0, 1)));
    assert_eq!(read_signed(&[1]), Some((-1, 1)));
    assert_eq!(read_signed(&[2]), Some((1, 1)));
    assert_eq!(read_signed(&[0xFF; 9]), Some((i64::MIN, 9)));
}

proptest! {
    #[test]
    fn what_is_written_reads_back_in_as_many_bytes(value in any::<u64>(), shift in 0u32..64, tail in any::<u8>()) {
        let value = value >> shift;
        let mut out = Vec::new();
        write_unsigned(value, &mut out);
        let length = out.len();
        prop_assert_eq!(announced_length(&out), length);
        out.push(tail);
        prop_assert_eq!(read_unsigned(&out), Some((value, length)));
    }
}
