//! Spark's filters pushed to Cassandra, only where CQL evaluates them exactly
//! as Spark would: Spark does not re-check a filter the source claims.
//!
//! A filter is claimed when its column's CQL type compares like Spark's type
//! (integers, text, ascii, boolean, date; uuid and timeuuid for equality
//! only), its values are plain literals of that type, and CQL's restriction
//! rules allow it:
//! - equality or IN on every partition key column: direct partition lookups;
//! - on clustering columns, in key order: equalities, then at most the ranges
//!   of the next column.
//!
//! Everything else is left to Spark. The CQL is rendered by [`crate::cql`].

use scylla::cluster::metadata::{ColumnType, NativeType};

use crate::error::ReadError;
use crate::schema::{match_name, TableSchema};

/// Most values of an `IN` that become partition lookups.
pub const MAX_LOOKUP_VALUES: usize = 100;

/// A comparison of a column with values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operator {
    /// `=`
    Equal,
    /// `IN (…)`
    In,
    /// `<`
    Less,
    /// `<=`
    LessOrEqual,
    /// `>`
    Greater,
    /// `>=`
    GreaterOrEqual,
}

#[doc(hidden)]
impl Operator {
    /// `=`, `in`, `<`, `<=`, `>`, `>=`.
    pub fn parse(symbol: &str) -> Option<Self> {
        Some(match symbol.to_ascii_lowercase().as_str() {
            "=" => Self::Equal,
            "in" => Self::In,
            "<" => Self::Less,
            "<=" => Self::LessOrEqual,
            ">" => Self::Greater,
            ">=" => Self::GreaterOrEqual,
            _ => return None,
        })
    }

    fn is_range(self) -> bool {
        matches!(self, Self::Less | Self::LessOrEqual | Self::Greater | Self::GreaterOrEqual)
    }
}

/// A filter's value as the caller's language holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterValue {
    /// An integer (never a boolean).
    Integer(i64),
    /// A string.
    Text(String),
    /// A boolean.
    Boolean(bool),
    /// A calendar date, `YYYY-MM-DD`.
    Date(String),
    /// Anything else (a float, a timestamp, …): never pushed.
    Other,
}

/// One filter: `column operator values` (one value except for `In`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filter {
    /// The column, as Spark names it.
    pub column: String,
    /// The comparison.
    pub operator: Operator,
    /// Its values.
    pub values: Vec<FilterValue>,
}

/// A CQL literal, checked against its column's type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// An integer.
    Integer(i64),
    /// Text, unquoted.
    Text(String),
    /// `true` or `false`.
    Boolean(bool),
    /// `YYYY-MM-DD`.
    Date(String),
    /// A uuid in canonical form.
    Uuid(String),
}

/// One restriction of a scan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restriction {
    /// The column, as the table spells it.
    pub column: String,
    /// The comparison.
    pub operator: Operator,
    /// Its literals.
    pub literals: Vec<Literal>,
}

/// What a scan's statement restricts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Pushed {
    /// One restriction per partition key column, or none.
    pub partition_key: Vec<Restriction>,
    /// Clustering restrictions, in key order.
    pub clustering: Vec<Restriction>,
}

#[doc(hidden)]
impl Pushed {
    /// Whether the scan reads whole partitions by key instead of token ranges.
    pub fn looks_up_partitions(&self) -> bool {
        !self.partition_key.is_empty()
    }
}

/// Which of `filters` CQL evaluates exactly (one flag each), and the restrictions they make.
pub fn push(table: &TableSchema, filters: &[Filter]) -> (Vec<bool>, Pushed) {
    let mut claimed = vec![false; filters.len()];
    let mut pushed = Pushed::default();
    let on = |column: &str| -> Vec<usize> {
        (0..filters.len())
            .filter(|&i| {
                match_name(table.columns.iter().map(|c| c.name.as_str()), &filters[i].column).as_deref() == Some(column)
            })
            .collect()
    };

    let mut partition = Vec::new();
    for column in &table.partition_key {
        let found = on(column).into_iter().find_map(|i| equality(table, column, &filters[i], true).map(|r| (i, r)));
        let Some(found) = found else {
            partition.clear();
            break;
        };
        partition.push(found);
    }
    let lookups = !partition.is_empty();
    for (i, restriction) in partition {
        claimed[i] = true;
        pushed.partition_key.push(restriction);
    }

    for column in &table.clustering_key {
        let candidates = on(column);
        if let Some((i, restriction)) =
            candidates.iter().find_map(|&i| equality(table, column, &filters[i], lookups).map(|r| (i, r)))
        {
            claimed[i] = true;
            pushed.clustering.push(restriction);
            continue;
        }
        if ordered(column_type(table, column)) {
            for i in candidates {
                let filter = &filters[i];
                if let (true, [value]) = (filter.operator.is_range(), filter.values.as_slice()) {
                    if let Some(literal) = literal(column_type(table, column), value) {
                        claimed[i] = true;
                        pushed.clustering.push(Restriction {
                            column: column.clone(),
                            operator: filter.operator,
                            literals: vec![literal],
                        });
                    }
                }
            }
        }
        break;
    }
    (claimed, pushed)
}

/// The restrictions of `filters`, every one of which must be exact (as
/// [`push`] claimed them on the driver); else the error names the filter.
pub fn restrictions(table: &TableSchema, filters: &[Filter]) -> Result<Pushed, ReadError> {
    let (claimed, pushed) = push(table, filters);
    match claimed.iter().position(|claimed| !claimed) {
        None => Ok(pushed),
        Some(i) => Err(ReadError::FilterNotExact {
            column: filters[i].column.clone(),
            table: table.qualified_name(),
            filter: format!("{:?} {:?}", filters[i].operator, filters[i].values),
        }),
    }
}

fn column_type<'t>(table: &'t TableSchema, column: &str) -> Option<&'t ColumnType<'static>> {
    table.column(column).map(|c| &c.cql_type)
}

fn ordered(cql_type: Option<&ColumnType<'_>>) -> bool {
    matches!(
        cql_type,
        Some(ColumnType::Native(
            NativeType::TinyInt
                | NativeType::SmallInt
                | NativeType::Int
                | NativeType::BigInt
                | NativeType::Varint
                | NativeType::Text
                | NativeType::Ascii
                | NativeType::Boolean
                | NativeType::Date
        ))
    )
}

fn equality_only(cql_type: Option<&ColumnType<'_>>) -> bool {
    matches!(cql_type, Some(ColumnType::Native(NativeType::Uuid | NativeType::Timeuuid)))
}

fn equality(table: &TableSchema, column: &str, filter: &Filter, allow_in: bool) -> Option<Restriction> {
    let cql_type = column_type(table, column);
    if !(ordered(cql_type) || equality_only(cql_type)) {
        return None;
    }
    let wanted = match (filter.operator, filter.values.len()) {
        (Operator::Equal, 1) => true,
        (Operator::In, n) => allow_in && (1..=MAX_LOOKUP_VALUES).contains(&n),
        _ => false,
    };
    if !wanted {
        return None;
    }
    let literals = filter.values.iter().map(|v| literal(cql_type, v)).collect::<Option<Vec<_>>>()?;
    Some(Restriction { column: column.to_string(), operator: filter.operator, literals })
}

/// The literal of `value` for a column of `cql_type`, when CQL compares it exactly as Spark does.
fn literal(cql_type: Option<&ColumnType<'_>>, value: &FilterValue) -> Option<Literal> {
    let Some(ColumnType::Native(native)) = cql_type else { return None };
    match (native, value) {
        (NativeType::TinyInt, FilterValue::Integer(v)) => i8::try_from(*v).ok().map(|_| Literal::Integer(*v)),
        (NativeType::SmallInt, FilterValue::Integer(v)) => i16::try_from(*v).ok().map(|_| Literal::Integer(*v)),
        (NativeType::Int, FilterValue::Integer(v)) => i32::try_from(*v).ok().map(|_| Literal::Integer(*v)),
        (NativeType::BigInt | NativeType::Varint, FilterValue::Integer(v)) => Some(Literal::Integer(*v)),
        (NativeType::Text, FilterValue::Text(v)) => Some(Literal::Text(v.clone())),
        (NativeType::Ascii, FilterValue::Text(v)) if v.is_ascii() => Some(Literal::Text(v.clone())),
        (NativeType::Boolean, FilterValue::Boolean(v)) => Some(Literal::Boolean(*v)),
        (NativeType::Date, FilterValue::Date(v)) => {
            crate::convert::text::date(v).ok().map(|_| Literal::Date(v.clone()))
        }
        (NativeType::Uuid | NativeType::Timeuuid, FilterValue::Text(v)) => {
            // Only the canonical spelling: Spark compares the strings, CQL the uuids.
            uuid::Uuid::parse_str(v).ok().filter(|u| u.hyphenated().to_string() == *v).map(|_| Literal::Uuid(v.clone()))
        }
        _ => None,
    }
}

#[cfg(test)]
#[path = "pushdown_tests.rs"]
mod tests;
