//! The whole table as one stream (`CassandraReader::batches` / `rows`): every
//! row exactly once over all splits read concurrently, as Arrow and as typed rows.

use std::collections::BTreeSet;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::Int64Type;
use arrow_array::{ArrayRef, Int64Array};
use futures::TryStreamExt;
use pycassandra::row::CassandraRow;
use pycassandra::{CassandraReader, CassandraWriter, ReadOptions, WriteOptions};

use crate::{ddl, node_options, node_session, record_batch, unique_keyspace};

const ROWS: i64 = 20_000;

#[derive(CassandraRow)]
#[cassandra(table = "items")]
struct Item {
    #[cassandra(partition_key)]
    id: i64,
    total: i64,
}

#[tokio::test]
async fn batches_and_typed_rows_stream_every_row_of_every_split_once() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.items (id bigint PRIMARY KEY, total bigint)")).await;
    let ids: Vec<i64> = (0..ROWS).collect();
    let input = record_batch(vec![
        ("id", Arc::new(Int64Array::from(ids.clone())) as ArrayRef),
        ("total", Arc::new(Int64Array::from(ids.iter().map(|i| i * 3).collect::<Vec<_>>())) as ArrayRef),
    ]);
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "items"), input.schema().as_ref())
            .await
            .unwrap();
    writer.write_batch(&input).await.unwrap();
    writer.finish().await.unwrap();

    let mut options = ReadOptions::new(node_options(), &keyspace, "items");
    options.min_splits = Some(7);
    options.fetch_size_rows = 500;
    let reader = CassandraReader::open(options.clone()).await.unwrap();
    let batches: Vec<_> = reader.batches(3).await.unwrap().try_collect().await.unwrap();
    let mut seen = BTreeSet::new();
    for batch in &batches {
        assert!(batch.num_rows() <= 500, "one page per batch");
        let column = batch.column_by_name("id").unwrap().as_primitive::<Int64Type>();
        for id in column.values() {
            assert!(seen.insert(*id), "id {id} streamed twice");
        }
    }
    assert_eq!(seen, ids.iter().copied().collect::<BTreeSet<_>>());

    let typed = CassandraReader::open_rows::<Item>(options).await.unwrap();
    let rows: Vec<Item> = typed.rows::<Item>(3).await.unwrap().try_collect().await.unwrap();
    assert_eq!(rows.len() as i64, ROWS);
    assert_eq!(rows.iter().map(|r| r.total).sum::<i64>(), 3 * ROWS * (ROWS - 1) / 2);
    assert_eq!(rows.iter().map(|r| r.id).collect::<BTreeSet<_>>().len() as i64, ROWS);
}
