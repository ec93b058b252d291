//! A batch's rows as the node receives them: every written column encoded
//! once, straight from Arrow ([`EncodedColumn`]), and each row binding its
//! cells in the order of its statement. Requests copy these bytes into their
//! frames; no `CqlValue` is made on the way.

use std::sync::Arc;

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};
use scylla::frame::response::result::ColumnSpec;
use scylla::routing::partitioner::{Murmur3Partitioner, Partitioner, PartitionerHasher};
use scylla::routing::Token;
use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::serialize::SerializationError;

use crate::config::names;
use crate::convert::EncodedColumn;
use crate::cql_type::{self, Spelling};
use crate::error::SchemaError;

/// What one bind marker of a statement takes.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
    /// A written column (its position among them); a null binds as unset
    /// when `null_is_unset` (ignore_nulls, increments, appends), else as null.
    Column { position: usize, null_is_unset: bool },
    /// `USING TTL ?`: the row's TTL, unset when it has none.
    Ttl,
    /// `USING TIMESTAMP ?`: the row's write time, unset when it has none.
    Timestamp,
}

/// The bind markers of the write statement and of the delete statement, in order.
pub(crate) struct Slots {
    pub(crate) write: Vec<Slot>,
    pub(crate) delete: Vec<Slot>,
}

/// One converted batch: its columns and per-row settings.
pub(crate) struct EncodedBatch {
    pub(crate) columns: Vec<EncodedColumn>,
    pub(crate) ttl: Option<Vec<Option<i32>>>,
    pub(crate) writetime: Option<Vec<Option<i64>>>,
    pub(crate) slots: Arc<Slots>,
}

/// One row of an [`EncodedBatch`], bound to the write or the delete statement.
pub(crate) struct EncodedRow {
    batch: Arc<EncodedBatch>,
    row: usize,
    delete: bool,
}

impl EncodedRow {
    pub(crate) fn new(batch: &Arc<EncodedBatch>, row: usize, delete: bool) -> Self {
        Self { batch: Arc::clone(batch), row, delete }
    }

    pub(crate) fn slots(&self) -> &[Slot] {
        if self.delete {
            &self.batch.slots.delete
        } else {
            &self.batch.slots.write
        }
    }

    #[cfg(test)]
    pub(crate) fn batch_and_row(&self) -> (&EncodedBatch, usize) {
        (&self.batch, self.row)
    }
}

impl SerializeRow for EncodedRow {
    fn serialize(
        &self,
        ctx: &RowSerializationContext<'_>,
        writer: &mut RowWriter<'_>,
    ) -> Result<(), SerializationError> {
        let slots = self.slots();
        if ctx.columns().len() != slots.len() {
            return Err(SerializationError::new(BindCountMismatch {
                statement: ctx.columns().len(),
                row: slots.len(),
            }));
        }
        for &slot in slots {
            let cell = writer.make_cell_writer();
            match slot {
                Slot::Column { position, null_is_unset } => match self.batch.columns[position].value(self.row) {
                    Some(value) => {
                        cell.set_value(value).map_err(SerializationError::new)?;
                    }
                    None if null_is_unset => {
                        cell.set_unset();
                    }
                    None => {
                        cell.set_null();
                    }
                },
                Slot::Ttl => match self.batch.ttl.as_ref().and_then(|ttl| ttl[self.row]) {
                    Some(seconds) => {
                        cell.set_value(&seconds.to_be_bytes()).map_err(SerializationError::new)?;
                    }
                    None => {
                        cell.set_unset();
                    }
                },
                Slot::Timestamp => match self.batch.writetime.as_ref().and_then(|w| w[self.row]) {
                    Some(micros) => {
                        cell.set_value(&micros.to_be_bytes()).map_err(SerializationError::new)?;
                    }
                    None => {
                        cell.set_unset();
                    }
                },
            }
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.slots().is_empty()
    }
}

/// The partition key of one row of a batch, for the driver's token computation.
pub(crate) struct PartitionKey<'a> {
    pub(crate) columns: &'a [EncodedColumn],
    pub(crate) positions: &'a [usize],
    pub(crate) row: usize,
}

impl SerializeRow for PartitionKey<'_> {
    fn serialize(
        &self,
        _ctx: &RowSerializationContext<'_>,
        writer: &mut RowWriter<'_>,
    ) -> Result<(), SerializationError> {
        for &position in self.positions {
            let cell = writer.make_cell_writer();
            match self.columns[position].value(self.row) {
                Some(value) => {
                    cell.set_value(value).map_err(SerializationError::new)?;
                }
                None => {
                    cell.set_null();
                }
            }
        }
        Ok(())
    }

    fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }
}

impl PartitionKey<'_> {
    /// The key's Murmur3 token, computed here: the token the driver gives on
    /// Cassandra's default partitioner, for when it lacks the table's
    /// metadata. On any partitioner, equal keys get equal tokens, which is
    /// all partition grouping needs. `None` when a key value is null.
    pub(crate) fn murmur3_token(&self) -> Option<Token> {
        let mut hasher = Murmur3Partitioner.build_hasher();
        if let [position] = self.positions {
            hasher.write(self.columns[*position].value(self.row)?);
        } else {
            // A compound key hashes each part as a 2-byte length, the bytes and a 0 byte.
            for &position in self.positions {
                let value = self.columns[position].value(self.row)?;
                hasher.write(&u16::try_from(value.len()).ok()?.to_be_bytes());
                hasher.write(value);
                hasher.write(&[0]);
            }
        }
        Some(hasher.finish())
    }
}

/// Checks, once when a statement is prepared and not per row, that each of
/// its bind markers takes the CQL type the plan encodes for that marker's
/// slot: `columns` are the written columns' names and types, by position.
/// A table changed after its schema was read would otherwise be sent bytes
/// of another type, which the node may accept (an `int` is a valid `blob`).
pub(crate) fn check_bind_types(
    table: &str,
    slots: &[Slot],
    columns: &[(&str, &ColumnType<'static>)],
    markers: &[ColumnSpec<'_>],
) -> Result<(), SchemaError> {
    const TTL_TYPE: ColumnType<'static> = ColumnType::Native(NativeType::Int);
    const WRITETIME_TYPE: ColumnType<'static> = ColumnType::Native(NativeType::BigInt);
    if markers.len() != slots.len() {
        return Err(SchemaError::PreparedMarkerCount {
            table: table.to_owned(),
            markers: markers.len(),
            planned: slots.len(),
        });
    }
    for (slot, marker) in slots.iter().zip(markers) {
        let (column, planned) = match *slot {
            Slot::Column { position, .. } => columns[position],
            Slot::Ttl => (names::TTL, &TTL_TYPE),
            Slot::Timestamp => (names::WRITETIME, &WRITETIME_TYPE),
        };
        if !takes(marker.typ(), planned) {
            return Err(SchemaError::PreparedTypeMismatch {
                table: table.to_owned(),
                column: column.to_owned(),
                planned: spelled(planned, marker.typ()),
                prepared: spelled(marker.typ(), planned),
            });
        }
    }
    Ok(())
}

/// `cql_type` as a message prints it beside `other`: without `frozen`, which
/// [`takes`] does not compare (a bind marker never carries it, so a frozen
/// column would read as if frozenness were the difference), and with every
/// UDT's fields, at any depth, when the names alone would read the same.
fn spelled(cql_type: &ColumnType<'_>, other: &ColumnType<'_>) -> String {
    let unfrozen = Spelling { frozen: false, udt_fields: false };
    let name = cql_type::spell(cql_type, unfrozen);
    if name == cql_type::spell(other, unfrozen) {
        cql_type::spell(cql_type, Spelling { udt_fields: true, ..unfrozen })
    } else {
        name
    }
}

/// Whether a bind marker of type `prepared` takes values encoded as
/// `planned`. Bind markers never say `frozen` (the protocol does not carry
/// it), so it is not compared; a UDT may have gained fields since the plan,
/// since a value with fewer fields than its type is valid CQL.
fn takes(prepared: &ColumnType<'_>, planned: &ColumnType<'_>) -> bool {
    use CollectionType::{List, Map, Set};
    match (prepared, planned) {
        (ColumnType::Collection { typ: prepared, .. }, ColumnType::Collection { typ: planned, .. }) => {
            match (prepared, planned) {
                (List(a), List(b)) | (Set(a), Set(b)) => takes(a, b),
                (Map(key_a, value_a), Map(key_b, value_b)) => takes(key_a, key_b) && takes(value_a, value_b),
                _ => false,
            }
        }
        (ColumnType::Vector { typ: a, dimensions: da }, ColumnType::Vector { typ: b, dimensions: db }) => {
            da == db && takes(a, b)
        }
        (ColumnType::Tuple(a), ColumnType::Tuple(b)) => a.len() == b.len() && a.iter().zip(b).all(|(a, b)| takes(a, b)),
        (ColumnType::UserDefinedType { definition: a, .. }, ColumnType::UserDefinedType { definition: b, .. }) => {
            a.keyspace == b.keyspace
                && a.name == b.name
                && a.field_types.len() >= b.field_types.len()
                && a.field_types.iter().zip(&b.field_types).all(|((na, a), (nb, b))| na == nb && takes(a, b))
        }
        (prepared, planned) => prepared == planned,
    }
}

/// The prepared statement has another number of bind markers than the plan
/// made values for: a bug, said rather than sent.
#[derive(Debug, thiserror::Error)]
#[error("the statement has {statement} bind markers but the row binds {row} values")]
struct BindCountMismatch {
    statement: usize,
    row: usize,
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::{Array, Int32Array, StringArray};
    use scylla::cluster::metadata::{ColumnType, NativeType};

    use scylla::cluster::metadata::{CollectionType, UserDefinedType};
    use scylla::frame::response::result::{ColumnSpec, TableSpec};

    use super::{check_bind_types, PartitionKey, Slot};
    use crate::convert::{ColumnConverter, EncodedColumn};

    fn encoded(array: &dyn Array, native: NativeType) -> EncodedColumn {
        ColumnConverter::new("c", array.data_type(), &ColumnType::Native(native)).unwrap().encode(array).unwrap()
    }

    #[test]
    fn murmur3_tokens_are_the_nodes() {
        // `SELECT token(k)` / `token(k, c)` on the local node (Cassandra 5.0.8) for these keys.
        let ints = Arc::new(Int32Array::from(vec![Some(1), Some(7), None]));
        let columns = [
            encoded(ints.as_ref(), NativeType::Int),
            encoded(&StringArray::from(vec!["x", "ab", "y"]), NativeType::Text),
        ];
        let token = |positions: &[usize], row| PartitionKey { columns: &columns, positions, row }.murmur3_token();
        assert_eq!(token(&[0], 0).map(|t| t.value()), Some(-4_069_959_284_402_364_209));
        assert_eq!(token(&[0, 1], 1).map(|t| t.value()), Some(-471_834_377_400_118_017));
        assert_eq!(token(&[0], 2), None, "a null key has no token");
    }

    fn marker(name: &str, typ: ColumnType<'static>) -> ColumnSpec<'static> {
        ColumnSpec::owned(name.to_owned(), typ, TableSpec::owned("shop".to_owned(), "orders".to_owned()))
    }

    fn list_of_int(frozen: bool) -> ColumnType<'static> {
        ColumnType::Collection { frozen, typ: CollectionType::List(Box::new(ColumnType::Native(NativeType::Int))) }
    }

    fn address(frozen: bool, fields: &[(&str, NativeType)]) -> ColumnType<'static> {
        let field_types = fields.iter().map(|(n, t)| ((*n).to_owned().into(), ColumnType::Native(t.clone()))).collect();
        let definition = UserDefinedType { name: "address".into(), keyspace: "shop".into(), field_types };
        ColumnType::UserDefinedType { frozen, definition: Arc::new(definition) }
    }

    const WRITE: [Slot; 4] = [
        Slot::Column { position: 0, null_is_unset: false },
        Slot::Column { position: 1, null_is_unset: false },
        Slot::Column { position: 2, null_is_unset: true },
        Slot::Ttl,
    ];

    #[test]
    fn a_statement_binding_what_the_plan_encodes_passes() {
        let (k, tags, home) =
            (ColumnType::Native(NativeType::Int), list_of_int(true), address(true, &[("zip", NativeType::Int)]));
        let columns = [("k", &k), ("tags", &tags), ("home", &home)];
        // Bind markers never say frozen; a UDT that gained a field still takes the old values.
        let markers = [
            marker("k", ColumnType::Native(NativeType::Int)),
            marker("tags", list_of_int(false)),
            marker("home", address(false, &[("zip", NativeType::Int), ("street", NativeType::Text)])),
            marker("[ttl]", ColumnType::Native(NativeType::Int)),
        ];
        check_bind_types("shop.orders", &WRITE, &columns, &markers).unwrap();
        let delete = [Slot::Timestamp, Slot::Column { position: 0, null_is_unset: false }];
        let markers = [marker("[timestamp]", ColumnType::Native(NativeType::BigInt)), marker("k", k.clone())];
        check_bind_types("shop.orders", &delete, &columns, &markers).unwrap();
    }

    #[test]
    fn another_type_at_a_marker_is_an_error_naming_table_column_and_both_types() {
        let (k, tags, home) =
            (ColumnType::Native(NativeType::Int), list_of_int(false), address(true, &[("zip", NativeType::Int)]));
        let columns = [("k", &k), ("tags", &tags), ("home", &home)];
        let with = |index: usize, typ: ColumnType<'static>| {
            let mut markers = vec![
                marker("k", k.clone()),
                marker("tags", tags.clone()),
                marker("home", address(false, &[("zip", NativeType::Int)])),
                marker("[ttl]", ColumnType::Native(NativeType::Int)),
            ];
            markers[index] = marker("x", typ);
            check_bind_types("shop.orders", &WRITE, &columns, &markers).unwrap_err().to_string()
        };
        assert_eq!(
            with(0, ColumnType::Native(NativeType::Text)),
            "column 'k' of shop.orders is text in the statement just prepared, but the write was planned for int: \
             the table changed after its schema was read; run the write again"
        );
        assert!(with(1, ColumnType::Native(NativeType::Blob)).starts_with("column 'tags' of shop.orders is blob "));
        // The column is frozen<address>, its marker says address (markers never say
        // frozen): the message names the field that changed, not frozenness.
        let zip_as_text = with(2, address(false, &[("zip", NativeType::Text)]));
        assert!(
            zip_as_text.starts_with(
                "column 'home' of shop.orders is address (zip text) in the statement just \
                 prepared, but the write was planned for address (zip int):"
            ),
            "{zip_as_text}"
        );
        let home_unfrozen = address(false, &[("zip", NativeType::Int)]);
        let columns_unfrozen = [("k", &k), ("tags", &tags), ("home", &home_unfrozen)];
        let markers = [
            marker("k", k.clone()),
            marker("tags", tags.clone()),
            marker("home", address(false, &[("zip", NativeType::Text)])),
            marker("[ttl]", ColumnType::Native(NativeType::Int)),
        ];
        let same_name = check_bind_types("shop.orders", &WRITE, &columns_unfrozen, &markers).unwrap_err().to_string();
        assert!(
            same_name.starts_with(
                "column 'home' of shop.orders is address (zip text) in the statement just \
                                   prepared, but the write was planned for address (zip int):"
            ),
            "{same_name}"
        );
        // A UDT inside a collection: the fields tell the two types apart there too.
        let addresses = |zip: NativeType| ColumnType::Collection {
            frozen: false,
            typ: CollectionType::List(Box::new(address(true, &[("zip", zip)]))),
        };
        let planned_list = addresses(NativeType::Int);
        let columns_list = [("k", &k), ("tags", &planned_list), ("home", &home)];
        let markers = [
            marker("k", k.clone()),
            marker("tags", addresses(NativeType::Text)),
            marker("home", address(false, &[("zip", NativeType::Int)])),
            marker("[ttl]", ColumnType::Native(NativeType::Int)),
        ];
        let nested = check_bind_types("shop.orders", &WRITE, &columns_list, &markers).unwrap_err().to_string();
        assert!(
            nested.starts_with(
                "column 'tags' of shop.orders is list<address (zip text)> in the statement just \
                 prepared, but the write was planned for list<address (zip int)>:"
            ),
            "{nested}"
        );
        let ttl_as_bigint = with(3, ColumnType::Native(NativeType::BigInt));
        assert!(ttl_as_bigint.starts_with("column 'ttl' of shop.orders is bigint "), "{ttl_as_bigint}");
        let markers = [marker("k", k.clone())];
        assert_eq!(
            check_bind_types("shop.orders", &WRITE, &columns, &markers).unwrap_err().to_string(),
            "the statement prepared for shop.orders has 1 bind markers, but the write binds 4 values"
        );
    }
}
