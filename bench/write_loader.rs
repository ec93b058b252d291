//! The Rust side of the write benchmark (bench/write_bench.py runs it): the
//! data set of bench/systems/dataset.py, made row by row from the row number
//! and written by one of
//!
//! - `ceiling`: the scylla driver alone: a prepared INSERT bound from the
//!   struct (`SerializeRow`), `--concurrency` requests in flight, nothing else;
//! - `typed`: `CassandraWriter<T>` with `#[derive(CassandraRow)]` structs;
//! - `arrow`: `CassandraWriter` fed Arrow RecordBatches of 10,000 rows, as the
//!   PySpark path is.
//!
//! Prints one JSON line: rows, checksum (sum of `total`), write seconds and
//! the process's own CPU seconds (the harness samples CPU every 0.1 s, which
//! misses the end of a short run).
//!
//! ```sh
//! cargo run --release -p pycassandra --example write_loader -- \
//!     --system ceiling --table narrow --layout single --rows 100000 --concurrency 256
//! ```
//!
//! `--grouping none` makes the Arrow writer send one request per row, as the
//! ceiling does: the pair measures the client CPU per row of the write engine.

#![allow(clippy::print_stdout)] // a program whose results are what it prints

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::{Int32Builder, ListBuilder, MapBuilder, StringBuilder};
use arrow_array::{
    Array, ArrayRef, BinaryArray, BooleanArray, Date32Array, Decimal128Array, Float32Array, Float64Array, Int16Array,
    Int32Array, Int64Array, Int8Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use futures::StreamExt;
use pycassandra::row::CassandraRow;
use pycassandra::{BatchGrouping, CassandraWriter, ConnectionOptions, Consistency, WriteOptions};
use scylla::client::session::Session;
use scylla::client::session_builder::SessionBuilder;
use scylla::value::{CqlDate, CqlDecimal, CqlTimestamp};
use uuid::Uuid;

const ROWS_PER_PARTITION: u64 = 100;
const ARROW_BATCH_ROWS: u64 = 10_000;
const EPOCH_2020_01_01_DAYS: u32 = 18_262;

struct Args {
    system: String,
    table: String,
    layout: String,
    rows: u64,
    concurrency: usize,
    host: String,
    keyspace: String,
    /// `--grouping none|partition|replica_set` for the Arrow and typed writers;
    /// unset: the default (replica_set).
    grouping: Option<BatchGrouping>,
    /// `--batch-max-rows N`; unset: the default.
    batch_max_rows: Option<usize>,
}

fn parse_args() -> Args {
    let mut args = Args {
        system: String::new(),
        table: String::new(),
        layout: String::new(),
        rows: 0,
        concurrency: 256,
        host: "127.0.0.1".into(),
        keyspace: "pyc_bench".into(),
        grouping: None,
        batch_max_rows: None,
    };
    let mut words = std::env::args().skip(1);
    while let Some(flag) = words.next() {
        let value = words.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--system" => args.system = value,
            "--table" => args.table = value,
            "--layout" => args.layout = value,
            "--rows" => args.rows = value.parse().unwrap_or_else(|e| panic!("--rows {value}: {e}")),
            "--concurrency" => {
                args.concurrency = value.parse().unwrap_or_else(|e| panic!("--concurrency {value}: {e}"))
            }
            "--host" => args.host = value,
            "--keyspace" => args.keyspace = value,
            "--grouping" => {
                args.grouping = Some(match value.as_str() {
                    "none" => BatchGrouping::None,
                    "partition" => BatchGrouping::Partition,
                    "replica_set" => BatchGrouping::ReplicaSet,
                    other => panic!("--grouping {other}: none, partition or replica_set"),
                })
            }
            "--batch-max-rows" => {
                args.batch_max_rows = Some(value.parse().unwrap_or_else(|e| panic!("--batch-max-rows {value}: {e}")))
            }
            _ => panic!("unknown flag {flag}"),
        }
    }
    args
}

/// Values shared by both tables, from the row number (dataset.py's expressions).
fn uuid_of(variant: u128, part: u64) -> Uuid {
    Uuid::from_u128((0x4000 << 64) | (variant << 48) | u128::from(part))
}

fn partition(i: u64, layout: &str) -> u64 {
    if layout == "single" {
        i
    } else {
        i / ROWS_PER_PARTITION
    }
}

macro_rules! narrow_row {
    ($name:ident, $table:tt, $($seq_key:tt)*) => {
        #[derive(CassandraRow)]
        #[cassandra(table = $table)]
        struct $name {
            #[cassandra(partition_key)]
            id: Uuid,
            $($seq_key)*
            seq: i32,
            name: String,
            total: i64,
        }
        impl From<u64> for $name {
            fn from(i: u64) -> Self {
                let layout = if $table.ends_with("single") { "single" } else { "clustered" };
                Self { id: uuid_of(0x8000, partition(i, layout)), seq: (i % 100) as i32, name: format!("name-{i}"), total: i as i64 * 7 }
            }
        }
    };
}
narrow_row!(NarrowSingle, "narrow_single",);
narrow_row!(NarrowClustered, "narrow_clustered", #[cassandra(clustering_key)]);

macro_rules! wide_row {
    ($name:ident, $table:tt, $($seq_key:tt)*) => {
        #[derive(CassandraRow)]
        #[cassandra(table = $table)]
        struct $name {
            #[cassandra(partition_key)]
            id: Uuid,
            $($seq_key)*
            seq: i32,
            name: String,
            total: i64,
            amount: i32,
            small: i16,
            tiny: i8,
            ratio: f32,
            score: f64,
            active: bool,
            price: CqlDecimal,
            created: CqlTimestamp,
            day: CqlDate,
            parent: Uuid,
            payload: Vec<u8>,
            code: String,
            tags: Vec<String>,
            attrs: HashMap<String, i32>,
            flags: Vec<i32>,
            note: String,
        }
        impl From<u64> for $name {
            fn from(i: u64) -> Self {
                let layout = if $table.ends_with("single") { "single" } else { "clustered" };
                let w = Wide::of(i);
                Self {
                    id: uuid_of(0x8000, partition(i, layout)),
                    seq: (i % 100) as i32,
                    name: format!("name-{i}"),
                    total: i as i64 * 7,
                    amount: w.amount,
                    small: w.small,
                    tiny: w.tiny,
                    ratio: w.ratio,
                    score: w.score,
                    active: w.active,
                    price: CqlDecimal::from_signed_be_bytes_and_exponent(w.price_cents.to_be_bytes().to_vec(), 2),
                    created: CqlTimestamp(w.created_ms),
                    day: CqlDate((1u32 << 31) + w.day),
                    parent: uuid_of(0x9000, i),
                    payload: i.to_be_bytes().to_vec(),
                    code: format!("c{}", i % 1000),
                    tags: vec![format!("t{}", i % 10), format!("u{}", i % 7)],
                    attrs: HashMap::from([("a".to_string(), (i % 5) as i32), ("b".to_string(), (i % 11) as i32)]),
                    flags: vec![(i % 3) as i32, (i % 4 + 10) as i32],
                    note: NOTE.to_string(),
                }
            }
        }
    };
}
wide_row!(WideSingle, "wide_single",);
wide_row!(WideClustered, "wide_clustered", #[cassandra(clustering_key)]);

const NOTE: &str = "a fixed note of forty characters length!";

/// The wide table's scalar values, shared by the typed rows and the Arrow batches.
struct Wide {
    amount: i32,
    small: i16,
    tiny: i8,
    ratio: f32,
    score: f64,
    active: bool,
    price_cents: i64,
    created_ms: i64,
    day: u32,
}

impl Wide {
    fn of(i: u64) -> Self {
        Self {
            amount: (i % 1000) as i32,
            small: (i % 30_000) as i16,
            tiny: (i % 100) as i8,
            ratio: (i % 1000) as f32 / 8.0,
            score: i as f64 / 4.0,
            active: i.is_multiple_of(2),
            price_cents: (i % 100_000) as i64,
            created_ms: 1_700_000_000_000 + i as i64,
            day: EPOCH_2020_01_01_DAYS + (i % 3650) as u32,
        }
    }
}

fn uuid_text(variant: u128, part: u64) -> String {
    uuid_of(variant, part).hyphenated().to_string()
}

/// Rows `start..end` as the RecordBatch PySpark would hand over (uuids as strings).
fn arrow_batch(table: &str, layout: &str, start: u64, end: u64) -> RecordBatch {
    let range = || start..end;
    let mut fields = vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("seq", DataType::Int32, false),
        Field::new("name", DataType::Utf8, false),
        Field::new("total", DataType::Int64, false),
    ];
    let mut columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(range().map(|i| uuid_text(0x8000, partition(i, layout))))),
        Arc::new(Int32Array::from_iter_values(range().map(|i| (i % 100) as i32))),
        Arc::new(StringArray::from_iter_values(range().map(|i| format!("name-{i}")))),
        Arc::new(Int64Array::from_iter_values(range().map(|i| i as i64 * 7))),
    ];
    if table == "wide" {
        let wide: Vec<Wide> = range().map(Wide::of).collect();
        let mut tags = ListBuilder::new(StringBuilder::new());
        let mut attrs = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
        let mut flags = ListBuilder::new(Int32Builder::new());
        for i in range() {
            tags.values().append_value(format!("t{}", i % 10));
            tags.values().append_value(format!("u{}", i % 7));
            tags.append(true);
            for (key, value) in [("a", i % 5), ("b", i % 11)] {
                attrs.keys().append_value(key);
                attrs.values().append_value(value as i32);
            }
            attrs.append(true).unwrap_or_else(|e| panic!("map: {e}"));
            flags.values().append_value((i % 3) as i32);
            flags.values().append_value((i % 4 + 10) as i32);
            flags.append(true);
        }
        let (tags, attrs, flags) = (tags.finish(), attrs.finish(), flags.finish());
        fields.extend([
            Field::new("amount", DataType::Int32, false),
            Field::new("small", DataType::Int16, false),
            Field::new("tiny", DataType::Int8, false),
            Field::new("ratio", DataType::Float32, false),
            Field::new("score", DataType::Float64, false),
            Field::new("active", DataType::Boolean, false),
            Field::new("price", DataType::Decimal128(12, 2), false),
            Field::new("created", DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())), false),
            Field::new("day", DataType::Date32, false),
            Field::new("parent", DataType::Utf8, false),
            Field::new("payload", DataType::Binary, false),
            Field::new("code", DataType::Utf8, false),
            Field::new("tags", tags.data_type().clone(), false),
            Field::new("attrs", attrs.data_type().clone(), false),
            Field::new("flags", flags.data_type().clone(), false),
            Field::new("note", DataType::Utf8, false),
        ]);
        let price = Decimal128Array::from_iter_values(wide.iter().map(|w| i128::from(w.price_cents)))
            .with_precision_and_scale(12, 2)
            .unwrap_or_else(|e| panic!("decimal: {e}"));
        columns.extend([
            Arc::new(Int32Array::from_iter_values(wide.iter().map(|w| w.amount))) as ArrayRef,
            Arc::new(Int16Array::from_iter_values(wide.iter().map(|w| w.small))),
            Arc::new(Int8Array::from_iter_values(wide.iter().map(|w| w.tiny))),
            Arc::new(Float32Array::from_iter_values(wide.iter().map(|w| w.ratio))),
            Arc::new(Float64Array::from_iter_values(wide.iter().map(|w| w.score))),
            Arc::new(BooleanArray::from_iter(wide.iter().map(|w| Some(w.active)))),
            Arc::new(price),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(wide.iter().map(|w| w.created_ms * 1000))
                    .with_timezone("UTC"),
            ),
            Arc::new(Date32Array::from_iter_values(wide.iter().map(|w| w.day as i32))),
            Arc::new(StringArray::from_iter_values(range().map(|i| uuid_text(0x9000, i)))),
            Arc::new(BinaryArray::from_iter_values(range().map(|i| i.to_be_bytes()))),
            Arc::new(StringArray::from_iter_values(range().map(|i| format!("c{}", i % 1000)))),
            Arc::new(tags),
            Arc::new(attrs),
            Arc::new(flags),
            Arc::new(StringArray::from_iter_values(range().map(|_| NOTE))),
        ]);
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns).unwrap_or_else(|e| panic!("batch: {e}"))
}

fn options(args: &Args) -> WriteOptions {
    let mut options = WriteOptions::new(
        ConnectionOptions::new([args.host.as_str()]),
        &args.keyspace,
        format!("{}_{}", args.table, args.layout),
    );
    options.concurrency = args.concurrency;
    options.consistency = Consistency::One;
    if let Some(grouping) = args.grouping {
        options.batch_grouping = grouping;
    }
    if let Some(rows) = args.batch_max_rows {
        options.batch_max_rows = rows;
    }
    options
}

async fn ceiling<T: CassandraRow + From<u64>>(args: &Args) {
    let session: Session = SessionBuilder::new()
        .known_node(format!("{}:9042", args.host))
        .use_keyspace(&args.keyspace, false)
        .build()
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let mut insert = session
        .prepare(pycassandra::row::write_cql::<T>(T::KEYSPACE.unwrap_or(&args.keyspace)))
        .await
        .unwrap_or_else(|e| panic!("prepare: {e}"));
    insert.set_consistency(Consistency::One);
    let failures = futures::stream::iter(0..args.rows)
        .map(|i| {
            let (session, insert) = (&session, &insert);
            async move { session.execute_unpaged(insert, T::from(i)).await.err() }
        })
        .buffer_unordered(args.concurrency)
        .filter_map(|error| async move { error })
        .collect::<Vec<_>>()
        .await;
    if let Some(error) = failures.first() {
        panic!("{} of {} inserts failed, first: {error}", failures.len(), args.rows);
    }
}

async fn typed<T: CassandraRow + From<u64>>(args: &Args) {
    let mut writer = CassandraWriter::<T>::open_rows(options(args)).await.unwrap_or_else(|e| panic!("{e}"));
    writer.write_all((0..args.rows).map(T::from)).await.unwrap_or_else(|e| panic!("{e}"));
    writer.finish().await.unwrap_or_else(|e| panic!("{e}"));
}

async fn arrow(args: &Args) {
    let first = arrow_batch(&args.table, &args.layout, 0, 0);
    let mut writer = CassandraWriter::open(options(args), &first.schema()).await.unwrap_or_else(|e| panic!("{e}"));
    let mut start = 0;
    while start < args.rows {
        let end = (start + ARROW_BATCH_ROWS).min(args.rows);
        writer.write_batch(&arrow_batch(&args.table, &args.layout, start, end)).await.unwrap_or_else(|e| panic!("{e}"));
        start = end;
    }
    writer.finish().await.unwrap_or_else(|e| panic!("{e}"));
}

macro_rules! dispatch {
    ($args:expr, $run:ident) => {
        match ($args.table.as_str(), $args.layout.as_str()) {
            ("narrow", "single") => $run::<NarrowSingle>($args).await,
            ("narrow", "clustered") => $run::<NarrowClustered>($args).await,
            ("wide", "single") => $run::<WideSingle>($args).await,
            ("wide", "clustered") => $run::<WideClustered>($args).await,
            (table, layout) => panic!("no table {table} with layout {layout}"),
        }
    };
}

#[path = "process_cpu.rs"]
mod process_cpu;
use process_cpu::cpu_seconds;

#[tokio::main]
async fn main() {
    let args = parse_args();
    let started = Instant::now();
    match args.system.as_str() {
        "ceiling" => dispatch!(&args, ceiling),
        "typed" => dispatch!(&args, typed),
        "arrow" => arrow(&args).await,
        other => panic!("--system {other}: ceiling, typed or arrow"),
    }
    let seconds = started.elapsed().as_secs_f64();
    let rows = args.rows;
    let checksum = 7 * rows * rows.saturating_sub(1) / 2;
    let cpu = cpu_seconds();
    println!("{{\"rows\": {rows}, \"checksum\": {checksum}, \"seconds\": {seconds}, \"cpu\": {cpu}}}");
}
