//! The CQL type vocabulary, in one place: the scalar type names this crate
//! accepts ([`NAMES`]), a name to its [`NativeType`] ([`parse_native`]), a
//! whole type's text to its [`ColumnType`] ([`parse`]), and any
//! [`ColumnType`] back to its CQL spelling ([`name`]). Conversion into and
//! out of Arrow ([`crate::convert`], [`crate::read`]) and the CDC schema
//! ([`crate::cdc::CdcSchema`]) are built on these.

use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};

/// Every scalar name with its type, in the order messages list them. The
/// first name of a type is the one printed (`text`, not `varchar`).
const NATIVE_TYPES: [(&str, NativeType); 21] = [
    ("ascii", NativeType::Ascii),
    ("text", NativeType::Text),
    ("varchar", NativeType::Text),
    ("boolean", NativeType::Boolean),
    ("tinyint", NativeType::TinyInt),
    ("smallint", NativeType::SmallInt),
    ("int", NativeType::Int),
    ("bigint", NativeType::BigInt),
    ("varint", NativeType::Varint),
    ("float", NativeType::Float),
    ("double", NativeType::Double),
    ("decimal", NativeType::Decimal),
    ("uuid", NativeType::Uuid),
    ("timeuuid", NativeType::Timeuuid),
    ("inet", NativeType::Inet),
    ("blob", NativeType::Blob),
    ("date", NativeType::Date),
    ("time", NativeType::Time),
    ("timestamp", NativeType::Timestamp),
    ("duration", NativeType::Duration),
    ("counter", NativeType::Counter),
];

/// The scalar CQL type names [`parse_native`] accepts, aliases included.
///
/// ```
/// assert!(pycassandra::cql_type::NAMES.contains(&"varchar"));
/// ```
pub const NAMES: [&str; NATIVE_TYPES.len()] = names_of(&NATIVE_TYPES);

const fn names_of<const N: usize>(table: &[(&'static str, NativeType); N]) -> [&'static str; N] {
    let mut names = [""; N];
    let mut index = 0;
    while index < N {
        names[index] = table[index].0;
        index += 1;
    }
    names
}

/// The scalar CQL type of a name, in any case and with surrounding spaces
/// (`varchar` is `text`); `None` for anything else, collections included.
///
/// ```
/// use pycassandra::cql_type::parse_native;
/// use scylla::cluster::metadata::NativeType;
/// assert_eq!(parse_native(" VarChar "), Some(NativeType::Text));
/// assert_eq!(parse_native("list<int>"), None);
/// ```
pub fn parse_native(name: &str) -> Option<NativeType> {
    let name = name.trim();
    NATIVE_TYPES.iter().find(|(known, _)| known.eq_ignore_ascii_case(name)).map(|(_, native)| native.clone())
}

/// A whole CQL type from its text, as `system_schema` spells it (`list<int>`,
/// `frozen<map<text, frozen<list<int>>>>`, `vector<float, 3>`), names in any
/// case; `None` for anything else. UDT names are not resolved (there is no
/// keyspace to look them up in), so they are `None` too: the one caller,
/// the CDC schema's dropped columns, never sees one, because Cassandra
/// records a dropped column's UDTs as tuples.
///
/// ```
/// use pycassandra::cql_type;
/// let parsed = cql_type::parse("frozen<map<text, list<int>>>").unwrap();
/// assert_eq!(cql_type::name(&parsed), "frozen<map<text, list<int>>>");
/// assert!(cql_type::parse("map<int>").is_none());
/// ```
pub fn parse(text: &str) -> Option<ColumnType<'static>> {
    let (cql_type, rest) = parse_one(text.trim())?;
    rest.trim().is_empty().then_some(cql_type)
}

/// One type from the start of `text`, and what follows it.
fn parse_one(text: &str) -> Option<(ColumnType<'static>, &str)> {
    let text = text.trim_start();
    let end = text.find(['<', ',', '>']).unwrap_or(text.len());
    let type_name = text[..end].trim();
    let rest = &text[end..];
    let Some(inner) = rest.strip_prefix('<') else {
        return Some((ColumnType::Native(parse_native(type_name)?), rest));
    };
    if type_name.eq_ignore_ascii_case("vector") {
        return parse_vector(inner);
    }
    let (args, rest) = parse_args(inner)?;
    let one = |args: &[ColumnType<'static>]| (args.len() == 1).then(|| Box::new(args[0].clone()));
    let cql_type = match type_name.to_ascii_lowercase().as_str() {
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

/// The CQL name of a scalar type (`unknown` for one this crate does not know).
///
/// ```
/// use scylla::cluster::metadata::NativeType;
/// assert_eq!(pycassandra::cql_type::native_name(&NativeType::BigInt), "bigint");
/// assert_eq!(pycassandra::cql_type::native_name(&NativeType::Timeuuid), "timeuuid");
/// ```
pub fn native_name(native: &NativeType) -> &'static str {
    NATIVE_TYPES.iter().find(|(_, known)| known == native).map_or("unknown", |(name, _)| name)
}

/// The CQL spelling of a type, as `DESCRIBE` would print it.
///
/// ```
/// use pycassandra::cql_type;
/// use scylla::cluster::metadata::{CollectionType, ColumnType, NativeType};
/// let map = ColumnType::Collection {
///     frozen: true,
///     typ: CollectionType::Map(Box::new(ColumnType::Native(NativeType::Text)), Box::new(ColumnType::Native(NativeType::Int))),
/// };
/// assert_eq!(cql_type::name(&map), "frozen<map<text, int>>");
/// ```
pub fn name(cql_type: &ColumnType<'_>) -> String {
    spell(cql_type, Spelling { frozen: true, udt_fields: false })
}

/// How [`spell`] writes a type beyond its name: its `frozen` markers, each UDT's fields.
#[derive(Clone, Copy)]
pub(crate) struct Spelling {
    pub frozen: bool,
    pub udt_fields: bool,
}

/// [`name`], with `frozen` and UDT fields shown as `how` says, at every depth.
pub(crate) fn spell(cql_type: &ColumnType<'_>, how: Spelling) -> String {
    let frozen = |frozen: bool, inner: String| if frozen && how.frozen { format!("frozen<{inner}>") } else { inner };
    let inner = |typ: &ColumnType<'_>| spell(typ, how);
    match cql_type {
        ColumnType::Native(native) => native_name(native).to_string(),
        ColumnType::Collection { frozen: is_frozen, typ } => {
            let text = match typ {
                CollectionType::List(element) => format!("list<{}>", inner(element)),
                CollectionType::Set(element) => format!("set<{}>", inner(element)),
                CollectionType::Map(key, value) => format!("map<{}, {}>", inner(key), inner(value)),
                _ => "collection".to_string(),
            };
            frozen(*is_frozen, text)
        }
        ColumnType::Vector { typ, dimensions } => format!("vector<{}, {dimensions}>", inner(typ)),
        ColumnType::UserDefinedType { frozen: is_frozen, definition } => {
            let mut text = definition.name.to_string();
            if how.udt_fields {
                let fields: Vec<String> =
                    definition.field_types.iter().map(|(field, typ)| format!("{field} {}", inner(typ))).collect();
                text = format!("{text} ({})", fields.join(", "));
            }
            frozen(*is_frozen, text)
        }
        ColumnType::Tuple(elements) => {
            let names: Vec<String> = elements.iter().map(inner).collect();
            format!("tuple<{}>", names.join(", "))
        }
        _ => "unknown".to_string(),
    }
}

#[cfg(test)]
#[path = "cql_type_tests.rs"]
mod tests;
