//! What a failed cell shows: compile errors rendered against the cell's own
//! lines (evcxr's `rendered()` points into its generated crate), panics with
//! their message, and the engine's other errors.

use crate::display::transport::KEYBOARD_INTERRUPT;
use crate::display::{Fatal, Panic};
use evcxr::CompilationError;
use serde_json::{Value, json};
use std::path::Path;

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
            evcxr::Error::SubprocessTerminated(message) => {
                CellError::process_ended(message, None, None)
            }
            other => {
                let text = other.to_string();
                let evalue = text.lines().next().unwrap_or("").to_owned();
                CellError::new("Error", &evalue, text.lines().map(str::to_owned).collect())
            }
        }
    }

    /// The cell could not be compiled because the disk holding the build
    /// folder `build` is full. Nothing ran: the variables are kept.
    pub fn disk_full(build: &Path) -> CellError {
        let folder = build.display();
        CellError::new(
            "DiskFull",
            &format!(
                "the disk holding the kernel's build folder ({folder}) is full: the cell \
                 could not be compiled"
            ),
            vec![
                format!(
                    "\x1b[1;31mThe disk is full\x1b[0m: the disk holding the kernel's build \
                     folder ({folder}) has no space left, so the cell could not be compiled."
                ),
                "Nothing ran and the variables are kept. Free some space on that disk (or \
                 start the kernel with NN_KERNEL_CACHE set to a folder on a disk with room), \
                 then run the cell again."
                    .into(),
            ],
        )
    }

    /// The cells' process ended during the cell (evcxr's message, ending
    /// with the exit status) and evcxr started a new one: what ended it, as
    /// far as the kernel can tell — `fatal`, what Rust said on stderr, else
    /// the exit status — and that every variable was lost. `memory_limit`:
    /// the cells' process's limit, in bytes.
    pub fn process_ended(
        message: &str,
        fatal: Option<Fatal>,
        memory_limit: Option<u64>,
    ) -> CellError {
        let status = message
            .lines()
            .rev()
            .find_map(|line| line.strip_prefix("Subprocess terminated with status: "))
            .unwrap_or("")
            .trim();
        let (ename, what, why) = match fatal {
            Some(Fatal::StackOverflow) => (
                "StackOverflow",
                "the cell overflowed its stack".to_owned(),
                "A function probably calls itself without end (unbounded recursion); \
                 Rust cannot recover from a stack overflow, so it ended the process."
                    .to_owned(),
            ),
            Some(Fatal::OutOfMemory(bytes)) => (
                "MemoryError",
                format!("the cell ran out of memory (an allocation of {bytes} bytes failed)"),
                match memory_limit {
                    Some(limit) => format!(
                        "The process running the cells may use {} \
                         (NN_KERNEL_MEMORY_LIMIT); Rust ends the process when an \
                         allocation fails. Use smaller tensors, or free large \
                         variables (drop(x)) before making new ones.",
                        crate::memory_limit::human(limit)
                    ),
                    None => "Rust ends the process when an allocation fails. Use smaller \
                             tensors, or free large variables (drop(x)) before making new ones."
                        .to_owned(),
                },
            ),
            None => ended_by(status),
        };
        let evalue = format!(
            "{what}, so the Rust process running the cells was restarted: all variables were lost"
        );
        let mut traceback = vec![format!("{RED}{ename}{RESET}: {evalue}."), why];
        if !status.is_empty() {
            traceback.push(format!("(the process's exit status: {status})"));
        }
        traceback.push(
            "All variables were lost: run the cells that define them again. Definitions, \
             `use`s and `:dep`s are kept, and nn-core is connected again."
                .to_owned(),
        );
        CellError::new(ename, &evalue, traceback)
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

/// What ended the process, from its exit status as Rust prints it
/// (`exit status: 3`, `signal: 6 (SIGABRT) (core dumped)`): the error's
/// name, what happened, and a hint.
fn ended_by(status: &str) -> (&'static str, String, String) {
    if let Some(code) = status.strip_prefix("exit status: ") {
        return (
            "ProcessExited",
            format!("the cell ended the process with exit status {code}"),
            format!(
                "Something called std::process::exit({code}), which ends the whole process \
                 rather than the cell; panic!(...) or returning an error stops just the cell."
            ),
        );
    }
    let signal = status
        .strip_prefix("signal: ")
        .map(|s| s.split(' ').next().unwrap_or(""));
    match signal {
        Some("6") => (
            "ProcessAborted",
            "the process aborted".to_owned(),
            "Something called std::process::abort(), or Rust hit an error it cannot \
             recover from (a panic while panicking, a failed allocation)."
                .to_owned(),
        ),
        Some("9") => (
            "ProcessKilled",
            "the process was killed (SIGKILL)".to_owned(),
            "Killed from outside the kernel: by the system when memory ran out (the \
             out-of-memory killer), or by a user or an administrator."
                .to_owned(),
        ),
        // Safe Rust (nn-core has no `unsafe`) cannot make an invalid memory
        // access; what it can is run off the end of its stack. On the cells'
        // thread Rust's own "has overflowed its stack" is not printed here
        // (the cells' code comes from shared libraries loaded at run time),
        // so the signal is what the kernel sees.
        Some("11") => (
            "StackOverflow",
            "the cell overflowed its stack (a segmentation fault, SIGSEGV)".to_owned(),
            "A function probably calls itself without end (unbounded recursion): in safe \
             Rust a segmentation fault is a stack overflow, which ends the process. \
             (With `unsafe` code or a C library, it can also be an invalid memory access.)"
                .to_owned(),
        ),
        Some("7") => (
            "ProcessCrashed",
            format!(
                "the process crashed ({})",
                status.trim_start_matches("signal: ")
            ),
            "An invalid memory access: in `unsafe` code or a C library.".to_owned(),
        ),
        _ => (
            "ProcessExited",
            "the process running the cells ended".to_owned(),
            format!(
                "It ended with {}.",
                if status.is_empty() {
                    "no exit status"
                } else {
                    status
                }
            ),
        ),
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

/// Whether a failed compile failed for want of disk space: the compiler or
/// cargo said so, or — when the compiler reported no error of the cell's —
/// the disk holding `folder` has less than 16 MB left (cargo then often
/// fails without a message evcxr can parse).
pub fn disk_is_full(error: &evcxr::Error, folder: &Path) -> bool {
    let text = error.to_string();
    if text.contains("No space left on device") || text.contains("os error 28") {
        return true;
    }
    if matches!(error, evcxr::Error::CompilationErrors(_)) {
        return false;
    }
    match rustix::fs::statvfs(folder) {
        Ok(stats) => stats.f_bavail.saturating_mul(stats.f_frsize) < 16 << 20,
        Err(_) => false,
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
    fn process_exit_names_the_status() {
        let error = CellError::process_ended(
            "Subprocess terminated with status: exit status: 3",
            None,
            None,
        );
        assert_eq!(error.ename, "ProcessExited");
        assert!(
            error
                .evalue
                .starts_with("the cell ended the process with exit status 3")
        );
        assert!(
            error.evalue.ends_with("all variables were lost"),
            "{}",
            error.evalue
        );
        assert!(error.traceback[1].contains("std::process::exit(3)"));
    }

    #[test]
    fn abort_and_kill_are_told_apart() {
        let abort = "Subprocess terminated with status: signal: 6 (SIGABRT) (core dumped)";
        let error = CellError::process_ended(abort, None, None);
        assert_eq!(error.ename, "ProcessAborted");
        assert!(error.traceback[1].contains("std::process::abort()"));
        let kill = "Subprocess terminated with status: signal: 9 (SIGKILL)";
        assert_eq!(
            CellError::process_ended(kill, None, None).ename,
            "ProcessKilled"
        );
    }

    #[test]
    fn a_stack_overflow_is_named() {
        let abort = "Subprocess terminated with status: signal: 6 (SIGABRT)";
        let error = CellError::process_ended(abort, Some(Fatal::StackOverflow), None);
        assert_eq!(error.ename, "StackOverflow");
        assert!(error.evalue.starts_with("the cell overflowed its stack"));
        assert!(error.traceback[1].contains("unbounded recursion"));
    }

    #[test]
    fn a_segmentation_fault_is_taken_for_a_stack_overflow() {
        let segv = "Subprocess terminated with status: signal: 11 (SIGSEGV) (core dumped)";
        let error = CellError::process_ended(segv, None, None);
        assert_eq!(error.ename, "StackOverflow");
        assert!(error.traceback[1].contains("unbounded recursion"));
    }

    #[test]
    fn running_out_of_memory_names_the_limit() {
        let abort = "Subprocess terminated with status: signal: 6 (SIGABRT)";
        let error = CellError::process_ended(abort, Some(Fatal::OutOfMemory(4096)), Some(2 << 30));
        assert_eq!(error.ename, "MemoryError");
        assert!(error.evalue.contains("an allocation of 4096 bytes failed"));
        assert!(error.traceback[1].contains("may use 2 GB (NN_KERNEL_MEMORY_LIMIT)"));
    }

    #[test]
    fn other_errors_keep_their_text() {
        let error = CellError::from_evcxr(&evcxr::Error::Message("first\nsecond".into()), "");
        assert_eq!(error.evalue, "first");
        assert_eq!(error.traceback, ["first", "second"]);
    }
}
