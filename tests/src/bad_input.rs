//! The bad-input corpus: for every CQL type, the malformed values users really
//! send, each in row 1 of a three-row batch. Each must fail with an error that
//! names the row, the column, the CQL type and the value, and no row of the
//! batch may reach the table.

use std::sync::Arc;

use arrow_array::builder::{Float32Builder, Int32Builder, ListBuilder, MapBuilder, StringBuilder};
use arrow_array::{ArrayRef, Float64Array, Int32Array, Int64Array, StringArray};
use pycassandra::{CassandraWriter, Error, WriteOptions};

use crate::{ddl, node_options, node_session, record_batch, unique_keyspace};

const COLUMNS: &str = "u uuid, tu timeuuid, i int, si smallint, ti tinyint, bi bigint, vi varint, dec decimal, \
    a ascii, b boolean, ip inet, d date, tm time, ts timestamp, dur duration, vec vector<float, 3>, \
    l list<int>, m map<text, int>, s set<text>";

fn texts(bad: &str) -> ArrayRef {
    Arc::new(StringArray::from(vec![None, Some(bad), None]))
}

/// (column, CQL type as the error names it, input with the bad value in row 1,
/// what the error must quote of the value, a word of the reason)
fn corpus() -> Vec<(&'static str, &'static str, ArrayRef, String, &'static str)> {
    let huge_non_ascii = "é".repeat(1_000_000);
    let mut cases: Vec<(&'static str, &'static str, ArrayRef, String, &'static str)> = vec![
        ("u", "uuid", texts("not-a-uuid"), "'not-a-uuid'".into(), "UUID"),
        ("u", "uuid", texts(""), "''".into(), "UUID"),
        (
            "u",
            "uuid",
            texts("123e4567-e89b-12d3-a456-42661417400"),
            "'123e4567-e89b-12d3-a456-42661417400'".into(),
            "UUID",
        ),
        (
            "tu",
            "timeuuid",
            texts("3b241101-e2bb-4255-8caf-4136c566a962"),
            "'3b241101-e2bb-4255-8caf-4136c566a962'".into(),
            "version 1",
        ),
        ("i", "int", Arc::new(Int64Array::from(vec![None, Some(2_147_483_648), None])), "2147483648".into(), "range"),
        ("si", "smallint", Arc::new(Int32Array::from(vec![None, Some(40_000), None])), "40000".into(), "range"),
        ("ti", "tinyint", Arc::new(Int32Array::from(vec![None, Some(-129), None])), "-129".into(), "range"),
        ("bi", "bigint", texts("12x"), "'12x'".into(), ""),
        ("vi", "varint", texts("12.5"), "'12.5'".into(), ""),
        ("dec", "decimal", texts("1.2.3"), "'1.2.3'".into(), ""),
        ("a", "ascii", texts("héllo"), "'héllo'".into(), "ASCII"),
        ("b", "boolean", texts("maybe"), "'maybe'".into(), ""),
        ("ip", "inet", texts("300.1.1.1"), "'300.1.1.1'".into(), ""),
        ("d", "date", texts("2024-02-30"), "'2024-02-30'".into(), "date"),
        ("tm", "time", texts("25:00:00"), "'25:00:00'".into(), ""),
        ("ts", "timestamp", texts("yesterday"), "'yesterday'".into(), ""),
        (
            "ts",
            "timestamp",
            texts("1970-01-01T00:00:00.0001Z"),
            "'1970-01-01T00:00:00.0001Z'".into(),
            "sub-millisecond",
        ),
        ("dur", "duration", texts("5 parsecs"), "'5 parsecs'".into(), ""),
    ];
    // A huge value is quoted cut short, not whole.
    cases.push(("a", "ascii", texts(&huge_non_ascii), "'éééé".into(), "ASCII"));

    let mut short_vector = ListBuilder::new(Float32Builder::new());
    for (row, len) in [(0, 3), (1, 2), (2, 3)] {
        for i in 0..len {
            short_vector.values().append_value((row * 10 + i) as f32);
        }
        short_vector.append(true);
    }
    cases.push(("vec", "vector<float, 3>", Arc::new(short_vector.finish()), "[".into(), "3"));

    let mut nested_null = ListBuilder::new(Int32Builder::new());
    nested_null.values().append_value(1);
    nested_null.append(true);
    nested_null.values().append_value(1);
    nested_null.values().append_null();
    nested_null.append(true);
    nested_null.append(true);
    cases.push(("l", "list<int>", Arc::new(nested_null.finish()), "null".into(), "null"));

    let mut map = MapBuilder::new(None, StringBuilder::new(), Int32Builder::new());
    map.append(true).unwrap_or_else(|e| panic!("{e}"));
    map.keys().append_value("k");
    map.values().append_null();
    map.append(true).unwrap_or_else(|e| panic!("{e}"));
    map.append(true).unwrap_or_else(|e| panic!("{e}"));
    cases.push(("m", "map<text, int>", Arc::new(map.finish()), "null".into(), "null"));

    let mut set = ListBuilder::new(StringBuilder::new());
    set.append(true);
    set.values().append_null();
    set.append(true);
    set.append(true);
    cases.push(("s", "set<text>", Arc::new(set.finish()), "null".into(), "null"));
    cases
}

#[tokio::test]
async fn every_bad_value_is_named_by_row_column_type_and_value_and_nothing_is_written() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.corpus (k int PRIMARY KEY, {COLUMNS})")).await;
    let mut failures = Vec::new();
    for (case, (column, cql_type, input, quoted, reason)) in corpus().into_iter().enumerate() {
        let keys: ArrayRef =
            Arc::new(Int32Array::from(vec![case as i32 * 10, case as i32 * 10 + 1, case as i32 * 10 + 2]));
        let batch = record_batch(vec![("k", keys), (column, input)]);
        let outcome = async {
            let mut writer =
                CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "corpus"), batch.schema().as_ref())
                    .await?;
            let written = writer.write_batch(&batch).await;
            let report = writer.finish().await?;
            written.map(|()| report)
        }
        .await;
        let error = match outcome {
            Ok(report) => {
                failures.push(format!("{column} ({cql_type}): accepted {quoted}…: {report:?}"));
                continue;
            }
            Err(error) => error,
        };
        let text = error.to_string();
        match &error {
            Error::Convert(convert) => {
                let named = convert.row == 1 && convert.column == column && convert.cql_type == cql_type;
                let quotes = convert.value.contains(quoted.as_str()) && convert.value.chars().count() <= 200;
                if !named || !quotes || !text.to_lowercase().contains(&reason.to_lowercase()) {
                    failures.push(format!("{column} ({cql_type}) quoted {quoted}, reason {reason}: got {text}"));
                }
            }
            other => failures.push(format!("{column} ({cql_type}): not a conversion error: {other}")),
        }
    }
    assert!(failures.is_empty(), "{} case(s) wrong:\n{}", failures.len(), failures.join("\n"));
    // NaN and infinities are valid CQL float and double values; the type that
    // cannot hold them, decimal, refuses a floating-point column when the
    // writer opens, naming the column and both types.
    let floats = record_batch(vec![
        ("k", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
        ("dec", Arc::new(Float64Array::from(vec![f64::NAN]))),
    ]);
    let refused =
        CassandraWriter::open(WriteOptions::new(node_options(), &keyspace, "corpus"), floats.schema().as_ref()).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("'dec'") && message.contains("Float64") && message.contains("decimal"), "{message}");

    let stored = session
        .query_unpaged(format!("SELECT count(*) FROM {keyspace}.corpus"), ())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let (count,) = stored
        .into_rows_result()
        .unwrap_or_else(|e| panic!("{e}"))
        .single_row::<(i64,)>()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(count, 0, "no row of a failed batch may be written");
}
