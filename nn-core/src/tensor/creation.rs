//! Making tensors: filled, ranges, identity, random, `*_like`.

use super::Tensor;
use super::alloc::try_filled;
use super::scalar::Scalar;
use super::storage::{Array, Element, Storage};
use crate::dtype::DType;
use crate::error::{Result, TensorError, or_panic};
use crate::random::{Generator, with_default_generator};
use ndarray::IxDyn;

/// `value` everywhere; torch's error if the tensor cannot be allocated.
#[track_caller]
fn filled(shape: &[usize], value: Scalar, dtype: DType) -> Storage {
    #[track_caller]
    fn array<T: Element>(shape: &[usize], value: T) -> Storage {
        let values = or_panic(try_filled(shape, value));
        T::wrap(Array::from_shape_vec(IxDyn(shape), values).expect("length of the shape"))
    }
    match dtype {
        DType::Float32 => array(shape, value.to_f64() as f32),
        DType::Float64 => array(shape, value.to_f64()),
        DType::Int64 => array(shape, value.to_i64()),
        DType::Bool => array(shape, value.to_f64() != 0.0),
    }
}

impl Tensor {
    /// A tensor of `shape` from row-major values, as `torch.tensor(data).reshape(shape)`.
    ///
    /// # Panics
    /// If `data.len()` is not the product of `shape`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let t = Tensor::from_vec(vec![1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
    /// assert_eq!(t.to_string(), "tensor([[1., 2., 3.],\n        [4., 5., 6.]])");
    /// ```
    #[track_caller]
    pub fn from_vec<T: Element>(data: Vec<T>, shape: impl AsRef<[usize]>) -> Tensor {
        or_panic(Tensor::try_from_vec(data, shape))
    }

    /// Fallible form of [`from_vec`](Self::from_vec).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::try_from_vec(vec![1.0f32; 5], [2, 3]).unwrap_err();
    /// assert_eq!(err.to_string(), "shape '[2, 3]' is invalid for input of size 5");
    /// ```
    pub fn try_from_vec<T: Element>(data: Vec<T>, shape: impl AsRef<[usize]>) -> Result<Tensor> {
        let shape = shape.as_ref();
        if shape.iter().product::<usize>() != data.len() {
            return Err(TensorError::runtime(format!(
                "shape '{shape:?}' is invalid for input of size {}",
                data.len()
            )));
        }
        let a = Array::from_shape_vec(IxDyn(shape), data).expect("length checked");
        Ok(Tensor::from_storage(T::wrap(a)))
    }

    /// A 0-dimensional tensor holding one number, as `torch.tensor(3.5)`
    /// (floats give float32, integers int64).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::scalar(3.5).to_string(), "tensor(3.5000)");
    /// assert_eq!(Tensor::scalar(5).to_string(), "tensor(5)");
    /// ```
    #[track_caller]
    pub fn scalar(value: impl Into<Scalar>) -> Tensor {
        let v = value.into();
        Tensor::from_storage(filled(&[], v, v.dtype()))
    }

    /// A tensor of zeros (float32), as `torch.zeros(shape)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros([2]).to_string(), "tensor([0., 0.])");
    /// ```
    #[track_caller]
    pub fn zeros(shape: impl AsRef<[usize]>) -> Tensor {
        Tensor::full_dtype(shape, 0.0, DType::Float32)
    }

    /// A tensor of ones (float32), as `torch.ones(shape)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::ones([2, 1]).to_vec::<f32>(), vec![1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn ones(shape: impl AsRef<[usize]>) -> Tensor {
        Tensor::full_dtype(shape, 1.0, DType::Float32)
    }

    /// A tensor filled with `value`; its dtype follows the value as in torch
    /// (`full([2], 7)` is int64, `full([2], 0.5)` float32).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::full([3], 7).to_string(), "tensor([7, 7, 7])");
    /// ```
    #[track_caller]
    pub fn full(shape: impl AsRef<[usize]>, value: impl Into<Scalar>) -> Tensor {
        let v = value.into();
        Tensor::from_storage(filled(shape.as_ref(), v, v.dtype()))
    }

    /// A tensor filled with `value` converted to `dtype`, as
    /// `torch.full(shape, value, dtype=dtype)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let z = Tensor::full_dtype([2], 0, DType::Float64);
    /// assert_eq!(z.to_string(), "tensor([0., 0.], dtype=torch.float64)");
    /// ```
    #[track_caller]
    pub fn full_dtype(
        shape: impl AsRef<[usize]>,
        value: impl Into<Scalar>,
        dtype: DType,
    ) -> Tensor {
        Tensor::from_storage(filled(shape.as_ref(), value.into(), dtype))
    }

    /// Zeros with the shape and dtype of `other`, as `torch.zeros_like`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::zeros_like(&tensor![1, 2]).to_string(), "tensor([0, 0])");
    /// ```
    #[track_caller]
    pub fn zeros_like(other: &Tensor) -> Tensor {
        Tensor::full_dtype(other.shape(), 0, other.dtype())
    }

    /// Ones with the shape and dtype of `other`, as `torch.ones_like`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::ones_like(&tensor![2.0, 3.0]).to_vec::<f32>(), vec![1.0, 1.0]);
    /// ```
    #[track_caller]
    pub fn ones_like(other: &Tensor) -> Tensor {
        Tensor::full_dtype(other.shape(), 1, other.dtype())
    }

    /// `value` everywhere, with the shape and dtype of `other`, as `torch.full_like`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::full_like(&tensor![2.0, 3.0], 0.5).to_vec::<f32>(), vec![0.5, 0.5]);
    /// ```
    #[track_caller]
    pub fn full_like(other: &Tensor, value: impl Into<Scalar>) -> Tensor {
        Tensor::full_dtype(other.shape(), value, other.dtype())
    }

    /// `0, 1, …, end-1`, as `torch.arange(end)` (int64 for an integer end,
    /// float32 for a float).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::arange(5).to_string(), "tensor([0, 1, 2, 3, 4])");
    /// ```
    #[track_caller]
    pub fn arange(end: impl Into<Scalar>) -> Tensor {
        Tensor::arange_step(0, end, 1)
    }

    /// `start, start+step, …` up to but excluding `end`, as
    /// `torch.arange(start, end, step)`: int64 when all three are integers,
    /// else float32.
    ///
    /// # Panics
    /// If `step` is zero or has the wrong sign, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::arange_step(0.0, 1.0, 0.25).to_string(), "tensor([0.0000, 0.2500, 0.5000, 0.7500])");
    /// assert_eq!(Tensor::arange_step(5, 0, -2).to_vec::<i64>(), vec![5, 3, 1]);
    /// ```
    #[track_caller]
    pub fn arange_step(
        start: impl Into<Scalar>,
        end: impl Into<Scalar>,
        step: impl Into<Scalar>,
    ) -> Tensor {
        or_panic(Tensor::try_arange(start.into(), end.into(), step.into()))
    }

    /// Fallible form of [`arange_step`](Self::arange_step).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let err = Tensor::try_arange(Scalar::from(0), Scalar::from(5), Scalar::from(0)).unwrap_err();
    /// assert_eq!(err.to_string(), "step must be nonzero");
    /// ```
    pub fn try_arange(start: Scalar, end: Scalar, step: Scalar) -> Result<Tensor> {
        let (s, e, st) = (start.to_f64(), end.to_f64(), step.to_f64());
        if st == 0.0 {
            return Err(TensorError::runtime("step must be nonzero"));
        }
        if (st > 0.0 && e < s) || (st < 0.0 && e > s) {
            return Err(TensorError::runtime(
                "upper bound and larger bound inconsistent with step sign",
            ));
        }
        let all_int = !start.is_float() && !end.is_float() && !step.is_float();
        if all_int {
            let (s, e, st) = (start.to_i64(), end.to_i64(), step.to_i64());
            let n = ((e - s + st - st.signum()) / st).max(0) as usize;
            let mut v = try_filled(&[n], 0i64)?;
            for (i, x) in v.iter_mut().enumerate() {
                *x = s + i as i64 * st;
            }
            return Tensor::try_from_vec(v, [n]);
        }
        // torch computes the length and the values in double, then rounds.
        let n = ((e - s) / st).ceil().max(0.0) as usize;
        let mut v = try_filled(&[n], 0.0f32)?;
        for (i, x) in v.iter_mut().enumerate() {
            *x = (s + st * i as f64) as f32;
        }
        Tensor::try_from_vec(v, [n])
    }

    /// `steps` evenly spaced float32 values from `start` to `end`, as
    /// `torch.linspace(start, end, steps)`.
    ///
    /// The values are computed as torch's CPU kernel does — the first half
    /// counted up from `start`, the second half down from `end`, each with one
    /// fused multiply-add in float32 (the compiler contracts torch's
    /// `start + step * idx`) — so they match torch's bits.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(
    ///     Tensor::linspace(-1.0, 1.0, 5).to_string(),
    ///     "tensor([-1.0000, -0.5000,  0.0000,  0.5000,  1.0000])"
    /// );
    /// ```
    #[track_caller]
    pub fn linspace(start: f64, end: f64, steps: usize) -> Tensor {
        let (start, end) = (start as f32, end as f32);
        let mut v = or_panic(try_filled(&[steps], start));
        if steps > 1 {
            let step = (end - start) / (steps - 1) as f32;
            let halfway = steps / 2;
            for (i, x) in v.iter_mut().enumerate() {
                *x = if i < halfway {
                    step.mul_add(i as f32, start)
                } else {
                    (-step).mul_add((steps - i - 1) as f32, end)
                };
            }
        }
        Tensor::from_vec(v, [steps])
    }

    /// The `n × n` identity matrix (float32), as `torch.eye(n)`;
    /// [`eye_rect`](Self::eye_rect) is `torch.eye(n, m)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::eye(2).to_string(), "tensor([[1., 0.],\n        [0., 1.]])");
    /// ```
    #[track_caller]
    pub fn eye(n: usize) -> Tensor {
        Tensor::eye_rect(n, n)
    }

    /// An `n × m` matrix with ones on the diagonal, as `torch.eye(n, m)`
    /// (the square case is [`eye`](Self::eye)).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::eye_rect(1, 3).to_vec::<f32>(), vec![1.0, 0.0, 0.0]);
    /// ```
    #[doc(alias = "eye")]
    #[track_caller]
    pub fn eye_rect(n: usize, m: usize) -> Tensor {
        let mut v = or_panic(try_filled(&[n, m], 0.0f32));
        for i in 0..n.min(m) {
            v[i * m + i] = 1.0;
        }
        Tensor::from_vec(v, [n, m])
    }

    // ------------------------------------------------------------------ random

    /// Uniform float32 values in `[0, 1)` from the default generator, as
    /// `torch.rand(shape)`: after `manual_seed(s)` the same bits as torch.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// assert_eq!(Tensor::rand([3]).to_string(), "tensor([0.4963, 0.7682, 0.0885])");
    /// ```
    #[track_caller]
    pub fn rand(shape: impl AsRef<[usize]>) -> Tensor {
        with_default_generator(|g| Tensor::rand_with(shape, g))
    }

    /// [`rand`](Self::rand) drawing from an explicit generator, as
    /// `torch.rand(shape, generator=g)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut g = Generator::new(0);
    /// assert_eq!(Tensor::rand_with([1], &mut g).item(), 0.49625658988952637);
    /// ```
    #[track_caller]
    pub fn rand_with(shape: impl AsRef<[usize]>, generator: &mut Generator) -> Tensor {
        let shape = shape.as_ref();
        let mut v = or_panic(try_filled(shape, 0.0f32));
        generator.fill_uniform_f32(&mut v, 0.0, 1.0);
        Tensor::from_vec(v, shape)
    }

    /// Standard normal float32 values from the default generator, as
    /// `torch.randn(shape)` (both of torch's paths, bit for bit).
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// assert_eq!(Tensor::randn([2]).to_string(), "tensor([ 1.5410, -0.2934])");
    /// ```
    #[track_caller]
    pub fn randn(shape: impl AsRef<[usize]>) -> Tensor {
        with_default_generator(|g| Tensor::randn_with(shape, g))
    }

    /// [`randn`](Self::randn) drawing from an explicit generator.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut g = Generator::new(0);
    /// assert_eq!(Tensor::randn_with([1], &mut g).to_string(), "tensor([1.5410])");
    /// ```
    #[track_caller]
    pub fn randn_with(shape: impl AsRef<[usize]>, generator: &mut Generator) -> Tensor {
        let shape = shape.as_ref();
        let mut v = or_panic(try_filled(shape, 0.0f32));
        generator.fill_normal_f32(&mut v, 0.0, 1.0);
        Tensor::from_vec(v, shape)
    }

    /// Random int64 values in `[low, high)`, as `torch.randint(low, high, shape)`.
    ///
    /// # Panics
    /// If `low >= high`, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// assert_eq!(Tensor::randint(0, 10, [5]).to_string(), "tensor([4, 9, 3, 0, 3])");
    /// ```
    #[track_caller]
    pub fn randint(low: i64, high: i64, shape: impl AsRef<[usize]>) -> Tensor {
        with_default_generator(|g| Tensor::randint_with(low, high, shape, g))
    }

    /// [`randint`](Self::randint) drawing from an explicit generator.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut g = Generator::new(0);
    /// assert_eq!(Tensor::randint_with(0, 10, [2], &mut g).to_vec::<i64>(), vec![4, 9]);
    /// ```
    #[track_caller]
    pub fn randint_with(
        low: i64,
        high: i64,
        shape: impl AsRef<[usize]>,
        generator: &mut Generator,
    ) -> Tensor {
        if low >= high {
            or_panic::<()>(Err(TensorError::runtime(format!(
                "random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
            ))));
        }
        let shape = shape.as_ref();
        let mut v = or_panic(try_filled(shape, 0i64));
        generator.fill_randint(&mut v, low, high);
        Tensor::from_vec(v, shape)
    }

    /// A random permutation of `0..n` (int64), as `torch.randperm(n)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// assert_eq!(Tensor::randperm(10).to_string(), "tensor([4, 1, 7, 5, 3, 9, 0, 8, 6, 2])");
    /// ```
    pub fn randperm(n: usize) -> Tensor {
        with_default_generator(|g| Tensor::randperm_with(n, g))
    }

    /// [`randperm`](Self::randperm) drawing from an explicit generator.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut g = Generator::new(0);
    /// assert_eq!(Tensor::randperm_with(3, &mut g).numel(), 3);
    /// ```
    pub fn randperm_with(n: usize, generator: &mut Generator) -> Tensor {
        Tensor::from_vec(generator.randperm(n), [n])
    }

    /// Uniform values with the shape of `other`, as `torch.rand_like`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::rand_like(&Tensor::zeros([2, 3])).shape(), [2, 3]);
    /// ```
    #[track_caller]
    pub fn rand_like(other: &Tensor) -> Tensor {
        Tensor::rand(other.shape()).to_dtype(other.dtype())
    }

    /// Normal values with the shape of `other`, as `torch.randn_like`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// assert_eq!(Tensor::randn_like(&Tensor::zeros([4])).shape(), [4]);
    /// ```
    #[track_caller]
    pub fn randn_like(other: &Tensor) -> Tensor {
        Tensor::randn(other.shape()).to_dtype(other.dtype())
    }

    /// Fills this tensor in place with uniform values in `[low, high)`, as
    /// `tensor.uniform_(low, high)` (how torch initialises `nn.Linear`).
    ///
    /// # Panics
    /// On a non-float tensor.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// let w = Tensor::zeros([2]);
    /// w.uniform_(-1.0, 1.0);
    /// assert!(w.abs().max().item() < 1.0);
    /// ```
    #[track_caller]
    pub fn uniform_(&self, low: f64, high: f64) -> Tensor {
        with_default_generator(|g| self.uniform_with_(low, high, g))
    }

    /// [`uniform_`](Self::uniform_) drawing from an explicit generator.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let mut g = Generator::new(0);
    /// let w = Tensor::zeros([1]);
    /// w.uniform_with_(0.0, 1.0, &mut g);
    /// assert_eq!(w.item(), 0.49625658988952637);
    /// ```
    #[track_caller]
    pub fn uniform_with_(&self, low: f64, high: f64, generator: &mut Generator) -> Tensor {
        let shape = self.shape().to_vec();
        let n = self.numel();
        let data = match self.dtype() {
            DType::Float32 => {
                let mut v = vec![0.0f32; n];
                generator.fill_uniform_f32(&mut v, low, high);
                Storage::F32(Array::from_shape_vec(IxDyn(&shape), v).expect("same size"))
            }
            DType::Float64 => {
                let mut v = vec![0.0f64; n];
                generator.fill_uniform_f64(&mut v, low, high);
                Storage::F64(Array::from_shape_vec(IxDyn(&shape), v).expect("same size"))
            }
            d => or_panic(Err(TensorError::runtime(format!(
                "\"uniform_\" not implemented for '{}'",
                d.name()
            )))),
        };
        self.assign_in_place(data);
        self.clone()
    }

    /// Fills this tensor in place with normal values, as `tensor.normal_(mean, std)`.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// manual_seed(0);
    /// let w = Tensor::zeros([2]);
    /// w.normal_(0.0, 1.0);
    /// assert_eq!(w.to_string(), "tensor([ 1.5410, -0.2934])");
    /// ```
    #[track_caller]
    pub fn normal_(&self, mean: f64, std: f64) -> Tensor {
        let shape = self.shape().to_vec();
        let n = self.numel();
        let data = with_default_generator(|g| match self.dtype() {
            DType::Float32 => {
                let mut v = vec![0.0f32; n];
                g.fill_normal_f32(&mut v, mean, std);
                Storage::F32(Array::from_shape_vec(IxDyn(&shape), v).expect("same size"))
            }
            DType::Float64 => {
                let mut v = vec![0.0f64; n];
                g.fill_normal_f64(&mut v, mean, std);
                Storage::F64(Array::from_shape_vec(IxDyn(&shape), v).expect("same size"))
            }
            d => or_panic(Err(TensorError::runtime(format!(
                "\"normal_\" not implemented for '{}'",
                d.name()
            )))),
        });
        self.assign_in_place(data);
        self.clone()
    }
}
