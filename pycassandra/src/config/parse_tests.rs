use std::collections::HashMap;

use super::*;
use crate::config::{BatchGrouping, PerRow};

fn parse(pairs: &[(&str, &str)]) -> Result<WriteOptions, ConfigError> {
    let map: HashMap<&str, &str> = pairs.iter().copied().collect();
    WriteOptions::from_options(&map)
}

const BASE: [(&str, &str); 3] = [("host", "127.0.0.1"), ("keyspace", "ks"), ("table", "t")];

fn with(extra: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    BASE.iter().chain(extra).copied().collect()
}

#[test]
fn defaults_follow_the_plan() {
    let options = parse(&BASE).unwrap();
    assert_eq!(options.connection.contact_points, ["127.0.0.1:9042"]);
    assert_eq!(options.concurrency, 100);
    assert_eq!(options.consistency, Consistency::LocalQuorum);
    assert_eq!(options.batch_grouping, BatchGrouping::ReplicaSet);
    assert!(options.delete_flag.is_none() && !options.if_not_exists && !options.ignore_nulls);
}

#[test]
fn every_missing_required_option_is_listed() {
    let error = parse(&[("table", "t")]).unwrap_err().to_string();
    assert_eq!(error, "missing required options: host, keyspace");
}

#[test]
fn keys_are_case_insensitive_and_hosts_take_ports() {
    let options = parse(&[("HOST", "a, b:9999,::1"), ("Keyspace", "ks"), ("TABLE", "t"), ("Port", "9043")]).unwrap();
    assert_eq!(options.connection.contact_points, ["a:9043", "b:9999", "[::1]:9043"]);
}

#[test]
fn bad_numbers_name_the_option() {
    let error = parse(&with(&[("batch_size", "lots")])).unwrap_err().to_string();
    assert!(error.contains("'batch_size'") && error.contains("'lots'"), "{error}");
    let error = parse(&with(&[("port", "70000")])).unwrap_err().to_string();
    assert!(error.contains("'port'"), "{error}");
}

#[test]
fn unknown_consistency_and_unknown_options_are_reported() {
    let error = parse(&with(&[("consistency", "MOST"), ("hots", "x")])).unwrap_err().to_string();
    assert!(
        error.contains("'consistency'") && error.contains("unknown option 'hots'; did you mean 'host'?"),
        "{error}"
    );
}

#[test]
fn delete_flag_pair_must_be_complete() {
    let error = parse(&with(&[("delete_flag_column", "gone")])).unwrap_err().to_string();
    assert_eq!(error, "delete_flag_value must be provided when delete_flag_column is specified");
    let error = parse(&with(&[("delete_flag_value", "true")])).unwrap_err().to_string();
    assert_eq!(error, "delete_flag_column must be provided when delete_flag_value is specified");
}

#[test]
fn if_not_exists_conflicts_with_deletes() {
    let error = parse(&with(&[("if_not_exists", "true"), ("delete_flag_column", "d"), ("delete_flag_value", "1")]))
        .unwrap_err();
    assert!(error.to_string().contains("'if_not_exists' cannot be combined with 'delete_flag_column'"));
}

#[test]
fn ttl_and_writetime_are_constants_or_columns() {
    let options = parse(&with(&[("ttl", "3600"), ("writetime", "ts_col")])).unwrap();
    assert_eq!(options.ttl, Some(PerRow::Constant(3600)));
    assert_eq!(options.writetime, Some(PerRow::Column("ts_col".into())));
    assert!(parse(&with(&[("ttl", "-5")])).unwrap_err().to_string().contains("'ttl'"));
}

#[test]
fn the_password_never_shows() {
    let options = parse(&with(&[("username", "app"), ("password", "s3cr3t-pw")])).unwrap();
    assert!(!format!("{options:?}").contains("s3cr3t-pw"));
    let error = parse(&[("password", "s3cr3t-pw"), ("username", "u"), ("batch_size", "x")]).unwrap_err();
    assert!(!format!("{error} {error:?}").contains("s3cr3t-pw"));
}

#[test]
fn every_option_is_shared_or_belongs_to_one_direction() {
    use crate::config::names::{ALL_OPTIONS, READ_ONLY_OPTIONS, WRITE_ONLY_OPTIONS};
    for option in WRITE_ONLY_OPTIONS.iter().chain(READ_ONLY_OPTIONS) {
        assert!(ALL_OPTIONS.contains(option), "{option} is missing from ALL_OPTIONS");
    }
    assert!(!WRITE_ONLY_OPTIONS.iter().any(|o| READ_ONLY_OPTIONS.contains(o)));
    let read = crate::config::ReadOptions::from_options(&HashMap::from([
        ("host", "h"),
        ("keyspace", "k"),
        ("table", "t"),
        ("split_size_mb", "8"),
    ]));
    assert_eq!(read.map(|o| o.split_size_bytes).ok(), Some(8 << 20));
    let error = parse(&with(&[("split_size_mb", "8")])).unwrap_err().to_string();
    assert_eq!(error, "options split_size_mb apply to reads only");
}

mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::config::names::ALL_OPTIONS;

    /// A known option name (sometimes upper-cased, as users type them) or a made-up one.
    fn key() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => proptest::sample::select(ALL_OPTIONS).prop_map(str::to_string),
            1 => proptest::sample::select(ALL_OPTIONS).prop_map(str::to_ascii_uppercase),
            1 => "[a-z_]{1,12}",
        ]
    }

    /// Values near what each option takes, and junk.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9]{1,6}",
            "-[0-9]{1,3}",
            Just("true".to_string()),
            Just("ONE".to_string()),
            Just("replica_set".to_string()),
            Just(String::new()),
            ".{0,12}",
        ]
    }

    proptest! {
        #[test]
        fn any_option_map_parses_or_names_what_is_wrong(
            pairs in proptest::collection::vec((key(), value()), 0..8),
            password in "[A-Za-z]{12}",
        ) {
            let mut map: HashMap<String, String> = pairs.into_iter().collect();
            map.insert("password".into(), format!("secret{password}"));
            match WriteOptions::from_options(&map) {
                Ok(_) => {}
                Err(error) => {
                    let text = error.to_string();
                    prop_assert!(!text.contains(&format!("secret{password}")), "the password leaked: {}", text);
                    let named = ALL_OPTIONS.iter().any(|option| text.contains(option))
                        || map.keys().any(|key| text.contains(key.as_str()));
                    prop_assert!(named, "the error names no option: {}", text);
                }
            }
        }
    }
}

fn parse_read(pairs: &[(&str, &str)]) -> Result<crate::config::ReadOptions, ConfigError> {
    let map: HashMap<&str, &str> = pairs.iter().copied().collect();
    crate::config::ReadOptions::from_options(&map)
}

#[test]
fn an_unknown_option_gets_the_nearest_name_and_the_options_of_its_direction() {
    let error = parse_read(&with(&[("wher", "k = 1")])).unwrap_err().to_string();
    assert!(error.starts_with("unknown option 'wher'; did you mean 'where'? (options of a read: host, "), "{error}");
    assert!(!error.contains("batch_size") && error.contains("split_size_mb"), "{error}");
    let error = parse(&with(&[("batchsize", "5")])).unwrap_err().to_string();
    assert!(
        error.starts_with("unknown option 'batchsize'; did you mean 'batch_size'? (options of a write: "),
        "{error}"
    );
    assert!(!error.contains("split_size_mb"), "{error}");
    // A read option misspelt in a write is not suggested: the write could not take it.
    let error = parse(&with(&[("fetch_size_row", "5"), ("xyzzy", "1")])).unwrap_err().to_string();
    assert!(error.starts_with("unknown options 'fetch_size_row', 'xyzzy' (options of a write: "), "{error}");
    let error = parse(&with(&[("concurency", "5"), ("hots", "x")])).unwrap_err().to_string();
    assert!(error.contains("'concurency' (did you mean 'concurrency'?), 'hots' (did you mean 'host'?)"), "{error}");
}

#[test]
fn the_nearest_name_allows_few_edits() {
    use super::nearest;
    let known = crate::config::names::ALL_OPTIONS;
    assert_eq!(nearest("wher", known), Some("where"));
    assert_eq!(nearest("ttl", known), Some("ttl"));
    assert_eq!(nearest("keyspcae", known), Some("keyspace"));
    assert_eq!(nearest("consistancy", known), Some("consistency"));
    assert_eq!(nearest("table_name", known), None);
    assert_eq!(nearest("q", known), None);
}

#[test]
fn the_plans_names_are_ours() {
    let options = parse(&with(&[("concurrency", "7"), ("rows_per_batch", "9")])).unwrap();
    assert_eq!((options.concurrency, options.batch_max_rows), (7, 9));
    let options = parse_read(&with(&[("filter", "v > 1")])).unwrap();
    assert_eq!(options.where_clause.as_deref(), Some("v > 1"));
    assert!(options.allow_filtering);
    let options = parse_read(&with(&[("where", "v > 1"), ("allow_filtering", "false")])).unwrap();
    assert!(!options.allow_filtering);
    // The same value under both names is one option given twice.
    let options = parse(&with(&[("concurrency", "7"), ("batch_size", "7")])).unwrap();
    assert_eq!(options.concurrency, 7);
    // Each keeps to its direction.
    let error = parse_read(&with(&[("concurrency", "7")])).unwrap_err().to_string();
    assert_eq!(error, "options concurrency apply to writes only");
    let error = parse(&with(&[("filter", "v > 1"), ("allow_filtering", "true")])).unwrap_err().to_string();
    assert_eq!(error, "options allow_filtering, filter apply to reads only");
    let error = parse_read(&with(&[("allow_filtering", "maybe")])).unwrap_err().to_string();
    assert!(error.contains("'allow_filtering' has invalid value 'maybe'"), "{error}");
}

#[test]
fn a_bad_value_under_the_plans_name_is_reported_under_that_name() {
    let error = parse(&with(&[("concurrency", "lots")])).unwrap_err().to_string();
    assert!(error.contains("option 'concurrency' has invalid value 'lots'"), "{error}");
    let error = parse(&with(&[("rows_per_batch", "0")])).unwrap_err().to_string();
    assert!(error.contains("'rows_per_batch'") && !error.contains("'batch_max_rows'"), "{error}");
    let error = parse(&with(&[("batch_size", "lots")])).unwrap_err().to_string();
    assert!(error.contains("option 'batch_size' has invalid value 'lots'"), "{error}");
}

#[test]
fn both_names_with_different_values_are_refused_naming_both() {
    let error = parse(&with(&[("concurrency", "7"), ("batch_size", "8")])).unwrap_err().to_string();
    assert!(error.contains("'concurrency' and 'batch_size' are two names of one option"), "{error}");
    assert!(error.contains("('7' and '8')"), "{error}");
    let error = parse(&with(&[("rows_per_batch", "7"), ("batch_max_rows", "8")])).unwrap_err().to_string();
    assert!(error.contains("'rows_per_batch' and 'batch_max_rows'"), "{error}");
    let error = parse_read(&with(&[("filter", "v > 1"), ("where", "v > 2")])).unwrap_err().to_string();
    assert!(error.contains("'filter' and 'where' are two names of one option"), "{error}");
}
