//! Parsing of the text forms users send for CQL types that Arrow (and Spark)
//! have no type for. Each returns a [`ConvertErrorKind`] on failure; the
//! caller adds the row, column and value.

use std::net::IpAddr;

use scylla::value::{CqlDate, CqlDecimal, CqlDuration, CqlTime, CqlTimestamp, CqlTimeuuid, CqlVarint};
use uuid::Uuid;

use crate::error::ConvertErrorKind;

/// Days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const UNIX_EPOCH_DAYS: i64 = 719_468;
/// CQL `date` counts days with 1970-01-01 at 2^31.
const CQL_DATE_EPOCH: i64 = 1 << 31;
const NANOS_PER_DAY: i64 = 86_400_000_000_000;

const fn syntax(expected: &'static str) -> ConvertErrorKind {
    ConvertErrorKind::Syntax { expected }
}

/// A duration beyond what CQL `duration` holds.
pub(crate) const DURATION_OUT_OF_RANGE: ConvertErrorKind =
    ConvertErrorKind::OutOfRange { what: "duration", range: "32-bit months and days, 64-bit nanoseconds" };

/// A timestamp beyond what CQL `timestamp` holds.
pub(crate) const TIMESTAMP_OUT_OF_RANGE: ConvertErrorKind =
    ConvertErrorKind::OutOfRange { what: "timestamp", range: "a signed 64-bit count of milliseconds" };

/// A uuid of any version, in its hyphenated or simple form.
pub fn uuid(text: &str) -> Result<Uuid, ConvertErrorKind> {
    Uuid::parse_str(text.trim()).map_err(|error| ConvertErrorKind::InvalidUuid { error })
}

/// A version-1 uuid, as `timeuuid` requires.
pub fn timeuuid(text: &str) -> Result<CqlTimeuuid, ConvertErrorKind> {
    let parsed = uuid(text)?;
    check_timeuuid(parsed)
}

/// Refuses uuids that are not version 1.
pub fn check_timeuuid(value: Uuid) -> Result<CqlTimeuuid, ConvertErrorKind> {
    if value.get_version_num() == 1 {
        Ok(CqlTimeuuid::from(value))
    } else {
        Err(ConvertErrorKind::NotTimeuuid { version: value.get_version_num() })
    }
}

/// An IPv4 or IPv6 address.
pub fn inet(text: &str) -> Result<IpAddr, ConvertErrorKind> {
    text.trim().parse().map_err(|_| syntax("an IPv4 or IPv6 address"))
}

/// Two's-complement big-endian bytes of a decimal integer string.
pub fn varint(text: &str) -> Result<CqlVarint, ConvertErrorKind> {
    let text = text.trim();
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax("an integer"));
    }
    Ok(CqlVarint::from_signed_bytes_be(signed_bytes(negative, digits)))
}

/// A decimal such as `-12.345` or `1.5e-3`, kept exactly (unscaled integer and scale).
pub fn decimal(text: &str) -> Result<CqlDecimal, ConvertErrorKind> {
    let text = text.trim();
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => {
            let exponent: i64 = text[at + 1..].parse().map_err(|_| syntax("a decimal number"))?;
            (&text[..at], exponent)
        }
        None => (text, 0),
    };
    let (negative, unsigned) = match mantissa.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, mantissa.strip_prefix('+').unwrap_or(mantissa)),
    };
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits = format!("{whole}{fraction}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(syntax("a decimal number"));
    }
    let scale = i64::try_from(fraction.len()).unwrap_or(i64::MAX).saturating_sub(exponent);
    let scale = i32::try_from(scale)
        .map_err(|_| ConvertErrorKind::OutOfRange { what: "decimal exponent", range: "a 32-bit scale" })?;
    Ok(CqlDecimal::from_signed_be_bytes_and_exponent(signed_bytes(negative, &digits), scale))
}

/// Minimal two's-complement big-endian encoding of a decimal digit string.
fn signed_bytes(negative: bool, digits: &str) -> Vec<u8> {
    // Little-endian magnitude, built by repeated multiply-by-ten.
    let mut magnitude: Vec<u8> = vec![0];
    for digit in digits.bytes().map(|b| b - b'0') {
        let mut carry = u16::from(digit);
        for byte in magnitude.iter_mut() {
            let value = u16::from(*byte) * 10 + carry;
            *byte = (value & 0xff) as u8;
            carry = value >> 8;
        }
        if carry > 0 {
            magnitude.push(carry as u8);
        }
    }
    magnitude.push(0); // room for the sign bit
    if negative {
        let mut carry = 1u16;
        for byte in magnitude.iter_mut() {
            let value = u16::from(!*byte) + carry;
            *byte = (value & 0xff) as u8;
            carry = value >> 8;
        }
    }
    magnitude.reverse();
    // Drop redundant sign bytes.
    while magnitude.len() > 1
        && ((magnitude[0] == 0 && magnitude[1] & 0x80 == 0) || (magnitude[0] == 0xff && magnitude[1] & 0x80 != 0))
    {
        magnitude.remove(0);
    }
    magnitude
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month = i64::from(month);
    let day_of_year = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - UNIX_EPOCH_DAYS
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses `YYYY-MM-DD` (a leading `-` or `+` for far years) into days since the epoch.
fn civil_days(text: &str) -> Result<i64, ConvertErrorKind> {
    let bad = || syntax("a date (expected YYYY-MM-DD)");
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text.strip_prefix('+').unwrap_or(text)),
    };
    let mut parts = rest.splitn(3, '-');
    let (Some(y), Some(m), Some(d)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(bad());
    };
    // Nine digits of years reach far past any CQL date or timestamp and keep the day arithmetic in range.
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if y.len() < 4 || y.len() > 9 || m.len() != 2 || d.len() != 2 || !(digits(y) && digits(m) && digits(d)) {
        return Err(bad());
    }
    let year = sign * y.parse::<i64>().map_err(|_| bad())?;
    let month: u32 = m.parse().map_err(|_| bad())?;
    let day: u32 = d.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
        return Err(ConvertErrorKind::NoSuchDate);
    }
    Ok(days_from_civil(year, month, day))
}

/// A CQL `date` from `YYYY-MM-DD`.
pub fn date(text: &str) -> Result<CqlDate, ConvertErrorKind> {
    date_from_days(civil_days(text.trim())?)
}

/// A CQL `date` from days since 1970-01-01, range-checked.
pub fn date_from_days(days: i64) -> Result<CqlDate, ConvertErrorKind> {
    u32::try_from(days + CQL_DATE_EPOCH)
        .map(CqlDate)
        .map_err(|_| ConvertErrorKind::OutOfRange { what: "date", range: "2^31 days either side of 1970-01-01" })
}

/// Nanoseconds of `HH:MM[:SS[.fffffffff]]`.
fn clock_nanos(text: &str) -> Result<i64, ConvertErrorKind> {
    let bad = || syntax("a time of day (expected HH:MM:SS[.fffffffff])");
    let (clock, fraction) = text.split_once('.').unwrap_or((text, ""));
    let fields: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&fields.len()) || fields.iter().any(|f| f.len() != 2) {
        return Err(bad());
    }
    let number = |f: &str| f.parse::<i64>().map_err(|_| bad());
    let (hours, minutes) = (number(fields[0])?, number(fields[1])?);
    let seconds = if fields.len() == 3 { number(fields[2])? } else { 0 };
    if hours > 23 || minutes > 59 || seconds > 59 || fraction.len() > 9 || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let fraction_nanos =
        if fraction.is_empty() { 0 } else { format!("{fraction:0<9}").parse::<i64>().map_err(|_| bad())? };
    Ok(((hours * 60 + minutes) * 60 + seconds) * 1_000_000_000 + fraction_nanos)
}

/// A CQL `time` from `HH:MM:SS[.fffffffff]`.
pub fn time(text: &str) -> Result<CqlTime, ConvertErrorKind> {
    clock_nanos(text.trim()).map(CqlTime)
}

/// A CQL `time` from nanoseconds since midnight, range-checked.
pub fn time_from_nanos(nanos: i64) -> Result<CqlTime, ConvertErrorKind> {
    if (0..NANOS_PER_DAY).contains(&nanos) {
        Ok(CqlTime(nanos))
    } else {
        Err(ConvertErrorKind::OutOfRange { what: "time of day", range: "0 to 23:59:59.999999999" })
    }
}

/// A CQL `timestamp` from `YYYY-MM-DD[( |T)HH:MM[:SS[.fff]]][Z|±HH:MM]` or
/// whole milliseconds since the epoch. Text without a zone is UTC.
/// Sub-millisecond digits are refused, not dropped.
pub fn timestamp(text: &str) -> Result<CqlTimestamp, ConvertErrorKind> {
    let text = text.trim();
    if let Ok(millis) = text.parse::<i64>() {
        return Ok(CqlTimestamp(millis));
    }
    let (day, rest) = match text.find(['T', 't', ' ']) {
        Some(at) => (&text[..at], &text[at + 1..]),
        None => (text, ""),
    };
    let days = civil_days(day)?;
    let (clock, offset_minutes) = split_zone(rest)?;
    let nanos = if clock.is_empty() { 0 } else { clock_nanos(clock)? };
    if nanos % 1_000_000 != 0 {
        return Err(ConvertErrorKind::SubMillisecond);
    }
    days.checked_mul(86_400_000)
        .and_then(|millis| millis.checked_add(nanos / 1_000_000))
        .and_then(|millis| millis.checked_sub(offset_minutes * 60_000))
        .map(CqlTimestamp)
        .ok_or(TIMESTAMP_OUT_OF_RANGE)
}

fn split_zone(rest: &str) -> Result<(&str, i64), ConvertErrorKind> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Ok((clock, 0));
    }
    if let Some(at) = rest.rfind(['+', '-']) {
        let zone = &rest[at + 1..];
        let bad = || syntax("a time zone offset (expected Z or ±HH:MM)");
        if !zone.is_ascii() {
            return Err(bad());
        }
        let (hours, minutes) =
            zone.split_once(':').unwrap_or(if zone.len() == 4 { (&zone[..2], &zone[2..]) } else { (zone, "0") });
        let (hours, minutes) = (hours.parse::<i64>().map_err(|_| bad())?, minutes.parse::<i64>().map_err(|_| bad())?);
        if !(0..=23).contains(&hours) || !(0..=59).contains(&minutes) {
            return Err(bad());
        }
        let minutes = hours * 60 + minutes;
        let sign = if rest.as_bytes()[at] == b'-' { -1 } else { 1 };
        return Ok((&rest[..at], sign * minutes));
    }
    Ok((rest, 0))
}

/// A CQL `duration` from Cassandra's unit form (`1y2mo3w4d5h6m7s8ms9us10ns`,
/// optionally negative) or ISO 8601 (`P1Y2M3DT4H5M6S`, `P2W`).
pub fn duration(text: &str) -> Result<CqlDuration, ConvertErrorKind> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let mut total = CqlDuration { months: 0, days: 0, nanoseconds: 0 };
    let bad = || syntax("a duration (expected e.g. 1h30m, 2d, P1DT2H)");
    let overflow = || DURATION_OUT_OF_RANGE;
    let mut add = |count: i64, unit: &str| -> Result<(), ConvertErrorKind> {
        let (months, days, nanos): (i64, i64, i64) = match unit {
            "y" => (12, 0, 0),
            "mo" => (1, 0, 0),
            "w" => (0, 7, 0),
            "d" => (0, 1, 0),
            "h" => (0, 0, 3_600_000_000_000),
            "m" => (0, 0, 60_000_000_000),
            "s" => (0, 0, 1_000_000_000),
            "ms" => (0, 0, 1_000_000),
            "us" | "µs" => (0, 0, 1_000),
            "ns" => (0, 0, 1),
            _ => return Err(bad()),
        };
        let months = i32::try_from(count.checked_mul(months).ok_or_else(overflow)?).map_err(|_| overflow())?;
        let days = i32::try_from(count.checked_mul(days).ok_or_else(overflow)?).map_err(|_| overflow())?;
        total.months = total.months.checked_add(months).ok_or_else(overflow)?;
        total.days = total.days.checked_add(days).ok_or_else(overflow)?;
        total.nanoseconds =
            total.nanoseconds.checked_add(count.checked_mul(nanos).ok_or_else(overflow)?).ok_or_else(overflow)?;
        Ok(())
    };
    if let Some(iso) = body.strip_prefix('P') {
        let (date_part, time_part) = iso.split_once('T').unwrap_or((iso, ""));
        if date_part.is_empty() && time_part.is_empty() {
            return Err(bad());
        }
        for (part, is_time) in [(date_part, false), (time_part, true)] {
            let mut number = String::new();
            for c in part.chars() {
                if c.is_ascii_digit() {
                    number.push(c);
                    continue;
                }
                let count: i64 = number.parse().map_err(|_| bad())?;
                number.clear();
                let unit = match (c, is_time) {
                    ('Y', false) => "y",
                    ('M', false) => "mo",
                    ('W', false) => "w",
                    ('D', false) => "d",
                    ('H', true) => "h",
                    ('M', true) => "m",
                    ('S', true) => "s",
                    _ => return Err(bad()),
                };
                add(count, unit)?;
            }
            if !number.is_empty() {
                return Err(bad());
            }
        }
    } else {
        let mut rest = body;
        if rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
            let count: i64 = rest[..digits].parse().map_err(|_| bad())?;
            rest = &rest[digits..];
            let unit_len = rest.find(|c: char| c.is_ascii_digit()).unwrap_or(rest.len());
            add(count, &rest[..unit_len].to_ascii_lowercase())?;
            rest = &rest[unit_len..];
        }
    }
    if negative {
        total.months = -total.months;
        total.days = -total.days;
        total.nanoseconds = -total.nanoseconds;
    }
    Ok(total)
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;
