//! What to send for each input row: which statement, which values in which
//! order. Built once per job from the table schema and the input's columns.

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema};
use std::sync::Arc;

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};
use scylla::statement::prepared::PreparedStatement;
#[cfg(test)]
use scylla::value::CqlValue;

use super::action::RowAction;
use super::encoded::{check_bind_types, EncodedBatch, EncodedRow, PartitionKey, Slot, Slots};
use super::grouping::{PlannedRow, Ring};
use crate::config::{names, PerRow, WriteMode, WriteOptions};
use crate::convert::{ColumnConverter, EncodedColumn};
use crate::cql::{self, Assignment, Using};
use crate::error::{excerpt, ConvertError, Error, SchemaError, WriteError};
use crate::schema::{match_name, TableSchema};

pub(crate) struct WritePlan {
    /// Input column index and converter of every written column, in INSERT order.
    columns: Vec<(usize, ColumnConverter)>,
    /// The table's name of each written column, in the order of `columns`.
    column_names: Vec<String>,
    /// `keyspace.table`, for errors.
    table: String,
    /// Positions in `columns` of the primary key, in key order.
    key_positions: Vec<usize>,
    /// How many leading key positions form the partition key.
    partition_key_len: usize,
    delete_flag: Option<(usize, String)>,
    ttl: Option<PerRowSource<i32>>,
    writetime: Option<PerRowSource<i64>>,
    /// What each bind marker of the write and delete statements takes.
    slots: Arc<Slots>,
    pub(crate) write_cql: String,
    pub(crate) delete_cql: Option<String>,
}

enum PerRowSource<T> {
    Constant(T),
    Column { index: usize, name: String },
}

impl WritePlan {
    pub(crate) fn new(table: &TableSchema, input: &Schema, options: &WriteOptions) -> Result<Self, SchemaError> {
        let input_names: Vec<&str> = input.fields().iter().map(|f| f.name().as_str()).collect();
        let find_input = |option: &'static str, column: &str| {
            match_name(input_names.iter().copied(), column)
                .and_then(|found| input_names.iter().position(|n| *n == found))
                .ok_or_else(|| SchemaError::MissingControlColumn { option, column: column.to_string() })
        };
        let delete_flag = match &options.delete_flag {
            Some(flag) => Some((find_input(names::DELETE_FLAG_COLUMN, &flag.column)?, flag.value.to_ascii_lowercase())),
            None => None,
        };
        let ttl = match &options.ttl {
            Some(PerRow::Constant(seconds)) => Some(PerRowSource::Constant(*seconds)),
            Some(PerRow::Column(column)) => {
                Some(PerRowSource::Column { index: find_input(names::TTL, column)?, name: column.clone() })
            }
            None => None,
        };
        let writetime = match &options.writetime {
            Some(PerRow::Constant(micros)) => Some(PerRowSource::Constant(*micros)),
            Some(PerRow::Column(column)) => {
                Some(PerRowSource::Column { index: find_input(names::WRITETIME, column)?, name: column.clone() })
            }
            None => None,
        };
        let control: Vec<usize> = [
            delete_flag.as_ref().map(|(i, _)| *i),
            ttl.as_ref().and_then(PerRowSource::column_index),
            writetime.as_ref().and_then(PerRowSource::column_index),
        ]
        .into_iter()
        .flatten()
        .collect();

        let mut columns = Vec::new();
        let mut table_names = Vec::new();
        let mut unknown = Vec::new();
        for (index, field) in input.fields().iter().enumerate() {
            if control.contains(&index) {
                continue;
            }
            match table.column(field.name()) {
                Some(column) => {
                    let removing = options.collection_remove.iter().any(|c| c.eq_ignore_ascii_case(&column.name));
                    let bind_type = bind_type(&column.cql_type, removing);
                    columns.push((index, ColumnConverter::new(&column.name, field.data_type(), &bind_type)?));
                    table_names.push(column.name.clone());
                }
                None => unknown.push(field.name().clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(SchemaError::UnknownColumns {
                table: format!("{}.{}", table.keyspace, table.table),
                columns: unknown,
            });
        }
        let primary_key = table.primary_key();
        let missing: Vec<String> = primary_key.iter().filter(|k| !table_names.contains(k)).cloned().collect();
        if !missing.is_empty() {
            return Err(SchemaError::MissingKeyColumns { missing, required: primary_key });
        }
        let key_positions: Vec<usize> =
            primary_key.iter().filter_map(|k| table_names.iter().position(|n| n == k)).collect();

        let column_refs: Vec<&str> = table_names.iter().map(String::as_str).collect();
        let using = Using { ttl: ttl.is_some(), timestamp: writetime.is_some() };
        let key_refs: Vec<&str> = primary_key.iter().map(String::as_str).collect();
        let assignments = assignments(table, &table_names, options, &primary_key)?;
        let (write_cql, update_set_positions): (String, Option<Vec<usize>>) = match options.write_mode {
            WriteMode::Upsert => {
                (cql::insert(&table.keyspace, &table.table, &column_refs, using, options.if_not_exists), None)
            }
            WriteMode::Update => {
                if assignments.is_empty() {
                    return Err(SchemaError::NothingToUpdate { table: format!("{}.{}", table.keyspace, table.table) });
                }
                let set: Vec<(&str, Assignment)> = assignments.iter().map(|(_, name, a)| (name.as_str(), *a)).collect();
                let positions = assignments.iter().map(|(p, _, _)| *p).collect();
                (cql::update(&table.keyspace, &table.table, &set, &key_refs, using), Some(positions))
            }
        };
        let delete_cql =
            delete_flag.as_ref().map(|_| cql::delete(&table.keyspace, &table.table, &key_refs, writetime.is_some()));
        // Nulls stay unset under ignore_nulls, and always in an increment or append (null means "nothing").
        let column = |position: usize| Slot::Column {
            position,
            null_is_unset: options.ignore_nulls
                || assignments.iter().any(|(p, _, a)| *p == position && *a != Assignment::Set),
        };
        let settings = [ttl.is_some().then_some(Slot::Ttl), writetime.is_some().then_some(Slot::Timestamp)];
        let write = match &update_set_positions {
            None => (0..columns.len()).map(column).chain(settings.into_iter().flatten()).collect(),
            Some(set_positions) => {
                let values = set_positions.iter().chain(&key_positions).map(|&p| column(p));
                settings.into_iter().flatten().chain(values).collect()
            }
        };
        let delete = writetime
            .is_some()
            .then_some(Slot::Timestamp)
            .into_iter()
            .chain(key_positions.iter().map(|&position| Slot::Column { position, null_is_unset: false }))
            .collect();
        Ok(Self {
            columns,
            column_names: table_names,
            table: format!("{}.{}", table.keyspace, table.table),
            key_positions,
            partition_key_len: table.partition_key.len(),
            delete_flag,
            ttl,
            writetime,
            slots: Arc::new(Slots { write, delete }),
            write_cql,
            delete_cql,
        })
    }

    /// Encodes a batch column at a time (any value that cannot be converted
    /// fails the batch here, before a row is sent), then makes its rows, each
    /// with its partition's token when `ring` is given (grouping needs it).
    pub(crate) fn rows(
        &self,
        batch: &RecordBatch,
        ring: Option<&Ring<'_>>,
    ) -> Result<Vec<PlannedRow<EncodedRow>>, Error> {
        let mut columns = Vec::with_capacity(self.columns.len());
        for (index, converter) in &self.columns {
            columns.push(converter.encode(batch.column(*index).as_ref())?);
        }
        let ttl = self
            .ttl
            .as_ref()
            .map(|s| {
                s.values(batch, names::TTL, |v| {
                    i32::try_from(v).ok().filter(|s| (0..=names::MAX_TTL_SECONDS).contains(s))
                })
            })
            .transpose()?;
        let writetime = self.writetime.as_ref().map(|s| s.values(batch, names::WRITETIME, Some)).transpose()?;
        let sizes = (0..batch.num_rows()).map(|row| self.row_bytes(row, &columns)).collect::<Result<Vec<_>, _>>()?;
        let encoded = Arc::new(EncodedBatch { columns, ttl, writetime, slots: Arc::clone(&self.slots) });
        let partition_key = &self.key_positions[..self.partition_key_len];
        let mut rows = Vec::with_capacity(batch.num_rows());
        for (row, bytes) in sizes.into_iter().enumerate() {
            let token = ring.and_then(|ring| {
                ring.token(&PartitionKey { columns: &encoded.columns, positions: partition_key, row })
            });
            let deleting = self
                .delete_flag
                .as_ref()
                .is_some_and(|(index, wanted)| flag_matches(batch.column(*index).as_ref(), row, wanted));
            let action = if deleting {
                RowAction::Delete(EncodedRow::new(&encoded, row, true))
            } else {
                RowAction::Write(EncodedRow::new(&encoded, row, false))
            };
            rows.push(PlannedRow { action, token, bytes });
        }
        Ok(rows)
    }

    /// Checks the statements just prepared from [`write_cql`](Self::write_cql)
    /// and [`delete_cql`](Self::delete_cql) against what this plan binds:
    /// once per prepare, not per row ([`check_bind_types`]).
    pub(crate) fn check_prepared(
        &self,
        write: &PreparedStatement,
        delete: Option<&PreparedStatement>,
    ) -> Result<(), SchemaError> {
        let columns: Vec<(&str, &ColumnType<'static>)> =
            self.column_names.iter().map(String::as_str).zip(self.columns.iter().map(|(_, c)| c.bind_type())).collect();
        check_bind_types(&self.table, &self.slots.write, &columns, write.get_variable_col_specs().as_slice())?;
        match delete {
            Some(delete) => {
                check_bind_types(&self.table, &self.slots.delete, &columns, delete.get_variable_col_specs().as_slice())
            }
            None => Ok(()),
        }
    }

    /// What a row binds, decoded (`None` for unset, `Some(None)` for null), for tests.
    #[cfg(test)]
    pub(crate) fn bound(&self, row: &EncodedRow) -> Vec<Option<Option<CqlValue>>> {
        let (batch, at) = row.batch_and_row();
        row.slots()
            .iter()
            .map(|slot| match *slot {
                Slot::Column { position, null_is_unset } => match batch.columns[position].value(at) {
                    None if null_is_unset => None,
                    value => Some(self.columns[position].1.decode(at, value).unwrap()),
                },
                Slot::Ttl => batch.ttl.as_ref().unwrap()[at].map(|v| Some(CqlValue::Int(v))),
                Slot::Timestamp => batch.writetime.as_ref().unwrap()[at].map(|v| Some(CqlValue::BigInt(v))),
            })
            .collect()
    }
}

impl WritePlan {
    /// The row's estimated size; a row larger than the largest mutation a node
    /// accepts fails here, before any row of its batch is sent, rather than at
    /// the node after part of the job was written.
    fn row_bytes(&self, row: usize, columns: &[EncodedColumn]) -> Result<usize, WriteError> {
        let mut bytes = super::size::ROW_OVERHEAD_BYTES;
        let mut largest = (0, 0);
        for (position, column) in columns.iter().enumerate() {
            let cell = super::size::cell_bytes(column.value(row).map(<[u8]>::len), column.elements(row));
            bytes += cell;
            if cell > largest.1 {
                largest = (position, cell);
            }
        }
        if bytes > names::MAX_MUTATION_BYTES {
            return Err(WriteError::RowTooLarge {
                row,
                table: self.table.clone(),
                bytes,
                largest_column: self.column_names.get(largest.0).cloned().unwrap_or_default(),
                largest_column_bytes: largest.1,
                limit: names::MAX_MUTATION_BYTES,
            });
        }
        Ok(bytes)
    }
}

impl<T: Copy> PerRowSource<T> {
    fn column_index(&self) -> Option<usize> {
        match self {
            PerRowSource::Column { index, .. } => Some(*index),
            PerRowSource::Constant(_) => None,
        }
    }

    /// One value per row; a null input leaves the setting unset.
    fn values(
        &self,
        batch: &RecordBatch,
        option: &'static str,
        narrow: impl Fn(i64) -> Option<T>,
    ) -> Result<Vec<Option<T>>, Error> {
        match self {
            PerRowSource::Constant(value) => Ok(vec![Some(*value); batch.num_rows()]),
            PerRowSource::Column { index, name } => {
                let array = batch.column(*index);
                let mut values = Vec::with_capacity(array.len());
                for row in 0..array.len() {
                    if array.is_null(row) {
                        values.push(None);
                        continue;
                    }
                    let raw = integer_at(array.as_ref(), row);
                    let narrowed = raw.and_then(&narrow);
                    values.push(Some(narrowed.ok_or_else(|| ConvertError {
                        row,
                        column: name.clone(),
                        cql_type: format!(
                            "{option} ({})",
                            if option == names::TTL { "int seconds, 0 to 630720000" } else { "bigint microseconds" }
                        ),
                        value: raw.map_or_else(|| array.data_type().to_string(), |v| excerpt(&v.to_string())),
                        path: Vec::new(),
                        kind: crate::error::ConvertErrorKind::InvalidSetting,
                    })?));
                }
                Ok(values)
            }
        }
    }
}

/// The type a column's values are bound as: removing from a map binds the set of keys.
fn bind_type(cql_type: &ColumnType<'static>, removing: bool) -> ColumnType<'static> {
    match cql_type {
        ColumnType::Collection { frozen: false, typ: CollectionType::Map(key, _) } if removing => {
            ColumnType::Collection { frozen: false, typ: CollectionType::Set(key.clone()) }
        }
        other => other.clone(),
    }
}

/// The SET clause of update mode: (position in the written columns, name, assignment)
/// for every non-key column; also checks counters and collection options against the table.
fn assignments(
    table: &TableSchema,
    written: &[String],
    options: &WriteOptions,
    primary_key: &[String],
) -> Result<Vec<(usize, String, Assignment)>, SchemaError> {
    let counters: Vec<&str> = table
        .columns
        .iter()
        .filter(|c| c.cql_type == ColumnType::Native(NativeType::Counter))
        .map(|c| c.name.as_str())
        .collect();
    if !counters.is_empty() {
        if options.write_mode != WriteMode::Update {
            return Err(SchemaError::CountersNeedUpdateMode {
                table: table.table.clone(),
                counters: counters.iter().map(ToString::to_string).collect(),
            });
        }
        if options.ttl.is_some() || options.if_not_exists {
            return Err(SchemaError::NotForCounters { table: table.table.clone() });
        }
    }
    let mut result = Vec::new();
    for listed in options.collection_append.iter().chain(&options.collection_remove) {
        let Some(column) = table.column(listed) else {
            return Err(SchemaError::CollectionNotInTable { column: listed.clone(), table: table.table.clone() });
        };
        if !written.contains(&column.name) {
            return Err(SchemaError::CollectionNotInInput { column: listed.clone() });
        }
        if !matches!(column.cql_type, ColumnType::Collection { frozen: false, .. }) {
            return Err(SchemaError::NotACollection {
                column: column.name.clone(),
                cql_type: crate::cql_type::name(&column.cql_type),
            });
        }
    }
    for (position, name) in written.iter().enumerate() {
        if primary_key.contains(name) {
            continue;
        }
        let listed = |list: &[String]| list.iter().any(|c| c.eq_ignore_ascii_case(name));
        let assignment = if counters.contains(&name.as_str()) || listed(&options.collection_append) {
            Assignment::Add
        } else if listed(&options.collection_remove) {
            Assignment::Subtract
        } else {
            Assignment::Set
        };
        result.push((position, name.clone(), assignment));
    }
    Ok(result)
}

fn integer_at(array: &dyn Array, row: usize) -> Option<i64> {
    use arrow_array::types::*;
    Some(match array.data_type() {
        DataType::Int8 => i64::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => i64::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => i64::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => array.as_primitive::<Int64Type>().value(row),
        _ => return None,
    })
}

/// Whether the delete-flag cell equals the configured value, compared as text.
fn flag_matches(array: &dyn Array, row: usize, wanted: &str) -> bool {
    if array.is_null(row) {
        return false;
    }
    match array.data_type() {
        DataType::Boolean => (if array.as_boolean().value(row) { "true" } else { "false" }) == wanted,
        DataType::Utf8 => array.as_string::<i32>().value(row).eq_ignore_ascii_case(wanted),
        DataType::LargeUtf8 => array.as_string::<i64>().value(row).eq_ignore_ascii_case(wanted),
        DataType::Utf8View => array.as_string_view().value(row).eq_ignore_ascii_case(wanted),
        _ => integer_at(array, row).is_some_and(|v| v.to_string() == wanted),
    }
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
