//! Collections, tuples, user-defined types and vectors from Arrow lists,
//! maps and structs, read back equal; nested nulls and wrong lengths refused.

use std::sync::Arc;

use arrow_array::builder::{
    FixedSizeListBuilder, Float32Builder, Int32Builder, ListBuilder, MapBuilder, StringBuilder,
};
use arrow_array::types::Int32Type;
use arrow_array::{ArrayRef, Int32Array, ListArray, StringArray, StructArray};
use arrow_schema::{DataType, Field};
use pycassandra::{CassandraWriter, Error, WriteOptions};
use scylla::value::{CqlValue, Row};

use crate::{ddl, node_options, node_session, record_batch, unique_keyspace, TestKeyspace};

fn text_set() -> ArrayRef {
    let mut builder = ListBuilder::new(StringBuilder::new());
    builder.values().append_value("b");
    builder.values().append_value("a");
    builder.append(true);
    Arc::new(builder.finish())
}

fn text_int_map() -> ArrayRef {
    let mut builder = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
    builder.keys().append_value("x");
    builder.values().append_value(1);
    builder.keys().append_value("y");
    builder.values().append_value(2);
    builder.append(true).unwrap();
    Arc::new(builder.finish())
}

fn pair(number: i32, name: &str) -> ArrayRef {
    Arc::new(StructArray::from(vec![
        (Arc::new(Field::new("number", DataType::Int32, true)), Arc::new(Int32Array::from(vec![number])) as ArrayRef),
        (Arc::new(Field::new("name", DataType::Utf8, true)), Arc::new(StringArray::from(vec![name])) as ArrayRef),
    ]))
}

fn vector(values: &[f32]) -> ArrayRef {
    let mut builder = FixedSizeListBuilder::new(Float32Builder::new(), values.len() as i32);
    for v in values {
        builder.values().append_value(*v);
    }
    builder.append(true);
    Arc::new(builder.finish())
}

async fn nested_table() -> (Arc<scylla::client::session::Session>, TestKeyspace) {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TYPE {keyspace}.pair (number int, name text, note text)")).await;
    ddl(
        &session,
        &format!(
            "CREATE TABLE {keyspace}.nested (id int PRIMARY KEY, numbers list<int>, tags set<text>, counts map<text, int>, \
             tup frozen<tuple<int, text>>, rec frozen<pair>, emb vector<float, 3>)"
        ),
    )
    .await;
    (session, keyspace)
}

#[tokio::test]
async fn nested_values_round_trip() {
    let (session, keyspace) = nested_table().await;
    let input = record_batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1]))),
        (
            "numbers",
            Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(3), Some(1), Some(2)])])),
        ),
        ("tags", text_set()),
        ("counts", text_int_map()),
        ("tup", pair(7, "seven")),
        ("rec", pair(9, "nine")),
        ("emb", vector(&[0.5, -1.0, 2.25])),
    ]);
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "nested"), input.schema().as_ref())
            .await
            .unwrap();
    writer.write_batch(&input).await.unwrap();
    writer.finish().await.unwrap();

    let result = session
        .query_unpaged(format!("SELECT numbers, tags, counts, tup, rec, emb FROM {keyspace}.nested WHERE id = 1"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    let row: Vec<Option<CqlValue>> = result.single_row::<Row>().unwrap().columns;
    let text = |s: &str| CqlValue::Text(s.into());
    assert_eq!(row[0], Some(CqlValue::List(vec![CqlValue::Int(3), CqlValue::Int(1), CqlValue::Int(2)])));
    assert_eq!(row[1], Some(CqlValue::Set(vec![text("a"), text("b")])));
    assert_eq!(row[2], Some(CqlValue::Map(vec![(text("x"), CqlValue::Int(1)), (text("y"), CqlValue::Int(2))])));
    assert_eq!(row[3], Some(CqlValue::Tuple(vec![Some(CqlValue::Int(7)), Some(text("seven"))])));
    let Some(CqlValue::UserDefinedType { fields, .. }) = &row[4] else { panic!("udt expected: {:?}", row[4]) };
    assert_eq!(
        fields,
        &vec![
            ("number".to_string(), Some(CqlValue::Int(9))),
            ("name".to_string(), Some(text("nine"))),
            ("note".to_string(), None)
        ]
    );
    assert_eq!(
        row[5],
        Some(CqlValue::Vector(vec![CqlValue::Float(0.5), CqlValue::Float(-1.0), CqlValue::Float(2.25)]))
    );
}

#[tokio::test]
async fn a_null_inside_a_list_and_a_short_vector_are_refused_by_name() {
    let (_session, keyspace) = nested_table().await;
    let with_null = record_batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1]))),
        ("numbers", Arc::new(ListArray::from_iter_primitive::<Int32Type, _, _>(vec![Some(vec![Some(3), None])]))),
    ]);
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "nested"), with_null.schema().as_ref())
            .await
            .unwrap();
    let error = writer.write_batch(&with_null).await.unwrap_err();
    assert!(matches!(error, Error::Convert(_)), "{error}");
    assert_eq!(
        error.to_string(),
        "row 0, column 'numbers' (list<int>): element 1 is null, which CQL collections cannot hold: null"
    );

    let short = record_batch(vec![("id", Arc::new(Int32Array::from(vec![2]))), ("emb", vector(&[1.0, 2.0]))]);
    let mut writer =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "nested"), short.schema().as_ref())
            .await
            .unwrap();
    let error = writer.write_batch(&short).await.unwrap_err().to_string();
    assert_eq!(error, "row 0, column 'emb' (vector<float, 3>): vector needs 3 elements, got 2: [2 elements]");
}

#[tokio::test]
async fn an_input_type_with_no_conversion_is_refused_before_writing() {
    let (_session, keyspace) = nested_table().await;
    let wrong = record_batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1]))),
        ("numbers", Arc::new(StringArray::from(vec!["[1,2]"]))),
    ]);
    let error = CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "nested"), wrong.schema().as_ref())
        .await
        .err()
        .unwrap();
    assert_eq!(error.to_string(), "column 'numbers': cannot write input type Utf8 into CQL type list<int>");
}
