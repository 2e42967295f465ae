//! The bridge to evcxr: one thread owns evcxr's `CommandContext` and runs
//! start-up, cells, completion and inspection in order; interrupts come from
//! other threads.
//!
//! Start-up (in the background, while the kernel already answers):
//! 1. copy the warmed build template (`nn-kernel install` made it) into this
//!    kernel's own folder — two evcxr sessions must not share one;
//! 2. write `evcxr.toml` there (offline, nn-core as a dynamic library, low
//!    opt-level for cells) and create the evcxr context;
//! 3. run the start-up cell: `:dep` nn-core by absolute path, `use
//!    nn_core::prelude::*;`, and connect nn-core to the kernel (panic hook,
//!    interrupts). If that fails, the kernel still runs plain Rust and the
//!    first cell shows why.

use crate::display::transport::{CHDIR, ENV_IPC, INTERRUPT, Message, RESET, SYNC};
use crate::display::{Sink, Stream, mime_data};
use crate::errors::CellError;
use crate::protocol::random_hex;
use anyhow::{Context as _, Result, bail};
use evcxr::{CommandContext, EvalCallbacks, EvalContext, EvalContextOutputs};
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
    /// How long an interrupted cell may take to stop before the process
    /// running it is killed.
    pub interrupt_grace: Duration,
}

impl Config {
    /// From the environment: `NN_KERNEL_NN_CORE`, `NN_KERNEL_CACHE`,
    /// `NN_KERNEL_OPT_LEVEL`, `NN_KERNEL_INTERRUPT_GRACE` (seconds), with
    /// defaults: the nn-core beside the kernel's sources, `~/.cache/nn-kernel`,
    /// `0`, 3 s.
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
        Ok(Config {
            nn_core,
            cache,
            opt_level,
            interrupt_grace: Duration::from_secs_f64(grace),
        })
    }

    /// The warmed build folder that each kernel copies.
    pub fn template(&self) -> PathBuf {
        self.cache.join("template")
    }

    fn sessions(&self) -> PathBuf {
        self.cache.join("sessions")
    }

    /// The state of nn-core's sources: the newest modification time and the
    /// number of files, over nn-core (with its derive crate) and the
    /// workspace's lock file. Changes when nn-core is edited.
    pub fn nn_core_fingerprint(&self) -> String {
        fn walk(dir: &Path, newest: &mut std::time::SystemTime, count: &mut u64) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path
                    .file_name()
                    .is_some_and(|n| n == "target" || n == ".git")
                {
                    continue;
                }
                let Ok(meta) = entry.metadata() else { continue };
                if meta.is_dir() {
                    walk(&path, newest, count);
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
        walk(&self.nn_core, &mut newest, &mut count);
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
        format!(
            "nn-kernel {} evcxr 0.22.0 rustc {}\nnn-core {}\nopt-level {}\n",
            env!("CARGO_PKG_VERSION"),
            env!("NN_KERNEL_RUSTC_VERSION"),
            self.nn_core.display(),
            self.opt_level
        )
    }

    /// The crate that cells depend on under the name `nn_core`: nn-core
    /// re-exported from a dynamic library, so that nn-core's statics
    /// (generator, print options, grad mode, interrupt flag) exist once per
    /// session. evcxr links a statically linked dependency into every cell,
    /// giving each cell its own copy. (evcxr's `:allow_static_linking 0`
    /// would do the same for all crates, but its rustc wrapper fails on
    /// `no_std` dependencies such as `rawpointer` with current rustc.)
    fn shared_crate(&self) -> PathBuf {
        self.cache.join("nn-core-session")
    }

    /// Writes the files shared by the template and all sessions: the cargo
    /// configuration that builds dependencies (nn-core and its own) at
    /// opt-level 3 while cells stay at [`opt_level`](Self::opt_level), and
    /// the [`shared_crate`](Self::shared_crate). Files are only rewritten
    /// when their content changes, since cargo compares modification times.
    pub fn write_support_files(&self) -> Result<()> {
        let cargo_config = "# Written by nn-kernel: dependencies of notebook cells build optimised.\n\
                            [profile.dev.package.\"*\"]\nopt-level = 3\ndebug = false\n";
        write_if_changed(&self.cache.join(".cargo/config.toml"), cargo_config)?;
        let manifest = format!(
            "# Written by nn-kernel: nn-core as a dynamic library, one copy per session.\n\
             [package]\nname = \"nn-core-session\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n\
             [lib]\ncrate-type = [\"dylib\"]\npath = \"lib.rs\"\n\n\
             [dependencies]\nnn-core = {{ path = {:?} }}\n",
            self.nn_core.display().to_string()
        );
        write_if_changed(&self.shared_crate().join("Cargo.toml"), &manifest)?;
        write_if_changed(&self.shared_crate().join("lib.rs"), "pub use nn_core::*;\n")?;
        Ok(())
    }
}

/// What a cell produced: its result's MIME data, or the error to show.
pub type Outcome = std::result::Result<Value, CellError>;

/// Answers an `input_request`: prompt and password flag in, the user's line out.
pub type InputFn = Box<dyn Fn(&str, bool) -> String + Send>;

enum Job {
    Execute {
        code: String,
        parent: Box<JupyterMessage>,
        silent: bool,
        input: Option<InputFn>,
        done: oneshot::Sender<Outcome>,
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
struct Shared {
    sink: Arc<Sink>,
    /// evcxr's handle on the process running the cells (valid across restarts).
    child: Mutex<Option<Arc<Mutex<Child>>>>,
    /// The connection nn-core in that process opened for interrupts.
    ipc: Mutex<Option<TcpStream>>,
    /// Number of the running cell, 0 when none runs.
    running: AtomicU64,
    interrupted: AtomicBool,
    killed: AtomicBool,
    grace: Duration,
    /// [`STARTING`], [`STARTED`], [`WARM`] or [`FAILED`].
    state: AtomicU8,
    nn_core_loaded: AtomicBool,
    /// The folder cells run in, when set after start-up (a standby kernel).
    cwd: Mutex<Option<PathBuf>>,
    /// Start-up will compile nn-core: no usable template, or nn-core changed
    /// since it was built.
    compiles_nn_core: AtomicBool,
}

/// Engine states: evcxr is starting; cells can run; rust-analyzer is warm
/// too; evcxr failed to start.
const STARTING: u8 = 0;
const STARTED: u8 = 1;
const WARM: u8 = 2;
const FAILED: u8 = 3;

impl Shared {
    /// Tells the process running the cells to move to `dir`.
    fn send_chdir(&self, dir: &Path) {
        let mut command = vec![CHDIR];
        command.extend_from_slice(dir.to_string_lossy().as_bytes());
        command.push(b'\n');
        self.send_ipc(&command);
    }

    fn send_ipc(&self, bytes: &[u8]) -> bool {
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

    /// Runs a cell; output streams to the sink as it is produced.
    pub async fn execute(
        &self,
        code: String,
        parent: &JupyterMessage,
        silent: bool,
        input: Option<InputFn>,
    ) -> Outcome {
        let (done, result) = oneshot::channel();
        let job = Job::Execute {
            code,
            parent: Box::new(parent.clone()),
            silent,
            input,
            done,
        };
        if self.jobs.send(job).is_err() {
            return Err(engine_gone());
        }
        result.await.unwrap_or_else(|_| Err(engine_gone()))
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

fn reply_error(message: &str) -> Value {
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
    // Cells first; the warm-up when nothing waits.
    let mut warmed = false;
    loop {
        let job = match jobs.try_recv() {
            Ok(job) => job,
            Err(std::sync::mpsc::TryRecvError::Empty) if !warmed => {
                if session.nn_core_loaded {
                    session.warm_up();
                }
                warmed = true;
                shared.state.store(WARM, Ordering::Release);
                continue;
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => match jobs.recv() {
                Ok(job) => job,
                Err(_) => return,
            },
            Err(std::sync::mpsc::TryRecvError::Disconnected) => return,
        };
        session.run(job);
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
            let _ = done.send(Err(error));
        }
        Job::Complete { done, .. } | Job::Inspect { done, .. } => {
            let _ = done.send(reply_error(message));
        }
    }
}

/// evcxr's context plus what the engine thread knows about it.
struct Session {
    context: CommandContext,
    shared: Arc<Shared>,
    flush: crossbeam_channel::Sender<Flush>,
    /// Number of the last `sync` asked of nn-core.
    syncs: u64,
    /// Why nn-core could not be loaded, shown by the first cell.
    startup_error: Option<String>,
    nn_core_loaded: bool,
    cells: u64,
}

impl Session {
    fn start(config: &Config, dir: &Path, shared: &Arc<Shared>) -> Result<Session> {
        let (listener, token) = listen_for_nn_core(shared)?;
        let ipc = format!("{} {token}", listener);
        let started = Instant::now();
        let (context, outputs) = create_context(config, dir, Some(&ipc), false)?;
        debug(&format!(
            "evcxr context created in {:.2?}",
            started.elapsed()
        ));
        *shared.child.lock().unwrap_or_else(|p| p.into_inner()) = Some(context.process_handle());
        let (flush, flush_requests) = crossbeam_channel::unbounded();
        let sink = shared.sink.clone();
        std::thread::Builder::new()
            .name("child-output".into())
            .spawn(move || forward_output(outputs, &flush_requests, &sink))?;
        let mut session = Session {
            context,
            shared: shared.clone(),
            flush,
            syncs: 0,
            startup_error: None,
            nn_core_loaded: false,
            cells: 0,
        };
        let started = Instant::now();
        let loaded = session.context.execute(&startup_cell(config));
        debug(&format!("start-up cell ran in {:.2?}", started.elapsed()));
        match loaded {
            Ok(_) => session.nn_core_loaded = true,
            Err(error) => {
                let error = CellError::from_evcxr(&error, "");
                session.startup_error = Some(format!(
                    "nn-kernel: nn-core ({}) could not be loaded, so this session runs plain Rust:\n{}\n",
                    config.nn_core.display(),
                    error.traceback.join("\n")
                ));
            }
        }
        Ok(session)
    }

    fn run(&mut self, job: Job) {
        match job {
            Job::Execute {
                code,
                parent,
                silent,
                input,
                done,
            } => {
                let outcome = self.execute(&code, &parent, silent, input);
                let _ = done.send(outcome);
            }
            Job::Complete { code, cursor, done } => {
                let _ = done.send(self.complete(&code, cursor));
            }
            Job::Inspect { code, cursor, done } => {
                let _ = done.send(self.inspect(&code, cursor));
            }
        }
    }

    fn execute(
        &mut self,
        code: &str,
        parent: &JupyterMessage,
        silent: bool,
        input: Option<InputFn>,
    ) -> Outcome {
        let shared = self.shared.clone();
        self.cells += 1;
        shared.sink.begin(parent, silent);
        if let Some(notice) = self.startup_error.take() {
            shared.sink.stream(Stream::Stderr, &notice);
        }
        shared.running.store(self.cells, Ordering::Release);
        let result = self.context.execute_with_callbacks(
            code,
            &mut EvalCallbacks {
                input_reader: &|request| match &input {
                    Some(read) => read(&request.prompt, request.is_password),
                    None => String::new(),
                },
            },
        );
        shared.running.store(0, Ordering::Release);
        if let Ok(outputs) = &result {
            let phases: Vec<String> = outputs
                .phases
                .iter()
                .map(|p| format!("{} {:.2?}", p.name, p.duration))
                .collect();
            debug(&format!("cell {}: {}", self.cells, phases.join(", ")));
        }
        self.flush_output();
        let load_failed = shared.sink.load_failed();
        let panic = shared.sink.end();
        let killed = shared.killed.swap(false, Ordering::AcqRel);
        if shared.interrupted.swap(false, Ordering::AcqRel) {
            shared.send_ipc(&[RESET]);
        }
        match result {
            Ok(outputs) => match panic {
                Some(panic) => Err(CellError::from_panic(&panic)),
                None => {
                    let mut data = outputs.content_by_mime_type;
                    if let Some(timing) = outputs.timing {
                        shared
                            .sink
                            .stream(Stream::Stderr, &format!("took {}ms\n", timing.as_millis()));
                    }
                    if data.is_empty() {
                        Ok(Value::Null)
                    } else {
                        data.entry("text/plain".into()).or_default();
                        Ok(mime_data(data))
                    }
                }
            },
            Err(error) => {
                let restarted = matches!(error, evcxr::Error::SubprocessTerminated(_));
                if restarted {
                    self.reattach();
                }
                if killed {
                    Err(CellError::new(
                        "KeyboardInterrupt",
                        "the cell did not stop, so its process was restarted: all variables were lost",
                        vec![
                            format!(
                                "\x1b[1;31mKeyboardInterrupt\x1b[0m: the cell did not stop within {:.1} s \
                             of the interrupt, so the Rust process running it was killed and restarted.",
                                shared.grace.as_secs_f64()
                            ),
                            "All variables were lost. Definitions, `use`s and `:dep`s are kept; \
                         nn-core is connected again."
                                .into(),
                        ],
                    ))
                } else if restarted && load_failed {
                    Err(CellError::new(
                        "ProcessExited",
                        "nn-core changed on disk and was rebuilt, so the Rust process was \
                         restarted to load it: all variables were lost; run the cell again",
                        vec![
                            "\x1b[1;31mnn-core changed on disk\x1b[0m and was rebuilt, so the \
                             Rust process running the cells was restarted to load it."
                                .into(),
                            "All variables were lost; run the cell again.".into(),
                        ],
                    ))
                } else if let (Some(panic), false) = (&panic, restarted) {
                    Err(CellError::from_panic(panic))
                } else {
                    Err(CellError::from_evcxr(&error, code))
                }
            }
        }
    }

    /// rust-analyzer's first type inference involving nn-core costs seconds;
    /// pay it while the kernel is idle rather than in the user's first `let`.
    fn warm_up(&mut self) {
        let started = Instant::now();
        let _ = self.context.execute(WARM_UP_CELL);
        debug(&format!("warm-up cell ran in {:.2?}", started.elapsed()));
    }

    /// After evcxr restarted the process running the cells: connect nn-core
    /// in the new process to the kernel again.
    fn reattach(&mut self) {
        if !self.nn_core_loaded {
            return;
        }
        // The old process's connection is gone; the new one connects when
        // nn-core attaches below.
        *self.shared.ipc.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if let Err(error) = self
            .context
            .execute("nn_core::notebook::attach_to_kernel();")
        {
            eprintln!("nn-kernel: reconnecting nn-core failed: {error}");
            return;
        }
        let cwd = self
            .shared
            .cwd
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        if let Some(dir) = cwd {
            // The new process connects to the kernel in the background; give
            // it a moment before sending it the folder.
            for _ in 0..100 {
                if self
                    .shared
                    .ipc
                    .lock()
                    .map(|ipc| ipc.is_some())
                    .unwrap_or(false)
                {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            self.shared.send_chdir(&dir);
        }
    }

    /// Waits until every line the child wrote during the cell is published:
    /// evcxr has read all of stdout when a cell returns; for stderr, nn-core
    /// is asked to write a `sync` line there, which comes after the cell's.
    fn flush_output(&mut self) {
        self.syncs += 1;
        let mut command = vec![SYNC];
        command.extend_from_slice(format!("{}\n", self.syncs).as_bytes());
        let sync = self.shared.send_ipc(&command).then_some(self.syncs);
        let (ack, done) = crossbeam_channel::bounded(1);
        if self.flush.send(Flush { ack, sync }).is_ok() {
            let _ = done.recv_timeout(Duration::from_secs(5));
        }
    }

    fn complete(&mut self, code: &str, cursor: usize) -> Value {
        let position = byte_offset(code, cursor);
        match self.context.completions(code, position) {
            Ok(completions) => {
                let start = char_offset(code, completions.start_offset);
                let end = char_offset(code, completions.end_offset);
                let types: Vec<Value> = completions
                    .completions
                    .iter()
                    .map(|c| json!({ "text": c.code, "type": c.kind, "start": start, "end": end }))
                    .collect();
                json!({
                    "status": "ok",
                    "matches": completions.completions.iter().map(|c| &c.code).collect::<Vec<_>>(),
                    "cursor_start": start,
                    "cursor_end": end,
                    "metadata": { "_jupyter_types_experimental": types },
                })
            }
            Err(error) => reply_error(&error.to_string()),
        }
    }

    fn inspect(&mut self, code: &str, cursor: usize) -> Value {
        let position = byte_offset(code, cursor);
        match self.context.hover_at(code, position) {
            Ok((plain, html)) if plain != "No documentation found" => json!({
                "status": "ok",
                "found": true,
                "data": { "text/plain": plain, "text/html": html },
                "metadata": {},
            }),
            _ => json!({ "status": "ok", "found": false, "data": {}, "metadata": {} }),
        }
    }
}

/// With `NN_KERNEL_DEBUG` set, start-up and cell timings go to stderr.
fn debug(message: &str) {
    if std::env::var_os("NN_KERNEL_DEBUG").is_some() {
        eprintln!("nn-kernel: {message}");
    }
}

/// Run after the start-up cell: a `let` whose type rust-analyzer must infer
/// through nn-core, then a call that does not exist, so that the cell is
/// analysed but never compiled into the session.
const WARM_UP_CELL: &str = "let nn_kernel_warm_up = tensor![[1.0, -1.0]];\n\
                            nn_kernel_warm_up.nn_kernel_warm_up_does_not_exist();";

/// The cell every session runs first.
fn startup_cell(config: &Config) -> String {
    format!(
        ":dep nn_core = {{ package = \"nn-core-session\", path = {:?} }}\n\
         use nn_core::prelude::*;\n\
         nn_core::notebook::attach_to_kernel();\n",
        config.shared_crate().display().to_string()
    )
}

/// Creates evcxr's context with its build folder in `dir/build`. `ipc` is
/// what the child finds in [`ENV_IPC`].
pub fn create_context(
    config: &Config,
    dir: &Path,
    ipc: Option<&str>,
    online: bool,
) -> Result<(CommandContext, EvalContextOutputs)> {
    config.write_support_files()?;
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

/// Listens on a loopback port for nn-core's interrupt connection. Returns
/// the address and the token the connection must start with.
fn listen_for_nn_core(shared: &Arc<Shared>) -> Result<(std::net::SocketAddr, String)> {
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

/// A request to the output thread: answer on `ack` once the cell's output
/// is published; `sync` is the number of the `sync` line nn-core was asked
/// to write to stderr, if it was.
struct Flush {
    ack: crossbeam_channel::Sender<()>,
    sync: Option<u64>,
}

/// Publishes the child's stdout and stderr as they come, a batch of
/// consecutive lines of one stream per message, and answers flush requests
/// once everything written so far is out.
fn forward_output(
    outputs: EvalContextOutputs,
    flush: &crossbeam_channel::Receiver<Flush>,
    sink: &Sink,
) {
    let EvalContextOutputs { stdout, stderr } = outputs;
    let take_batch = |first: String, rest: &crossbeam_channel::Receiver<String>| {
        let mut lines = vec![first];
        while lines.len() < 256 {
            match rest.try_recv() {
                Ok(line) => lines.push(line),
                Err(_) => break,
            }
        }
        lines
    };
    // The number of the last `sync` line seen on stderr.
    let last_sync = std::cell::Cell::new(0);
    let stderr_batch = |first: String| {
        let mut plain = Vec::new();
        for line in take_batch(first, &stderr) {
            match Message::find(&line) {
                Some((before, Message::Sync { id })) => {
                    sink.lines(Stream::Stderr, &std::mem::take(&mut plain));
                    sink.stream(Stream::Stderr, before);
                    last_sync.set(last_sync.get().max(id));
                }
                _ => plain.push(line),
            }
        }
        sink.lines(Stream::Stderr, &plain);
    };
    loop {
        crossbeam_channel::select! {
            recv(stdout) -> line => match line {
                Ok(line) => sink.lines(Stream::Stdout, &take_batch(line, &stdout)),
                Err(_) => return,
            },
            recv(stderr) -> line => match line {
                Ok(line) => stderr_batch(line),
                Err(_) => return,
            },
            recv(flush) -> request => {
                let Ok(Flush { ack, sync }) = request else { return };
                while let Ok(line) = stdout.try_recv() {
                    sink.lines(Stream::Stdout, &take_batch(line, &stdout));
                }
                match sync {
                    // Everything up to nn-core's `sync` line.
                    Some(id) => {
                        let deadline = Instant::now() + Duration::from_secs(2);
                        while last_sync.get() < id {
                            let left = deadline.saturating_duration_since(Instant::now());
                            match stderr.recv_timeout(left) {
                                Ok(line) => stderr_batch(line),
                                Err(_) => break,
                            }
                        }
                    }
                    // Without nn-core: whatever arrives in a moment.
                    None => {
                        while let Ok(line) = stderr.recv_timeout(Duration::from_millis(20)) {
                            stderr_batch(line);
                        }
                    }
                }
                let _ = ack.send(());
            }
        }
    }
}

/// A new folder for this kernel under `sessions/`, holding a copy of the
/// template's build folder when the template matches this configuration.
/// Folders of kernels that are no longer running are removed on the way.
/// Also tells whether start-up will compile nn-core.
fn new_session_dir(config: &Config) -> Result<(PathBuf, bool)> {
    let sessions = config.sessions();
    std::fs::create_dir_all(&sessions)
        .with_context(|| format!("cannot create {}", sessions.display()))?;
    remove_stale_sessions(&sessions);
    let dir = sessions.join(format!("{}-{}", std::process::id(), &random_hex()[..8]));
    std::fs::create_dir_all(&dir)?;
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
    std::fs::create_dir_all(&staging)?;
    // Start from the workspace's lock file so that nn-core's dependencies
    // resolve to the versions the workspace was tested with.
    let lock = config.nn_core.join("../Cargo.lock");
    if lock.is_file() {
        std::fs::create_dir_all(staging.join("build"))?;
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
                    eprintln!("nn-kernel: offline build failed; trying again online");
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
    let mut paths = vec![libdir, deps];
    if let Some(existing) = std::env::var_os("LD_LIBRARY_PATH") {
        paths.extend(std::env::split_paths(&existing));
    }
    std::env::join_paths(paths).ok()
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

/// Byte offset of code point number `chars` (Jupyter counts code points).
fn byte_offset(code: &str, chars: usize) -> usize {
    code.char_indices()
        .nth(chars)
        .map_or(code.len(), |(i, _)| i)
}

/// Code point number at byte offset `bytes`.
fn char_offset(code: &str, bytes: usize) -> usize {
    code[..bytes.min(code.len())].chars().count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_code_points() {
        let code = "é = 1";
        assert_eq!(byte_offset(code, 1), 2);
        assert_eq!(byte_offset(code, 99), code.len());
        assert_eq!(char_offset(code, 2), 1);
    }

    #[test]
    fn startup_cell_quotes_the_path() {
        let config = Config {
            nn_core: "/src/nn-core".into(),
            cache: "/a b/cache".into(),
            opt_level: "0".into(),
            interrupt_grace: Duration::from_secs(1),
        };
        let cell = startup_cell(&config);
        let dep = ":dep nn_core = { package = \"nn-core-session\", path = \"/a b/cache/nn-core-session\" }\n";
        assert!(cell.starts_with(dep), "{cell}");
    }
}
