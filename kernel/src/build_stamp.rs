//! The stamp that lets evcxr compile a cell with rustc directly instead of
//! through cargo (our evcxr patch, `vendor/evcxr/PATCHES.md`): ~50 ms less a
//! cell. evcxr replays the rustc command of the last cargo build while the
//! cargo command, `Cargo.toml` and this stamp are unchanged. cargo would also
//! notice edited sources of path dependencies, so the stamp is nn-core's
//! fingerprint (nn-core is the one path dependency the kernel adds); once a
//! cell adds a `:dep` with a `path` of its own, whose sources only cargo
//! watches, every later cell goes through cargo again.

use crate::config::Config;

/// Decides the stamp before each cell.
pub struct BuildStamp {
    config: Config,
    /// A cell added a path dependency: cargo checks every build from then on.
    user_path_dependency: bool,
}

impl BuildStamp {
    pub fn new(config: &Config) -> BuildStamp {
        BuildStamp {
            config: config.clone(),
            user_path_dependency: false,
        }
    }

    /// The stamp for the cell `code`; `None` means build through cargo.
    pub fn for_cell(&mut self, code: &str) -> Option<String> {
        self.user_path_dependency |= adds_path_dependency(code);
        (!self.user_path_dependency).then(|| self.config.nn_core_fingerprint())
    }
}

/// Whether `code` has a `:dep` line naming a local crate (`path = ...`).
fn adds_path_dependency(code: &str) -> bool {
    code.lines().any(|line| {
        line.trim_start()
            .strip_prefix(":dep")
            .is_some_and(|dep| dep.contains("path"))
    })
}

#[cfg(test)]
mod tests {
    use super::{BuildStamp, adds_path_dependency};
    use crate::config::Config;
    use std::time::Duration;

    #[test]
    fn the_stamp_follows_nn_core_until_a_path_dependency() {
        let dir = std::env::temp_dir().join(format!("nn-kernel-stamp-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("nn-core/src")).unwrap();
        std::fs::write(dir.join("nn-core/src/lib.rs"), "").unwrap();
        let config = Config {
            nn_core: dir.join("nn-core"),
            cache: dir.join("cache"),
            opt_level: "0".into(),
            nn_core_features: Vec::new(),
            interrupt_grace: Duration::from_secs(1),
            cells: crate::cells::CellMode::FAST,
        };
        let mut stamp = BuildStamp::new(&config);
        let first = stamp.for_cell("1 + 1");
        assert!(first.is_some());
        assert_eq!(stamp.for_cell(":dep rand = \"0.8\""), first);
        // An edit of nn-core (here: one more file) is a new stamp.
        std::fs::write(dir.join("nn-core/src/more.rs"), "").unwrap();
        let second = stamp.for_cell("2 + 2");
        assert!(second.is_some() && second != first);
        // After a local crate, cargo checks every build.
        assert_eq!(stamp.for_cell(":dep mine = { path = \"../mine\" }"), None);
        assert_eq!(stamp.for_cell("3 + 3"), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_path_dependency_is_seen_on_any_dep_line() {
        assert!(adds_path_dependency(
            ":dep mine = { path = \"../mine\" }\nmine::f()"
        ));
        assert!(adds_path_dependency(
            "// two deps\n:dep a = \"1\"\n  :dep b = {path=\"b\"}"
        ));
        assert!(!adds_path_dependency(
            ":dep rand = \"0.8\"\nrand::random::<f32>()"
        ));
        assert!(!adds_path_dependency("let path = 1;\npath + 1"));
    }
}
