//! Where inside a value an error is, and how much of the value it shows.

use std::fmt;

/// Where inside a nested value a refusal is: one step of the way down.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ValuePart {
    /// A field of a user-defined type.
    Field(String),
    /// An element of a tuple, 0-based.
    TupleElement(usize),
    /// An item of a list, set or vector, 0-based.
    Element(usize),
    /// The key of a map entry, 0-based.
    MapKey(usize),
    /// The value of a map entry, 0-based.
    MapValue(usize),
}

impl fmt::Display for ValuePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ValuePart::Field(name) => write!(f, "field '{name}'"),
            ValuePart::TupleElement(index) => write!(f, "tuple element {index}"),
            ValuePart::Element(index) => write!(f, "element {index}"),
            ValuePart::MapKey(index) => write!(f, "map key {index}"),
            ValuePart::MapValue(index) => write!(f, "map value {index}"),
        }
    }
}

/// `element 2: field 'f': `, each part of the way down followed by `: `.
pub(super) struct PathPrefix<'a>(pub(super) &'a [ValuePart]);

impl fmt::Display for PathPrefix<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|part| write!(f, "{part}: "))
    }
}

/// Longest excerpt of a bad value kept in an error.
pub(crate) const VALUE_EXCERPT_CHARS: usize = 80;

/// Cuts a value for an error message, saying how long it really was.
pub(crate) fn excerpt(value: &str) -> String {
    let count = value.chars().count();
    if count <= VALUE_EXCERPT_CHARS {
        format!("'{value}'")
    } else {
        let head: String = value.chars().take(VALUE_EXCERPT_CHARS).collect();
        format!("'{head}…' ({count} characters)")
    }
}
