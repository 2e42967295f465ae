//! What a failed cell shows: compile errors rendered against the cell's own
//! lines (evcxr's `rendered()` points into its generated crate), panics with
//! their message, and the engine's other errors.

use crate::display::Panic;
use crate::display::transport::KEYBOARD_INTERRUPT;
use evcxr::CompilationError;
use serde_json::{Value, json};

const RED: &str = "\x1b[1;31m";
const BLUE: &str = "\x1b[1;34m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// An `error` output: Jupyter's `ename`, `evalue` and `traceback`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CellError {
    pub ename: String,
    pub evalue: String,
    pub traceback: Vec<String>,
}

impl CellError {
    pub fn new(ename: &str, evalue: &str, traceback: Vec<String>) -> CellError {
        CellError {
            ename: ename.to_owned(),
            evalue: evalue.to_owned(),
            traceback,
        }
    }

    /// The `error` message content and the fields of an `execute_reply`.
    pub fn content(&self) -> Value {
        json!({ "ename": self.ename, "evalue": self.evalue, "traceback": self.traceback })
    }

    /// The error evcxr returned for the cell `code`.
    pub fn from_evcxr(error: &evcxr::Error, code: &str) -> CellError {
        match error {
            evcxr::Error::CompilationErrors(errors) => compile_errors(errors, code),
            evcxr::Error::SubprocessTerminated(message) => CellError::new(
                "ProcessExited",
                "the Rust process running the cells exited; all variables were lost",
                vec![
                    format!("{RED}The Rust process running the cells exited.{RESET}"),
                    message.trim().to_owned(),
                    "All variables were lost. Definitions, `use`s and `:dep`s are kept, \
                     and nn-core is connected again."
                        .to_owned(),
                ],
            ),
            other => {
                let text = other.to_string();
                let evalue = text.lines().next().unwrap_or("").to_owned();
                CellError::new("Error", &evalue, text.lines().map(str::to_owned).collect())
            }
        }
    }

    /// A panic of the cell's code; `KeyboardInterrupt` for an interrupt.
    pub fn from_panic(panic: &Panic) -> CellError {
        if let Some(rest) = panic.message.strip_prefix(KEYBOARD_INTERRUPT) {
            let evalue = rest.trim_start_matches(':').trim();
            return CellError::new(
                KEYBOARD_INTERRUPT,
                evalue,
                vec![format!("{RED}{KEYBOARD_INTERRUPT}{RESET}: {evalue}")],
            );
        }
        let mut traceback = vec![format!("{RED}panic{RESET}: {}", panic.message)];
        // A location in the cell itself is one in evcxr's generated crate, and
        // its line numbers mean nothing to the reader.
        if !panic.location.is_empty() && !panic.location.starts_with("src/lib.rs") {
            traceback.push(format!("{BLUE}  -->{RESET} {}", panic.location));
        }
        CellError::new("panic", &panic.message, traceback)
    }
}

/// One `error` output for all of a cell's compile errors, rendered like
/// rustc's, with line numbers counted in the cell.
fn compile_errors(errors: &[CompilationError], code: &str) -> CellError {
    // Warnings and notes only when there is nothing else to show.
    let shown: Vec<&CompilationError> = if errors.iter().any(|e| e.level() == "error") {
        errors.iter().filter(|e| e.level() == "error").collect()
    } else {
        errors.iter().collect()
    };
    let lines: Vec<&str> = code.lines().collect();
    let mut traceback = Vec::new();
    for (i, error) in shown.iter().enumerate() {
        if i > 0 {
            traceback.push(String::new());
        }
        if error.is_from_user_code() {
            render(error, &lines, &mut traceback);
        } else {
            // In a dependency (nn-core being edited, say): rustc's own text,
            // whose paths are real files.
            let rendered = error.rendered();
            if rendered.trim().is_empty() {
                traceback.push(format!(
                    "{RED}error{RESET}{BOLD}: {}{RESET}",
                    error.message()
                ));
            } else {
                traceback.extend(rendered.trim_end().lines().map(str::to_owned));
            }
        }
    }
    let evalue = match shown.first() {
        Some(first) if first.is_from_user_code() => first.message(),
        Some(first) => format!("a dependency failed to compile: {}", first.message()),
        None => "compilation failed".to_owned(),
    };
    CellError::new("CompileError", &evalue, traceback)
}

fn render(error: &CompilationError, lines: &[&str], out: &mut Vec<String>) {
    let level = match error.level() {
        "" => "error",
        level => level,
    };
    let code = error.code().map(|c| format!("[{c}]")).unwrap_or_default();
    out.push(format!(
        "{RED}{level}{code}{RESET}{BOLD}: {}{RESET}",
        error.message()
    ));
    let spans: Vec<_> = error
        .spanned_messages()
        .iter()
        .filter_map(|m| m.span.map(|span| (span, m)))
        .filter(|(span, _)| span.start_line >= 1 && span.start_line <= lines.len())
        .collect();
    let width = spans
        .iter()
        .map(|(span, _)| span.end_line.to_string().len())
        .max()
        .unwrap_or(1);
    let pad = " ".repeat(width);
    if let Some((first, _)) = spans.iter().find(|(_, m)| m.is_primary).or(spans.first()) {
        out.push(format!(
            "{pad}{BLUE}-->{RESET} line {}, column {}",
            first.start_line, first.start_column
        ));
        out.push(format!("{pad} {BLUE}|{RESET}"));
    }
    // Each line once, with the markers of every span that starts on it.
    let mut shown: Vec<usize> = spans.iter().map(|(span, _)| span.start_line).collect();
    shown.sort_unstable();
    shown.dedup();
    for line_number in shown {
        let text = lines[line_number - 1];
        out.push(format!("{BLUE}{line_number:>width$} |{RESET} {text}"));
        let mut here: Vec<_> = spans
            .iter()
            .filter(|(span, _)| span.start_line == line_number)
            .collect();
        here.sort_by_key(|(span, m)| (!m.is_primary, span.start_column));
        for (span, message) in here {
            let start = span.start_column.max(1);
            let end = if span.end_line == span.start_line {
                span.end_column.max(start + 1)
            } else {
                text.chars().count() + 1
            };
            let (marker, colour) = if message.is_primary {
                ("^", RED)
            } else {
                ("-", BLUE)
            };
            let spaces = " ".repeat(start - 1);
            let markers = marker.repeat(end.saturating_sub(start).max(1));
            let label = &message.label;
            out.push(format!(
                "{pad} {BLUE}|{RESET} {spaces}{colour}{markers} {label}{RESET}"
            ));
        }
    }
    for help in error.help() {
        out.push(format!("{pad} {BLUE}={RESET} {BOLD}help{RESET}: {help}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn panic(message: &str, location: &str) -> CellError {
        CellError::from_panic(&Panic {
            message: message.into(),
            location: location.into(),
        })
    }

    #[test]
    fn panic_evalue_is_the_message() {
        let error = panic(
            "shape mismatch: [2] vs [3]",
            "/x/nn-core/src/tensor/binary.rs:4:9",
        );
        assert_eq!(error.ename, "panic");
        assert_eq!(error.evalue, "shape mismatch: [2] vs [3]");
        assert!(error.traceback[1].contains("binary.rs:4:9"));
    }

    #[test]
    fn locations_in_the_generated_crate_are_hidden() {
        assert_eq!(panic("boom", "src/lib.rs:40:5").traceback.len(), 1);
    }

    #[test]
    fn keyboard_interrupt_has_its_own_name() {
        let error = panic("KeyboardInterrupt: the cell was interrupted", "");
        assert_eq!(error.ename, "KeyboardInterrupt");
        assert_eq!(error.evalue, "the cell was interrupted");
    }

    #[test]
    fn other_errors_keep_their_text() {
        let error = CellError::from_evcxr(&evcxr::Error::Message("first\nsecond".into()), "");
        assert_eq!(error.evalue, "first");
        assert_eq!(error.traceback, ["first", "second"]);
    }
}
