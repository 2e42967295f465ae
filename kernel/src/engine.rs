//! The kernel's handle on evcxr: one thread owns the evcxr [`Session`] and
//! runs start-up, then cells, completions and inspections in order, from a
//! queue. Interrupts, `chdir` and shutdown come from other threads; they act
//! through the [`Shared`] state and the loopback connection that nn-core,
//! in the process running the cells, opens to the kernel.
//!
//! Start-up (in the background, while the kernel already answers):
//! 1. copy the warmed build template (`nn-kernel install` made it) into this
//!    kernel's own folder — two evcxr sessions must not share one
//!    ([`template`](crate::template));
//! 2. write `evcxr.toml` there (offline, nn-core as a dynamic library, low
//!    opt-level for cells) and create the evcxr context
//!    ([`context`](crate::context));
//! 3. run the start-up cell: `:dep` nn-core by absolute path, `use
//!    nn_core::prelude::*;`, and connect nn-core to the kernel (panic hook,
//!    interrupts). If that fails, the kernel still runs plain Rust and the
//!    first cell shows why ([`session`](crate::session)).

use crate::config::Config;
use crate::display::Sink;
use crate::display::transport::{CHDIR, INTERRUPT};
use crate::errors::CellError;
use crate::protocol::random_hex;
use crate::session::{Session, debug};
use crate::template::new_session_dir;
use crate::timing::Timing;
use anyhow::Result;
use jupyter_protocol::JupyterMessage;
use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// What a cell produced: its result's MIME data, or the error to show.
pub type Outcome = std::result::Result<Value, CellError>;

/// Answers an `input_request`: prompt and password flag in, the user's line out.
pub type InputFn = Box<dyn Fn(&str, bool) -> String + Send>;

/// Work for the engine thread; the answer goes to `done`.
pub enum Job {
    Execute {
        code: String,
        parent: Box<JupyterMessage>,
        silent: bool,
        input: Option<InputFn>,
        /// When the request reached the queue (the timing's `queue`).
        queued: Instant,
        done: oneshot::Sender<(Outcome, Timing)>,
    },
    Complete {
        code: String,
        cursor: usize,
        done: oneshot::Sender<Value>,
    },
    Inspect {
        code: String,
        cursor: usize,
        done: oneshot::Sender<Value>,
    },
}

/// State shared between the engine thread and the threads that interrupt.
pub struct Shared {
    pub sink: Arc<Sink>,
    /// evcxr's handle on the process running the cells (valid across restarts).
    pub child: Mutex<Option<Arc<Mutex<Child>>>>,
    /// The connection nn-core in that process opened for interrupts.
    pub ipc: Mutex<Option<TcpStream>>,
    /// Number of the running cell, 0 when none runs.
    pub running: AtomicU64,
    pub interrupted: AtomicBool,
    pub killed: AtomicBool,
    pub grace: Duration,
    /// [`STARTING`], [`STARTED`], [`WARM`] or [`FAILED`].
    state: AtomicU8,
    nn_core_loaded: AtomicBool,
    /// The folder cells run in, when set after start-up (a standby kernel).
    pub cwd: Mutex<Option<PathBuf>>,
    /// Start-up will compile nn-core: no usable template, or nn-core changed
    /// since it was built.
    compiles_nn_core: AtomicBool,
}

/// How long the engine waits without a job before background work: warming
/// rust-analyzer up, then starting a standby.
const BACKGROUND_WHEN_IDLE: Duration = Duration::from_millis(1500);

/// Engine states: evcxr is starting; cells can run; rust-analyzer is warm
/// too; evcxr failed to start.
const STARTING: u8 = 0;
const STARTED: u8 = 1;
const WARM: u8 = 2;
const FAILED: u8 = 3;

impl Shared {
    /// Tells the process running the cells to move to `dir`.
    pub fn send_chdir(&self, dir: &Path) {
        let mut command = vec![CHDIR];
        command.extend_from_slice(dir.to_string_lossy().as_bytes());
        command.push(b'\n');
        self.send_ipc(&command);
    }

    pub fn send_ipc(&self, bytes: &[u8]) -> bool {
        let mut ipc = self.ipc.lock().unwrap_or_else(|p| p.into_inner());
        match ipc.as_mut().map(|stream| stream.write_all(bytes)) {
            Some(Ok(())) => true,
            Some(Err(_)) => {
                *ipc = None;
                false
            }
            None => false,
        }
    }
}

/// Listens on a loopback port for nn-core's interrupt connection. Returns
/// the address and the token the connection must start with.
pub fn listen_for_nn_core(shared: &Arc<Shared>) -> Result<(std::net::SocketAddr, String)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let address = listener.local_addr()?;
    let token = random_hex();
    let expected = token.clone();
    let shared = shared.clone();
    std::thread::Builder::new()
        .name("nn-core-link".into())
        .spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut line = String::new();
                let mut reader = BufReader::new(&stream);
                if reader.read_line(&mut line).is_ok() && line.trim_end() == expected {
                    let _ = stream.set_nodelay(true);
                    let _ = stream.set_read_timeout(None);
                    *shared.ipc.lock().unwrap_or_else(|p| p.into_inner()) = Some(stream);
                }
            }
        })?;
    Ok((address, token))
}

/// The kernel's handle on the engine thread.
pub struct Engine {
    jobs: std::sync::mpsc::Sender<Job>,
    shared: Arc<Shared>,
    session_dir: PathBuf,
}

impl Engine {
    /// Starts the engine thread, which first initialises evcxr (see the
    /// module docs); jobs sent meanwhile wait for it.
    pub fn start(config: Config, sink: Arc<Sink>) -> Result<Engine> {
        let (session_dir, compiles_nn_core) = new_session_dir(&config)?;
        let shared = Arc::new(Shared {
            sink,
            child: Mutex::new(None),
            ipc: Mutex::new(None),
            running: AtomicU64::new(0),
            interrupted: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            grace: config.interrupt_grace,
            state: AtomicU8::new(STARTING),
            nn_core_loaded: AtomicBool::new(false),
            cwd: Mutex::new(None),
            compiles_nn_core: AtomicBool::new(compiles_nn_core),
        });
        let (jobs, receiver) = std::sync::mpsc::channel();
        let thread_shared = shared.clone();
        let dir = session_dir.clone();
        std::thread::Builder::new()
            .name("evcxr".into())
            .spawn(move || engine_thread(&config, &dir, &thread_shared, receiver))?;
        Ok(Engine {
            jobs,
            shared,
            session_dir,
        })
    }

    /// Runs a cell; output streams to the sink as it is produced. Returns
    /// its outcome and where its time went.
    pub async fn execute(
        &self,
        code: String,
        parent: &JupyterMessage,
        silent: bool,
        input: Option<InputFn>,
    ) -> (Outcome, Timing) {
        let (done, result) = oneshot::channel();
        let job = Job::Execute {
            code,
            parent: Box::new(parent.clone()),
            silent,
            input,
            queued: Instant::now(),
            done,
        };
        if self.jobs.send(job).is_err() {
            return (Err(engine_gone()), Timing::default());
        }
        result
            .await
            .unwrap_or_else(|_| (Err(engine_gone()), Timing::default()))
    }

    /// A `complete_reply`'s content; `cursor` counts code points.
    pub async fn complete(&self, code: String, cursor: usize) -> Value {
        let (done, result) = oneshot::channel();
        let _ = self.jobs.send(Job::Complete { code, cursor, done });
        result
            .await
            .unwrap_or_else(|_| reply_error("the engine stopped"))
    }

    /// An `inspect_reply`'s content; `cursor` counts code points.
    pub async fn inspect(&self, code: String, cursor: usize) -> Value {
        let (done, result) = oneshot::channel();
        let _ = self.jobs.send(Job::Inspect { code, cursor, done });
        result
            .await
            .unwrap_or_else(|_| reply_error("the engine stopped"))
    }

    /// Interrupts the running cell, if any: nn-core loops stop at their next
    /// `check_interrupt()`; a cell still running after the grace period has
    /// its process killed (evcxr starts a new one; variables are lost).
    pub fn interrupt(&self) {
        let cell = self.shared.running.load(Ordering::Acquire);
        if cell == 0 {
            return;
        }
        self.shared.interrupted.store(true, Ordering::Release);
        self.shared.send_ipc(&[INTERRUPT]);
        let shared = self.shared.clone();
        std::thread::spawn(move || {
            std::thread::sleep(shared.grace);
            if shared.running.load(Ordering::Acquire) != cell {
                return;
            }
            let child = shared
                .child
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .clone();
            if let Some(child) = child {
                shared.killed.store(true, Ordering::Release);
                let _ = child.lock().unwrap_or_else(|p| p.into_inner()).kill();
            }
        });
    }

    /// Whether start-up is over (cells then run without waiting).
    pub fn is_started(&self) -> bool {
        self.shared.state.load(Ordering::Acquire) != STARTING
    }

    /// Whether start-up compiles nn-core (slow: worth telling the user).
    pub fn compiles_nn_core(&self) -> bool {
        self.shared.compiles_nn_core.load(Ordering::Acquire)
    }

    /// Waits until start-up and the warm-up are done; `Some(true)` if nn-core
    /// loaded, `Some(false)` if not (or evcxr failed), `None` on time-out.
    pub fn wait_warm(&self, timeout: Duration) -> Option<bool> {
        let deadline = Instant::now() + timeout;
        loop {
            match self.shared.state.load(Ordering::Acquire) {
                WARM => return Some(self.shared.nn_core_loaded.load(Ordering::Acquire)),
                FAILED => return Some(false),
                _ if Instant::now() >= deadline => return None,
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// Moves the kernel and the process running the cells to `dir` (a
    /// kernel started ahead of time, now serving a notebook there).
    pub fn chdir(&self, dir: &Path) -> Result<()> {
        std::env::set_current_dir(dir)?;
        *self.shared.cwd.lock().unwrap_or_else(|p| p.into_inner()) = Some(dir.to_owned());
        self.shared.send_chdir(dir);
        Ok(())
    }

    /// Stops the process running the cells and removes this kernel's folder.
    pub fn shutdown(&self) {
        let child = self
            .shared
            .child
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(child) = child {
            let mut child = child.lock().unwrap_or_else(|p| p.into_inner());
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.session_dir);
    }
}

fn engine_gone() -> CellError {
    CellError::new(
        "EngineError",
        "the Rust engine stopped",
        vec!["The Rust engine stopped; restart the kernel.".into()],
    )
}

pub fn reply_error(message: &str) -> Value {
    json!({ "status": "error", "ename": "EngineError", "evalue": message, "traceback": [] })
}

/// The engine thread: start-up, then one job at a time.
fn engine_thread(
    config: &Config,
    dir: &Path,
    shared: &Arc<Shared>,
    jobs: std::sync::mpsc::Receiver<Job>,
) {
    let started = Instant::now();
    let mut session = match Session::start(config, dir, shared) {
        Ok(session) => session,
        Err(error) => {
            shared.state.store(FAILED, Ordering::Release);
            let message = format!("{error:#}");
            eprintln!("nn-kernel: the Rust engine failed to start: {message}");
            for job in jobs {
                refuse(job, &message);
            }
            return;
        }
    };
    debug(&format!("engine ready after {:.2?}", started.elapsed()));
    shared
        .nn_core_loaded
        .store(session.nn_core_loaded, Ordering::Release);
    shared.state.store(STARTED, Ordering::Release);
    // Cells first. Background work waits until nothing has come for a
    // moment, so that a notebook run cell after cell never competes with
    // it: rust-analyzer's warm-up when it is eager (see `analyzer`), then
    // the standby for the next launch (a standby starting costs ~5 s of
    // CPU); later, letting an idle rust-analyzer go.
    let mut analyzer = crate::analyzer::Analyzer::from_env();
    let mut warmed = false;
    let mut standby_started = false;
    loop {
        let job = match jobs.recv_timeout(BACKGROUND_WHEN_IDLE) {
            Ok(job) => job,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                if !warmed {
                    warmed = true;
                    let analysis = (analyzer.warms_up() && session.nn_core_loaded)
                        .then(|| session.warm_up())
                        .flatten();
                    // Warm once rust-analyzer's analysis is done too.
                    let shared = shared.clone();
                    std::thread::spawn(move || {
                        if let Some(analysis) = analysis {
                            let _ = analysis.join();
                        }
                        shared.state.store(WARM, Ordering::Release);
                    });
                } else if !standby_started
                    && shared.state.load(Ordering::Acquire) == WARM
                    && !crate::standby::waiting_here()
                {
                    standby_started = true;
                    if session.nn_core_loaded {
                        crate::standby::spawn(config);
                    }
                } else if analyzer.should_unload(session.analyzer_loaded(), Instant::now()) {
                    session.unload_analyzer();
                }
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
        };
        let uses_analyzer = matches!(job, Job::Complete { .. } | Job::Inspect { .. });
        session.run(job);
        if uses_analyzer {
            analyzer.used(Instant::now());
        }
    }
}

fn refuse(job: Job, message: &str) {
    let error = CellError::new(
        "EngineError",
        &format!("the Rust engine failed to start: {message}"),
        std::iter::once("The Rust engine (evcxr) failed to start:".to_owned())
            .chain(message.lines().map(str::to_owned))
            .collect(),
    );
    match job {
        Job::Execute { done, .. } => {
            let _ = done.send((Err(error), Timing::default()));
        }
        Job::Complete { done, .. } | Job::Inspect { done, .. } => {
            let _ = done.send(reply_error(message));
        }
    }
}
