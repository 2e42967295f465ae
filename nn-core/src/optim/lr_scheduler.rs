//! `torch.optim.lr_scheduler`: learning rates that change by epoch.
//!
//! A scheduler is made from an optimizer and shares its learning rate
//! ([`ParamGroup`]): call `optimizer.step()` for every batch and
//! `scheduler.step()` once per epoch, as in torch. Each scheduler computes
//! its rate as torch's does, by multiplying the current rate (so the
//! numbers, float rounding included, are torch's: `0.1 · 0.1` is
//! `0.010000000000000002`).
//!
//! ```
//! use nn_core::prelude::*;
//! use nn_core::optim::lr_scheduler::StepLR;
//!
//! let model = Linear::new(2, 1);
//! let mut optimizer = SGD::new(model.parameters(), 0.1);
//! let mut scheduler = StepLR::new(&optimizer, 2, 0.1);
//! let mut rates = vec![];
//! for _epoch in 0..5 {
//!     optimizer.zero_grad();
//!     model.forward(&tensor![[1.0, 2.0]]).sum().backward();
//!     optimizer.step();
//!     scheduler.step();
//!     rates.push(scheduler.get_last_lr()[0]);
//! }
//! assert_eq!(rates, [0.1, 0.010000000000000002, 0.010000000000000002, 0.0010000000000000002, 0.0010000000000000002]);
//! ```

use super::{Optimizer, ParamGroup};
use crate::tensor::Scalar;

/// What every scheduler offers, as torch's `LRScheduler`: for training loops
/// that take any of them.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::optim::lr_scheduler::{ExponentialLR, LRScheduler};
///
/// fn end_of_epoch(s: &mut dyn LRScheduler) -> f64 {
///     s.step();
///     s.get_last_lr()[0]
/// }
/// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
/// let mut s = ExponentialLR::new(&opt, 0.5);
/// opt.step();
/// assert_eq!(end_of_epoch(&mut s), 0.5);
/// ```
pub trait LRScheduler {
    /// Ends an epoch: the learning rate becomes the next epoch's, as
    /// `scheduler.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::{LRScheduler, StepLR};
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// let mut s: Box<dyn LRScheduler> = Box::new(StepLR::new(&opt, 1, 0.5));
    /// opt.step();
    /// s.step();
    /// assert_eq!(opt.lr(), 0.5);
    /// ```
    fn step(&mut self);

    /// The learning rate of each parameter group after the last `step()`,
    /// as `scheduler.get_last_lr()` (one group here).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::{LRScheduler, StepLR};
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// let s: Box<dyn LRScheduler> = Box::new(StepLR::new(&opt, 1, 0.5));
    /// assert_eq!(s.get_last_lr(), [0.1]);
    /// ```
    fn get_last_lr(&self) -> Vec<f64>;

    /// The number of the last epoch ended (0 right after construction), as
    /// `scheduler.last_epoch`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::{LRScheduler, StepLR};
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// let s: Box<dyn LRScheduler> = Box::new(StepLR::new(&opt, 1, 0.5));
    /// assert_eq!(s.last_epoch(), 0);
    /// ```
    fn last_epoch(&self) -> i64;
}

/// torch's warning when the first `scheduler.step()` comes before any
/// `optimizer.step()` (printed to stderr, as Python prints warnings).
const STEP_ORDER_WARNING: &str = "Detected call of `lr_scheduler.step()` before \
    `optimizer.step()`. In PyTorch 1.1.0 and later, you should call them in the opposite order: \
    `optimizer.step()` before `lr_scheduler.step()`.  Failure to do this will result in PyTorch \
    skipping the first value of the learning rate schedule. See more details at \
    https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate";

/// What all schedulers keep: torch's `LRScheduler` base class.
#[derive(Debug)]
struct Schedule {
    group: ParamGroup,
    /// `base_lrs[0]`: the group's `initial_lr`.
    base_lr: Scalar,
    last_epoch: i64,
    step_count: usize,
    last_lr: f64,
}

impl Schedule {
    /// `LRScheduler.__init__` up to (not including) its initial step.
    fn attach(optimizer: &dyn Optimizer) -> Schedule {
        let group = optimizer.param_group();
        let base_lr = group.set_default_initial_lr();
        Schedule {
            last_lr: group.lr(),
            group,
            base_lr,
            last_epoch: -1,
            step_count: 0,
        }
    }

    /// `LRScheduler.step()`: warns as torch does when the optimizer has not
    /// stepped before the first scheduler step, then moves to the next epoch
    /// with the rate `next` computes from (the current rate, the epoch).
    fn step(&mut self, next: impl FnOnce(Scalar, i64) -> Option<f64>) {
        if self.step_count == 1 && !self.group.has_stepped() {
            eprintln!("UserWarning: {STEP_ORDER_WARNING}");
        }
        self.step_count += 1;
        self.last_epoch += 1;
        if let Some(lr) = next(self.group.lr_scalar(), self.last_epoch) {
            self.group.set_lr(lr);
        }
        self.last_lr = self.group.lr();
    }
}

/// Multiplies the learning rate by `gamma` every `step_size` epochs, as
/// `torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::optim::lr_scheduler::StepLR;
///
/// let mut opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3);
/// let mut scheduler = StepLR::new(&opt, 30, 0.1);
/// for _ in 0..30 {
///     opt.step();
///     scheduler.step();
/// }
/// assert_eq!(scheduler.get_last_lr(), [0.0001]);
/// assert!(opt.to_string().contains("    initial_lr: 0.001\n    lr: 0.0001\n"));
/// ```
#[derive(Debug)]
pub struct StepLR {
    schedule: Schedule,
    /// Epochs between two decays.
    pub step_size: usize,
    /// The factor of each decay.
    pub gamma: f64,
}

impl StepLR {
    /// A schedule over `optimizer`'s learning rate (torch's default `gamma`
    /// is 0.1).
    ///
    /// # Panics
    /// If `step_size` is 0 (torch divides by it).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// let s = StepLR::new(&opt, 10, 0.5);
    /// assert_eq!(s.get_last_lr(), [0.1]);
    /// ```
    pub fn new(optimizer: &dyn Optimizer, step_size: usize, gamma: f64) -> StepLR {
        assert!(
            step_size > 0,
            "integer modulo by zero: step_size must be positive"
        );
        let mut s = StepLR {
            schedule: Schedule::attach(optimizer),
            step_size,
            gamma,
        };
        s.step();
        s
    }

    /// Ends an epoch, as `scheduler.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// let mut s = StepLR::new(&opt, 2, 0.5);
    /// opt.step();
    /// s.step();
    /// assert_eq!(opt.lr(), 1.0);
    /// s.step();
    /// assert_eq!(opt.lr(), 0.5);
    /// ```
    pub fn step(&mut self) {
        let (step_size, gamma) = (self.step_size as i64, self.gamma);
        self.schedule
            .step(|lr, epoch| (epoch != 0 && epoch % step_size == 0).then(|| lr.to_f64() * gamma));
    }

    /// The learning rate after the last `step()`, as `scheduler.get_last_lr()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(StepLR::new(&opt, 5, 0.1).get_last_lr(), [0.1]);
    /// ```
    pub fn get_last_lr(&self) -> Vec<f64> {
        vec![self.schedule.last_lr]
    }

    /// The last epoch ended, as `scheduler.last_epoch`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(StepLR::new(&opt, 5, 0.1).last_epoch(), 0);
    /// ```
    pub fn last_epoch(&self) -> i64 {
        self.schedule.last_epoch
    }

    /// The learning rate of epoch `epoch` from the initial rate,
    /// `initial_lr · gamma^(epoch / step_size)`, as torch's closed form.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// assert_eq!(StepLR::new(&opt, 2, 0.5).closed_form_lr(5), 0.25);
    /// ```
    pub fn closed_form_lr(&self, epoch: usize) -> f64 {
        self.schedule.base_lr.to_f64() * self.gamma.powf((epoch / self.step_size) as f64)
    }
}

/// Multiplies the learning rate by `gamma` at each milestone epoch (twice at
/// a milestone listed twice), as
/// `torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones, gamma=0.1)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::optim::lr_scheduler::MultiStepLR;
///
/// let mut opt = SGD::new(Linear::new(2, 1).parameters(), 0.05);
/// let mut scheduler = MultiStepLR::new(&opt, &[30, 80], 0.1);
/// let mut rates = vec![];
/// for _ in 0..100 {
///     opt.step();
///     scheduler.step();
///     rates.push(scheduler.get_last_lr()[0]);
/// }
/// assert_eq!(rates[28], 0.05);
/// assert_eq!(rates[29], 0.005000000000000001); // epoch 30
/// assert_eq!(rates[79], 0.0005000000000000001); // epoch 80
/// ```
#[derive(Debug)]
pub struct MultiStepLR {
    schedule: Schedule,
    /// The epochs at which the rate decays, sorted (a repeated epoch decays
    /// as many times).
    pub milestones: Vec<usize>,
    /// The factor of each decay.
    pub gamma: f64,
}

impl MultiStepLR {
    /// A schedule over `optimizer`'s learning rate (torch's default `gamma`
    /// is 0.1).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::MultiStepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// let s = MultiStepLR::new(&opt, &[5, 8], 0.5);
    /// assert_eq!(s.milestones, [5, 8]);
    /// ```
    pub fn new(optimizer: &dyn Optimizer, milestones: &[usize], gamma: f64) -> MultiStepLR {
        let mut milestones = milestones.to_vec();
        milestones.sort_unstable();
        let mut s = MultiStepLR {
            schedule: Schedule::attach(optimizer),
            milestones,
            gamma,
        };
        s.step();
        s
    }

    /// Ends an epoch, as `scheduler.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::MultiStepLR;
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// let mut s = MultiStepLR::new(&opt, &[1, 1], 0.5);
    /// opt.step();
    /// s.step();
    /// assert_eq!(opt.lr(), 0.25);
    /// ```
    pub fn step(&mut self) {
        let (milestones, gamma) = (&self.milestones, self.gamma);
        self.schedule.step(|lr, epoch| {
            let count = milestones.iter().filter(|&&m| m as i64 == epoch).count();
            // `gamma ** count` is C's pow, as in Python.
            (count > 0).then(|| lr.to_f64() * gamma.powf(count as f64))
        });
    }

    /// The learning rate after the last `step()`, as `scheduler.get_last_lr()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::MultiStepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(MultiStepLR::new(&opt, &[3], 0.1).get_last_lr(), [0.1]);
    /// ```
    pub fn get_last_lr(&self) -> Vec<f64> {
        vec![self.schedule.last_lr]
    }

    /// The last epoch ended, as `scheduler.last_epoch`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::MultiStepLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(MultiStepLR::new(&opt, &[3], 0.1).last_epoch(), 0);
    /// ```
    pub fn last_epoch(&self) -> i64 {
        self.schedule.last_epoch
    }
}

/// Multiplies the learning rate by `gamma` every epoch, as
/// `torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma)`.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::optim::lr_scheduler::ExponentialLR;
///
/// let mut opt = SGD::new(Linear::new(2, 1).parameters(), 0.1);
/// let mut scheduler = ExponentialLR::new(&opt, 0.9);
/// opt.step();
/// scheduler.step();
/// assert_eq!(scheduler.get_last_lr(), [0.09000000000000001]);
/// ```
#[derive(Debug)]
pub struct ExponentialLR {
    schedule: Schedule,
    /// The factor of each epoch.
    pub gamma: f64,
}

impl ExponentialLR {
    /// A schedule over `optimizer`'s learning rate.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::ExponentialLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(ExponentialLR::new(&opt, 0.9).get_last_lr(), [0.1]);
    /// ```
    pub fn new(optimizer: &dyn Optimizer, gamma: f64) -> ExponentialLR {
        let mut schedule = Schedule::attach(optimizer);
        // The initial step leaves the rate as it is.
        schedule.step(|_, _| None);
        ExponentialLR { schedule, gamma }
    }

    /// Ends an epoch, as `scheduler.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::ExponentialLR;
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// let mut s = ExponentialLR::new(&opt, 0.5);
    /// opt.step();
    /// s.step();
    /// s.step();
    /// assert_eq!(opt.lr(), 0.25);
    /// ```
    pub fn step(&mut self) {
        let gamma = self.gamma;
        self.schedule.step(|lr, _| Some(lr.to_f64() * gamma));
    }

    /// The learning rate after the last `step()`, as `scheduler.get_last_lr()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::ExponentialLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(ExponentialLR::new(&opt, 0.5).get_last_lr(), [0.1]);
    /// ```
    pub fn get_last_lr(&self) -> Vec<f64> {
        vec![self.schedule.last_lr]
    }

    /// The last epoch ended, as `scheduler.last_epoch`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::ExponentialLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(ExponentialLR::new(&opt, 0.5).last_epoch(), 0);
    /// ```
    pub fn last_epoch(&self) -> i64 {
        self.schedule.last_epoch
    }
}

/// Anneals the learning rate along a cosine from its initial value down to
/// `eta_min` over `t_max` epochs (and back up over the next `t_max`), as
/// `torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max, eta_min=0)`,
/// with torch's step-by-step formula.
///
/// ```
/// use nn_core::prelude::*;
/// use nn_core::optim::lr_scheduler::CosineAnnealingLR;
///
/// let mut opt = SGD::new(Linear::new(2, 1).parameters(), 0.1);
/// let mut scheduler = CosineAnnealingLR::new(&opt, 10, 0.0);
/// let mut rates = vec![];
/// for _ in 0..10 {
///     opt.step();
///     scheduler.step();
///     rates.push(scheduler.get_last_lr()[0]);
/// }
/// assert!((rates[4] - 0.05).abs() < 1e-12); // half way
/// assert!(rates[9].abs() < 1e-12); // eta_min at epoch t_max
/// ```
#[derive(Debug)]
pub struct CosineAnnealingLR {
    schedule: Schedule,
    /// Epochs from the initial rate down to `eta_min` (torch's `T_max`).
    pub t_max: usize,
    /// The lowest rate.
    pub eta_min: f64,
}

impl CosineAnnealingLR {
    /// A schedule over `optimizer`'s learning rate (torch's default
    /// `eta_min` is 0).
    ///
    /// # Panics
    /// If `t_max` is 0 (torch divides by it).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::CosineAnnealingLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(CosineAnnealingLR::new(&opt, 50, 0.001).get_last_lr(), [0.1]);
    /// ```
    pub fn new(optimizer: &dyn Optimizer, t_max: usize, eta_min: f64) -> CosineAnnealingLR {
        assert!(t_max > 0, "float division by zero: T_max must be positive");
        let mut schedule = Schedule::attach(optimizer);
        // The initial step leaves the rate as it is.
        schedule.step(|_, _| None);
        CosineAnnealingLR {
            schedule,
            t_max,
            eta_min,
        }
    }

    /// Ends an epoch, as `scheduler.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::CosineAnnealingLR;
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 1.0);
    /// let mut s = CosineAnnealingLR::new(&opt, 2, 0.0);
    /// opt.step();
    /// s.step();
    /// assert!((opt.lr() - 0.5).abs() < 1e-15);
    /// ```
    pub fn step(&mut self) {
        let (t_max, eta_min) = (self.t_max as f64, self.eta_min);
        let base_lr = self.schedule.base_lr.to_f64();
        let pi = std::f64::consts::PI;
        self.schedule.step(|lr, epoch| {
            let lr = lr.to_f64();
            let e = epoch as f64;
            // Python's `%` is never negative for a positive divisor.
            if (epoch - 1 - t_max as i64).rem_euclid(2 * t_max as i64) == 0 {
                Some(lr + (base_lr - eta_min) * (1.0 - (pi / t_max).cos()) / 2.0)
            } else {
                Some(
                    (1.0 + (pi * e / t_max).cos()) / (1.0 + (pi * (e - 1.0) / t_max).cos())
                        * (lr - eta_min)
                        + eta_min,
                )
            }
        });
    }

    /// The learning rate after the last `step()`, as `scheduler.get_last_lr()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::CosineAnnealingLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(CosineAnnealingLR::new(&opt, 5, 0.0).get_last_lr(), [0.1]);
    /// ```
    pub fn get_last_lr(&self) -> Vec<f64> {
        vec![self.schedule.last_lr]
    }

    /// The last epoch ended, as `scheduler.last_epoch`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::CosineAnnealingLR;
    /// let opt = SGD::new(Linear::new(1, 1).parameters(), 0.1);
    /// assert_eq!(CosineAnnealingLR::new(&opt, 5, 0.0).last_epoch(), 0);
    /// ```
    pub fn last_epoch(&self) -> i64 {
        self.schedule.last_epoch
    }
}

impl LRScheduler for CosineAnnealingLR {
    fn step(&mut self) {
        CosineAnnealingLR::step(self)
    }
    fn get_last_lr(&self) -> Vec<f64> {
        CosineAnnealingLR::get_last_lr(self)
    }
    fn last_epoch(&self) -> i64 {
        CosineAnnealingLR::last_epoch(self)
    }
}

impl LRScheduler for StepLR {
    fn step(&mut self) {
        StepLR::step(self)
    }
    fn get_last_lr(&self) -> Vec<f64> {
        StepLR::get_last_lr(self)
    }
    fn last_epoch(&self) -> i64 {
        StepLR::last_epoch(self)
    }
}

impl LRScheduler for MultiStepLR {
    fn step(&mut self) {
        MultiStepLR::step(self)
    }
    fn get_last_lr(&self) -> Vec<f64> {
        MultiStepLR::get_last_lr(self)
    }
    fn last_epoch(&self) -> i64 {
        MultiStepLR::last_epoch(self)
    }
}

impl LRScheduler for ExponentialLR {
    fn step(&mut self) {
        ExponentialLR::step(self)
    }
    fn get_last_lr(&self) -> Vec<f64> {
        ExponentialLR::get_last_lr(self)
    }
    fn last_epoch(&self) -> i64 {
        ExponentialLR::last_epoch(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_step_order_warning_is_torchs() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/reference/train-cases.json"
        );
        let doc: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let case = doc["cases"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "sched/warning")
            .unwrap();
        assert_eq!(
            case["warnings"][0].as_str().unwrap(),
            format!("UserWarning: {STEP_ORDER_WARNING}")
        );
    }
}
