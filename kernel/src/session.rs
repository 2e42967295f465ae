//! The evcxr session, owned by the engine thread: evcxr's context with
//! nn-core loaded by the start-up cell; cells, and what their outcome is (a
//! result, a panic, an interrupt, a restarted process); the warm-up;
//! completion and inspection. A cell's outcome is returned only once its
//! output is published ([`output`](crate::output)).

use crate::build_stamp::BuildStamp;
use crate::config::Config;
use crate::context::create_context;
use crate::display::transport::{RESET, SYNC};
use crate::display::{Stream, mime_data};
use crate::engine::{InputFn, Job, Outcome, Shared, listen_for_nn_core, reply_error};
use crate::errors::CellError;
use crate::output::{Flush, forward_output};
use crate::timing::Timing;
use anyhow::Result;
use evcxr::{CommandContext, EvalCallbacks};
use jupyter_protocol::JupyterMessage;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// evcxr's context plus what the engine thread knows about it.
pub struct Session {
    context: CommandContext,
    shared: Arc<Shared>,
    flush: crossbeam_channel::Sender<Flush>,
    /// Number of the last `sync` asked of nn-core.
    syncs: u64,
    /// Why nn-core could not be loaded, shown by the first cell.
    startup_error: Option<String>,
    pub nn_core_loaded: bool,
    cells: u64,
    build_stamp: BuildStamp,
    /// evcxr's build folder (`dir/build`).
    build: PathBuf,
}

impl Session {
    pub fn start(config: &Config, dir: &Path, shared: &Arc<Shared>) -> Result<Session> {
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
            build_stamp: BuildStamp::new(config),
            build: dir.join("build"),
        };
        let started = Instant::now();
        // The start-up cell's cargo build records the rustc command that
        // later cells replay (evcxr patch 2); its own `:dep` on the session
        // crate is the kernel's, whose sources the stamp covers.
        session
            .context
            .set_build_stamp(Some(config.nn_core_fingerprint()));
        let loaded = session.context.execute(&startup_cell(config));
        debug(&format!("start-up cell ran in {:.2?}", started.elapsed()));
        session
            .context
            .set_cell_options(config.cells.options(loaded.is_ok()));
        session
            .context
            .set_replay_extra_args(crate::linker::direct_link_args());
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

    pub fn run(&mut self, job: Job) {
        match job {
            Job::Execute {
                code,
                parent,
                silent,
                input,
                queued,
                done,
            } => {
                let started = Instant::now();
                let mut phases = Vec::new();
                let mut output = Duration::ZERO;
                let outcome = self.execute(&code, &parent, silent, input, &mut phases, &mut output);
                let mut timing = Timing::new(queued, started, &phases);
                timing.output = output;
                timing.total = queued.elapsed();
                debug(&format!("cell {}: {}", self.cells, timing.summary()));
                let _ = done.send((outcome, timing));
                // After the reply: the user does not wait for it.
                self.remove_cell_libraries();
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
        phases: &mut Vec<(String, Duration)>,
        output: &mut Duration,
    ) -> Outcome {
        let shared = self.shared.clone();
        self.cells += 1;
        shared.sink.begin(parent, silent);
        if let Some(notice) = self.startup_error.take() {
            shared.sink.stream(Stream::Stderr, &notice);
        }
        let stamp = self.build_stamp.for_cell(code);
        self.context.set_build_stamp(stamp);
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
            phases.extend(outputs.phases.iter().map(|p| (p.name.clone(), p.duration)));
        }
        if let Some(dir) = std::env::var_os("NN_KERNEL_KEEP_SOURCES") {
            // For profiling what cells compile (bench/cell_items.py).
            if let Ok(source) = self.context.last_source() {
                let _ = std::fs::create_dir_all(&dir);
                let path = Path::new(&dir).join(format!("cell-{:03}.rs", self.cells));
                let _ = std::fs::write(path, source);
            }
        }
        if matches!(result, Err(evcxr::Error::SubprocessTerminated(_))) {
            // The process is gone (evcxr has read its stderr to the end): no
            // `sync` to ask of it; its connection is dead, and the new
            // process connects when `reattach` runs.
            *self.shared.ipc.lock().unwrap_or_else(|p| p.into_inner()) = None;
        }
        let flushing = Instant::now();
        self.flush_output();
        *output = flushing.elapsed();
        let load_failed = shared.sink.load_failed();
        let fatal = shared.sink.fatal();
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
                } else if let evcxr::Error::SubprocessTerminated(message) = &error {
                    Err(CellError::process_ended(
                        message,
                        fatal,
                        crate::memory_limit::from_env(),
                    ))
                } else if crate::errors::disk_is_full(&error, &self.build) {
                    Err(CellError::disk_full(&self.build))
                } else {
                    Err(CellError::from_evcxr(&error, code))
                }
            }
        }
    }

    /// Removes the shared libraries of cells that have run. evcxr renames
    /// each compiled cell to `libcode_N.so` in the build folder and loads it
    /// once, in the cells' process, which keeps it mapped (Linux lets a
    /// loaded file be removed); it never loads an older one again, even
    /// after a restart of that process. Without this, a build folder grows
    /// by one library per cell (26 KB for a small cell of nn-core code,
    /// more for one that defines much). Measured: the session folder is
    /// 395,387,810 bytes after 20 cells and 395,387,811 after 60.
    fn remove_cell_libraries(&self) {
        let Ok(targets) = std::fs::read_dir(self.build.join("target")) else {
            return;
        };
        for target in targets.flatten() {
            let Ok(files) = std::fs::read_dir(target.path().join("debug/deps")) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name();
                let name = name.to_string_lossy();
                if name.starts_with("libcode_") && name.ends_with(".so") {
                    let _ = std::fs::remove_file(file.path());
                }
            }
        }
    }

    /// rust-analyzer's first type inference involving nn-core costs ~4 s
    /// of CPU. Cells no longer need it (evcxr patch 5: the compiled cell
    /// reports its variables' types); completion and inspection do, so it
    /// runs on a thread of its own (evcxr patch 3) once the kernel is idle,
    /// and the first Tab finds it done. Returns the analysis thread.
    pub fn warm_up(&mut self) -> Option<std::thread::JoinHandle<()>> {
        let started = Instant::now();
        let analysis = self
            .context
            .warm_up_analysis(WARM_UP_CELL)
            .map_err(|error| debug(&format!("warm-up analysis failed: {error}")))
            .ok();
        debug(&format!("warm-up started in {:.2?}", started.elapsed()));
        analysis
    }

    /// Whether rust-analyzer is loaded (see [`crate::analyzer`]).
    pub fn analyzer_loaded(&self) -> bool {
        self.context.analyzer_loaded()
    }

    /// Lets rust-analyzer go (evcxr patch 9); the next Tab loads it again.
    pub fn unload_analyzer(&mut self) {
        let started = Instant::now();
        match self.context.unload_analyzer() {
            Ok(()) => debug(&format!(
                "rust-analyzer unloaded in {:.2?}",
                started.elapsed()
            )),
            Err(error) => debug(&format!("rust-analyzer could not be unloaded: {error}")),
        }
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
pub fn debug(message: &str) {
    if std::env::var_os("NN_KERNEL_DEBUG").is_some() {
        eprintln!("nn-kernel: {message}");
    }
}

/// Analysed (never compiled) after the start-up cell: a `let` whose type
/// rust-analyzer must infer through nn-core.
const WARM_UP_CELL: &str = "let nn_kernel_warm_up = tensor![[1.0, -1.0]];";

/// The cell every session runs first.
pub fn startup_cell(config: &Config) -> String {
    format!(
        ":dep nn_core = {{ package = \"nn-core-session\", path = {:?} }}\n\
         use nn_core::prelude::*;\n\
         nn_core::notebook::attach_to_kernel();\n",
        config.shared_crate().display().to_string()
    )
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
            nn_core_features: Vec::new(),
            interrupt_grace: Duration::from_secs(1),
            cells: crate::cells::CellMode::FAST,
        };
        let cell = startup_cell(&config);
        let dep = ":dep nn_core = { package = \"nn-core-session\", path = \"/a b/cache/nn-core-session\" }\n";
        assert!(cell.starts_with(dep), "{cell}");
    }
}
