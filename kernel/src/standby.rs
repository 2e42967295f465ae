//! A kernel started ahead of time. Starting evcxr (rust-analyzer loading the
//! standard library and nn-core, the start-up cell, the warm-up) takes
//! several seconds, more than a student should wait for a first cell. So each
//! kernel, once running, starts one *standby*: an `nn-kernel standby`
//! process that starts its engine and waits on a Unix socket. The next
//! `nn-kernel kernel CONNECTION_FILE` that Jupyter launches hands the
//! connection file to the standby, which binds the sockets and serves the
//! notebook with its warm engine; the launched process stays as its
//! stand-in (Jupyter watches that process) until the kernel exits.
//!
//! A standby is used only if it was started for the same configuration and
//! nn-core has not changed since (file modification times); otherwise it
//! exits and the launch starts normally. It exits on its own after an hour
//! unclaimed (`NN_KERNEL_STANDBY_IDLE`, seconds). `NN_KERNEL_STANDBY=0`
//! turns standbys off.

use crate::config::Config;
use crate::engine::Engine;
use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a launch sends to the standby.
#[derive(Serialize, Deserialize)]
struct Claim {
    stamp: String,
    fingerprint: String,
    /// The notebook's folder.
    cwd: PathBuf,
    /// The connection file's text.
    connection: String,
    /// Set instead by `nn-kernel standby stop`.
    #[serde(default)]
    stop: bool,
}

#[derive(Serialize, Deserialize)]
struct Answer {
    accepted: bool,
    pid: u32,
}

/// Set in a standby that exits unclaimed (stopped, idle, of no use, failed):
/// its engine, warm and idle, would otherwise start another standby in the
/// moment between this one's socket going away and the process exiting.
static LEAVING: AtomicBool = AtomicBool::new(false);

/// Set while this process is a standby waiting to be claimed: its engine
/// must not count the standby for the next launch as started (it is that
/// standby); once claimed, its engine starts the next one when idle.
static WAITING_HERE: AtomicBool = AtomicBool::new(false);

/// Whether this process is a standby not yet claimed.
pub fn waiting_here() -> bool {
    WAITING_HERE.load(Ordering::SeqCst)
}

/// Stops an unclaimed standby's engine; no other standby starts from it.
fn leave(engine: &Engine) {
    LEAVING.store(true, Ordering::SeqCst);
    engine.shutdown();
}

/// Whether standbys are enabled (`NN_KERNEL_STANDBY` is not `0`).
pub fn enabled() -> bool {
    std::env::var("NN_KERNEL_STANDBY").map_or(true, |v| v != "0")
}

/// Where a warm standby listens for a launch.
fn socket(config: &Config) -> PathBuf {
    config.cache.join("standby.sock")
}

/// Held (listened on) by a standby while it starts, so that only one starts.
fn starting_socket(config: &Config) -> PathBuf {
    config.cache.join("standby-starting.sock")
}

/// Written by `nn-kernel standby stop`: a standby that started before it
/// exits instead of waiting.
fn stop_file(config: &Config) -> PathBuf {
    config.cache.join("standby.stop")
}

/// Whether a socket at `path` has a listener.
fn listening(path: &Path) -> bool {
    UnixStream::connect(path).is_ok()
}

/// nn-core's sources (see [`Config::nn_core_fingerprint`]) and this
/// executable, which a rebuild replaces.
fn fingerprint(config: &Config) -> String {
    let exe = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| format!("{}:{:?}", m.len(), m.modified().ok()))
        .unwrap_or_default();
    format!("{}/{exe}", config.nn_core_fingerprint())
}

/// In a launched kernel: gives the connection to a waiting standby. Returns
/// `false` if there is none to use; otherwise stands in for the kernel the
/// standby became and exits with it (never returns).
pub fn hand_over(config: &Config, connection: &str) -> bool {
    let Ok(mut stream) = UnixStream::connect(socket(config)) else {
        return false;
    };
    let claim = Claim {
        stamp: config.stamp(),
        fingerprint: fingerprint(config),
        cwd: std::env::current_dir().unwrap_or_default(),
        connection: connection.to_owned(),
        stop: false,
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let sent = serde_json::to_string(&claim)
        .map(|line| stream.write_all(format!("{line}\n").as_bytes()).is_ok())
        .unwrap_or(false);
    let mut line = String::new();
    let answer = match BufReader::new(&stream).read_line(&mut line) {
        Ok(n) if sent && n > 0 => serde_json::from_str::<Answer>(&line).ok(),
        _ => None,
    };
    let Some(Answer {
        accepted: true,
        pid,
    }) = answer
    else {
        return false;
    };
    stand_in(stream, pid)
}

/// Waits until the kernel (process `pid`) closes `stream`, forwarding
/// SIGTERM (Jupyter's way to stop a kernel that does not answer) and
/// ignoring SIGINT, as the kernel does.
fn stand_in(mut stream: UnixStream, pid: u32) -> ! {
    let _ = stream.set_read_timeout(None);
    std::thread::spawn(move || {
        let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        runtime.block_on(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut term), Ok(mut int)) = (
                signal(SignalKind::terminate()),
                signal(SignalKind::interrupt()),
            ) else {
                return;
            };
            loop {
                tokio::select! {
                    _ = term.recv() => {
                        let _ = std::process::Command::new("kill")
                            .args(["-TERM", &pid.to_string()])
                            .status();
                    }
                    _ = int.recv() => {}
                }
            }
        });
    });
    let mut byte = [0u8; 1];
    while matches!(stream.read(&mut byte), Ok(n) if n > 0) {}
    std::process::exit(0);
}

/// Starts a standby for the next launch, in its own process group (so that
/// stopping this kernel's group leaves it alone), unless one is waiting.
pub fn spawn(config: &Config) {
    if LEAVING.load(Ordering::SeqCst)
        || !enabled()
        || listening(&socket(config))
        || listening(&starting_socket(config))
    {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let log = std::fs::File::create(config.cache.join("standby.log"));
    let mut command = std::process::Command::new(exe);
    command
        .arg("standby")
        .current_dir(&config.cache)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    match log {
        Ok(log) => command.stderr(log),
        Err(_) => command.stderr(std::process::Stdio::null()),
    };
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    if let Err(error) = command.spawn() {
        eprintln!("nn-kernel: cannot start a standby kernel: {error}");
    }
}

/// `nn-kernel standby status`: whether a standby is waiting.
pub fn status(config: &Config) -> Result<()> {
    if listening(&socket(config)) {
        println!("waiting");
    } else {
        println!("none");
    }
    Ok(())
}

/// `nn-kernel standby stop`: asks a waiting standby to exit.
pub fn stop(config: &Config) -> Result<()> {
    // Also stops one that is still starting.
    std::fs::write(stop_file(config), b"")?;
    let Ok(mut stream) = UnixStream::connect(socket(config)) else {
        println!("No standby kernel is waiting.");
        return Ok(());
    };
    let claim = Claim {
        stamp: String::new(),
        fingerprint: String::new(),
        cwd: PathBuf::new(),
        connection: String::new(),
        stop: true,
    };
    stream.write_all(format!("{}\n", serde_json::to_string(&claim)?).as_bytes())?;
    let _ = stream.read(&mut [0u8; 1]);
    println!("Stopped the standby kernel.");
    Ok(())
}

/// `nn-kernel standby`: starts an engine, waits for a launch to claim it,
/// then serves that launch's notebook.
pub fn run(config: &Config) -> Result<()> {
    let path = socket(config);
    let starting = starting_socket(config);
    if listening(&path) || listening(&starting) {
        return Ok(()); // another standby is waiting or starting
    }
    // The sockets are in the cache folder, private to this user, and
    // themselves `0600`: another user must not claim this user's kernel.
    config.private_cache()?;
    let _ = std::fs::remove_file(&starting);
    let lock = UnixListener::bind(&starting)
        .with_context(|| format!("cannot listen on {}", starting.display()))?;
    crate::private::socket(&starting)
        .with_context(|| format!("cannot make {} private", starting.display()))?;
    let started = std::time::SystemTime::now();
    let stamp = config.stamp();
    let fingerprint = fingerprint(config);
    let (iopub, published) = tokio::sync::mpsc::unbounded_channel();
    let sink = std::sync::Arc::new(crate::display::Sink::new(iopub.clone()));
    WAITING_HERE.store(true, Ordering::SeqCst);
    let engine = Engine::start(config.clone(), sink)?;
    if engine.wait_warm(Duration::from_secs(1800)) != Some(true) {
        leave(&engine);
        let _ = std::fs::remove_file(&starting);
        anyhow::bail!("the standby's engine did not start with nn-core");
    }
    let stopped = std::fs::metadata(stop_file(config))
        .and_then(|m| m.modified())
        .is_ok_and(|stop| stop >= started);
    if stopped {
        leave(&engine);
        let _ = std::fs::remove_file(&starting);
        return Ok(());
    }
    // Only now, warm, does it take launches.
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)
        .with_context(|| format!("cannot listen on {}", path.display()))?;
    if let Err(error) = crate::private::socket(&path) {
        LEAVING.store(true, Ordering::SeqCst);
        drop(listener);
        let _ = std::fs::remove_file(&path);
        let _ = std::fs::remove_file(&starting);
        leave(&engine);
        return Err(error).with_context(|| format!("cannot make {} private", path.display()));
    }
    drop(lock);
    let _ = std::fs::remove_file(&starting);
    let idle = std::env::var("NN_KERNEL_STANDBY_IDLE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3600.0);
    let deadline = Instant::now() + Duration::from_secs_f64(idle);
    listener.set_nonblocking(true)?;
    let (stream, claim) = loop {
        if Instant::now() >= deadline {
            break (None, None);
        }
        match listener.accept() {
            Ok((stream, _)) => {
                let _ = stream.set_nonblocking(false);
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                let claim = BufReader::new(&stream)
                    .read_line(&mut line)
                    .ok()
                    .and_then(|_| serde_json::from_str::<Claim>(&line).ok());
                match claim {
                    Some(claim) if claim.stop => break (None, None),
                    Some(claim) if claim.stamp == stamp && claim.fingerprint == fingerprint => {
                        break (Some(stream), Some(claim));
                    }
                    Some(_) => {
                        // Another configuration, or nn-core changed: useless.
                        answer(&stream, false);
                        break (None, None);
                    }
                    None => continue,
                }
            }
            Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(_) => break (None, None),
        }
    };
    if stream.is_none() {
        LEAVING.store(true, Ordering::SeqCst);
    }
    drop(listener);
    let _ = std::fs::remove_file(&path);
    WAITING_HERE.store(false, Ordering::SeqCst);
    let (Some(stream), Some(claim)) = (stream, claim) else {
        leave(&engine);
        return Ok(());
    };
    let info: jupyter_protocol::ConnectionInfo = match serde_json::from_str(&claim.connection) {
        Ok(info) => info,
        Err(error) => {
            answer(&stream, false);
            leave(&engine);
            return Err(error.into());
        }
    };
    if let Err(error) = engine.chdir(&claim.cwd) {
        eprintln!("nn-kernel: cannot move to {}: {error}", claim.cwd.display());
    }
    answer(&stream, true);
    // When the stand-in goes (Jupyter killed it), so does the kernel,
    // leaving a standby for the next launch.
    let engine = std::sync::Arc::new(engine);
    {
        let engine = engine.clone();
        let config = config.clone();
        let mut stream = stream;
        std::thread::spawn(move || {
            let _ = stream.set_read_timeout(None);
            let mut byte = [0u8; 1];
            while matches!(stream.read(&mut byte), Ok(n) if n > 0) {}
            engine.shutdown();
            spawn(&config);
            std::process::exit(0);
        });
    }
    crate::server::serve_with(info, engine, iopub, published, config.clone())
}

fn answer(mut stream: &UnixStream, accepted: bool) {
    let answer = Answer {
        accepted,
        pid: std::process::id(),
    };
    if let Ok(line) = serde_json::to_string(&answer) {
        let _ = stream.write_all(format!("{line}\n").as_bytes());
    }
}
