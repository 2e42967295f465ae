//! `nn-kernel`: a Jupyter kernel for Rust with nn-core preloaded, over the
//! evcxr engine. See `docs/kernel.md`.
//!
//! - [`server`]: the message loops; [`protocol`]: sockets and messages.
//! - [`engine`]: the engine thread, its job queue, interrupts;
//!   [`session`]: evcxr's session, start-up and cells; [`context`]: evcxr's
//!   context in a build folder; [`output`]: the cells' process output,
//!   forwarded; [`display`]: that output turned into messages; [`errors`]:
//!   failed cells.
//! - [`config`]: the configuration; [`template`]: the build template and
//!   the kernels' folders.
//! - [`complete`]: `is_complete`; [`history`]: `history_request`.
//! - [`install`]: the kernelspec and the build template;
//!   [`standby`]: a kernel started ahead of time.

mod analyzer;
mod build_stamp;
mod cells;
mod complete;
mod config;
mod context;
mod display;
mod engine;
mod errors;
mod history;
mod install;
mod linker;
mod memory_limit;
mod output;
mod parent;
mod private;
mod protocol;
mod server;
mod session;
mod standby;
mod template;
mod timing;

use anyhow::{Context as _, Result, bail};
use std::path::Path;
use std::process::ExitCode;

const HELP: &str = "\
nn-kernel: a Jupyter kernel for Rust with nn-core preloaded (evcxr engine)

USAGE:
    nn-kernel install [--user | --sys-prefix | --prefix DIR] [--no-warm]
        Write the `rust-nn` kernelspec (\"Rust (nn-core)\"), then build nn-core
        into the template that every kernel copies (skip with --no-warm).
        --user (default): the user's Jupyter data folder;
        --sys-prefix: the Python environment's (VIRTUAL_ENV or python3's);
        --prefix DIR: DIR/share/jupyter/kernels.
    nn-kernel uninstall [--user | --sys-prefix | --prefix DIR]
        Remove the kernelspec.
    nn-kernel warm
        Rebuild the template only (after nn-core changed).
    nn-kernel standby [stop | status]
        Start (stop, look for) a kernel that waits, warm, for the next launch;
        each kernel starts one by itself unless NN_KERNEL_STANDBY=0.
    nn-kernel kernel CONNECTION_FILE
        Run the kernel (what Jupyter starts).
    nn-kernel --version | --help

ENVIRONMENT:
    NN_KERNEL_NN_CORE     nn-core crate folder (default: beside the kernel's sources)
    NN_KERNEL_CACHE       template and per-kernel build folders (default: ~/.cache/nn-kernel)
    NN_KERNEL_OPT_LEVEL   opt-level of cells (default 0; dependencies always build at 3)
    NN_KERNEL_FEATURES    nn-core cargo features, e.g. png (PNG figures; default none)
    NN_KERNEL_INTERRUPT_GRACE
                          seconds an interrupted cell may run on before its process
                          is restarted (default 3)
    NN_KERNEL_MEMORY_LIMIT
                          memory the cells' process may use: bytes, 4G, 512M, 25% of the
                          machine, or none (default: half the machine's memory)
    NN_KERNEL_OUTPUT_LIMIT
                          bytes of text a cell may print before the rest is cut
                          (default 1000000; 0: no limit)
    NN_KERNEL_OUTPUT_LINES
                          lines a cell may print before the rest is cut (default 10000)
    NN_KERNEL_ANALYZER    lazy (default): rust-analyzer (completion, inspection) loaded at the
                          first Tab and let go when idle; eager: warmed up at start, kept
    NN_KERNEL_ANALYZER_IDLE
                          seconds without a Tab before rust-analyzer is let go (default 600;
                          never: kept)
    NN_KERNEL_STANDBY     0: no standby kernels (each launch starts evcxr itself)
    NN_KERNEL_STANDBY_IDLE
                          seconds a standby waits to be used before exiting (default 3600)
    NN_KERNEL_DEBUG       print start-up and cell timings to the kernel's stderr
";

fn main() -> ExitCode {
    // evcxr runs this same executable as the process that evaluates cells (and
    // as a rustc wrapper); in those roles this call does not return.
    if std::env::var_os("EVCXR_IS_RUNTIME").is_some() {
        memory_limit::apply_in_cells_process();
    }
    evcxr::runtime_hook();
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("nn-kernel: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result<()> {
    let rest = args.get(1..).unwrap_or_default();
    match args.first().map(String::as_str) {
        Some("kernel") => {
            let file = rest.first().context("missing the connection file")?;
            server::run(Path::new(file))
        }
        Some("install") => install::install(rest),
        Some("uninstall") => install::uninstall(rest),
        Some("warm") => install::warm(),
        Some("standby") => {
            let config = config::Config::from_env()?;
            match rest.first().map(String::as_str) {
                None => standby::run(&config),
                Some("stop") => standby::stop(&config),
                Some("status") => standby::status(&config),
                Some(other) => bail!("unknown standby command `{other}`"),
            }
        }
        Some("--version" | "-V") => {
            println!("nn-kernel {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        None | Some("--help" | "-h" | "help") => {
            print!("{HELP}");
            Ok(())
        }
        Some(other) => bail!("unknown command `{other}`; see `nn-kernel --help`"),
    }
}
