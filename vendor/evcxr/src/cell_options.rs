// nn-kernel patch (see PATCHES.md, patches 4-7): how much of the session a
// cell's crate carries. Upstream evcxr compiles, in every cell, the variable
// store's code, a load and a store of every variable of the session, and
// every item the session has defined; and it asks rust-analyzer for the
// types of the variables a cell defines before compiling it. These options
// cut each of those down to what the cell needs; their defaults are
// upstream's behaviour.

use ra_ap_syntax::ast;
use std::collections::HashMap;
use std::collections::HashSet;

/// How cells are compiled. The default is upstream evcxr's behaviour.
#[derive(Clone, Debug, Default)]
pub struct CellOptions {
    /// The variable store is `PATH::VariableStore` of a dependency that
    /// compiles [`VARIABLE_STORE_SOURCE`] as module `PATH` (e.g.
    /// `nn_core::__evcxr_store`), instead of a module compiled into every
    /// cell.
    pub variable_store_path: Option<String>,
    /// The types of new variables come from the compiled cell
    /// (`std::any::type_name`, made nameable), not from rust-analyzer before
    /// the compile. rust-analyzer is then never on a cell's path.
    pub types_from_compiler: bool,
    /// Only the variables a cell mentions are loaded, checked and stored
    /// back; the others stay in the store untouched.
    pub mentioned_variables_only: bool,
    /// Only the items a cell needs (those it mentions, those its variables'
    /// types mention, transitively, plus every `use`) are compiled with it;
    /// a compile that fails for want of an item is retried with all items.
    pub prune_items: bool,
    /// Crates that re-export each public type from the module directly
    /// under the crate root (`krate::module::Type`), so that a type's
    /// definition path `krate::module::private::Type` can be shortened to
    /// it (nn-core's convention).
    pub reexporting_crates: Vec<String>,
}

/// The variable store's source, for a dependency that compiles it once (see
/// [`CellOptions::variable_store_path`]).
pub const VARIABLE_STORE_SOURCE: &str = include_str!("evcxr_internal_runtime.rs");

/// The identifier-like words of `text`, including those in strings and
/// comments (a format string's `{x}` uses `x`): a superset of the names the
/// code refers to.
pub fn words(text: &str) -> HashSet<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.starts_with(|c: char| c.is_alphabetic() || c == '_'))
        .collect()
}

/// Whether a cell, whose statements are `statements` in order, uses the
/// stored value of variable `name`: it mentions the name before a
/// top-level `let` that binds it anew without using it (`let model =
/// Net::new();` replaces `model` without reading it, `let x = x + 1;`
/// reads it).
pub fn uses_stored_value(statements: &[&str], name: &str) -> bool {
    for statement in statements {
        if !words(statement).contains(name) {
            continue;
        }
        let text = statement.trim_start();
        if let Some(rest) = text.strip_prefix("let")
            && rest.starts_with(char::is_whitespace)
            && let Some((pattern, value)) = rest.split_once('=')
            && words(pattern).contains(name)
            && !words(value).contains(name)
        {
            return false;
        }
        return true;
    }
    false
}

/// What a variable's type, as `std::any::type_name` gives it, is in a cell.
#[derive(Debug, PartialEq, Eq)]
pub enum CellType {
    /// A path that names the type in a cell (it may still need repairing
    /// if a module on the way is private; see [`repair_type_name`]).
    Named(String),
    /// A closure, a function item, or anything else without a name.
    Unnameable,
}

/// Turns `std::any::type_name::<T>()` of a cell's variable into a type the
/// next cell can write: the cell's own crate (`ctx`) becomes `crate`, `core`
/// and `alloc` become `std`, std's private modules are skipped, and so are
/// those of the `reexporting` crates.
pub fn cell_type(type_name: &str, cell_crate: &str, reexporting: &[String]) -> CellType {
    // Closures, async blocks, function items and the like print as
    // `path::{{closure}}` or carry no nameable path.
    if type_name.contains("{{") || type_name.contains("{closure") {
        return CellType::Unnameable;
    }
    let mut out = String::with_capacity(type_name.len());
    let mut rest = type_name;
    while let Some(start) = rest.find(|c: char| c.is_alphabetic() || c == '_') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        // A path: identifiers joined by `::`.
        let mut end = 0;
        loop {
            let ident = rest[end..]
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .map_or(rest.len(), |i| end + i);
            end = ident;
            if rest[end..].starts_with("::")
                && rest[end + 2..].starts_with(|c: char| c.is_alphabetic() || c == '_')
            {
                end += 2;
            } else {
                break;
            }
        }
        out.push_str(&cell_path(&rest[..end], cell_crate, reexporting));
        rest = &rest[end..];
    }
    out.push_str(rest);
    CellType::Named(out)
}

/// A type as `:vars` shows it: every path by its last segment, as
/// rust-analyzer and rustc's messages write them (`Vec<Tensor>` for
/// `std::vec::Vec<nn_core::tensor::Tensor>`).
pub fn short_type_name(type_name: &str) -> String {
    let mut out = String::with_capacity(type_name.len());
    let mut rest = type_name;
    while let Some(start) = rest.find(|c: char| c.is_alphabetic() || c == '_') {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(rest.len());
        out.push_str(rest[..end].rsplit("::").next().unwrap_or_default());
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// std's modules that are private, with the public module re-exporting
/// their types.
const STD_PRIVATE_MODULES: &[(&str, &str)] = &[
    (
        "std::collections::hash::map::",
        "std::collections::hash_map::",
    ),
    (
        "std::collections::hash::set::",
        "std::collections::hash_set::",
    ),
    (
        "std::collections::btree::map::",
        "std::collections::btree_map::",
    ),
    (
        "std::collections::btree::set::",
        "std::collections::btree_set::",
    ),
    ("std::ops::function::", "std::ops::"),
    ("std::ops::range::", "std::ops::"),
    ("std::sync::poison::mutex::", "std::sync::"),
    ("std::sync::poison::rwlock::", "std::sync::"),
    ("std::sync::poison::condvar::", "std::sync::"),
    ("std::sync::mutex::", "std::sync::"),
    ("std::sync::rwlock::", "std::sync::"),
    ("std::sync::once_lock::", "std::sync::"),
    ("std::sync::lazy_lock::", "std::sync::"),
    ("std::cell::once::", "std::cell::"),
    ("std::cell::lazy::", "std::cell::"),
    ("std::slice::iter::", "std::slice::"),
    ("std::vec::into_iter::", "std::vec::"),
    ("std::ffi::os_str::", "std::ffi::"),
    ("std::ffi::c_str::", "std::ffi::"),
    ("std::num::nonzero::", "std::num::"),
    ("std::hash::random::", "std::hash::"),
    ("std::mem::manually_drop::", "std::mem::"),
    ("std::mem::maybe_uninit::", "std::mem::"),
    ("std::time::duration::", "std::time::"),
];

fn cell_path(path: &str, cell_crate: &str, reexporting: &[String]) -> String {
    let Some((krate, rest)) = path.split_once("::") else {
        return path.to_owned();
    };
    if krate == cell_crate {
        return format!("crate::{rest}");
    }
    if matches!(krate, "core" | "alloc" | "std") {
        let path = format!("std::{rest}");
        for (private, public) in STD_PRIVATE_MODULES {
            if let Some(tail) = path.strip_prefix(private) {
                return format!("{public}{tail}");
            }
        }
        return path;
    }
    if reexporting.iter().any(|k| k == krate) {
        let segments: Vec<&str> = rest.split("::").collect();
        if segments.len() > 2 {
            return format!("{krate}::{}::{}", segments[0], segments[segments.len() - 1]);
        }
    }
    path.to_owned()
}

/// A type path that failed to resolve in a cell, repaired with what rustc
/// suggested importing instead (`help: consider importing this struct:
/// nn_core::nn::Linear`): the suggested path replaces every path that ends
/// with the same name.
pub fn repair_type_name(type_name: &str, suggestions: &[String]) -> Option<String> {
    let mut repaired = type_name.to_owned();
    for suggestion in suggestions {
        let path = suggestion
            .trim()
            .trim_start_matches("use ")
            .trim_end_matches(';')
            .trim();
        let Some(name) = path.rsplit("::").next() else {
            continue;
        };
        if name.is_empty() || path.contains(char::is_whitespace) {
            continue;
        }
        let mut out = String::new();
        let mut changed = false;
        let mut rest = repaired.as_str();
        while let Some(start) = rest.find(|c: char| c.is_alphabetic() || c == '_') {
            out.push_str(&rest[..start]);
            rest = &rest[start..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(rest.len());
            let candidate = &rest[..end];
            if candidate.rsplit("::").next() == Some(name) && candidate != path {
                out.push_str(path);
                changed = true;
            } else {
                out.push_str(candidate);
            }
            rest = &rest[end..];
        }
        out.push_str(rest);
        if changed {
            repaired = out;
        }
    }
    (repaired != type_name).then_some(repaired)
}

/// The names by which a cell can use an item block without naming the
/// block: the names of its items, the methods of the traits it defines (a
/// method called on a value of any type names only the method) and the
/// variants of its enums. Methods of impls are not among them: they are
/// called on values of a type that the cell names otherwise.
pub fn declared_names(code: &str) -> Vec<String> {
    use ra_ap_syntax::ast::{HasModuleItem, HasName};
    let parsed = ra_ap_syntax::SourceFile::parse(code, crate::rust_analyzer::EDITION);
    let mut names = Vec::new();
    for item in parsed.tree().items() {
        if let Some(name) = crate::item::item_name(&item) {
            names.push(name);
        }
        match item {
            ast::Item::Trait(t) => {
                for assoc in t.assoc_item_list().iter().flat_map(|l| l.assoc_items()) {
                    if let ast::AssocItem::Fn(f) = assoc
                        && let Some(name) = f.name()
                    {
                        names.push(name.text().to_string());
                    }
                }
            }
            ast::Item::Enum(e) => {
                for variant in e.variant_list().iter().flat_map(|l| l.variants()) {
                    if let Some(name) = variant.name() {
                        names.push(name.text().to_string());
                    }
                }
            }
            _ => {}
        }
    }
    names
}

/// The item blocks a cell needs: those whose declared names the seed words
/// mention, then those the chosen blocks mention, until nothing is added.
/// `always` blocks (uses, unnamed items) are chosen and feed the seed.
pub fn needed_items<'a>(
    blocks: &'a HashMap<String, String>,
    always: &[&'a str],
    seed: &str,
) -> HashSet<&'a str> {
    let mut mentioned: HashSet<String> = words(seed).into_iter().map(str::to_owned).collect();
    for code in always {
        mentioned.extend(words(code).into_iter().map(str::to_owned));
    }
    let declared: Vec<(&String, Vec<String>)> = blocks
        .iter()
        .map(|(name, code)| {
            let mut names = declared_names(code);
            names.push(name.clone());
            (name, names)
        })
        .collect();
    let mut chosen: HashSet<&str> = HashSet::new();
    loop {
        let mut added = false;
        for (name, names) in &declared {
            if !chosen.contains(name.as_str()) && names.iter().any(|n| mentioned.contains(n)) {
                chosen.insert(name.as_str());
                mentioned.extend(words(&blocks[*name]).into_iter().map(str::to_owned));
                added = true;
            }
        }
        if !added {
            return chosen;
        }
    }
}

/// Error codes of a path that does not resolve (or resolves to something
/// private or not a type): a variable's reported type needs repairing.
pub const UNRESOLVED_TYPE_ERRORS: &[&str] = &[
    "E0412", "E0422", "E0423", "E0425", "E0433", "E0573", "E0574", "E0603", "E0404", "E0405",
];

/// Error codes meaning that something the code refers to is not there (or
/// a trait's impl is missing): when items were left out of a cell, such an
/// error may be ours, not the user's.
pub const MISSING_ITEM_ERRORS: &[&str] = &[
    "E0405", "E0407", "E0412", "E0422", "E0423", "E0425", "E0432", "E0433", "E0531", "E0532",
    "E0574", "E0599", "E0277", "E0369", "E0609", "E0614", "E0618",
];

// Tested through the kernel (kernel/src/cells.rs): evcxr is not a member of
// the workspace, so tests here would not run.
