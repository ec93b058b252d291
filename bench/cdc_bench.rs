//! The CDC decoder against Cassandra's own `CommitLogReader` on the same
//! segments (issue 15's benchmark): writes `--rows` rows to a table `WITH cdc
//! = true` on the cdc node, copies the segments that hold them (cut at their
//! durable offsets), then reads those copies `--rounds` times with ours
//! (decode only, then decode and Arrow change events) and with the JVM
//! (scripts/cdc_oracle/run --bench), and prints each side's best round as
//! entries/s and events/s on one core (CPU seconds of the reading thread)
//! and the ratio.
//!
//! ```sh
//! cargo run --release -p pycassandra --example cdc_bench -- --rows 2000 --rounds 3     # smoke, seconds
//! cargo run --release -p pycassandra --example cdc_bench -- --rows 200000 --rounds 10  # the comparison
//! ```
//!
//! Both sides walk every entry of the copies (other keyspaces' too: ours
//! skips them by table id, Cassandra's counts them invalid) and fully decode
//! the table's. Node: `PYCASSANDRA_CDC_HOST` (default 127.0.0.16).

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pycassandra::cdc::events::{EventBuilder, Provenance};
use pycassandra::cdc::mutation::decode_skipping_unknown;
use pycassandra::cdc::{list_segments, readable, CdcSchema, ChangeReader, Mutation, Readable, Segment};
use pycassandra::ConnectionOptions;

/// CPU seconds this thread has run, in nanoseconds' precision
/// (/proc/thread-self/schedstat; the process's ticks are 10 ms, longer than a small round).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").unwrap_or_default();
    stat.split_whitespace().next().and_then(|ns| ns.parse::<f64>().ok()).map_or(0.0, |ns| ns / 1e9)
}

const KEYSPACE: &str = "pyc_bench_cdc";
const TABLE: &str = "CREATE TABLE pyc_bench_cdc.t (pk int, ck int, v text, n bigint, tags set<text>, \
                     PRIMARY KEY (pk, ck)) WITH cdc = true";

fn arg(args: &[String], name: &str, default: usize) -> usize {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .map_or(default, |v| v.parse().unwrap_or_else(|_| panic!("{name} takes a number, not {v:?}")))
}

/// One round's counts and CPU seconds.
#[derive(Clone, Copy, Debug, Default)]
struct Round {
    entries: u64,
    events: u64,
    cpu: f64,
}

fn best(rounds: &[Round]) -> Round {
    rounds.iter().copied().min_by(|a, b| a.cpu.total_cmp(&b.cpu)).unwrap_or_default()
}

/// Our decoder over the copies; with `events`, the table's change events too.
fn ours(segments: &[(i64, Vec<u8>)], schema: &CdcSchema, table: uuid::Uuid, events: bool) -> Round {
    let mut builder = EventBuilder::new(&schema.tables[&table]).unwrap_or_else(|e| panic!("{e}"));
    let began = cpu_seconds();
    let mut round = Round::default();
    for (id, bytes) in segments {
        let segment = Segment::parse("copy", bytes).unwrap_or_else(|e| panic!("{e}"));
        for entry in segment.entries(None) {
            let entry = entry.unwrap_or_else(|e| panic!("{e}"));
            let (mutation, _) = decode_skipping_unknown("copy", &entry, schema).unwrap_or_else(|e| panic!("{e}"));
            let Mutation::Decoded(updates) = mutation else { continue };
            round.entries += u64::from(!updates.is_empty());
            if events {
                for update in updates.iter().filter(|u| u.table_id == table) {
                    builder
                        .push(update, Provenance { segment: *id, position: entry.position })
                        .unwrap_or_else(|e| panic!("{e}"));
                }
            }
        }
        if events {
            round.events += builder.finish().unwrap_or_else(|e| panic!("{e}")).num_rows() as u64;
        }
    }
    round.cpu = cpu_seconds() - began;
    round
}

fn jvm(rounds: usize, schema: &Path, copies: &[PathBuf]) -> Vec<Round> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scripts/cdc_oracle/run");
    let output = Command::new(&script)
        .arg("--bench")
        .arg(rounds.to_string())
        .arg(schema)
        .args(copies)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(output.status.success(), "{}: {}", script.display(), String::from_utf8_lossy(&output.stderr));
    let field = |line: &str, name: &str| -> f64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("no {name} in {line:?}"))
    };
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter(|line| line.starts_with("jvm round="))
        .map(|line| Round {
            entries: field(line, "entries=") as u64,
            events: field(line, "events=") as u64,
            cpu: field(line, "cpu="),
        })
        .collect()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (rows, rounds) = (arg(&args, "--rows", 2000), arg(&args, "--rounds", 3));
    let host = std::env::var("PYCASSANDRA_CDC_HOST").unwrap_or_else(|_| "127.0.0.16".into());
    let session = pycassandra::session::connect(&ConnectionOptions::new([format!("{host}:9042")]))
        .await
        .unwrap_or_else(|e| panic!("the cdc node at {host}: {e} (scripts/cassandra start --profile cdc)"));
    for cql in [
        format!("DROP KEYSPACE IF EXISTS {KEYSPACE}"),
        format!("CREATE KEYSPACE {KEYSPACE} WITH replication = {{'class': 'SimpleStrategy', 'replication_factor': 1}}"),
        TABLE.to_owned(),
    ] {
        session.query_unpaged(cql, ()).await.unwrap_or_else(|e| panic!("{e}"));
    }
    let _ = session.await_schema_agreement().await;
    let schema = CdcSchema::load(&session, &[KEYSPACE]).await.unwrap_or_else(|e| panic!("{e}"));
    let table = schema.table_id(KEYSPACE, "t").unwrap_or_else(|| panic!("{KEYSPACE}.t is not in the schema"));
    let dir = PathBuf::from(
        std::env::var("PYCASSANDRA_CACHE")
            .unwrap_or_else(|_| format!("{}/.cache/pycassandra", std::env::var("HOME").unwrap_or_default())),
    )
    .join("nodes/cdc/cdc_raw");
    let mut reader = ChangeReader::new(&dir, schema.clone(), table).unwrap_or_else(|e| panic!("{e}"));
    let start = reader.latest().unwrap_or_else(|e| panic!("{e}"));

    let insert = session
        .prepare(format!("INSERT INTO {KEYSPACE}.t (pk, ck, v, n, tags) VALUES (?, ?, ?, ?, ?)"))
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let began = Instant::now();
    for chunk in (0..rows as i32).collect::<Vec<_>>().chunks(64) {
        let writes = chunk.iter().map(|&i| {
            let tags = vec![format!("t{}", i % 7), format!("u{}", i % 11)];
            session.execute_unpaged(&insert, (i / 10, i % 10, format!("value {i}"), i64::from(i) * 1000, tags))
        });
        for result in futures::future::join_all(writes).await {
            result.unwrap_or_else(|e| panic!("{e}"));
        }
    }
    // Until every row is durable (the commit log syncs every 10 ms).
    let mut seen = 0;
    let mut at = start;
    while seen < rows && began.elapsed() < Duration::from_secs(120) {
        let batch = reader.read(at).unwrap_or_else(|e| panic!("{e}"));
        seen += batch.events.num_rows();
        at = batch.next;
    }
    assert_eq!(seen, rows, "rows durable in {}", dir.display());

    let work = std::env::temp_dir().join(format!("pycassandra-cdc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap_or_else(|e| panic!("{e}"));
    let (mut segments, mut copies) = (Vec::new(), Vec::new());
    for file in list_segments(&dir).unwrap_or_else(|e| panic!("{e}")) {
        if file.id < start.segment || file.id > at.segment {
            continue;
        }
        let (Readable::Open { offset } | Readable::Closed { offset }) =
            readable(&file).unwrap_or_else(|e| panic!("{e}"))
        else {
            continue;
        };
        let log = file.log.clone().unwrap_or_else(|| panic!("segment {} has an idx and no log", file.id));
        let mut bytes = std::fs::read(&log).unwrap_or_else(|e| panic!("{e}"));
        bytes.truncate(offset as usize);
        let copy = work.join(log.file_name().unwrap_or_else(|| panic!("{} has no file name", log.display())));
        std::fs::write(&copy, &bytes).unwrap_or_else(|e| panic!("{e}"));
        copies.push(copy);
        segments.push((file.id, bytes));
    }
    // As a consumer does: the segments copied are deleted from cdc_raw, so that
    // runs do not fill cdc_total_space (then the node refuses CDC writes).
    reader.delete_consumed(at).unwrap_or_else(|e| panic!("{e}"));
    let schema_file = work.join("schema.txt");
    std::fs::write(&schema_file, format!("keyspace {KEYSPACE}\nddl {TABLE} AND id = {table}\n"))
        .unwrap_or_else(|e| panic!("{e}"));
    let bytes: usize = segments.iter().map(|(_, b)| b.len()).sum();

    let decode: Vec<Round> = (0..rounds).map(|_| ours(&segments, &schema, table, false)).collect();
    let events: Vec<Round> = (0..rounds).map(|_| ours(&segments, &schema, table, true)).collect();
    let java = jvm(rounds, &schema_file, &copies);
    std::fs::remove_dir_all(&work).unwrap_or_else(|e| panic!("{e}"));
    session.query_unpaged(format!("DROP KEYSPACE {KEYSPACE}"), ()).await.unwrap_or_else(|e| panic!("{e}"));

    let (decode, events, java) = (best(&decode), best(&events), best(&java));
    let rate = |n: u64, cpu: f64| n as f64 / cpu.max(1e-9);
    println!(
        "cdc_bench: {rows} rows, {} segments ({bytes} bytes), best of {rounds} rounds, CPU s of one thread",
        copies.len()
    );
    println!(
        "  ours decode:         {:>9} entries  {:>8.4} s  {:>12.0} entries/s",
        decode.entries,
        decode.cpu,
        rate(decode.entries, decode.cpu)
    );
    println!(
        "  ours decode+events:  {:>9} events   {:>8.4} s  {:>12.0} events/s",
        events.events,
        events.cpu,
        rate(events.events, events.cpu)
    );
    println!(
        "  jvm CommitLogReader: {:>9} entries  {:>8.4} s  {:>12.0} entries/s ({} events)",
        java.entries,
        java.cpu,
        rate(java.entries, java.cpu),
        java.events
    );
    println!(
        "  ratio entries/s ours/jvm: decode {:.2}x, decode+events {:.2}x (events/s over the jvm's entries/s of the same rows)",
        rate(decode.entries, decode.cpu) / rate(java.entries, java.cpu),
        rate(events.events, events.cpu) / rate(java.events, java.cpu),
    );
}
