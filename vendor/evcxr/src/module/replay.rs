// nn-kernel patch (see PATCHES.md): compiling a cell with rustc directly.
//
// A cell is one crate, `ctx`, whose dependencies rarely change. Going through
// `cargo build` costs ~40 ms a cell on a 2-core machine just for cargo's
// up-to-date check of the dependency graph, plus a start of the rustc
// wrapper. So the first build through cargo records the exact rustc command
// that the wrapper ran for `ctx` (program, arguments, folder, environment),
// and later builds run that command directly, for as long as nothing cargo
// would look at has changed: the cargo command itself, `Cargo.toml`,
// `.cargo/config.toml`, and a stamp given by the embedding application for the
// sources of path dependencies (which only it knows how to fingerprint
// cheaply). Off unless the application sets a stamp.

use anyhow::Result;
use serde::Deserialize;
use serde::Serialize;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

/// Set on the cargo command: where the rustc wrapper records the `ctx` command.
pub(crate) const RECORD_ENV: &str = "EVCXR_RUSTC_RECORD";

/// Where in the crate folder the wrapper writes the record.
pub(crate) const RECORD_FILE: &str = ".evcxr-rustc-command.json";

/// What cargo ran to compile `ctx`, as the wrapper saw it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub(crate) struct Record {
    program: String,
    args: Vec<String>,
    cwd: String,
    envs: Vec<(String, String)>,
}

/// Environment variables not to replay: cargo's jobserver (its file
/// descriptors are gone once cargo exits) and the per-build settings of the
/// wrapper itself.
const NOT_REPLAYED: &[&str] = &[
    "CARGO_MAKEFLAGS",
    "MAKEFLAGS",
    "MFLAGS",
    RECORD_ENV,
    super::EXECUTION_SO_PATH_ENV,
];

impl Record {
    /// Called in the rustc wrapper for the command it is about to run.
    pub(crate) fn write_if_requested(command: &Command) -> Result<()> {
        let Some(path) = std::env::var_os(RECORD_ENV) else {
            return Ok(());
        };
        let utf8 = |s: &std::ffi::OsStr| s.to_str().map(str::to_owned);
        let (Some(program), Some(args), Some(cwd)) = (
            utf8(command.get_program()),
            command.get_args().map(utf8).collect::<Option<Vec<_>>>(),
            std::env::current_dir()
                .ok()
                .and_then(|d| d.to_str().map(str::to_owned)),
        ) else {
            // Not representable: no record, so cargo keeps doing the builds.
            return Ok(());
        };
        let envs = std::env::vars()
            .filter(|(name, _)| !NOT_REPLAYED.contains(&name.as_str()))
            .collect();
        let record = Record {
            program,
            args,
            cwd,
            envs,
        };
        std::fs::write(path, serde_json::to_vec(&record)?)?;
        Ok(())
    }

    /// The record the wrapper wrote during the last cargo build, if any.
    pub(crate) fn read(crate_dir: &Path) -> Option<Record> {
        let bytes = std::fs::read(crate_dir.join(RECORD_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// The rustc command to run again.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .current_dir(&self.cwd)
            .env_clear()
            .envs(self.envs.iter().map(|(k, v)| (k, v)));
        command
    }

    /// The shared object this command produces.
    pub(crate) fn so_path(&self) -> Option<PathBuf> {
        super::execution_so_source(&self.command())
    }
}

/// What must be unchanged for a record to be replayed.
pub(crate) fn key(cargo_command: &Command, crate_dir: &Path, stamp: &str) -> String {
    let read = |name: &str| std::fs::read_to_string(crate_dir.join(name)).unwrap_or_default();
    format!(
        "{cargo_command:?}\n{}\n{}\n{stamp}",
        read("Cargo.toml"),
        read(".cargo/config.toml")
    )
}
