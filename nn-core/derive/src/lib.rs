//! `#[derive(Module)]` for nn-core: a struct's fields, in declaration order,
//! become the module's children (fields that are modules) and parameters
//! (tensors made with `Tensor::parameter`); the struct's name is its class
//! name. You write `impl Module for … { fn forward … }` yourself.
//!
//! Fields that are neither (numbers, strings, plain tensors) are ignored, as
//! plain attributes are in torch; `#[module(skip)]` ignores any other field.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields, Index, parse_macro_input};

/// Derives `nn_core::nn::ModuleInfo`, torch-style `Display`/`Debug`, and the
/// notebook display (`Render`, and the `evcxr_display` method through which a
/// cell's last expression shows the model's summary table).
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(ts) => ts.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn is_skipped(field: &syn::Field) -> syn::Result<bool> {
    let mut skip = false;
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
                Ok(())
            } else {
                Err(meta.error("expected `#[module(skip)]`"))
            }
        })?;
    }
    Ok(skip)
}

fn expand(input: &DeriveInput) -> syn::Result<proc_macro2::TokenStream> {
    let name = &input.ident;
    let class_name = name.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let Data::Struct(data) = &input.data else {
        return Err(syn::Error::new_spanned(
            name,
            "#[derive(Module)] works on structs",
        ));
    };
    let mut registrations = Vec::new();
    match &data.fields {
        Fields::Named(fields) => {
            for f in &fields.named {
                if is_skipped(f)? {
                    continue;
                }
                let ident = f.ident.as_ref().expect("named field");
                let label = ident.to_string();
                registrations.push(quote! {
                    ::nn_core::nn::ModuleField::register(&self.#ident, #label, &mut registry);
                });
            }
        }
        Fields::Unnamed(fields) => {
            for (i, f) in fields.unnamed.iter().enumerate() {
                if is_skipped(f)? {
                    continue;
                }
                let index = Index::from(i);
                let label = i.to_string();
                registrations.push(quote! {
                    ::nn_core::nn::ModuleField::register(&self.#index, #label, &mut registry);
                });
            }
        }
        Fields::Unit => {}
    }
    Ok(quote! {
        impl #impl_generics ::nn_core::nn::ModuleInfo for #name #ty_generics #where_clause {
            fn class_name(&self) -> ::std::string::String {
                ::std::string::String::from(#class_name)
            }
            fn named_children(&self) -> ::std::vec::Vec<(::std::string::String, &dyn ::nn_core::nn::Module)> {
                let mut registry = ::nn_core::nn::Registry::default();
                #(#registrations)*
                registry.children
            }
            fn own_parameters(&self) -> ::std::vec::Vec<(::std::string::String, ::nn_core::Tensor)> {
                let mut registry = ::nn_core::nn::Registry::default();
                #(#registrations)*
                registry.parameters
            }
            fn as_any(&self) -> &dyn ::std::any::Any {
                self
            }
        }
        impl #impl_generics ::std::fmt::Display for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&::nn_core::nn::Module::repr(self))
            }
        }
        impl #impl_generics ::std::fmt::Debug for #name #ty_generics #where_clause {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&::nn_core::nn::Module::repr(self))
            }
        }
        impl #impl_generics ::nn_core::notebook::Render for #name #ty_generics #where_clause {
            fn mime_bundle(&self) -> ::nn_core::notebook::MimeBundle {
                ::nn_core::display::module_bundle(self)
            }
        }
        impl #impl_generics #name #ty_generics #where_clause {
            #[doc(hidden)]
            #[allow(dead_code)]
            pub fn evcxr_display(&self) {
                ::nn_core::notebook::show_result(self);
            }
        }
    })
}
