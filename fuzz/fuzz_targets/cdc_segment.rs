//! The CDC segment walker, idx parser and mutation envelope on arbitrary
//! bytes as a damaged or foreign `cdc_raw` file might hold them: entries or an
//! error naming the byte, never a panic or an allocation beyond the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pycassandra::cdc::{idx, MutationEnvelope, Segment};

fuzz_target!(|data: &[u8]| {
    // The first byte chooses a limit (none, or a fraction of the input, as an
    // idx offset would cut a file); the rest is the segment.
    let Some((&selector, bytes)) = data.split_first() else { return };
    let _ = idx::parse("fuzz_cdc.idx", bytes);
    let limit = match selector {
        0 => None,
        s => Some(bytes.len() as u64 * u64::from(s) / 255),
    };
    let Ok(segment) = Segment::parse("fuzz.log", bytes) else { return };
    let mut entries = segment.entries(limit);
    for entry in entries.by_ref() {
        let Ok(entry) = entry else { break };
        // Positions are the file's, or a compressed segment's logical ones.
        assert!(entry.end <= segment.len() && entry.body.len() + 12 == (entry.end - entry.position) as usize);
        let _ = MutationEnvelope::parse(segment.file(), &entry);
    }
    let _ = entries.stopped();
});
