//! `nn-kernel install` / `uninstall`: the `rust-nn` kernelspec, and the build
//! template that makes a kernel's start-up compile nothing but the cell.

use crate::config::Config;
use crate::template;
use anyhow::{Context as _, Result, bail};
use serde_json::json;
use std::path::{Path, PathBuf};

/// The kernelspec's folder name, which notebooks record as `kernelspec.name`.
pub const KERNEL_NAME: &str = "rust-nn";

const LOGO_32: &[u8] = include_bytes!("../assets/logo-32x32.png");
const LOGO_64: &[u8] = include_bytes!("../assets/logo-64x64.png");
const LOGO_SVG: &[u8] = include_bytes!("../assets/logo-svg.svg");

/// Where the kernelspec goes.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// The user's Jupyter data folder (default).
    User,
    /// The Python environment that runs Jupyter (`sys.prefix`).
    SysPrefix,
    /// `PREFIX/share/jupyter/kernels`.
    Prefix(PathBuf),
}

struct Options {
    target: Target,
    warm: bool,
}

fn parse(args: &[String], allow_no_warm: bool) -> Result<Options> {
    let mut options = Options {
        target: Target::User,
        warm: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--user" => options.target = Target::User,
            "--sys-prefix" => options.target = Target::SysPrefix,
            "--prefix" => {
                let dir = args.next().context("--prefix needs a folder")?;
                options.target = Target::Prefix(PathBuf::from(dir));
            }
            "--no-warm" if allow_no_warm => options.warm = false,
            other => bail!("unknown option `{other}`; see `nn-kernel --help`"),
        }
    }
    Ok(options)
}

/// `nn-kernel install [--user | --sys-prefix | --prefix DIR] [--no-warm]`.
pub fn install(args: &[String]) -> Result<()> {
    let options = parse(args, true)?;
    let dir = kernels_dir(&options.target)?.join(KERNEL_NAME);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let exe = std::env::current_exe()?.canonicalize()?;
    let mut env = serde_json::Map::new();
    // A kernel must use the nn-core and cache its template was built for.
    for var in [
        "NN_KERNEL_NN_CORE",
        "NN_KERNEL_CACHE",
        "NN_KERNEL_OPT_LEVEL",
        "NN_KERNEL_FEATURES",
    ] {
        if let Ok(value) = std::env::var(var) {
            env.insert(var.into(), value.into());
        }
    }
    let spec = json!({
        "argv": [exe.to_string_lossy(), "kernel", "{connection_file}"],
        "display_name": "Rust (nn-core)",
        "language": "rust",
        "interrupt_mode": "message",
        "env": env,
        "metadata": { "nn-kernel": { "version": env!("CARGO_PKG_VERSION") } },
    });
    std::fs::write(
        dir.join("kernel.json"),
        serde_json::to_string_pretty(&spec)? + "\n",
    )?;
    std::fs::write(dir.join("logo-32x32.png"), LOGO_32)?;
    std::fs::write(dir.join("logo-64x64.png"), LOGO_64)?;
    std::fs::write(dir.join("logo-svg.svg"), LOGO_SVG)?;
    let config = Config::from_env()?;
    install_docs(&config, &dir)?;
    println!("Installed kernelspec `{KERNEL_NAME}` in {}", dir.display());
    if options.warm {
        if template::template_is_current(&config) {
            println!(
                "The kernel template {} is up to date.",
                config.template().display()
            );
        } else {
            warm()?;
        }
    }
    Ok(())
}

/// Where the kernel's "nn-core" help link points: Jupyter serves a
/// kernelspec's files at `/kernelspecs/<name>/…`, so the API documentation
/// copied into the kernelspec is one click away in JupyterLab's Help menu.
pub const DOCS_URL: &str = "/kernelspecs/rust-nn/doc/nn_core/index.html";

/// Copies nn-core's rustdoc (`cargo doc -p nn-core --no-deps`, which
/// install.sh runs) into the kernelspec's `doc/`; without it, a page there
/// says how to build it.
fn install_docs(config: &Config, kernelspec: &Path) -> Result<()> {
    let built = config.nn_core.join("../target/doc");
    let target = kernelspec.join("doc");
    if target.exists() {
        std::fs::remove_dir_all(&target)?;
    }
    if built.join("nn_core/index.html").exists() {
        copy_dir(&built, &target)?;
    } else {
        std::fs::create_dir_all(target.join("nn_core"))?;
        std::fs::write(
            target.join("nn_core/index.html"),
            "<!doctype html><title>nn-core</title><p>nn-core's documentation was not built. \
             Run <code>cargo doc -p nn-core --no-deps</code> in the repository, then \
             <code>nn-kernel install</code> again (<code>./install.sh</code> does both).</p>\n",
        )?;
    }
    Ok(())
}

fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let (src, dst) = (entry.path(), to.join(entry.file_name()));
        if entry.file_type()?.is_dir() {
            copy_dir(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)?;
        }
    }
    Ok(())
}

/// `nn-kernel warm`: builds nn-core into the template that kernels copy.
pub fn warm() -> Result<()> {
    let config = Config::from_env()?;
    println!(
        "Building nn-core ({}) into the kernel template {} ...",
        config.nn_core.display(),
        config.template().display()
    );
    let started = std::time::Instant::now();
    template::warm(&config)?;
    println!("Template ready in {:.1?}.", started.elapsed());
    Ok(())
}

/// `nn-kernel uninstall [--user | --sys-prefix | --prefix DIR]`.
pub fn uninstall(args: &[String]) -> Result<()> {
    let options = parse(args, false)?;
    let dir = kernels_dir(&options.target)?.join(KERNEL_NAME);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
        println!("Removed {}", dir.display());
    } else {
        println!("No kernelspec at {}", dir.display());
    }
    Ok(())
}

/// The `kernels` folder for `target`, following `jupyter --paths`.
fn kernels_dir(target: &Target) -> Result<PathBuf> {
    let data = match target {
        Target::User => user_data_dir()?,
        Target::SysPrefix => sys_prefix()?.join("share/jupyter"),
        Target::Prefix(prefix) => prefix.join("share/jupyter"),
    };
    Ok(data.join("kernels"))
}

fn user_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let home = PathBuf::from(std::env::var_os("HOME").context("HOME is not set")?);
    if cfg!(target_os = "macos") {
        return Ok(home.join("Library/Jupyter"));
    }
    Ok(match std::env::var_os("XDG_DATA_HOME") {
        Some(data) if !data.is_empty() => PathBuf::from(data).join("jupyter"),
        _ => home.join(".local/share/jupyter"),
    })
}

/// `sys.prefix` of the active virtual environment, or of `python3`.
fn sys_prefix() -> Result<PathBuf> {
    if let Some(venv) = std::env::var_os("VIRTUAL_ENV") {
        return Ok(PathBuf::from(venv));
    }
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let output = std::process::Command::new(&python)
        .args(["-c", "import sys; print(sys.prefix)"])
        .output()
        .with_context(|| format!("--sys-prefix needs `{python}` to find sys.prefix"))?;
    if !output.status.success() {
        bail!("`{python}` could not tell sys.prefix");
    }
    let prefix = String::from_utf8(output.stdout)?.trim().to_owned();
    Ok(Path::new(&prefix).to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options() {
        assert_eq!(parse(&args(&[]), true).unwrap().target, Target::User);
        let options = parse(&args(&["--prefix", "/x", "--no-warm"]), true).unwrap();
        assert_eq!(options.target, Target::Prefix("/x".into()));
        assert!(!options.warm);
        assert!(parse(&args(&["--no-warm"]), false).is_err());
        assert!(parse(&args(&["--prefix"]), true).is_err());
        assert_eq!(
            kernels_dir(&Target::Prefix("/p".into())).unwrap(),
            Path::new("/p/share/jupyter/kernels")
        );
    }
}
