//! The target table as the cluster describes it: columns, CQL types, keys.

use scylla::client::session::Session;
use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};

use crate::error::SchemaError;

/// One column of the table.
///
/// ```
/// use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
/// use pycassandra::schema::ColumnSchema;
///
/// let total = ColumnSchema { name: "total".into(), cql_type: ColumnType::Native(NativeType::BigInt), kind: ColumnKind::Regular };
/// assert_eq!(pycassandra::cql_type::name(&total.cql_type), "bigint");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnSchema {
    /// Name as stored in the schema (case preserved).
    pub name: String,
    /// Its CQL type.
    pub cql_type: ColumnType<'static>,
    /// Partition key, clustering key, static or regular.
    pub kind: ColumnKind,
}

/// A table's columns and primary key, read once per job.
///
/// Usually read with [`TableSchema::load`]; built by hand here:
///
/// ```
/// # use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
/// # use pycassandra::schema::ColumnSchema;
/// # let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
/// let table = pycassandra::TableSchema {
///     keyspace: "shop".into(),
///     table: "orders".into(),
///     columns: vec![
///         column("customer", NativeType::Uuid, ColumnKind::PartitionKey),
///         column("placed", NativeType::Timestamp, ColumnKind::Clustering),
///         column("total", NativeType::BigInt, ColumnKind::Regular),
///     ],
///     partition_key: vec!["customer".into()],
///     clustering_key: vec!["placed".into()],
/// };
/// assert_eq!(table.primary_key(), ["customer", "placed"]);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct TableSchema {
    /// Keyspace name as stored.
    pub keyspace: String,
    /// Table name as stored.
    pub table: String,
    /// Every column, partition key first, then clustering key, then the rest by name.
    pub columns: Vec<ColumnSchema>,
    /// Partition key columns in order.
    pub partition_key: Vec<String>,
    /// Clustering key columns in order.
    pub clustering_key: Vec<String>,
}

impl TableSchema {
    /// Reads the table from the cluster's metadata. Names match exactly, or
    /// else case-insensitively when that is unambiguous (unquoted CQL names are
    /// lower case, while Spark users type them as they like).
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), pycassandra::Error> {
    /// let session = pycassandra::session::connect(&pycassandra::ConnectionOptions::new(["127.0.0.1"])).await?;
    /// let table = pycassandra::TableSchema::load(&session, "shop", "Orders").await?; // finds shop.orders
    /// println!("primary key ({:?}, {:?})", table.partition_key, table.clustering_key);
    /// # Ok(()) }
    /// ```
    pub async fn load(session: &Session, keyspace: &str, table: &str) -> Result<Self, SchemaError> {
        session.refresh_metadata().await.map_err(|error| SchemaError::Metadata {
            keyspace: keyspace.to_string(),
            table: table.to_string(),
            reason: error.to_string(),
        })?;
        let state = session.get_cluster_state();
        let keyspaces = state.keyspaces_iter().map(|(name, _)| name);
        let keyspace_name = match_name(keyspaces, keyspace)
            .ok_or_else(|| SchemaError::KeyspaceNotFound { keyspace: keyspace.to_string() })?;
        let keyspace_meta = state
            .get_keyspace(&keyspace_name)
            .ok_or_else(|| SchemaError::KeyspaceNotFound { keyspace: keyspace.to_string() })?;
        let table_name = match_name(keyspace_meta.tables.keys().map(String::as_str), table)
            .ok_or_else(|| SchemaError::TableNotFound { keyspace: keyspace_name.clone(), table: table.to_string() })?;
        let table_meta = &keyspace_meta.tables[&table_name];
        let mut columns: Vec<ColumnSchema> = table_meta
            .columns
            .iter()
            .map(|(name, column)| ColumnSchema {
                name: name.clone(),
                cql_type: column.typ.clone(),
                kind: column.kind.clone(),
            })
            .collect();
        sort_columns(&mut columns, &table_meta.partition_key, &table_meta.clustering_key);
        Ok(Self {
            keyspace: keyspace_name,
            table: table_name,
            columns,
            partition_key: table_meta.partition_key.clone(),
            clustering_key: table_meta.clustering_key.clone(),
        })
    }

    /// `keyspace.table`, as messages name the table.
    ///
    /// ```
    /// # let table = pycassandra::TableSchema { keyspace: "shop".into(), table: "orders".into(), columns: vec![], partition_key: vec![], clustering_key: vec![] };
    /// assert_eq!(table.qualified_name(), "shop.orders");
    /// ```
    pub fn qualified_name(&self) -> String {
        format!("{}.{}", self.keyspace, self.table)
    }

    /// Partition key then clustering key.
    ///
    /// ```
    /// # use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
    /// # use pycassandra::schema::ColumnSchema;
    /// # let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
    /// # let table = pycassandra::TableSchema {
    /// #     keyspace: "shop".into(),
    /// #     table: "orders".into(),
    /// #     columns: vec![
    /// #         column("customer", NativeType::Uuid, ColumnKind::PartitionKey),
    /// #         column("placed", NativeType::Timestamp, ColumnKind::Clustering),
    /// #         column("total", NativeType::BigInt, ColumnKind::Regular),
    /// #     ],
    /// #     partition_key: vec!["customer".into()],
    /// #     clustering_key: vec!["placed".into()],
    /// # };
    /// assert_eq!(table.primary_key(), ["customer", "placed"]);
    /// ```
    pub fn primary_key(&self) -> Vec<String> {
        self.partition_key.iter().chain(&self.clustering_key).cloned().collect()
    }

    /// The column named `name`, exactly or case-insensitively when unambiguous.
    ///
    /// ```
    /// # use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
    /// # use pycassandra::schema::ColumnSchema;
    /// # let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
    /// # let table = pycassandra::TableSchema {
    /// #     keyspace: "shop".into(),
    /// #     table: "orders".into(),
    /// #     columns: vec![
    /// #         column("customer", NativeType::Uuid, ColumnKind::PartitionKey),
    /// #         column("placed", NativeType::Timestamp, ColumnKind::Clustering),
    /// #         column("total", NativeType::BigInt, ColumnKind::Regular),
    /// #     ],
    /// #     partition_key: vec!["customer".into()],
    /// #     clustering_key: vec!["placed".into()],
    /// # };
    /// assert_eq!(table.column("Total").map(|c| c.name.as_str()), Some("total"));
    /// assert!(table.column("discount").is_none());
    /// ```
    pub fn column(&self, name: &str) -> Option<&ColumnSchema> {
        let found = match_name(self.columns.iter().map(|c| c.name.as_str()), name)?;
        self.columns.iter().find(|c| c.name == found)
    }

    /// Whether any column is a counter.
    ///
    /// ```
    /// # use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};
    /// # use pycassandra::schema::ColumnSchema;
    /// # let column = |name: &str, native, kind| ColumnSchema { name: name.into(), cql_type: ColumnType::Native(native), kind };
    /// # let table = pycassandra::TableSchema {
    /// #     keyspace: "shop".into(),
    /// #     table: "orders".into(),
    /// #     columns: vec![
    /// #         column("customer", NativeType::Uuid, ColumnKind::PartitionKey),
    /// #         column("placed", NativeType::Timestamp, ColumnKind::Clustering),
    /// #         column("total", NativeType::BigInt, ColumnKind::Regular),
    /// #     ],
    /// #     partition_key: vec!["customer".into()],
    /// #     clustering_key: vec!["placed".into()],
    /// # };
    /// assert!(!table.has_counters());
    /// ```
    pub fn has_counters(&self) -> bool {
        self.columns.iter().any(|c| c.cql_type == ColumnType::Native(NativeType::Counter))
    }
}

/// Partition key first, then clustering key, each in key order, then the rest by name.
fn sort_columns(columns: &mut [ColumnSchema], partition_key: &[String], clustering_key: &[String]) {
    let rank = |column: &ColumnSchema| {
        if let Some(i) = partition_key.iter().position(|k| *k == column.name) {
            (0, i)
        } else if let Some(i) = clustering_key.iter().position(|k| *k == column.name) {
            (1, i)
        } else {
            (2, 0)
        }
    };
    columns.sort_by(|a, b| rank(a).cmp(&rank(b)).then_with(|| a.name.cmp(&b.name)));
}

#[cfg(test)]
impl TableSchema {
    /// The table `keyspace.table` as [`TableSchema::load`] would describe it,
    /// for tests that need no node. `columns` are `(name, CQL type, kind)`;
    /// key columns are given in key order.
    pub(crate) fn for_test(keyspace: &str, table: &str, columns: &[(&str, ColumnType<'static>, ColumnKind)]) -> Self {
        let key = |kind: ColumnKind| -> Vec<String> {
            columns.iter().filter(|(_, _, k)| *k == kind).map(|(name, _, _)| name.to_string()).collect()
        };
        let (partition_key, clustering_key) = (key(ColumnKind::PartitionKey), key(ColumnKind::Clustering));
        let mut columns: Vec<ColumnSchema> = columns
            .iter()
            .map(|(name, cql_type, kind)| ColumnSchema {
                name: name.to_string(),
                cql_type: cql_type.clone(),
                kind: kind.clone(),
            })
            .collect();
        sort_columns(&mut columns, &partition_key, &clustering_key);
        Self { keyspace: keyspace.into(), table: table.into(), columns, partition_key, clustering_key }
    }
}

/// `wanted` itself if present, else the single case-insensitive match.
pub(crate) fn match_name<'a>(names: impl Iterator<Item = &'a str>, wanted: &str) -> Option<String> {
    let mut folded = Vec::new();
    for name in names {
        if name == wanted {
            return Some(name.to_string());
        }
        if name.eq_ignore_ascii_case(wanted) {
            folded.push(name.to_string());
        }
    }
    if folded.len() == 1 {
        folded.pop()
    } else {
        None
    }
}

#[cfg(test)]
#[path = "schema_tests.rs"]
mod tests;
