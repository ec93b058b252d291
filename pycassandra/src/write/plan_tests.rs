//! WritePlan without a node: for each write mode, the statement it prepares
//! and the order in which a row's values are bound to it.

use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{Field, Schema};
use scylla::cluster::metadata::{CollectionType, ColumnKind, ColumnType, NativeType};
use scylla::value::CqlValue;

use super::{RowAction, WritePlan};
use crate::config::{DeleteFlag, PerRow, WriteMode, WriteOptions};
use crate::error::SchemaError;
use crate::schema::TableSchema;
use crate::ConnectionOptions;

fn native(native: NativeType) -> ColumnType<'static> {
    ColumnType::Native(native)
}

/// `ks.events (id int, seq int, kind text, amount bigint, PRIMARY KEY (id, seq))`.
fn events() -> TableSchema {
    TableSchema::for_test(
        "ks",
        "events",
        &[
            ("id", native(NativeType::Int), ColumnKind::PartitionKey),
            ("seq", native(NativeType::Int), ColumnKind::Clustering),
            ("kind", native(NativeType::Text), ColumnKind::Regular),
            ("amount", native(NativeType::BigInt), ColumnKind::Regular),
        ],
    )
}

fn options() -> WriteOptions {
    WriteOptions::new(ConnectionOptions::new(["127.0.0.1"]), "ks", "events")
}

/// One row of nullable columns, in the order given (which need not be the table's).
fn batch(columns: Vec<(&str, ArrayRef)>) -> RecordBatch {
    let fields: Vec<Field> = columns.iter().map(|(name, a)| Field::new(*name, a.data_type().clone(), true)).collect();
    RecordBatch::try_new(Arc::new(Schema::new(fields)), columns.into_iter().map(|(_, a)| a).collect()).unwrap()
}

fn one_event() -> RecordBatch {
    batch(vec![
        ("kind", Arc::new(StringArray::from(vec!["click"]))),
        ("id", Arc::new(Int32Array::from(vec![7]))),
        ("amount", Arc::new(Int64Array::from(vec![None]))),
        ("seq", Arc::new(Int32Array::from(vec![1]))),
    ])
}

/// The values of the only row of `batch`, and whether it is a delete.
fn only_row(plan: &WritePlan, batch: &RecordBatch) -> (bool, Vec<Option<Option<CqlValue>>>) {
    let mut rows = plan.rows(batch, None).unwrap();
    assert_eq!(rows.len(), 1);
    match rows.remove(0).action {
        // What each bind marker gets: `None` for unset, `Some(None)` for null.
        RowAction::Write(row) => (false, plan.bound(&row)),
        RowAction::Delete(row) => (true, plan.bound(&row)),
    }
}

fn text(value: &str) -> Option<Option<CqlValue>> {
    Some(Some(CqlValue::Text(value.into())))
}

fn int(value: i32) -> Option<Option<CqlValue>> {
    Some(Some(CqlValue::Int(value)))
}

fn bigint(value: i64) -> Option<Option<CqlValue>> {
    Some(Some(CqlValue::BigInt(value)))
}

const NULL: Option<Option<CqlValue>> = Some(None);

#[test]
fn upsert_inserts_the_input_columns_in_input_order_and_binds_nulls_as_null() {
    let plan = WritePlan::new(&events(), &one_event().schema(), &options()).unwrap();
    assert_eq!(plan.write_cql, r#"INSERT INTO "ks"."events" ("kind", "id", "amount", "seq") VALUES (?, ?, ?, ?)"#);
    assert_eq!(plan.delete_cql, None);
    assert_eq!(only_row(&plan, &one_event()), (false, vec![text("click"), int(7), NULL, int(1)]));
}

#[test]
fn ignore_nulls_leaves_null_values_unset() {
    let plan =
        WritePlan::new(&events(), &one_event().schema(), &WriteOptions { ignore_nulls: true, ..options() }).unwrap();
    assert_eq!(only_row(&plan, &one_event()), (false, vec![text("click"), int(7), None, int(1)]));
}

#[test]
fn ttl_and_writetime_are_bound_after_the_columns_of_an_insert() {
    let options =
        WriteOptions { ttl: Some(PerRow::Constant(60)), writetime: Some(PerRow::Constant(1_000)), ..options() };
    let plan = WritePlan::new(&events(), &one_event().schema(), &options).unwrap();
    assert_eq!(
        plan.write_cql,
        r#"INSERT INTO "ks"."events" ("kind", "id", "amount", "seq") VALUES (?, ?, ?, ?) USING TTL ? AND TIMESTAMP ?"#
    );
    let (deleting, values) = only_row(&plan, &one_event());
    assert!(!deleting);
    assert_eq!(values, vec![text("click"), int(7), NULL, int(1), int(60), bigint(1_000)]);
}

#[test]
fn update_sets_the_non_key_columns_then_binds_the_key() {
    let options = WriteOptions { write_mode: WriteMode::Update, writetime: Some(PerRow::Constant(5)), ..options() };
    let plan = WritePlan::new(&events(), &one_event().schema(), &options).unwrap();
    assert_eq!(
        plan.write_cql,
        r#"UPDATE "ks"."events" USING TIMESTAMP ? SET "kind" = ?, "amount" = ? WHERE "id" = ? AND "seq" = ?"#
    );
    assert_eq!(only_row(&plan, &one_event()), (false, vec![bigint(5), text("click"), NULL, int(7), int(1)]));
}

#[test]
fn counters_are_incremented_and_a_null_increment_stays_unset() {
    let table = TableSchema::for_test(
        "ks",
        "tally",
        &[
            ("id", native(NativeType::Int), ColumnKind::PartitionKey),
            ("hits", native(NativeType::Counter), ColumnKind::Regular),
        ],
    );
    let input =
        batch(vec![("id", Arc::new(Int32Array::from(vec![3]))), ("hits", Arc::new(Int64Array::from(vec![None])))]);
    let plan =
        WritePlan::new(&table, &input.schema(), &WriteOptions { write_mode: WriteMode::Update, ..options() }).unwrap();
    assert_eq!(plan.write_cql, r#"UPDATE "ks"."tally" SET "hits" = "hits" + ? WHERE "id" = ?"#);
    assert_eq!(only_row(&plan, &input), (false, vec![None, int(3)]));

    let refused = WritePlan::new(&table, &input.schema(), &options()).err().unwrap();
    assert!(
        matches!(refused, SchemaError::CountersNeedUpdateMode { ref counters, .. } if counters == &["hits"]),
        "{refused}"
    );
}

#[test]
fn collections_appended_to_and_removed_from_use_plus_and_minus() {
    let list = ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(native(NativeType::Int))) };
    let set = ColumnType::Collection { frozen: false, typ: CollectionType::Set(Box::new(native(NativeType::Text))) };
    let table = TableSchema::for_test(
        "ks",
        "bags",
        &[
            ("id", native(NativeType::Int), ColumnKind::PartitionKey),
            ("numbers", list, ColumnKind::Regular),
            ("tags", set, ColumnKind::Regular),
        ],
    );
    let input = Schema::new(vec![
        Field::new("id", arrow_schema::DataType::Int32, false),
        Field::new("numbers", arrow_schema::DataType::new_list(arrow_schema::DataType::Int32, true), true),
        Field::new("tags", arrow_schema::DataType::new_list(arrow_schema::DataType::Utf8, true), true),
    ]);
    let options = WriteOptions {
        write_mode: WriteMode::Update,
        collection_append: vec!["numbers".into()],
        collection_remove: vec!["tags".into()],
        ..options()
    };
    let plan = WritePlan::new(&table, &input, &options).unwrap();
    assert_eq!(
        plan.write_cql,
        r#"UPDATE "ks"."bags" SET "numbers" = "numbers" + ?, "tags" = "tags" - ? WHERE "id" = ?"#
    );
}

#[test]
fn a_flagged_row_is_deleted_by_its_key_and_the_flag_column_is_not_written() {
    let input = batch(vec![
        ("id", Arc::new(Int32Array::from(vec![7]))),
        ("seq", Arc::new(Int32Array::from(vec![1]))),
        ("kind", Arc::new(StringArray::from(vec!["click"]))),
        ("gone", Arc::new(BooleanArray::from(vec![true]))),
    ]);
    let options = WriteOptions {
        delete_flag: Some(DeleteFlag { column: "gone".into(), value: "TRUE".into() }),
        writetime: Some(PerRow::Constant(9)),
        ..options()
    };
    let plan = WritePlan::new(&events(), &input.schema(), &options).unwrap();
    assert_eq!(plan.write_cql, r#"INSERT INTO "ks"."events" ("id", "seq", "kind") VALUES (?, ?, ?) USING TIMESTAMP ?"#);
    assert_eq!(
        plan.delete_cql.as_deref(),
        Some(r#"DELETE FROM "ks"."events" USING TIMESTAMP ? WHERE "id" = ? AND "seq" = ?"#)
    );
    assert_eq!(only_row(&plan, &input), (true, vec![bigint(9), int(7), int(1)]));
}

#[test]
fn input_that_does_not_fit_the_table_is_refused_before_any_row() {
    let unknown = batch(vec![
        ("id", Arc::new(Int32Array::from(vec![1]))),
        ("seq", Arc::new(Int32Array::from(vec![1]))),
        ("colour", Arc::new(StringArray::from(vec!["red"]))),
    ]);
    match WritePlan::new(&events(), &unknown.schema(), &options()).err().unwrap() {
        SchemaError::UnknownColumns { table, columns } => {
            assert_eq!((table.as_str(), columns), ("ks.events", vec!["colour".to_string()]))
        }
        other => panic!("unexpected error: {other}"),
    }
    let keyless = batch(vec![("id", Arc::new(Int32Array::from(vec![1])))]);
    match WritePlan::new(&events(), &keyless.schema(), &options()).err().unwrap() {
        SchemaError::MissingKeyColumns { missing, .. } => assert_eq!(missing, ["seq"]),
        other => panic!("unexpected error: {other}"),
    }
}
