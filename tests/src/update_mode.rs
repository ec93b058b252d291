//! write_mode=update: counters, collection append and removal; throughput
//! limit; retries that end in a clear error.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::{ListBuilder, StringBuilder};
use arrow_array::types::Int32Type;
use arrow_array::{Int32Array, Int64Array, ListArray, RecordBatch, StringArray};
use pycassandra::{CassandraWriter, WriteOptions};
use scylla::value::{CqlValue, Row};

use crate::{ddl, node_address, node_session, record_batch, unique_keyspace};

fn options(keyspace: &str, table: &str, extra: &[(&str, &str)]) -> WriteOptions {
    let mut map: HashMap<String, String> = HashMap::from([
        ("host".into(), node_address()),
        ("keyspace".into(), keyspace.into()),
        ("table".into(), table.into()),
    ]);
    map.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    WriteOptions::from_options(&map).unwrap()
}

async fn write(options: WriteOptions, batch: &RecordBatch) -> Result<pycassandra::WriteReport, pycassandra::Error> {
    let mut writer = CassandraWriter::open(options, batch.schema().as_ref()).await?;
    writer.write_batch(batch).await?;
    writer.finish().await
}

async fn row(session: &scylla::client::session::Session, cql: String) -> Vec<Option<CqlValue>> {
    session.query_unpaged(cql, ()).await.unwrap().into_rows_result().unwrap().single_row::<Row>().unwrap().columns
}

#[tokio::test]
async fn counters_are_incremented_in_update_mode_and_refused_otherwise() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.hits (page text PRIMARY KEY, views counter, clicks counter)"))
        .await;
    let input = record_batch(vec![
        ("page", Arc::new(StringArray::from(vec!["home", "home", "about"]))),
        ("views", Arc::new(Int64Array::from(vec![Some(5), Some(2), Some(1)]))),
        ("clicks", Arc::new(Int64Array::from(vec![Some(1), None, Some(3)]))),
    ]);
    let error = write(options(&keyspace, "hits", &[]), &input).await.unwrap_err().to_string();
    assert!(error.contains("set option 'write_mode' to 'update'"), "{error}");
    let report = write(options(&keyspace, "hits", &[("write_mode", "update"), ("batch_grouping", "none")]), &input)
        .await
        .unwrap();
    assert_eq!(report.rows_written, 3);
    write(options(&keyspace, "hits", &[("write_mode", "update")]), &input).await.unwrap();
    let home = row(&session, format!("SELECT views, clicks FROM {keyspace}.hits WHERE page = 'home'")).await;
    assert_eq!(
        home,
        [Some(CqlValue::Counter(scylla::value::Counter(14))), Some(CqlValue::Counter(scylla::value::Counter(2)))]
    );
}

#[tokio::test]
async fn collections_are_appended_to_and_removed_from() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.bags (k int PRIMARY KEY, items list<int>, tags set<text>, attrs map<text, int>, note text)")).await;
    ddl(&session, &format!("INSERT INTO {keyspace}.bags (k, items, tags, attrs, note) VALUES (1, [1], {{'a', 'b'}}, {{'x': 1, 'y': 2}}, 'old')")).await;
    let mut tags = ListBuilder::new(StringBuilder::new());
    tags.values().append_value("a");
    tags.append(true);
    let mut attr_keys = ListBuilder::new(StringBuilder::new());
    attr_keys.values().append_value("x");
    attr_keys.append(true);
    let input = record_batch(vec![
        ("k", Arc::new(Int32Array::from(vec![1]))),
        ("items", Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(2), Some(3)])]))),
        ("tags", Arc::new(tags.finish())),
        ("attrs", Arc::new(attr_keys.finish())),
        ("note", Arc::new(StringArray::from(vec!["new"]))),
    ]);
    let extra = [("write_mode", "update"), ("collection_append", "items"), ("collection_remove", "tags,attrs")];
    write(options(&keyspace, "bags", &extra), &input).await.unwrap();
    let stored = row(&session, format!("SELECT items, tags, attrs, note FROM {keyspace}.bags WHERE k = 1")).await;
    let text = |s: &str| CqlValue::Text(s.into());
    assert_eq!(stored[0], Some(CqlValue::List(vec![CqlValue::Int(1), CqlValue::Int(2), CqlValue::Int(3)])));
    assert_eq!(stored[1], Some(CqlValue::Set(vec![text("b")])));
    assert_eq!(stored[2], Some(CqlValue::Map(vec![(text("y"), CqlValue::Int(2))])));
    assert_eq!(stored[3], Some(text("new")));

    let plain = record_batch(vec![
        ("k", Arc::new(Int32Array::from(vec![1]))),
        ("note", Arc::new(StringArray::from(vec!["n"]))),
    ]);
    let error = write(options(&keyspace, "bags", &[("write_mode", "update"), ("collection_append", "note")]), &plain)
        .await
        .unwrap_err()
        .to_string();
    assert_eq!(
        error,
        "column 'note' is text, not a (non-frozen) list, set or map: it cannot be appended to or removed from"
    );
}

#[tokio::test]
async fn the_throughput_limit_paces_the_input() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")).await;
    let input = record_batch(vec![
        ("k", Arc::new(Int32Array::from_iter_values(0..2_000))),
        ("v", Arc::new(StringArray::from_iter_values((0..2_000).map(|i| format!("{i:0>100}"))))),
    ]);
    let bytes = input.get_array_memory_size() as f64;
    let limit_mb = bytes / 1e6 / 1.5; // the batch should take at least 1.5 s
    let started = Instant::now();
    let mut writer = CassandraWriter::open(
        options(&keyspace, "kv", &[("throughput_mb_per_sec", &limit_mb.to_string())]),
        input.schema().as_ref(),
    )
    .await
    .unwrap();
    writer.write_batch(&input).await.unwrap();
    writer.finish().await.unwrap();
    assert!(started.elapsed().as_secs_f64() >= 1.5, "finished in {:?}", started.elapsed());
}

#[tokio::test]
async fn unavailable_replicas_are_retried_with_backoff_then_fail_clearly() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.kv (k int PRIMARY KEY, v text)")).await;
    // Consistency TWO on a keyspace with one replica: the node answers Unavailable, every time.
    let input =
        record_batch(vec![("k", Arc::new(Int32Array::from(vec![1]))), ("v", Arc::new(StringArray::from(vec!["x"])))]);
    let started = Instant::now();
    let mut writer = CassandraWriter::open(
        options(&keyspace, "kv", &[("consistency", "TWO"), ("max_retries", "2")]),
        input.schema().as_ref(),
    )
    .await
    .unwrap();
    writer.write_batch(&input).await.unwrap();
    let error = writer.flush().await.unwrap_err().to_string();
    assert!(error.contains("failed after 3 attempt(s)"), "{error}");
    assert!(error.contains("Unavailable") || error.contains("Not enough nodes"), "{error}");
    let report = writer.report();
    assert_eq!((report.retries, report.rows_failed, report.rows_written), (2, 1, 0));
    // Backoff: 100 ms, then 200 ms.
    assert!(started.elapsed().as_millis() >= 300, "retried without backing off: {:?}", started.elapsed());
}
