//! Arrow strings into any CQL scalar: text as is, the rest parsed the way
//! CQL literals are written (see [`crate::convert::text`]).

use arrow_schema::DataType;
use scylla::cluster::metadata::NativeType;
use scylla::value::Counter;

use super::{put, Node};
use crate::convert::text;
use crate::error::ConvertErrorKind;

type Parse = fn(&str, &mut Vec<u8>) -> Result<(), ConvertErrorKind>;

pub(super) fn plan(input: &DataType, native: &NativeType) -> Option<Node> {
    use NativeType as N;
    if !matches!(input, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View) {
        return None;
    }
    let parse: Parse = match native {
        N::Text => |s, out| put_text(out, s),
        N::Ascii => |s, out| {
            if s.is_ascii() {
                put_text(out, s)
            } else {
                Err(ConvertErrorKind::NotAscii)
            }
        },
        N::Uuid => |s, out| put(out, N::Uuid, &text::uuid(s)?),
        N::Timeuuid => |s, out| put(out, N::Timeuuid, &text::timeuuid(s)?),
        N::Inet => |s, out| put(out, N::Inet, &text::inet(s)?),
        N::Decimal => |s, out| put(out, N::Decimal, &text::decimal(s)?),
        N::Varint => |s, out| put(out, N::Varint, &text::varint(s)?),
        N::Date => |s, out| put(out, N::Date, &text::date(s)?),
        N::Time => |s, out| put(out, N::Time, &text::time(s)?),
        N::Timestamp => |s, out| put(out, N::Timestamp, &text::timestamp(s)?),
        N::Duration => |s, out| put(out, N::Duration, &text::duration(s)?),
        N::Boolean => |s, out| match s.trim().to_ascii_lowercase().as_str() {
            "true" => put(out, N::Boolean, &true),
            "false" => put(out, N::Boolean, &false),
            _ => Err(ConvertErrorKind::Syntax { expected: "a boolean (expected true or false)" }),
        },
        N::TinyInt => |s, out| {
            let value = parse_int(s)?;
            put(out, N::TinyInt, &i8::try_from(value).map_err(|_| overflow("tinyint (int8)"))?)
        },
        N::SmallInt => |s, out| {
            let value = parse_int(s)?;
            put(out, N::SmallInt, &i16::try_from(value).map_err(|_| overflow("smallint (int16)"))?)
        },
        N::Int => |s, out| {
            let value = parse_int(s)?;
            put(out, N::Int, &i32::try_from(value).map_err(|_| overflow("int (int32)"))?)
        },
        N::BigInt => |s, out| put(out, N::BigInt, &parse_int(s)?),
        N::Counter => |s, out| put(out, N::Counter, &Counter(parse_int(s)?)),
        N::Double => |s, out| {
            let value: f64 = s.trim().parse().map_err(|_| NOT_A_NUMBER)?;
            put(out, N::Double, &value)
        },
        N::Float => |s, out| {
            let value: f64 = s.trim().parse().map_err(|_| NOT_A_NUMBER)?;
            put(out, N::Float, &super::float::narrow(value)?)
        },
        _ => return None,
    };
    Some(Node::Text { parse })
}

const NOT_A_NUMBER: ConvertErrorKind = ConvertErrorKind::Syntax { expected: "a number" };

fn put_text(out: &mut Vec<u8>, text: &str) -> Result<(), ConvertErrorKind> {
    super::put_bytes(out, text.as_bytes()).map_err(|failure| failure.kind)
}

fn parse_int(text: &str) -> Result<i64, ConvertErrorKind> {
    text.trim()
        .parse::<i64>()
        .map_err(|_| ConvertErrorKind::Syntax { expected: "an integer in the bigint (int64) range" })
}

fn overflow(range: &'static str) -> ConvertErrorKind {
    ConvertErrorKind::Overflow { range }
}
