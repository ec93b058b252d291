use std::collections::HashMap;
use std::time::Duration;

use crate::config::{ConnectionOptions, DeleteFlag, PerRow, ReadOptions, WriteMode, WriteOptions};

fn write_options() -> WriteOptions {
    WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "ks", "t")
}

fn read_options() -> ReadOptions {
    ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "ks", "t")
}

fn write_error(change: impl FnOnce(&mut WriteOptions)) -> String {
    let mut options = write_options();
    change(&mut options);
    match options.validate() {
        Ok(()) => panic!("accepted: {options:?}"),
        Err(error) => error.to_string(),
    }
}

fn read_error(change: impl FnOnce(&mut ReadOptions)) -> String {
    let mut options = read_options();
    change(&mut options);
    match options.validate() {
        Ok(()) => panic!("accepted: {options:?}"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn the_defaults_are_valid() {
    write_options().validate().unwrap();
    read_options().validate().unwrap();
}

#[test]
fn zero_concurrency_names_the_option_and_the_field() {
    // Semaphore::new(0): the first send would wait forever.
    let error = write_error(|o| o.concurrency = 0);
    assert_eq!(
        error,
        "option 'batch_size' has invalid value '0': expected a whole number from 1 to 100000 (field `concurrency`)"
    );
}

#[test]
fn zero_batch_max_rows_is_refused() {
    // take(0) would push empty batches until memory runs out.
    let error = write_error(|o| o.batch_max_rows = 0);
    assert_eq!(error, "option 'batch_max_rows' has invalid value '0': expected a whole number from 1 to 65535");
}

#[test]
fn batch_max_bytes_must_be_positive_and_within_a_mutation() {
    let error = write_error(|o| o.batch_max_bytes = Some(0));
    assert!(error.contains("'batch_max_bytes' has invalid value '0'"), "{error}");
    let error = write_error(|o| o.batch_max_bytes = Some((16 << 20) + 1));
    assert!(error.contains("from 1 to 16777216"), "{error}");
    let mut options = write_options();
    options.batch_max_bytes = Some(16 << 20);
    options.validate().unwrap();
}

#[test]
fn batch_max_bytes_defaults_depend_on_the_partitions_a_batch_spans() {
    let mut options = write_options();
    assert_eq!(options.batch_max_bytes_one_partition(), 1 << 20);
    assert_eq!(options.batch_max_bytes_across_partitions(), 4 << 10);
    options.batch_max_bytes = Some(777);
    assert_eq!(options.batch_max_bytes_one_partition(), 777);
    assert_eq!(options.batch_max_bytes_across_partitions(), 777);
}

#[test]
fn if_not_exists_with_update_is_refused_not_dropped() {
    let error = write_error(|o| {
        o.if_not_exists = true;
        o.write_mode = WriteMode::Update;
    });
    assert!(error.contains("'if_not_exists' cannot be combined with 'write_mode' = 'update'"), "{error}");
}

#[test]
fn if_not_exists_refuses_deletes_and_writetime() {
    let error = write_error(|o| {
        o.if_not_exists = true;
        o.delete_flag = Some(DeleteFlag { column: "gone".into(), value: "true".into() });
        o.writetime = Some(PerRow::Constant(1));
    });
    assert!(error.contains("'delete_flag_column'") && error.contains("'writetime'"), "{error}");
}

#[test]
fn collection_options_need_update_mode_and_distinct_columns() {
    let error = write_error(|o| o.collection_append = vec!["tags".into()]);
    assert_eq!(error, "'collection_append' and 'collection_remove' need 'write_mode' = 'update'");
    let error = write_error(|o| {
        o.write_mode = WriteMode::Update;
        o.collection_append = vec!["tags".into()];
        o.collection_remove = vec!["tags".into()];
    });
    assert_eq!(error, "column 'tags' is in both 'collection_append' and 'collection_remove'");
}

#[test]
fn ttl_writetime_and_throughput_are_checked() {
    let error = write_error(|o| o.ttl = Some(PerRow::Constant(-1)));
    assert!(error.contains("option 'ttl' has invalid value '-1'"), "{error}");
    let error = write_error(|o| o.ttl = Some(PerRow::Constant(630_720_001)));
    assert!(error.contains("'630720001'"), "{error}");
    let error = write_error(|o| o.writetime = Some(PerRow::Column(" ".into())));
    assert!(error.contains("option 'writetime'") && error.contains("an input column name"), "{error}");
    let error = write_error(|o| o.throughput_mb_per_sec = Some(0.0));
    assert!(error.contains("option 'throughput_mb_per_sec'"), "{error}");
    let error = write_error(|o| o.throughput_mb_per_sec = Some(f64::NAN));
    assert!(error.contains("option 'throughput_mb_per_sec'"), "{error}");
}

#[test]
fn retries_and_timeouts_are_bounded() {
    let error = write_error(|o| o.max_retries = 101);
    assert!(error.contains("option 'max_retries' has invalid value '101'"), "{error}");
    let error = write_error(|o| o.connection.request_timeout = Duration::ZERO);
    assert!(error.contains("option 'request_timeout_ms' has invalid value '0'"), "{error}");
    let error = write_error(|o| o.connection.connect_timeout = Duration::from_secs(7200));
    assert!(error.contains("option 'connect_timeout_ms'"), "{error}");
}

#[test]
fn an_empty_target_is_missing() {
    let error = write_error(|o| {
        o.connection.contact_points.clear();
        o.table = " ".into();
    });
    assert_eq!(error, "missing required options: host, table");
}

#[test]
fn every_problem_is_reported_at_once() {
    let error = write_error(|o| {
        o.concurrency = 0;
        o.batch_max_rows = 0;
    });
    assert!(error.contains("'batch_size'") && error.contains("'batch_max_rows'"), "{error}");
}

#[test]
fn read_rules_name_the_option() {
    let error = read_error(|o| o.fetch_size_rows = 0);
    assert_eq!(error, "option 'fetch_size_rows' has invalid value '0': expected a whole number from 1 to 1000000");
    let error = read_error(|o| o.fetch_size_rows = -5);
    assert!(error.contains("'-5'"), "{error}");
    let error = read_error(|o| o.split_size_bytes = 0);
    assert!(error.contains("option 'split_size_mb'"), "{error}");
    let error = read_error(|o| o.min_splits = Some(0));
    assert!(error.contains("option 'min_splits' has invalid value '0'"), "{error}");
    let error = read_error(|o| o.limit = Some(0));
    assert!(error.contains("option 'limit' has invalid value '0'"), "{error}");
    let error = read_error(|o| o.where_clause = Some("  ".into()));
    assert!(error.contains("option 'where'"), "{error}");
    let error = read_error(|o| o.ttl_columns = vec![String::new()]);
    assert!(error.contains("option 'ttl_columns'"), "{error}");
}

#[test]
fn the_string_parser_reports_rule_problems_once() {
    let map = HashMap::from([
        ("host", "h"),
        ("keyspace", "ks"),
        ("table", "t"),
        ("batch_size", "0"),
        ("if_not_exists", "true"),
        ("write_mode", "update"),
    ]);
    let error = WriteOptions::from_options(&map).unwrap_err().to_string();
    assert_eq!(error.matches("'batch_size'").count(), 1, "{error}");
    assert_eq!(error.matches("'if_not_exists' cannot be combined").count(), 1, "{error}");
}

#[test]
fn the_string_parser_reads_batch_max_bytes() {
    let map = HashMap::from([("host", "h"), ("keyspace", "ks"), ("table", "t"), ("batch_max_bytes", "2048")]);
    assert_eq!(WriteOptions::from_options(&map).unwrap().batch_max_bytes, Some(2048));
    let map = HashMap::from([("host", "h"), ("keyspace", "ks"), ("table", "t"), ("batch_max_bytes", "0")]);
    let error = WriteOptions::from_options(&map).unwrap_err().to_string();
    assert!(error.contains("'batch_max_bytes' has invalid value '0'"), "{error}");
    let map = HashMap::from([("host", "h"), ("keyspace", "ks"), ("table", "t")]);
    assert_eq!(WriteOptions::from_options(&map).unwrap().batch_max_bytes, None);
}
