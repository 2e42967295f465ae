//! `BatchNorm1d`, `BatchNorm2d` and `F::batch_norm`: normalisation of each
//! channel by the batch's statistics while training, and by running
//! statistics (buffers, saved in the state dict) in evaluation mode.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;

/// torch's keyword arguments of `nn.BatchNorm1d`/`BatchNorm2d` beyond
/// `num_features`, with torch's defaults (`eps=1e-05, momentum=0.1,
/// affine=True, track_running_stats=True, bias=True`).
///
/// ```
/// use nn_core::prelude::*;
/// let bn = BatchNorm2d::with_config(3, BatchNormConfig { momentum: None, affine: false, ..Default::default() });
/// assert_eq!(bn.to_string(), "BatchNorm2d(3, eps=1e-05, momentum=None, affine=False, bias=False, track_running_stats=True)");
/// assert!(bn.parameters().is_empty());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchNormConfig {
    /// Added to the variance before the square root.
    pub eps: f64,
    /// Weight of the new batch in the running statistics; `None` for a
    /// cumulative average (`1 / num_batches_tracked`).
    pub momentum: Option<f64>,
    /// Whether the layer scales and shifts (`weight`, `bias` parameters).
    pub affine: bool,
    /// Whether the layer keeps running statistics (`running_mean`,
    /// `running_var`, `num_batches_tracked` buffers) and uses them in
    /// evaluation mode; without them it always uses the batch's.
    pub track_running_stats: bool,
    /// With `affine`, whether there is a `bias` (torch 2.15's `bias=`).
    pub bias: bool,
}

impl Default for BatchNormConfig {
    fn default() -> BatchNormConfig {
        BatchNormConfig {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: true,
            track_running_stats: true,
            bias: true,
        }
    }
}

/// Defines a batch-norm layer: the fields, constructors and forward pass
/// shared by `BatchNorm1d` and `BatchNorm2d`, which differ in the inputs
/// they accept.
macro_rules! batch_norm_layer {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name {
            /// `[num_features]`, ones at first; `None` without `affine`.
            pub weight: Option<Tensor>,
            /// `[num_features]`, zeros at first; `None` without `affine` or `bias`.
            pub bias: Option<Tensor>,
            /// `[num_features]` buffer, zeros at first.
            pub running_mean: Option<Tensor>,
            /// `[num_features]` buffer, ones at first.
            pub running_var: Option<Tensor>,
            /// A 0-d `int64` buffer: training batches seen.
            pub num_batches_tracked: Option<Tensor>,
            /// Channels `C` of the input.
            pub num_features: usize,
            /// Added to the variance.
            pub eps: f64,
            /// See [`BatchNormConfig::momentum`].
            pub momentum: Option<f64>,
            /// Whether there are `weight` and `bias`.
            pub affine: bool,
            /// Whether there are running statistics.
            pub track_running_stats: bool,
            training: TrainingFlag,
        }

        impl $name {
            #[doc = concat!("`nn.", stringify!($name), "(num_features)`.")]
            ///
            /// ```
            /// use nn_core::prelude::*;
            #[doc = concat!("let bn = ", stringify!($name), "::new(4);")]
            /// assert_eq!(bn.state_dict().keys(), vec!["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
            /// ```
            pub fn new(num_features: usize) -> $name {
                $name::with_config(num_features, BatchNormConfig::default())
            }

            #[doc = concat!("`nn.", stringify!($name), "(num_features, **config)`.")]
            ///
            /// ```
            /// use nn_core::prelude::*;
            #[doc = concat!("let bn = ", stringify!($name), "::with_config(4, BatchNormConfig { track_running_stats: false, ..Default::default() });")]
            /// assert_eq!(bn.state_dict().keys(), vec!["weight", "bias"]);
            /// ```
            pub fn with_config(num_features: usize, config: BatchNormConfig) -> $name {
                let c = num_features;
                let param = |t: Tensor| Some(Tensor::parameter(t));
                $name {
                    weight: if config.affine { param(Tensor::ones([c])) } else { None },
                    bias: if config.affine && config.bias { param(Tensor::zeros([c])) } else { None },
                    running_mean: config.track_running_stats.then(|| Tensor::zeros([c])),
                    running_var: config.track_running_stats.then(|| Tensor::ones([c])),
                    num_batches_tracked: config
                        .track_running_stats
                        .then(|| Tensor::scalar(0i64)),
                    num_features,
                    eps: config.eps,
                    momentum: config.momentum,
                    affine: config.affine,
                    track_running_stats: config.track_running_stats,
                    training: TrainingFlag::default(),
                }
            }

            /// The same layer with another `eps`, as `eps=…`.
            ///
            /// ```
            /// use nn_core::prelude::*;
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(2).eps(1e-3).eps, 1e-3);")]
            /// ```
            pub fn eps(mut self, eps: f64) -> $name {
                self.eps = eps;
                self
            }

            /// The same layer with another `momentum` (`None`: a
            /// cumulative average), as `momentum=…`.
            ///
            /// ```
            /// use nn_core::prelude::*;
            #[doc = concat!("assert_eq!(", stringify!($name), "::new(2).momentum(Some(0.01)).momentum, Some(0.01));")]
            /// ```
            pub fn momentum(mut self, momentum: Option<f64>) -> $name {
                self.momentum = momentum;
                self
            }

            fn try_forward(&self, input: &Tensor) -> Result<Tensor> {
                let check: fn(usize) -> Result<()> = $check;
                check(input.dim())?;
                let training = self.training.get();
                let mut factor = self.momentum.unwrap_or(0.0);
                if training && self.track_running_stats {
                    if let Some(n) = &self.num_batches_tracked {
                        let count = n.update_values(|v: &mut [i64]| {
                            v[0] += 1;
                            v[0]
                        });
                        if self.momentum.is_none() {
                            factor = 1.0 / count as f64;
                        }
                    }
                }
                let bn_training = training || (self.running_mean.is_none() && self.running_var.is_none());
                // Buffers that are not tracked must not be updated.
                let use_buffers = !training || self.track_running_stats;
                let running = |t: &Option<Tensor>| if use_buffers { t.clone() } else { None };
                try_batch_norm(
                    input,
                    running(&self.running_mean).as_ref(),
                    running(&self.running_var).as_ref(),
                    self.weight.as_ref(),
                    self.bias.as_ref(),
                    bn_training,
                    factor,
                    self.eps,
                )
            }
        }

        impl ModuleInfo for $name {
            fn class_name(&self) -> String {
                stringify!($name).into()
            }
            fn extra_repr(&self) -> String {
                use super::int_or_pair::python_bool;
                format!(
                    "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}",
                    self.num_features,
                    crate::print::python_float_repr(self.eps),
                    self.momentum.map_or("None".to_string(), crate::print::python_float_repr),
                    python_bool(self.affine),
                    python_bool(self.bias.is_some()),
                    python_bool(self.track_running_stats)
                )
            }
            fn own_parameters(&self) -> Vec<(String, Tensor)> {
                [("weight", &self.weight), ("bias", &self.bias)]
                    .into_iter()
                    .filter_map(|(n, t)| t.as_ref().map(|t| (n.to_string(), t.clone())))
                    .collect()
            }
            fn own_buffers(&self) -> Vec<(String, Tensor)> {
                [
                    ("running_mean", &self.running_mean),
                    ("running_var", &self.running_var),
                    ("num_batches_tracked", &self.num_batches_tracked),
                ]
                .into_iter()
                .filter_map(|(n, t)| t.as_ref().map(|t| (n.to_string(), t.clone())))
                .collect()
            }
            super::module::builtin_layer_state!();
        }

        impl Module for $name {
            /// Normalises (`NativeBatchNormBackward0`); in training mode,
            /// updates the running statistics.
            fn forward(&self, input: &Tensor) -> Tensor {
                or_panic(self.try_forward(input))
            }
            super::module::compiled_module_methods!();
        }

        crate::impl_module_display!($name);
    };
}

batch_norm_layer! {
    /// Batch normalisation of `[N, C]` or `[N, C, L]` inputs over `N` (and
    /// `L`), as `torch.nn.BatchNorm1d(num_features)`.
    ///
    /// In training mode each feature is normalised by the batch's mean and
    /// (biased) variance, then scaled by `weight` and shifted by `bias`, and
    /// the running statistics move towards the batch's:
    /// `running = (1 − momentum)·running + momentum·batch` (with the unbiased
    /// variance). After `eval()` the running statistics normalise instead,
    /// so one sample gives the same output whatever batch it comes in.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let bn = BatchNorm1d::new(2);
    /// assert_eq!(bn.to_string(), "BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)");
    /// let x = tensor![[1.0, 10.0], [3.0, 30.0]];
    /// let y = bn.forward(&x);
    /// assert!(y.allclose(&tensor![[-1.0, -1.0], [1.0, 1.0]])); // each column: mean 0, variance 1
    /// assert_eq!(bn.running_mean.as_ref().unwrap().to_vec::<f32>(), vec![0.2, 2.0]); // 0.9·0 + 0.1·mean
    /// bn.eval();
    /// assert_eq!(bn.forward(&x).shape(), [2, 2]);
    /// ```
    BatchNorm1d,
    |dim| if dim == 2 || dim == 3 {
        Ok(())
    } else {
        Err(TensorError::value(format!("expected 2D or 3D input (got {dim}D input)")))
    }
}

batch_norm_layer! {
    /// Batch normalisation of `[N, C, H, W]` inputs per channel (over `N`,
    /// `H` and `W`), as `torch.nn.BatchNorm2d(num_features)`; see
    /// [`BatchNorm1d`] for training and evaluation modes.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// let bn = BatchNorm2d::new(8);
    /// assert_eq!(bn.to_string(), "BatchNorm2d(8, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)");
    /// let x = &Tensor::randn([16, 8, 4, 4]) * 3.0 + 5.0;
    /// let y = bn.forward(&x);
    /// assert_eq!(y.grad_fn().unwrap().name(), "NativeBatchNormBackward0");
    /// assert!(y.mean().abs().item() < 1e-5);
    /// assert_eq!(bn.num_batches_tracked.as_ref().unwrap().item(), 1.0);
    /// bn.eval(); // now the running statistics normalise
    /// let _ = bn.forward(&x);
    /// assert_eq!(bn.num_batches_tracked.as_ref().unwrap().item(), 1.0);
    /// ```
    BatchNorm2d,
    |dim| if dim == 4 {
        Ok(())
    } else {
        Err(TensorError::value(format!("expected 4D input (got {dim}D input)")))
    }
}

/// Batch normalisation, as `F.batch_norm(input, running_mean, running_var,
/// weight, bias, training, momentum, eps)`: with `training`, normalises by
/// the batch's statistics and moves the running ones (when given) by
/// `momentum`; otherwise normalises by the running statistics.
///
/// # Panics
/// With torch's messages: one value per channel while training, sizes that
/// do not match the channels.
///
/// ```
/// use nn_core::prelude::*;
/// let (mean, var) = (Tensor::zeros([2]), Tensor::ones([2]));
/// let x = tensor![[1.0, 2.0], [3.0, 6.0]];
/// let y = F::batch_norm(&x, Some(&mean), Some(&var), None, None, true, 0.5, 1e-5);
/// assert!(y.allclose(&tensor![[-1.0, -1.0], [1.0, 1.0]]));
/// assert_eq!(mean.to_vec::<f32>(), vec![1.0, 2.0]); // 0.5·0 + 0.5·[2, 4]
/// assert_eq!(var.to_vec::<f32>(), vec![1.5, 4.5]); // 0.5·1 + 0.5·[2, 8]
/// ```
#[allow(clippy::too_many_arguments)] // torch's signature
#[track_caller]
pub fn batch_norm(
    input: &Tensor,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Tensor {
    or_panic(try_batch_norm(
        input,
        running_mean,
        running_var,
        weight,
        bias,
        training,
        momentum,
        eps,
    ))
}

#[allow(clippy::too_many_arguments)]
fn try_batch_norm(
    input: &Tensor,
    running_mean: Option<&Tensor>,
    running_var: Option<&Tensor>,
    weight: Option<&Tensor>,
    bias: Option<&Tensor>,
    training: bool,
    momentum: f64,
    eps: f64,
) -> Result<Tensor> {
    let shape = input.shape();
    if training && shape.len() >= 2 {
        let values: usize = shape[0] * shape[2..].iter().product::<usize>();
        if values == 1 {
            return Err(TensorError::value(format!(
                "Expected more than 1 value per channel when training, got input size {shape}"
            )));
        }
    }
    crate::tensor::batch_norm(
        input,
        running_mean,
        running_var,
        weight,
        bias,
        training,
        momentum,
        eps,
    )
}
