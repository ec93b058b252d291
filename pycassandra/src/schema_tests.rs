//! Name matching and the table description, without a node.

use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};

use super::{match_name, TableSchema};

fn found(names: &[&str], wanted: &str) -> Option<String> {
    match_name(names.iter().copied(), wanted)
}

#[test]
fn an_exact_name_wins_else_the_only_case_insensitive_match() {
    assert_eq!(found(&["Id", "id"], "id").as_deref(), Some("id"));
    assert_eq!(found(&["Name", "age"], "NAME").as_deref(), Some("Name"));
    // Two columns differ only in case (quoted CQL names): guessing would pick one at random.
    assert_eq!(found(&["ID", "Id"], "id"), None);
    assert_eq!(found(&["name"], "nam"), None);
}

#[test]
fn columns_are_ordered_partition_key_then_clustering_key_then_by_name() {
    let text = ColumnType::Native(NativeType::Text);
    let table = TableSchema::for_test(
        "ks",
        "t",
        &[
            ("zone", text.clone(), ColumnKind::Regular),
            ("day", text.clone(), ColumnKind::Clustering),
            ("user", text.clone(), ColumnKind::PartitionKey),
            ("hits", ColumnType::Native(NativeType::Counter), ColumnKind::Regular),
            ("at", text.clone(), ColumnKind::Clustering),
            ("region", text, ColumnKind::PartitionKey),
        ],
    );
    let order: Vec<&str> = table.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(order, ["user", "region", "day", "at", "hits", "zone"]);
    assert_eq!(table.primary_key(), ["user", "region", "day", "at"]);
    assert_eq!(table.column("HITS").map(|c| c.name.as_str()), Some("hits"));
    assert!(table.has_counters());
}

#[test]
fn the_qualified_name_is_keyspace_dot_table_as_stored() {
    let table = TableSchema::for_test("Shop", "orders", &[]);
    assert_eq!(table.qualified_name(), "Shop.orders");
}
