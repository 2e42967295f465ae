//! `torch.optim`: [`SGD`], [`Adam`] and [`AdamW`], with torch's arithmetic
//! and printing, and the learning-rate schedules of [`lr_scheduler`].
//!
//! On CPU, torch runs each optimizer's *single-tensor* implementation
//! (`_single_tensor_sgd`, `_single_tensor_adam`): `foreach` and `fused` are
//! only picked by default when every parameter is on CUDA. That
//! implementation updates one parameter at a time with a few ATen kernels
//! (`add_` with `alpha`, `lerp_`, `addcmul_`, `addcdiv_`, …), each rounding
//! every element once. The kernels at the end of this file are those, in
//! torch's order and precision (float32 math for float32 parameters), so a
//! trajectory matches torch's bits.
//!
//! ```
//! use nn_core::prelude::*;
//! manual_seed(0);
//! let net = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
//! let mut opt = SGD::new(net.parameters(), 0.2);
//! let (x, y) = (tensor![[0.5], [-0.5]], tensor![[0.25], [0.25]]);
//! let loss_fn = MSELoss::new();
//! let before = loss_fn.forward(&net.forward(&x), &y).item();
//! for _ in 0..20 {
//!     opt.zero_grad();
//!     loss_fn.forward(&net.forward(&x), &y).backward();
//!     opt.step();
//! }
//! assert!(loss_fn.forward(&net.forward(&x), &y).item() < before);
//! ```

mod adam;
mod adamw;
pub mod lr_scheduler;
mod sgd;

pub use adam::{Adam, AdamState};
pub use adamw::AdamW;
pub use sgd::SGD;

use crate::cpu::with_fma;
use crate::tensor::{Element, Scalar, Tensor};
use std::borrow::Cow;
use std::fmt;
use std::sync::{Arc, Mutex};

/// What every optimizer offers, as `torch.optim.Optimizer`: for code that
/// trains with any of them.
///
/// ```
/// use nn_core::prelude::*;
/// fn train_step(opt: &mut dyn Optimizer, w: &Tensor) {
///     opt.zero_grad();
///     (w * w).sum().backward();
///     opt.step();
/// }
/// let w = tensor![1.0, -2.0].requires_grad_(true);
/// let mut opt = SGD::new(vec![w.clone()], 0.25);
/// train_step(&mut opt, &w);
/// assert_eq!(w.to_vec::<f32>(), vec![0.5, -1.0]);
/// ```
pub trait Optimizer: fmt::Display {
    /// Updates every parameter that has a gradient, as `optimizer.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt: Box<dyn Optimizer> = Box::new(SGD::new(vec![w.clone()], 0.5));
    /// w.set_grad(Some(tensor![1.0]));
    /// opt.step();
    /// assert_eq!(w.item(), 0.5);
    /// ```
    fn step(&mut self);

    /// Clears every parameter's gradient, as `optimizer.zero_grad()` (torch
    /// ≥ 2 sets them to `None`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let opt: Box<dyn Optimizer> = Box::new(Adam::new(vec![w.clone()], 0.01));
    /// w.set_grad(Some(tensor![1.0]));
    /// opt.zero_grad();
    /// assert!(w.grad().is_none());
    /// ```
    fn zero_grad(&self);

    /// The parameters, in the order given.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt: Box<dyn Optimizer> = Box::new(SGD::new(Linear::new(2, 3).parameters(), 0.1));
    /// assert_eq!(opt.params()[0].shape(), [3, 2]);
    /// ```
    fn params(&self) -> &[Tensor];

    /// The settings a learning-rate scheduler changes, as
    /// `optimizer.param_groups[0]`: a handle shared with the optimizer.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt: Box<dyn Optimizer> = Box::new(SGD::new(Linear::new(2, 3).parameters(), 0.1));
    /// opt.param_group().set_lr(0.01);
    /// assert_eq!(opt.lr(), 0.01);
    /// ```
    fn param_group(&self) -> ParamGroup;

    /// The learning rate, as `optimizer.param_groups[0]["lr"]`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt: Box<dyn Optimizer> = Box::new(Adam::new(Linear::new(2, 3).parameters(), 0.01));
    /// assert_eq!(opt.lr(), 0.01);
    /// ```
    fn lr(&self) -> f64 {
        self.param_group().lr()
    }

    /// Changes the learning rate, as assigning `param_groups[0]["lr"]`
    /// (what learning-rate schedulers do).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut opt: Box<dyn Optimizer> = Box::new(SGD::new(Linear::new(2, 3).parameters(), 0.1));
    /// opt.set_lr(opt.lr() / 2.0);
    /// assert_eq!(opt.lr(), 0.05);
    /// ```
    fn set_lr(&mut self, lr: f64) {
        self.param_group().set_lr(lr);
    }
}

/// One parameter group's learning rate, as `optimizer.param_groups[0]`'s
/// `"lr"` (and the `"initial_lr"` a scheduler records): shared by the
/// optimizer and the [`lr_scheduler`]s attached to it, so that
/// `scheduler.step()` changes the rate the optimizer's next `step()` uses,
/// as in torch.
///
/// ```
/// use nn_core::prelude::*;
/// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.1);
/// let group = opt.param_group();
/// group.set_lr(0.5);
/// assert_eq!(opt.lr(), 0.5);
/// assert!(opt.to_string().contains("    lr: 0.5\n"));
/// ```
#[derive(Clone, Debug)]
pub struct ParamGroup(Arc<Mutex<GroupState>>);

#[derive(Debug)]
struct GroupState {
    lr: Scalar,
    /// `group["initial_lr"]`, set by the first scheduler attached.
    initial_lr: Option<Scalar>,
    /// Whether the optimizer has stepped (torch's `optimizer._opt_called`).
    stepped: bool,
}

impl ParamGroup {
    /// A group with learning rate `lr` (an integer prints as an integer).
    ///
    /// ```
    /// use nn_core::optim::ParamGroup;
    /// assert_eq!(ParamGroup::new(1.into()).lr(), 1.0);
    /// ```
    pub fn new(lr: Scalar) -> ParamGroup {
        ParamGroup(Arc::new(Mutex::new(GroupState {
            lr,
            initial_lr: None,
            stepped: false,
        })))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, GroupState> {
        // A panic while the lock is held cannot leave the state half-written
        // (every update is one assignment), so a poisoned lock is fine.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `group["lr"]`.
    ///
    /// ```
    /// use nn_core::optim::ParamGroup;
    /// assert_eq!(ParamGroup::new(0.1.into()).lr(), 0.1);
    /// ```
    pub fn lr(&self) -> f64 {
        self.state().lr.to_f64()
    }

    /// `group["lr"]` as the Python number it is (an `int` stays one until a
    /// schedule multiplies it).
    ///
    /// ```
    /// use nn_core::optim::ParamGroup;
    /// use nn_core::tensor::Scalar;
    /// assert_eq!(ParamGroup::new(1.into()).lr_scalar(), Scalar::Int(1));
    /// ```
    pub fn lr_scalar(&self) -> Scalar {
        self.state().lr
    }

    /// Sets `group["lr"] = lr`.
    ///
    /// ```
    /// use nn_core::optim::ParamGroup;
    /// let g = ParamGroup::new(0.1.into());
    /// g.set_lr(0.2);
    /// assert_eq!(g.lr(), 0.2);
    /// ```
    pub fn set_lr(&self, lr: f64) {
        self.state().lr = Scalar::Float(lr);
    }

    /// `group["initial_lr"]`: the learning rate when the first scheduler was
    /// attached (`None` before).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// use nn_core::optim::lr_scheduler::StepLR;
    /// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.1);
    /// assert_eq!(opt.param_group().initial_lr(), None);
    /// let _sched = StepLR::new(&opt, 10, 0.1);
    /// assert_eq!(opt.param_group().initial_lr(), Some(0.1));
    /// ```
    pub fn initial_lr(&self) -> Option<f64> {
        self.state().initial_lr.map(|s| s.to_f64())
    }

    /// `group.setdefault("initial_lr", group["lr"])`; returns it.
    pub(crate) fn set_default_initial_lr(&self) -> Scalar {
        let mut s = self.state();
        let lr = s.lr;
        *s.initial_lr.get_or_insert(lr)
    }

    /// Records that the optimizer stepped.
    pub(crate) fn mark_stepped(&self) {
        self.state().stepped = true;
    }

    /// Whether the optimizer has stepped since it was made.
    pub(crate) fn has_stepped(&self) -> bool {
        self.state().stepped
    }

    /// The group's entries for the printed optimizer: `lr`, and
    /// `initial_lr` once a scheduler set it.
    fn repr_entries(&self) -> Vec<(&'static str, String)> {
        let s = self.state();
        let mut out = vec![("lr", py(s.lr))];
        if let Some(initial) = s.initial_lr {
            out.push(("initial_lr", py(initial)));
        }
        out
    }
}

/// `Optimizer.__init__`'s checks on the parameter list.
#[track_caller]
fn check_params(params: &[Tensor]) {
    if params.is_empty() {
        panic!("optimizer got an empty parameter list");
    }
    if params.iter().any(|p| !p.is_leaf()) {
        panic!("can't optimize a non-leaf Tensor");
    }
}

/// Clears the gradients, as `Optimizer.zero_grad(set_to_none=True)`.
fn clear_grads(params: &[Tensor]) {
    for p in params {
        p.set_grad(None);
    }
}

/// A hyperparameter as Python prints it: `0` for the int defaults, `0.9`
/// for a float, `True` for a bool.
fn py(s: Scalar) -> String {
    match s {
        Scalar::Float(v) => crate::print::python_float_repr(v),
        Scalar::Int(v) => v.to_string(),
        Scalar::Bool(v) => py_bool(v).to_string(),
    }
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

/// `Optimizer.__repr__`: the class name, then one parameter group's settings
/// (the optimizer's, and the group's `lr`/`initial_lr`) sorted by name
/// (`params` left out).
fn write_repr(
    f: &mut fmt::Formatter<'_>,
    class: &str,
    group: &ParamGroup,
    settings: &[(&str, String)],
) -> fmt::Result {
    let mut settings = settings.to_vec();
    settings.extend(group.repr_entries());
    settings.sort_by(|a, b| a.0.cmp(b.0));
    write!(f, "{class} (\nParameter Group 0\n")?;
    for (key, value) in settings {
        writeln!(f, "    {key}: {value}")?;
    }
    f.write_str(")")
}

// ------------------------------------------------------------------ kernels
//
// torch's CPU kernels for the element types parameters have. They compute in
// the element type (float32 "opmath" for float32) with every Python number
// cast to it first, exactly as ATen converts a `Scalar` argument.
//
// Fused multiply-adds: ATen's vectorized `add` (with `alpha`) and `lerp` use
// `vec::fmadd`, and the AVX2/AVX512 builds of the same files are compiled with
// `-mfma`, so the compiler fuses the element-by-element tail loop's
// `a + alpha * b` as well. `mul_add` is that single rounding.

/// A float type of parameters: `f32` or `f64`.
pub(crate) trait Real: num_traits::Float + Element {
    /// Elements per iteration of ATen's vectorized loop (two 512-bit
    /// vectors); the remainder of a tensor runs through the scalar loop.
    const BLOCK: usize;
    /// A Python float converted as ATen converts a `Scalar` to this type.
    fn of(v: f64) -> Self;
}

impl Real for f32 {
    const BLOCK: usize = 32;
    fn of(v: f64) -> f32 {
        v as f32
    }
}

impl Real for f64 {
    const BLOCK: usize = 16;
    fn of(v: f64) -> f64 {
        v
    }
}

/// The values of a tensor as a row-major vector of `T`.
fn read<T: Real>(t: &Tensor) -> Vec<T> {
    t.to_vec::<T>()
}

/// The values of a tensor as a row-major slice of `T`: borrowed from `held`
/// (a handle to its storage) when they already are, else converted.
fn values<T: Real>(held: &crate::tensor::storage::Storage) -> Cow<'_, [T]> {
    match T::unwrap(held).and_then(|a| a.as_slice()) {
        Some(v) => Cow::Borrowed(v),
        None => Cow::Owned(Tensor::from_storage(held.clone()).to_vec::<T>()),
    }
}

/// Replaces a tensor's values in place (its shape is kept), as the in-place
/// kernels write into `param`, `exp_avg`, … in torch.
fn write<T: Real>(t: &Tensor, values: Vec<T>) {
    t.set_storage(Tensor::from_vec(values, t.shape()).storage());
}

/// `self.add_(other, alpha=alpha)`: `self + alpha * other`, fused.
fn add_<T: Real>(this: &mut [T], other: &[T], alpha: T) {
    with_fma(
        #[inline(always)]
        || {
            for (a, &b) in this.iter_mut().zip(other) {
                *a = b.mul_add(alpha, *a);
            }
        },
    )
}

/// `self.add_(scalar)`: `self + scalar` (alpha 1, so the fused form rounds
/// like a plain addition).
fn add_scalar_<T: Real>(this: &mut [T], s: T) {
    for a in this {
        *a = *a + s;
    }
}

/// `self.mul_(scalar)`.
fn mul_scalar_<T: Real>(this: &mut [T], s: T) {
    for a in this {
        *a = *a * s;
    }
}

/// `self.div_(scalar)` (a true division, not a multiplication by the
/// reciprocal, on CPU).
fn div_scalar_<T: Real>(this: &mut [T], s: T) {
    for a in this {
        *a = *a / s;
    }
}

/// `self.neg_()`.
fn neg_<T: Real>(this: &mut [T]) {
    for a in this {
        *a = -*a;
    }
}

/// `self.sqrt_()`.
fn sqrt_<T: Real>(this: &mut [T]) {
    for a in this {
        *a = a.sqrt();
    }
}

/// `torch.maximum(self, other, out=self)`: NaN wins.
fn maximum_<T: Real>(this: &mut [T], other: &[T]) {
    for (a, &b) in this.iter_mut().zip(other) {
        *a = if a.is_nan() || b.is_nan() {
            T::nan()
        } else {
            a.max(b)
        };
    }
}

/// `self.lerp_(end, weight)` (ATen's `lerp_vec`, and `lerp` contracted in
/// the tail): `self + w·(end − self)` for `|w| < 0.5`, else
/// `end − (1 − w)·(end − self)`, each one fused multiply-add.
fn lerp_<T: Real>(this: &mut [T], end: &[T], weight: T) {
    let small = weight.abs() < T::of(0.5);
    with_fma(
        #[inline(always)]
        || {
            for (a, &e) in this.iter_mut().zip(end) {
                let diff = e - *a;
                *a = if small {
                    weight.mul_add(diff, *a)
                } else {
                    (weight - T::one()).mul_add(diff, e)
                };
            }
        },
    )
}

/// `self.addcmul_(t1, t2, value=value)`: `self + value·t1·t2`.
///
/// ATen's vector loop rounds `value·t1`, then `·t2`, then the sum
/// (`self_vec + scalar_vec * t1_vec * t2_vec` with vector operators); its
/// scalar tail `self + value * t1 * t2` is contracted by the compiler into
/// one fused multiply-add of `(value·t1)` and `t2` onto `self`.
fn addcmul_<T: Real>(this: &mut [T], t1: &[T], t2: &[T], value: T) {
    let vectorized = this.len() - this.len() % T::BLOCK;
    with_fma(
        #[inline(always)]
        || {
            for (i, a) in this.iter_mut().enumerate() {
                let scaled = value * t1[i];
                *a = if i < vectorized {
                    *a + scaled * t2[i]
                } else {
                    scaled.mul_add(t2[i], *a)
                };
            }
        },
    )
}

/// `self.addcdiv_(t1, t2, value=value)`: `self + (value·t1) / t2`.
fn addcdiv_<T: Real>(this: &mut [T], t1: &[T], t2: &[T], value: T) {
    for (i, a) in this.iter_mut().enumerate() {
        *a = *a + value * t1[i] / t2[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_with_alpha_is_one_rounding() {
        // 1 + 2^-24 · (1 + 2^-23): unfused, the product rounds to 2^-24 and
        // the sum ties to even (1.0); fused, the exact sum is above the tie.
        let mut a = [1.0f32];
        add_(&mut a, &[1.0 + f32::EPSILON], 2f32.powi(-24));
        assert_eq!(a[0], 1.0 + f32::EPSILON);
    }

    #[test]
    fn lerp_uses_the_near_end_formula() {
        let mut a = [0.0f32, 0.0];
        lerp_(&mut a, &[1.0, 1.0], 0.75);
        assert_eq!(a, [0.75, 0.75]);
        lerp_(&mut a, &[1.0, 1.0], 0.1);
        assert_eq!(a[0], 0.1f32.mul_add(0.25, 0.75));
    }

    #[test]
    fn repr_sorts_settings() {
        struct R;
        impl fmt::Display for R {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_repr(
                    f,
                    "X",
                    &ParamGroup::new(Scalar::Float(0.1)),
                    &[("foreach", "None".into())],
                )
            }
        }
        assert_eq!(
            R.to_string(),
            "X (\nParameter Group 0\n    foreach: None\n    lr: 0.1\n)"
        );
    }
}
