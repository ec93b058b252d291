//! ScanPlan without a node: which columns a read returns, typed how, and the
//! SELECT that fetches them.

use arrow_schema::{DataType, Field, Schema, TimeUnit};
use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};

use super::ScanPlan;
use crate::error::ReadError;
use crate::read::pushdown::{Filter, FilterValue, Operator};
use crate::schema::TableSchema;
use crate::{ConnectionOptions, ReadOptions};

fn native(native: NativeType) -> ColumnType<'static> {
    ColumnType::Native(native)
}

/// `ks.events (id int, seq int, kind text, at timestamp, PRIMARY KEY (id, seq))`.
fn events() -> TableSchema {
    TableSchema::for_test(
        "ks",
        "events",
        &[
            ("id", native(NativeType::Int), ColumnKind::PartitionKey),
            ("seq", native(NativeType::Int), ColumnKind::Clustering),
            ("kind", native(NativeType::Text), ColumnKind::Regular),
            ("at", native(NativeType::Timestamp), ColumnKind::Regular),
        ],
    )
}

fn options() -> ReadOptions {
    ReadOptions::new(ConnectionOptions::new(["127.0.0.1"]), "ks", "events")
}

fn fields(plan: &ScanPlan) -> Vec<(String, DataType, bool)> {
    plan.schema.fields().iter().map(|f| (f.name().clone(), f.data_type().clone(), f.is_nullable())).collect()
}

#[test]
fn by_default_every_column_is_read_in_key_then_name_order_over_a_token_range() {
    let plan = ScanPlan::new(&events(), &options(), None).unwrap();
    let utc_micros = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    assert_eq!(
        fields(&plan),
        [
            ("id".to_string(), DataType::Int32, true),
            ("seq".to_string(), DataType::Int32, true),
            ("at".to_string(), utc_micros, true),
            ("kind".to_string(), DataType::Utf8, true),
        ]
    );
    assert_eq!(
        plan.cql,
        r#"SELECT "id", "seq", "at", "kind" FROM "ks"."events" WHERE token("id") > ? AND token("id") <= ?"#
    );
    assert!(plan.binds_range);
}

#[test]
fn the_columns_option_picks_and_orders_and_keeps_the_tables_spelling() {
    let plan =
        ScanPlan::new(&events(), &ReadOptions { columns: Some(vec!["KIND".into(), "id".into()]), ..options() }, None)
            .unwrap();
    assert_eq!(fields(&plan), [("kind".to_string(), DataType::Utf8, true), ("id".to_string(), DataType::Int32, true)]);
    assert!(plan.cql.starts_with(r#"SELECT "kind", "id" FROM "ks"."events" WHERE"#), "{}", plan.cql);
}

#[test]
fn a_target_schema_keeps_the_callers_names_types_and_nullability() {
    let target = Schema::new(vec![Field::new("ID", DataType::Int32, false), Field::new("Kind", DataType::Utf8, true)]);
    let plan = ScanPlan::new(&events(), &options(), Some(&target)).unwrap();
    assert_eq!(fields(&plan), [("ID".to_string(), DataType::Int32, false), ("Kind".to_string(), DataType::Utf8, true)]);
    assert!(plan.cql.starts_with(r#"SELECT "id", "kind" FROM"#), "{}", plan.cql);
}

#[test]
fn writetime_and_ttl_columns_are_selected_as_extra_columns() {
    let extra = ReadOptions {
        columns: Some(vec!["id".into(), "writetime_kind".into(), "ttl_kind".into()]),
        writetime_columns: vec!["kind".into()],
        ttl_columns: vec!["kind".into()],
        ..options()
    };
    let plan = ScanPlan::new(&events(), &extra, None).unwrap();
    assert_eq!(
        fields(&plan),
        [
            ("id".to_string(), DataType::Int32, true),
            ("writetime_kind".to_string(), DataType::Int64, true),
            ("ttl_kind".to_string(), DataType::Int32, true),
        ]
    );
    assert!(plan.cql.starts_with(r#"SELECT "id", writetime("kind"), ttl("kind") FROM"#), "{}", plan.cql);

    // A key column has no write time of its own.
    let refused = ScanPlan::new(&events(), &ReadOptions { writetime_columns: vec!["seq".into()], ..options() }, None);
    assert!(
        matches!(refused, Err(ReadError::NoWriteTimeOrTtl { ref column, function: "writetime", .. }) if column == "seq")
    );
}

#[test]
fn a_write_time_column_whose_name_the_table_already_has_is_refused() {
    let mut table = events();
    table.columns.push(crate::schema::ColumnSchema {
        name: "ttl_kind".into(),
        cql_type: native(NativeType::Int),
        kind: ColumnKind::Regular,
    });
    let refused = ScanPlan::new(&table, &ReadOptions { ttl_columns: vec!["kind".into()], ..options() }, None);
    assert_eq!(
        refused.err().unwrap().to_string(),
        "cannot add column 'ttl_kind' for option 'ttl_columns': table ks.events has a column of that name"
    );
}

#[test]
fn a_read_of_no_column_is_refused_as_such() {
    let refused = ScanPlan::new(&events(), &ReadOptions { columns: Some(vec![]), ..options() }, None);
    assert_eq!(
        refused.err().unwrap().to_string(),
        "a read of ks.events needs at least one column (its columns: id, seq, at, kind)"
    );
}

fn filter(column: &str, operator: Operator, values: Vec<FilterValue>) -> Filter {
    Filter { column: column.into(), operator, values }
}

#[test]
fn pushed_partition_keys_look_partitions_up_and_clustering_predicates_filter() {
    let lookup = ReadOptions {
        filters: vec![
            filter("id", Operator::In, vec![FilterValue::Integer(1), FilterValue::Integer(2)]),
            filter("seq", Operator::Greater, vec![FilterValue::Integer(3)]),
        ],
        ..options()
    };
    let plan = ScanPlan::new(&events(), &lookup, None).unwrap();
    assert!(plan.cql.ends_with(r#"WHERE "id" IN (1, 2) AND "seq" > 3"#), "{}", plan.cql);
    assert!(!plan.binds_range);

    // Over a token range, a pushed predicate restricts a scan: CQL wants ALLOW FILTERING.
    let scan = ReadOptions {
        filters: vec![filter("seq", Operator::Greater, vec![FilterValue::Integer(3)])],
        limit: Some(10),
        ..options()
    };
    let plan = ScanPlan::new(&events(), &scan, None).unwrap();
    assert!(plan.cql.ends_with(r#"token("id") <= ? AND "seq" > 3 LIMIT 10 ALLOW FILTERING"#), "{}", plan.cql);
    assert!(plan.binds_range);

    // A filter CQL would not evaluate exactly is refused, never silently dropped.
    let inexact = ReadOptions { filters: vec![filter("at", Operator::Equal, vec![FilterValue::Other])], ..options() };
    assert!(matches!(ScanPlan::new(&events(), &inexact, None), Err(ReadError::FilterNotExact { .. })));
}

#[test]
fn a_key_lookup_binds_the_key_columns_in_order() {
    let plan =
        ScanPlan::for_keys(&events(), &ReadOptions { columns: Some(vec!["kind".into()]), ..options() }, &["id", "seq"])
            .unwrap();
    assert!(plan.cql.ends_with(r#"FROM "ks"."events" WHERE "id" = ? AND "seq" = ?"#), "{}", plan.cql);
    assert!(!plan.binds_range);
}

#[test]
fn the_users_where_clause_asks_for_allow_filtering_only_when_allowed() {
    let allowed = ReadOptions { where_clause: Some("kind = 'click'".into()), ..options() };
    assert!(ScanPlan::new(&events(), &allowed, None).unwrap().cql.ends_with("AND kind = 'click' ALLOW FILTERING"));
    let refused = ReadOptions { allow_filtering: false, ..allowed };
    assert!(ScanPlan::new(&events(), &refused, None).unwrap().cql.ends_with("AND kind = 'click'"));
}

#[test]
fn unknown_columns_and_unreadable_types_are_refused_with_what_is_available() {
    let unknown = ScanPlan::new(&events(), &ReadOptions { columns: Some(vec!["colour".into()]), ..options() }, None);
    match unknown.err().unwrap() {
        ReadError::UnknownColumn { column, table, available } => {
            assert_eq!((column.as_str(), table.as_str()), ("colour", "ks.events"));
            assert_eq!(available, ["id", "seq", "at", "kind"]);
        }
        other => panic!("unexpected error: {other}"),
    }
    let target = Schema::new(vec![Field::new("kind", DataType::Boolean, true)]);
    match ScanPlan::new(&events(), &options(), Some(&target)).err().unwrap() {
        ReadError::UnsupportedType { column, requested, default, .. } => {
            assert_eq!((column.as_str(), requested.as_str(), default.as_str()), ("kind", "Boolean", "Utf8"));
        }
        other => panic!("unexpected error: {other}"),
    }
}
