//! Every text parser on arbitrary strings: a value or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycassandra::convert::{convert_value, InputValue};
use pycassandra::cql_type::NAMES;

// The first byte picks the type by its index in NAMES; the seeds in
// seeds/convert_text start with that index, so reordering NAMES renumbers them.
fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let cql_type = NAMES[usize::from(selector) % NAMES.len()];
    if let Ok(text) = std::str::from_utf8(rest) {
        let _ = convert_value(InputValue::Text(text), cql_type);
    }
    let _ = convert_value(InputValue::Bytes(rest), cql_type);
});
