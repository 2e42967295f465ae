//! The session's link to the kernel: whether there is one, the panic hook
//! that reports a cell's panic, and the commands that set the interrupt flag.
//!
//! Everything here is a static of nn-core. The kernel loads nn-core as a
//! dynamic library (`:allow_static_linking 0`), so each static exists once per
//! session rather than once per cell.

use super::display::emit;
use super::interrupt::set_interrupted;
use super::transport::{CHDIR, ENV_IPC, INTERRUPT, Message, RESET, SYNC};
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Once;
use std::sync::OnceLock;
use std::thread::ThreadId;

/// The thread that runs cells: the one that attached to the kernel. (Not
/// "the thread named `main`": nn-core's `libstd.so` did not start that
/// thread, so to it the thread has no name.)
static CELL_THREAD: OnceLock<ThreadId> = OnceLock::new();

/// The kernel's `ENV_IPC` value, if this process runs under the kernel.
fn kernel_ipc() -> Option<&'static str> {
    static IPC: OnceLock<Option<String>> = OnceLock::new();
    IPC.get_or_init(|| std::env::var(ENV_IPC).ok()).as_deref()
}

/// Whether this process is the `rust-nn` kernel's evaluation process (rather
/// than plain evcxr or an ordinary program).
///
/// ```
/// use nn_core::notebook::{in_kernel, transport::ENV_IPC};
///
/// // The kernel marks its evaluation process with `NN_KERNEL_IPC`.
/// assert_eq!(in_kernel(), std::env::var(ENV_IPC).is_ok());
/// let output = if in_kernel() { "rich MIME bundles" } else { "plain text" };
/// println!("this process shows {output}");
/// ```
pub fn in_kernel() -> bool {
    kernel_ipc().is_some()
}

/// Whether this is the thread that runs cells (never outside the kernel).
pub(super) fn on_cell_thread() -> bool {
    CELL_THREAD.get() == Some(&std::thread::current().id())
}

/// Makes the calling thread the cells' thread, for tests.
#[cfg(test)]
pub(super) fn mark_cell_thread() {
    CELL_THREAD.get_or_init(|| std::thread::current().id());
}

/// Connects this process to the kernel: installs the panic hook and starts
/// the thread that receives interrupts. The kernel calls this in its start-up
/// cell; it does nothing outside the kernel and when called again.
#[doc(hidden)]
pub fn attach_to_kernel() {
    static ATTACH: Once = Once::new();
    let Some(ipc) = kernel_ipc() else { return };
    ATTACH.call_once(|| {
        CELL_THREAD.get_or_init(|| std::thread::current().id());
        install_panic_hook();
        let ipc = ipc.to_owned();
        let _ = std::thread::Builder::new()
            .name("nn-kernel-interrupts".into())
            .spawn(move || receive_interrupts(&ipc));
    });
}

/// Reports a panic on the thread that runs cells to the kernel as a message
/// line, instead of the default text and backtrace on stderr; the kernel
/// turns it into the cell's `error`. Panics on other threads are printed to
/// stderr as usual, without a backtrace.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.payload_as_str().unwrap_or("Box<dyn Any>").to_owned();
        let location = info
            .location()
            .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
            .unwrap_or_default();
        let thread = std::thread::current();
        if CELL_THREAD.get() == Some(&thread.id()) {
            emit(&Message::Panic { message, location });
        } else {
            let mut err = std::io::stderr().lock();
            let name = thread.name().unwrap_or("<unnamed>");
            let _ = writeln!(err, "thread '{name}' panicked at {location}:\n{message}");
        }
    }));
}

/// Connects to the kernel's loopback socket (`ADDRESS TOKEN` in `ENV_IPC`),
/// says who it is, then carries out the kernel's commands (set or clear the
/// interrupt flag, change directory, mark the end of stderr) until the kernel
/// closes the connection.
///
/// A socket rather than a signal: `std` has no signal handlers, and this way
/// nn-core needs neither `libc` nor `unsafe`. Measured latency from the
/// kernel's write to the flag is well under a millisecond.
fn receive_interrupts(ipc: &str) {
    let Some((address, token)) = ipc.split_once(' ') else {
        return;
    };
    let Ok(mut stream) = TcpStream::connect(address) else {
        return;
    };
    let _ = stream.set_nodelay(true);
    if stream.write_all(format!("{token}\n").as_bytes()).is_err() {
        return;
    }
    let mut commands = std::io::BufReader::new(stream);
    let mut byte = [0u8; 1];
    while let Ok(1) = commands.read(&mut byte) {
        match byte[0] {
            INTERRUPT => set_interrupted(true),
            RESET => set_interrupted(false),
            SYNC => {
                let mut id = Vec::new();
                if commands.read_until(b'\n', &mut id).is_err() {
                    return;
                }
                let id = String::from_utf8_lossy(&id).trim().parse().unwrap_or(0);
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", Message::Sync { id }.encode());
            }
            CHDIR => {
                let mut path = Vec::new();
                if commands.read_until(b'\n', &mut path).is_err() {
                    return;
                }
                if let Ok(path) = String::from_utf8(path) {
                    let _ = std::env::set_current_dir(path.trim_end_matches('\n'));
                }
            }
            _ => {}
        }
    }
}
