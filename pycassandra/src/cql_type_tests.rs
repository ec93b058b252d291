//! The vocabulary agrees with itself: every name parses, and prints back as itself or its alias's target;
//! whole type texts parse to the types they print as.

use scylla::cluster::metadata::{ColumnType, NativeType};

use super::{name, native_name, parse, parse_native, NAMES};

#[test]
fn every_name_parses_and_prints_back_as_its_canonical_spelling() {
    for spelling in NAMES {
        let native = parse_native(spelling).unwrap_or_else(|| panic!("{spelling} does not parse"));
        let canonical = if spelling == "varchar" { "text" } else { spelling };
        assert_eq!(native_name(&native), canonical);
        assert_eq!(name(&ColumnType::Native(native)), canonical);
    }
}

#[test]
fn the_names_are_distinct_and_listed_in_the_order_messages_show() {
    let mut sorted = NAMES.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), NAMES.len());
    assert_eq!(
        NAMES.join(", "),
        "ascii, text, varchar, boolean, tinyint, smallint, int, bigint, varint, float, double, decimal, uuid, \
         timeuuid, inet, blob, date, time, timestamp, duration, counter"
    );
}

#[test]
fn parsing_ignores_case_and_surrounding_spaces_and_refuses_non_scalars() {
    assert_eq!(parse_native("  BIGINT\t"), Some(NativeType::BigInt));
    assert_eq!(parse_native("VarChar"), Some(NativeType::Text));
    for refused in ["", "string", "list<int>", "frozen<text>", "big int"] {
        assert_eq!(parse_native(refused), None, "{refused:?}");
    }
}

#[test]
fn whole_type_texts_parse_to_what_they_print_as() {
    // Tuples are always frozen: the driver's types, and so their names, do not say it.
    for (text, expected) in [
        ("text", "text"),
        ("bigint", "bigint"),
        ("list<int>", "list<int>"),
        ("frozen<map<text, frozen<list<int>>>>", "frozen<map<text, frozen<list<int>>>>"),
        ("set<frozen<tuple<int, text>>>", "set<tuple<int, text>>"),
        ("frozen<tuple<text, int>>", "tuple<text, int>"),
        ("vector<float, 3>", "vector<float, 3>"),
        (" Map < VarChar , INT > ", "map<text, int>"),
    ] {
        let parsed = parse(text).unwrap_or_else(|| panic!("{text} does not parse"));
        assert_eq!(name(&parsed), expected);
    }
    assert_eq!(name(&parse(" VarChar ").unwrap()), "text");
}

#[test]
fn a_malformed_or_unknown_type_text_is_none() {
    for text in
        ["", "addr", "list<>", "map<int>", "list<int", "int>", "vector<float>", "frozen<int, int>", "list<int> x"]
    {
        assert!(parse(text).is_none(), "{text}");
    }
}
