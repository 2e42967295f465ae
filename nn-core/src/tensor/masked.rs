//! Boolean masks: `masked_fill` (write a number where the mask is true)
//! and `masked_select` (the values where it is true, as a vector).

use super::Tensor;
use super::broadcast::broadcast_shapes;
use super::offsets::{broadcast_steps, grid_offsets, scatter_add_grad, take};
use crate::autograd::{Saved, no_grad, record};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};

/// torch's C++ name of a dtype in its mask errors (`long int`, `float`, …).
fn c_type_name(dtype: DType) -> &'static str {
    match dtype {
        DType::Bool => "bool",
        DType::Int64 => "long int",
        DType::Float32 => "float",
        DType::Float64 => "double",
    }
}

impl Tensor {
    /// A copy with `value` wherever `mask` (bool, broadcast against `self`)
    /// is true, as `x.masked_fill(mask, value)` (`MaskedFillBackward0`; the
    /// filled positions get no gradient).
    ///
    /// # Panics
    /// If `mask` is not bool or the shapes do not broadcast, with torch's
    /// messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let scores = tensor![[0.5, 2.0], [1.0, -1.0]];
    /// let masked = scores.masked_fill(&scores.lt(0.0), f64::NEG_INFINITY);
    /// assert_eq!(masked.to_string(), "tensor([[0.5000, 2.0000],\n        [1.0000,   -inf]])");
    /// ```
    #[track_caller]
    pub fn masked_fill(&self, mask: &Tensor, value: f64) -> Tensor {
        or_panic(self.try_masked_fill(mask, value))
    }

    /// Fallible form of [`masked_fill`](Self::masked_fill).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2]).try_masked_fill(&tensor![1, 0], 0.0).unwrap_err();
    /// assert_eq!(err.to_string(), "masked_fill_ only supports boolean masks, but got mask with dtype long int");
    /// ```
    pub fn try_masked_fill(&self, mask: &Tensor, value: f64) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(TensorError::runtime(format!(
                "masked_fill_ only supports boolean masks, but got mask with dtype {}",
                c_type_name(mask.dtype())
            )));
        }
        broadcast_shapes(&mask.shape(), &self.shape())?;
        let fill = Tensor::full_dtype([], value, self.dtype());
        let out = no_grad(|| Tensor::where_cond(mask, &fill, self));
        Ok(record(
            out.storage(),
            "MaskedFillBackward0",
            Saved::Tensors,
            &[self],
            || {
                let (mask, shape) = (mask.clone(), self.shape().to_vec());
                Box::new(move |g: &Tensor| {
                    let zero = Tensor::full_dtype([], 0.0, g.dtype());
                    let kept = no_grad(|| Tensor::where_cond(&mask, &zero, g));
                    vec![Some(kept.sum_to_shape(&shape))]
                })
            },
        ))
    }

    /// [`masked_fill`](Self::masked_fill) in place, as `x.masked_fill_(mask, value)`;
    /// returns `self`.
    ///
    /// # Panics
    /// As `masked_fill`, if the mask would make the result larger than
    /// `self`, and on a leaf that requires grad, with torch's messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![1.0, -2.0, 3.0];
    /// x.masked_fill_(&x.lt(0.0), 0.0);
    /// assert_eq!(x.to_vec::<f32>(), vec![1.0, 0.0, 3.0]);
    /// ```
    #[track_caller]
    pub fn masked_fill_(&self, mask: &Tensor, value: f64) -> Tensor {
        or_panic(self.check_in_place());
        let out = or_panic(no_grad(|| self.try_masked_fill(mask, value)));
        if out.shape() != self.shape() {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                self.shape().to_vec(),
                out.shape().to_vec()
            ))));
        }
        self.set_storage(out.storage());
        self.clone()
    }

    /// The values where `mask` (bool, broadcast against `self`) is true, in
    /// row-major order, as a 1-D tensor: `x.masked_select(mask)`
    /// (`MaskedSelectBackward0`). `x.i(&mask)` gives the same for a mask of
    /// `x`'s shape.
    ///
    /// # Panics
    /// If `mask` is not bool or the shapes do not broadcast, with torch's
    /// messages.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let x = tensor![[1.0, -2.0], [-3.0, 4.0]];
    /// assert_eq!(x.masked_select(&x.gt(0.0)).to_string(), "tensor([1., 4.])");
    /// ```
    #[track_caller]
    pub fn masked_select(&self, mask: &Tensor) -> Tensor {
        or_panic(self.try_masked_select(mask))
    }

    /// Fallible form of [`masked_select`](Self::masked_select).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::zeros([2]).try_masked_select(&tensor![1, 0]).unwrap_err();
    /// assert_eq!(err.to_string(), "masked_select: expected BoolTensor for mask");
    /// ```
    pub fn try_masked_select(&self, mask: &Tensor) -> Result<Tensor> {
        if mask.dtype() != DType::Bool {
            return Err(TensorError::runtime(
                "masked_select: expected BoolTensor for mask",
            ));
        }
        let (shape, mshape) = (self.shape().to_vec(), mask.shape().to_vec());
        let target = broadcast_shapes(&mshape, &shape)?;
        let own = grid_offsets(&target, &broadcast_steps(&shape, &target));
        let keep = mask.to_vec::<bool>();
        let picks = grid_offsets(&target, &broadcast_steps(&mshape, &target));
        let offsets: Vec<usize> = own
            .iter()
            .zip(&picks)
            .filter(|&(_, &m)| keep[m])
            .map(|(&o, _)| o)
            .collect();
        let data = take(&self.storage(), &[offsets.len()], &offsets);
        Ok(record(
            data,
            "MaskedSelectBackward0",
            Saved::Tensors,
            &[self],
            || Box::new(move |g: &Tensor| vec![Some(scatter_add_grad(g, &shape, &offsets))]),
        ))
    }
}
