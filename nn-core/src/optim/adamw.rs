//! `AdamW`: Adam with decoupled weight decay, as `torch.optim.AdamW`.

use super::{Adam, AdamState, Optimizer, ParamGroup};
use crate::tensor::{Scalar, Tensor};
use std::fmt;

/// The AdamW algorithm, as `torch.optim.AdamW(params, lr=1e-3, betas=(0.9,
/// 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False, maximize=False)`.
///
/// In torch 2.15 `AdamW` is `Adam` with `decoupled_weight_decay=True` and a
/// default `weight_decay` of `0.01`: each step first shrinks every parameter
/// by `1 − lr · weight_decay`, then takes Adam's step without the decay in
/// the gradient. So is this type: [`Adam`]'s arithmetic (bit for bit as
/// torch), printed as `AdamW`.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
/// let opt = AdamW::new(net.parameters(), 1e-3);
/// assert_eq!(
///     opt.to_string(),
///     "AdamW (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: True\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.001\n    maximize: False\n    weight_decay: 0.01\n)"
/// );
///
/// let w = tensor![1.0].requires_grad_(true);
/// let mut opt = AdamW::new(vec![w.clone()], 0.1).weight_decay(0.5);
/// w.set_grad(Some(tensor![0.0])); // no gradient: only the decay moves w
/// opt.step();
/// assert_eq!(w.item(), 0.949999988079071); // 1 · (1 − 0.1 · 0.5) in float32
/// ```
pub struct AdamW {
    inner: Adam,
}

impl AdamW {
    /// An optimizer over `params` with learning rate `lr` and torch's other
    /// defaults (`weight_decay` 0.01), as `torch.optim.AdamW(params, lr=lr)`
    /// (torch's default `lr` is `1e-3`).
    ///
    /// # Panics
    /// With torch's messages: `optimizer got an empty parameter list`,
    /// `Invalid learning rate: -0.1`, `can't optimize a non-leaf Tensor`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3);
    /// assert!(opt.to_string().contains("    weight_decay: 0.01\n"));
    /// ```
    #[track_caller]
    pub fn new(params: Vec<Tensor>, lr: impl Into<Scalar>) -> AdamW {
        AdamW {
            inner: Adam::new(params, lr)
                .weight_decay(0.01)
                .decoupled_weight_decay(true),
        }
    }

    /// The averaging coefficients `(β₁, β₂)` (default `(0.9, 0.999)`).
    ///
    /// # Panics
    /// Outside `[0, 1)`: `Invalid beta parameter at index 1: 1.0`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3).betas(0.9, 0.95);
    /// assert!(opt.to_string().contains("    betas: (0.9, 0.95)\n"));
    /// ```
    #[track_caller]
    pub fn betas(self, beta1: impl Into<Scalar>, beta2: impl Into<Scalar>) -> AdamW {
        AdamW {
            inner: self.inner.betas(beta1, beta2),
        }
    }

    /// The term added to the denominator (default `1e-8`).
    ///
    /// # Panics
    /// If negative: `Invalid epsilon value: -1e-08`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3).eps(1e-6);
    /// assert!(opt.to_string().contains("    eps: 1e-06\n"));
    /// ```
    #[track_caller]
    pub fn eps(self, eps: impl Into<Scalar>) -> AdamW {
        AdamW {
            inner: self.inner.eps(eps),
        }
    }

    /// The decoupled weight decay (default `0.01`): each step multiplies the
    /// parameters by `1 − lr · weight_decay`.
    ///
    /// # Panics
    /// If negative: `Invalid weight_decay value: -0.1`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3).weight_decay(0.1);
    /// assert!(opt.to_string().contains("    weight_decay: 0.1\n"));
    /// ```
    #[track_caller]
    pub fn weight_decay(self, weight_decay: impl Into<Scalar>) -> AdamW {
        AdamW {
            inner: self.inner.weight_decay(weight_decay),
        }
    }

    /// The AMSGrad variant (default off).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3).amsgrad(true);
    /// assert!(opt.to_string().contains("    amsgrad: True\n"));
    /// ```
    pub fn amsgrad(self, amsgrad: bool) -> AdamW {
        AdamW {
            inner: self.inner.amsgrad(amsgrad),
        }
    }

    /// Maximize the objective instead of minimizing it (default off).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(2, 1).parameters(), 1e-3).maximize(true);
    /// assert!(opt.to_string().contains("    maximize: True\n"));
    /// ```
    pub fn maximize(self, maximize: bool) -> AdamW {
        AdamW {
            inner: self.inner.maximize(maximize),
        }
    }

    /// The learning rate, as `opt.param_groups[0]["lr"]`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(AdamW::new(Linear::new(1, 1).parameters(), 0.02).lr(), 0.02);
    /// ```
    pub fn lr(&self) -> f64 {
        self.inner.lr()
    }

    /// Sets the learning rate for the following steps.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = AdamW::new(Linear::new(1, 1).parameters(), 1e-3);
    /// opt.set_lr(0.05);
    /// assert_eq!(opt.lr(), 0.05);
    /// ```
    pub fn set_lr(&self, lr: f64) {
        self.inner.set_lr(lr)
    }

    /// The parameters, in the order given.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 3);
    /// let opt = AdamW::new(lin.parameters(), 1e-3);
    /// assert!(opt.params()[0].is_same(&lin.weight()));
    /// ```
    pub fn params(&self) -> &[Tensor] {
        self.inner.params()
    }

    /// The state kept for `param`, as `opt.state[param]`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt = AdamW::new(vec![w.clone()], 1e-3);
    /// w.set_grad(Some(tensor![0.5]));
    /// opt.step();
    /// assert_eq!(opt.state(&w).unwrap().step, 1.0);
    /// ```
    pub fn state(&self, param: &Tensor) -> Option<&AdamState> {
        self.inner.state(param)
    }

    /// Clears every parameter's gradient, as `opt.zero_grad()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let opt = AdamW::new(vec![w.clone()], 1e-3);
    /// w.set_grad(Some(tensor![1.0]));
    /// opt.zero_grad();
    /// assert!(w.grad().is_none());
    /// ```
    pub fn zero_grad(&self) {
        self.inner.zero_grad()
    }

    /// One update of every parameter that has a gradient, as `opt.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![0.0].requires_grad_(true);
    /// let mut opt = AdamW::new(vec![w.clone()], 0.1);
    /// w.set_grad(Some(tensor![-3.0]));
    /// opt.step();
    /// assert!((w.item() - 0.1).abs() < 1e-6);
    /// ```
    pub fn step(&mut self) {
        self.inner.step()
    }
}

impl Optimizer for AdamW {
    fn step(&mut self) {
        AdamW::step(self)
    }
    fn zero_grad(&self) {
        AdamW::zero_grad(self)
    }
    fn params(&self) -> &[Tensor] {
        AdamW::params(self)
    }
    fn param_group(&self) -> ParamGroup {
        self.inner.param_group()
    }
}

impl fmt::Display for AdamW {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.write_as(f, "AdamW")
    }
}

impl fmt::Debug for AdamW {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
