//! Typed lookups for Rust callers: rows of a `#[derive(CassandraRow)]`
//! struct read by key — hits, misses, duplicates, a partition of many rows,
//! a clustering prefix — and the errors a wrong key or struct gives.

use pycassandra::row::CassandraRow;
use pycassandra::{ReadOptions, RowLookup};

use crate::{ddl, node_options, node_session, unique_keyspace};

#[derive(CassandraRow, Debug, Clone, PartialEq)]
#[cassandra(table = "visits")]
struct Visit {
    #[cassandra(partition_key)]
    user: String,
    #[cassandra(clustering_key)]
    day: i32,
    pages: i64,
}

/// `visits`: 5 users × 4 days, pages = user number × 10 + day.
async fn visits(session: &scylla::client::session::Session, keyspace: &str) {
    ddl(
        session,
        &format!("CREATE TABLE {keyspace}.visits (user text, day int, pages bigint, PRIMARY KEY (user, day))"),
    )
    .await;
    let insert =
        session.prepare(format!("INSERT INTO {keyspace}.visits (user, day, pages) VALUES (?, ?, ?)")).await.unwrap();
    for user in 0..5i64 {
        for day in 0..4i32 {
            session.execute_unpaged(&insert, (format!("u{user}"), day, user * 10 + i64::from(day))).await.unwrap();
        }
    }
}

fn visit(user: i64, day: i32) -> Visit {
    Visit { user: format!("u{user}"), day, pages: user * 10 + i64::from(day) }
}

#[tokio::test]
async fn each_key_gets_its_rows_in_order_and_a_missing_key_none() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    visits(&session, &keyspace).await;
    let read = ReadOptions::new(node_options(), keyspace.as_str(), "visits");

    let by_user = RowLookup::<Visit>::with_session(session.clone(), read.clone(), &["user"]).await.unwrap();
    let found = by_user.get(&[("u3",), ("nobody",), ("u1",), ("u3",)]).await.unwrap();
    let u3: Vec<Visit> = (0..4).map(|day| visit(3, day)).collect();
    assert_eq!(found, vec![u3.clone(), vec![], (0..4).map(|day| visit(1, day)).collect(), u3]);

    // Small pages: a partition of 4 rows over several pages is still whole.
    let mut paged = read.clone();
    paged.fetch_size_rows = 1;
    let by_user = RowLookup::<Visit>::with_session(session.clone(), paged, &["user"]).await.unwrap();
    assert_eq!(by_user.get(&[("u2",)]).await.unwrap()[0].len(), 4);

    let by_day = RowLookup::<Visit>::with_session(session.clone(), read, &["user", "day"])
        .await
        .unwrap()
        .with_concurrency(2)
        .unwrap();
    let keys: Vec<(String, i32)> = (0..5).flat_map(|u| [(format!("u{u}"), 2), (format!("u{u}"), 9)]).collect();
    let found = by_day.get(&keys).await.unwrap();
    assert_eq!(found.len(), 10);
    for (u, pair) in found.chunks(2).enumerate() {
        assert_eq!(pair, [vec![visit(u as i64, 2)], vec![]], "user u{u}: day 2 found, day 9 missing");
    }
}

#[derive(CassandraRow, Debug)]
#[cassandra(table = "visits")]
struct WrongVisit {
    #[cassandra(partition_key)]
    user: String,
    #[cassandra(clustering_key)]
    day: i32,
    pages: String,
}

#[tokio::test]
async fn a_wrong_key_struct_or_key_value_is_refused_with_what_to_fix() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    visits(&session, &keyspace).await;
    let read = ReadOptions::new(node_options(), keyspace.as_str(), "visits");
    let message = |error: pycassandra::Error| error.to_string();

    let skipped =
        message(RowLookup::<Visit>::with_session(session.clone(), read.clone(), &["day"]).await.err().unwrap());
    assert!(skipped.contains("every partition key column (user)"), "{skipped}");
    let mismatch =
        message(RowLookup::<WrongVisit>::with_session(session.clone(), read.clone(), &["user"]).await.err().unwrap());
    assert!(mismatch.contains("column \"pages\" is bigint"), "{mismatch}");

    let lookup = RowLookup::<Visit>::with_session(session.clone(), read.clone(), &["user"]).await.unwrap();
    assert!(lookup.get(&[(7i64,)]).await.is_err(), "a bigint key for a text column must fail");
    let zero = RowLookup::<Visit>::with_session(session, read, &["user"]).await.unwrap().with_concurrency(0);
    assert!(message(zero.err().unwrap()).contains("concurrency"));
}
