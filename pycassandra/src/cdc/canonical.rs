//! A decoded mutation as stable text, one fact a line: what the golden tests
//! pin and compare (tests/golden/cdc/mutations.txt), and what a second
//! decoder's output can be diffed against. Values are hex, except text,
//! `int` and `bigint`, which are shown as CQL would print them.

use std::fmt::Write;

use scylla::cluster::metadata::{ColumnType, NativeType};

use crate::cdc::mutation::{
    Cell, ClusteringValue, DeletionTime, Mutation, PartitionUpdate, RangeTombstoneMarker, Row, Unfiltered,
};
use crate::cdc::table::{CdcSchema, CdcTable, ColumnRef};

/// What varies from one run of the same statements to the next (the node's
/// clock, where the statement fixes no `USING TIMESTAMP`), left out of the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Masks {
    /// Local deletion times and expiry times (the node's clock in seconds).
    pub local_times: bool,
    /// The table id (a new table per run).
    pub table_id: bool,
}

/// The text of `mutation`.
pub fn render(mutation: &Mutation<'_>, schema: &CdcSchema, masks: Masks) -> String {
    let mut out = String::new();
    match mutation {
        Mutation::Skipped(skipped) => {
            let _ = writeln!(out, "skipped {}.{} {}", skipped.keyspace, skipped.table, skipped.table_id);
        }
        Mutation::Decoded(updates) => {
            for update in updates {
                let table = &schema.tables[&update.table_id];
                render_update(&mut out, table, update, masks);
            }
        }
    }
    out
}

fn render_update(out: &mut String, table: &CdcTable, update: &PartitionUpdate<'_>, masks: Masks) {
    let id = if masks.table_id { "-".to_owned() } else { update.table_id.to_string() };
    let _ = write!(out, "partition {}.{} {id} key", table.keyspace, table.table);
    for ((name, cql_type), value) in table.partition_key.iter().zip(&update.key_values) {
        let _ = write!(out, " {name}={}", value_text(cql_type, value));
    }
    out.push('\n');
    if let Some(deletion) = &update.partition_deletion {
        let _ = writeln!(out, "  partition deletion {}", deletion_text(deletion, masks));
    }
    if let Some(row) = &update.static_row {
        out.push_str("  static row");
        render_row(out, table, row, masks);
    }
    for unfiltered in &update.unfiltereds {
        match unfiltered {
            Unfiltered::Row(row) => {
                out.push_str("  row");
                out.push_str(&clustering_text(table, &row.clustering));
                render_row(out, table, row, masks);
            }
            Unfiltered::Marker(marker) => render_marker(out, table, marker, masks),
        }
    }
}

fn render_row(out: &mut String, table: &CdcTable, row: &Row<'_>, masks: Masks) {
    if let Some(liveness) = &row.liveness {
        let _ = write!(out, " liveness ts={}", liveness.timestamp);
        if let Some((ttl, expires)) = liveness.ttl {
            let _ = write!(out, " ttl={ttl} expires={}", time(expires, masks));
        }
    }
    if let Some(deletion) = &row.deletion {
        let _ = write!(out, " deletion {}", deletion_text(deletion, masks));
    }
    out.push('\n');
    for column in &row.columns {
        let (name, cql_type) = table.column(column.column);
        let dropped = if matches!(column.column, ColumnRef::Dropped(_)) { " (dropped)" } else { "" };
        let _ = write!(out, "    column {name}{dropped}");
        if let Some(deletion) = &column.complex_deletion {
            let _ = write!(out, " complex deletion {}", deletion_text(deletion, masks));
        }
        out.push('\n');
        for cell in &column.cells {
            render_cell(out, cql_type, cell, masks);
        }
    }
}

fn render_cell(out: &mut String, cql_type: &ColumnType<'_>, cell: &Cell<'_>, masks: Masks) {
    let _ = write!(out, "      cell ts={}", cell.timestamp);
    if cell.deleted {
        out.push_str(" deleted");
    }
    if let Some(ttl) = cell.ttl {
        let _ = write!(out, " ttl={ttl}");
    }
    if let Some(ldt) = cell.local_deletion_time {
        let _ = write!(out, " ldt={}", time(ldt, masks));
    }
    if let Some(path) = cell.path {
        let _ = write!(out, " path={}", hex(path));
    }
    if !cell.deleted {
        let shown = if cell.path.is_some() { hex(cell.value) } else { value_text(cql_type, cell.value) };
        let _ = write!(out, " value={shown}");
    }
    out.push('\n');
}

fn render_marker(out: &mut String, table: &CdcTable, marker: &RangeTombstoneMarker<'_>, masks: Masks) {
    let _ = write!(out, "  marker {:?}{}", marker.kind, clustering_text(table, &marker.prefix));
    if let Some(deletion) = &marker.closes {
        let _ = write!(out, " closes {}", deletion_text(deletion, masks));
    }
    if let Some(deletion) = &marker.opens {
        let _ = write!(out, " opens {}", deletion_text(deletion, masks));
    }
    out.push('\n');
}

fn clustering_text(table: &CdcTable, values: &[ClusteringValue<'_>]) -> String {
    let mut text = String::new();
    for ((name, cql_type), value) in table.clustering.iter().zip(values) {
        let shown = match value {
            None => "null".to_owned(),
            Some(bytes) => value_text(cql_type, bytes),
        };
        let _ = write!(text, " {name}={shown}");
    }
    text
}

fn deletion_text(deletion: &DeletionTime, masks: Masks) -> String {
    format!("ts={} ldt={}", deletion.marked_for_delete_at, time(deletion.local_deletion_time, masks))
}

fn time(seconds: i64, masks: Masks) -> String {
    if masks.local_times {
        "-".to_owned()
    } else {
        seconds.to_string()
    }
}

fn value_text(cql_type: &ColumnType<'_>, bytes: &[u8]) -> String {
    match cql_type {
        ColumnType::Native(NativeType::Text | NativeType::Ascii) => match std::str::from_utf8(bytes) {
            Ok(text) => format!("{text:?}"),
            Err(_) => hex(bytes),
        },
        ColumnType::Native(NativeType::Int) if bytes.len() == 4 => {
            i32::from_be_bytes(bytes.try_into().expect("4 bytes")).to_string()
        }
        ColumnType::Native(NativeType::BigInt) if bytes.len() == 8 => {
            i64::from_be_bytes(bytes.try_into().expect("8 bytes")).to_string()
        }
        _ => hex(bytes),
    }
}

fn hex(bytes: &[u8]) -> String {
    let mut text = String::with_capacity(2 + bytes.len() * 2);
    text.push_str("0x");
    for b in bytes {
        let _ = write!(text, "{b:02x}");
    }
    text
}
