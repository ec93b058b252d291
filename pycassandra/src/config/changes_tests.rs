use std::collections::HashMap;

use super::*;
use crate::{ReadOptions, WriteOptions};

fn stream(extra: &[(&str, &str)]) -> HashMap<String, String> {
    let mut map: HashMap<String, String> =
        [("host", "h"), ("keyspace", "ks"), ("table", "t"), ("cdc_raw_directory", "/cdc")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    map.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    map
}

fn error(result: Result<impl std::fmt::Debug, ConfigError>) -> String {
    result.unwrap_err().to_string()
}

#[test]
fn a_stream_takes_its_options_and_their_defaults() {
    let options = ChangeOptions::from_options(&stream(&[])).unwrap();
    assert_eq!(options.cdc_raw_directory, PathBuf::from("/cdc"));
    assert_eq!(options.starting_position, StartingPosition::Latest);
    assert_eq!((options.max_bytes_per_trigger, options.delete_consumed), (None, false));
    let options = ChangeOptions::from_options(&stream(&[
        ("STARTING_POSITION", " Earliest "),
        ("max_bytes_per_trigger", "1048576"),
        ("cdc_delete_consumed", "true"),
    ]))
    .unwrap();
    assert_eq!(options.starting_position, StartingPosition::Earliest);
    assert_eq!((options.max_bytes_per_trigger, options.delete_consumed), (Some(1 << 20), true));
}

#[test]
fn bad_values_and_a_missing_directory_name_the_option() {
    let bad = error(ChangeOptions::from_options(&stream(&[("starting_position", "now")])));
    assert!(bad.contains("'starting_position'") && bad.contains("earliest or latest"), "{bad}");
    let zero = error(ChangeOptions::from_options(&stream(&[("max_bytes_per_trigger", "0")])));
    assert!(zero.contains("'max_bytes_per_trigger'"), "{zero}");
    let mut missing = stream(&[]);
    missing.remove("cdc_raw_directory");
    assert!(error(ChangeOptions::from_options(&missing)).contains("cdc_raw_directory"));
    let misspelt = error(ChangeOptions::from_options(&stream(&[("cdc_raw_directry", "/x")])));
    assert!(misspelt.contains("did you mean 'cdc_raw_directory'?") && misspelt.contains("change stream"), "{misspelt}");
}

#[test]
fn each_kind_of_job_refuses_the_others_options_naming_who_takes_them() {
    let scan = error(ChangeOptions::from_options(&stream(&[("split_size_mb", "8")])));
    assert_eq!(scan, "options split_size_mb apply to table scans only");
    let write = error(ChangeOptions::from_options(&stream(&[("batch_size", "8")])));
    assert_eq!(write, "options batch_size apply to writes only");

    let read = error(ReadOptions::from_options(&stream(&[])));
    assert_eq!(read, "options cdc_raw_directory apply to change streams (readStream) only");
    let mut write_map = stream(&[("starting_position", "earliest")]);
    write_map.remove("cdc_raw_directory");
    let written = error(WriteOptions::from_options(&write_map));
    assert_eq!(written, "options starting_position apply to change streams (readStream) only");
}

#[test]
fn added_columns_fail_the_stream_unless_ignored() {
    assert!(!ChangeOptions::from_options(&stream(&[])).unwrap().ignore_added_columns);
    assert!(ChangeOptions::from_options(&stream(&[("cdc_schema_changes", "Ignore")])).unwrap().ignore_added_columns);
    assert!(!ChangeOptions::from_options(&stream(&[("cdc_schema_changes", "fail")])).unwrap().ignore_added_columns);
    let refused = error(ChangeOptions::from_options(&stream(&[("cdc_schema_changes", "skip")])));
    assert!(refused.contains("cdc_schema_changes") && refused.contains("fail or ignore"), "{refused}");
}
