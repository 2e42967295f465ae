//! The kernel's message loops: shell (requests, one at a time), control
//! (interrupt, shutdown), iopub (everything published goes through one
//! queue, so it stays in order), stdin (input requests) and heartbeat.

use crate::complete::is_complete;
use crate::config::Config;
use crate::display::Sink;
use crate::engine::{Engine, InputFn};
use crate::errors::CellError;
use crate::history::History;
use crate::protocol::{self, Request, child_of, reply_to, status};
use crate::standby;
use crate::timing::Timing;
use anyhow::Result;
use jupyter_protocol::{ConnectionInfo, JupyterMessage};
use jupyter_zmq_client::Connection;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Mutex;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use zeromq::{PubSocket, RouterSocket};

/// Runs the kernel for the connection file Jupyter gave: hands it to a
/// standby kernel if one is waiting, else starts an engine here.
pub fn run(connection_file: &Path) -> Result<()> {
    let (info, text) = protocol::read_connection_file(connection_file)?;
    let config = Config::from_env()?;
    crate::parent::exit_with_parent();
    if standby::enabled() {
        standby::hand_over(&config, &text);
    }
    let (iopub, published) = tokio::sync::mpsc::unbounded_channel();
    let sink = Arc::new(Sink::new(iopub.clone()));
    let engine = Arc::new(Engine::start(config.clone(), sink)?);
    serve_with(info, engine, iopub, published, config)
}

/// Serves a notebook with `engine`, whose output goes to `iopub`.
pub fn serve_with(
    info: ConnectionInfo,
    engine: Arc<Engine>,
    iopub: UnboundedSender<JupyterMessage>,
    published: UnboundedReceiver<JupyterMessage>,
    config: Config,
) -> Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(serve(info, engine, iopub, published, config))
}

/// What every handler needs.
struct Kernel {
    iopub: UnboundedSender<JupyterMessage>,
    engine: Arc<Engine>,
    config: Config,
    stdin: Arc<Mutex<Connection<RouterSocket>>>,
    runtime: tokio::runtime::Handle,
}

/// State of the shell loop.
#[derive(Default)]
struct Shell {
    execution_count: u64,
    history: History,
    /// After a failed cell with `stop_on_error`, executes sent before the
    /// failure (by their header date) are aborted, as IPython does.
    abort_before: Option<jupyter_protocol::Header>,
}

async fn serve(
    info: ConnectionInfo,
    engine: Arc<Engine>,
    iopub: UnboundedSender<JupyterMessage>,
    mut published: UnboundedReceiver<JupyterMessage>,
    config: Config,
) -> Result<()> {
    let session = protocol::random_hex();
    let mut shell = protocol::bind::<RouterSocket>(&info, info.shell_port, &session).await?;
    let mut control = protocol::bind::<RouterSocket>(&info, info.control_port, &session).await?;
    let stdin = protocol::bind::<RouterSocket>(&info, info.stdin_port, &session).await?;
    let mut iopub_socket = protocol::bind::<PubSocket>(&info, info.iopub_port, &session).await?;
    let heartbeat = protocol::bind_heartbeat(&info).await?;
    tokio::spawn(protocol::heartbeat(heartbeat));

    tokio::spawn(async move {
        while let Some(message) = published.recv().await {
            if let Err(error) = iopub_socket.send(message).await {
                eprintln!("nn-kernel: iopub: {error}");
            }
        }
    });
    let _ = iopub.send(status(None, "starting"));

    // The engine starts a standby for the next launch once this kernel is
    // warm and idle (`engine.rs`); at the latest, this kernel does when it
    // shuts down, when the standby's start slows nobody down.
    let kernel = Arc::new(Kernel {
        iopub,
        engine,
        config,
        stdin: Arc::new(Mutex::new(stdin)),
        runtime: tokio::runtime::Handle::current(),
    });

    {
        let kernel = kernel.clone();
        tokio::spawn(async move {
            let mut state = Shell::default();
            loop {
                match protocol::read(&mut shell).await {
                    Ok(request) => {
                        if let Err(error) = kernel.shell(&mut shell, &mut state, request).await {
                            eprintln!("nn-kernel: shell: {error:#}");
                        }
                    }
                    Err(error) => eprintln!("nn-kernel: dropped a shell message: {error:#}"),
                }
            }
        });
    }
    {
        let kernel = kernel.clone();
        tokio::spawn(async move {
            if let Ok(mut terminate) =
                tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            {
                terminate.recv().await;
                kernel.engine.shutdown();
                standby::spawn(&kernel.config);
                std::process::exit(0);
            }
        });
    }
    // A Ctrl-C in the terminal that runs Jupyter must not kill the kernel.
    tokio::spawn(async {
        loop {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
        }
    });

    loop {
        let request = match protocol::read(&mut control).await {
            Ok(request) => request,
            Err(error) => {
                eprintln!("nn-kernel: dropped a control message: {error:#}");
                continue;
            }
        };
        let _ = kernel.iopub.send(status(Some(&request.message), "busy"));
        let shutdown = match request.msg_type() {
            "kernel_info_request" => {
                control.send(reply_to(&request, kernel_info())).await?;
                false
            }
            "interrupt_request" => {
                kernel.engine.interrupt();
                control
                    .send(reply_to(&request, json!({"status": "ok"})))
                    .await?;
                false
            }
            "shutdown_request" => {
                let restart = request.bool("restart", false);
                let content = json!({"status": "ok", "restart": restart});
                kernel.engine.shutdown();
                if !restart {
                    // A restart starts a kernel at once, which would claim
                    // a standby that is still starting; otherwise the next
                    // launch finds this one.
                    standby::spawn(&kernel.config);
                }
                control.send(reply_to(&request, content.clone())).await?;
                let _ = kernel.iopub.send(reply_to(&request, content));
                true
            }
            other => {
                eprintln!("nn-kernel: ignoring control message `{other}`");
                false
            }
        };
        let _ = kernel.iopub.send(status(Some(&request.message), "idle"));
        if shutdown {
            // Let the iopub task send the last messages.
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            std::process::exit(0);
        }
    }
}

impl Kernel {
    async fn shell(
        &self,
        shell: &mut Connection<RouterSocket>,
        state: &mut Shell,
        request: Request,
    ) -> Result<()> {
        let _ = self.iopub.send(status(Some(&request.message), "busy"));
        let reply = match request.msg_type() {
            "kernel_info_request" => Some(kernel_info()),
            "execute_request" => {
                let (content, timing) = self.execute(state, &request).await;
                let mut reply = reply_to(&request, content);
                reply.metadata = timing.metadata();
                shell.send(reply).await?;
                None
            }
            "complete_request" => {
                let code = request.str("code").to_owned();
                let cursor = cursor_pos(&request, &code);
                Some(self.engine.complete(code, cursor).await)
            }
            "inspect_request" => {
                let code = request.str("code").to_owned();
                let cursor = cursor_pos(&request, &code);
                Some(self.engine.inspect(code, cursor).await)
            }
            "is_complete_request" => {
                let answer = is_complete(request.str("code"));
                let (status, indent) = answer.status_and_indent();
                Some(json!({"status": status, "indent": indent}))
            }
            "history_request" => {
                let history = state.history.query(&request.content);
                Some(json!({"status": "ok", "history": history}))
            }
            "comm_info_request" => Some(json!({"status": "ok", "comms": {}})),
            "comm_open" => {
                // No comm targets exist: close it, as the protocol asks.
                let comm_id = request.content["comm_id"].clone();
                let close = json!({"comm_id": comm_id, "data": {}});
                let _ = self
                    .iopub
                    .send(child_of(&request.message, "comm_close", close));
                None
            }
            "comm_msg" | "comm_close" => None,
            other => {
                eprintln!("nn-kernel: ignoring shell message `{other}`");
                None
            }
        };
        if let Some(content) = reply {
            shell.send(reply_to(&request, content)).await?;
        }
        let _ = self.iopub.send(status(Some(&request.message), "idle"));
        Ok(())
    }

    /// The `execute_reply`'s content, and where the cell's time went (the
    /// reply's metadata).
    async fn execute(&self, state: &mut Shell, request: &Request) -> (Value, Timing) {
        let code = request.str("code").to_owned();
        let silent = request.bool("silent", false);
        let store_history = !silent && request.bool("store_history", true);
        if let Some(failed) = &state.abort_before {
            if request.message.header.date < failed.date {
                let aborted =
                    json!({"status": "aborted", "execution_count": state.execution_count});
                return (aborted, Timing::default());
            }
            state.abort_before = None;
        }
        if store_history {
            state.execution_count += 1;
        }
        let count = state.execution_count;
        if !silent {
            let input = json!({"code": code, "execution_count": count});
            let _ = self
                .iopub
                .send(child_of(&request.message, "execute_input", input));
        }
        let input = request
            .bool("allow_stdin", false)
            .then(|| self.input_reader(&request.message));
        let running = self
            .engine
            .execute(code.clone(), &request.message, silent, input);
        tokio::pin!(running);
        let (outcome, timing) =
            if self.engine.is_started() || silent || !self.engine.compiles_nn_core() {
                running.await
            } else {
                tokio::select! {
                    outcome = &mut running => outcome,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(10)) => {
                        let notice = "nn-kernel: still starting: nn-core changed since \
                                      `nn-kernel install` built it, so it is being compiled...\n";
                        let stream = json!({"name": "stderr", "text": notice});
                        let _ = self.iopub.send(child_of(&request.message, "stream", stream));
                        running.await
                    }
                }
            };
        let (reply, output) = match outcome {
            Ok(data) => {
                let text = data["text/plain"].as_str().unwrap_or("").to_owned();
                if !data.is_null() && !silent {
                    let result = json!({"execution_count": count, "data": data, "metadata": {}});
                    let _ = self
                        .iopub
                        .send(child_of(&request.message, "execute_result", result));
                }
                let reply = json!({
                    "status": "ok",
                    "execution_count": count,
                    "payload": [],
                    "user_expressions": {},
                });
                (reply, text)
            }
            Err(error) => {
                if !silent {
                    let _ = self
                        .iopub
                        .send(child_of(&request.message, "error", error.content()));
                }
                if request.bool("stop_on_error", true) {
                    state.abort_before = Some(now_header(&request.message));
                }
                (error_reply(&error, count), String::new())
            }
        };
        if store_history {
            state.history.push(count, &code, &output);
        }
        (reply, timing)
    }

    /// Asks the client for a line of input over the stdin channel.
    fn input_reader(&self, parent: &JupyterMessage) -> InputFn {
        let stdin = self.stdin.clone();
        let runtime = self.runtime.clone();
        let parent = parent.clone();
        Box::new(move |prompt: &str, password: bool| {
            let content = json!({"prompt": prompt, "password": password});
            let request = child_of(&parent, "input_request", content);
            runtime.block_on(async {
                let mut stdin = stdin.lock().await;
                if stdin.send(request).await.is_err() {
                    return String::new();
                }
                match protocol::read(&mut stdin).await {
                    Ok(reply) => reply.str("value").to_owned(),
                    Err(_) => String::new(),
                }
            })
        })
    }
}

/// A header stamped now (the abort cut-off after a failed cell).
fn now_header(parent: &JupyterMessage) -> jupyter_protocol::Header {
    child_of(parent, "marker", json!({})).header
}

fn error_reply(error: &CellError, count: u64) -> Value {
    let mut reply = error.content();
    reply["status"] = json!("error");
    reply["execution_count"] = json!(count);
    reply
}

/// `cursor_pos`, which defaults to the end of the code.
fn cursor_pos(request: &Request, code: &str) -> usize {
    request.content["cursor_pos"]
        .as_u64()
        .map_or_else(|| code.chars().count(), |pos| pos as usize)
}

/// The `kernel_info_reply`, answered at once even while evcxr starts.
pub fn kernel_info() -> Value {
    let rustc = env!("NN_KERNEL_RUSTC_VERSION");
    json!({
        "status": "ok",
        "protocol_version": "5.3",
        "implementation": "nn-kernel",
        "implementation_version": env!("CARGO_PKG_VERSION"),
        "language_info": {
            "name": "rust",
            "version": rustc,
            "mimetype": "text/rust",
            "file_extension": ".rs",
            "pygments_lexer": "rust",
            "codemirror_mode": "rust",
        },
        "banner": format!(
            "Rust (nn-core) — nn-kernel {} over evcxr 0.22.0, rustc {rustc}.\n\
             nn-core is loaded: `use nn_core::prelude::*;` is already in effect.",
            env!("CARGO_PKG_VERSION")
        ),
        "help_links": [
            {"text": "nn-core API", "url": crate::install::DOCS_URL},
            {"text": "Rust standard library", "url": "https://doc.rust-lang.org/std/"},
            {"text": "evcxr commands (:help)", "url": "https://github.com/evcxr/evcxr/blob/main/COMMON.md"},
        ],
        "debugger": false,
    })
}
