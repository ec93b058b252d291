//! Arrow columns become CQL values column at a time. The converter of a
//! column is chosen once per (Arrow type, CQL type) pair by [`ColumnConverter::new`];
//! converting a batch then only applies it.

mod arrow;
// The text parsers, public for the fuzz target convert_text only.
#[doc(hidden)]
pub mod text;
mod value;

pub use self::arrow::ColumnConverter;
pub(crate) use self::arrow::EncodedColumn;
pub use self::value::{convert_value, InputValue};
