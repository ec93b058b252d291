//! LZ4-compressed segments a real node wrote (tests/golden/cdc/lz4/, from
//! `scripts/cdc_golden.py --lz4`: the golden statements on a node with
//! `commitlog_compression: LZ4Compressor`, each segment cut at its idx offset).
//! The walk reaches each idx offset exactly, finds the entries the script's
//! own decompression found, and they decode to the same pinned text as the
//! uncompressed corpus.

use std::collections::HashSet;

use super::{assert_pinned, golden, golden_entries_in, golden_schema, rendered};
use crate::cdc::segment::{Entry, Segment, StopReason};
use crate::cdc::{idx, MutationEnvelope};

/// The copied segments, in id order: (file name, bytes, idx offset).
fn lz4_segments() -> Vec<(String, Vec<u8>, u64)> {
    let mut logs: Vec<(i64, String)> = std::fs::read_dir(golden("lz4"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|name| crate::cdc::segment::parse_log_name(&name).map(|(_, id)| (id, name)))
        .collect();
    logs.sort();
    logs.into_iter()
        .map(|(_, name)| {
            let bytes = std::fs::read(golden("lz4").join(&name)).unwrap();
            let idx_name = name.replace(".log", "_cdc.idx");
            let idx = std::fs::read(golden("lz4").join(&idx_name)).unwrap();
            let offset = idx::parse(&idx_name, &idx).unwrap().unwrap().offset;
            (name, bytes, offset)
        })
        .collect()
}

#[test]
fn the_nodes_lz4_segments_hold_the_golden_entries_in_logical_positions() {
    let (golden_entries, ids) = golden_entries_in("lz4/mutations.txt");
    assert_eq!(golden_entries.len(), 36);
    let schema = golden_schema(&ids);
    let ours: HashSet<uuid::Uuid> = ids.iter().map(|(_, id)| *id).collect();
    let segments = lz4_segments();
    assert!(!segments.is_empty());
    let parsed: Vec<Segment<'_>> =
        segments.iter().map(|(name, bytes, _)| Segment::parse(name, bytes).unwrap_or_else(|e| panic!("{e}"))).collect();
    let mut found: Vec<Entry<'_>> = Vec::new();
    let mut walked = 0;
    for (segment, (name, bytes, offset)) in parsed.iter().zip(&segments) {
        assert!(segment.descriptor().compressed, "{name}");
        // The idx offset counts uncompressed bytes: the copy ends (at the
        // file offset of that section end) far below it.
        assert!(*offset > bytes.len() as u64, "{name}: idx {offset}, file {}", bytes.len());
        assert_eq!(segment.file_offset(*offset), Some(bytes.len() as u64), "{name}");
        let mut entries = segment.entries(Some(*offset));
        for entry in entries.by_ref() {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            walked += 1;
            let envelope = MutationEnvelope::parse(name, &entry).unwrap_or_else(|e| panic!("{e}"));
            if ours.contains(&envelope.table_id) {
                found.push(entry);
            }
        }
        assert_eq!((entries.stopped(), entries.position()), (Some(StopReason::Limit), *offset), "{name}");
    }
    assert!(walked > found.len(), "the node's own system mutations are in the same segments");
    let bodies: Vec<&[u8]> = found.iter().map(|e| e.body).collect();
    let expected: Vec<&[u8]> = golden_entries.iter().map(|(_, body)| body.as_slice()).collect();
    assert_eq!(bodies, expected, "our walk and scripts/cdc_golden.py's decompression");
    let entries: Vec<(&str, Entry<'_>)> =
        golden_entries.iter().map(|(cql, _)| cql.as_str()).zip(found.iter().copied()).collect();
    assert_pinned(&rendered(&entries, &schema));
}

#[test]
fn every_truncation_of_the_nodes_lz4_segment_is_an_error_or_a_shorter_walk() {
    let (name, bytes, offset) = lz4_segments().pop().unwrap();
    let whole = Segment::parse(&name, &bytes).unwrap();
    let all = whole.entries(Some(offset)).count();
    // 40 places, and the last bytes (a cut inside the closing section).
    let cuts = (0..40).map(|i| i * bytes.len() / 40).chain(bytes.len() - 3..bytes.len());
    for cut in cuts {
        let Ok(segment) = Segment::parse(&name, &bytes[..cut]) else { continue };
        // Without a limit a cut file just ends; with the idx offset it is an error.
        let read = segment.entries(None).take_while(Result::is_ok).count();
        assert!(read <= all, "{cut}");
        assert!(segment.entries(Some(offset)).any(|e| e.is_err()), "{cut}: the idx promised more");
    }
}

#[test]
fn reading_a_to_c_equals_a_to_b_then_b_to_c_at_every_entry_boundary_of_the_lz4_segments() {
    use crate::cdc::reader::{ChangeOffset, ChangeReader};
    let (_, ids) = golden_entries_in("lz4/mutations.txt");
    let dir = golden("lz4");
    let segments = lz4_segments();
    let (name, bytes, offset) = &segments[0];
    let segment = Segment::parse(name, bytes).unwrap();
    let id = crate::cdc::segment::parse_log_name(name).unwrap().1;
    // Every place a walk can stop: each section end (here one entry each).
    let mut walk = segment.entries(Some(*offset));
    let mut boundaries = vec![segment.descriptor().header_len];
    while let Some(entry) = walk.next() {
        entry.unwrap();
        boundaries.push(walk.position());
    }
    boundaries.dedup();
    assert!(boundaries.len() > 36, "{} boundaries", boundaries.len());
    // The node's own tables share the segment: known as others' (as
    // CdcSchema::load knows them from system_schema), skipped unread.
    let mut schema = golden_schema(&ids);
    for entry in segment.entries(Some(*offset)) {
        let envelope = MutationEnvelope::parse(name, &entry.unwrap()).unwrap();
        if schema.decodable(&envelope.table_id).is_none() {
            schema.others.insert(envelope.table_id, ("system".into(), "?".into()));
        }
    }
    let at = |position| ChangeOffset { segment: id, position };
    let (a, c) = (at(0), at(*offset));
    for (table, id) in &ids {
        let mut reader = ChangeReader::new(&dir, schema.clone(), *id).unwrap();
        let whole = reader.read_between(a, c).unwrap();
        assert_eq!(whole.next, c);
        // kv at every boundary, the other tables at every tenth (each read decompresses the segment).
        let step = if table == "kv" { 1 } else { 10 };
        for &b in boundaries.iter().step_by(step) {
            let first = reader.read_between(a, at(b)).unwrap();
            let second = reader.read_between(first.next, c).unwrap();
            assert_eq!(first.next, at(b), "{table}: the first read stops at {b}");
            let joined =
                arrow_select::concat::concat_batches(&whole.events.schema(), [&first.events, &second.events]).unwrap();
            assert_eq!(joined, whole.events, "{table}: split at {b}");
            assert_eq!(first.entries + second.entries, whole.entries, "{table}: split at {b}");
        }
    }
}
