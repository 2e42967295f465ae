//! The build template and the kernels' folders. Compiling nn-core and its
//! dependencies is slow, so `nn-kernel install` does it once, in
//! `template/` ([`warm`]), and each kernel starts from a copy in its own
//! `sessions/PID-*` folder: two evcxr sessions sharing a build folder
//! corrupt each other. A template is copied only if its stamp matches the
//! configuration; its record of nn-core's fingerprint tells whether
//! start-up will compile nn-core again.

use crate::config::Config;
use crate::context::create_context;
use crate::errors::CellError;
use crate::private;
use crate::protocol::random_hex;
use crate::session::startup_cell;
use anyhow::{Context as _, Result, bail};
use std::path::{Path, PathBuf};

/// A new folder for this kernel under `sessions/`, holding a copy of the
/// template's build folder when the template matches this configuration.
/// Folders of kernels that are no longer running are removed on the way.
/// Also tells whether start-up will compile nn-core. The cache, `sessions/`
/// and the new folder with its `build/` are private to this user (`0700`).
pub fn new_session_dir(config: &Config) -> Result<(PathBuf, bool)> {
    config.private_cache()?;
    let sessions = config.sessions();
    remove_stale_sessions(&sessions);
    let dir = sessions.join(format!("{}-{}", std::process::id(), &random_hex()[..8]));
    private::create_dir(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let template = config.template();
    let stamp = std::fs::read_to_string(template.join("stamp")).unwrap_or_default();
    let built_from = std::fs::read_to_string(template.join(FINGERPRINT)).unwrap_or_default();
    let mut compiles_nn_core = built_from != config.nn_core_fingerprint();
    if stamp == config.stamp() && template.join("build").is_dir() {
        // `cp -a` keeps modification times, which cargo compares.
        let copied = std::process::Command::new("cp")
            .arg("-a")
            .arg(template.join("build"))
            .arg(dir.join("build"))
            .status();
        if !matches!(copied, Ok(status) if status.success()) {
            eprintln!("nn-kernel: copying the build template failed; building from scratch");
            let _ = std::fs::remove_dir_all(dir.join("build"));
            compiles_nn_core = true;
        }
    } else {
        compiles_nn_core = true;
        if template.exists() {
            eprintln!(
                "nn-kernel: the build template at {} is for another configuration; \
                 run `nn-kernel install` again to refresh it",
                template.display()
            );
        }
    }
    // The copy keeps the template's mode; without one, evcxr's context
    // would create it with the umask's.
    private::create_dir(&dir.join("build"))?;
    Ok((dir, compiles_nn_core))
}

/// Whether the template was built for this configuration and nn-core as it
/// is now.
pub fn template_is_current(config: &Config) -> bool {
    let template = config.template();
    let read = |name: &str| std::fs::read_to_string(template.join(name)).unwrap_or_default();
    template.join("build").is_dir()
        && read("stamp") == config.stamp()
        && read(FINGERPRINT) == config.nn_core_fingerprint()
}

/// The template's record of [`Config::nn_core_fingerprint`] when it was built.
const FINGERPRINT: &str = "nn-core.fingerprint";

/// Removes `sessions/PID-*` folders whose process is gone.
fn remove_stale_sessions(sessions: &Path) {
    let Ok(entries) = std::fs::read_dir(sessions) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.split('-').next()) else {
            continue;
        };
        if Path::new("/proc").is_dir() && !Path::new("/proc").join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Builds the template: the same start-up as a kernel's, in `template/`,
/// written to a fresh folder first so running kernels never copy a half-built
/// one. Compiler progress goes to stderr.
pub fn warm(config: &Config) -> Result<()> {
    let template = config.template();
    // Taken before building: an edit during the build makes it stale.
    let fingerprint = config.nn_core_fingerprint();
    let staging = config
        .cache
        .join(format!("template-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    // Private, like the template it becomes (renamed, it keeps its mode).
    config.private_cache()?;
    private::create_dir(&staging)?;
    private::create_dir(&staging.join("build"))?;
    // Start from the workspace's lock file so that nn-core's dependencies
    // resolve to the versions the workspace was tested with.
    let lock = config.nn_core.join("../Cargo.lock");
    if lock.is_file() {
        std::fs::copy(&lock, staging.join("build/Cargo.lock"))?;
    }
    let mut last_error = None;
    for online in [false, true] {
        let (mut context, outputs) = create_context(config, &staging, None, online)?;
        std::thread::spawn(move || {
            for line in outputs.stderr {
                eprintln!("{line}");
            }
        });
        // Records the rustc command of a cell (evcxr patch 2), which
        // `bench/cell_items.py` replays on the template.
        context.set_build_stamp(Some(config.nn_core_fingerprint()));
        match context.execute(&startup_cell(config)) {
            Ok(_) => {
                // A typical first cell, so that its compile is warm too.
                if let Err(error) = context.execute("let warm_up = 1 + 1;\nwarm_up") {
                    eprintln!("nn-kernel: warm-up cell failed: {error}");
                }
                // evcxr runs `cargo check` when it cannot infer a variable's
                // type; without check builds of the dependencies in the
                // template, that first check takes many seconds.
                if let Err(error) = context.check("let warm_up_check = 1;") {
                    eprintln!("nn-kernel: warm-up check failed: {error}");
                }
                last_error = None;
                break;
            }
            Err(error) => {
                let error = CellError::from_evcxr(&error, "");
                last_error = Some(error.traceback.join("\n"));
                if !online {
                    eprintln!(
                        "nn-kernel: offline build failed; trying again online. The error:\n{}",
                        last_error.as_deref().unwrap_or_default()
                    );
                }
            }
        }
    }
    if let Some(error) = last_error {
        let _ = std::fs::remove_dir_all(&staging);
        bail!("building nn-core into the template failed:\n{error}");
    }
    // The template's settings are rewritten by each session.
    let _ = std::fs::remove_file(staging.join("evcxr.toml"));
    std::fs::write(staging.join("stamp"), config.stamp())?;
    std::fs::write(staging.join(FINGERPRINT), fingerprint)?;
    let old = config
        .cache
        .join(format!("template-old-{}", std::process::id()));
    if template.exists() {
        std::fs::rename(&template, &old)?;
    }
    std::fs::rename(&staging, &template)?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}
