//! The session's link to the kernel: whether there is one, the panic hook
//! that reports a cell's panic, and the interrupt flag.
//!
//! Everything here is a static of nn-core. The kernel loads nn-core as a
//! dynamic library (`:allow_static_linking 0`), so each static exists once per
//! session rather than once per cell.

use super::display::emit;
use super::transport::{CHDIR, ENV_IPC, INTERRUPT, KEYBOARD_INTERRUPT, Message, RESET, SYNC};
use std::io::{BufRead as _, Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Once;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::ThreadId;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

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

/// Stops the running cell if the user pressed *interrupt*, by panicking with a
/// message that starts with `KeyboardInterrupt`. Long loops in nn-core (a
/// training step, a large op, a progress iterator) call this on each pass; it
/// costs one relaxed atomic load. The kernel reports the cell as interrupted
/// and every variable of earlier cells is kept.
///
/// ```
/// use nn_core::notebook::check_interrupt;
///
/// let mut total = 0u64;
/// for i in 0..1_000 {
///     check_interrupt();
///     total += i;
/// }
/// assert_eq!(total, 499_500);
/// ```
pub fn check_interrupt() {
    if is_interrupted() && INTERRUPTED.swap(false, Ordering::AcqRel) {
        panic!("{KEYBOARD_INTERRUPT}: the cell was interrupted");
    }
}

/// Whether an interrupt is pending, for loops that prefer to stop cleanly
/// instead of panicking. Call [`check_interrupt`] afterwards (or let the
/// kernel clear the flag when the cell ends).
///
/// ```
/// use nn_core::notebook::{check_interrupt, is_interrupted};
///
/// let mut epochs = 0;
/// while epochs < 100 && !is_interrupted() {
///     epochs += 1; // one epoch of training
/// }
/// println!("stopped after {epochs} epochs");
/// check_interrupt(); // now report the interrupt, if there was one
/// assert_eq!(epochs, 100); // nobody pressed interrupt here
/// ```
pub fn is_interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
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
            INTERRUPT => INTERRUPTED.store(true, Ordering::Release),
            RESET => INTERRUPTED.store(false, Ordering::Release),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_interrupt_panics_once_then_clears() {
        INTERRUPTED.store(true, Ordering::Release);
        let caught = std::panic::catch_unwind(check_interrupt);
        let payload = caught.expect_err("should panic");
        let message = payload.downcast_ref::<String>().expect("String payload");
        assert!(message.starts_with(KEYBOARD_INTERRUPT), "{message}");
        assert!(!is_interrupted());
        check_interrupt();
    }
}
