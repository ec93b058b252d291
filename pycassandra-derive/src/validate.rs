//! The rules a row struct must follow, every violation reported at once.

use syn::spanned::Spanned;

use crate::ast::{is_option, Errors, Role, Row};

pub(crate) fn row(row: &Row) -> syn::Result<()> {
    let mut errors = Errors::default();
    let partition: Vec<_> = row.fields.iter().filter(|f| matches!(f.role, Role::PartitionKey(_))).collect();
    if partition.is_empty() {
        errors.push(syn::Error::new(
            row.ident.span(),
            "no #[cassandra(partition_key)] field: a table needs a partition key",
        ));
    }
    for (kind, keys) in [
        ("partition_key", partition),
        ("clustering_key", row.fields.iter().filter(|f| matches!(f.role, Role::ClusteringKey(_))).collect()),
    ] {
        let positions: Vec<Option<usize>> = keys
            .iter()
            .map(|f| match f.role {
                Role::PartitionKey(at) | Role::ClusteringKey(at) => at,
                _ => None,
            })
            .collect();
        let numbered = positions.iter().filter(|p| p.is_some()).count();
        if numbered != 0 && numbered != keys.len() {
            for field in &keys {
                errors.push(syn::Error::new(
                    field.role_span,
                    format!("number every {kind} field (`{kind} = 0`, `= 1`, …) or none"),
                ));
            }
        } else if numbered == keys.len() {
            let mut sorted: Vec<usize> = positions.iter().flatten().copied().collect();
            sorted.sort_unstable();
            if sorted != (0..keys.len()).collect::<Vec<_>>() {
                for field in &keys {
                    errors.push(syn::Error::new(
                        field.role_span,
                        format!(
                            "{kind} positions must be 0 to {} with none repeated or missing",
                            keys.len().saturating_sub(1)
                        ),
                    ));
                }
            }
        }
        for field in &keys {
            if is_option(&field.ty) {
                errors.push(syn::Error::new(
                    field.ty.span(),
                    format!("a {kind} column can never be null: use the inner type, not Option"),
                ));
            }
        }
    }
    let mut seen = std::collections::HashMap::new();
    for field in row.fields.iter().filter(|f| !matches!(f.role, Role::Skip | Role::Ttl | Role::Writetime)) {
        if let Some(first) = seen.insert(field.column.clone(), field.ident.clone()) {
            errors.push(syn::Error::new(
                field.ident.span(),
                format!("column \"{}\" is also mapped by field `{first}`", field.column),
            ));
        }
    }
    for role in [Role::Ttl, Role::Writetime] {
        let marked: Vec<_> = row.fields.iter().filter(|f| f.role == role).collect();
        for field in marked.iter().skip(1) {
            errors.push(syn::Error::new(field.role_span, "only one field may carry the row's ttl (or writetime)"));
        }
    }
    let counters = row.fields.iter().any(|f| f.role == Role::Counter);
    for field in row.fields.iter().filter(|f| f.role == Role::Counter) {
        let is_i64 = matches!(&field.ty, syn::Type::Path(path) if path.path.is_ident("i64"));
        if !is_i64 {
            errors.push(syn::Error::new(field.ty.span(), "a counter field is an i64 (the amount to add)"));
        }
    }
    if counters && row.fields.iter().any(|f| matches!(f.role, Role::Ttl | Role::Writetime)) {
        errors.push(syn::Error::new(
            row.ident.span(),
            "counter tables take no ttl or writetime: Cassandra refuses both on counter updates",
        ));
    }
    if counters {
        for field in row.fields.iter().filter(|f| f.role == Role::Regular) {
            errors.push(syn::Error::new(
                field.ident.span(),
                "a counter table holds only key and counter columns: mark this field counter or skip",
            ));
        }
    }
    errors.finish()
}
