//! Each variant's message, word for word: users and tests match on them.

use super::*;

fn says(error: impl std::fmt::Display, expected: &str) {
    assert_eq!(error.to_string(), expected);
}

#[test]
fn option_rules_name_the_options_and_the_fix() {
    says(
        ConfigError::RequiresTogether { a: "username", b: "password" },
        "'username' and 'password' must be given together",
    );
    says(
        ConfigError::Requires { given: "delete_flag_column", needed: "delete_flag_value" },
        "delete_flag_value must be provided when delete_flag_column is specified",
    );
    says(
        ConfigError::BothNonEmpty { a: "delete_flag_column", b: "delete_flag_value" },
        "'delete_flag_column' and 'delete_flag_value' must both be non-empty",
    );
    says(
        ConfigError::AliasDisagrees {
            alias: "concurrency",
            option: "batch_size",
            alias_value: "4".into(),
            option_value: "8".into(),
        },
        "'concurrency' and 'batch_size' are two names of one option and were given different values ('4' and '8'); \
         give one of them",
    );
    says(
        ConfigError::NeedsUpdateMode { options: &["collection_append", "collection_remove"] },
        "'collection_append' and 'collection_remove' need 'write_mode' = 'update'",
    );
    says(
        ConfigError::ColumnInBoth { column: "tags".into(), a: "collection_append", b: "collection_remove" },
        "column 'tags' is in both 'collection_append' and 'collection_remove'",
    );
    says(
        ConfigError::Excludes {
            a: "if_not_exists",
            b: "write_mode",
            b_value: Some("update"),
            why: "it applies to inserts only",
        },
        "'if_not_exists' cannot be combined with 'write_mode' = 'update': it applies to inserts only",
    );
    says(
        ConfigError::Excludes { a: "if_not_exists", b: "writetime", b_value: None, why: "no" },
        "'if_not_exists' cannot be combined with 'writetime': no",
    );
    says(
        ConfigError::NotForStreaming { option: "confirm_truncate", why: "a stream never truncates" },
        "option 'confirm_truncate' does not apply to a streaming write: a stream never truncates; remove the option",
    );
}

#[test]
fn tls_problems_say_what_to_give() {
    says(
        ConfigError::TlsNotEnabled { options: vec!["ssl_ca_cert", "ssl_client_key"] },
        "ssl_ca_cert, ssl_client_key given but 'ssl_enabled' is not 'true'",
    );
    says(
        ConfigError::NoSystemCaCertificates { errors: vec![], option: "ssl_ca_cert" },
        "no CA certificate found in the system trust store; give 'ssl_ca_cert'",
    );
    says(
        ConfigError::NoSystemCaCertificates { errors: vec!["a".into(), "b".into()], option: "ssl_ca_cert" },
        "no CA certificate found in the system trust store (a; b); give 'ssl_ca_cert'",
    );
    says(ConfigError::Tls { reason: "no protocol".into() }, "cannot initialise TLS: no protocol");
}

#[test]
fn read_planning_problems_say_which_column_and_why() {
    says(
        ReadError::NoWriteTimeOrTtl { column: "tags".into(), cql_type: "set<text>".into(), function: "ttl" },
        "column 'tags' (set<text>) has no ttl: only regular and static columns of non-collection types have one \
         write time and TTL",
    );
}

#[test]
fn write_mode_problems_name_the_table_column_and_option() {
    says(
        SchemaError::NothingToUpdate { table: "ks.t".into() },
        "write_mode 'update' needs at least one input column outside the primary key",
    );
    says(
        SchemaError::CountersNeedUpdateMode { table: "tally".into(), counters: vec!["hits".into(), "views".into()] },
        "table 'tally' has counter columns (hits, views): set option 'write_mode' to 'update' to increment them",
    );
    says(
        SchemaError::NotForCounters { table: "tally".into() },
        "counter tables accept neither 'ttl' nor 'if_not_exists'",
    );
    says(
        SchemaError::CollectionNotInTable { column: "tags".into(), table: "t".into() },
        "collection column 'tags' is not in table 't'",
    );
    says(SchemaError::CollectionNotInInput { column: "tags".into() }, "collection column 'tags' is not in the input");
    says(
        SchemaError::NotACollection { column: "note".into(), cql_type: "text".into() },
        "column 'note' is text, not a (non-frozen) list, set or map: it cannot be appended to or removed from",
    );
}

#[test]
fn conversion_kinds_say_what_is_wrong_with_the_value() {
    says(ConvertErrorKind::Syntax { expected: "an integer" }, "not an integer");
    says(ConvertErrorKind::Overflow { range: "int (int32)" }, "integer overflow: outside the int (int32) range");
    says(
        ConvertErrorKind::OutOfRange { what: "timestamp", range: "a signed 64-bit count of milliseconds" },
        "timestamp out of range (a signed 64-bit count of milliseconds)",
    );
    let error = uuid::Uuid::parse_str("x").unwrap_err();
    says(ConvertErrorKind::InvalidUuid { error: error.clone() }, &format!("Invalid UUID ({error})"));
    says(
        ConvertErrorKind::NotTimeuuid { version: 4 },
        "Invalid UUID for timeuuid: version 4 (timeuuid needs version 1)",
    );
    says(ConvertErrorKind::NoSuchDate, "no such calendar date");
    says(ConvertErrorKind::NotAscii, "ascii column got non-ASCII text");
    says(ConvertErrorKind::NotWholeDay, "date64 value is not a whole day");
    assert!(ConvertErrorKind::SubMillisecond.to_string().starts_with("timestamp has sub-millisecond precision"));
    says(
        ConvertErrorKind::NullInCollection { item: ValuePart::MapValue(2) },
        "map value 2 is null, which CQL collections cannot hold",
    );
    says(ConvertErrorKind::VectorLength { expected: 3, got: 2 }, "vector needs 3 elements, got 2");
    says(ConvertErrorKind::Null, "null");
    says(ConvertErrorKind::InvalidSetting, "not a valid value for this setting");
    says(ConvertErrorKind::TooLong, "value longer than 2 GiB, which CQL cannot hold");
    says(ConvertErrorKind::DriverEncode { reason: "bad".into() }, "cannot encode the value (bad)");
    says(ConvertErrorKind::DriverDecode { reason: "bad".into() }, "cannot decode the encoded value (bad)");
}

#[test]
fn value_parts_read_as_the_way_down_a_nested_value() {
    let parts = [
        ValuePart::Field("home".into()),
        ValuePart::TupleElement(1),
        ValuePart::Element(0),
        ValuePart::MapKey(3),
        ValuePart::MapValue(4),
    ];
    let shown: Vec<String> = parts.iter().map(ToString::to_string).collect();
    assert_eq!(shown, ["field 'home'", "tuple element 1", "element 0", "map key 3", "map value 4"]);
}

#[test]
fn scan_failures_other_than_the_driver_s_have_their_own_variants() {
    let arrow = arrow_schema::ArrowError::InvalidArgumentError("offset overflow".into());
    says(
        ReadError::Arrow { table: "ks.t".into(), source: arrow },
        "cannot assemble the Arrow batch of ks.t: Invalid argument error: offset overflow",
    );
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let cancelled = runtime.block_on(async {
        let task = tokio::spawn(std::future::pending::<()>());
        task.abort();
        task.await.unwrap_err()
    });
    let message = ReadError::TaskFailed { table: "ks.t".into(), source: cancelled }.to_string();
    assert!(message.starts_with("a page fetch of ks.t did not finish: task "), "{message}");
    assert!(message.ends_with("was cancelled"), "{message}");
}

#[test]
fn a_conversion_error_names_row_column_type_the_way_down_and_the_value() {
    let error = |path: Vec<ValuePart>, kind, value: &str| ConvertError {
        row: 2,
        column: "numbers".into(),
        cql_type: "list<frozen<list<int>>>".into(),
        value: value.into(),
        path,
        kind,
    };
    says(
        error(vec![], ConvertErrorKind::NullInCollection { item: ValuePart::Element(1) }, "null"),
        "row 2, column 'numbers' (list<frozen<list<int>>>): element 1 is null, which CQL collections cannot hold: null",
    );
    says(
        error(
            vec![ValuePart::Element(0), ValuePart::Element(3)],
            ConvertErrorKind::Overflow { range: "int (int32)" },
            "2147483648",
        ),
        "row 2, column 'numbers' (list<frozen<list<int>>>): element 0: element 3: integer overflow: outside the int \
         (int32) range: 2147483648",
    );
}
