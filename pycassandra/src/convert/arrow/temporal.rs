//! Arrow dates, times, timestamps, durations and intervals into CQL date,
//! time, timestamp and duration.

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::Array;
use arrow_schema::{DataType, IntervalUnit, TimeUnit};
use scylla::cluster::metadata::NativeType;
use scylla::value::{CqlDuration, CqlTimestamp};

use super::{put, Encode, Failure, Node};
use crate::convert::text::{self, DURATION_OUT_OF_RANGE, TIMESTAMP_OUT_OF_RANGE};
use crate::error::ConvertErrorKind;

pub(super) fn plan(input: &DataType, native: &NativeType) -> Option<Node> {
    use NativeType as N;
    let encode: Encode = match (input, native) {
        (DataType::Date32, N::Date) => |a, r, out| {
            let days = a.as_primitive::<Date32Type>().value(r);
            let value = || format!("{days} days");
            let date = text::date_from_days(i64::from(days)).map_err(|reason| Failure::new(reason, value()))?;
            put(out, N::Date, &date).map_err(|reason| Failure::new(reason, value()))
        },
        (DataType::Date64, N::Date) => |a, r, out| {
            let millis = a.as_primitive::<Date64Type>().value(r);
            let value = || format!("{millis} ms");
            if millis % 86_400_000 != 0 {
                return Err(Failure::new(ConvertErrorKind::NotWholeDay, value()));
            }
            let date = text::date_from_days(millis / 86_400_000).map_err(|reason| Failure::new(reason, value()))?;
            put(out, N::Date, &date).map_err(|reason| Failure::new(reason, value()))
        },
        (DataType::Timestamp(_, _), N::Timestamp) => |a, r, out| {
            let millis = timestamp_millis(a, r)?;
            put(out, N::Timestamp, &CqlTimestamp(millis)).map_err(|reason| Failure::new(reason, millis.to_string()))
        },
        (DataType::Time32(_) | DataType::Time64(_), N::Time) => |a, r, out| {
            let nanos = time_nanos(a, r);
            let value = || format!("{nanos} ns");
            let time = text::time_from_nanos(nanos).map_err(|reason| Failure::new(reason, value()))?;
            put(out, N::Time, &time).map_err(|reason| Failure::new(reason, value()))
        },
        (DataType::Duration(_), N::Duration) => |a, r, out| {
            let (value, per_unit) = duration_units(a, r);
            let nanoseconds =
                value.checked_mul(per_unit).ok_or_else(|| Failure::new(DURATION_OUT_OF_RANGE, value.to_string()))?;
            put_duration(out, CqlDuration { months: 0, days: 0, nanoseconds })
        },
        (DataType::Interval(IntervalUnit::MonthDayNano), N::Duration) => |a, r, out| {
            let v = a.as_primitive::<IntervalMonthDayNanoType>().value(r);
            put_duration(out, CqlDuration { months: v.months, days: v.days, nanoseconds: v.nanoseconds })
        },
        (DataType::Interval(IntervalUnit::YearMonth), N::Duration) => |a, r, out| {
            let months = a.as_primitive::<IntervalYearMonthType>().value(r);
            put_duration(out, CqlDuration { months, days: 0, nanoseconds: 0 })
        },
        (DataType::Interval(IntervalUnit::DayTime), N::Duration) => |a, r, out| {
            let v = a.as_primitive::<IntervalDayTimeType>().value(r);
            let nanoseconds = i64::from(v.milliseconds) * 1_000_000;
            put_duration(out, CqlDuration { months: 0, days: v.days, nanoseconds })
        },
        _ => return None,
    };
    Some(Node::Scalar(encode))
}

fn put_duration(out: &mut Vec<u8>, duration: CqlDuration) -> Result<(), Failure> {
    put(out, NativeType::Duration, &duration).map_err(|reason| Failure::new(reason, format!("{duration:?}")))
}

fn timestamp_millis(array: &dyn Array, row: usize) -> Result<i64, Failure> {
    let DataType::Timestamp(unit, _) = array.data_type() else {
        return Err(Failure::new(ConvertErrorKind::Syntax { expected: "a timestamp" }, "?"));
    };
    let (value, per_milli) = match unit {
        TimeUnit::Second => {
            let s = array.as_primitive::<TimestampSecondType>().value(row);
            return s.checked_mul(1000).ok_or_else(|| Failure::new(TIMESTAMP_OUT_OF_RANGE, s.to_string()));
        }
        TimeUnit::Millisecond => return Ok(array.as_primitive::<TimestampMillisecondType>().value(row)),
        TimeUnit::Microsecond => (array.as_primitive::<TimestampMicrosecondType>().value(row), 1_000),
        TimeUnit::Nanosecond => (array.as_primitive::<TimestampNanosecondType>().value(row), 1_000_000),
    };
    if value % per_milli != 0 {
        return Err(Failure::new(
            ConvertErrorKind::SubMillisecond,
            format!("{value} {}", if per_milli == 1_000 { "µs" } else { "ns" }),
        ));
    }
    Ok(value / per_milli)
}

fn time_nanos(array: &dyn Array, row: usize) -> i64 {
    match array.data_type() {
        DataType::Time32(TimeUnit::Second) => {
            i64::from(array.as_primitive::<Time32SecondType>().value(row)) * 1_000_000_000
        }
        DataType::Time32(_) => i64::from(array.as_primitive::<Time32MillisecondType>().value(row)) * 1_000_000,
        DataType::Time64(TimeUnit::Microsecond) => array.as_primitive::<Time64MicrosecondType>().value(row) * 1_000,
        _ => array.as_primitive::<Time64NanosecondType>().value(row),
    }
}

fn duration_units(array: &dyn Array, row: usize) -> (i64, i64) {
    match array.data_type() {
        DataType::Duration(TimeUnit::Second) => (array.as_primitive::<DurationSecondType>().value(row), 1_000_000_000),
        DataType::Duration(TimeUnit::Millisecond) => {
            (array.as_primitive::<DurationMillisecondType>().value(row), 1_000_000)
        }
        DataType::Duration(TimeUnit::Microsecond) => {
            (array.as_primitive::<DurationMicrosecondType>().value(row), 1_000)
        }
        _ => (array.as_primitive::<DurationNanosecondType>().value(row), 1),
    }
}
