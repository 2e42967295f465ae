//! `Embedding` and `F::embedding`: a lookup table of vectors.

use super::module::{Module, ModuleInfo, TrainingFlag};
use crate::error::{Result, TensorError, or_panic};
use crate::tensor::Tensor;

/// A table of `num_embeddings` vectors of `embedding_dim` values, looked up
/// by `int64` indices, as `torch.nn.Embedding(num_embeddings, embedding_dim)`:
/// `[*]` indices give `[*, embedding_dim]` vectors.
///
/// The weight is drawn from `N(0, 1)` by the default generator, exactly as
/// torch (`manual_seed(0)` gives torch's table bit for bit); the row of
/// `padding_idx`, if any, is zero and gets no gradient.
///
/// ```
/// use nn_core::prelude::*;
/// manual_seed(0);
/// let emb = Embedding::new(10, 3);
/// assert_eq!(emb.to_string(), "Embedding(10, 3)");
/// let v = emb.forward(&tensor![[1, 2, 4], [4, 3, 9]]);
/// assert_eq!(v.shape(), [2, 3, 3]);
/// assert_eq!(v.grad_fn().unwrap().name(), "EmbeddingBackward0");
/// ```
#[derive(Clone)]
pub struct Embedding {
    /// `[num_embeddings, embedding_dim]`, a parameter.
    pub weight: Tensor,
    /// Rows of the table.
    pub num_embeddings: usize,
    /// Values per vector.
    pub embedding_dim: usize,
    /// The index whose vector is zero and not trained (non-negative).
    pub padding_idx: Option<usize>,
    training: TrainingFlag,
}

impl Embedding {
    /// `nn.Embedding(num_embeddings, embedding_dim)`.
    ///
    /// ```
    /// assert_eq!(nn_core::nn::Embedding::new(100, 16).weight.shape(), [100, 16]);
    /// ```
    pub fn new(num_embeddings: usize, embedding_dim: usize) -> Embedding {
        or_panic(Embedding::try_with_padding_idx(
            num_embeddings,
            embedding_dim,
            None,
        ))
    }

    /// `nn.Embedding(num_embeddings, embedding_dim, padding_idx=…)`: a
    /// negative index counts from the end.
    ///
    /// # Panics
    /// If `padding_idx` is outside the table, with torch's message.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let emb = Embedding::with_padding_idx(10, 3, -1);
    /// assert_eq!(emb.to_string(), "Embedding(10, 3, padding_idx=9)");
    /// assert_eq!(emb.weight.i(9).to_vec::<f32>(), vec![0.0; 3]);
    /// ```
    #[track_caller]
    pub fn with_padding_idx(
        num_embeddings: usize,
        embedding_dim: usize,
        padding_idx: i64,
    ) -> Embedding {
        or_panic(Embedding::try_with_padding_idx(
            num_embeddings,
            embedding_dim,
            Some(padding_idx),
        ))
    }

    /// Fallible form of [`with_padding_idx`](Self::with_padding_idx)
    /// (`None`: no padding index).
    ///
    /// ```
    /// let err = nn_core::nn::Embedding::try_with_padding_idx(10, 3, Some(10)).unwrap_err();
    /// assert_eq!(err.to_string(), "Padding_idx must be within num_embeddings");
    /// ```
    pub fn try_with_padding_idx(
        num_embeddings: usize,
        embedding_dim: usize,
        padding_idx: Option<i64>,
    ) -> Result<Embedding> {
        let padding_idx = padding_idx
            .map(|i| normalize_padding_idx(i, num_embeddings))
            .transpose()?;
        let weight = Tensor::zeros([num_embeddings, embedding_dim]);
        weight.normal_(0.0, 1.0);
        if let Some(p) = padding_idx {
            weight.update_values(|v: &mut [f32]| {
                v[p * embedding_dim..(p + 1) * embedding_dim].fill(0.0)
            });
        }
        Ok(Embedding {
            weight: Tensor::parameter(weight),
            num_embeddings,
            embedding_dim,
            padding_idx,
            training: TrainingFlag::default(),
        })
    }

    /// A table with given vectors, as `nn.Embedding.from_pretrained(weight,
    /// freeze)` (with `freeze` the weight does not require grad).
    ///
    /// # Panics
    /// If the weight is not 2-D.
    ///
    /// ```
    /// use nn_core::prelude::*;
    /// let emb = Embedding::from_pretrained(tensor![[0.0, 1.0], [2.0, 3.0]], true);
    /// assert_eq!(emb.forward(&tensor![1]).to_vec::<f32>(), vec![2.0, 3.0]);
    /// assert!(!emb.weight.requires_grad());
    /// ```
    #[track_caller]
    pub fn from_pretrained(weight: Tensor, freeze: bool) -> Embedding {
        assert_eq!(
            weight.dim(),
            2,
            "Embeddings parameter is expected to be 2-dimensional"
        );
        let (num_embeddings, embedding_dim) = (weight.shape()[0], weight.shape()[1]);
        Embedding {
            weight: Tensor::parameter_with(weight, !freeze),
            num_embeddings,
            embedding_dim,
            padding_idx: None,
            training: TrainingFlag::default(),
        }
    }
}

/// A `padding_idx` as a row of a table of `num` rows.
fn normalize_padding_idx(i: i64, num: usize) -> Result<usize> {
    let n = num as i64;
    if i >= n || i < -n {
        return Err(TensorError::value(
            "Padding_idx must be within num_embeddings",
        ));
    }
    Ok(if i < 0 { (i + n) as usize } else { i as usize })
}

impl ModuleInfo for Embedding {
    fn class_name(&self) -> String {
        "Embedding".into()
    }
    fn extra_repr(&self) -> String {
        let mut s = format!("{}, {}", self.num_embeddings, self.embedding_dim);
        if let Some(p) = self.padding_idx {
            s += &format!(", padding_idx={p}");
        }
        s
    }
    fn own_parameters(&self) -> Vec<(String, Tensor)> {
        vec![("weight".to_string(), self.weight.clone())]
    }
    super::module::builtin_layer_state!();
}

impl Module for Embedding {
    /// The vectors of `input`'s indices (`EmbeddingBackward0`).
    fn forward(&self, input: &Tensor) -> Tensor {
        or_panic(crate::tensor::embedding(
            input,
            &self.weight,
            self.padding_idx,
        ))
    }
    super::module::compiled_module_methods!();
}

crate::impl_module_display!(Embedding);

/// Embedding lookup, as `F.embedding(input, weight, padding_idx)`.
///
/// # Panics
/// On indices that are not `int64` or lie outside the table, with torch's
/// messages.
///
/// ```
/// use nn_core::prelude::*;
/// let table = tensor![[0.0, 0.0], [1.0, 2.0], [3.0, 4.0]];
/// assert_eq!(F::embedding(&tensor![2, 1], &table, None).to_vec::<f32>(), vec![3.0, 4.0, 1.0, 2.0]);
/// ```
#[track_caller]
pub fn embedding(input: &Tensor, weight: &Tensor, padding_idx: Option<i64>) -> Tensor {
    let padding_idx = padding_idx.map(|i| or_panic(normalize_padding_idx(i, weight.shape()[0])));
    or_panic(crate::tensor::embedding(input, weight, padding_idx))
}
