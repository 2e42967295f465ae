//! `SGD`: stochastic gradient descent with momentum, as `torch.optim.SGD`.

use super::{
    Optimizer, ParamGroup, Real, add_, check_params, clear_grads, mul_scalar_, neg_, py, py_bool,
    read, values, write_repr,
};
use crate::dtype::DType;
use crate::tensor::{Scalar, Tensor};
use std::borrow::Cow;
use std::fmt;

/// Stochastic gradient descent, as `torch.optim.SGD(params, lr, momentum=0,
/// dampening=0, weight_decay=0, nesterov=False, maximize=False)`.
///
/// Built from `model.parameters()` and a learning rate, with the other
/// settings as builder methods; it prints like torch. Each step runs torch's
/// `_single_tensor_sgd` arithmetic in the parameters' precision:
///
/// ```text
/// g = grad (negated if maximize) [+ weight_decay · param]
/// buf = g on the first step, else momentum · buf + (1 − dampening) · g
/// g = g + momentum · buf if nesterov, else buf          (when momentum ≠ 0)
/// param = param − lr · g
/// ```
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
/// let opt = SGD::new(net.parameters(), 0.2);
/// assert_eq!(
///     opt.to_string(),
///     "SGD (\nParameter Group 0\n    dampening: 0\n    differentiable: False\n    foreach: None\n    fused: None\n    lr: 0.2\n    maximize: False\n    momentum: 0\n    nesterov: False\n    weight_decay: 0\n)"
/// );
///
/// let w = tensor![1.0, 2.0].requires_grad_(true);
/// let mut opt = SGD::new(vec![w.clone()], 0.1).momentum(0.9);
/// (&w * &w).sum().backward(); // grad = 2w
/// opt.step();
/// assert_eq!(w.to_vec::<f32>(), vec![0.8, 1.6]);
/// assert_eq!(opt.momentum_buffer(&w).unwrap().to_vec::<f32>(), vec![2.0, 4.0]);
/// ```
pub struct SGD {
    params: Vec<Tensor>,
    group: ParamGroup,
    momentum: Scalar,
    dampening: Scalar,
    weight_decay: Scalar,
    nesterov: bool,
    maximize: bool,
    /// `state[p]["momentum_buffer"]`, by parameter position.
    momentum_buffers: Vec<Option<Tensor>>,
}

impl SGD {
    /// An optimizer over `params` (usually `model.parameters()`) with
    /// learning rate `lr`, as `torch.optim.SGD(params, lr=lr)`. A Python
    /// `int` learning rate is written as a Rust integer (it prints as `1`,
    /// not `1.0`).
    ///
    /// # Panics
    /// With torch's messages: `optimizer got an empty parameter list`,
    /// `Invalid learning rate: -0.1`, `can't optimize a non-leaf Tensor`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 1);
    /// let opt = SGD::new(lin.parameters(), 0.5);
    /// assert_eq!(opt.lr(), 0.5);
    /// assert_eq!(opt.params().len(), 2);
    /// ```
    #[track_caller]
    pub fn new(params: Vec<Tensor>, lr: impl Into<Scalar>) -> SGD {
        check_params(&params);
        let lr = lr.into();
        if lr.to_f64() < 0.0 {
            panic!("Invalid learning rate: {}", py(lr));
        }
        let n = params.len();
        SGD {
            params,
            group: ParamGroup::new(lr),
            momentum: Scalar::Int(0),
            dampening: Scalar::Int(0),
            weight_decay: Scalar::Int(0),
            nesterov: false,
            maximize: false,
            momentum_buffers: vec![None; n],
        }
    }

    /// The momentum factor (default `0`), as `momentum=…`.
    ///
    /// # Panics
    /// If negative: `Invalid momentum value: -0.5`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.1).momentum(0.9);
    /// assert!(opt.to_string().contains("    momentum: 0.9\n"));
    /// ```
    #[track_caller]
    pub fn momentum(mut self, momentum: impl Into<Scalar>) -> SGD {
        let momentum = momentum.into();
        if momentum.to_f64() < 0.0 {
            panic!("Invalid momentum value: {}", py(momentum));
        }
        self.momentum = momentum;
        self
    }

    /// Dampening for momentum (default `0`), as `dampening=…`: the new
    /// gradient enters the buffer scaled by `1 − dampening`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.1).momentum(0.9).dampening(0.5);
    /// assert!(opt.to_string().contains("    dampening: 0.5\n"));
    /// ```
    pub fn dampening(mut self, dampening: impl Into<Scalar>) -> SGD {
        self.dampening = dampening.into();
        self
    }

    /// L2 penalty (default `0`), as `weight_decay=…`: `weight_decay · param`
    /// is added to the gradient.
    ///
    /// # Panics
    /// If negative: `Invalid weight_decay value: -0.1`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.1).weight_decay(0.01);
    /// assert!(opt.to_string().contains("    weight_decay: 0.01\n"));
    /// ```
    #[track_caller]
    pub fn weight_decay(mut self, weight_decay: impl Into<Scalar>) -> SGD {
        let weight_decay = weight_decay.into();
        if weight_decay.to_f64() < 0.0 {
            panic!("Invalid weight_decay value: {}", py(weight_decay));
        }
        self.weight_decay = weight_decay;
        self
    }

    /// Nesterov momentum (default off), as `nesterov=True`. Needs a positive
    /// momentum and zero dampening, checked at the first [`step`](Self::step)
    /// so that the builder methods may come in any order.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = SGD::new(Linear::new(2, 1).parameters(), 0.5).momentum(0.9).nesterov(true);
    /// assert!(opt.to_string().contains("    nesterov: True\n"));
    /// ```
    pub fn nesterov(mut self, nesterov: bool) -> SGD {
        self.nesterov = nesterov;
        self
    }

    /// Maximize the objective instead of minimizing it (default off), as
    /// `maximize=True`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt = SGD::new(vec![w.clone()], 0.5).maximize(true);
    /// (&w * 2.0).sum().backward();
    /// opt.step();
    /// assert_eq!(w.item(), 2.0);
    /// ```
    pub fn maximize(mut self, maximize: bool) -> SGD {
        self.maximize = maximize;
        self
    }

    /// The learning rate, as `opt.param_groups[0]["lr"]`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(SGD::new(Linear::new(1, 1).parameters(), 0.2).lr(), 0.2);
    /// ```
    pub fn lr(&self) -> f64 {
        self.group.lr()
    }

    /// Sets the learning rate for the following steps (a schedule).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut opt = SGD::new(Linear::new(1, 1).parameters(), 0.2);
    /// opt.set_lr(0.05);
    /// assert!(opt.to_string().contains("    lr: 0.05\n"));
    /// ```
    pub fn set_lr(&self, lr: f64) {
        self.group.set_lr(lr);
    }

    /// The parameters, in the order given.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 3);
    /// let opt = SGD::new(lin.parameters(), 0.1);
    /// assert!(opt.params()[0].is_same(&lin.weight()));
    /// ```
    pub fn params(&self) -> &[Tensor] {
        &self.params
    }

    /// The momentum buffer of `param`, as `opt.state[param]["momentum_buffer"]`:
    /// `None` before its first step, with zero momentum, or for a tensor this
    /// optimizer does not update.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt = SGD::new(vec![w.clone()], 0.1).momentum(0.5);
    /// assert!(opt.momentum_buffer(&w).is_none());
    /// w.set_grad(Some(tensor![4.0]));
    /// opt.step();
    /// w.set_grad(Some(tensor![2.0]));
    /// opt.step();
    /// assert_eq!(opt.momentum_buffer(&w).unwrap().item(), 4.0); // 0.5·4 + 2
    /// ```
    pub fn momentum_buffer(&self, param: &Tensor) -> Option<Tensor> {
        let i = self.params.iter().position(|p| p.is_same(param))?;
        self.momentum_buffers[i].clone()
    }

    /// Clears every parameter's gradient, as `opt.zero_grad()` (set to
    /// `None`, as torch ≥ 2 does).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let opt = SGD::new(vec![w.clone()], 0.1);
    /// (&w * 3.0).sum().backward();
    /// opt.zero_grad();
    /// assert!(w.grad().is_none());
    /// ```
    pub fn zero_grad(&self) {
        clear_grads(&self.params);
    }

    /// One update of every parameter that has a gradient, as `opt.step()`.
    ///
    /// # Panics
    /// `Nesterov momentum requires a momentum and zero dampening` when
    /// `nesterov` is set without them (torch raises it in the constructor).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0, -1.0].requires_grad_(true);
    /// let mut opt = SGD::new(vec![w.clone()], 0.5);
    /// w.set_grad(Some(tensor![1.0, 1.0]));
    /// opt.step();
    /// assert_eq!(w.to_vec::<f32>(), vec![0.5, -1.5]);
    /// ```
    #[track_caller]
    pub fn step(&mut self) {
        if self.nesterov && (self.momentum.to_f64() <= 0.0 || self.dampening.to_f64() != 0.0) {
            panic!("Nesterov momentum requires a momentum and zero dampening");
        }
        // Every parameter or none (see `notebook::interrupt`).
        let _whole = crate::notebook::Uninterruptible::new();
        self.group.mark_stepped();
        for i in 0..self.params.len() {
            let Some(grad) = self.params[i].grad() else {
                continue;
            };
            match self.params[i].dtype() {
                DType::Float64 => self.update::<f64>(i, &grad),
                _ => self.update::<f32>(i, &grad),
            }
        }
    }

    /// `_single_tensor_sgd` for parameter `i`.
    fn update<T: Real>(&mut self, i: usize, grad: &Tensor) {
        let param = &self.params[i];
        let held = grad.storage();
        let mut g: Cow<[T]> = values(&held);
        if self.maximize {
            neg_(g.to_mut());
        }
        let weight_decay = self.weight_decay.to_f64();
        if weight_decay != 0.0 {
            // grad = grad.add(param, alpha=weight_decay)
            let p: Vec<T> = read(param);
            add_(g.to_mut(), &p, T::of(weight_decay));
        }
        let momentum = self.momentum.to_f64();
        if momentum != 0.0 {
            let buf: Vec<T> = match &self.momentum_buffers[i] {
                // buf = torch.clone(grad).detach()
                None => {
                    self.momentum_buffers[i] = Some(Tensor::from_vec(g.to_vec(), param.shape()));
                    g.to_vec()
                }
                // buf.mul_(momentum).add_(grad, alpha=1 - dampening)
                Some(b) => b.update_values(|buf: &mut [T]| {
                    mul_scalar_(buf, T::of(momentum));
                    add_(buf, &g, T::of(1.0 - self.dampening.to_f64()));
                    buf.to_vec()
                }),
            };
            if self.nesterov {
                // grad = grad.add(buf, alpha=momentum)
                add_(g.to_mut(), &buf, T::of(momentum));
            } else {
                g = Cow::Owned(buf);
            }
        }
        // param.add_(grad, alpha=-lr), in place
        let lr = T::of(-self.group.lr());
        param.update_values(|p: &mut [T]| add_(p, &g, lr));
    }
}

impl Optimizer for SGD {
    fn step(&mut self) {
        SGD::step(self)
    }
    fn zero_grad(&self) {
        SGD::zero_grad(self)
    }
    fn params(&self) -> &[Tensor] {
        SGD::params(self)
    }
    fn param_group(&self) -> ParamGroup {
        self.group.clone()
    }
}

impl fmt::Display for SGD {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_repr(
            f,
            "SGD",
            &self.group,
            &[
                ("momentum", py(self.momentum)),
                ("dampening", py(self.dampening)),
                ("weight_decay", py(self.weight_decay)),
                ("nesterov", py_bool(self.nesterov).into()),
                ("maximize", py_bool(self.maximize).into()),
                ("foreach", "None".into()),
                ("differentiable", "False".into()),
                ("fused", "None".into()),
            ],
        )
    }
}

impl fmt::Debug for SGD {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
