//! CQL text is built here and only here, and every identifier goes through
//! [`quote_identifier`], so no table or column name can become CQL syntax.

/// Quotes a CQL identifier: wraps it in double quotes and doubles any inner
/// double quote. Case is preserved, as Cassandra does for quoted names.
///
/// ```
/// use pycassandra::cql::quote_identifier;
/// assert_eq!(quote_identifier("userId"), r#""userId""#);
/// assert_eq!(quote_identifier(r#"a"; DROP TABLE t; --"#), r#""a""; DROP TABLE t; --""#);
/// ```
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `"keyspace"."table"`.
pub fn qualified_table(keyspace: &str, table: &str) -> String {
    format!("{}.{}", quote_identifier(keyspace), quote_identifier(table))
}

/// Optional `USING TTL ? AND TIMESTAMP ?` markers of a write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Using {
    /// Bind a TTL.
    pub ttl: bool,
    /// Bind a write timestamp.
    pub timestamp: bool,
}

impl Using {
    fn clause(self) -> String {
        match (self.ttl, self.timestamp) {
            (false, false) => String::new(),
            (true, false) => " USING TTL ?".into(),
            (false, true) => " USING TIMESTAMP ?".into(),
            (true, true) => " USING TTL ? AND TIMESTAMP ?".into(),
        }
    }
}

/// `INSERT INTO ks.t ("a", "b") VALUES (?, ?) [IF NOT EXISTS] [USING …]`.
/// Bind order: the columns, then TTL, then timestamp.
pub fn insert(keyspace: &str, table: &str, columns: &[&str], using: Using, if_not_exists: bool) -> String {
    let names: Vec<String> = columns.iter().map(|c| quote_identifier(c)).collect();
    let markers = vec!["?"; columns.len()].join(", ");
    format!(
        "INSERT INTO {} ({}) VALUES ({}){}{}",
        qualified_table(keyspace, table),
        names.join(", "),
        markers,
        if if_not_exists { " IF NOT EXISTS" } else { "" },
        using.clause(),
    )
}

/// One selected expression of a read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selector {
    /// The column's value.
    Column(String),
    /// `writetime(column)`: microseconds since the epoch of the value's write.
    Writetime(String),
    /// `ttl(column)`: seconds the value has left to live.
    Ttl(String),
}

impl Selector {
    fn expression(&self) -> String {
        match self {
            Selector::Column(name) => quote_identifier(name),
            Selector::Writetime(name) => format!("writetime({})", quote_identifier(name)),
            Selector::Ttl(name) => format!("ttl({})", quote_identifier(name)),
        }
    }
}

/// Which rows a read selects before any further predicate.
#[derive(Clone, Copy, Debug)]
pub enum Rows<'a> {
    /// `token(pk) > ? AND token(pk) <= ?` over these partition key columns;
    /// binds the range's start, then its end.
    TokenRange(&'a [&'a str]),
    /// A predicate that fixes every partition key column (CQL built by the
    /// caller, e.g. from Spark's pushed filters); binds nothing.
    Partitions(&'a str),
}

/// `SELECT … FROM ks.t WHERE <rows> [AND <predicate> …] [LIMIT n] [ALLOW FILTERING]`.
/// `predicates` are CQL taken as given (the user's `where`, pushed filters).
/// `ALLOW FILTERING` is added when a predicate restricts a scan, where CQL wants it.
pub fn select(
    keyspace: &str,
    table: &str,
    selectors: &[Selector],
    rows: Rows<'_>,
    predicates: &[&str],
    limit: Option<u64>,
    allow_filtering: bool,
) -> String {
    let expressions: Vec<String> = selectors.iter().map(Selector::expression).collect();
    let restriction = match rows {
        Rows::TokenRange(partition_key) => {
            let key: Vec<String> = partition_key.iter().map(|c| quote_identifier(c)).collect();
            let token = format!("token({})", key.join(", "));
            format!("{token} > ? AND {token} <= ?")
        }
        Rows::Partitions(predicate) => predicate.to_string(),
    };
    let mut cql =
        format!("SELECT {} FROM {} WHERE {restriction}", expressions.join(", "), qualified_table(keyspace, table));
    for predicate in predicates {
        cql.push_str(" AND ");
        cql.push_str(predicate);
    }
    if let Some(limit) = limit {
        cql.push_str(&format!(" LIMIT {limit}"));
    }
    if allow_filtering {
        cql.push_str(" ALLOW FILTERING");
    }
    cql
}

/// `SELECT "a", "b" FROM ks.t`: every row, paged by the driver.
pub fn select_all(keyspace: &str, table: &str, columns: &[&str]) -> String {
    let names: Vec<String> = columns.iter().map(|c| quote_identifier(c)).collect();
    format!("SELECT {} FROM {}", names.join(", "), qualified_table(keyspace, table))
}

/// `SELECT DISTINCT "k1", "k2" FROM ks.t LIMIT n`: at most `limit` partition keys.
///
/// ```
/// assert_eq!(pycassandra::cql::distinct_partitions("ks", "t", &["k"], 8), r#"SELECT DISTINCT "k" FROM "ks"."t" LIMIT 8"#);
/// ```
pub fn distinct_partitions(keyspace: &str, table: &str, partition_key: &[&str], limit: usize) -> String {
    let key: Vec<String> = partition_key.iter().map(|c| quote_identifier(c)).collect();
    format!("SELECT DISTINCT {} FROM {} LIMIT {limit}", key.join(", "), qualified_table(keyspace, table))
}

/// One pushed restriction: `"c" = 5`, `"c" IN ('a', 'b')`, `"c" >= '2024-01-01'`.
pub fn restriction(restriction: &crate::read::pushdown::Restriction) -> String {
    use crate::read::pushdown::Operator;
    let literals: Vec<String> = restriction.literals.iter().map(literal).collect();
    let column = quote_identifier(&restriction.column);
    match restriction.operator {
        Operator::In => format!("{column} IN ({})", literals.join(", ")),
        operator => {
            let symbol = match operator {
                Operator::Equal | Operator::In => "=",
                Operator::Less => "<",
                Operator::LessOrEqual => "<=",
                Operator::Greater => ">",
                Operator::GreaterOrEqual => ">=",
            };
            format!("{column} {symbol} {}", literals.join(", "))
        }
    }
}

/// A literal as CQL text; text is quoted with `'` doubled.
fn literal(literal: &crate::read::pushdown::Literal) -> String {
    use crate::read::pushdown::Literal;
    match literal {
        Literal::Integer(value) => value.to_string(),
        Literal::Text(text) => format!("'{}'", text.replace('\'', "''")),
        Literal::Boolean(value) => value.to_string(),
        Literal::Date(date) => format!("'{date}'"),
        Literal::Uuid(uuid) => uuid.clone(),
    }
}

/// `"k1" = ? AND "k2" = ?`: the restriction of a lookup by these key columns,
/// binding them in order.
pub fn key_equalities(key_columns: &[&str]) -> String {
    let conditions: Vec<String> = key_columns.iter().map(|c| format!("{} = ?", quote_identifier(c))).collect();
    conditions.join(" AND ")
}

/// `DELETE FROM ks.t [USING TIMESTAMP ?] WHERE "k1" = ? AND "k2" = ?`.
/// Bind order: timestamp, then the key columns.
pub fn delete(keyspace: &str, table: &str, key_columns: &[&str], with_timestamp: bool) -> String {
    format!(
        "DELETE FROM {}{} WHERE {}",
        qualified_table(keyspace, table),
        if with_timestamp { " USING TIMESTAMP ?" } else { "" },
        key_equalities(key_columns),
    )
}

/// How `UPDATE` sets one column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Assignment {
    /// `"c" = ?`
    Set,
    /// `"c" = "c" + ?` (counter increment, collection append)
    Add,
    /// `"c" = "c" - ?` (collection removal)
    Subtract,
}

/// `UPDATE ks.t [USING …] SET … WHERE "k1" = ? AND …`.
/// Bind order: TTL, timestamp, the SET values, then the key columns.
pub fn update(
    keyspace: &str,
    table: &str,
    columns: &[(&str, Assignment)],
    key_columns: &[&str],
    using: Using,
) -> String {
    let assignments: Vec<String> = columns
        .iter()
        .map(|(name, assignment)| {
            let quoted = quote_identifier(name);
            match assignment {
                Assignment::Set => format!("{quoted} = ?"),
                Assignment::Add => format!("{quoted} = {quoted} + ?"),
                Assignment::Subtract => format!("{quoted} = {quoted} - ?"),
            }
        })
        .collect();
    format!(
        "UPDATE {}{} SET {} WHERE {}",
        qualified_table(keyspace, table),
        using.clause(),
        assignments.join(", "),
        key_equalities(key_columns),
    )
}

/// `TRUNCATE ks.t`.
pub fn truncate(keyspace: &str, table: &str) -> String {
    format!("TRUNCATE {}", qualified_table(keyspace, table))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_quotes_every_name_and_orders_markers() {
        let cql = insert("Ks", "my table", &["id", "Name"], Using { ttl: true, timestamp: true }, false);
        assert_eq!(cql, r#"INSERT INTO "Ks"."my table" ("id", "Name") VALUES (?, ?) USING TTL ? AND TIMESTAMP ?"#);
    }

    #[test]
    fn update_puts_using_first_and_keys_last() {
        let cql = update(
            "ks",
            "t",
            &[("hits", Assignment::Add), ("tags", Assignment::Subtract), ("v", Assignment::Set)],
            &["k"],
            Using { ttl: false, timestamp: true },
        );
        assert_eq!(
            cql,
            r#"UPDATE "ks"."t" USING TIMESTAMP ? SET "hits" = "hits" + ?, "tags" = "tags" - ?, "v" = ? WHERE "k" = ?"#
        );
    }

    #[test]
    fn delete_binds_timestamp_before_keys() {
        assert_eq!(
            delete("ks", "t", &["a", "b"], true),
            r#"DELETE FROM "ks"."t" USING TIMESTAMP ? WHERE "a" = ? AND "b" = ?"#
        );
    }

    #[test]
    fn a_quote_in_a_name_cannot_close_the_identifier() {
        let quoted = quote_identifier(r#"x" , "y"#);
        assert_eq!(quoted, r#""x"" , ""y""#);
        // Inside the outer quotes every quote is doubled, so none ends the identifier.
        let inner = &quoted[1..quoted.len() - 1];
        assert!(inner.replace("\"\"", "").chars().all(|c| c != '"'));
    }
}
