//! The kernel's side of the display transport: turns what evcxr's child
//! process writes into `stream`, `display_data`, `update_display_data` and
//! `clear_output` messages for the running cell, notes its panics and the
//! fatal errors that end the process (a stack overflow, memory exhausted),
//! and caps the text a cell may print ([`OutputLimit`]).
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

/// Why the cells' process died, as it said on stderr before dying.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fatal {
    /// `thread '…' has overflowed its stack`.
    StackOverflow,
    /// `memory allocation of N bytes failed`.
    OutOfMemory(u64),
}

/// How much text (stdout and stderr together) one cell may send to the
/// front end; the rest is counted and said, not sent. A notebook front end
/// keeps every line of a cell's output in the page (and the notebook file):
/// 200,000 lines, or one line of 10 MB, make JupyterLab unresponsive, and
/// Jupyter Server drops iopub messages past 1 MB/s
/// (`iopub_data_rate_limit`). ipykernel sends everything; JupyterLab and VS
/// Code trim what they show. Here the kernel cuts: `NN_KERNEL_OUTPUT_LIMIT`
/// bytes (default 1,000,000) and `NN_KERNEL_OUTPUT_LINES` lines (default
/// 10,000) per cell, 0 for no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OutputLimit {
    pub bytes: usize,
    pub lines: usize,
}

impl OutputLimit {
    pub const DEFAULT: OutputLimit = OutputLimit {
        bytes: 1_000_000,
        lines: 10_000,
    };

    pub fn from_env() -> OutputLimit {
        let read = |name: &str, default: usize| match std::env::var(name) {
            Ok(value) => match value.trim().parse::<usize>() {
                Ok(0) => usize::MAX,
                Ok(n) => n,
                Err(_) => default,
            },
            Err(_) => default,
        };
        OutputLimit {
            bytes: read("NN_KERNEL_OUTPUT_LIMIT", Self::DEFAULT.bytes),
            lines: read("NN_KERNEL_OUTPUT_LINES", Self::DEFAULT.lines),
        }
    }

    fn describe(self) -> String {
        let part =
            |n: usize, what: &str| (n != usize::MAX).then(|| format!("{} {what}", thousands(n)));
        let parts: Vec<String> = [part(self.lines, "lines"), part(self.bytes, "bytes")]
            .into_iter()
            .flatten()
            .collect();
        parts.join(" or ")
    }
}

/// What a cell printed against its [`OutputLimit`].
#[derive(Default)]
struct Printed {
    lines: usize,
    bytes: usize,
    /// The limit was reached: the rest is counted only.
    cut: bool,
    dropped_lines: usize,
    dropped_bytes: usize,
}

fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
    fatal: Option<Fatal>,
    printed: Printed,
}

/// Publishes the child's output for the cell that is running.
pub struct Sink {
    iopub: UnboundedSender<JupyterMessage>,
    cell: Mutex<Cell>,
    limit: OutputLimit,
}

impl Sink {
    /// A sink with the output limit of the environment.
    pub fn new(iopub: UnboundedSender<JupyterMessage>) -> Sink {
        Sink::with_limit(iopub, OutputLimit::from_env())
    }

    pub fn with_limit(iopub: UnboundedSender<JupyterMessage>, limit: OutputLimit) -> Sink {
        Sink {
            iopub,
            cell: Mutex::new(Cell::default()),
            limit,
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
        cell.fatal = None;
        cell.printed = Printed::default();
    }

    /// The cell has ended: says how much of its output was cut, if any, and
    /// returns its panic, if any.
    pub fn end(&self) -> Option<Panic> {
        let (dropped_lines, dropped_bytes) = {
            let mut cell = self.cell();
            cell.expect_panic_message = None;
            (cell.printed.dropped_lines, cell.printed.dropped_bytes)
        };
        if dropped_bytes > 0 {
            let lines = match dropped_lines {
                0 => String::new(),
                1 => "1 more line, ".into(),
                n => format!("{} more lines, ", thousands(n)),
            };
            self.stream(
                Stream::Stderr,
                &format!(
                    "[output truncated: {lines}{} more bytes not shown (limit: {} of text per cell, \
                     NN_KERNEL_OUTPUT_LIMIT / NN_KERNEL_OUTPUT_LINES)]\n",
                    thousands(dropped_bytes),
                    self.limit.describe()
                ),
            );
        }
        self.cell().panic.take()
    }

    /// What the cells' process said on stderr before dying, if anything.
    pub fn fatal(&self) -> Option<Fatal> {
        self.cell().fatal
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
                        if self.watch_for_fatal(line) {
                            continue;
                        }
                        self.watch_for_panic(line);
                    }
                    if self.admit(line, &mut text) {
                        self.stream(stream, &std::mem::take(&mut text));
                        self.stream(
                            Stream::Stderr,
                            &format!(
                                "[output limit reached ({} of text per cell): the rest \
                                 of this cell's output is not shown]\n",
                                self.limit.describe()
                            ),
                        );
                    }
                }
            }
        }
        self.stream(stream, &text);
    }

    /// Adds what the output limit lets through of `line` to `text`; true
    /// when this line reached the limit (said once per cell).
    fn admit(&self, line: &str, text: &mut String) -> bool {
        let mut cell = self.cell();
        let printed = &mut cell.printed;
        let size = line.len() + 1;
        if printed.cut {
            printed.dropped_lines += 1;
            printed.dropped_bytes += size;
            return false;
        }
        if printed.lines >= self.limit.lines {
            printed.cut = true;
            printed.dropped_lines += 1;
            printed.dropped_bytes += size;
            return true;
        }
        let room = self.limit.bytes - printed.bytes;
        if size > room {
            // The part of the line that fits, cut at a character boundary.
            let mut keep = room.min(line.len());
            while !line.is_char_boundary(keep) {
                keep -= 1;
            }
            text.push_str(&line[..keep]);
            text.push('\n');
            printed.bytes = self.limit.bytes;
            printed.cut = true;
            printed.dropped_bytes += size - keep;
            return true;
        }
        text.push_str(line);
        text.push('\n');
        printed.lines += 1;
        printed.bytes += size;
        false
    }

    /// Rust's last words before it ends the process: noted for the cell's
    /// error, which explains them (true: not shown as output).
    fn watch_for_fatal(&self, line: &str) -> bool {
        let fatal = if line.contains("has overflowed its stack")
            || line.starts_with("fatal runtime error: stack overflow")
        {
            Fatal::StackOverflow
        } else if let Some(bytes) = line
            .strip_prefix("memory allocation of ")
            .and_then(|rest| rest.strip_suffix(" bytes failed"))
            .and_then(|n| n.parse().ok())
        {
            Fatal::OutOfMemory(bytes)
        } else {
            return false;
        };
        self.cell().fatal.get_or_insert(fatal);
        true
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

    fn stream_texts(messages: &[(String, Value)], name: &str) -> String {
        messages
            .iter()
            .filter(|(kind, content)| kind == "stream" && content["name"] == name)
            .map(|(_, content)| content["text"].as_str().unwrap())
            .collect()
    }

    #[test]
    fn output_past_the_line_limit_is_counted_not_sent() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = Sink::with_limit(
            tx,
            OutputLimit {
                bytes: 1000,
                lines: 3,
            },
        );
        sink.begin(&orphan("execute_request", json!({})), false);
        let lines: Vec<String> = (0..10).map(|i| format!("line {i}")).collect();
        sink.lines(Stream::Stdout, &lines[..5]);
        sink.lines(Stream::Stdout, &lines[5..]);
        assert_eq!(sink.end(), None);
        let messages = drain(&mut rx);
        assert_eq!(
            stream_texts(&messages, "stdout"),
            "line 0\nline 1\nline 2\n"
        );
        let said = stream_texts(&messages, "stderr");
        assert!(
            said.contains("output limit reached (3 lines or 1,000 bytes"),
            "{said}"
        );
        assert!(
            said.contains("[output truncated: 7 more lines, 49 more bytes not shown"),
            "{said}"
        );
        // The next cell starts afresh.
        sink.begin(&orphan("execute_request", json!({})), false);
        sink.lines(Stream::Stdout, &lines[..1]);
        assert_eq!(stream_texts(&drain(&mut rx), "stdout"), "line 0\n");
    }

    #[test]
    fn a_huge_line_is_cut_to_the_byte_limit() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let sink = Sink::with_limit(
            tx,
            OutputLimit {
                bytes: 10,
                lines: 100,
            },
        );
        sink.begin(&orphan("execute_request", json!({})), false);
        sink.lines(Stream::Stdout, &["ab".into(), "é".repeat(50)]);
        sink.end();
        let messages = drain(&mut rx);
        // "ab\n" is 3 bytes; 7 are left: three 2-byte characters.
        assert_eq!(stream_texts(&messages, "stdout"), "ab\nééé\n");
        assert!(stream_texts(&messages, "stderr").contains("95 more bytes not shown"));
    }

    #[test]
    fn rusts_last_words_are_noted_not_shown() {
        let (sink, mut rx) = sink();
        sink.lines(
            Stream::Stderr,
            &[
                "thread '<unknown>' has overflowed its stack".into(),
                "fatal runtime error: stack overflow, aborting".into(),
            ],
        );
        assert!(drain(&mut rx).is_empty());
        assert_eq!(sink.fatal(), Some(Fatal::StackOverflow));
        sink.begin(&orphan("execute_request", json!({})), false);
        assert_eq!(sink.fatal(), None);
        sink.lines(
            Stream::Stderr,
            &["memory allocation of 4000000000000 bytes failed".into()],
        );
        assert_eq!(sink.fatal(), Some(Fatal::OutOfMemory(4_000_000_000_000)));
    }

    #[test]
    fn silent_cells_publish_nothing() {
        let (sink, mut rx) = sink();
        sink.begin(&orphan("execute_request", json!({})), true);
        sink.lines(Stream::Stdout, &["a".into()]);
        assert!(drain(&mut rx).is_empty());
    }
}
