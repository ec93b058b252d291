//! The derive input, parsed: the struct's target table and each field's role.

use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, Ident, LitInt, LitStr, Type};

use crate::symbol::{
    CASSANDRA, CLUSTERING_KEY, COUNTER, CRATE, KEYSPACE, NAME, PARTITION_KEY, RENAME, SKIP, TABLE, TTL, WRITETIME,
};

/// What a field is to the table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    PartitionKey(Option<usize>),
    ClusteringKey(Option<usize>),
    Regular,
    Counter,
    Ttl,
    Writetime,
    Skip,
}

pub(crate) struct Field {
    pub(crate) ident: Ident,
    pub(crate) ty: Type,
    pub(crate) column: String,
    pub(crate) role: Role,
    /// Where the role was set, for errors.
    pub(crate) role_span: proc_macro2::Span,
}

pub(crate) struct Row {
    pub(crate) ident: Ident,
    /// The path of the pycassandra crate (`#[cassandra(crate = path)]`).
    pub(crate) krate: syn::Path,
    pub(crate) keyspace: Option<String>,
    pub(crate) table: String,
    pub(crate) fields: Vec<Field>,
}

pub(crate) struct Udt {
    pub(crate) ident: Ident,
    pub(crate) krate: syn::Path,
    pub(crate) name: String,
    pub(crate) fields: Vec<(Ident, Type, String)>,
}

/// Combines errors so the user sees all of them in one build.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(error),
            None => self.0 = Some(error),
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}

/// Whether a field's type is `Option<…>` (by its last path segment, as
/// `std::option::Option` and a bare `Option` are both spelled).
pub(crate) fn is_option(ty: &Type) -> bool {
    matches!(ty, Type::Path(path) if path.path.segments.last().is_some_and(|s| s.ident == "Option"))
}

fn named_fields(input: &DeriveInput) -> syn::Result<&syn::punctuated::Punctuated<syn::Field, syn::token::Comma>> {
    match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(named) => Ok(&named.named),
            _ => Err(syn::Error::new(input.ident.span(), "#[derive(CassandraRow)] needs a struct with named fields")),
        },
        _ => Err(syn::Error::new(input.ident.span(), "#[derive(CassandraRow)] works on structs only")),
    }
}

/// `#[cassandra(crate = path)]` of the struct, else `::pycassandra`. Lenient
/// (other words and errors are the parsers' to report), so the fallback can
/// name the crate too.
pub(crate) fn crate_path(input: &DeriveInput) -> syn::Path {
    let mut krate = None;
    for attr in input.attrs.iter().filter(|a| a.path() == CASSANDRA) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path == CRATE {
                krate = Some(meta.value()?.parse::<syn::Path>()?);
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    krate.unwrap_or_else(|| syn::parse_quote!(::pycassandra))
}

fn position(value: Option<LitInt>) -> syn::Result<Option<usize>> {
    value.map(|lit| lit.base10_parse::<usize>()).transpose()
}

impl Row {
    pub(crate) fn from_input(input: &DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let (mut keyspace, mut table) = (None, None);
        for attr in input.attrs.iter().filter(|a| a.path() == CASSANDRA) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path == KEYSPACE {
                    keyspace = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path == TABLE {
                    table = Some(meta.value()?.parse::<LitStr>()?.value());
                } else if meta.path == CRATE {
                    meta.value()?.parse::<syn::Path>()?;
                } else {
                    return Err(meta.error(
                        "unknown attribute: the struct takes #[cassandra(keyspace = \"...\", table = \"...\", crate = path)]",
                    ));
                }
                Ok(())
            });
            if let Err(error) = parsed {
                errors.push(error);
            }
        }
        let mut fields = Vec::new();
        for field in named_fields(input)? {
            match parse_field(field) {
                Ok(parsed) => fields.push(parsed),
                Err(error) => errors.push(error),
            }
        }
        if table.is_none() {
            errors.push(syn::Error::new(input.ident.span(), "missing #[cassandra(table = \"...\")] on the struct"));
        }
        errors.finish()?;
        Ok(Row {
            ident: input.ident.clone(),
            krate: crate_path(input),
            keyspace,
            table: table.unwrap_or_default(),
            fields,
        })
    }
}

fn parse_field(field: &syn::Field) -> syn::Result<Field> {
    let ident = field.ident.clone().ok_or_else(|| syn::Error::new(field.span(), "fields must be named"))?;
    let mut column = ident.to_string().trim_start_matches("r#").to_string();
    let mut role = Role::Regular;
    let mut role_span = ident.span();
    let mut roles_seen = 0;
    for attr in field.attrs.iter().filter(|a| a.path() == CASSANDRA) {
        attr.parse_nested_meta(|meta| {
            let mut set = |r: Role| {
                roles_seen += 1;
                role = r;
                role_span = meta.path.span();
            };
            if meta.path == PARTITION_KEY {
                let at = if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse::<LitInt>()?) } else { None };
                set(Role::PartitionKey(position(at)?));
            } else if meta.path == CLUSTERING_KEY {
                let at = if meta.input.peek(syn::Token![=]) { Some(meta.value()?.parse::<LitInt>()?) } else { None };
                set(Role::ClusteringKey(position(at)?));
            } else if meta.path == COUNTER {
                set(Role::Counter);
            } else if meta.path == TTL {
                set(Role::Ttl);
            } else if meta.path == WRITETIME {
                set(Role::Writetime);
            } else if meta.path == SKIP {
                set(Role::Skip);
            } else if meta.path == RENAME {
                column = meta.value()?.parse::<LitStr>()?.value();
            } else {
                return Err(meta.error(
                    "unknown attribute: fields take partition_key, clustering_key, counter, ttl, writetime, skip or rename = \"...\"",
                ));
            }
            Ok(())
        })?;
    }
    if roles_seen > 1 {
        return Err(syn::Error::new(
            role_span,
            "a field takes one of partition_key, clustering_key, counter, ttl, writetime, skip",
        ));
    }
    Ok(Field { ident, ty: field.ty.clone(), column, role, role_span })
}

impl Udt {
    pub(crate) fn from_input(input: &DeriveInput) -> syn::Result<Self> {
        let mut errors = Errors::default();
        let mut name = None;
        for attr in input.attrs.iter().filter(|a| a.path() == CASSANDRA) {
            let parsed = attr.parse_nested_meta(|meta| {
                if meta.path == NAME {
                    name = Some(meta.value()?.parse::<LitStr>()?.value());
                    Ok(())
                } else if meta.path == CRATE {
                    meta.value()?.parse::<syn::Path>().map(drop)
                } else {
                    Err(meta.error(
                        "unknown attribute: a user-defined type takes #[cassandra(name = \"...\", crate = path)]",
                    ))
                }
            });
            if let Err(error) = parsed {
                errors.push(error);
            }
        }
        let mut fields = Vec::new();
        for field in named_fields(input)? {
            let ident = field.ident.clone().ok_or_else(|| syn::Error::new(field.span(), "fields must be named"))?;
            let mut column = ident.to_string();
            for attr in field.attrs.iter().filter(|a| a.path() == CASSANDRA) {
                let parsed = attr.parse_nested_meta(|meta| {
                    if meta.path == RENAME {
                        column = meta.value()?.parse::<LitStr>()?.value();
                        Ok(())
                    } else {
                        Err(meta.error("unknown attribute: user-defined type fields take rename = \"...\""))
                    }
                });
                if let Err(error) = parsed {
                    errors.push(error);
                }
            }
            fields.push((ident, field.ty.clone(), column));
        }
        errors.finish()?;
        let name = name.unwrap_or_else(|| to_snake_case(&input.ident.to_string()));
        Ok(Udt { ident: input.ident.clone(), krate: crate_path(input), name, fields })
    }
}

fn to_snake_case(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}
