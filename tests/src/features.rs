//! Write features observed in the table afterwards: delete flag, TTL,
//! writetime, IF NOT EXISTS, ignore_nulls, partition batches, truncate, odd names.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::{BatchGrouping, CassandraWriter, PerRow, WriteOptions};
use scylla::client::session::Session;

use crate::{ddl, node_options, node_session, unique_keyspace, TestKeyspace};

fn batch(fields: Vec<(&str, DataType)>, columns: Vec<ArrayRef>) -> RecordBatch {
    let schema = Schema::new(fields.into_iter().map(|(n, t)| Field::new(n, t, true)).collect::<Vec<_>>());
    RecordBatch::try_new(Arc::new(schema), columns).unwrap()
}

async fn write(options: WriteOptions, batch: &RecordBatch) -> pycassandra::WriteReport {
    let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await.unwrap();
    writer.write_batch(batch).await.unwrap();
    writer.finish().await.unwrap()
}

async fn kv_table(session: &Session) -> TestKeyspace {
    let keyspace = unique_keyspace(session).await;
    ddl(session, &format!("CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")).await;
    keyspace
}

async fn select<T>(session: &Session, cql: String) -> Vec<T>
where
    T: for<'frame, 'metadata> scylla::deserialize::row::DeserializeRow<'frame, 'metadata> + 'static,
{
    use futures::TryStreamExt;
    session.query_iter(cql, ()).await.unwrap().rows_stream::<T>().unwrap().try_collect().await.unwrap()
}

#[tokio::test]
async fn rows_flagged_for_deletion_are_deleted_and_the_flag_is_not_written() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (1, 'old')")).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (2, 'old')")).await;
    let input = batch(
        vec![("k", DataType::Int32), ("v", DataType::Utf8), ("is_deleted", DataType::Boolean)],
        vec![
            Arc::new(Int32Array::from(vec![1, 2, 3])),
            Arc::new(StringArray::from(vec!["x", "new", "three"])),
            Arc::new(BooleanArray::from(vec![true, false, false])),
        ],
    );
    let map = std::collections::HashMap::from([
        ("host", crate::node_address()),
        ("keyspace", keyspace.to_string()),
        ("table", "kv".to_string()),
        ("delete_flag_column", "is_deleted".to_string()),
        ("delete_flag_value", "TRUE".to_string()),
    ]);
    let report = write(WriteOptions::from_options(&map).unwrap(), &input).await;
    assert_eq!((report.rows_written, report.rows_deleted), (2, 1));
    let mut rows: Vec<(i32, String)> = select(&session, format!("SELECT k, v FROM {keyspace}.kv")).await;
    rows.sort();
    assert_eq!(rows, [(2, "new".to_string()), (3, "three".to_string())]);
}

#[tokio::test]
async fn ttl_and_writetime_from_columns_and_constants_reach_the_cells() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    let input = batch(
        vec![("k", DataType::Int32), ("v", DataType::Utf8), ("ttl_s", DataType::Int32), ("ts_us", DataType::Int64)],
        vec![
            Arc::new(Int32Array::from(vec![1, 2])),
            Arc::new(StringArray::from(vec!["a", "b"])),
            Arc::new(Int32Array::from(vec![Some(5_000), None])),
            Arc::new(Int64Array::from(vec![1_700_000_000_000_000, 1_700_000_000_000_001])),
        ],
    );
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    options.ttl = Some(PerRow::Column("ttl_s".into()));
    options.writetime = Some(PerRow::Column("ts_us".into()));
    write(options, &input).await;
    let mut rows: Vec<(i32, Option<i32>, i64)> =
        select(&session, format!("SELECT k, ttl(v), writetime(v) FROM {keyspace}.kv")).await;
    rows.sort();
    assert_eq!(rows[0].0, 1);
    assert!(rows[0].1.is_some_and(|ttl| (4_800..=5_000).contains(&ttl)), "{rows:?}");
    assert_eq!(rows[0].2, 1_700_000_000_000_000);
    assert_eq!((rows[1].1, rows[1].2), (None, 1_700_000_000_000_001), "a null TTL leaves the cell without one");

    let constant = batch(
        vec![("k", DataType::Int32), ("v", DataType::Utf8)],
        vec![Arc::new(Int32Array::from(vec![9])), Arc::new(StringArray::from(vec!["c"]))],
    );
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    options.ttl = Some(PerRow::Constant(100));
    write(options, &constant).await;
    let ttl: Vec<(Option<i32>,)> = select(&session, format!("SELECT ttl(v) FROM {keyspace}.kv WHERE k = 9")).await;
    assert!(ttl[0].0.is_some_and(|t| (1..=100).contains(&t)));
}

#[tokio::test]
async fn if_not_exists_keeps_existing_rows_and_counts_them() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (1, 'first')")).await;
    let input = batch(
        vec![("k", DataType::Int32), ("v", DataType::Utf8)],
        vec![Arc::new(Int32Array::from(vec![1, 2])), Arc::new(StringArray::from(vec!["second", "new"]))],
    );
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    options.if_not_exists = true;
    options.consistency = pycassandra::Consistency::One;
    let report = write(options, &input).await;
    assert_eq!((report.rows_written, report.lwt_not_applied), (1, 1));
    let mut rows: Vec<(i32, String)> = select(&session, format!("SELECT k, v FROM {keyspace}.kv")).await;
    rows.sort();
    assert_eq!(rows, [(1, "first".to_string()), (2, "new".to_string())]);
}

#[tokio::test]
async fn ignore_nulls_leaves_cells_alone_while_nulls_otherwise_clear_them() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (1, 'keep')")).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (2, 'clear')")).await;
    let null_v = |k: i32| {
        batch(
            vec![("k", DataType::Int32), ("v", DataType::Utf8)],
            vec![Arc::new(Int32Array::from(vec![k])), Arc::new(StringArray::from(vec![None::<&str>]))],
        )
    };
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    options.ignore_nulls = true;
    write(options, &null_v(1)).await;
    write(WriteOptions::new(node_options(), &keyspace, "kv"), &null_v(2)).await;
    let mut rows: Vec<(i32, Option<String>)> = select(&session, format!("SELECT k, v FROM {keyspace}.kv")).await;
    rows.sort();
    assert_eq!(rows, [(1, Some("keep".to_string())), (2, None)]);
}

#[tokio::test]
async fn rows_of_one_partition_travel_as_unlogged_batches() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.wide (p int, c int, v bigint, PRIMARY KEY (p, c))")).await;
    let rows = 1_000;
    let input = batch(
        vec![("p", DataType::Int32), ("c", DataType::Int32), ("v", DataType::Int64)],
        vec![
            Arc::new(Int32Array::from_iter_values((0..rows).map(|i| i % 10))),
            Arc::new(Int32Array::from_iter_values(0..rows)),
            Arc::new(Int64Array::from_iter_values((0..rows).map(i64::from))),
        ],
    );
    let mut options = WriteOptions::new(node_options(), &keyspace, "wide");
    options.batch_max_rows = 25;
    let report = write(options.clone(), &input).await;
    // 10 partitions of 100 rows, 25 rows a batch: 40 requests.
    assert_eq!((report.rows_written, report.requests), (1_000, 40));
    options.batch_grouping = BatchGrouping::None;
    assert_eq!(write(options, &input).await.requests, 1_000);
    let count: Vec<(i64,)> = select(&session, format!("SELECT count(*) FROM {keyspace}.wide")).await;
    assert_eq!(count[0].0, 1_000);
}

#[tokio::test]
async fn single_row_partitions_travel_together_by_replica_when_asked() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    let rows = 2_000;
    let input = batch(
        vec![("k", DataType::Int32), ("v", DataType::Utf8)],
        vec![
            Arc::new(Int32Array::from_iter_values(0..rows)),
            Arc::new(StringArray::from_iter_values((0..rows).map(|i| format!("v{i}")))),
        ],
    );
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    options.batch_grouping = BatchGrouping::ReplicaSet;
    options.batch_max_rows = 8;
    // Bound by rows here, not by the 4 KiB default of batch_max_bytes (tests/src/batch_limits.rs)
    // nor by the 10 partitions a replica-set batch may cover.
    options.batch_max_bytes = Some(16 << 10);
    let report = write(options.clone(), &input).await;
    // One node owns every partition: batches of 8 rows.
    assert_eq!((report.rows_written, report.requests), (2_000, 250));
    // Above 10 rows a batch would cover more than 10 partitions: batches of 10.
    options.batch_max_rows = 40;
    assert_eq!(write(options, &input).await.requests, 200);
    let stored: Vec<(i32, String)> = select(&session, format!("SELECT k, v FROM {keyspace}.kv")).await;
    let mut stored: Vec<(i32, String)> = stored;
    stored.sort();
    assert_eq!(stored, (0..rows).map(|i| (i, format!("v{i}"))).collect::<Vec<_>>());
}

#[tokio::test]
async fn truncate_needs_confirmation_and_then_empties_the_table() {
    let session = node_session().await;
    let keyspace = kv_table(&session).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.kv (k, v) VALUES (1, 'x')")).await;
    let mut options = WriteOptions::new(node_options(), &keyspace, "kv");
    let error = pycassandra::write::truncate(&session, &options).await.unwrap_err();
    assert!(error.to_string().contains("set option 'confirm_truncate' to 'true'"), "{error}");
    options.confirm_truncate = true;
    pycassandra::write::truncate(&session, &options).await.unwrap();
    let count: Vec<(i64,)> = select(&session, format!("SELECT count(*) FROM {keyspace}.kv")).await;
    assert_eq!(count[0].0, 0);
}

#[tokio::test]
async fn odd_names_are_quoted_and_cannot_run_cql() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    // Cassandra allows only [A-Za-z0-9_] in table names (case is kept when quoted);
    // column names may hold anything once quoted.
    let table = "OddTable";
    let column = r#"Mixed Case"; DROP KEYSPACE x; --"#;
    let quoted_column = pycassandra::cql::quote_identifier(column);
    ddl(&session, &format!(r#"CREATE TABLE {keyspace}."OddTable" ("Id" int PRIMARY KEY, {quoted_column} text)"#)).await;
    let input = batch(
        vec![("Id", DataType::Int32), (column, DataType::Utf8)],
        vec![Arc::new(Int32Array::from(vec![7])), Arc::new(StringArray::from(vec!["ok"]))],
    );
    write(WriteOptions::new(node_options(), &keyspace, table), &input).await;
    let rows: Vec<(i32, String)> =
        select(&session, format!(r#"SELECT "Id", {quoted_column} FROM {keyspace}."OddTable""#)).await;
    assert_eq!(rows, [(7, "ok".to_string())]);

    // An injection attempt in the table option is only ever a name to look up.
    let attack = format!(r#"OddTable"; DROP KEYSPACE {keyspace}; --"#);
    let error = CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, &attack), input.schema().as_ref())
        .await
        .err()
        .unwrap();
    assert!(error.to_string().contains("does not exist"), "{error}");
    let still_there: Vec<(i64,)> = select(&session, format!(r#"SELECT count(*) FROM {keyspace}."OddTable""#)).await;
    assert_eq!(still_there[0].0, 1);
}
