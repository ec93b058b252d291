//! The generated code: names and keys (no CQL: `pycassandra::row` builds
//! the statements with `pycassandra::cql`), the CQL type checks, serialization straight
//! from the fields, and reading back. Wrapped in `const _: () = { … };` so
//! nothing leaks into the user's scope; every path goes through
//! `::pycassandra::_macro_internal` (or `#[cassandra(crate = path)]`).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;

use crate::ast::{is_option, Field, Role, Row, Udt};

fn ordered(fields: &[Field], is_kind: impl Fn(&Role) -> Option<Option<usize>>) -> Vec<&Field> {
    let mut keys: Vec<(usize, &Field)> =
        fields.iter().enumerate().filter_map(|(i, f)| is_kind(&f.role).map(|at| (at.unwrap_or(i), f))).collect();
    keys.sort_by_key(|(at, _)| *at);
    keys.into_iter().map(|(_, f)| f).collect()
}

pub(crate) fn row(row: &Row) -> TokenStream {
    let (ident, krate) = (&row.ident, &row.krate);
    let partition = ordered(&row.fields, |r| if let Role::PartitionKey(at) = r { Some(*at) } else { None });
    let clustering = ordered(&row.fields, |r| if let Role::ClusteringKey(at) = r { Some(*at) } else { None });
    let regular: Vec<&Field> = row.fields.iter().filter(|f| matches!(f.role, Role::Regular | Role::Counter)).collect();
    let counters: Vec<&Field> = row.fields.iter().filter(|f| f.role == Role::Counter).collect();
    let ttl = row.fields.iter().find(|f| f.role == Role::Ttl);
    let writetime = row.fields.iter().find(|f| f.role == Role::Writetime);
    let columns: Vec<&Field> = partition.iter().chain(&clustering).chain(&regular).copied().collect();
    let keys: Vec<&Field> = partition.iter().chain(&clustering).copied().collect();

    // Bind order of the write statement `pycassandra::row::write_cql` builds.
    let bound: Vec<&Field> = if counters.is_empty() {
        columns.iter().copied().chain(ttl).chain(writetime).collect()
    } else {
        counters.iter().chain(&keys).copied().collect()
    };

    let keyspace = match &row.keyspace {
        Some(keyspace) => quote!(::core::option::Option::Some(#keyspace)),
        None => quote!(::core::option::Option::None),
    };
    let table_name = &row.table;
    let column_names: Vec<&String> = columns.iter().map(|f| &f.column).collect();
    let partition_names: Vec<&String> = partition.iter().map(|f| &f.column).collect();
    let clustering_names: Vec<&String> = clustering.iter().map(|f| &f.column).collect();
    let counter_names: Vec<&String> = counters.iter().map(|f| &f.column).collect();
    let (has_ttl, has_writetime) = (ttl.is_some(), writetime.is_some());

    let checks = columns.iter().map(|f| {
        let (name, ty) = (&f.column, &f.ty);
        quote_spanned! {ty.span()=>
            __pyc::ColumnCheck { name: #name, expected: <#ty as __pyc::CqlType>::describe(), fits: <#ty as __pyc::CqlType>::fits }
        }
    });
    let writes = bound.iter().enumerate().map(|(index, f)| {
        let field = &f.ident;
        if f.role == Role::Counter {
            quote!(__pyc::write_cell(&__pyc::Counter(self.#field), __columns, #index, __writer)?;)
        } else if matches!(f.role, Role::Ttl | Role::Writetime) && is_option(&f.ty) {
            quote!(__pyc::write_unset_if_none(&self.#field, __columns, #index, __writer)?;)
        } else if f.role == Role::Regular || matches!(f.role, Role::PartitionKey(_) | Role::ClusteringKey(_)) {
            // Through CqlType, spanned at the type: an unsupported type then
            // gives the same error here as in column_checks, which rustc
            // reports once.
            let ty = &f.ty;
            quote_spanned!(ty.span()=> <#ty as __pyc::CqlType>::__write_cell(&self.#field, __columns, #index, __writer)?;)
        } else {
            quote!(__pyc::write_cell(&self.#field, __columns, #index, __writer)?;)
        }
    });
    let type_checks = columns.iter().enumerate().map(|(index, f)| {
        let ty = &f.ty;
        if f.role == Role::Counter {
            quote!(<__pyc::Counter as __pyc::DeserializeValue<'frame, 'metadata>>::type_check(__specs[#index].typ())?;)
        } else {
            quote_spanned!(ty.span()=> <#ty as __pyc::CqlType>::__type_check(__specs[#index].typ())?;)
        }
    });
    let reads = columns.iter().map(|f| {
        let (field, ty) = (&f.ident, &f.ty);
        if f.role == Role::Counter {
            quote!(let #field: #ty = __pyc::next_value::<__pyc::Counter>(&mut __row)?.0;)
        } else {
            quote_spanned!(ty.span()=> let #field: #ty = <#ty as __pyc::CqlType>::__next_value(&mut __row)?;)
        }
    });
    let read_fields = columns.iter().map(|f| &f.ident);
    let defaults =
        row.fields.iter().filter(|f| matches!(f.role, Role::Skip | Role::Ttl | Role::Writetime)).map(|f| &f.ident);

    quote! {
        const _: () = {
            use #krate::_macro_internal as __pyc;

            impl __pyc::CassandraRow for #ident {
                const KEYSPACE: ::core::option::Option<&'static str> = #keyspace;
                const TABLE: &'static str = #table_name;
                const COLUMNS: &'static [&'static str] = &[#(#column_names),*];
                const PARTITION_KEY: &'static [&'static str] = &[#(#partition_names),*];
                const CLUSTERING_KEY: &'static [&'static str] = &[#(#clustering_names),*];
                const COUNTERS: &'static [&'static str] = &[#(#counter_names),*];
                const HAS_TTL: bool = #has_ttl;
                const HAS_WRITETIME: bool = #has_writetime;
                fn column_checks() -> ::std::vec::Vec<__pyc::ColumnCheck> {
                    ::std::vec![#(#checks),*]
                }
            }

            impl __pyc::SerializeRow for #ident {
                fn serialize(&self, __ctx: &__pyc::RowSerializationContext<'_>, __writer: &mut __pyc::RowWriter<'_>) -> ::core::result::Result<(), __pyc::SerializationError> {
                    let __columns = __ctx.columns();
                    #(#writes)*
                    ::core::result::Result::Ok(())
                }
                fn is_empty(&self) -> bool {
                    false
                }
            }

            impl<'frame, 'metadata> __pyc::DeserializeRow<'frame, 'metadata> for #ident {
                fn type_check(__specs: &[__pyc::ColumnSpec<'_>]) -> ::core::result::Result<(), __pyc::TypeCheckError> {
                    __pyc::check_columns(__specs, <Self as __pyc::CassandraRow>::COLUMNS)?;
                    #(#type_checks)*
                    ::core::result::Result::Ok(())
                }
                fn deserialize(mut __row: __pyc::ColumnIterator<'frame, 'metadata>) -> ::core::result::Result<Self, __pyc::DeserializationError> {
                    #(#reads)*
                    ::core::result::Result::Ok(Self { #(#read_fields,)* #(#defaults: ::core::default::Default::default(),)* })
                }
            }
        };
    }
}

pub(crate) fn udt(udt: &Udt) -> TokenStream {
    let (ident, krate) = (&udt.ident, &udt.krate);
    let name = &udt.name;
    let field_names: Vec<&String> = udt.fields.iter().map(|(_, _, column)| column).collect();
    let field_types: Vec<&syn::Type> = udt.fields.iter().map(|(_, ty, _)| ty).collect();
    let count = udt.fields.len();
    let indexes = 0..count;
    quote! {
        const _: () = {
            use #krate::_macro_internal as __pyc;
            impl __pyc::CqlType for #ident {
                fn describe() -> ::std::string::String {
                    ::std::format!("frozen<{}>", #name)
                }
                fn fits(cql: &__pyc::ColumnType<'_>) -> bool {
                    let __pyc::ColumnType::UserDefinedType { definition, .. } = cql else { return false };
                    definition.name == #name
                        && definition.field_types.len() == #count
                        #(&& definition.field_types[#indexes].0 == #field_names && <#field_types as __pyc::CqlType>::fits(&definition.field_types[#indexes].1))*
                }
            }
        };
    }
}
