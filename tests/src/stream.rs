//! Stream mode: the writer stays open and every micro-batch is flushed
//! (visible in the table) before it is acknowledged.

use std::sync::Arc;

use arrow_array::{Int32Array, Int64Array, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use pycassandra::{CassandraWriter, WriteOptions};

use crate::{ddl, node_options, node_session, unique_keyspace};

#[tokio::test]
async fn each_micro_batch_is_flushed_and_reported_on_its_own() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.ticks (id bigint PRIMARY KEY, n int)")).await;
    let schema =
        Arc::new(Schema::new(vec![Field::new("id", DataType::Int64, false), Field::new("n", DataType::Int32, true)]));
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "ticks"), &schema).await.unwrap();
    let mut total = 0i64;
    for (micro_batch, size) in [300i64, 1, 2_000].into_iter().enumerate() {
        writer.begin_micro_batch();
        let ids = Int64Array::from_iter_values(total..total + size);
        let n = Int32Array::from_iter_values((0..size).map(|_| micro_batch as i32));
        writer
            .write_batch(&RecordBatch::try_new(schema.clone(), vec![Arc::new(ids), Arc::new(n)]).unwrap())
            .await
            .unwrap();
        let report = writer.commit_micro_batch().await.unwrap();
        assert_eq!(report.rows_written, size as u64, "micro-batch {micro_batch}");
        total += size;
        let count: (i64,) = session
            .query_unpaged(format!("SELECT count(*) FROM {keyspace}.ticks"), ())
            .await
            .unwrap()
            .into_rows_result()
            .unwrap()
            .single_row::<(i64,)>()
            .unwrap();
        assert_eq!(count.0, total, "acknowledged rows must be readable");
    }
    assert_eq!(writer.finish().await.unwrap().rows_written, total as u64);
}
