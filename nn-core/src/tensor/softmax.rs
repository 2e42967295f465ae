//! `softmax` and `log_softmax` along a dimension.

use super::Tensor;
use crate::autograd::{Saved, no_grad, record};
use crate::error::{Result, or_panic};

impl Tensor {
    /// `exp(x) / sum(exp(x))` along `dim`, as `torch.softmax(x, dim)` (`SoftmaxBackward0`).
    ///
    /// # Panics
    /// If `dim` is out of range, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// // Stable for large inputs: the max is subtracted before exp.
    /// let p = tensor![[1.0, 1.0], [0.0, 1000.0]].softmax(1);
    /// assert_eq!(p.to_vec::<f32>(), vec![0.5, 0.5, 0.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn softmax(&self, dim: i64) -> Tensor {
        or_panic(self.try_softmax(dim))
    }

    /// Fallible form of [`softmax`](Self::softmax).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2]).try_softmax(1).is_err());
    /// ```
    pub fn try_softmax(&self, dim: i64) -> Result<Tensor> {
        let d = self.wrap_dim(dim)? as i64;
        let out = no_grad(|| {
            let x = self.to_float();
            // Subtract the max first, so exp never overflows.
            let shifted = &x - &x.max_dim(d, true).values;
            let e = shifted.exp();
            &e * &e.sum_dim(d, true).reciprocal()
        });
        let saved = out.clone();
        Ok(record(
            out.storage(),
            "SoftmaxBackward0",
            Saved::Tensors,
            &[self],
            move || {
                // torch: (grad - (grad * out).sum(dim, keepdim)) * out
                Box::new(move |g: &Tensor| {
                    vec![Some(&(g - &(g * &saved).sum_dim(d, true)) * &saved)]
                })
            },
        ))
    }

    /// `log(softmax(x))` along `dim`, computed stably, as
    /// `torch.log_softmax(x, dim)` (`LogSoftmaxBackward0`).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let l = tensor![0.0, 0.0].log_softmax(0);
    /// assert_eq!(l.to_vec::<f32>(), vec![-std::f32::consts::LN_2; 2]);
    /// ```
    #[track_caller]
    pub fn log_softmax(&self, dim: i64) -> Tensor {
        or_panic(self.try_log_softmax(dim))
    }

    /// Fallible form of [`log_softmax`](Self::log_softmax).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert!(Tensor::zeros([2]).try_log_softmax(-2).is_err());
    /// ```
    pub fn try_log_softmax(&self, dim: i64) -> Result<Tensor> {
        let d = self.wrap_dim(dim)? as i64;
        let out = no_grad(|| {
            let x = self.to_float();
            let m = x.max_dim(d, true).values;
            let shifted = &x - &m;
            let log_sum = shifted.exp().sum_dim(d, true).log();
            // torch: (x - max) - log(sum), in that order; adding max and
            // log(sum) first loses digits when x is large (pytorch#11752).
            &shifted - &log_sum
        });
        let saved = out.clone();
        Ok(record(
            out.storage(),
            "LogSoftmaxBackward0",
            Saved::Tensors,
            &[self],
            move || {
                // torch: grad - exp(out) * grad.sum(dim, keepdim)
                Box::new(move |g: &Tensor| vec![Some(g - &(&saved.exp() * &g.sum_dim(d, true)))])
            },
        ))
    }
}
