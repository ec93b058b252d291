//! The read path's decoder on arbitrary bytes as a node might send them, for
//! scalar and nested CQL types: an Arrow array or an error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycassandra::read::decode_values;

#[path = "shared/cql_types.rs"]
mod cql_types;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let types = cql_types::types();
    let cql = &types[usize::from(selector) % types.len()];
    // The rest is up to four values separated by 0xfe bytes; a value that is exactly 0xff is null.
    let values: Vec<Option<&[u8]>> =
        rest.split(|b| *b == 0xfe).take(4).map(|v| if v == [0xff] { None } else { Some(v) }).collect();
    let _ = decode_values(cql, &values);
});
