//! A CQL type as `system_schema.dropped_columns.type` spells it, parsed: the
//! decoder must skip a dropped column's cells in old mutations, which needs
//! its type, and the driver parses only live columns' types. Cassandra
//! records a dropped column's UDTs as tuples, so no UDT names are expected;
//! scalar names come from [`crate::cql_type::parse_native`].

use scylla::cluster::metadata::{CollectionType, ColumnType};

use crate::cql_type::parse_native;

/// Parses `text`; `None` if it is not a type this reader knows.
pub fn parse(text: &str) -> Option<ColumnType<'static>> {
    let (cql_type, rest) = parse_one(text.trim())?;
    rest.trim().is_empty().then_some(cql_type)
}

/// One type from the start of `text`, and what follows it.
fn parse_one(text: &str) -> Option<(ColumnType<'static>, &str)> {
    let text = text.trim_start();
    let end = text.find(['<', ',', '>']).unwrap_or(text.len());
    let name = text[..end].trim();
    let rest = &text[end..];
    let Some(inner) = rest.strip_prefix('<') else {
        return Some((ColumnType::Native(parse_native(name)?), rest));
    };
    if name.eq_ignore_ascii_case("vector") {
        return parse_vector(inner);
    }
    let (args, rest) = parse_args(inner)?;
    let one = |args: &[ColumnType<'static>]| (args.len() == 1).then(|| Box::new(args[0].clone()));
    let cql_type = match name.to_ascii_lowercase().as_str() {
        "frozen" => freeze(*one(&args)?),
        "list" => ColumnType::Collection { frozen: false, typ: CollectionType::List(one(&args)?) },
        "set" => ColumnType::Collection { frozen: false, typ: CollectionType::Set(one(&args)?) },
        "map" if args.len() == 2 => ColumnType::Collection {
            frozen: false,
            typ: CollectionType::Map(Box::new(args[0].clone()), Box::new(args[1].clone())),
        },
        "tuple" if !args.is_empty() => ColumnType::Tuple(args),
        _ => return None,
    };
    Some((cql_type, rest))
}

/// Comma-separated types up to the matching `>`.
fn parse_args(mut text: &str) -> Option<(Vec<ColumnType<'static>>, &str)> {
    let mut args = Vec::new();
    loop {
        let (arg, rest) = parse_one(text)?;
        args.push(arg);
        let rest = rest.trim_start();
        if let Some(rest) = rest.strip_prefix(',') {
            text = rest;
        } else {
            return Some((args, rest.strip_prefix('>')?));
        }
    }
}

/// `vector<T, n>`: `inner` is the text after `vector<`.
fn parse_vector(inner: &str) -> Option<(ColumnType<'static>, &str)> {
    let (element, rest) = parse_one(inner)?;
    let rest = rest.trim_start().strip_prefix(',')?;
    let close = rest.find('>')?;
    let dimensions = rest[..close].trim().parse().ok()?;
    Some((ColumnType::Vector { typ: Box::new(element), dimensions }, &rest[close + 1..]))
}

fn freeze(cql_type: ColumnType<'static>) -> ColumnType<'static> {
    match cql_type {
        ColumnType::Collection { typ, .. } => ColumnType::Collection { frozen: true, typ },
        ColumnType::UserDefinedType { definition, .. } => ColumnType::UserDefinedType { frozen: true, definition },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cql_type::name;

    #[test]
    fn parses_what_dropped_columns_hold() {
        // Tuples are always frozen: the driver's types, and so their names, do not say it.
        for (text, expected) in [
            ("text", "text"),
            ("bigint", "bigint"),
            ("list<int>", "list<int>"),
            ("frozen<map<text, frozen<list<int>>>>", "frozen<map<text, frozen<list<int>>>>"),
            ("set<frozen<tuple<int, text>>>", "set<tuple<int, text>>"),
            ("frozen<tuple<text, int>>", "tuple<text, int>"),
            ("vector<float, 3>", "vector<float, 3>"),
        ] {
            let parsed = parse(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(name(&parsed), expected);
        }
        assert_eq!(name(&parse(" VarChar ").unwrap()), "text");
    }

    #[test]
    fn anything_else_is_none() {
        for text in ["", "addr", "list<>", "map<int>", "list<int", "int>", "vector<float>", "frozen<int, int>"] {
            assert!(parse(text).is_none(), "{text}");
        }
    }
}
