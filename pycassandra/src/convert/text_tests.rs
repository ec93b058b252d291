use super::*;

#[test]
fn uuid_errors_say_invalid_uuid() {
    assert!(matches!(uuid("not-a-uuid"), Err(ConvertErrorKind::InvalidUuid { .. })));
    assert_eq!(
        uuid("550e8400-e29b-41d4-a716-446655440000").unwrap().to_string(),
        "550e8400-e29b-41d4-a716-446655440000"
    );
}

#[test]
fn timeuuid_needs_version_one() {
    assert!(
        timeuuid("550e8400-e29b-41d4-a716-446655440000").unwrap_err() == ConvertErrorKind::NotTimeuuid { version: 4 }
    );
    assert!(timeuuid("e7c3a6a0-2c1b-11ef-9454-0242ac120002").is_ok());
}

#[test]
fn varint_encodes_minimal_twos_complement() {
    let bytes = |t: &str| varint(t).unwrap().as_signed_bytes_be_slice().to_vec();
    assert_eq!(bytes("0"), [0x00]);
    assert_eq!(bytes("127"), [0x7f]);
    assert_eq!(bytes("128"), [0x00, 0x80]);
    assert_eq!(bytes("-1"), [0xff]);
    assert_eq!(bytes("-128"), [0x80]);
    assert_eq!(bytes("-129"), [0xff, 0x7f]);
    assert_eq!(bytes("65536"), [0x01, 0x00, 0x00]);
    assert!(varint("12a").is_err());
    assert!(varint("").is_err());
}

#[test]
fn decimal_keeps_scale_and_exponent() {
    let parts = |t: &str| {
        let d = decimal(t).unwrap();
        let (bytes, scale) = d.as_signed_be_bytes_slice_and_exponent();
        (bytes.to_vec(), scale)
    };
    assert_eq!(parts("12.345"), (vec![0x30, 0x39], 3));
    assert_eq!(parts("-1.5"), (vec![0xf1], 1));
    assert_eq!(parts("1.5e3"), (vec![0x0f], -2));
    assert!(decimal("1.2.3").is_err());
}

#[test]
fn dates_count_from_two_to_the_31() {
    assert_eq!(date("1970-01-01").unwrap().0, 1 << 31);
    assert_eq!(date("2024-02-29").unwrap().0, (1u32 << 31) + 19_782);
    assert!(date("2023-02-29").unwrap_err() == ConvertErrorKind::NoSuchDate);
    assert!(date("2024-1-5").is_err());
}

#[test]
fn times_and_timestamps() {
    assert_eq!(time("01:02:03.5").unwrap().0, 3_723_500_000_000);
    assert!(time("24:00:00").is_err());
    assert_eq!(timestamp("1970-01-02T00:00:00Z").unwrap().0, 86_400_000);
    assert_eq!(timestamp("1970-01-01 01:00:00+01:00").unwrap().0, 0);
    assert_eq!(timestamp("1234").unwrap().0, 1234);
    assert!(timestamp("1970-01-01T00:00:00.0001Z").unwrap_err() == ConvertErrorKind::SubMillisecond);
    assert_eq!(timestamp("1970-01-01T00:00:00+0530").unwrap().0, -330 * 60_000);
}

/// Found by the convert_text fuzz target: these overflowed (a panic in debug
/// builds, a silently wrong timestamp in release builds).
#[test]
fn far_years_and_zone_offsets_are_errors_not_overflows() {
    assert!(timestamp("5449999999999994-+4-23").is_err());
    assert!(timestamp("999999999-12-31T00:00:00Z").unwrap_err().to_string().contains("out of range"));
    assert!(timestamp("1970-01-01T00:00:00+99999999999999999:00").unwrap_err().to_string().contains("offset"));
    assert!(timestamp("1970-01-01T00:00:00+24:00").is_err());
    assert!(date("1234567890-01-01").is_err());
    assert!(timestamp("4462-12-23   -Y\u{3b7}\0").unwrap_err().to_string().contains("offset"));
}

#[test]
fn durations_in_both_spellings() {
    let d = duration("1y2mo3w4d5h6m7s8ms9us10ns").unwrap();
    assert_eq!((d.months, d.days), (14, 25));
    assert_eq!(d.nanoseconds, 5 * 3_600_000_000_000 + 6 * 60_000_000_000 + 7_000_000_000 + 8_000_000 + 9_000 + 10);
    let iso = duration("P1DT2H").unwrap();
    assert_eq!((iso.months, iso.days, iso.nanoseconds), (0, 1, 7_200_000_000_000));
    assert_eq!(duration("-2d").unwrap().days, -2);
    assert!(duration("5 parsecs").is_err());
}

#[test]
fn date_parts_are_digits_only() {
    assert!(date("2020-+4-01").is_err());
    assert!(date("+2020-04-01").is_ok());
    assert!(date("2020-04-+1").is_err());
}
