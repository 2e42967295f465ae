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
