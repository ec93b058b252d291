//! Option maps from arbitrary bytes: parsing must return options or an error
//! that names an option, never panic, and never echo a password.
#![no_main]

use std::collections::HashMap;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut map = HashMap::new();
    for line in text.lines() {
        if let Some((key, value)) = line.split_once('=') {
            map.insert(key.to_string(), value.to_string());
        }
    }
    map.insert("password".to_string(), "fuzz-secret-password".to_string());
    map.entry("username".to_string()).or_insert_with(|| "u".to_string());
    match pycassandra::WriteOptions::from_options(&map) {
        Ok(options) => assert!(!format!("{options:?}").contains("fuzz-secret-password")),
        Err(error) => {
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("fuzz-secret-password"), "password leaked: {shown}");
        }
    }
});
