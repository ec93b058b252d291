//! What one input row becomes: a write or a delete, with its values. Shared
//! by the plan (which makes actions), the grouping (which cuts them into
//! requests) and the request (which sends them), so none of the three needs
//! another's module.

/// A row ready to send. `V` is how its values serialize: Arrow rows bind
/// their encoded cells ([`super::encoded::EncodedRow`]), typed rows the
/// struct itself.
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
