//! The kernel's side of the display transport: turns what evcxr's child
//! process writes into `stream`, `display_data`, `update_display_data` and
//! `clear_output` messages for the running cell, and notes its panics.
//!
//! The message format is defined once, in nn-core's
//! `src/notebook/transport.rs`, compiled here as [`transport`].

// The kernel only decodes; encoding is used by nn-core (and by the tests here).
#[allow(dead_code)]
#[path = "../../nn-core/src/notebook/transport.rs"]
pub mod transport;

use crate::protocol::child_of;
use jupyter_protocol::JupyterMessage;
use serde_json::{Map, Value, json};
use std::sync::Mutex;
use tokio::sync::mpsc::UnboundedSender;
use transport::Message;

/// A panic reported by the child for the running cell.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Panic {
    pub message: String,
    pub location: String,
}

/// Which child output stream a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn name(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

#[derive(Default)]
struct Cell {
    /// The request that output belongs to; after a cell ends, stray output
    /// from background threads still goes to the last cell, as in IPython.
    parent: Option<JupyterMessage>,
    /// `silent` executions publish nothing.
    silent: bool,
    panic: Option<Panic>,
    /// evcxr's runtime could not load the cell's library.
    load_failed: bool,
    /// Set after a stderr line `thread '<unnamed>' panicked at ...:` when
    /// nn-core's hook is not installed: the next line is the panic message.
    expect_panic_message: Option<String>,
}

/// Publishes the child's output for the cell that is running.
pub struct Sink {
    iopub: UnboundedSender<JupyterMessage>,
    cell: Mutex<Cell>,
}

impl Sink {
    pub fn new(iopub: UnboundedSender<JupyterMessage>) -> Sink {
        Sink {
            iopub,
            cell: Mutex::new(Cell::default()),
        }
    }

    fn cell(&self) -> std::sync::MutexGuard<'_, Cell> {
        self.cell
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Output from now on belongs to the request `parent`.
    pub fn begin(&self, parent: &JupyterMessage, silent: bool) {
        let mut cell = self.cell();
        cell.parent = Some(parent.clone());
        cell.silent = silent;
        cell.panic = None;
        cell.load_failed = false;
        cell.expect_panic_message = None;
    }

    /// The cell has ended: returns its panic, if any.
    pub fn end(&self) -> Option<Panic> {
        let mut cell = self.cell();
        cell.expect_panic_message = None;
        cell.panic.take()
    }

    /// Whether evcxr's runtime failed to load the cell's compiled library
    /// (which happens when nn-core was rebuilt while the session ran: the
    /// process still has the old one loaded).
    pub fn load_failed(&self) -> bool {
        self.cell().load_failed
    }

    /// Publishes `text` as a `stream` message of the running cell.
    pub fn stream(&self, stream: Stream, text: &str) {
        if text.is_empty() {
            return;
        }
        self.publish("stream", json!({ "name": stream.name(), "text": text }));
    }

    fn publish(&self, msg_type: &str, content: Value) {
        let cell = self.cell();
        if cell.silent {
            return;
        }
        if let Some(parent) = &cell.parent {
            let _ = self.iopub.send(child_of(parent, msg_type, content));
        }
    }

    /// Handles a batch of lines from one stream: plain lines are published
    /// together as one `stream` message, message lines as what they say.
    pub fn lines(&self, stream: Stream, lines: &[String]) {
        let mut text = String::new();
        for line in lines {
            match Message::find(line) {
                Some((before, message)) => {
                    text.push_str(before);
                    self.stream(stream, &std::mem::take(&mut text));
                    self.message(message);
                }
                None => {
                    if stream == Stream::Stderr {
                        if line.starts_with("While processing instruction `Ok(\"LOAD_AND_RUN")
                            && line.contains("dlopen failed")
                        {
                            // evcxr's runtime exits after this; the cell's
                            // error explains it.
                            self.cell().load_failed = true;
                            continue;
                        }
                        self.watch_for_panic(line);
                    }
                    text.push_str(line);
                    text.push('\n');
                }
            }
        }
        self.stream(stream, &text);
    }

    fn message(&self, message: Message) {
        match message {
            Message::Display { id, bundle } => self.publish(
                "display_data",
                json!({
                    "data": mime_data(bundle),
                    "metadata": {},
                    "transient": { "display_id": id },
                }),
            ),
            Message::Update { id, bundle } => self.publish(
                "update_display_data",
                json!({
                    "data": mime_data(bundle),
                    "metadata": {},
                    "transient": { "display_id": id },
                }),
            ),
            Message::Clear { wait } => self.publish("clear_output", json!({ "wait": wait })),
            Message::Panic { message, location } => {
                self.cell().panic = Some(Panic { message, location });
            }
            // Read by the engine at the end of a cell; a late one is stale.
            Message::Sync { .. } => {}
        }
    }

    /// Without nn-core's panic hook (nn-core failed to load), a panic shows
    /// only as Rust's default text on stderr; note it from there.
    fn watch_for_panic(&self, line: &str) {
        let mut cell = self.cell();
        if let Some(location) = cell.expect_panic_message.take() {
            if cell.panic.is_none() {
                cell.panic = Some(Panic {
                    message: line.to_owned(),
                    location,
                });
            }
        } else if let Some(rest) = line
            .strip_prefix("thread 'main' panicked at ")
            .or_else(|| line.strip_prefix("thread '<unnamed>' panicked at "))
        {
            // The cells' thread has no name to the `libstd.so` that cells use.
            cell.expect_panic_message = Some(rest.trim_end_matches(':').to_owned());
        }
    }
}

/// A MIME bundle as Jupyter's `data` object: JSON types (`application/json`,
/// `application/vnd.*+json`) are parsed, everything else is a string.
pub fn mime_data(bundle: impl IntoIterator<Item = (String, String)>) -> Value {
    let mut data = Map::new();
    for (mime, text) in bundle {
        let value = if mime == "application/json" || mime.ends_with("+json") {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        } else {
            Value::String(text)
        };
        data.insert(mime, value);
    }
    Value::Object(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::orphan;

    fn sink() -> (Sink, tokio::sync::mpsc::UnboundedReceiver<JupyterMessage>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = Sink::new(tx);
        sink.begin(&orphan("execute_request", json!({})), false);
        (sink, rx)
    }

    fn drain(
        rx: &mut tokio::sync::mpsc::UnboundedReceiver<JupyterMessage>,
    ) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        while let Ok(message) = rx.try_recv() {
            let content = serde_json::to_value(&message.content).unwrap();
            out.push((message.header.msg_type, content));
        }
        out
    }

    #[test]
    fn plain_lines_become_one_stream_message() {
        let (sink, mut rx) = sink();
        sink.lines(Stream::Stdout, &["a".into(), "b".into()]);
        assert_eq!(
            drain(&mut rx),
            [("stream".into(), json!({"name": "stdout", "text": "a\nb\n"}))]
        );
    }

    #[test]
    fn display_messages_split_the_stream_in_order() {
        let (sink, mut rx) = sink();
        let display = Message::Display {
            id: "nn-1".into(),
            bundle: vec![("text/plain".into(), "x".into())],
        }
        .encode();
        let update = Message::Update {
            id: "nn-1".into(),
            bundle: vec![
                ("text/plain".into(), "y".into()),
                ("application/json".into(), "{\"a\": 1}".into()),
            ],
        }
        .encode();
        sink.lines(
            Stream::Stdout,
            &[
                "before".into(),
                format!("50%{display}"),
                update,
                "after".into(),
            ],
        );
        let transient = json!({"display_id": "nn-1"});
        assert_eq!(
            drain(&mut rx),
            [
                (
                    "stream".into(),
                    json!({"name": "stdout", "text": "before\n50%"})
                ),
                (
                    "display_data".into(),
                    json!({"data": {"text/plain": "x"}, "metadata": {}, "transient": transient})
                ),
                (
                    "update_display_data".into(),
                    json!({"data": {"text/plain": "y", "application/json": {"a": 1}},
                           "metadata": {}, "transient": transient})
                ),
                (
                    "stream".into(),
                    json!({"name": "stdout", "text": "after\n"})
                ),
            ]
        );
    }

    #[test]
    fn panics_are_noted_not_published() {
        let (sink, mut rx) = sink();
        let panic = Message::Panic {
            message: "boom".into(),
            location: "x.rs:1:1".into(),
        };
        sink.lines(Stream::Stdout, &[panic.encode()]);
        assert!(drain(&mut rx).is_empty());
        assert_eq!(
            sink.end(),
            Some(Panic {
                message: "boom".into(),
                location: "x.rs:1:1".into()
            })
        );
        assert_eq!(sink.end(), None);
    }

    #[test]
    fn default_panic_text_on_stderr_is_noted() {
        let (sink, mut rx) = sink();
        sink.lines(
            Stream::Stderr,
            &[
                "thread 'main' panicked at src/lib.rs:3:1:".into(),
                "index out of bounds".into(),
            ],
        );
        assert_eq!(drain(&mut rx).len(), 1);
        assert_eq!(
            sink.end(),
            Some(Panic {
                message: "index out of bounds".into(),
                location: "src/lib.rs:3:1".into()
            })
        );
    }

    #[test]
    fn silent_cells_publish_nothing() {
        let (sink, mut rx) = sink();
        sink.begin(&orphan("execute_request", json!({})), true);
        sink.lines(Stream::Stdout, &["a".into()]);
        assert!(drain(&mut rx).is_empty());
    }
}
