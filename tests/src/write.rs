//! The write path against the real node: round trips and errors.

use std::sync::Arc;

use arrow_array::{ArrayRef, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use futures::TryStreamExt;
use pycassandra::{CassandraWriter, Error, SchemaError, TableSchema, WriteOptions};
use scylla::client::session::Session;
use uuid::Uuid;

use crate::{ddl, node_options, node_session, setup_tracing, unique_keyspace, TestKeyspace};

async fn users_table(session: &Session) -> TestKeyspace {
    let keyspace = unique_keyspace(session).await;
    ddl(session, &format!("CREATE TABLE {keyspace}.users (id uuid PRIMARY KEY, name text, age int, score bigint)"))
        .await;
    keyspace
}

fn users_batch(ids: &[Uuid], start: i64) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Utf8, false),
        Field::new("name", DataType::Utf8, true),
        Field::new("age", DataType::Int32, true),
        Field::new("score", DataType::Int64, true),
    ]));
    let n = ids.len() as i64;
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(ids.iter().map(Uuid::to_string))),
        Arc::new(StringArray::from_iter((start..start + n).map(|i| {
            if i % 7 == 0 {
                None
            } else {
                Some(format!("user-{i}"))
            }
        }))),
        Arc::new(Int32Array::from_iter_values((start..start + n).map(|i| (i % 100) as i32))),
        Arc::new(Int64Array::from_iter_values((start..start + n).map(|i| i * 1_000_000_007))),
    ];
    RecordBatch::try_new(schema, columns).unwrap()
}

type UserRow = (Uuid, Option<String>, Option<i32>, Option<i64>);

async fn read_users(session: &Session, keyspace: &str) -> Vec<UserRow> {
    let mut rows: Vec<UserRow> = session
        .query_iter(format!("SELECT id, name, age, score FROM {keyspace}.users"), ())
        .await
        .unwrap()
        .rows_stream::<UserRow>()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    rows.sort_by_key(|r| r.3);
    rows
}

#[tokio::test]
async fn batches_written_with_bounded_concurrency_read_back_equal() {
    setup_tracing();
    let session = node_session().await;
    let keyspace = users_table(&session).await;
    let ids: Vec<Uuid> = (0..5_000).map(|_| Uuid::new_v4()).collect();
    let mut options = WriteOptions::new(node_options(), &keyspace, "users");
    options.concurrency = 16;
    let first = users_batch(&ids[..2_500], 0);
    let second = users_batch(&ids[2_500..], 2_500);
    let mut writer = CassandraWriter::open(options, first.schema().as_ref()).await.unwrap();
    writer.write_batch(&first).await.unwrap();
    writer.write_batch(&second).await.unwrap();
    let report = writer.finish().await.unwrap();
    assert_eq!(report.rows_written, 5_000);
    assert_eq!(report.rows_failed, 0);

    let rows = read_users(&session, &keyspace).await;
    assert_eq!(rows.len(), 5_000);
    for (i, (id, name, age, score)) in rows.iter().enumerate() {
        let i = i as i64;
        assert_eq!(*id, ids[i as usize]);
        assert_eq!(*name, if i % 7 == 0 { None } else { Some(format!("user-{i}")) });
        assert_eq!(*age, Some((i % 100) as i32));
        assert_eq!(*score, Some(i * 1_000_000_007));
    }
}

#[tokio::test]
async fn a_bad_uuid_names_row_column_type_and_value_and_nothing_is_sent() {
    let session = node_session().await;
    let keyspace = users_table(&session).await;
    let mut ids: Vec<Uuid> = (0..3).map(|_| Uuid::new_v4()).collect();
    ids.truncate(3);
    let good = users_batch(&ids, 0);
    let mut columns = good.columns().to_vec();
    columns[0] = Arc::new(StringArray::from(vec![ids[0].to_string(), "not-a-uuid".into(), ids[2].to_string()]));
    let bad = RecordBatch::try_new(good.schema(), columns).unwrap();
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "users"), bad.schema().as_ref())
            .await
            .unwrap();
    let error = writer.write_batch(&bad).await.unwrap_err();
    let Error::Convert(convert) = &error else { panic!("expected a conversion error, got {error}") };
    assert_eq!((convert.row, convert.column.as_str(), convert.cql_type.as_str()), (1, "id", "uuid"));
    assert_eq!(convert.value, "'not-a-uuid'");
    assert!(error.to_string().contains("Invalid UUID"), "{error}");
    writer.finish().await.unwrap();
    assert!(read_users(&session, &keyspace).await.is_empty(), "no row of a failed batch may be written");
}

#[tokio::test]
async fn missing_keys_and_unknown_columns_are_listed() {
    let session = node_session().await;
    let keyspace = users_table(&session).await;
    let no_key = Schema::new(vec![Field::new("name", DataType::Utf8, true)]);
    let error =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "users"), &no_key).await.err().unwrap();
    assert!(matches!(error, Error::Schema(SchemaError::MissingKeyColumns { .. })), "{error}");
    assert_eq!(error.to_string(), "input is missing primary key columns: id. Required primary key columns: id");

    let extra =
        Schema::new(vec![Field::new("id", DataType::Utf8, false), Field::new("nickname", DataType::Utf8, true)]);
    let error =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "users"), &extra).await.err().unwrap();
    assert_eq!(error.to_string(), format!("input columns not in table '{keyspace}.users': nickname"));

    let error =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "nosuch"), &extra).await.err().unwrap();
    assert_eq!(error.to_string(), format!("table 'nosuch' does not exist in keyspace '{keyspace}'"));
    let error = CassandraWriter::open(WriteOptions::new(node_options(), "pyc_no_such_keyspace", "users"), &extra)
        .await
        .err()
        .unwrap();
    assert_eq!(error.to_string(), "keyspace 'pyc_no_such_keyspace' does not exist");
}

/// A job reads the table once (PySpark: on the driver) and its tasks prepare
/// later: if the table was re-created with another type for a column in
/// between, the writer refuses when it prepares, naming table, column and
/// both types, instead of sending an int's bytes as text.
#[tokio::test]
async fn a_column_whose_type_changed_after_the_schema_was_read_fails_when_prepared() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.t (k int PRIMARY KEY, v int)")).await;
    let read_before = TableSchema::load(&session, &keyspace, "t").await.unwrap();
    ddl(&session, &format!("DROP TABLE {keyspace}.t")).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.t (k int PRIMARY KEY, v text)")).await;
    let input = Schema::new(vec![Field::new("k", DataType::Int32, false), Field::new("v", DataType::Int32, true)]);
    let options = WriteOptions::new(node_options(), &keyspace, "t");
    let error = CassandraWriter::with_schema(session.clone(), options, &read_before, &input).await.err().unwrap();
    assert!(matches!(error, Error::Schema(SchemaError::PreparedTypeMismatch { .. })), "{error}");
    assert_eq!(
        error.to_string(),
        format!(
            "column 'v' of {keyspace}.t is text in the statement just prepared, but the write was planned for int: \
             the table changed after its schema was read; run the write again"
        )
    );
}
