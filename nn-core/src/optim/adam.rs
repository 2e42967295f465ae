//! `Adam`, as `torch.optim.Adam`.

use super::{
    Optimizer, ParamGroup, Real, add_, add_scalar_, addcdiv_, addcmul_, check_params, clear_grads,
    div_scalar_, lerp_, maximum_, mul_scalar_, neg_, py, py_bool, read, sqrt_, write, write_repr,
};
use crate::dtype::DType;
use crate::tensor::{Scalar, Tensor};
use std::fmt;

/// The Adam algorithm, as `torch.optim.Adam(params, lr=1e-3, betas=(0.9,
/// 0.999), eps=1e-8, weight_decay=0, amsgrad=False, maximize=False,
/// decoupled_weight_decay=False)`.
///
/// Built from `model.parameters()`, with the settings as builder methods;
/// it prints like torch. Each step runs torch's `_single_tensor_adam`
/// arithmetic in the parameters' precision:
///
/// ```text
/// step += 1
/// g = grad (negated if maximize) [+ weight_decay · param]
/// exp_avg.lerp_(g, 1 − β₁);  exp_avg_sq = β₂ · exp_avg_sq + (1 − β₂) · g · g
/// denom = sqrt(exp_avg_sq or its running max) / sqrt(1 − β₂^step) + eps
/// param = param − lr / (1 − β₁^step) · exp_avg / denom
/// ```
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let net = sequential![Linear::new(1, 10), ReLU::new(), Linear::new(10, 1)];
/// let opt = Adam::new(net.parameters(), 0.01);
/// assert_eq!(
///     opt.to_string(),
///     "Adam (\nParameter Group 0\n    amsgrad: False\n    betas: (0.9, 0.999)\n    capturable: False\n    decoupled_weight_decay: False\n    differentiable: False\n    eps: 1e-08\n    foreach: None\n    fused: None\n    lr: 0.01\n    maximize: False\n    weight_decay: 0\n)"
/// );
///
/// let w = tensor![1.0, -1.0].requires_grad_(true);
/// let mut opt = Adam::new(vec![w.clone()], 0.1);
/// (&w * &w).sum().backward();
/// opt.step(); // the first step moves each weight by about lr
/// let w_now = w.to_vec::<f32>();
/// assert!((w_now[0] - 0.9).abs() < 1e-6 && (w_now[1] + 0.9).abs() < 1e-6);
/// assert_eq!(opt.state(&w).unwrap().step, 1.0);
/// ```
pub struct Adam {
    params: Vec<Tensor>,
    group: ParamGroup,
    betas: (Scalar, Scalar),
    eps: Scalar,
    weight_decay: Scalar,
    amsgrad: bool,
    maximize: bool,
    decoupled_weight_decay: bool,
    /// `state[p]`, by parameter position; made at a parameter's first step.
    state: Vec<Option<AdamState>>,
}

/// What Adam keeps for one parameter, as `opt.state[param]`.
///
/// ```
/// use nn_core::prelude::*;
/// let w = tensor![2.0].requires_grad_(true);
/// let mut opt = Adam::new(vec![w.clone()], 1e-3).amsgrad(true);
/// w.set_grad(Some(tensor![1.0]));
/// opt.step();
/// let s = opt.state(&w).unwrap();
/// assert_eq!(s.step, 1.0);
/// assert_eq!(s.exp_avg.item(), 0.10000000149011612); // (1 - 0.9) · 1 in float32
/// assert_eq!(s.exp_avg_sq.item(), s.max_exp_avg_sq.as_ref().unwrap().item());
/// ```
#[derive(Clone, Debug)]
pub struct AdamState {
    /// `state["step"]`: the number of steps taken (a float32 count in torch).
    pub step: f64,
    /// `state["exp_avg"]`: the running average of the gradient.
    pub exp_avg: Tensor,
    /// `state["exp_avg_sq"]`: the running average of the squared gradient.
    pub exp_avg_sq: Tensor,
    /// `state["max_exp_avg_sq"]`: the running maximum of `exp_avg_sq`, with
    /// `amsgrad` only.
    pub max_exp_avg_sq: Option<Tensor>,
}

impl Adam {
    /// An optimizer over `params` (usually `model.parameters()`) with
    /// learning rate `lr` and torch's other defaults, as
    /// `torch.optim.Adam(params, lr=lr)` (torch's default `lr` is `1e-3`).
    ///
    /// # Panics
    /// With torch's messages: `optimizer got an empty parameter list`,
    /// `Invalid learning rate: -0.1`, `can't optimize a non-leaf Tensor`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3);
    /// assert_eq!(opt.lr(), 0.001);
    /// assert!(opt.to_string().contains("    lr: 0.001\n"));
    /// ```
    #[track_caller]
    pub fn new(params: Vec<Tensor>, lr: impl Into<Scalar>) -> Adam {
        check_params(&params);
        let lr = lr.into();
        if lr.to_f64() < 0.0 {
            panic!("Invalid learning rate: {}", py(lr));
        }
        let n = params.len();
        Adam {
            params,
            group: ParamGroup::new(lr),
            betas: (Scalar::Float(0.9), Scalar::Float(0.999)),
            eps: Scalar::Float(1e-8),
            weight_decay: Scalar::Int(0),
            amsgrad: false,
            maximize: false,
            decoupled_weight_decay: false,
            state: vec![None; n],
        }
    }

    /// The averaging coefficients `(β₁, β₂)` (default `(0.9, 0.999)`), as
    /// `betas=(β₁, β₂)`.
    ///
    /// # Panics
    /// Outside `[0, 1)`: `Invalid beta parameter at index 0: 1.0`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3).betas(0.8, 0.95);
    /// assert!(opt.to_string().contains("    betas: (0.8, 0.95)\n"));
    /// ```
    #[track_caller]
    pub fn betas(mut self, beta1: impl Into<Scalar>, beta2: impl Into<Scalar>) -> Adam {
        let betas = (beta1.into(), beta2.into());
        for (i, b) in [betas.0, betas.1].into_iter().enumerate() {
            if !(0.0..1.0).contains(&b.to_f64()) {
                panic!("Invalid beta parameter at index {i}: {}", py(b));
            }
        }
        self.betas = betas;
        self
    }

    /// The term added to the denominator (default `1e-8`), as `eps=…`.
    ///
    /// # Panics
    /// If negative: `Invalid epsilon value: -1e-08`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3).eps(1e-6);
    /// assert!(opt.to_string().contains("    eps: 1e-06\n"));
    /// ```
    #[track_caller]
    pub fn eps(mut self, eps: impl Into<Scalar>) -> Adam {
        let eps = eps.into();
        if eps.to_f64() < 0.0 {
            panic!("Invalid epsilon value: {}", py(eps));
        }
        self.eps = eps;
        self
    }

    /// L2 penalty (default `0`), as `weight_decay=…`: added to the gradient,
    /// or applied to the parameter directly with
    /// [`decoupled_weight_decay`](Self::decoupled_weight_decay).
    ///
    /// # Panics
    /// If negative: `Invalid weight_decay value: -0.1`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3).weight_decay(0.01);
    /// assert!(opt.to_string().contains("    weight_decay: 0.01\n"));
    /// ```
    #[track_caller]
    pub fn weight_decay(mut self, weight_decay: impl Into<Scalar>) -> Adam {
        let weight_decay = weight_decay.into();
        if weight_decay.to_f64() < 0.0 {
            panic!("Invalid weight_decay value: {}", py(weight_decay));
        }
        self.weight_decay = weight_decay;
        self
    }

    /// The AMSGrad variant (default off), as `amsgrad=True`: the
    /// denominator uses the running maximum of `exp_avg_sq`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3).amsgrad(true);
    /// assert!(opt.to_string().contains("    amsgrad: True\n"));
    /// ```
    pub fn amsgrad(mut self, amsgrad: bool) -> Adam {
        self.amsgrad = amsgrad;
        self
    }

    /// Maximize the objective instead of minimizing it (default off), as
    /// `maximize=True`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt = Adam::new(vec![w.clone()], 0.5).maximize(true);
    /// w.set_grad(Some(tensor![1.0]));
    /// opt.step();
    /// assert!(w.item() > 1.0);
    /// ```
    pub fn maximize(mut self, maximize: bool) -> Adam {
        self.maximize = maximize;
        self
    }

    /// AdamW's decoupled weight decay (default off), as
    /// `decoupled_weight_decay=True`: each step first scales the parameter by
    /// `1 − lr · weight_decay`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(2, 1).parameters(), 1e-3).decoupled_weight_decay(true);
    /// assert!(opt.to_string().contains("    decoupled_weight_decay: True\n"));
    /// ```
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Adam {
        self.decoupled_weight_decay = decoupled;
        self
    }

    /// The learning rate, as `opt.param_groups[0]["lr"]`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let opt = Adam::new(Linear::new(1, 1).parameters(), 0.02);
    /// assert_eq!(opt.lr(), 0.02);
    /// ```
    pub fn lr(&self) -> f64 {
        self.group.lr()
    }

    /// Sets the learning rate for the following steps (a schedule).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut opt = Adam::new(Linear::new(1, 1).parameters(), 1e-3);
    /// opt.set_lr(0.05);
    /// assert_eq!(opt.lr(), 0.05);
    /// ```
    pub fn set_lr(&self, lr: f64) {
        self.group.set_lr(lr);
    }

    /// The parameters, in the order given.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let lin = Linear::new(2, 3);
    /// let opt = Adam::new(lin.parameters(), 1e-3);
    /// assert!(opt.params()[1].is_same(&lin.bias()));
    /// ```
    pub fn params(&self) -> &[Tensor] {
        &self.params
    }

    /// The state kept for `param`, as `opt.state[param]`: `None` before its
    /// first step or for a tensor this optimizer does not update.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let mut opt = Adam::new(vec![w.clone()], 1e-3);
    /// assert!(opt.state(&w).is_none());
    /// w.set_grad(Some(tensor![0.5]));
    /// opt.step();
    /// opt.step();
    /// assert_eq!(opt.state(&w).unwrap().step, 2.0);
    /// ```
    pub fn state(&self, param: &Tensor) -> Option<&AdamState> {
        let i = self.params.iter().position(|p| p.is_same(param))?;
        self.state[i].as_ref()
    }

    /// Clears every parameter's gradient, as `opt.zero_grad()` (set to
    /// `None`, as torch ≥ 2 does).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![1.0].requires_grad_(true);
    /// let opt = Adam::new(vec![w.clone()], 1e-3);
    /// (&w * 3.0).sum().backward();
    /// opt.zero_grad();
    /// assert!(w.grad().is_none());
    /// ```
    pub fn zero_grad(&self) {
        clear_grads(&self.params);
    }

    /// One update of every parameter that has a gradient, as `opt.step()`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let w = tensor![0.0].requires_grad_(true);
    /// let mut opt = Adam::new(vec![w.clone()], 0.1);
    /// w.set_grad(Some(tensor![-3.0]));
    /// opt.step();
    /// assert!((w.item() - 0.1).abs() < 1e-6);
    /// ```
    pub fn step(&mut self) {
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

    /// `_single_tensor_adam` for parameter `i` (capturable and
    /// differentiable off).
    fn update<T: Real>(&mut self, i: usize, grad: &Tensor) {
        let param = &self.params[i];
        let amsgrad = self.amsgrad;
        let state = self.state[i].get_or_insert_with(|| AdamState {
            step: 0.0,
            exp_avg: Tensor::zeros_like(param),
            exp_avg_sq: Tensor::zeros_like(param),
            max_exp_avg_sq: amsgrad.then(|| Tensor::zeros_like(param)),
        });
        let (lr, weight_decay, eps) = (
            self.group.lr(),
            self.weight_decay.to_f64(),
            self.eps.to_f64(),
        );
        let (beta1, beta2) = (self.betas.0.to_f64(), self.betas.1.to_f64());

        let mut g: Vec<T> = read(grad);
        if self.maximize {
            neg_(&mut g);
        }
        let mut p: Vec<T> = read(param);
        // step_t += 1 (a float32 tensor)
        state.step = f64::from(state.step as f32 + 1.0);
        if weight_decay != 0.0 {
            if self.decoupled_weight_decay {
                // param.mul_(1 - lr * weight_decay)
                mul_scalar_(&mut p, T::of(1.0 - lr * weight_decay));
            } else {
                // grad = grad.add(param, alpha=weight_decay)
                add_(&mut g, &p, T::of(weight_decay));
            }
        }
        // exp_avg.lerp_(grad, 1 - beta1)
        let mut m: Vec<T> = read(&state.exp_avg);
        lerp_(&mut m, &g, T::of(1.0 - beta1));
        // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
        let mut v: Vec<T> = read(&state.exp_avg_sq);
        mul_scalar_(&mut v, T::of(beta2));
        addcmul_(&mut v, &g, &g, T::of(1.0 - beta2));

        // The bias corrections are Python floats (double precision).
        let step = state.step;
        let bias_correction1 = 1.0 - beta1.powf(step);
        let bias_correction2 = 1.0 - beta2.powf(step);
        let step_size = lr / bias_correction1;
        // `bias_correction2**0.5` is C's pow, not sqrt.
        let bias_correction2_sqrt = bias_correction2.powf(0.5);

        let mut denom = match &state.max_exp_avg_sq {
            Some(max) => {
                // torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=max_exp_avg_sqs[i])
                let mut mx: Vec<T> = read(max);
                maximum_(&mut mx, &v);
                write(max, mx.clone());
                mx
            }
            None => v.clone(),
        };
        // denom = (….sqrt() / bias_correction2_sqrt).add_(eps)
        sqrt_(&mut denom);
        div_scalar_(&mut denom, T::of(bias_correction2_sqrt));
        add_scalar_(&mut denom, T::of(eps));
        // param.addcdiv_(exp_avg, denom, value=-step_size)
        addcdiv_(&mut p, &m, &denom, T::of(-step_size));

        write(&state.exp_avg, m);
        write(&state.exp_avg_sq, v);
        write(param, p);
    }
}

impl Optimizer for Adam {
    fn step(&mut self) {
        Adam::step(self)
    }
    fn zero_grad(&self) {
        Adam::zero_grad(self)
    }
    fn params(&self) -> &[Tensor] {
        Adam::params(self)
    }
    fn param_group(&self) -> ParamGroup {
        self.group.clone()
    }
}

impl fmt::Display for Adam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_as(f, "Adam")
    }
}

impl Adam {
    /// The printed optimizer under a class name (`AdamW` prints the same
    /// settings).
    pub(super) fn write_as(&self, f: &mut fmt::Formatter<'_>, class: &str) -> fmt::Result {
        write_repr(
            f,
            class,
            &self.group,
            &[
                (
                    "betas",
                    format!("({}, {})", py(self.betas.0), py(self.betas.1)),
                ),
                ("eps", py(self.eps)),
                ("weight_decay", py(self.weight_decay)),
                ("amsgrad", py_bool(self.amsgrad).into()),
                ("maximize", py_bool(self.maximize).into()),
                ("foreach", "None".into()),
                ("capturable", "False".into()),
                ("differentiable", "False".into()),
                ("fused", "None".into()),
                (
                    "decoupled_weight_decay",
                    py_bool(self.decoupled_weight_decay).into(),
                ),
            ],
        )
    }
}

impl fmt::Debug for Adam {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}
