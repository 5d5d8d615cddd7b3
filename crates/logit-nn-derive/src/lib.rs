//! # logit-nn-derive
//!
//! `#[derive(Module)]` for logit-nn. It writes the two things a PyTorch class gets from
//! `nn.Module.__setattr__` and `__repr__`: the registration of each field under its attribute
//! name (`logit_nn::Visit`) and the PyTorch-style `Display`. The user writes `forward` only.
//!
//! Use it through `logit_nn::Module` (or `logit::nn::Module`); see that crate for examples.
//!
//! | field | registered as |
//! | --- | --- |
//! | `Tensor` | a parameter (`#[module(buffer)]`: a buffer) |
//! | `Option<Tensor>` | the same when `Some`, nothing when `None` |
//! | any other type | a child module (it must implement `Module`): `Linear`, `Sequential`, `Vec<M>` (a `ModuleList`), `Box<dyn Module>` |
//! | `Option<M>` | a child module when `Some` |
//! | `#[module(skip)]` | nothing (sizes, flags, anything that is not a layer) |
//!
//! `#[module(name = "...")]` registers a field under another name; `#[module(flatten)]`
//! registers a wrapped module's entries as the wrapper's own (no `field.` prefix). As in PyTorch's
//! `state_dict()`, a module's own parameters come first, then its buffers, then its children,
//! each group in field order.

use proc_macro2::{Span, TokenStream};
use proc_macro_crate::{crate_name, FoundCrate};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{parse_macro_input, Data, DeriveInput, Fields, GenericArgument, PathArguments, Type};

/// Derives `logit_nn::Visit` (fields registered under their names) and `Display` (PyTorch's
/// repr) for a struct with named fields. See the crate documentation for the field rules.
#[proc_macro_derive(Module, attributes(module))]
pub fn derive_module(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// What a field becomes.
enum Role {
    Skip,
    Param,
    Buffer,
    Module,
    Flatten,
}

struct Field {
    access: TokenStream,
    name: String,
    role: Role,
    optional: bool,
    boxed: bool,
    span: Span,
}

/// The path to logit-nn as the deriving crate sees it: `::logit_nn` directly, or
/// `::logit::nn` through the facade crate.
fn nn_path() -> TokenStream {
    match crate_name("logit-nn") {
        Ok(FoundCrate::Name(name)) => {
            let ident = format_ident!("{}", name);
            quote!(::#ident)
        }
        // logit-nn declares `extern crate self as logit_nn`, so the same path works inside it
        Ok(FoundCrate::Itself) => quote!(::logit_nn),
        Err(_) => match crate_name("logit") {
            Ok(FoundCrate::Name(name)) => {
                let ident = format_ident!("{}", name);
                quote!(::#ident::nn)
            }
            _ => quote!(::logit_nn),
        },
    }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let fields =
        match &input.data {
            Data::Struct(s) => match &s.fields {
                Fields::Named(named) => named.named.iter().collect::<Vec<_>>(),
                Fields::Unit => Vec::new(),
                Fields::Unnamed(_) => return Err(syn::Error::new(
                    input.ident.span(),
                    "#[derive(Module)] needs named fields (their names become state-dict keys); \
                     a tuple struct has none",
                )),
            },
            _ => return Err(syn::Error::new(
                input.ident.span(),
                "#[derive(Module)] works on structs only: a module's fields are its parameters, \
                 buffers and children",
            )),
        };
    let mut errors: Option<syn::Error> = None;
    let fields: Vec<Field> = fields
        .into_iter()
        .filter_map(|f| {
            classify(f)
                .map_err(|e| match &mut errors {
                    Some(all) => all.combine(e),
                    None => errors = Some(e),
                })
                .ok()
        })
        .collect();
    let nn = nn_path();
    let group = |want: fn(&Role) -> bool, method: &str| {
        let method = format_ident!("{}", method);
        fields
            .iter()
            .filter(|f| want(&f.role))
            .map(|f| register(f, &method))
            .collect::<Vec<_>>()
    };
    let params = group(|r| matches!(r, Role::Param), "param");
    let buffers = group(|r| matches!(r, Role::Buffer), "buffer");
    let modules = group(|r| matches!(r, Role::Module | Role::Flatten), "module");
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let visitor = if params.is_empty() && buffers.is_empty() && modules.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    // the struct's own bounds, then `Self: Module` (a trailing comma in the input is fine)
    let predicates = where_clause
        .map(|w| w.predicates.iter().collect::<Vec<_>>())
        .unwrap_or_default();
    let display_where = quote!(where #(#predicates,)* #ident #ty_generics: #nn::Module);
    // the impls are still emitted after a field error, so that only the field is reported
    let errors = errors.map(syn::Error::into_compile_error);
    Ok(quote! {
        #errors

        impl #impl_generics #nn::Visit for #ident #ty_generics #where_clause {
            fn visit<'m>(&'m self, #visitor: &mut #nn::Visitor<'_, 'm>) {
                #(#params)*
                #(#buffers)*
                #(#modules)*
            }
        }

        impl #impl_generics ::std::fmt::Display for #ident #ty_generics #display_where {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&#nn::Module::repr(self))
            }
        }
    })
}

/// One `v.param(..)`, `v.buffer(..)` or `v.module(..)` call; spanned on the field so a type
/// that is not a `Module` is reported at the field.
fn register(f: &Field, method: &syn::Ident) -> TokenStream {
    let name = &f.name;
    let access = &f.access;
    if let Role::Flatten = f.role {
        return quote_spanned!(f.span=> v.flatten(&self.#access););
    }
    // a boxed child is registered as what it holds, so `downcast_ref` sees the layer's type
    let boxed = matches!(f.role, Role::Module) && f.boxed;
    if f.optional {
        let inner = if boxed {
            quote!(&**inner)
        } else {
            quote!(inner)
        };
        quote_spanned! {f.span=>
            if let ::std::option::Option::Some(inner) = &self.#access {
                v.#method(#name, #inner);
            }
        }
    } else if boxed {
        quote_spanned!(f.span=> v.#method(#name, &*self.#access);)
    } else {
        quote_spanned!(f.span=> v.#method(#name, &self.#access);)
    }
}

fn classify(field: &syn::Field) -> syn::Result<Field> {
    let ident = field.ident.as_ref().expect("named field");
    let mut name = ident.to_string().trim_start_matches("r#").to_string();
    let (mut skip, mut buffer, mut flatten) = (false, false, false);
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("module")) {
        attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("skip") {
                skip = true;
            } else if meta.path.is_ident("buffer") {
                buffer = true;
            } else if meta.path.is_ident("flatten") {
                flatten = true;
            } else if meta.path.is_ident("name") {
                name = meta.value()?.parse::<syn::LitStr>()?.value();
            } else {
                return Err(meta.error(
                    "unknown module attribute; expected `skip`, `buffer`, `flatten` or `name = \"...\"`",
                ));
            }
            Ok(())
        })?;
    }
    let (inner, optional) = match generic_arg(&field.ty, "Option") {
        Some(inner) => (inner, true),
        None => (&field.ty, false),
    };
    let is_tensor = last_ident(inner).as_deref() == Some("Tensor");
    let role = if skip {
        Role::Skip
    } else if flatten {
        Role::Flatten
    } else if is_tensor && buffer {
        Role::Buffer
    } else if is_tensor {
        Role::Param
    } else if buffer {
        return Err(syn::Error::new(
            field.ty.span(),
            format!("`#[module(buffer)]` needs a Tensor field; `{ident}` is not one"),
        ));
    } else if let Some(prim) = primitive(inner) {
        return Err(syn::Error::new(
            field.ty.span(),
            format!(
                "field `{ident}` has type `{prim}`, which is neither a Tensor nor a Module; \
                 mark it `#[module(skip)]` if it is not a parameter, buffer or layer"
            ),
        ));
    } else {
        Role::Module
    };
    Ok(Field {
        access: quote!(#ident),
        name,
        role,
        optional,
        boxed: generic_arg(inner, "Box").is_some(),
        span: field.ty.span(),
    })
}

fn last_ident(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// `T` when `ty` is `wrapper<T>` (by its last path segment: `Option`, `std::boxed::Box`).
fn generic_arg<'a>(ty: &'a Type, wrapper: &str) -> Option<&'a Type> {
    let Type::Path(p) = ty else { return None };
    let seg = p.path.segments.last()?;
    if seg.ident != wrapper {
        return None;
    }
    let PathArguments::AngleBracketed(args) = &seg.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t),
        _ => None,
    }
}

/// The name of a type that can never be a module (numbers, text, flags, references).
fn primitive(ty: &Type) -> Option<String> {
    const NAMES: [&str; 18] = [
        "bool", "char", "str", "String", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16",
        "i32", "i64", "i128", "isize", "f32", "f64",
    ];
    match ty {
        Type::Reference(_) | Type::Ptr(_) | Type::Tuple(_) => Some(quote!(#ty).to_string()),
        _ => last_ident(ty).filter(|n| NAMES.contains(&n.as_str())),
    }
}
