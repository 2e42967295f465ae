//! The interrupt flag: set by the kernel when the user presses *interrupt*,
//! noticed by [`check_interrupt`] and by nn-core's own operations.
//!
//! A cell written as the course writes it —
//! `for epoch in 0..n { forward; loss; zero_grad; backward; step }` — calls
//! no [`check_interrupt`] of its own, yet spends nearly all its time in
//! nn-core. So every new tensor (the result of any op, a module's forward)
//! passes an *interrupt point* ([`interrupt_point`]), and so do `backward`
//! and an optimizer's `step` when they start: with an interrupt pending, the
//! cell panics there with `KeyboardInterrupt`, and the kernel keeps every
//! variable. An interrupt point costs one relaxed atomic load and a
//! predictable branch; the rest is out of line.
//!
//! Where a panic may happen matters: it must leave every value a later cell
//! can see whole. A new tensor is not yet anyone's, so dropping it is safe;
//! but `backward` half done would have accumulated some gradients and freed
//! part of the graph, and an optimizer's `step` half done would have moved
//! some parameters and not others (Adam: its step count, not its moments).
//! Those run as [`Uninterruptible`] sections: checked when they start, never
//! in the middle (torch's C++ is not interrupted mid-kernel either). Only the
//! thread that runs cells panics; rayon's workers and the user's threads
//! carry on, and the cells' thread stops at its next point.

use super::transport::KEYBOARD_INTERRUPT;
use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// How many [`Uninterruptible`] sections this thread is in.
    static UNINTERRUPTIBLE: Cell<u32> = const { Cell::new(0) };
}

/// Sets or clears the flag (the kernel's `i` and `r` commands).
pub(super) fn set_interrupted(interrupted: bool) {
    INTERRUPTED.store(interrupted, Ordering::Release);
}

/// Stops the running cell if the user pressed *interrupt*, by panicking with a
/// message that starts with `KeyboardInterrupt`. nn-core's operations check
/// by themselves (every new tensor, `backward`, an optimizer's `step`); call
/// this in a long loop of your own code that does not use nn-core. It costs
/// one relaxed atomic load. The kernel reports the cell as interrupted and
/// every variable of earlier cells is kept.
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

/// An interrupt point of nn-core's own operations: [`check_interrupt`], but
/// only on the thread that runs cells and outside [`Uninterruptible`]
/// sections. One relaxed load when no interrupt is pending.
#[inline]
#[track_caller]
pub(crate) fn interrupt_point() {
    // Counted in tests (how many points a training step passes).
    #[cfg(test)]
    tests::POINTS.with(|points| points.set(points.get() + 1));
    // `--cfg nn_core_no_interrupt_check` builds nn-core without the check:
    // the baseline of `bench/interrupt_cost.py`, which measures its cost.
    #[cfg(not(nn_core_no_interrupt_check))]
    if INTERRUPTED.load(Ordering::Relaxed) {
        interrupt_pending();
    }
}

#[cold]
#[inline(never)]
#[track_caller]
#[cfg_attr(nn_core_no_interrupt_check, allow(dead_code))]
fn interrupt_pending() {
    if super::session::on_cell_thread() && UNINTERRUPTIBLE.with(Cell::get) == 0 {
        check_interrupt();
    }
}

/// While one is alive, nn-core's interrupt points on this thread do nothing:
/// for work that must not stop half done (`backward`, an optimizer's
/// `step`). Creating one is itself an interrupt point, so a pending interrupt
/// stops the cell before the work starts.
pub(crate) struct Uninterruptible(());

impl Uninterruptible {
    #[track_caller]
    pub(crate) fn new() -> Uninterruptible {
        interrupt_point();
        UNINTERRUPTIBLE.with(|depth| depth.set(depth.get() + 1));
        Uninterruptible(())
    }
}

impl Drop for Uninterruptible {
    fn drop(&mut self) {
        UNINTERRUPTIBLE.with(|depth| depth.set(depth.get() - 1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prelude::*;

    // The benchmark's nets: the step counted here is the step it times.
    include!("../../benches/common/regression_net.rs");

    thread_local! {
        /// Interrupt points passed on this thread (tests only).
        pub(super) static POINTS: Cell<u64> = const { Cell::new(0) };
    }

    /// Interrupt points passed by one call of `step` (after a first call, so
    /// that an optimizer's state is already made).
    fn points_per_call(mut step: impl FnMut()) -> u64 {
        step();
        let before = POINTS.with(Cell::get);
        step();
        POINTS.with(Cell::get) - before
    }

    /// A course training step passes a few dozen interrupt points, not one
    /// per element or per row: their cost (a relaxed load and a branch each,
    /// ~1 ns) stays far below 1% of a step (10 µs for the smallest net; see
    /// `bench/interrupt_cost.py` and docs/kernel.md).
    #[test]
    fn a_training_step_passes_few_interrupt_points() {
        for (hidden, adam, most) in [
            (&[10][..], false, 40),
            (&[10], true, 60),
            (&[64, 64], false, 60),
        ] {
            let x = Tensor::linspace(-1.0, 1.0, 100).unsqueeze(1);
            let y = x.pow(2.0);
            let (net, mut optimizer) = regression_net(hidden, adam);
            let loss_func = MSELoss::new();
            let points = points_per_call(|| {
                let loss = loss_func.forward(&net.forward(&x), &y);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
            });
            println!("hidden {hidden:?}, adam {adam}: {points} interrupt points per step");
            assert!(
                (5..=most).contains(&points),
                "{points} points per step of {hidden:?} (adam {adam})"
            );
        }
    }

    // One test: the flag is the process's, and tests run in parallel.
    #[test]
    fn interrupts() {
        // check_interrupt panics once, then the flag is clear.
        INTERRUPTED.store(true, Ordering::Release);
        let caught = std::panic::catch_unwind(check_interrupt);
        let payload = caught.expect_err("should panic");
        let message = payload.downcast_ref::<String>().expect("String payload");
        assert!(message.starts_with(KEYBOARD_INTERRUPT), "{message}");
        assert!(!is_interrupted());
        check_interrupt();

        // Interrupt points stop only the cells' thread, outside sections.
        // Tests run on threads of their own: this one becomes the cells'.
        super::super::session::mark_cell_thread();
        {
            let _section = Uninterruptible::new();
            INTERRUPTED.store(true, Ordering::Release);
            interrupt_point(); // inside a section: nothing
            // Another thread (a rayon worker): nothing either.
            std::thread::spawn(interrupt_point).join().unwrap();
            assert!(is_interrupted());
        }
        let caught = std::panic::catch_unwind(interrupt_point);
        assert!(caught.is_err());
        assert!(!is_interrupted());
        interrupt_point();
    }
}
