//! How much of the session each cell compiles (evcxr patches 4-7,
//! `vendor/evcxr/PATCHES.md`): the variable store compiled once in
//! `nn-core-session`, variable types reported by the compiled cell instead
//! of rust-analyzer, only the variables a cell mentions loaded, only the
//! items it needs compiled. `NN_KERNEL_CELLS` chooses: unset or `fast`
//! (all four), `upstream` (evcxr's own behaviour), or a comma-separated
//! list of `store`, `types`, `mentioned`, `items` (to measure each).

use evcxr::CellOptions;

/// Where the session crate compiles evcxr's variable store.
pub const STORE_MODULE: &str = "__evcxr_store";

/// The patches a session uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellMode {
    pub store: bool,
    pub types: bool,
    pub mentioned: bool,
    pub items: bool,
}

impl CellMode {
    pub const FAST: CellMode = CellMode {
        store: true,
        types: true,
        mentioned: true,
        items: true,
    };

    /// From `NN_KERNEL_CELLS`; an unknown word is an error.
    pub fn parse(value: Option<&str>) -> Result<CellMode, String> {
        let value = value.unwrap_or("fast").trim();
        match value {
            "" | "fast" => return Ok(CellMode::FAST),
            "upstream" => {
                return Ok(CellMode {
                    store: false,
                    types: false,
                    mentioned: false,
                    items: false,
                });
            }
            _ => {}
        }
        let mut mode = CellMode {
            store: false,
            types: false,
            mentioned: false,
            items: false,
        };
        for word in value.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            match word {
                "store" => mode.store = true,
                "types" => mode.types = true,
                "mentioned" => mode.mentioned = true,
                "items" => mode.items = true,
                other => {
                    return Err(format!(
                        "NN_KERNEL_CELLS: unknown `{other}` (expected fast, upstream, or a list \
                         of store, types, mentioned, items)"
                    ));
                }
            }
        }
        Ok(mode)
    }

    /// For the stamp of templates and standbys (empty for the default).
    pub fn describe(&self) -> String {
        if *self == CellMode::FAST {
            return String::new();
        }
        let parts: Vec<&str> = [
            (self.store, "store"),
            (self.types, "types"),
            (self.mentioned, "mentioned"),
            (self.items, "items"),
        ]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, name)| *name)
        .collect();
        format!("cells {}\n", parts.join(","))
    }

    /// evcxr's options for a session where nn-core loaded (`nn_core`) or
    /// not: without nn-core there is no session crate to hold the store,
    /// and its re-export convention does not apply.
    pub fn options(&self, nn_core: bool) -> CellOptions {
        CellOptions {
            variable_store_path: (self.store && nn_core)
                .then(|| format!("nn_core::{STORE_MODULE}")),
            types_from_compiler: self.types,
            mentioned_variables_only: self.mentioned,
            prune_items: self.items,
            reexporting_crates: if nn_core {
                vec!["nn_core".to_owned()]
            } else {
                Vec::new()
            },
        }
    }
}

/// The session crate's source: nn-core re-exported, and evcxr's variable
/// store compiled once for all cells.
pub fn session_crate_source() -> String {
    format!(
        "pub use nn_core::*;\n\n\
         /// evcxr's variable store, compiled once instead of in every cell.\n\
         #[doc(hidden)]\n\
         #[allow(dead_code, clippy::all)]\n\
         pub mod {STORE_MODULE} {{\n{}\n}}\n",
        evcxr::VARIABLE_STORE_SOURCE
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse() {
        assert_eq!(CellMode::parse(None), Ok(CellMode::FAST));
        assert_eq!(CellMode::parse(Some("fast")), Ok(CellMode::FAST));
        let upstream = CellMode::parse(Some("upstream")).unwrap();
        assert!(!upstream.store && !upstream.types && !upstream.mentioned && !upstream.items);
        let some = CellMode::parse(Some("store, items")).unwrap();
        assert!(some.store && !some.types && !some.mentioned && some.items);
        assert_eq!(some.describe(), "cells store,items\n");
        assert_eq!(CellMode::FAST.describe(), "");
        assert!(
            CellMode::parse(Some("turbo"))
                .unwrap_err()
                .contains("turbo")
        );
    }

    #[test]
    fn the_store_lives_in_the_session_crate_only_with_nn_core() {
        let with = CellMode::FAST.options(true);
        assert_eq!(
            with.variable_store_path.as_deref(),
            Some("nn_core::__evcxr_store")
        );
        assert_eq!(with.reexporting_crates, ["nn_core"]);
        let without = CellMode::FAST.options(false);
        assert!(without.variable_store_path.is_none());
        assert!(without.types_from_compiler && without.prune_items);
        assert!(session_crate_source().contains("pub fn create_variable_store"));
    }
}

#[cfg(test)]
mod evcxr_cell_options {
    //! evcxr patches 5-7's helpers (`vendor/evcxr/src/cell_options.rs`).
    use evcxr::cell_options::*;
    use std::collections::HashMap;

    fn named(s: &str) -> CellType {
        CellType::Named(s.to_owned())
    }

    #[test]
    fn type_names_become_cell_types() {
        let nn = vec!["nn_core".to_owned()];
        let t = |s| cell_type(s, "ctx", &nn);
        assert_eq!(
            t("nn_core::tensor::Tensor"),
            named("nn_core::tensor::Tensor")
        );
        assert_eq!(
            t("nn_core::nn::linear::Linear"),
            named("nn_core::nn::Linear")
        );
        assert_eq!(
            t("alloc::vec::Vec<nn_core::nn::linear::Linear>"),
            named("std::vec::Vec<nn_core::nn::Linear>")
        );
        assert_eq!(t("ctx::Model"), named("crate::Model"));
        assert_eq!(t("usize"), named("usize"));
        assert_eq!(t("&str"), named("&str"));
        assert_eq!(t("[f32; 3]"), named("[f32; 3]"));
        assert_eq!(
            t("std::collections::hash::map::HashMap<alloc::string::String, i32>"),
            named("std::collections::hash_map::HashMap<std::string::String, i32>")
        );
        assert_eq!(
            t("alloc::boxed::Box<dyn core::ops::function::Fn(f32) -> f32>"),
            named("std::boxed::Box<dyn std::ops::Fn(f32) -> f32>")
        );
        assert_eq!(
            t("(nn_core::tensor::Tensor, core::option::Option<u8>)"),
            named("(nn_core::tensor::Tensor, std::option::Option<u8>)")
        );
        assert_eq!(t("ctx::run_user_code_3::{{closure}}"), CellType::Unnameable);
    }

    #[test]
    fn vars_shows_short_types() {
        assert_eq!(
            short_type_name("std::vec::Vec<nn_core::tensor::Tensor>"),
            "Vec<Tensor>"
        );
        assert_eq!(short_type_name("(u8, crate::Net)"), "(u8, Net)");
        assert_eq!(short_type_name("Tensor"), "Tensor");
    }

    #[test]
    fn rustc_suggestions_repair_a_path() {
        let repaired = repair_type_name(
            "std::vec::Vec<foo::inner::Thing>",
            &["use foo::Thing;\n".to_owned()],
        );
        assert_eq!(repaired.as_deref(), Some("std::vec::Vec<foo::Thing>"));
        assert_eq!(
            repair_type_name("foo::Thing", &["foo::Thing".to_owned()]),
            None
        );
    }

    #[test]
    fn items_follow_mentions() {
        let mut blocks = HashMap::new();
        blocks.insert("Net".to_owned(), "struct Net { l: Layer }".to_owned());
        blocks.insert("Layer".to_owned(), "struct Layer;".to_owned());
        blocks.insert(
            "Double".to_owned(),
            "trait Double { fn double(&self); } impl Double for i32 { fn double(&self) {} }"
                .to_owned(),
        );
        blocks.insert("unused".to_owned(), "fn unused() {}".to_owned());
        let chosen = needed_items(&blocks, &[], "let n: Net = make(); 3.double();");
        let mut chosen: Vec<_> = chosen.into_iter().collect();
        chosen.sort();
        assert_eq!(chosen, ["Double", "Layer", "Net"]);
    }

    #[test]
    fn a_variable_bound_anew_before_any_use_is_not_loaded() {
        let cell = [
            "manual_seed(0);",
            "let model = Net::new();",
            "model.forward(&x);",
        ];
        assert!(!uses_stored_value(&cell, "model"));
        assert!(uses_stored_value(&cell, "x"));
        assert!(uses_stored_value(&["let x = x.unsqueeze(1);"], "x"));
        assert!(uses_stored_value(
            &["println!(\"{model}\");", "let model = 1;"],
            "model"
        ));
        assert!(!uses_stored_value(
            &["let (model, y): (u8, u8) = (1, 2);"],
            "model"
        ));
        assert!(!uses_stored_value(&["let other = 1;"], "model"));
    }

    #[test]
    fn words_include_format_strings() {
        let w = words("println!(\"{n} {}\", x.y); // z");
        for name in ["println", "n", "x", "y", "z"] {
            assert!(w.contains(name), "{name}");
        }
    }
}
