//! Schema changes while a change stream runs: what the table is now, against
//! the table the stream started with. A stream's columns are fixed when the
//! query starts (Spark's schema), so a column added since cannot reach the
//! sink (restart to pick it up, or `cdc_schema_changes = ignore`); a column
//! dropped since stays in the stream's schema and is null from then on; a
//! table dropped, re-created (a new id: the stream's offsets would mix two
//! tables' changes) or altered to `cdc = false` ends the stream.

use scylla::client::session::Session;
use uuid::Uuid;

use crate::cdc::table::CdcTable;
use crate::SchemaError;

/// The table as `system_schema` has it now.
///
/// ```no_run
/// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::SchemaError> {
/// use pycassandra::cdc::drift::live_table;
/// let now = live_table(session, "shop", "orders").await?.expect("shop.orders exists");
/// assert!(now.cdc, "shop.orders is WITH cdc = true");
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LiveTable {
    /// Its id (a table re-created under the same name has a new one).
    pub id: Uuid,
    /// Whether it is `WITH cdc = true`.
    pub cdc: bool,
    /// Its column names.
    pub columns: Vec<String>,
}

/// What changed since the stream started, if anything it must act on.
///
/// ```
/// use pycassandra::cdc::drift::Drift;
/// let added = Drift::ColumnsAdded(vec!["note".into()]);
/// assert!(added.error("shop", "orders").to_string().contains("restart the query"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Drift {
    /// Columns added since: the stream's schema lacks them.
    ColumnsAdded(Vec<String>),
    /// The table is gone.
    Dropped,
    /// A table of the same name with another id.
    Recreated {
        /// The new table's id.
        id: Uuid,
    },
    /// `cdc = false` now: Cassandra keeps none of its later changes.
    CdcDisabled,
}

/// Reads `keyspace.table` from `system_schema`; `None` when it does not exist.
///
/// ```no_run
/// # async fn demo(session: &scylla::client::session::Session) -> Result<(), pycassandra::SchemaError> {
/// if let Some(now) = pycassandra::cdc::drift::live_table(session, "shop", "orders").await? {
///     println!("{} columns, cdc {}", now.columns.len(), now.cdc);
/// }
/// # Ok(()) }
/// ```
pub async fn live_table(session: &Session, keyspace: &str, table: &str) -> Result<Option<LiveTable>, SchemaError> {
    let failed =
        |reason: String| SchemaError::Metadata { keyspace: keyspace.to_owned(), table: table.to_owned(), reason };
    let rows_of = |cql: &'static str| async move {
        let answer = session.query_unpaged(crate::session::system_read(cql), (keyspace, table)).await;
        let answer = answer.map_err(|error| {
            let reason = error.to_string();
            if crate::session::no_node_answered(&error) {
                SchemaError::NoNodeAnswered { keyspace: keyspace.to_owned(), table: table.to_owned(), reason }
            } else {
                failed(reason)
            }
        })?;
        answer.into_rows_result().map_err(|e| failed(e.to_string()))
    };
    let tables = rows_of("SELECT id, cdc FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?").await?;
    let Some((id, cdc)) = tables.maybe_first_row::<(Uuid, Option<bool>)>().map_err(|e| failed(e.to_string()))? else {
        return Ok(None);
    };
    let columns =
        rows_of("SELECT column_name FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?").await?;
    let columns = columns
        .rows::<(String,)>()
        .map_err(|e| failed(e.to_string()))?
        .map(|row| row.map(|(name,)| name).map_err(|e| failed(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(LiveTable { id, cdc: cdc.unwrap_or(false), columns }))
}

/// What of `now` the stream that started with `started` must act on.
///
/// ```
/// use pycassandra::cdc::drift::{drift, Drift};
/// # fn demo(started: &pycassandra::cdc::CdcTable) {
/// match drift(started, None) {
///     Some(Drift::Dropped) => println!("the table is gone"),
///     _ => {}
/// }
/// # }
/// ```
pub fn drift(started: &CdcTable, now: Option<&LiveTable>) -> Option<Drift> {
    let Some(now) = now else { return Some(Drift::Dropped) };
    if now.id != started.id {
        return Some(Drift::Recreated { id: now.id });
    }
    if !now.cdc {
        return Some(Drift::CdcDisabled);
    }
    let known = |name: &String| {
        started.partition_key.iter().chain(&started.clustering).any(|(key, _)| key == name)
            || started.columns.iter().any(|column| &column.name == name)
    };
    let mut added: Vec<String> = now.columns.iter().filter(|name| !known(name)).cloned().collect();
    added.sort();
    (!added.is_empty()).then_some(Drift::ColumnsAdded(added))
}

impl Drift {
    /// The error that ends the stream of `keyspace.table`, saying what to do.
    ///
    /// ```
    /// use pycassandra::cdc::drift::Drift;
    /// let error = Drift::CdcDisabled.error("shop", "orders").to_string();
    /// assert!(error.contains("shop.orders") && error.contains("cdc = false"), "{error}");
    /// ```
    pub fn error(&self, keyspace: &str, table: &str) -> SchemaError {
        let table = format!("{keyspace}.{table}");
        let what = match self {
            Drift::ColumnsAdded(columns) => format!(
                "column(s) {} were added since the query started, and its schema lacks them: restart the query \
                 to pick them up (a checkpoint keeps its place), or set cdc_schema_changes = ignore to go on \
                 without them",
                columns.join(", ")
            ),
            Drift::Dropped => "the table was dropped".to_string(),
            Drift::Recreated { id } => format!(
                "the table was dropped and created again (new id {id}): the stream's offsets belong to the \
                 old table; start a new query (a new checkpoint) for the new one"
            ),
            Drift::CdcDisabled => {
                "the table was altered to cdc = false: Cassandra keeps none of its later changes".to_string()
            }
        };
        SchemaError::ChangedUnderStream { table, what }
    }
}

#[cfg(test)]
mod tests {
    use scylla::cluster::metadata::{ColumnType, NativeType};

    use super::*;
    use crate::cdc::table::CdcColumn;

    fn started() -> CdcTable {
        let text = ColumnType::Native(NativeType::Text);
        CdcTable {
            id: Uuid::from_u128(1),
            keyspace: "ks".into(),
            table: "t".into(),
            partition_key: vec![("id".into(), ColumnType::Native(NativeType::Int))],
            clustering: vec![("c".into(), text.clone())],
            columns: vec![CdcColumn { name: "v".into(), cql_type: text, is_static: false }],
            dropped: Vec::new(),
            regular_header: Default::default(),
        }
    }

    fn now(id: u128, cdc: bool, columns: &[&str]) -> LiveTable {
        LiveTable { id: Uuid::from_u128(id), cdc, columns: columns.iter().map(|c| c.to_string()).collect() }
    }

    #[test]
    fn only_what_the_stream_must_act_on_is_drift() {
        let table = started();
        assert_eq!(drift(&table, Some(&now(1, true, &["id", "c", "v"]))), None);
        assert_eq!(
            drift(&table, Some(&now(1, true, &["id", "c"]))),
            None,
            "a dropped column is only null from then on"
        );
        assert_eq!(
            drift(&table, Some(&now(1, true, &["id", "c", "v", "w", "a"]))),
            Some(Drift::ColumnsAdded(vec!["a".into(), "w".into()]))
        );
        assert_eq!(drift(&table, None), Some(Drift::Dropped));
        assert_eq!(
            drift(&table, Some(&now(2, true, &["id", "c", "v"]))),
            Some(Drift::Recreated { id: Uuid::from_u128(2) })
        );
        assert_eq!(drift(&table, Some(&now(1, false, &["id", "c", "v"]))), Some(Drift::CdcDisabled));
    }

    #[test]
    fn each_error_names_the_table_and_what_to_do() {
        let added = Drift::ColumnsAdded(vec!["w".into()]).error("ks", "t").to_string();
        assert!(added.contains("ks.t") && added.contains("w") && added.contains("restart"), "{added}");
        assert!(added.contains("cdc_schema_changes"), "{added}");
        let recreated = Drift::Recreated { id: Uuid::from_u128(2) }.error("ks", "t").to_string();
        assert!(recreated.contains("created again"), "{recreated}");
        assert!(Drift::CdcDisabled.error("ks", "t").to_string().contains("cdc = false"));
    }
}
