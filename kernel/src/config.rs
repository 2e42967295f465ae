//! The kernel's configuration, from the environment: where nn-core is,
//! where the cache with the build folders is, how cells are compiled; and
//! what a template or a standby must match to be used (the stamp, nn-core's
//! fingerprint).

use crate::cells::CellMode;
use anyhow::{Context as _, Result};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Where nn-core is, where the build folders go, how cells are compiled.
#[derive(Clone, Debug)]
pub struct Config {
    /// The nn-core crate (the folder with its `Cargo.toml`).
    pub nn_core: PathBuf,
    /// Holds `template/`, `sessions/` and the `.cargo/config.toml` that
    /// builds dependencies at opt-level 3.
    pub cache: PathBuf,
    /// The cells' opt-level (evcxr's `:opt`).
    pub opt_level: String,
    /// Cargo features of nn-core to turn on, e.g. `png` (none by default).
    pub nn_core_features: Vec<String>,
    /// How long an interrupted cell may take to stop before the process
    /// running it is killed.
    pub interrupt_grace: Duration,
    /// What each cell compiles (`NN_KERNEL_CELLS`, see [`CellMode`]).
    pub cells: CellMode,
}

impl Config {
    /// From the environment: `NN_KERNEL_NN_CORE`, `NN_KERNEL_CACHE`,
    /// `NN_KERNEL_OPT_LEVEL`, `NN_KERNEL_INTERRUPT_GRACE` (seconds),
    /// `NN_KERNEL_FEATURES` (nn-core's features, separated by commas or
    /// spaces), `NN_KERNEL_CELLS`, with defaults: the nn-core beside the
    /// kernel's sources, `~/.cache/nn-kernel`, `0`, 3 s, none, `fast`.
    pub fn from_env() -> Result<Config> {
        let nn_core = match std::env::var_os("NN_KERNEL_NN_CORE") {
            Some(path) => PathBuf::from(path),
            None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../nn-core"),
        };
        let nn_core = nn_core
            .canonicalize()
            .with_context(|| format!("nn-core not found at {}", nn_core.display()))?;
        let cache = match std::env::var_os("NN_KERNEL_CACHE") {
            Some(path) => PathBuf::from(path),
            None => match std::env::var_os("XDG_CACHE_HOME") {
                Some(path) => PathBuf::from(path).join("nn-kernel"),
                None => PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?)
                    .join(".cache/nn-kernel"),
            },
        };
        let opt_level = std::env::var("NN_KERNEL_OPT_LEVEL").unwrap_or_else(|_| "0".into());
        let grace = std::env::var("NN_KERNEL_INTERRUPT_GRACE")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .unwrap_or(3.0);
        let nn_core_features = std::env::var("NN_KERNEL_FEATURES")
            .unwrap_or_default()
            .split([',', ' '])
            .filter(|f| !f.is_empty())
            .map(str::to_owned)
            .collect();
        let cells = CellMode::parse(std::env::var("NN_KERNEL_CELLS").ok().as_deref())
            .map_err(anyhow::Error::msg)?;
        Ok(Config {
            nn_core,
            cache,
            opt_level,
            nn_core_features,
            interrupt_grace: Duration::from_secs_f64(grace),
            cells,
        })
    }

    /// Creates the cache folder and its `sessions/` private to this user
    /// (`0700`, see `private.rs`), or makes them private if they exist, with
    /// the `template/` if there is one (a cache made by an older kernel).
    pub fn private_cache(&self) -> Result<()> {
        for dir in [self.cache.clone(), self.sessions()] {
            crate::private::create_dir(&dir).with_context(|| {
                format!(
                    "cannot make {} private to this user (set NN_KERNEL_CACHE \
                     to a folder of your own)",
                    dir.display()
                )
            })?;
        }
        let template = self.template();
        if template.is_dir()
            && let Err(error) = crate::private::tighten(&template)
        {
            eprintln!(
                "nn-kernel: cannot make {} private to this user: {error}",
                template.display()
            );
        }
        Ok(())
    }

    /// The warmed build folder that each kernel copies.
    pub fn template(&self) -> PathBuf {
        self.cache.join("template")
    }

    /// Holds one folder per running kernel.
    pub fn sessions(&self) -> PathBuf {
        self.cache.join("sessions")
    }

    /// The state of nn-core's sources: the newest modification time and the
    /// number of files, over nn-core's library (with its derive crate and
    /// data, not its tests, benchmarks or examples) and the workspace's lock
    /// file. Changes when the library is edited.
    pub fn nn_core_fingerprint(&self) -> String {
        // nn-core's own tests, benchmarks and examples are not part of the
        // library a cell links: touching one must not make every template
        // and standby stale (a class's kernels would each rebuild).
        const NOT_THE_LIBRARY: [&str; 4] = ["tests", "benches", "examples", "proptest-regressions"];
        fn walk(dir: &Path, top: bool, newest: &mut std::time::SystemTime, count: &mut u64) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let name = entry.file_name();
                if name == "target"
                    || name == ".git"
                    || (top && NOT_THE_LIBRARY.iter().any(|n| name == *n))
                {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() {
                    walk(&path, false, newest, count);
                } else {
                    *count += 1;
                    if let Ok(modified) = meta.modified() {
                        *newest = (*newest).max(modified);
                    }
                }
            }
        }
        let mut newest = std::time::SystemTime::UNIX_EPOCH;
        let mut count = 0;
        walk(&self.nn_core, true, &mut newest, &mut count);
        if let Ok(modified) =
            std::fs::metadata(self.nn_core.join("../Cargo.lock")).and_then(|m| m.modified())
        {
            newest = newest.max(modified);
        }
        let nanos = newest
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{nanos}/{count}")
    }

    /// What a template must have been built with to be usable.
    pub fn stamp(&self) -> String {
        // The session crate's source (evcxr's variable store) is part of
        // what a template built.
        let session_crate = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::hash::DefaultHasher::new();
            crate::cells::session_crate_source().hash(&mut hasher);
            hasher.finish()
        };
        let mut stamp = format!(
            "nn-kernel {} evcxr 0.22.0 rustc {}\nnn-core {}\nopt-level {}\nsession crate {:016x}\n{}",
            env!("CARGO_PKG_VERSION"),
            env!("NN_KERNEL_RUSTC_VERSION"),
            self.nn_core.display(),
            self.opt_level,
            session_crate,
            self.cells.describe()
        );
        // Only when set, so that default templates stay current.
        if !self.nn_core_features.is_empty() {
            stamp += &format!("features {}\n", self.nn_core_features.join(","));
        }
        stamp
    }

    /// The crate that cells depend on under the name `nn_core`: nn-core
    /// re-exported from a dynamic library, so that nn-core's statics
    /// (generator, print options, grad mode, interrupt flag) exist once per
    /// session. evcxr links a statically linked dependency into every cell,
    /// giving each cell its own copy. (evcxr's `:allow_static_linking 0`
    /// would do the same for all crates, but its rustc wrapper fails on
    /// `no_std` dependencies such as `rawpointer` with current rustc.)
    pub fn shared_crate(&self) -> PathBuf {
        self.cache.join("nn-core-session")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_follows_the_library_not_its_tests() {
        let root = std::env::temp_dir().join(format!("nn-fingerprint-{}", std::process::id()));
        let nn_core = root.join("nn-core");
        for dir in ["src", "tests", "examples"] {
            std::fs::create_dir_all(nn_core.join(dir)).unwrap();
        }
        std::fs::write(nn_core.join("src/lib.rs"), "").unwrap();
        let config = Config {
            nn_core: nn_core.clone(),
            cache: root.join("cache"),
            opt_level: "0".into(),
            nn_core_features: Vec::new(),
            interrupt_grace: Duration::from_secs(3),
            cells: CellMode::parse(None).unwrap(),
        };
        let before = config.nn_core_fingerprint();
        std::fs::write(nn_core.join("tests/a_test.rs"), "").unwrap();
        std::fs::write(nn_core.join("examples/an_example.rs"), "").unwrap();
        assert_eq!(config.nn_core_fingerprint(), before);
        std::fs::write(nn_core.join("src/more.rs"), "").unwrap();
        assert_ne!(config.nn_core_fingerprint(), before);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
