//! What a scan selects and how each selected value becomes Arrow: built once
//! per read from the table schema and, when given, the caller's Arrow schema.

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};
use scylla::cluster::metadata::{ColumnKind, ColumnType, NativeType};

use super::pushdown;
use super::to_arrow::{arrow_type, Sink};
use crate::config::{names, ReadOptions};
use crate::cql::{self, Selector};
use crate::cql_type;
use crate::error::ReadError;
use crate::schema::{match_name, TableSchema};

/// Prefix of the output column holding `writetime(col)`.
pub const WRITETIME_PREFIX: &str = "writetime_";
/// Prefix of the output column holding `ttl(col)`.
pub const TTL_PREFIX: &str = "ttl_";

/// One output column.
pub(crate) struct OutputColumn {
    pub(crate) name: String,
    pub(crate) selector: Selector,
    pub(crate) cql_type: ColumnType<'static>,
    pub(crate) data_type: DataType,
    pub(crate) nullable: bool,
}

impl OutputColumn {
    pub(crate) fn sink(&self) -> Sink {
        // Checked when the plan was made.
        Sink::new(&self.cql_type, &self.data_type).unwrap_or_else(|| unreachable!("sink checked at planning"))
    }
}

pub(crate) struct ScanPlan {
    pub(crate) columns: Vec<OutputColumn>,
    pub(crate) schema: SchemaRef,
    pub(crate) cql: String,
    /// Whether the statement binds a token range (else it looks partitions up).
    pub(crate) binds_range: bool,
}

impl ScanPlan {
    /// Selects the columns named by `target` (or `options.columns`, or else
    /// every column plus the asked-for metadata columns), typed as `target`
    /// says or by default; the rows are token ranges, restricted by
    /// `options.filters`, or the partitions those filters look up.
    pub(crate) fn new(table: &TableSchema, options: &ReadOptions, target: Option<&Schema>) -> Result<Self, ReadError> {
        let pushed = pushdown::restrictions(table, &options.filters)?;
        Self::build(table, options, target, RowsRead::Pushed(&pushed))
    }

    /// The point read of one key: `key_columns` (the whole partition key,
    /// then a clustering prefix) bound in order, and `options.columns`.
    pub(crate) fn for_keys(
        table: &TableSchema,
        options: &ReadOptions,
        key_columns: &[&str],
    ) -> Result<Self, ReadError> {
        Self::build(table, options, None, RowsRead::Keys(key_columns))
    }

    fn build(
        table: &TableSchema,
        options: &ReadOptions,
        target: Option<&Schema>,
        rows_read: RowsRead<'_>,
    ) -> Result<Self, ReadError> {
        let available = available_columns(table, options)?;
        let wanted: Vec<(String, Option<(DataType, bool)>)> = match (target, &options.columns) {
            (Some(schema), _) => schema
                .fields()
                .iter()
                .map(|f| (f.name().clone(), Some((f.data_type().clone(), f.is_nullable()))))
                .collect(),
            (None, Some(columns)) => columns.iter().map(|c| (c.clone(), None)).collect(),
            (None, None) => available.iter().map(|c| (c.name.clone(), None)).collect(),
        };
        let table_name = table.qualified_name();
        let mut columns = Vec::with_capacity(wanted.len());
        for (name, requested) in wanted {
            let found = match_name(available.iter().map(|c| c.name.as_str()), &name)
                .and_then(|found| available.iter().find(|c| c.name == found))
                .ok_or_else(|| ReadError::UnknownColumn {
                    column: name.clone(),
                    table: table_name.clone(),
                    available: available.iter().map(|c| c.name.clone()).collect(),
                })?;
            let default = arrow_type(&found.cql_type);
            // A non-nullable target column is the caller's promise; a null breaks it when the batch is built.
            let nullable = requested.as_ref().is_none_or(|(_, nullable)| *nullable);
            let data_type = requested.map(|(data_type, _)| data_type).or_else(|| default.clone());
            let unsupported = |requested: String| ReadError::UnsupportedType {
                column: name.clone(),
                cql_type: cql_type::name(&found.cql_type),
                requested,
                default: default
                    .as_ref()
                    .map_or_else(|| "nothing: the type is not supported".to_string(), ToString::to_string),
            };
            let Some(data_type) = data_type else { return Err(unsupported("Arrow".into())) };
            if Sink::new(&found.cql_type, &data_type).is_none() {
                return Err(unsupported(data_type.to_string()));
            }
            columns.push(OutputColumn {
                // The caller's spelling, so the batch matches the schema asked for.
                name: if target.is_some() { name } else { found.name.clone() },
                selector: found.selector.clone(),
                cql_type: found.cql_type.clone(),
                data_type,
                nullable,
            });
        }
        if columns.is_empty() {
            return Err(ReadError::NoColumns {
                table: table_name,
                available: available.into_iter().map(|c| c.name).collect(),
            });
        }
        let fields: Vec<Field> =
            columns.iter().map(|c| Field::new(c.name.clone(), c.data_type.clone(), c.nullable)).collect();
        let selectors: Vec<Selector> = columns.iter().map(|c| c.selector.clone()).collect();
        let key: Vec<&str> = table.partition_key.iter().map(String::as_str).collect();
        let (partitions, clustering): (Option<String>, Vec<String>) = match rows_read {
            RowsRead::Pushed(pushed) => (
                pushed
                    .looks_up_partitions()
                    .then(|| pushed.partition_key.iter().map(cql::restriction).collect::<Vec<_>>().join(" AND ")),
                pushed.clustering.iter().map(cql::restriction).collect(),
            ),
            RowsRead::Keys(key_columns) => (Some(cql::key_equalities(key_columns)), Vec::new()),
        };
        let rows = match &partitions {
            Some(restriction) => cql::Rows::Partitions(restriction),
            None => cql::Rows::TokenRange(&key),
        };
        let predicates: Vec<&str> =
            clustering.iter().map(String::as_str).chain(options.where_clause.as_deref()).collect();
        // A scan restricted further needs ALLOW FILTERING; lookups of whole partitions do not.
        // `allow_filtering=false` leaves the user's predicate to stand on its own.
        let allow_filtering = (options.where_clause.is_some() && options.allow_filtering)
            || (partitions.is_none() && !clustering.is_empty());
        let cql =
            cql::select(&table.keyspace, &table.table, &selectors, rows, &predicates, options.limit, allow_filtering);
        let binds_range = partitions.is_none();
        Ok(Self { columns, schema: Arc::new(Schema::new(fields)), cql, binds_range })
    }
}

/// Which rows a plan's statement reads.
enum RowsRead<'a> {
    /// Token ranges, or the partitions pushed filters look up, with their clustering restrictions.
    Pushed(&'a pushdown::Pushed),
    /// One key per execution, bound in order.
    Keys(&'a [&'a str]),
}

struct Available {
    name: String,
    selector: Selector,
    cql_type: ColumnType<'static>,
}

/// The table's columns, then `writetime_<col>` and `ttl_<col>` for the columns asked for.
fn available_columns(table: &TableSchema, options: &ReadOptions) -> Result<Vec<Available>, ReadError> {
    let table_name = table.qualified_name();
    let mut available: Vec<Available> = table
        .columns
        .iter()
        .map(|c| Available {
            name: c.name.clone(),
            selector: Selector::Column(c.name.clone()),
            cql_type: c.cql_type.clone(),
        })
        .collect();
    let metadata = options
        .writetime_columns
        .iter()
        .map(|c| (c, WRITETIME_PREFIX, NativeType::BigInt, names::WRITETIME_COLUMNS, "writetime"))
        .chain(options.ttl_columns.iter().map(|c| (c, TTL_PREFIX, NativeType::Int, names::TTL_COLUMNS, "ttl")));
    for (wanted, prefix, native, option, function) in metadata {
        let column = table.column(wanted).ok_or_else(|| ReadError::UnknownColumn {
            column: wanted.clone(),
            table: table_name.clone(),
            available: table.columns.iter().map(|c| c.name.clone()).collect(),
        })?;
        let has_cells = matches!(column.kind, ColumnKind::Regular | ColumnKind::Static)
            && !matches!(
                column.cql_type,
                ColumnType::Collection { frozen: false, .. } | ColumnType::UserDefinedType { frozen: false, .. }
            );
        if !has_cells {
            return Err(ReadError::NoWriteTimeOrTtl {
                column: column.name.clone(),
                cql_type: cql_type::name(&column.cql_type),
                function,
            });
        }
        let name = format!("{prefix}{}", column.name);
        if table.column(&name).is_some() {
            return Err(ReadError::ColumnNameTaken { column: name, option, table: table_name });
        }
        let selector = if prefix == WRITETIME_PREFIX {
            Selector::Writetime(column.name.clone())
        } else {
            Selector::Ttl(column.name.clone())
        };
        available.push(Available { name, selector, cql_type: ColumnType::Native(native) });
    }
    Ok(available)
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
