//! The wire between nn-core, running inside evcxr's child process, and the
//! `nn-kernel` Jupyter kernel. This file is the one definition of it: nn-core
//! compiles it as `nn_core::notebook::transport`, and the kernel compiles the
//! same file into itself (`#[path]` in `kernel/src/display.rs`), so the two
//! sides cannot drift apart. It uses `std` only.
//!
//! # Messages: one marked line on the child's stdout
//!
//! evcxr reads the child's stdout line by line and hands every line it does
//! not recognise to the kernel. A line carrying a message is
//!
//! ```text
//! PREFIX kind TAB field TAB field ...
//! ```
//!
//! where [`PREFIX`] starts with the ASCII record separator (`0x1E`), which no
//! ordinary output contains, and every field is escaped with [`escape`]
//! (backslash, newline, carriage return and tab become `\\`, `\n`, `\r`, `\t`)
//! so that a message is always exactly one line. The kernel looks for the
//! prefix anywhere in a line: text that a `print!` left without a newline
//! before the marker is still shown as ordinary output.
//!
//! | kind      | fields                                       | becomes          |
//! |-----------|----------------------------------------------|------------------|
//! | `display` | display id, then MIME type and data, repeated | `display_data`   |
//! | `update`  | display id, then MIME type and data, repeated | `update_display_data` |
//! | `clear`   | `1` to wait for the next output, else `0`    | `clear_output`   |
//! | `panic`   | message, location (`file:line:col`)          | the cell's `error` |
//! | `sync`    | a number                                     | (on stderr) the cell's output is all read |
//!
//! # Interrupts: a byte on a loopback socket
//!
//! The kernel starts the child with [`ENV_IPC`] set to `ADDRESS TOKEN`. The
//! child connects to that TCP address on 127.0.0.1, sends the token and a
//! newline, then reads commands of one byte: [`INTERRUPT`] sets the
//! session's interrupt flag, [`RESET`] clears it, [`CHDIR`], followed by
//! a path and a newline, changes the process's working directory (a kernel
//! started ahead of time moves to the notebook's folder), and [`SYNC`],
//! followed by a number and a newline, writes a `sync` message with that
//! number to *stderr*: once the kernel reads it, it has read everything the
//! cell wrote to stderr (stdout is ordered by evcxr itself). A plain evcxr
//! session has no [`ENV_IPC`], and nn-core then prints text instead of
//! sending messages.
//!
//! ```
//! use nn_core::notebook::transport::Message;
//!
//! // The child prints a message line; the kernel finds it in its stdout.
//! let line = Message::Clear { wait: true }.encode();
//! let (before, message) = Message::find(&line).unwrap();
//! assert_eq!(before, "");
//! assert_eq!(message, Message::Clear { wait: true });
//! ```

/// Starts every message line; the trailing digit is the protocol version.
///
/// ```
/// use nn_core::notebook::transport::{Message, PREFIX};
///
/// let line = Message::Sync { id: 7 }.encode();
/// assert_eq!(line, format!("{PREFIX}sync\t7"));
/// assert!(PREFIX.starts_with('\u{1e}')); // ASCII record separator
/// ```
pub const PREFIX: &str = "\u{1e}nn-kernel/1\t";

/// Environment variable through which the kernel tells its child where to
/// connect for interrupts: `127.0.0.1:PORT TOKEN`.
///
/// ```
/// use nn_core::notebook::transport::ENV_IPC;
///
/// assert_eq!(ENV_IPC, "NN_KERNEL_IPC");
/// // Set only in the kernel's evaluation process, not in `cargo test`.
/// if let Ok(ipc) = std::env::var(ENV_IPC) {
///     let (address, _token) = ipc.split_once(' ').unwrap();
///     assert!(address.starts_with("127.0.0.1:"));
/// }
/// ```
pub const ENV_IPC: &str = "NN_KERNEL_IPC";

/// Byte the kernel sends to interrupt the running cell.
///
/// ```
/// use nn_core::notebook::transport::INTERRUPT;
/// use std::io::Write;
///
/// // The kernel writes it to the child's socket when the user presses interrupt.
/// let mut socket = Vec::new(); // stands in for the `TcpStream`
/// socket.write_all(&[INTERRUPT]).unwrap();
/// assert_eq!(socket, b"i");
/// ```
pub const INTERRUPT: u8 = b'i';

/// Byte the kernel sends to clear a pending interrupt once a cell has ended.
///
/// ```
/// use nn_core::notebook::transport::{INTERRUPT, RESET};
///
/// // How the child reads the commands: an interrupt that arrives just as the
/// // cell ends is dropped by the `RESET` that follows.
/// let mut pending = false;
/// for command in [INTERRUPT, RESET] {
///     pending = match command { INTERRUPT => true, RESET => false, _ => pending };
/// }
/// assert!(!pending);
/// ```
pub const RESET: u8 = b'r';

/// Byte the kernel sends, followed by a path and a newline, to change the
/// working directory of the process that runs the cells.
///
/// ```
/// use nn_core::notebook::transport::CHDIR;
///
/// let mut command = vec![CHDIR];
/// command.extend_from_slice(b"/home/me/notebooks\n");
/// assert_eq!(command, b"c/home/me/notebooks\n");
/// ```
pub const CHDIR: u8 = b'c';

/// Byte the kernel sends, followed by a number and a newline, to have a
/// `sync` message with that number written to stderr.
///
/// ```
/// use nn_core::notebook::transport::{Message, SYNC};
///
/// let mut command = vec![SYNC]; // what the kernel sends after a cell
/// command.extend_from_slice(b"3\n");
/// assert_eq!(command, b"s3\n");
/// // The child answers with this line on stderr; once the kernel reads it,
/// // it has read everything the cell wrote there.
/// let answer = Message::Sync { id: 3 }.encode();
/// assert_eq!(Message::find(&answer), Some(("", Message::Sync { id: 3 })));
/// ```
pub const SYNC: u8 = b's';

/// Prefix of the panic message that nn-core's `notebook::check_interrupt`
/// raises; the kernel reports such a panic as `KeyboardInterrupt`.
///
/// ```
/// use nn_core::notebook::transport::KEYBOARD_INTERRUPT;
///
/// let message = "KeyboardInterrupt: the cell was interrupted";
/// let reason = message.strip_prefix(KEYBOARD_INTERRUPT);
/// assert_eq!(reason, Some(": the cell was interrupted"));
/// ```
pub const KEYBOARD_INTERRUPT: &str = "KeyboardInterrupt";

/// One message from the child to the kernel.
///
/// ```
/// use nn_core::notebook::transport::Message;
///
/// let message = Message::Update {
///     id: "nn-1".into(),
///     bundle: vec![("text/plain".into(), "loss 0.25".into())],
/// };
/// let line = message.encode();
/// assert_eq!(Message::find(&line), Some(("", message)));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Show a MIME bundle now, as `display_data` with this display id.
    Display {
        /// Display id, unique in the session.
        id: String,
        /// `(MIME type, data)` pairs; `text/plain` comes first.
        bundle: Vec<(String, String)>,
    },
    /// Replace what an earlier `Display` with the same id shows.
    Update {
        /// Display id of the output to replace.
        id: String,
        /// `(MIME type, data)` pairs; `text/plain` comes first.
        bundle: Vec<(String, String)>,
    },
    /// Clear the cell's output; with `wait`, only when the next output comes.
    Clear {
        /// Wait for the next output before clearing.
        wait: bool,
    },
    /// Everything written to stderr before this line has been read.
    Sync {
        /// The number the kernel sent with [`SYNC`].
        id: u64,
    },
    /// The cell's code panicked on the child's main thread.
    Panic {
        /// The panic message.
        message: String,
        /// Where the panic happened, `file:line:column`, or empty.
        location: String,
    },
}

impl Message {
    /// The message as one line, without the final newline.
    ///
    /// ```
    /// use nn_core::notebook::transport::{Message, PREFIX};
    ///
    /// let panic = Message::Panic {
    ///     message: "shapes differ:\n[2] vs [3]".into(),
    ///     location: "src/lib.rs:3:5".into(),
    /// };
    /// let line = panic.encode();
    /// assert_eq!(line, format!("{PREFIX}panic\tshapes differ:\\n[2] vs [3]\tsrc/lib.rs:3:5"));
    /// ```
    pub fn encode(&self) -> String {
        let number;
        let mut fields: Vec<&str> = Vec::new();
        let kind = match self {
            Message::Display { id, bundle } | Message::Update { id, bundle } => {
                fields.push(id);
                for (mime, data) in bundle {
                    fields.push(mime);
                    fields.push(data);
                }
                if matches!(self, Message::Display { .. }) {
                    "display"
                } else {
                    "update"
                }
            }
            Message::Clear { wait } => {
                fields.push(if *wait { "1" } else { "0" });
                "clear"
            }
            Message::Panic { message, location } => {
                fields.push(message);
                fields.push(location);
                "panic"
            }
            Message::Sync { id } => {
                number = id.to_string();
                fields.push(&number);
                "sync"
            }
        };
        let mut line = String::from(PREFIX);
        line.push_str(kind);
        for field in fields {
            line.push('\t');
            escape_into(field, &mut line);
        }
        line
    }

    /// Splits an output line into the text before a message and the message.
    /// Returns `None` when the line carries no message or a malformed one.
    ///
    /// ```
    /// use nn_core::notebook::transport::Message;
    ///
    /// // Text a `print!` left without a newline comes before the message.
    /// let line = format!("50%{}", Message::Clear { wait: false }.encode());
    /// assert_eq!(Message::find(&line), Some(("50%", Message::Clear { wait: false })));
    /// assert_eq!(Message::find("epoch 1: loss 0.25"), None);
    /// ```
    pub fn find(line: &str) -> Option<(&str, Message)> {
        let start = line.find(PREFIX)?;
        let message = Message::decode(&line[start + PREFIX.len()..])?;
        Some((&line[..start], message))
    }

    /// Decodes what follows [`PREFIX`] on a line.
    fn decode(rest: &str) -> Option<Message> {
        let mut parts = rest.split('\t');
        let kind = parts.next()?;
        let fields: Vec<String> = parts.map(unescape).collect();
        match kind {
            "display" | "update" => {
                let (id, pairs) = fields.split_first()?;
                if pairs.len() % 2 != 0 {
                    return None;
                }
                let bundle = pairs
                    .chunks(2)
                    .map(|pair| (pair[0].clone(), pair[1].clone()))
                    .collect();
                let id = id.clone();
                Some(if kind == "display" {
                    Message::Display { id, bundle }
                } else {
                    Message::Update { id, bundle }
                })
            }
            "clear" => match fields.as_slice() {
                [wait] => Some(Message::Clear { wait: wait == "1" }),
                _ => None,
            },
            "sync" => match fields.as_slice() {
                [id] => id.parse().ok().map(|id| Message::Sync { id }),
                _ => None,
            },
            "panic" => match fields.as_slice() {
                [message, location] => Some(Message::Panic {
                    message: message.clone(),
                    location: location.clone(),
                }),
                _ => None,
            },
            _ => None,
        }
    }
}

/// Escapes a field so that it holds no newline, carriage return or tab.
///
/// ```
/// use nn_core::notebook::transport::escape;
///
/// assert_eq!(escape("a\tb\nc"), r"a\tb\nc");
/// assert_eq!(escape(r"C:\data"), r"C:\\data");
/// ```
pub fn escape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    escape_into(field, &mut out);
    out
}

fn escape_into(field: &str, out: &mut String) {
    for c in field.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
}

/// Reverses [`escape`]; an unknown escape keeps its character.
///
/// ```
/// use nn_core::notebook::transport::{escape, unescape};
///
/// let field = "line 1\nline 2\tTAB \\ backslash";
/// assert_eq!(unescape(&escape(field)), field);
/// assert_eq!(unescape(r"\x"), "x");
/// ```
pub fn unescape(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut chars = field.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(message: Message) {
        let line = message.encode();
        assert!(!line.contains('\n'), "{line:?}");
        assert_eq!(Message::find(&line), Some(("", message)));
    }

    #[test]
    fn every_kind_round_trips() {
        let bundle = vec![
            ("text/plain".to_owned(), "a\tb\nc\\d\r".to_owned()),
            ("text/html".to_owned(), "<b>x</b>".to_owned()),
        ];
        round_trip(Message::Display {
            id: "nn-1".into(),
            bundle: bundle.clone(),
        });
        round_trip(Message::Update {
            id: "nn-1".into(),
            bundle,
        });
        round_trip(Message::Clear { wait: true });
        round_trip(Message::Clear { wait: false });
        round_trip(Message::Sync { id: 42 });
        round_trip(Message::Panic {
            message: "shape mismatch:\n[2] vs [3]".into(),
            location: "src/tensor.rs:1:2".into(),
        });
        round_trip(Message::Panic {
            message: String::new(),
            location: String::new(),
        });
    }

    #[test]
    fn text_before_the_marker_is_kept() {
        let line = format!("50%{}", Message::Clear { wait: false }.encode());
        assert_eq!(
            Message::find(&line),
            Some(("50%", Message::Clear { wait: false }))
        );
    }

    #[test]
    fn ordinary_and_malformed_lines_are_not_messages() {
        assert_eq!(Message::find("hello, world"), None);
        assert_eq!(Message::find(&format!("{PREFIX}display")), None);
        assert_eq!(
            Message::find(&format!("{PREFIX}display\tid\ttext/plain")),
            None
        );
        assert_eq!(Message::find(&format!("{PREFIX}bogus\tx")), None);
    }

    #[test]
    fn unescape_reverses_escape() {
        for s in ["", "\\", "\\n", "a\\\\b", "tab\there", "\u{1e}x"] {
            assert_eq!(unescape(&escape(s)), s);
        }
        assert_eq!(unescape("trailing\\"), "trailing\\");
    }
}
