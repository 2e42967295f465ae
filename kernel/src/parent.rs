//! The kernel ends when the Jupyter server that launched it is gone.
//!
//! A Jupyter server killed (SIGKILL, the OOM killer, a crashed JupyterHub
//! single-user server) cannot shut its kernels down; without this they would
//! run on, each with its cells' process, holding a student's memory until the
//! machine restarts. jupyter_client puts its own process id in
//! `JPY_PARENT_PID` when it launches a kernel, and ipykernel polls its
//! parent the same way (`ParentPollerUnix`): when the parent changes (the
//! process was adopted by init or a subreaper), the kernel exits. A kernel a
//! standby serves exits when its stand-in — the launched process, watched
//! here — exits.

use std::time::Duration;

/// How often the parent is checked.
const POLL: Duration = Duration::from_secs(1);

/// When `JPY_PARENT_PID` names this process's parent, watches it on a thread
/// of its own and exits the process once the parent is gone.
pub fn exit_with_parent() {
    let Some(parent) = launched_by() else { return };
    let _ = std::thread::Builder::new()
        .name("parent-watch".into())
        .spawn(move || {
            loop {
                std::thread::sleep(POLL);
                if current_parent() != Some(parent) {
                    eprintln!(
                        "nn-kernel: the process that launched this kernel ({parent}) is gone; exiting"
                    );
                    std::process::exit(0);
                }
            }
        });
}

/// The launching process, if `JPY_PARENT_PID` names this process's parent
/// (not set, or naming another process, e.g. an independent launch: no
/// watch; pid 1 never goes away).
fn launched_by() -> Option<u32> {
    let named: u32 = std::env::var("JPY_PARENT_PID").ok()?.trim().parse().ok()?;
    (named > 1 && current_parent() == Some(named)).then_some(named)
}

fn current_parent() -> Option<u32> {
    rustix::process::getppid().map(|pid| pid.as_raw_nonzero().get() as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_process_has_a_parent() {
        assert!(current_parent().is_some_and(|p| p >= 1));
    }
}
