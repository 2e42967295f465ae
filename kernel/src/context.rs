//! Creating evcxr's context in a kernel's folder (or the template's): the
//! settings evcxr reads there (`evcxr.toml`), the files all build folders
//! share (the cargo configuration, the `nn-core-session` crate) and the
//! environment of the process that runs the cells. A kernel and the
//! template are created the same way, so the template's artifacts fit
//! every kernel.

use crate::config::Config;
use crate::display::transport::ENV_IPC;
use anyhow::Result;
use evcxr::{CommandContext, EvalContext, EvalContextOutputs};
use std::path::{Path, PathBuf};

/// Creates evcxr's context with its build folder in `dir/build`. `ipc` is
/// what the child finds in [`ENV_IPC`].
pub fn create_context(
    config: &Config,
    dir: &Path,
    ipc: Option<&str>,
    online: bool,
) -> Result<(CommandContext, EvalContextOutputs)> {
    write_support_files(config)?;
    let build = dir.join("build");
    std::fs::create_dir_all(&build)?;
    // evcxr reads its settings from `evcxr.toml` in the current directory;
    // the first cell it builds (while being created) already uses them.
    let settings = format!(
        "[evcxr]\n\
         tmpdir = {:?}\n\
         offline_mode = {}\n\
         allow_static_linking = true\n\
         preserve_vars_on_panic = true\n\
         opt_level = {:?}\n",
        build.display().to_string(),
        !online,
        config.opt_level
    );
    std::fs::write(dir.join("evcxr.toml"), settings)?;
    let notebook_dir = std::env::current_dir()?;
    let mut child = std::process::Command::new(std::env::current_exe()?);
    child.current_dir(&notebook_dir);
    if let Some(path) = library_path(&build) {
        child.env("LD_LIBRARY_PATH", path);
    }
    if let Some(ipc) = ipc {
        child.env(ENV_IPC, ipc);
    }
    std::env::set_current_dir(dir)?;
    let created = EvalContext::with_subprocess_command(child);
    std::env::set_current_dir(&notebook_dir)?;
    let (context, outputs) = created.map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((CommandContext::with_eval_context(context), outputs))
}

/// Writes the files shared by the template and all sessions: the cargo
/// configuration that builds dependencies (nn-core and its own) at
/// opt-level 3 while cells stay at [`opt_level`](Config::opt_level), and
/// the [`shared_crate`](Config::shared_crate). Files are only rewritten
/// when their content changes, since cargo compares modification times.
fn write_support_files(config: &Config) -> Result<()> {
    let cargo_config = "# Written by nn-kernel: dependencies of notebook cells build optimised.\n\
                        [profile.dev.package.\"*\"]\nopt-level = 3\ndebug = false\n";
    write_if_changed(&config.cache.join(".cargo/config.toml"), cargo_config)?;
    let manifest = format!(
        "# Written by nn-kernel: nn-core as a dynamic library, one copy per session.\n\
         [package]\nname = \"nn-core-session\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
         [lib]\ncrate-type = [\"dylib\"]\npath = \"lib.rs\"\n\n\
         [dependencies]\nnn-core = {{ path = {:?}{} }}\n",
        config.nn_core.display().to_string(),
        features_entry(&config.nn_core_features)
    );
    write_if_changed(&config.shared_crate().join("Cargo.toml"), &manifest)?;
    write_if_changed(
        &config.shared_crate().join("lib.rs"),
        &crate::cells::session_crate_source(),
    )?;
    Ok(())
}

/// `, features = ["png"]` for nn-core's dependency entry; empty for none.
fn features_entry(features: &[String]) -> String {
    if features.is_empty() {
        String::new()
    } else {
        format!(", features = {features:?}")
    }
}

fn write_if_changed(path: &Path, text: &str) -> Result<()> {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, text)?;
    }
    Ok(())
}

/// Where the process running the cells finds `libstd-*.so` and the
/// session's nn-core library. evcxr loads each cell from a copy one folder
/// above where rustc wrote it, so the cell's relative rpath misses them when
/// the build folder and the toolchain share a parent folder (both under
/// `$HOME`, say); `LD_LIBRARY_PATH` is searched before that rpath.
fn library_path(build: &Path) -> Option<std::ffi::OsString> {
    let output = std::process::Command::new("rustc")
        .args(["--print", "target-libdir"])
        .output()
        .ok()?;
    let libdir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    let triple = libdir.parent()?.file_name()?;
    let deps = build.join("target").join(triple).join("debug/deps");
    // Created now, before the cells' process starts: glibc's loader marks a
    // folder of LD_LIBRARY_PATH that is missing at its first search as
    // missing for the life of the process, so in a fresh build folder (the
    // template being built) loading the first cell that uses nn-core failed
    // ("libnn_core_session.so: cannot open shared object file") and the
    // template was built a second time.
    let _ = std::fs::create_dir_all(&deps);
    let mut paths = vec![libdir, deps];
    if let Some(existing) = std::env::var_os("LD_LIBRARY_PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).ok()
}

#[cfg(test)]
mod tests {
    use super::features_entry;

    #[test]
    fn features_entry_is_toml() {
        assert_eq!(features_entry(&[]), "");
        let features = ["png".to_owned(), "extra".to_owned()];
        assert_eq!(
            features_entry(&features),
            ", features = [\"png\", \"extra\"]"
        );
    }
}
