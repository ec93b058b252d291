//! A batch's rows as the node receives them: every written column encoded
//! once, straight from Arrow ([`EncodedColumn`]), and each row binding its
//! cells in the order of its statement. Requests copy these bytes into their
//! frames; no `CqlValue` is made on the way.

use std::sync::Arc;

use scylla::routing::partitioner::{Murmur3Partitioner, Partitioner, PartitionerHasher};
use scylla::routing::Token;
use scylla::serialize::row::{RowSerializationContext, SerializeRow};
use scylla::serialize::writers::RowWriter;
use scylla::serialize::SerializationError;

use crate::convert::EncodedColumn;

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

    use super::PartitionKey;
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
}
