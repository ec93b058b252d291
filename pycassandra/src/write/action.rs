//! What one input row becomes: a write or a delete, with its values. Shared
//! by the plan (which makes actions), the grouping (which cuts them into
//! requests) and the request (which sends them), so none of the three needs
//! another's module.

use scylla::value::{CqlValue, MaybeUnset};

/// One bound value: unset (leave the column alone), null, or a value.
pub(crate) type Bound = MaybeUnset<Option<CqlValue>>;

/// A row ready to send. `V` is how its values serialize: Arrow rows bind a
/// vector of [`Bound`] values, typed rows bind the struct itself.
pub(crate) enum RowAction<V> {
    /// The write statement (INSERT, or UPDATE in update mode) with its values.
    Write(V),
    /// DELETE with these values (timestamp, then key columns).
    Delete(V),
}

impl<V> RowAction<V> {
    pub(crate) fn is_delete(&self) -> bool {
        matches!(self, RowAction::Delete(_))
    }
}
