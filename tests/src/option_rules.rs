//! Every constructor of the writer and the reader checks the options before it
//! connects, so a Rust caller who sets fields directly meets the rules of the
//! string parser (review F2). Nothing listens on port 1: a constructor that
//! connected first would fail with a connection error, not the option's.

use arrow_schema::{DataType, Field, Schema};
use pycassandra::row::CassandraRow;
use pycassandra::{CassandraReader, CassandraWriter, ConnectionOptions, Error, ReadOptions, WriteMode, WriteOptions};

#[derive(CassandraRow)]
#[cassandra(keyspace = "nowhere", table = "rows")]
struct Row {
    #[cassandra(partition_key)]
    id: i32,
}

fn unreachable() -> ConnectionOptions {
    ConnectionOptions::new(["127.0.0.1:1"])
}

fn config_message(result: Result<impl Sized, Error>) -> String {
    match result {
        Err(Error::Config(error)) => error.to_string(),
        Err(other) => panic!("expected an option error before connecting, got: {other}"),
        Ok(_) => panic!("invalid options were accepted"),
    }
}

#[tokio::test]
async fn writers_refuse_zero_concurrency_zero_rows_and_conditional_updates_before_connecting() {
    let schema = Schema::new(vec![Field::new("id", DataType::Int32, false)]);
    let mut options = WriteOptions::new(unreachable(), "nowhere", "rows");
    options.concurrency = 0;
    assert!(config_message(CassandraWriter::open(options, &schema).await).contains("'batch_size'"));

    let mut options = WriteOptions::new(unreachable(), "nowhere", "rows");
    options.batch_max_rows = 0;
    assert!(config_message(CassandraWriter::<Row>::open_rows(options).await).contains("'batch_max_rows'"));

    let mut options = WriteOptions::new(unreachable(), "", "");
    options.if_not_exists = true;
    options.write_mode = WriteMode::Update;
    // The typed writer takes keyspace and table from `Row`; only the conflict is left.
    let message = config_message(CassandraWriter::<Row>::open_rows(options).await);
    assert!(message.starts_with("'if_not_exists' cannot be combined with 'write_mode' = 'update'"), "{message}");
}

#[tokio::test]
async fn readers_refuse_a_zero_page_size_before_connecting() {
    let mut options = ReadOptions::new(unreachable(), "nowhere", "rows");
    options.fetch_size_rows = 0;
    assert!(config_message(CassandraReader::open(options.clone()).await).contains("'fetch_size_rows'"));
    assert!(config_message(CassandraReader::open_rows::<Row>(options).await).contains("'fetch_size_rows'"));
}
