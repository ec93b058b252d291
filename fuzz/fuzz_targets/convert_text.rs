//! Every text parser on arbitrary strings: a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycassandra::convert::{convert_value, InputValue};

const TYPES: [&str; 20] = [
    "ascii",
    "text",
    "boolean",
    "tinyint",
    "smallint",
    "int",
    "bigint",
    "varint",
    "float",
    "double",
    "decimal",
    "uuid",
    "timeuuid",
    "inet",
    "blob",
    "date",
    "time",
    "timestamp",
    "duration",
    "counter",
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let cql_type = TYPES[usize::from(selector) % TYPES.len()];
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = convert_value(InputValue::Text(text), cql_type);
    }
    let _ = convert_value(InputValue::Bytes(rest), cql_type);
});
