//! Cassandra's own `CommitLogReader` (scripts/cdc_oracle) on the LZ4 golden
//! segments (tests/golden/cdc/lz4/, written by a node with
//! `commitlog_compression: LZ4Compressor`, from `scripts/cdc_golden.py --lz4`):
//! it decompresses them itself, and its mutations, keyed by segment and the
//! entry end it hands to `handleMutation`, must equal ours entry by entry —
//! which also pins that our logical positions are Cassandra's. Needs the
//! cassandra-all classpath `scripts/cassandra start` resolved, not a node.

use std::path::PathBuf;
use std::sync::Arc;

use pycassandra::cdc::{self, CdcColumn, CdcSchema, CdcTable, DroppedColumn, MutationEnvelope, Segment};
use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType, UserDefinedType};
use uuid::Uuid;

use super::oracle::{decode_durable, entries, oracle, oracle_schema};

include!("../../golden/cdc/schema.rs");

#[test]
fn cassandras_commit_log_reader_reads_the_lz4_golden_segments_as_we_do() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("golden/cdc/lz4");
    let text = std::fs::read_to_string(dir.join("mutations.txt")).unwrap();
    let ids: Vec<(&str, Uuid)> = text
        .lines()
        .filter_map(|line| line.strip_prefix("table "))
        .map(|rest| rest.split_once(' ').unwrap())
        .map(|(name, id)| (name, Uuid::parse_str(id).unwrap()))
        .collect();
    let ddl: Vec<String> = text.lines().filter_map(|line| line.strip_prefix("ddl ")).map(str::to_owned).collect();
    let mut schema = golden_schema_with(|name| ids.iter().find(|(n, _)| *n == name).unwrap().1);
    // The node's own tables share the segments: known as others' (as
    // CdcSchema::load knows them from system_schema), skipped unread.
    for file in cdc::list_segments(&dir).unwrap() {
        let log = file.log.unwrap();
        let bytes = std::fs::read(&log).unwrap();
        let name = log.display().to_string();
        let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        for entry in segment.entries(None) {
            let envelope = MutationEnvelope::parse(&name, &entry.unwrap()).unwrap();
            if schema.decodable(&envelope.table_id).is_none() {
                schema.others.insert(envelope.table_id, ("system".into(), "?".into()));
            }
        }
    }

    let (ours, segments) = decode_durable(&dir, &schema);
    assert_eq!(ours.len(), 36, "golden entries in {}", dir.display());
    let work = std::env::temp_dir().join(format!("pycassandra-cdc-lz4-oracle-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    oracle_schema("cdc_golden", &ddl, &schema, &work.join("schema.txt"));
    // The copies are already cut at their idx offsets: the oracle reads them as they are.
    let files: Vec<PathBuf> = segments.into_iter().map(|(log, _)| log).collect();
    let theirs = entries(&oracle(&[], &work.join("schema.txt"), &files));
    std::fs::remove_dir_all(&work).unwrap();
    assert_eq!(theirs.len(), ours.len(), "entries: Cassandra's reader vs ours");
    for ((at, mine), (their_at, their_text)) in ours.iter().zip(&theirs) {
        assert_eq!(at, their_at, "entry positions (segment, logical end)");
        assert_eq!(mine, their_text, "entry at segment {} end {}", at.0, at.1);
    }
}
