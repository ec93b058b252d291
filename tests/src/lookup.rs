//! Lookups: batches of keys joined with a table by point reads, inner and
//! left, with misses, duplicates, null keys, a composite partition key and a
//! clustering prefix; and the errors a wrong key gives.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, Int32Array, RecordBatch, StringArray};
use pycassandra::{CassandraLookup, JoinKind, LookupOptions, ReadOptions};

use crate::{ddl, node_options, node_session, record_batch, unique_keyspace};

/// `readings`: partition key (region, id), clustering seq; 2 regions × 10 ids × 3 seqs.
async fn readings_table(session: &scylla::client::session::Session, keyspace: &str) {
    ddl(
        session,
        &format!(
            "CREATE TABLE {keyspace}.readings (region text, id int, seq int, v text, n bigint, \
             PRIMARY KEY ((region, id), seq))"
        ),
    )
    .await;
    let insert = session
        .prepare(format!("INSERT INTO {keyspace}.readings (region, id, seq, v, n) VALUES (?, ?, ?, ?, ?)"))
        .await
        .unwrap();
    for region in ["north", "south"] {
        for id in 0..10 {
            for seq in 0..3 {
                let n = i64::from(id * 10 + seq);
                session.execute_unpaged(&insert, (region, id, seq, format!("{region}-{id}-{seq}"), n)).await.unwrap();
            }
        }
    }
}

fn keys(regions: Vec<Option<&str>>, ids: Vec<Option<i32>>, tags: Vec<&str>) -> RecordBatch {
    record_batch(vec![
        ("region", Arc::new(StringArray::from(regions)) as ArrayRef),
        ("id", Arc::new(Int32Array::from(ids)) as ArrayRef),
        ("tag", Arc::new(StringArray::from(tags)) as ArrayRef),
    ])
}

async fn lookup(
    keyspace: &str,
    on: &[&str],
    how: JoinKind,
    input: &RecordBatch,
) -> Result<RecordBatch, pycassandra::Error> {
    let mut options = LookupOptions::new(ReadOptions::new(node_options(), keyspace, "readings"), on.iter().copied());
    options.how = how;
    options.concurrency = 4;
    let lookup = CassandraLookup::open(options, &input.schema()).await?;
    lookup.join(input).await
}

/// (tag, seq, n) of every output row, in output order; `None` where the fetched columns are null.
fn rows(batch: &RecordBatch) -> Vec<(String, Option<i32>, Option<i64>)> {
    let tags = batch.column_by_name("tag").unwrap().as_string::<i32>();
    let seqs = batch.column_by_name("seq").unwrap().as_primitive::<Int32Type>();
    let ns = batch.column_by_name("n").unwrap().as_primitive::<Int64Type>();
    (0..batch.num_rows())
        .map(|r| {
            let seq = (!seqs.is_null(r)).then(|| seqs.value(r));
            let n = (!ns.is_null(r)).then(|| ns.value(r));
            (tags.value(r).to_string(), seq, n)
        })
        .collect()
}

#[tokio::test]
async fn inner_and_left_lookups_answer_every_input_row_in_order() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    readings_table(&session, &keyspace).await;
    // A hit, a miss (id 99), a duplicate of the hit, a null key, another hit.
    let input = keys(
        vec![Some("north"), Some("north"), Some("north"), None, Some("south")],
        vec![Some(1), Some(99), Some(1), Some(2), Some(7)],
        vec!["a", "miss", "a-again", "null-key", "b"],
    );
    let inner = lookup(&keyspace, &["id", "region"], JoinKind::Inner, &input).await.unwrap();
    fn found(tag: &str, id: i64) -> impl Iterator<Item = (String, Option<i32>, Option<i64>)> + '_ {
        (0..3).map(move |seq| (tag.to_string(), Some(seq as i32), Some(id * 10 + seq)))
    }
    let expected: Vec<_> = found("a", 1).chain(found("a-again", 1)).chain(found("b", 7)).collect();
    assert_eq!(rows(&inner), expected);
    // The input's columns come first, then every non-key column of the table.
    let schema = inner.schema();
    let names: Vec<&str> = schema.fields().iter().map(|f| f.name().as_str()).collect();
    assert_eq!(names, ["region", "id", "tag", "seq", "n", "v"]);
    assert_eq!(inner.column_by_name("v").unwrap().as_string::<i32>().value(0), "north-1-0");

    let left = lookup(&keyspace, &["region", "id"], JoinKind::Left, &input).await.unwrap();
    let expected: Vec<_> = found("a", 1)
        .chain([("miss".to_string(), None, None)])
        .chain(found("a-again", 1))
        .chain([("null-key".to_string(), None, None)])
        .chain(found("b", 7))
        .collect();
    assert_eq!(rows(&left), expected);
}

#[tokio::test]
async fn a_clustering_prefix_narrows_the_lookup_to_its_rows() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    readings_table(&session, &keyspace).await;
    let input = record_batch(vec![
        ("region", Arc::new(StringArray::from(vec!["south", "south"])) as ArrayRef),
        ("id", Arc::new(Int32Array::from(vec![3, 3])) as ArrayRef),
        ("seq", Arc::new(Int32Array::from(vec![2, 5])) as ArrayRef),
        ("tag", Arc::new(StringArray::from(vec!["hit", "miss"])) as ArrayRef),
    ]);
    let joined = lookup(&keyspace, &["region", "id", "seq"], JoinKind::Left, &input).await.unwrap();
    assert_eq!(joined.num_rows(), 2);
    let ns = joined.column_by_name("n").unwrap().as_primitive::<Int64Type>();
    assert_eq!((ns.value(0), ns.is_null(1)), (32, true));
}

#[tokio::test]
async fn wrong_keys_and_bad_key_values_are_refused_with_what_to_fix() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    readings_table(&session, &keyspace).await;
    let input = keys(vec![Some("north")], vec![Some(1)], vec!["t"]);
    let message = |result: Result<RecordBatch, pycassandra::Error>| result.err().unwrap().to_string();

    let partial = message(lookup(&keyspace, &["id"], JoinKind::Inner, &input).await);
    assert!(partial.contains("every partition key column (region, id)"), "{partial}");
    let skipped = message(lookup(&keyspace, &["region", "id", "tag"], JoinKind::Inner, &input).await);
    assert!(skipped.contains("clustering columns in order (seq)"), "{skipped}");
    let absent = message(lookup(&keyspace, &["region", "idd"], JoinKind::Inner, &input).await);
    assert!(absent.contains("'idd' is not a column of the input"), "{absent}");

    let clash = record_batch(vec![
        ("region", Arc::new(StringArray::from(vec!["north"])) as ArrayRef),
        ("id", Arc::new(Int32Array::from(vec![1])) as ArrayRef),
        ("v", Arc::new(StringArray::from(vec!["mine"])) as ArrayRef),
    ]);
    let clashed = message(lookup(&keyspace, &["region", "id"], JoinKind::Inner, &clash).await);
    assert!(clashed.contains("column 'v'") && clashed.contains("`columns`"), "{clashed}");

    // A key that does not convert fails like a write would: row, column, CQL type, value.
    let bad = record_batch(vec![
        ("region", Arc::new(StringArray::from(vec!["north", "north"])) as ArrayRef),
        ("id", Arc::new(StringArray::from(vec!["1", "one"])) as ArrayRef),
    ]);
    let converted = message(lookup(&keyspace, &["region", "id"], JoinKind::Inner, &bad).await);
    assert!(converted.contains("row 1") && converted.contains("'id'") && converted.contains("one"), "{converted}");
}
