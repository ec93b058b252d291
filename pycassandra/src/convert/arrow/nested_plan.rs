//! Which nested plan fits an (Arrow, CQL) pair: lists and sets from Arrow
//! lists, maps from Arrow maps or lists of two-field structs, user-defined
//! types from structs by field name, tuples from structs by position.

use std::sync::Arc;

use arrow_schema::DataType;
use scylla::cluster::metadata::{CollectionType, ColumnType, UserDefinedType};

use super::nested::{Nested, Shape};

pub(super) fn plan(input: &DataType, cql_type: &ColumnType<'_>) -> Option<Nested> {
    match cql_type {
        ColumnType::Collection { typ, .. } => match typ {
            CollectionType::List(element) => sequence(input, element, Shape::List),
            CollectionType::Set(element) => sequence(input, element, Shape::Set),
            CollectionType::Map(key, value) => {
                let (key_type, value_type) = map_field_types(input)?;
                let (key, value) = (super::plan(&key_type, key)?, super::plan(&value_type, value)?);
                Some(Nested::Map { key: Box::new(key), value: Box::new(value) })
            }
            _ => None,
        },
        ColumnType::Vector { typ, dimensions } => {
            let fixed_size = typ.type_size_for_vector().is_some();
            sequence(input, typ, Shape::Vector { dimensions: *dimensions, fixed_size })
        }
        ColumnType::UserDefinedType { definition, .. } => udt(input, definition),
        ColumnType::Tuple(elements) => {
            let DataType::Struct(fields) = input else { return None };
            if fields.len() != elements.len() {
                return None;
            }
            let nodes = fields.iter().zip(elements).map(|(f, e)| super::plan(f.data_type(), e));
            Some(Nested::Tuple(nodes.collect::<Option<Vec<_>>>()?))
        }
        _ => None,
    }
}

fn sequence(input: &DataType, element: &ColumnType<'_>, shape: Shape) -> Option<Nested> {
    let item = match input {
        DataType::List(field) | DataType::LargeList(field) | DataType::FixedSizeList(field, _) => field.data_type(),
        _ => return None,
    };
    Some(Nested::Sequence { element: Box::new(super::plan(item, element)?), shape })
}

/// Key and value types of an Arrow map, or of a list of two-field structs.
fn map_field_types(input: &DataType) -> Option<(DataType, DataType)> {
    let entries = match input {
        DataType::Map(field, _) => field.data_type(),
        DataType::List(field) | DataType::LargeList(field) => field.data_type(),
        _ => return None,
    };
    let DataType::Struct(fields) = entries else { return None };
    if fields.len() != 2 {
        return None;
    }
    Some((fields[0].data_type().clone(), fields[1].data_type().clone()))
}

fn udt(input: &DataType, definition: &Arc<UserDefinedType<'_>>) -> Option<Nested> {
    let DataType::Struct(input_fields) = input else { return None };
    // Every input field must exist in the type.
    for field in input_fields {
        if !definition.field_types.iter().any(|(name, _)| name.eq_ignore_ascii_case(field.name())) {
            return None;
        }
    }
    let mut fields = Vec::with_capacity(definition.field_types.len());
    for (name, field_type) in &definition.field_types {
        let source = match input_fields
            .iter()
            .position(|f| f.name() == name.as_ref())
            .or_else(|| input_fields.iter().position(|f| f.name().eq_ignore_ascii_case(name)))
        {
            Some(index) => Some((index, super::plan(input_fields[index].data_type(), field_type)?)),
            None => None,
        };
        fields.push((name.to_string(), source));
    }
    Some(Nested::Udt { fields })
}
