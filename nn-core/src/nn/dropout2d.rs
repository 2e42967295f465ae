//! `Dropout2d` and `F::dropout2d`: zeroes whole channels while training.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::dtype::DType;
use crate::error::{TensorError, or_panic};
use crate::random::with_default_generator;
use crate::tensor::Tensor;

/// During training, zeroes each channel of each sample (a whole `H × W`
/// feature map) with probability `p` and scales the rest by `1/(1-p)`; in
/// evaluation mode returns the input, as `nn.Dropout2d(p)`.
///
/// The mask is torch's, bit for bit after `manual_seed`: `bernoulli_(1 - p)`
/// on a `[N, C, 1, 1]` tensor from the default generator, as
/// [`F::dropout`](super::functional::dropout) draws its elementwise mask. As
/// in torch, a 3-D input is taken as `[N, C, L]`.
///
/// ```
/// use nn_core::prelude::*;
/// let d = Dropout2d::new(0.5);
/// assert_eq!(d.to_string(), "Dropout2d(p=0.5, inplace=False)");
/// manual_seed(0);
/// let y = d.forward(&Tensor::ones([2, 8, 3, 3]));
/// // Each 3×3 map is all zeros or all twos.
/// for map in y.reshape([16, 9]).to_vec::<f32>().chunks(9) {
///     assert!(map.iter().all(|&v| v == map[0]) && (map[0] == 0.0 || map[0] == 2.0));
/// }
/// d.eval();
/// assert_eq!(d.forward(&Tensor::ones([1, 1, 2, 2])).to_vec::<f32>(), vec![1.0; 4]);
/// ```
#[derive(Clone)]
pub struct Dropout2d {
    /// Probability of zeroing a channel.
    pub p: f64,
    training: TrainingFlag,
}

impl Dropout2d {
    /// `nn.Dropout2d(p)`.
    ///
    /// # Panics
    /// If `p` is not in `[0, 1]`, with torch's message.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Dropout2d::new(0.25).p, 0.25);
    /// ```
    #[track_caller]
    pub fn new(p: f64) -> Dropout2d {
        or_panic(check_p(p));
        Dropout2d {
            p,
            training: TrainingFlag::default(),
        }
    }
}

/// `nn.Dropout2d()`: `p = 0.5`.
///
/// ```
/// assert_eq!(nn_core::nn::Dropout2d::default().p, 0.5);
/// ```
impl Default for Dropout2d {
    fn default() -> Dropout2d {
        Dropout2d::new(0.5)
    }
}

fn check_p(p: f64) -> crate::Result<()> {
    if (0.0..=1.0).contains(&p) {
        Ok(())
    } else {
        Err(TensorError::value(format!(
            "dropout probability has to be between 0 and 1, but got {}",
            crate::print::python_float_repr(p)
        )))
    }
}

impl ModuleInfo for Dropout2d {
    fn class_name(&self) -> String {
        "Dropout2d".into()
    }
    fn extra_repr(&self) -> String {
        format!(
            "p={}, inplace=False",
            crate::print::python_float_repr(self.p)
        )
    }
    super::module::builtin_layer_state!();
}

impl Module for Dropout2d {
    fn forward(&self, input: &Tensor) -> Tensor {
        dropout2d(input, self.p, self.training.get())
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(Dropout2d);

/// Channel dropout, as `F.dropout2d(x, p, training)`: torch's mask of shape
/// `[N, C, 1, …]` from the default generator, broadcast over the rest
/// (`MulBackward0`).
///
/// # Panics
/// If `p` is not in `[0, 1]`, with torch's message.
///
/// ```
/// use nn_core::prelude::*;
/// assert_eq!(F::dropout2d(&Tensor::ones([1, 2, 2, 2]), 0.5, false).to_vec::<f32>(), vec![1.0; 8]);
/// assert_eq!(F::dropout2d(&Tensor::ones([1, 2, 2, 2]), 1.0, true).to_vec::<f32>(), vec![0.0; 8]);
/// ```
#[track_caller]
pub fn dropout2d(x: &Tensor, p: f64, training: bool) -> Tensor {
    or_panic(check_p(p));
    if !training || p == 0.0 || x.dim() < 2 {
        return x.clone();
    }
    let shape = x.shape();
    let mut mask_shape = vec![shape[0], shape[1]];
    mask_shape.resize(shape.len(), 1);
    if p == 1.0 {
        return x * &Tensor::zeros(&mask_shape).to_dtype(x.dtype());
    }
    // noise = input.new_empty(N, C, 1, …).bernoulli_(1 - p); noise.div_(1 - p)
    let keep = 1.0 - p;
    let n: usize = mask_shape.iter().product();
    let noise = with_default_generator(|g| match x.dtype() {
        DType::Float64 => {
            let mut v = vec![0.0f64; n];
            g.fill_bernoulli_f64(&mut v, keep);
            v.iter_mut().for_each(|m| *m /= keep);
            Tensor::from_vec(v, &mask_shape)
        }
        _ => {
            let mut v = vec![0.0f32; n];
            g.fill_bernoulli_f32(&mut v, keep);
            let keep = keep as f32;
            v.iter_mut().for_each(|m| *m /= keep);
            Tensor::from_vec(v, &mask_shape).to_dtype(x.dtype())
        }
    });
    x * &noise
}
