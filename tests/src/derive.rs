//! `#[derive(CassandraRow)]`: typed rows of every supported type written by
//! `CassandraWriter<T>` in batch and stream mode and read back equal; the
//! schema check names every mismatch.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::IpAddr;

use futures::TryStreamExt;
use pycassandra::row::{CassandraRow, CassandraUdt};
use pycassandra::{CassandraWriter, WriteOptions};
use scylla::client::session::Session;
use scylla::value::{CqlDate, CqlDecimal, CqlDuration, CqlTime, CqlTimestamp, CqlTimeuuid, CqlVarint};

use crate::{ddl, node_options, node_session, unique_keyspace, TestKeyspace};

#[derive(CassandraUdt, scylla::SerializeValue, scylla::DeserializeValue, Debug, Clone, PartialEq)]
#[cassandra(name = "address")]
struct Address {
    street: String,
    number: Option<i32>,
}

#[derive(CassandraRow, Debug, Clone, PartialEq)]
#[cassandra(table = "everything")]
struct Everything {
    #[cassandra(partition_key)]
    id: i32,
    #[cassandra(partition_key)]
    region: String,
    #[cassandra(clustering_key)]
    seq: i64,
    tiny: i8,
    small: i16,
    big: Option<i64>,
    f: f32,
    d: f64,
    flag: bool,
    data: Vec<u8>,
    u: uuid::Uuid,
    tu: CqlTimeuuid,
    ip: IpAddr,
    dec: CqlDecimal,
    vi: CqlVarint,
    day: CqlDate,
    tm: CqlTime,
    ts: CqlTimestamp,
    du: CqlDuration,
    list: Vec<i32>,
    tags: BTreeSet<String>,
    hashed: HashSet<i64>,
    scores: BTreeMap<String, i32>,
    hmap: HashMap<i32, Vec<String>>,
    pair: (i32, String),
    addr: Address,
    vec: Vec<f32>,
    #[cassandra(rename = "Note")]
    note: Option<String>,
    #[cassandra(ttl)]
    ttl: Option<i32>,
    #[cassandra(skip)]
    scratch: u64,
}

const EVERYTHING_DDL: &str = "id int, region text, seq bigint, tiny tinyint, small smallint, big bigint, f float, d double, \
    flag boolean, data blob, u uuid, tu timeuuid, ip inet, dec decimal, vi varint, day date, tm time, ts timestamp, \
    du duration, list list<int>, tags set<text>, hashed set<bigint>, scores map<text, int>, hmap map<int, frozen<list<text>>>, \
    pair tuple<int, text>, addr frozen<address>, vec vector<float, 3>, \"Note\" text, PRIMARY KEY ((id, region), seq)";

fn sample(i: i32) -> Everything {
    let timeuuid = uuid::Uuid::parse_str("50554d6e-29bb-11e5-b345-feff819cdc9f").unwrap();
    Everything {
        id: i,
        region: format!("r{}", i % 3),
        seq: i64::from(i) * 10,
        tiny: (i % 100) as i8,
        small: -(i as i16),
        big: (i % 2 == 0).then_some(i64::from(i) << 40),
        f: i as f32 / 4.0,
        d: f64::from(i) / 8.0,
        flag: i % 2 == 1,
        data: vec![i as u8, 0xfe],
        u: uuid::Uuid::from_u128(i as u128),
        tu: CqlTimeuuid::from(timeuuid),
        ip: IpAddr::from([10, 0, 0, (i % 250) as u8]),
        dec: CqlDecimal::from_signed_be_bytes_and_exponent(vec![0x30, 0x39], 2),
        vi: CqlVarint::from_signed_bytes_be(vec![0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]),
        day: CqlDate((1 << 31) + i as u32),
        tm: CqlTime(i64::from(i) * 1_000_000_007),
        ts: CqlTimestamp(1_700_000_000_000 + i64::from(i)),
        du: CqlDuration { months: 1, days: i, nanoseconds: 3 },
        list: vec![i, i + 1],
        tags: ["x".to_string(), format!("y{i}")].into_iter().collect(),
        hashed: [i64::from(i), -1].into_iter().collect(),
        scores: [("k".to_string(), i)].into_iter().collect(),
        hmap: [(i, vec!["a".to_string(), "b".to_string()])].into_iter().collect(),
        pair: (i, "pair".into()),
        addr: Address { street: "Main".into(), number: (i % 2 == 0).then_some(i) },
        vec: vec![0.5, 1.5, i as f32],
        note: (i % 3 == 0).then(|| format!("note {i}")),
        ttl: (i % 2 == 0).then_some(86_400),
        scratch: 99,
    }
}

async fn everything_table(session: &Session) -> TestKeyspace {
    let keyspace = unique_keyspace(session).await;
    ddl(session, &format!("CREATE TYPE {keyspace}.address (street text, number int)")).await;
    ddl(session, &format!("CREATE TABLE {keyspace}.everything ({EVERYTHING_DDL})")).await;
    keyspace
}

async fn read_back(session: &Session, keyspace: &str) -> Vec<Everything> {
    let cql = pycassandra::row::select_cql::<Everything>(keyspace);
    let mut rows: Vec<Everything> =
        session.query_iter(cql, ()).await.unwrap().rows_stream::<Everything>().unwrap().try_collect().await.unwrap();
    rows.sort_by_key(|r| r.id);
    rows
}

/// What reading gives for a written row: skipped and per-row settings are not columns.
fn as_read(mut row: Everything) -> Everything {
    row.ttl = None;
    row.scratch = 0;
    row
}

#[tokio::test]
async fn typed_rows_of_every_type_are_written_in_batch_mode_and_read_back_equal() {
    let session = node_session().await;
    let keyspace = everything_table(&session).await;
    let mut writer = CassandraWriter::<Everything>::with_session_rows(
        session.clone(),
        WriteOptions::new(node_options(), keyspace.as_str(), "ignored"),
    )
    .await
    .unwrap();
    writer.write_all((0..200).map(sample)).await.unwrap();
    let report = writer.finish().await.unwrap();
    assert_eq!(report.rows_written, 200);
    let expected: Vec<Everything> = (0..200).map(|i| as_read(sample(i))).collect();
    assert_eq!(read_back(&session, &keyspace).await, expected);
    // The same rows through CassandraReader, split by token ranges.
    let mut options = pycassandra::ReadOptions::new(node_options(), keyspace.as_str(), "ignored");
    options.min_splits = Some(4);
    let reader = pycassandra::CassandraReader::open_rows::<Everything>(options).await.unwrap();
    let mut typed = Vec::new();
    for split in reader.splits().await.unwrap() {
        typed.extend(reader.read_rows::<Everything>(&split).await.unwrap());
    }
    typed.sort_by_key(|r| r.id);
    assert_eq!(typed, expected);
    // The per-row TTL reached the cells of even rows only.
    let ttls = session
        .query_unpaged(format!("SELECT id, ttl(f) FROM {keyspace}.everything"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    for row in ttls.rows::<(i32, Option<i32>)>().unwrap() {
        let (id, ttl) = row.unwrap();
        assert_eq!(ttl.is_some(), id % 2 == 0, "row {id} ttl {ttl:?}");
    }
}

#[tokio::test]
async fn typed_rows_stream_in_micro_batches() {
    let session = node_session().await;
    let keyspace = everything_table(&session).await;
    let mut writer = CassandraWriter::<Everything>::with_session_rows(
        session.clone(),
        WriteOptions::new(node_options(), keyspace.as_str(), "ignored"),
    )
    .await
    .unwrap();
    for micro_batch in 0..5 {
        writer.begin_micro_batch();
        writer.write_all((micro_batch * 20..micro_batch * 20 + 20).map(sample)).await.unwrap();
        let report = writer.commit_micro_batch().await.unwrap();
        assert_eq!(report.rows_written, 20, "micro-batch {micro_batch}");
        assert_eq!(read_back(&session, &keyspace).await.len(), (micro_batch as usize + 1) * 20);
    }
}

#[derive(CassandraRow, Debug, PartialEq)]
#[cassandra(table = "hits")]
struct Hits {
    #[cassandra(partition_key)]
    page: String,
    #[cassandra(counter)]
    views: i64,
    #[cassandra(counter)]
    clicks: i64,
}

#[tokio::test]
async fn counter_fields_are_incremented() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.hits (page text PRIMARY KEY, views counter, clicks counter)"))
        .await;
    let options = WriteOptions::new(node_options(), keyspace.as_str(), "hits");
    for _ in 0..2 {
        let mut writer = CassandraWriter::<Hits>::with_session_rows(session.clone(), options.clone()).await.unwrap();
        writer
            .write_all([
                Hits { page: "home".into(), views: 5, clicks: 1 },
                Hits { page: "about".into(), views: 2, clicks: 0 },
            ])
            .await
            .unwrap();
        writer.finish().await.unwrap();
    }
    let rows: Vec<Hits> = session
        .query_iter(format!("SELECT page, views, clicks FROM {keyspace}.hits"), ())
        .await
        .unwrap()
        .rows_stream::<Hits>()
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let totals: BTreeMap<String, (i64, i64)> = rows.into_iter().map(|h| (h.page, (h.views, h.clicks))).collect();
    assert_eq!(totals, BTreeMap::from([("about".to_string(), (4, 0)), ("home".to_string(), (10, 2))]));
}

#[derive(CassandraRow)]
#[cassandra(table = "mismatch")]
struct Mismatched {
    #[cassandra(partition_key)]
    id: i64,
    name: i32,
    absent: String,
}

#[tokio::test]
async fn every_mismatch_with_the_live_table_is_named_in_one_error() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.mismatch (id int, part int, name text, PRIMARY KEY (id, part))"))
        .await;
    let error = CassandraWriter::<Mismatched>::with_session_rows(
        session.clone(),
        WriteOptions::new(node_options(), keyspace.as_str(), "mismatch"),
    )
    .await
    .err()
    .unwrap()
    .to_string();
    assert_eq!(
        error,
        format!(
            "struct does not fit table {keyspace}.mismatch: column \"id\" is int but the field maps to bigint; \
             column \"name\" is text but the field maps to int; column \"absent\" is missing; \
             clustering key is (part) but the struct says ()"
        )
    );
}

#[test]
fn generated_constants_are_the_statements_the_engine_would_build() {
    use pycassandra::cql::{self, Using};
    use pycassandra::row;
    assert_eq!(Everything::PARTITION_KEY, ["id", "region"]);
    assert_eq!(Everything::CLUSTERING_KEY, ["seq"]);
    assert_eq!(Everything::COLUMNS.len(), 28);
    assert_eq!(Everything::COLUMNS.last(), Some(&"Note"));
    const { assert!(Everything::HAS_TTL && !Everything::HAS_WRITETIME) };
    assert_eq!(
        row::write_cql::<Everything>("ks"),
        cql::insert("ks", "everything", Everything::COLUMNS, Using { ttl: true, timestamp: false }, false)
    );
    assert_eq!(
        row::delete_cql::<Everything>("ks"),
        r#"DELETE FROM "ks"."everything" WHERE "id" = ? AND "region" = ? AND "seq" = ?"#
    );
    assert_eq!(
        row::write_cql::<Hits>("ks"),
        r#"UPDATE "ks"."hits" SET "views" = "views" + ?, "clicks" = "clicks" + ? WHERE "page" = ?"#
    );
    assert_eq!(Hits::COUNTERS, ["views", "clicks"]);
    let checks: Vec<(&str, String)> = Hits::column_checks().into_iter().map(|c| (c.name, c.expected)).collect();
    assert_eq!(
        checks,
        [("page", "text".to_string()), ("views", "bigint".to_string()), ("clicks", "bigint".to_string())]
    );
}

#[derive(CassandraRow, Debug, PartialEq)]
#[cassandra(table = "stamped")]
struct Stamped {
    #[cassandra(partition_key)]
    id: i32,
    v: String,
    #[cassandra(writetime)]
    at: i64,
}

#[tokio::test]
async fn a_writetime_field_sets_each_row_write_timestamp() {
    let session = node_session().await;
    let keyspace = unique_keyspace(&session).await;
    ddl(&session, &format!("CREATE TABLE {keyspace}.stamped (id int PRIMARY KEY, v text)")).await;
    let mut writer = CassandraWriter::<Stamped>::with_session_rows(
        session.clone(),
        WriteOptions::new(node_options(), keyspace.as_str(), "stamped"),
    )
    .await
    .unwrap();
    writer
        .write_all((0..10).map(|id| Stamped { id, v: format!("v{id}"), at: 1_000_000 + i64::from(id) }))
        .await
        .unwrap();
    writer.finish().await.unwrap();
    let result = session
        .query_unpaged(format!("SELECT id, writetime(v) FROM {keyspace}.stamped"), ())
        .await
        .unwrap()
        .into_rows_result()
        .unwrap();
    for row in result.rows::<(i32, i64)>().unwrap() {
        let (id, written_at) = row.unwrap();
        assert_eq!(written_at, 1_000_000 + i64::from(id));
    }
    assert_eq!(result.rows_num(), 10);
}

/// The generated code names everything by absolute path, so it compiles with
/// no prelude in scope and beside a user item named like its own alias.
#[allow(dead_code)]
mod hygiene {
    #![no_implicit_prelude]

    #[allow(non_camel_case_types)]
    struct __pyc;

    // scylla's own derives need to be told their crate's path without a prelude.
    #[derive(::pycassandra::row::CassandraUdt, ::scylla::SerializeValue, ::scylla::DeserializeValue)]
    #[scylla(crate = ::scylla)]
    #[cassandra(crate = self::reexport::pyc)]
    struct Point {
        x: i32,
        y: ::std::option::Option<i32>,
    }

    #[derive(::pycassandra::row::CassandraRow)]
    #[cassandra(table = "t")]
    struct Row {
        #[cassandra(partition_key)]
        id: i32,
        #[cassandra(clustering_key)]
        at: i64,
        point: ::std::option::Option<Point>,
        tags: ::std::vec::Vec<::std::string::String>,
        #[cassandra(ttl)]
        ttl: ::std::option::Option<i32>,
        #[cassandra(writetime)]
        written: i64,
        #[cassandra(skip)]
        cache: ::std::vec::Vec<u8>,
    }

    /// A crate that re-exports pycassandra names it with `crate = path`.
    mod reexport {
        pub(super) use ::pycassandra as pyc;
    }

    #[derive(::pycassandra::row::CassandraRow)]
    #[cassandra(keyspace = "ks", table = "hits", crate = self::reexport::pyc)]
    struct Hits {
        #[cassandra(partition_key)]
        page: ::std::string::String,
        #[cassandra(counter)]
        views: i64,
    }
}
