use proptest::prelude::*;

use super::*;
use crate::convert::text;

fn varint_text(bytes: &[u8]) -> String {
    let mut out = String::new();
    push_varint(bytes, &mut out);
    out
}

#[test]
fn varints_print_in_decimal() {
    assert_eq!(varint_text(&[]), "0");
    assert_eq!(varint_text(&[0x00]), "0");
    assert_eq!(varint_text(&[0x7f]), "127");
    assert_eq!(varint_text(&[0x80]), "-128");
    assert_eq!(varint_text(&[0x00, 0x80]), "128");
    assert_eq!(varint_text(&[0xff]), "-1");
    // 2^64 and -(2^64)
    assert_eq!(varint_text(&[0x01, 0, 0, 0, 0, 0, 0, 0, 0]), "18446744073709551616");
    assert_eq!(varint_text(&[0xff, 0, 0, 0, 0, 0, 0, 0, 0]), "-18446744073709551616");
}

fn decimal_text(scale: i32, unscaled: &[u8]) -> String {
    let mut bytes = scale.to_be_bytes().to_vec();
    bytes.extend_from_slice(unscaled);
    let mut out = String::new();
    push_decimal(&bytes, &mut out).unwrap();
    out
}

#[test]
fn decimals_keep_their_scale() {
    assert_eq!(decimal_text(2, &[0x30, 0x39]), "123.45");
    assert_eq!(decimal_text(5, &[0x30, 0x39]), "0.12345");
    assert_eq!(decimal_text(7, &[0x30, 0x39]), "0.0012345");
    assert_eq!(decimal_text(2, &[0xcf, 0xc7]), "-123.45");
    assert_eq!(decimal_text(0, &[0x05]), "5");
    assert_eq!(decimal_text(-3, &[0x05]), "5E3");
    assert_eq!(decimal_text(3, &[0x00]), "0.000");
    assert_eq!(decimal_text(37, &[0x30, 0x39]), "0.0000000000000000000000000000000012345");
}

/// Found by the decode_cql fuzz target: a scale near 2^31 spelled out that many zeros.
#[test]
fn huge_scales_print_in_e_notation() {
    assert_eq!(decimal_text(38, &[0x30, 0x39]), "12345E-38");
    assert_eq!(decimal_text(i32::MAX, &[0x05]), format!("5E-{}", i32::MAX));
}

#[test]
fn durations_print_months_days_nanoseconds() {
    let mut out = String::new();
    // months 1 (zig-zag 2), days 2 (4), nanos 3 (6)
    push_duration(&[2, 4, 6], &mut out).unwrap();
    assert_eq!(out, "1mo2d3ns");
    out.clear();
    push_duration(&[1, 0, 0], &mut out).unwrap();
    assert_eq!(out, "-1mo");
    out.clear();
    push_duration(&[0, 0, 0], &mut out).unwrap();
    assert_eq!(out, "0s");
}

#[test]
fn truncated_values_are_errors_not_panics() {
    assert!(Cursor::new(&[0, 0]).i32().is_err());
    assert!(Cursor::new(&[0, 0, 0, 9, 1]).item().is_err());
    assert!(push_decimal(&[0, 0], &mut String::new()).is_err());
    assert!(push_duration(&[0xff], &mut String::new()).is_err());
    assert!(push_inet(&[1, 2, 3], &mut String::new()).is_err());
    assert!(push_uuid(&[1; 15], &mut String::new()).is_err());
}

proptest! {
    #[test]
    fn varint_text_parses_back_to_the_same_value(value in any::<i128>()) {
        let bytes = value.to_be_bytes();
        let printed = varint_text(&bytes);
        prop_assert_eq!(&printed, &value.to_string());
        let parsed = text::varint(&printed).unwrap();
        prop_assert_eq!(varint_i128(parsed.as_signed_bytes_be_slice()), Some(value));
    }

    #[test]
    fn decimal_text_parses_back_to_the_same_value(unscaled in any::<i64>(), scale in prop_oneof![-20i32..60, (i32::MAX - 10)..i32::MAX]) {
        let printed = decimal_text(scale, &unscaled.to_be_bytes());
        let parsed = text::decimal(&printed).unwrap();
        let (bytes, parsed_scale) = parsed.as_signed_be_bytes_slice_and_exponent();
        // Equal as numbers: same unscaled value at the same scale.
        prop_assert_eq!((varint_i128(bytes), parsed_scale), (Some(i128::from(unscaled)), scale));
    }

    #[test]
    fn duration_text_parses_back(months in -1000i32..1000, days in -1000i32..1000, nanos in any::<i64>()) {
        // Cassandra requires every part to have the same sign.
        let (months, days, nanos) = if months < 0 { (months, -days.abs(), -((nanos.unsigned_abs() >> 1) as i64)) } else { (months, days.abs(), (nanos.unsigned_abs() >> 1) as i64) };
        let zigzag = |v: i64| ((v << 1) ^ (v >> 63)) as u64;
        let mut bytes = Vec::new();
        for value in [i64::from(months), i64::from(days), nanos] {
            let encoded = zigzag(value);
            // 9-byte form: 0xff then 8 big-endian bytes.
            bytes.push(0xff);
            bytes.extend_from_slice(&encoded.to_be_bytes());
        }
        let mut out = String::new();
        push_duration(&bytes, &mut out).unwrap();
        let parsed = text::duration(&out).unwrap();
        prop_assert_eq!((parsed.months, parsed.days, parsed.nanoseconds), (months, days, nanos));
    }
}
