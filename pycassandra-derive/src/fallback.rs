//! What a derive emits when the input is wrong: the errors, plus a stub impl
//! of the traits, so that code using the struct (a `CassandraWriter<Row>`, a
//! row with this user-defined type as a field) does not add a second error
//! per use to the one that matters. The idea is thiserror's `fallback.rs`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub(crate) fn row(input: &DeriveInput, error: &syn::Error) -> TokenStream {
    let (ident, krate) = (&input.ident, crate::ast::crate_path(input));
    let error = error.to_compile_error();
    quote! {
        #error
        const _: () = {
            use #krate::_macro_internal as __pyc;

            impl __pyc::CassandraRow for #ident {
                const KEYSPACE: ::core::option::Option<&'static str> = ::core::option::Option::None;
                const TABLE: &'static str = "";
                const COLUMNS: &'static [&'static str] = &[];
                const PARTITION_KEY: &'static [&'static str] = &[];
                const CLUSTERING_KEY: &'static [&'static str] = &[];
                const COUNTERS: &'static [&'static str] = &[];
                const HAS_TTL: bool = false;
                const HAS_WRITETIME: bool = false;
                fn column_checks() -> ::std::vec::Vec<__pyc::ColumnCheck> {
                    ::core::unimplemented!()
                }
            }

            impl __pyc::SerializeRow for #ident {
                fn serialize(&self, _: &__pyc::RowSerializationContext<'_>, _: &mut __pyc::RowWriter<'_>) -> ::core::result::Result<(), __pyc::SerializationError> {
                    ::core::unimplemented!()
                }
                fn is_empty(&self) -> bool {
                    ::core::unimplemented!()
                }
            }

            impl<'frame, 'metadata> __pyc::DeserializeRow<'frame, 'metadata> for #ident {
                fn type_check(_: &[__pyc::ColumnSpec<'_>]) -> ::core::result::Result<(), __pyc::TypeCheckError> {
                    ::core::unimplemented!()
                }
                fn deserialize(_: __pyc::ColumnIterator<'frame, 'metadata>) -> ::core::result::Result<Self, __pyc::DeserializationError> {
                    ::core::unimplemented!()
                }
            }
        };
    }
}

pub(crate) fn udt(input: &DeriveInput, error: &syn::Error) -> TokenStream {
    let (ident, krate) = (&input.ident, crate::ast::crate_path(input));
    let error = error.to_compile_error();
    quote! {
        #error
        const _: () = {
            use #krate::_macro_internal as __pyc;
            impl __pyc::CqlType for #ident {
                fn describe() -> ::std::string::String {
                    ::core::unimplemented!()
                }
                fn fits(_: &__pyc::ColumnType<'_>) -> bool {
                    ::core::unimplemented!()
                }
            }
        };
    }
}
