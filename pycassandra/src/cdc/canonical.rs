//! A decoded mutation as stable text, one fact a line: what the golden tests
//! pin and compare (tests/golden/cdc/mutations.txt), and what a second
//! decoder's output can be diffed against. Values are hex, except text,
//! `int` and `bigint`, which are shown as CQL would print them.

use std::fmt::Write;

use scylla::cluster::metadata::{ColumnType, NativeType};

use crate::cdc::mutation::{
    Cell, ClusteringValue, DeletionTime, Mutation, PartitionUpdate, RangeTombstoneMarker, Row, Unfiltered,
};
use crate::cdc::table::{path_kind, CdcSchema, CdcTable, ColumnRef, PathKind};

/// What varies from one run of the same statements to the next (the node's
/// clock, where the statement fixes no `USING TIMESTAMP`), left out of the text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Masks {
    /// Local deletion times and expiry times (the node's clock in seconds).
    pub local_times: bool,
    /// The table id (a new table per run).
    pub table_id: bool,
    /// List element paths (timeuuids the node makes at write time), shown
    /// as `list#<n>`, numbered in order of first appearance, so that which
    /// element a later cell addresses still shows.
    pub list_paths: bool,
}

/// Renders mutations one after the other; list paths are numbered across
/// all of them.
#[derive(Debug, Default)]
pub struct Renderer {
    masks: Masks,
    list_paths: Vec<Vec<u8>>,
}

#[doc(hidden)]
impl Renderer {
    /// A renderer leaving out what `masks` say.
    pub fn new(masks: Masks) -> Self {
        Renderer { masks, list_paths: Vec::new() }
    }

    /// The text of `mutation`.
    pub fn render(&mut self, mutation: &Mutation<'_>, schema: &CdcSchema) -> String {
        let text = render_marked(mutation, schema, self.masks);
        if !self.masks.list_paths {
            return text.replace(LIST_PATH, " path=");
        }
        let mut out = String::with_capacity(text.len());
        for line in text.split_inclusive('\n') {
            match line.find(LIST_PATH) {
                Some(at) => {
                    let start = at + LIST_PATH.len();
                    let end = line[start..].find(' ').map_or(line.len(), |n| start + n);
                    let path = line.as_bytes()[start..end].to_vec();
                    let n = match self.list_paths.iter().position(|p| *p == path) {
                        Some(n) => n,
                        None => {
                            self.list_paths.push(path);
                            self.list_paths.len() - 1
                        }
                    };
                    out.push_str(&line[..at]);
                    let _ = write!(out, " path=list#{n}");
                    out.push_str(&line[end..]);
                }
                None => out.push_str(line),
            }
        }
        out
    }
}

/// How [`render_marked`] marks a list element's path.
const LIST_PATH: &str = " listpath=";

/// The text of `mutation` alone.
pub fn render(mutation: &Mutation<'_>, schema: &CdcSchema, masks: Masks) -> String {
    Renderer::new(masks).render(mutation, schema)
}

/// The text, list element paths marked for [`Renderer::render`].
fn render_marked(mutation: &Mutation<'_>, schema: &CdcSchema, masks: Masks) -> String {
    let mut out = String::new();
    match mutation {
        Mutation::Skipped(skipped) => {
            let _ = writeln!(out, "skipped {}.{} {}", skipped.keyspace, skipped.table, skipped.table_id);
        }
        Mutation::Decoded(updates) => {
            // By table name: the node orders a batch's updates differently
            // from run to run (seen both ways for the same statement).
            let mut known: Vec<(&CdcTable, &PartitionUpdate<'_>)> = Vec::new();
            for update in updates {
                match schema.decodable(&update.table_id) {
                    Some(table) => known.push((table, update)),
                    // Decoded with another schema than the one rendering it.
                    None => {
                        let _ = writeln!(out, "partition of table {} (not in the schema)", update.table_id);
                    }
                }
            }
            let mut updates = known;
            updates.sort_by(|a, b| (&a.0.keyspace, &a.0.table).cmp(&(&b.0.keyspace, &b.0.table)));
            for (table, update) in updates {
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
        let key = if path_kind(cql_type) == Some(PathKind::ListIndex) { LIST_PATH } else { " path=" };
        let _ = write!(out, "{key}{}", hex(path));
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
