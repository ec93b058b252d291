//! Which filters are pushed, and the CQL they become, without a node.

use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};

use super::{push, Filter, FilterValue, Operator, MAX_LOOKUP_VALUES};
use crate::schema::TableSchema;

/// `ks.t (k text, b bigint, c int, d date, u uuid, f double, v text, PRIMARY KEY ((k, b), c, d))`.
fn table() -> TableSchema {
    let native = ColumnType::Native;
    TableSchema::for_test(
        "ks",
        "t",
        &[
            ("k", native(NativeType::Text), ColumnKind::PartitionKey),
            ("b", native(NativeType::BigInt), ColumnKind::PartitionKey),
            ("c", native(NativeType::Int), ColumnKind::Clustering),
            ("d", native(NativeType::Date), ColumnKind::Clustering),
            ("u", native(NativeType::Uuid), ColumnKind::Regular),
            ("f", native(NativeType::Double), ColumnKind::Regular),
            ("v", native(NativeType::Text), ColumnKind::Regular),
        ],
    )
}

fn filter(column: &str, operator: Operator, values: Vec<FilterValue>) -> Filter {
    Filter { column: column.into(), operator, values }
}

fn int(value: i64) -> FilterValue {
    FilterValue::Integer(value)
}

fn text(value: &str) -> FilterValue {
    FilterValue::Text(value.into())
}

/// The claimed flags and the rendered CQL restrictions (partition, then clustering).
fn pushed(filters: &[Filter]) -> (Vec<bool>, Vec<String>, Vec<String>) {
    let (claimed, pushed) = push(&table(), filters);
    let render = |rs: &[super::Restriction]| rs.iter().map(crate::cql::restriction).collect();
    (claimed, render(&pushed.partition_key), render(&pushed.clustering))
}

#[test]
fn the_whole_partition_key_becomes_lookups_with_clustering_equalities_then_ranges() {
    let (claimed, partition, clustering) = pushed(&[
        filter("k", Operator::Equal, vec![text("it's")]),
        filter("B", Operator::In, vec![int(1), int(2)]),
        filter("c", Operator::In, vec![int(7), int(8)]),
        filter("d", Operator::GreaterOrEqual, vec![FilterValue::Date("2024-02-29".into())]),
        filter("d", Operator::Less, vec![FilterValue::Date("2024-03-31".into())]),
        filter("v", Operator::Equal, vec![text("x")]),
    ]);
    assert_eq!(claimed, [true, true, true, true, true, false]);
    assert_eq!(partition, [r#""k" = 'it''s'"#, r#""b" IN (1, 2)"#]);
    assert_eq!(clustering, [r#""c" IN (7, 8)"#, r#""d" >= '2024-02-29'"#, r#""d" < '2024-03-31'"#]);
}

#[test]
fn part_of_the_partition_key_pushes_nothing_of_it_and_in_needs_lookups_on_clustering() {
    let (claimed, partition, clustering) = pushed(&[
        filter("k", Operator::Equal, vec![text("a")]),
        filter("c", Operator::In, vec![int(1)]),
        filter("c", Operator::Greater, vec![int(3)]),
    ]);
    assert_eq!((claimed, partition), (vec![false, false, true], vec![]));
    assert_eq!(clustering, [r#""c" > 3"#]);
}

#[test]
fn a_range_stops_the_clustering_prefix() {
    let (claimed, _, clustering) = pushed(&[
        filter("c", Operator::Less, vec![int(5)]),
        filter("d", Operator::Equal, vec![FilterValue::Date("2024-01-01".into())]),
    ]);
    assert_eq!(claimed, [true, false]);
    assert_eq!(clustering, [r#""c" < 5"#]);
}

/// `ks.one (k <key_type> PRIMARY KEY)`.
fn keyed_by(key_type: NativeType) -> TableSchema {
    TableSchema::for_test("ks", "one", &[("k", ColumnType::Native(key_type), ColumnKind::PartitionKey)])
}

#[test]
fn values_that_cql_would_compare_differently_are_left_to_spark() {
    let cases = [
        (NativeType::Int, int(i64::from(i32::MAX)), true),
        (NativeType::Int, int(i64::from(i32::MAX) + 1), false), // out of int's range
        (NativeType::TinyInt, int(-129), false),
        (NativeType::Int, text("5"), false), // a string against an int
        (NativeType::Boolean, FilterValue::Boolean(true), true),
        (NativeType::Int, FilterValue::Boolean(true), false),
        (NativeType::Date, FilterValue::Date("2024-02-29".into()), true),
        (NativeType::Date, FilterValue::Date("2023-02-29".into()), false),
        (NativeType::Ascii, text("héllo"), false),
        (NativeType::Uuid, text("550e8400-e29b-41d4-a716-446655440000"), true),
        (NativeType::Uuid, text("550E8400-E29B-41D4-A716-446655440000"), false), // not canonical
        (NativeType::Double, FilterValue::Other, false),
        (NativeType::Double, int(1), false), // floating point is never pushed
    ];
    for (key_type, value, exact) in cases {
        let (claimed, _) = push(&keyed_by(key_type.clone()), &[filter("k", Operator::Equal, vec![value.clone()])]);
        assert_eq!(claimed, [exact], "{key_type:?} = {value:?}");
    }
    // Uuids compare as uuids in CQL: equality only, never a range.
    let (claimed, _) = push(
        &keyed_by(NativeType::Uuid),
        &[filter("k", Operator::Greater, vec![text("550e8400-e29b-41d4-a716-446655440000")])],
    );
    assert_eq!(claimed, [false]);
    let too_many = filter("b", Operator::In, (0..=MAX_LOOKUP_VALUES as i64).map(int).collect());
    let (claimed, _, _) = pushed(&[filter("k", Operator::Equal, vec![text("a")]), too_many]);
    assert_eq!(claimed, [false, false]);
}
