//! A [`TableSchema`] as bytes, so that a job pickled on the driver carries the
//! table it was checked against to every task and no task reads it again.
//!
//! The format is private to one wheel (driver and executors run the same
//! build): a version byte, then length-prefixed strings and tagged types.
//! [`pickle`], [`unpickle`] and [`carried_or_loaded`] are what `ReadJob` and
//! `WriteJob` call.

use std::borrow::Cow;
use std::sync::Arc;

use pycassandra::cql_type;
use pycassandra::schema::ColumnSchema;
use pycassandra::{ConnectionOptions, TableSchema};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use scylla::cluster::metadata::{CollectionType, ColumnKind, ColumnType, UserDefinedType};

/// 2: native types by their CQL name ([`cql_type`]), not by position in a list of our own.
const VERSION: u8 = 2;

const COLUMN_KINDS: [ColumnKind; 4] =
    [ColumnKind::Regular, ColumnKind::Static, ColumnKind::Clustering, ColumnKind::PartitionKey];

/// Why a table cannot be carried: a type this build does not know.
#[derive(Debug)]
pub(crate) struct Unsupported(String);

impl std::fmt::Display for Unsupported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot carry the table's schema to the tasks: {}", self.0)
    }
}

/// The job's table for its pickled state; `None` when there is none yet, or
/// when a type cannot be carried (the tasks then read the table themselves:
/// slower, never wrong).
pub(crate) fn pickle<'py>(py: Python<'py>, table: Option<&TableSchema>) -> Option<Bound<'py, PyBytes>> {
    match encode(table?) {
        Ok(bytes) => Some(PyBytes::new(py, &bytes)),
        Err(unsupported) => {
            tracing::debug!("{unsupported}");
            None
        }
    }
}

/// The job's table: `carried` (pickled from the driver, or read earlier by
/// this job), else `keyspace.table` read from the cluster now and kept in
/// `carried` for the job's next call.
pub(crate) fn carried_or_loaded(
    py: Python<'_>,
    carried: &mut Option<TableSchema>,
    connection: &ConnectionOptions,
    keyspace: &str,
    table: &str,
) -> PyResult<TableSchema> {
    if let Some(table) = carried {
        return Ok(table.clone());
    }
    let session = crate::runtime::session(py, connection, keyspace)?;
    let loaded = crate::runtime::load_table(py, session, keyspace, table)?;
    *carried = Some(loaded.clone());
    Ok(loaded)
}

/// The table [`pickle`] gave a `job` (its class name, for the error).
pub(crate) fn unpickle(bytes: Option<Bound<'_, PyBytes>>, job: &str) -> PyResult<Option<TableSchema>> {
    let Some(bytes) = bytes else { return Ok(None) };
    let table = decode(bytes.as_bytes()).ok_or_else(|| {
        pyo3::exceptions::PyValueError::new_err(format!("a pickled {job}'s table is not one this wheel wrote"))
    })?;
    Ok(Some(table))
}

/// The table as bytes for pickling.
fn encode(table: &TableSchema) -> Result<Vec<u8>, Unsupported> {
    let mut out = vec![VERSION];
    put_str(&mut out, &table.keyspace);
    put_str(&mut out, &table.table);
    put_len(&mut out, table.columns.len());
    for column in &table.columns {
        put_str(&mut out, &column.name);
        put_type(&mut out, &column.cql_type)?;
        let kind = COLUMN_KINDS
            .iter()
            .position(|k| *k == column.kind)
            .ok_or_else(|| Unsupported(format!("column kind {:?}", column.kind)))?;
        out.push(kind as u8);
    }
    for names in [&table.partition_key, &table.clustering_key] {
        put_len(&mut out, names.len());
        for name in names {
            put_str(&mut out, name);
        }
    }
    Ok(out)
}

/// The table [`encode`] wrote; `None` when the bytes are not such a table.
fn decode(bytes: &[u8]) -> Option<TableSchema> {
    let mut input = Input { bytes, at: 0 };
    if input.byte()? != VERSION {
        return None;
    }
    let keyspace = input.string()?;
    let table = input.string()?;
    let mut columns = Vec::new();
    for _ in 0..input.len()? {
        let name = input.string()?;
        let cql_type = input.column_type()?;
        let kind = COLUMN_KINDS.get(usize::from(input.byte()?))?.clone();
        columns.push(ColumnSchema { name, cql_type, kind });
    }
    let mut keys = [Vec::new(), Vec::new()];
    for names in &mut keys {
        for _ in 0..input.len()? {
            names.push(input.string()?);
        }
    }
    let [partition_key, clustering_key] = keys;
    (input.at == bytes.len()).then_some(TableSchema { keyspace, table, columns, partition_key, clustering_key })
}

fn put_len(out: &mut Vec<u8>, len: usize) {
    out.extend_from_slice(&(len as u32).to_le_bytes());
}

fn put_str(out: &mut Vec<u8>, text: &str) {
    put_len(out, text.len());
    out.extend_from_slice(text.as_bytes());
}

fn put_type(out: &mut Vec<u8>, cql_type: &ColumnType<'_>) -> Result<(), Unsupported> {
    match cql_type {
        ColumnType::Native(native) => {
            let name = cql_type::native_name(native);
            if cql_type::parse_native(name).as_ref() != Some(native) {
                return Err(Unsupported(format!("CQL type {native:?}")));
            }
            out.push(0);
            put_str(out, name);
        }
        ColumnType::Collection { frozen, typ } => {
            out.extend_from_slice(&[1, u8::from(*frozen)]);
            match typ {
                CollectionType::List(element) => {
                    out.push(0);
                    put_type(out, element)?;
                }
                CollectionType::Set(element) => {
                    out.push(1);
                    put_type(out, element)?;
                }
                CollectionType::Map(key, value) => {
                    out.push(2);
                    put_type(out, key)?;
                    put_type(out, value)?;
                }
                other => return Err(Unsupported(format!("collection type {other:?}"))),
            }
        }
        ColumnType::Vector { typ, dimensions } => {
            out.push(2);
            out.extend_from_slice(&dimensions.to_le_bytes());
            put_type(out, typ)?;
        }
        ColumnType::UserDefinedType { frozen, definition } => {
            out.extend_from_slice(&[3, u8::from(*frozen)]);
            put_str(out, &definition.keyspace);
            put_str(out, &definition.name);
            put_len(out, definition.field_types.len());
            for (name, field) in &definition.field_types {
                put_str(out, name);
                put_type(out, field)?;
            }
        }
        ColumnType::Tuple(elements) => {
            out.push(4);
            put_len(out, elements.len());
            for element in elements {
                put_type(out, element)?;
            }
        }
        other => return Err(Unsupported(format!("CQL type {other:?}"))),
    }
    Ok(())
}

struct Input<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Input<'_> {
    fn take(&mut self, n: usize) -> Option<&[u8]> {
        let taken = self.bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(taken)
    }

    fn byte(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }

    fn len(&mut self) -> Option<usize> {
        let raw: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(u32::from_le_bytes(raw) as usize)
    }

    fn string(&mut self) -> Option<String> {
        let len = self.len()?;
        String::from_utf8(self.take(len)?.to_vec()).ok()
    }

    fn boxed(&mut self) -> Option<Box<ColumnType<'static>>> {
        self.column_type().map(Box::new)
    }

    fn column_type(&mut self) -> Option<ColumnType<'static>> {
        Some(match self.byte()? {
            0 => ColumnType::Native(cql_type::parse_native(&self.string()?)?),
            1 => {
                let frozen = self.byte()? != 0;
                let typ = match self.byte()? {
                    0 => CollectionType::List(self.boxed()?),
                    1 => CollectionType::Set(self.boxed()?),
                    2 => CollectionType::Map(self.boxed()?, self.boxed()?),
                    _ => return None,
                };
                ColumnType::Collection { frozen, typ }
            }
            2 => {
                let dimensions = u16::from_le_bytes(self.take(2)?.try_into().ok()?);
                ColumnType::Vector { typ: self.boxed()?, dimensions }
            }
            3 => {
                let frozen = self.byte()? != 0;
                let keyspace = Cow::Owned(self.string()?);
                let name = Cow::Owned(self.string()?);
                let mut field_types = Vec::new();
                for _ in 0..self.len()? {
                    field_types.push((Cow::Owned(self.string()?), self.column_type()?));
                }
                ColumnType::UserDefinedType {
                    frozen,
                    definition: Arc::new(UserDefinedType { name, keyspace, field_types }),
                }
            }
            4 => {
                let mut elements = Vec::new();
                for _ in 0..self.len()? {
                    elements.push(self.column_type()?);
                }
                ColumnType::Tuple(elements)
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use scylla::cluster::metadata::NativeType;

    use super::*;

    fn native(n: NativeType) -> ColumnType<'static> {
        ColumnType::Native(n)
    }

    #[test]
    fn every_kind_of_type_survives_the_trip() {
        let address = ColumnType::UserDefinedType {
            frozen: true,
            definition: Arc::new(UserDefinedType {
                name: "Address".into(),
                keyspace: "shop".into(),
                field_types: vec![("street".into(), native(NativeType::Text)), ("zip".into(), native(NativeType::Int))],
            }),
        };
        let mut columns: Vec<ColumnSchema> = cql_type::NAMES
            .iter()
            .enumerate()
            .map(|(i, name)| ColumnSchema {
                name: format!("c{i}"),
                cql_type: native(cql_type::parse_native(name).unwrap()),
                kind: ColumnKind::Regular,
            })
            .collect();
        let composite = [
            ColumnType::Collection { frozen: false, typ: CollectionType::List(Box::new(native(NativeType::Int))) },
            ColumnType::Collection { frozen: true, typ: CollectionType::Set(Box::new(address.clone())) },
            ColumnType::Collection {
                frozen: false,
                typ: CollectionType::Map(Box::new(native(NativeType::Text)), Box::new(address.clone())),
            },
            ColumnType::Vector { typ: Box::new(native(NativeType::Float)), dimensions: 3 },
            ColumnType::Tuple(vec![native(NativeType::Uuid), address]),
        ];
        for (i, cql_type) in composite.into_iter().enumerate() {
            columns.push(ColumnSchema { name: format!("\"Odd\" név {i}"), cql_type, kind: ColumnKind::Static });
        }
        columns[0].kind = ColumnKind::PartitionKey;
        columns[1].kind = ColumnKind::Clustering;
        let table = TableSchema {
            keyspace: "shop".into(),
            table: "Orders".into(),
            columns,
            partition_key: vec!["c0".into()],
            clustering_key: vec!["c1".into()],
        };
        let bytes = encode(&table).unwrap();
        assert_eq!(decode(&bytes), Some(table));
    }

    #[test]
    fn bytes_that_are_not_a_table_decode_to_none() {
        assert_eq!(decode(&[]), None);
        assert_eq!(decode(&[VERSION + 1]), None);
        let table = TableSchema {
            keyspace: "k".into(),
            table: "t".into(),
            columns: vec![],
            partition_key: vec![],
            clustering_key: vec![],
        };
        let mut bytes = encode(&table).unwrap();
        bytes.push(0);
        assert_eq!(decode(&bytes), None, "trailing bytes");
        bytes.truncate(bytes.len() - 3);
        assert_eq!(decode(&bytes), None, "cut short");
    }
}
