//! `one_hot`: class labels as rows of zeros with a one at the label
//! (`F::one_hot` in `nn::functional`).

use super::Tensor;
use super::offsets::array;
use super::storage::Storage;
use crate::dtype::DType;
use crate::error::{Result, TensorError};

/// `F.one_hot(labels, num_classes)`: int64 labels to an int64 tensor with
/// one more dimension of `num_classes` (`-1`: the largest label + 1).
pub(crate) fn one_hot(labels: &Tensor, num_classes: i64) -> Result<Tensor> {
    if labels.dtype() != DType::Int64 {
        return Err(TensorError::runtime(
            "one_hot is only applicable to index tensor of type LongTensor.",
        ));
    }
    let values = labels.to_vec::<i64>();
    let mut shape = labels.shape().to_vec();
    if values.is_empty() {
        if num_classes <= 0 {
            return Err(TensorError::runtime(
                "Can not infer total number of classes from empty tensor.",
            ));
        }
        shape.push(num_classes as usize);
        return Ok(Tensor::from_storage(Storage::I64(array(
            &shape,
            Vec::new(),
        ))));
    }
    if values.iter().any(|&v| v < 0) {
        return Err(TensorError::runtime("Class values must be non-negative."));
    }
    let largest = values.iter().copied().max().unwrap_or(0);
    let classes = if num_classes == -1 {
        largest + 1
    } else if largest >= num_classes {
        return Err(TensorError::runtime(
            "Class values must be smaller than num_classes.",
        ));
    } else {
        num_classes
    } as usize;
    let mut out = vec![0i64; values.len() * classes];
    for (row, &v) in values.iter().enumerate() {
        out[row * classes + v as usize] = 1;
    }
    shape.push(classes);
    Ok(Tensor::from_storage(Storage::I64(array(&shape, out))))
}
