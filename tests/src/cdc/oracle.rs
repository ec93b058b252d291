//! The oracle: Cassandra's own `CommitLogReader` (scripts/cdc_oracle, on the
//! node's cassandra-all classpath) reads the segments the node wrote for the
//! golden statements, and prints each mutation one fact a line; our decoder's
//! mutations, rendered here in the same form, must equal it entry by entry.
//! Values, paths and keys are hex: nothing is interpreted on either side.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pycassandra::cdc::mutation::{decode_skipping_unknown, BoundKind, Cell, Row, Unfiltered};
use pycassandra::cdc::{self, CdcSchema, CdcTable, ColumnRef, Mutation, PartitionUpdate, Readable, Segment};

use super::{cdc_raw, cdc_session, golden_on_the_node, CDC_RAW};

/// scripts/cdc_oracle/run on `segments` with `schema` (a file in its form).
pub(crate) fn oracle(args: &[&str], schema: &Path, segments: &[PathBuf]) -> String {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/cdc_oracle/run");
    let output = Command::new(&script)
        .args(args)
        .arg(schema)
        .args(segments)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", script.display()));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {stderr}", script.display());
    String::from_utf8(output.stdout).unwrap()
}

/// The schema file the oracle reads: the keyspace, its DDL with each
/// table's id (Cassandra's reader finds tables by id), its dropped columns.
pub(crate) fn oracle_schema(keyspace: &str, ddl: &[String], schema: &CdcSchema, file: &Path) {
    let mut text = format!("keyspace {keyspace}\n");
    for cql in ddl {
        let table = schema.tables.values().find(|t| cql.starts_with(&format!("CREATE TABLE {keyspace}.{} (", t.table)));
        match table {
            Some(table) => writeln!(text, "ddl {cql} AND id = {}", table.id).unwrap(),
            None => writeln!(text, "ddl {cql}").unwrap(),
        }
    }
    for table in schema.tables.values() {
        for dropped in &table.dropped {
            writeln!(text, "drop {} {} {}", table.table, dropped.name, dropped.dropped_time).unwrap();
        }
    }
    std::fs::write(file, text).unwrap();
}

/// A mutation as CommitLogOracle.java prints it. Cells of dropped columns
/// are left out: Cassandra's reader drops them while it reads.
pub(crate) fn render(out: &mut String, segment: i64, end: u64, updates: &[PartitionUpdate<'_>], schema: &CdcSchema) {
    writeln!(out, "entry segment={segment} end={end}").unwrap();
    let mut updates: Vec<(&CdcTable, &PartitionUpdate<'_>)> =
        updates.iter().map(|u| (schema.decodable(&u.table_id).unwrap(), u)).collect();
    updates.sort_by(|a, b| a.0.table.cmp(&b.0.table));
    for (table, update) in updates {
        writeln!(out, "partition {}.{} key={}", table.keyspace, table.table, hex(update.key)).unwrap();
        if let Some(deletion) = update.partition_deletion {
            writeln!(
                out,
                "  partition deletion ts={} ldt={}",
                deletion.marked_for_delete_at, deletion.local_deletion_time
            )
            .unwrap();
        }
        if let Some(row) = &update.static_row {
            render_row(out, table, "static", row);
        }
        for unfiltered in &update.unfiltereds {
            match unfiltered {
                Unfiltered::Row(row) => render_row(out, table, "row", row),
                Unfiltered::Marker(marker) => {
                    let kind = match marker.kind {
                        BoundKind::ExclusiveEnd => "EXCL_END_BOUND",
                        BoundKind::InclusiveStart => "INCL_START_BOUND",
                        BoundKind::ExclusiveEndInclusiveStart => "EXCL_END_INCL_START_BOUNDARY",
                        BoundKind::InclusiveEndExclusiveStart => "INCL_END_EXCL_START_BOUNDARY",
                        BoundKind::InclusiveEnd => "INCL_END_BOUND",
                        BoundKind::ExclusiveStart => "EXCL_START_BOUND",
                    };
                    write!(out, "  marker {kind}{}", clustering(&marker.prefix)).unwrap();
                    for (what, deletion) in [("closes", marker.closes), ("opens", marker.opens)] {
                        if let Some(d) = deletion {
                            write!(out, " {what} ts={} ldt={}", d.marked_for_delete_at, d.local_deletion_time).unwrap();
                        }
                    }
                    out.push('\n');
                }
            }
        }
    }
}

fn render_row(out: &mut String, table: &CdcTable, what: &str, row: &Row<'_>) {
    write!(out, "  {what}{}", clustering(&row.clustering)).unwrap();
    if let Some(liveness) = row.liveness {
        write!(out, " liveness ts={}", liveness.timestamp).unwrap();
        if let Some((ttl, expires)) = liveness.ttl {
            write!(out, " ttl={ttl} expires={expires}").unwrap();
        }
    }
    if let Some(d) = row.deletion {
        write!(out, " deletion ts={} ldt={}", d.marked_for_delete_at, d.local_deletion_time).unwrap();
    }
    out.push('\n');
    for column in row.columns.iter().filter(|c| matches!(c.column, ColumnRef::Live(_))) {
        let (name, _) = table.column(column.column);
        write!(out, "    column {name}").unwrap();
        if let Some(d) = column.complex_deletion {
            write!(out, " complex deletion ts={} ldt={}", d.marked_for_delete_at, d.local_deletion_time).unwrap();
        }
        out.push('\n');
        for cell in &column.cells {
            render_cell(out, cell);
        }
    }
}

fn render_cell(out: &mut String, cell: &Cell<'_>) {
    write!(out, "      cell ts={}", cell.timestamp).unwrap();
    let ldt = cell.local_deletion_time.map_or("?".to_owned(), |t| t.to_string());
    if cell.deleted {
        write!(out, " deleted ldt={ldt}").unwrap();
    }
    if let Some(ttl) = cell.ttl {
        write!(out, " ttl={ttl} ldt={ldt}").unwrap();
    }
    if let Some(path) = cell.path {
        write!(out, " path={}", hex(path)).unwrap();
    }
    if !cell.deleted {
        write!(out, " value={}", hex(cell.value)).unwrap();
    }
    out.push('\n');
}

fn clustering(values: &[Option<&[u8]>]) -> String {
    let mut text = String::new();
    for (i, value) in values.iter().enumerate() {
        text.push_str(if i == 0 { " clustering=" } else { "," });
        text.push_str(&value.map_or("null".to_owned(), hex));
    }
    text
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::from("0x");
    for b in bytes {
        write!(text, "{b:02x}").unwrap();
    }
    text
}

/// Splits the oracle's output into its entries, by `(segment, end)`.
pub(crate) fn entries(text: &str) -> Rendered {
    let mut entries = BTreeMap::new();
    let mut current: Option<((i64, u64), String)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("entry segment=") {
            if let Some((key, body)) = current.take() {
                entries.insert(key, body);
            }
            let (segment, end) = rest.split_once(" end=").unwrap();
            current = Some(((segment.parse().unwrap(), end.parse().unwrap()), String::new()));
        }
        let body = &mut current.as_mut().unwrap_or_else(|| panic!("oracle line before an entry: {line}")).1;
        body.push_str(line);
        body.push('\n');
    }
    entries.extend(current);
    entries
}

/// Rendered entries by `(segment, end)`.
type Rendered = BTreeMap<(i64, u64), String>;

/// What a walk of the node's durable segments found of one keyspace: our
/// rendering of each entry by `(segment, end)`, and each segment's file
/// with its durable offset.
pub(crate) fn decode_durable(dir: &Path, schema: &CdcSchema) -> (Rendered, Vec<(PathBuf, u64)>) {
    let (mut ours, mut segments) = (BTreeMap::new(), Vec::new());
    for file in cdc::list_segments(dir).unwrap_or_else(|e| panic!("{e}")) {
        let (Readable::Open { offset } | Readable::Closed { offset }) = cdc::readable(&file).unwrap() else { continue };
        let log = file.log.clone().unwrap();
        let name = log.display().to_string();
        let Ok(bytes) = std::fs::read(&log) else { continue }; // consumed meanwhile
        let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
        let mut found = false;
        for entry in segment.entries(Some(offset)) {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            // Other keyspaces' tables, created and dropped since the schema was read, are unknown.
            let (mutation, _) = decode_skipping_unknown(&name, &entry, schema).unwrap_or_else(|e| panic!("{e}"));
            let Mutation::Decoded(updates) = mutation else { continue };
            if updates.is_empty() {
                continue;
            }
            let mut text = String::new();
            render(&mut text, file.id, entry.end, &updates, schema);
            ours.insert((file.id, entry.end), text);
            found = true;
        }
        if found {
            segments.push((log, offset));
        }
    }
    (ours, segments)
}

/// Copies of the segments cut at their durable offsets (what the idx says
/// is synced; in a compressed segment the file offset of that logical
/// position), in `into`, under their own names (the reader checks them).
pub(crate) fn durable_copies(segments: &[(PathBuf, u64)], into: &Path) -> Vec<PathBuf> {
    std::fs::create_dir_all(into).unwrap();
    segments
        .iter()
        .map(|(log, offset)| {
            let bytes = std::fs::read(log).unwrap();
            let name = log.display().to_string();
            let segment = Segment::parse(&name, &bytes).unwrap_or_else(|e| panic!("{e}"));
            let cut = segment.file_offset(*offset).unwrap_or_else(|| panic!("{name}: no section ends at {offset}"));
            let copy = into.join(log.file_name().unwrap());
            std::fs::write(&copy, &bytes[..cut as usize]).unwrap();
            copy
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cassandras_commit_log_reader_reads_the_golden_statements_as_we_do() {
    let _cdc_raw = CDC_RAW.lock().await;
    let session = cdc_session().await;
    let dir = cdc_raw();
    let (keyspace, statements, schema) = golden_on_the_node(&session, "cdco").await;
    let ks = keyspace.0.clone();
    let began = Instant::now();
    let (ours, segments) = loop {
        let (ours, segments) = decode_durable(&dir, &schema);
        if ours.len() >= statements.len() || began.elapsed() > Duration::from_secs(20) {
            break (ours, segments);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(ours.len(), statements.len(), "entries of {ks} in {}", dir.display());

    let work = std::env::temp_dir().join(format!("pycassandra-cdc-oracle-{ks}"));
    let _ = std::fs::remove_dir_all(&work);
    let copies = durable_copies(&segments, &work.join("segments"));
    let (ddl, _, _) = super::golden_statements();
    let ddl: Vec<String> = ddl.iter().map(|cql| cql.replace("cdc_golden.", &format!("{ks}."))).collect();
    oracle_schema(&ks, &ddl, &schema, &work.join("schema.txt"));
    let theirs = entries(&oracle(&[], &work.join("schema.txt"), &copies));
    std::fs::remove_dir_all(&work).unwrap();
    assert_eq!(theirs.len(), ours.len(), "entries: Cassandra's reader vs ours");
    for ((at, mine), (their_at, their_text)) in ours.iter().zip(&theirs) {
        assert_eq!(at, their_at, "entry positions");
        assert_eq!(mine, their_text, "entry at segment {} end {}", at.0, at.1);
    }
    eprintln!("oracle: {} entries of {ks} equal to Cassandra's CommitLogReader", ours.len());
}
