//! Reads: every CQL type read by `CassandraReader` equals what was written
//! with plain CQL, survives a write-and-read-again round trip, and the
//! token-range splits cover every partition exactly once.

use std::collections::{BTreeMap, BTreeSet};

use arrow_array::cast::AsArray;
use arrow_array::types::*;
use arrow_array::{Array, RecordBatch};
use pycassandra::{CassandraReader, CassandraWriter, ReadOptions, WriteOptions};

use crate::{ddl, node_options, node_session, unique_keyspace};

const EVERY_TYPE_COLUMNS: &str = "id int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d date, dec decimal, \
    dbl double, du duration, f float, ip inet, i int, si smallint, t text, tm time, ts timestamp, tu timeuuid, \
    ti tinyint, u uuid, vi varint, l list<int>, s set<text>, m map<text, int>, fl frozen<list<text>>, \
    tup tuple<int, text>, addr frozen<address>, addr_nf address, v vector<float, 3>, nested map<text, frozen<list<int>>>";

const EVERY_TYPE_ROW: &str = "INSERT INTO {table} (id, a, b, bl, bo, d, dec, dbl, du, f, ip, i, si, t, tm, ts, tu, ti, u, vi, \
    l, s, m, fl, tup, addr, addr_nf, v, nested) VALUES (1, 'asc', -9000000000, 0xcafe, true, '2024-02-29', -12.3450, 2.5, \
    1mo2d3ns, 1.5, '::1', -7, -300, 'héllo', '13:14:15.123456789', '2024-01-02 03:04:05.678+0000', \
    50554d6e-29bb-11e5-b345-feff819cdc9f, -8, 11111111-2222-4333-8444-555555555555, 123456789012345678901234567890, \
    [1, 2], {'x', 'y'}, {'k': 5}, ['p', 'q'], (3, 'three'), {street: 'Main', number: 10}, {street: 'Side', number: null}, \
    [0.5, 1.5, 2.5], {'n': [1, 2]})";

async fn every_type_table(session: &scylla::client::session::Session, keyspace: &str, table: &str) {
    ddl(session, &format!("CREATE TYPE IF NOT EXISTS {keyspace}.address (street text, number int)")).await;
    ddl(session, &format!("CREATE TABLE {keyspace}.{table} ({EVERY_TYPE_COLUMNS})")).await;
}

fn read_options(keyspace: &str, table: &str) -> ReadOptions {
    let mut options = ReadOptions::new(node_options(), keyspace, table);
    options.min_splits = Some(3);
    options
}

fn only_row(batches: &[RecordBatch], column: &str) -> (arrow_array::ArrayRef, usize) {
    for batch in batches {
        let ids = batch.column_by_name("id").unwrap().as_primitive::<Int32Type>();
        if let Some(row) = (0..ids.len()).find(|r| ids.value(*r) == 1) {
            return (batch.column_by_name(column).unwrap().clone(), row);
        }
    }
    panic!("row 1 not read");
}

fn text(batches: &[RecordBatch], column: &str) -> String {
    let (array, row) = only_row(batches, column);
    array.as_string::<i32>().value(row).to_string()
}

#[tokio::test]
async fn every_cql_type_reads_as_written_with_cql() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    every_type_table(&session, &keyspace, "everything").await;
    ddl(&session, &EVERY_TYPE_ROW.replace("{table}", &format!("{keyspace}.everything"))).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.everything (id) VALUES (2)")).await;

    let reader = CassandraReader::open(read_options(&keyspace, "everything")).await.unwrap();
    let batches = reader.read_all().await.unwrap();
    assert_eq!(batches.iter().map(RecordBatch::num_rows).sum::<usize>(), 2);

    assert_eq!(text(&batches, "a"), "asc");
    assert_eq!(only_row(&batches, "b").0.as_primitive::<Int64Type>().value(only_row(&batches, "b").1), -9_000_000_000);
    let (bl, row) = only_row(&batches, "bl");
    assert_eq!(bl.as_binary::<i32>().value(row), [0xca, 0xfe]);
    let (bo, row) = only_row(&batches, "bo");
    assert!(bo.as_boolean().value(row));
    let (d, row) = only_row(&batches, "d");
    assert_eq!(d.as_primitive::<Date32Type>().value(row), 19_782);
    assert_eq!(text(&batches, "dec"), "-12.3450");
    let (dbl, row) = only_row(&batches, "dbl");
    assert_eq!(dbl.as_primitive::<Float64Type>().value(row), 2.5);
    assert_eq!(text(&batches, "du"), "1mo2d3ns");
    let (f, row) = only_row(&batches, "f");
    assert_eq!(f.as_primitive::<Float32Type>().value(row), 1.5);
    assert_eq!(text(&batches, "ip"), "::1");
    let (i, row) = only_row(&batches, "i");
    assert_eq!(i.as_primitive::<Int32Type>().value(row), -7);
    let (si, row) = only_row(&batches, "si");
    assert_eq!(si.as_primitive::<Int16Type>().value(row), -300);
    assert_eq!(text(&batches, "t"), "héllo");
    let (tm, row) = only_row(&batches, "tm");
    assert_eq!(tm.as_primitive::<Int64Type>().value(row), 47_655_123_456_789);
    let (ts, row) = only_row(&batches, "ts");
    assert_eq!(ts.as_primitive::<TimestampMicrosecondType>().value(row), 1_704_164_645_678_000);
    assert_eq!(text(&batches, "tu"), "50554d6e-29bb-11e5-b345-feff819cdc9f");
    let (ti, row) = only_row(&batches, "ti");
    assert_eq!(ti.as_primitive::<Int8Type>().value(row), -8);
    assert_eq!(text(&batches, "u"), "11111111-2222-4333-8444-555555555555");
    assert_eq!(text(&batches, "vi"), "123456789012345678901234567890");

    let (l, row) = only_row(&batches, "l");
    assert_eq!(l.as_list::<i32>().value(row).as_primitive::<Int32Type>().values().to_vec(), [1, 2]);
    let (s, row) = only_row(&batches, "s");
    let set = s.as_list::<i32>().value(row);
    assert_eq!(set.as_string::<i32>().iter().flatten().collect::<Vec<_>>(), ["x", "y"]);
    let (m, row) = only_row(&batches, "m");
    let entries = m.as_map().value(row);
    assert_eq!(entries.column(0).as_string::<i32>().value(0), "k");
    assert_eq!(entries.column(1).as_primitive::<Int32Type>().value(0), 5);
    let (fl, row) = only_row(&batches, "fl");
    assert_eq!(fl.as_list::<i32>().value(row).as_string::<i32>().iter().flatten().collect::<Vec<_>>(), ["p", "q"]);
    let (tup, row) = only_row(&batches, "tup");
    let tup = tup.as_struct();
    assert_eq!(tup.column_names(), ["_1", "_2"]);
    assert_eq!(
        (tup.column(0).as_primitive::<Int32Type>().value(row), tup.column(1).as_string::<i32>().value(row)),
        (3, "three")
    );
    let (addr, row) = only_row(&batches, "addr");
    let addr = addr.as_struct();
    assert_eq!(addr.column_names(), ["street", "number"]);
    assert_eq!(
        (addr.column(0).as_string::<i32>().value(row), addr.column(1).as_primitive::<Int32Type>().value(row)),
        ("Main", 10)
    );
    let (addr_nf, row) = only_row(&batches, "addr_nf");
    let addr_nf = addr_nf.as_struct();
    assert_eq!(addr_nf.column(0).as_string::<i32>().value(row), "Side");
    assert!(addr_nf.column(1).is_null(row), "a null UDT field must read as null");
    let (v, row) = only_row(&batches, "v");
    assert_eq!(v.as_list::<i32>().value(row).as_primitive::<Float32Type>().values().to_vec(), [0.5, 1.5, 2.5]);
    let (nested, row) = only_row(&batches, "nested");
    let nested = nested.as_map().value(row);
    assert_eq!(nested.column(1).as_list::<i32>().value(0).as_primitive::<Int32Type>().values().to_vec(), [1, 2]);

    // Row 2 holds only its key: every other column reads as null.
    let row_two: Vec<(String, bool)> = batches
        .iter()
        .flat_map(|batch| {
            let ids = batch.column_by_name("id").unwrap().as_primitive::<Int32Type>().clone();
            (0..batch.num_rows()).filter(move |r| ids.value(*r) == 2).flat_map(move |r| {
                batch
                    .schema()
                    .fields()
                    .iter()
                    .enumerate()
                    .map(move |(c, f)| (f.name().clone(), batch.column(c).is_null(r)))
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    assert_eq!(row_two.len(), 29);
    assert!(
        row_two.iter().all(|(name, null)| name == "id" || *null),
        "non-null columns in a key-only row: {row_two:?}"
    );
}

/// Each row as the Debug text of its cells, keyed by `id`: equal texts mean equal values.
fn rows_by_id(batches: &[RecordBatch]) -> BTreeMap<i32, Vec<String>> {
    let mut rows = BTreeMap::new();
    for batch in batches {
        let ids = batch.column_by_name("id").unwrap().as_primitive::<Int32Type>();
        for row in 0..batch.num_rows() {
            let cells = batch.columns().iter().map(|c| format!("{:?}", c.slice(row, 1))).collect();
            rows.insert(ids.value(row), cells);
        }
    }
    rows
}

#[tokio::test]
async fn what_is_read_can_be_written_back_and_reads_the_same() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    every_type_table(&session, &keyspace, "source").await;
    every_type_table(&session, &keyspace, "copy").await;
    for id in 1..=20 {
        let row = EVERY_TYPE_ROW.replace("{table}", &format!("{keyspace}.source")).replacen(
            "VALUES (1,",
            &format!("VALUES ({id},"),
            1,
        );
        ddl(&session, &row).await;
    }
    ddl(&session, &format!("INSERT INTO {keyspace}.source (id, t) VALUES (100, 'sparse')")).await;

    let source = CassandraReader::open(read_options(&keyspace, "source")).await.unwrap();
    let batches = source.read_all().await.unwrap();
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), keyspace.as_str(), "copy"), source.schema().as_ref())
            .await
            .unwrap();
    for batch in &batches {
        writer.write_batch(batch).await.unwrap();
    }
    assert_eq!(writer.finish().await.unwrap().rows_written, 21);

    let copy = CassandraReader::open(read_options(&keyspace, "copy")).await.unwrap().read_all().await.unwrap();
    assert_eq!(rows_by_id(&copy), rows_by_id(&batches));
}

#[tokio::test]
async fn splits_cover_every_partition_once_including_the_wrap_around() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.ring (k bigint, c int, v text, PRIMARY KEY (k, c))")).await;
    let insert = session.prepare(format!("INSERT INTO {keyspace}.ring (k, c, v) VALUES (?, ?, ?)")).await.unwrap();
    let written: BTreeSet<(i64, i32)> = (0..3_000i64).flat_map(|k| (0..3).map(move |c| (k * 7919, c))).collect();
    for (k, c) in &written {
        session.execute_unpaged(&insert, (k, c, format!("{k}/{c}"))).await.unwrap();
    }
    // The partitions with the lowest and highest tokens sit on either side of the wrap-around.
    let tokens = session
        .query_unpaged(format!("SELECT token(k), k FROM {keyspace}.ring"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    let mut by_token: Vec<(i64, i64)> = tokens.rows::<(i64, i64)>().unwrap().map(Result::unwrap).collect();
    by_token.sort();

    for min_splits in [1, 7, 64] {
        let mut options = read_options(&keyspace, "ring");
        options.min_splits = Some(min_splits);
        options.fetch_size_rows = 500;
        let reader = CassandraReader::open(options).await.unwrap();
        let splits = reader.splits().await.unwrap();
        // One node holds every vnode range, so the ring is cut by size only: a
        // table this small gets exactly min_splits, not one split per vnode token.
        assert_eq!(splits.len(), min_splits, "splits of a one-node ring for min_splits {min_splits}");
        let mut read = Vec::new();
        for split in &splits {
            let mut scan = reader.scan(split);
            while let Some(batch) = scan.next_batch().await.unwrap() {
                let k = batch.column_by_name("k").unwrap().as_primitive::<Int64Type>();
                let c = batch.column_by_name("c").unwrap().as_primitive::<Int32Type>();
                read.extend((0..batch.num_rows()).map(|r| (k.value(r), c.value(r))));
            }
        }
        let unique: BTreeSet<(i64, i32)> = read.iter().copied().collect();
        assert_eq!(read.len(), unique.len(), "a row was read twice with {min_splits} splits");
        assert_eq!(unique, written, "rows missed with {min_splits} splits");
        for (_, k) in [by_token[0], by_token[by_token.len() - 1]] {
            assert!(unique.contains(&(k, 0)), "partition {k} at the ring's edge was missed");
        }
    }
    // Unset, a table of many partitions still splits: 4 per core while the node has not
    // measured it (just written), one per core once it has (it fits one split), a multiple
    // of the cores either way, so each core has the same share to the end.
    let mut options = read_options(&keyspace, "ring");
    options.min_splits = None;
    let reader = CassandraReader::open(options).await.unwrap();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let splits = reader.splits().await.unwrap().len();
    assert!(splits == cores || splits == 4 * cores, "{splits} default splits of 3,000 partitions on {cores} cores");
}

#[tokio::test]
async fn a_table_of_a_few_rows_written_a_moment_ago_reads_as_few_splits() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.few (k int PRIMARY KEY, v text)")).await;
    for k in 0..6 {
        ddl(&session, &format!("INSERT INTO {keyspace}.few (k, v) VALUES ({k}, 'row {k}')")).await;
    }
    // In the memtable only: system.size_estimates knows nothing of it yet, the node's
    // count of its partitions does.
    let mut options = read_options(&keyspace, "few");
    options.min_splits = None;
    let reader = CassandraReader::open(options).await.unwrap();
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let splits = reader.splits().await.unwrap();
    // Fewer than 4 partitions per core: one split per partition, at most one per core
    // (a one-core machine counts only 4 partitions, so 6 are many there).
    let expected = if 6 < 4 * cores { 6.min(cores) } else { 4 * cores };
    assert!(
        splits.len() == expected || (cores == 1 && splits.len() == 1),
        "{} splits of 6 rows on {cores} cores",
        splits.len()
    );
    let tasks = reader.split_tasks().await.unwrap();
    assert_eq!((tasks.len(), tasks.concat()), (splits.len(), splits.clone()), "one-node ring: one split per task");
    let mut rows = 0;
    for split in &splits {
        let mut scan = reader.scan(split);
        while let Some(batch) = scan.next_batch().await.unwrap() {
            rows += batch.num_rows();
        }
    }
    assert_eq!(rows, 6);
}

#[tokio::test]
async fn columns_types_and_metadata_columns_are_chosen_by_the_caller() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.meta (k int PRIMARY KEY, v text, amount decimal, big varint)"))
        .await;
    ddl(&session, &format!("INSERT INTO {keyspace}.meta (k, v, amount, big) VALUES (1, 'one', 12.55, 99) USING TTL 5000 AND TIMESTAMP 1234567")).await;

    let mut options = read_options(&keyspace, "meta");
    options.writetime_columns = vec!["v".into()];
    options.ttl_columns = vec!["v".into()];
    let target = arrow_schema::Schema::new(vec![
        arrow_schema::Field::new("ttl_v", arrow_schema::DataType::Int32, true),
        arrow_schema::Field::new("K", arrow_schema::DataType::Int64, true),
        arrow_schema::Field::new("amount", arrow_schema::DataType::Decimal128(10, 3), true),
        arrow_schema::Field::new("big", arrow_schema::DataType::Int64, true),
        arrow_schema::Field::new("writetime_v", arrow_schema::DataType::Int64, true),
    ]);
    let reader = CassandraReader::with_session(session.clone(), options.clone(), Some(&target)).await.unwrap();
    assert_eq!(
        reader.schema().fields().iter().map(|f| f.name().as_str()).collect::<Vec<_>>(),
        ["ttl_v", "K", "amount", "big", "writetime_v"]
    );
    let batch = &reader.read_all().await.unwrap()[0];
    let ttl = batch.column(0).as_primitive::<Int32Type>().value(0);
    assert!((4_000..=5_000).contains(&ttl), "ttl {ttl}");
    assert_eq!(batch.column(1).as_primitive::<Int64Type>().value(0), 1);
    assert_eq!(batch.column(2).as_primitive::<Decimal128Type>().value(0), 12_550);
    assert_eq!(batch.column(3).as_primitive::<Int64Type>().value(0), 99);
    assert_eq!(batch.column(4).as_primitive::<Int64Type>().value(0), 1_234_567);

    let narrowing =
        arrow_schema::Schema::new(vec![arrow_schema::Field::new("amount", arrow_schema::DataType::Int32, true)]);
    let error = CassandraReader::with_session(session.clone(), options.clone(), Some(&narrowing))
        .await
        .err()
        .unwrap()
        .to_string();
    assert_eq!(error, "column 'amount' of CQL type decimal cannot be read as Int32; read it as Utf8");
    let lossy = arrow_schema::Schema::new(vec![arrow_schema::Field::new(
        "amount",
        arrow_schema::DataType::Decimal128(10, 1),
        true,
    )]);
    let reader = CassandraReader::with_session(session.clone(), options.clone(), Some(&lossy)).await.unwrap();
    let error = reader.read_all().await.unwrap_err().to_string();
    assert!(error.contains("column 'amount' (decimal): '12.55' does not fit decimal(10, 1) exactly"), "{error}");
    let unknown =
        arrow_schema::Schema::new(vec![arrow_schema::Field::new("nope", arrow_schema::DataType::Int32, true)]);
    let error =
        CassandraReader::with_session(session.clone(), options, Some(&unknown)).await.err().unwrap().to_string();
    assert!(
        error.starts_with(&format!("column 'nope' is not in table {keyspace}.meta (its columns: k, amount, big, v")),
        "{error}"
    );
}

#[tokio::test]
async fn where_and_limit_reach_the_node() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.events (k int, c int, v int, PRIMARY KEY (k, c))")).await;
    for k in 0..50 {
        for c in 0..10 {
            ddl(&session, &format!("INSERT INTO {keyspace}.events (k, c, v) VALUES ({k}, {c}, {})", k * c)).await;
        }
    }
    let mut options = read_options(&keyspace, "events");
    options.where_clause = Some("c >= 8".into());
    let rows: usize = CassandraReader::open(options.clone())
        .await
        .unwrap()
        .read_all()
        .await
        .unwrap()
        .iter()
        .map(RecordBatch::num_rows)
        .sum();
    assert_eq!(rows, 100);
    options.where_clause = None;
    options.limit = Some(1);
    options.min_splits = Some(1);
    let reader = CassandraReader::open(options).await.unwrap();
    let splits = reader.splits().await.unwrap();
    let rows: usize = reader.read_all().await.unwrap().iter().map(RecordBatch::num_rows).sum();
    assert_eq!(rows, splits.len(), "LIMIT 1 per split");
}

#[tokio::test]
async fn allow_filtering_false_leaves_the_predicate_to_the_node() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.filtered (k int PRIMARY KEY, v int)")).await;
    for k in 0..10 {
        ddl(&session, &format!("INSERT INTO {keyspace}.filtered (k, v) VALUES ({k}, {k})")).await;
    }
    let mut options = read_options(&keyspace, "filtered");
    options.where_clause = Some("v >= 8".into());
    let rows: usize = CassandraReader::open(options.clone())
        .await
        .unwrap()
        .read_all()
        .await
        .unwrap()
        .iter()
        .map(RecordBatch::num_rows)
        .sum();
    assert_eq!(rows, 2, "ALLOW FILTERING by default");
    options.allow_filtering = false;
    let error = match CassandraReader::open(options).await {
        Ok(reader) => reader.read_all().await.err().map(|e| e.to_string()),
        Err(error) => Some(error.to_string()),
    };
    let error = error.expect("a predicate on a regular column without ALLOW FILTERING is refused");
    assert!(error.contains("ALLOW FILTERING"), "{error}");
}
