//! The decoder's schema read from a live node: every table id in
//! `system_schema.tables` (so the system tables' mutations in the same log
//! are recognised and skipped), and, for the keyspaces to decode, each
//! table's columns and types ([`TableSchema::load`], the driver's parse of
//! `system_schema`, UDTs included) and its `system_schema.dropped_columns`.

use scylla::client::session::Session;
use uuid::Uuid;

use crate::cdc::table::{CdcSchema, CdcTable, DroppedColumn};
use crate::cql_type;
use crate::error::SchemaError;
use crate::schema::{match_name, TableSchema};
use crate::session::system_read;

fn metadata_error(keyspace: &str, table: &str, reason: String) -> SchemaError {
    SchemaError::Metadata { keyspace: keyspace.to_owned(), table: table.to_owned(), reason }
}

impl CdcSchema {
    /// Reads the schema for decoding the mutations of `keyspaces` (names as
    /// stored, or case-insensitively when unambiguous).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// let session = pycassandra::session::connect(&pycassandra::ConnectionOptions::new(["127.0.0.1"])).await?;
    /// let schema = pycassandra::cdc::CdcSchema::load(&session, &["shop", "billing"]).await?;
    /// assert!(schema.table_id("shop", "orders").is_some());
    /// # Ok(()) }
    /// ```
    pub async fn load(session: &Session, keyspaces: &[&str]) -> Result<Self, SchemaError> {
        let rows = session
            .query_unpaged(system_read("SELECT keyspace_name, table_name, id FROM system_schema.tables"), ())
            .await
            .map_err(|e| metadata_error("system_schema", "tables", e.to_string()))?
            .into_rows_result()
            .map_err(|e| metadata_error("system_schema", "tables", e.to_string()))?;
        let mut ids: Vec<(String, String, Uuid)> = Vec::new();
        for row in rows
            .rows::<(String, String, Uuid)>()
            .map_err(|e| metadata_error("system_schema", "tables", e.to_string()))?
        {
            ids.push(row.map_err(|e| metadata_error("system_schema", "tables", e.to_string()))?);
        }
        let mut schema = CdcSchema::default();
        let mut wanted = Vec::new();
        for keyspace in keyspaces {
            let name = match_name(ids.iter().map(|(k, _, _)| k.as_str()), keyspace)
                .ok_or_else(|| SchemaError::KeyspaceNotFound { keyspace: keyspace.to_string() })?;
            wanted.push(name);
        }
        for (keyspace, table, id) in &ids {
            if !wanted.contains(keyspace) {
                schema.others.insert(*id, (keyspace.clone(), table.clone()));
            }
        }
        for keyspace in &wanted {
            let dropped = dropped_columns(session, keyspace).await?;
            for (_, table, id) in ids.iter().filter(|(k, _, _)| k == keyspace) {
                let columns = TableSchema::load(session, keyspace, table).await?;
                let dropped = dropped.iter().filter(|(t, _)| t == table).map(|(_, c)| c.clone()).collect();
                schema.add(CdcTable::from_schema(*id, &columns, dropped));
            }
        }
        Ok(schema)
    }
}

/// `(table, column)` for every dropped column of `keyspace`.
async fn dropped_columns(session: &Session, keyspace: &str) -> Result<Vec<(String, DroppedColumn)>, SchemaError> {
    let error = |reason: String| metadata_error(keyspace, "system_schema.dropped_columns", reason);
    let rows = session
        .query_unpaged(
            system_read(
                "SELECT table_name, column_name, dropped_time, kind, type FROM system_schema.dropped_columns \
                 WHERE keyspace_name = ?",
            ),
            (keyspace,),
        )
        .await
        .map_err(|e| error(e.to_string()))?
        .into_rows_result()
        .map_err(|e| error(e.to_string()))?;
    let mut dropped = Vec::new();
    type DroppedRow = (String, String, scylla::value::CqlTimestamp, String, String);
    for row in rows.rows::<DroppedRow>().map_err(|e| error(e.to_string()))? {
        let (table, name, dropped_time, kind, type_text) = row.map_err(|e| error(e.to_string()))?;
        let cql_type = cql_type::parse(&type_text).ok_or_else(|| {
            metadata_error(
                keyspace,
                &table,
                format!("dropped column {name} has type {type_text:?}, which the CDC reader cannot parse"),
            )
        })?;
        let column = DroppedColumn {
            name,
            cql_type,
            dropped_time: dropped_time.0.saturating_mul(1000),
            is_static: kind == "static",
        };
        dropped.push((table, column));
    }
    Ok(dropped)
}

/// Whether `keyspace.table` (names as stored) is `WITH cdc = true`: only then
/// does Cassandra keep its changes in `cdc_raw` for a consumer.
///
/// ```no_run
/// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::SchemaError> {
/// if !pycassandra::cdc::cdc_enabled(session, "shop", "orders").await? {
///     eprintln!("run ALTER TABLE shop.orders WITH cdc = true first");
/// }
/// # Ok(()) }
/// ```
pub async fn cdc_enabled(session: &Session, keyspace: &str, table: &str) -> Result<bool, SchemaError> {
    let cql = "SELECT cdc FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?";
    let rows = session
        .query_unpaged(system_read(cql), (keyspace, table))
        .await
        .map_err(|e| metadata_error(keyspace, table, e.to_string()))?
        .into_rows_result()
        .map_err(|e| metadata_error(keyspace, table, e.to_string()))?;
    let cdc = rows.maybe_first_row::<(Option<bool>,)>().map_err(|e| metadata_error(keyspace, table, e.to_string()))?;
    Ok(cdc.and_then(|(cdc,)| cdc).unwrap_or(false))
}
