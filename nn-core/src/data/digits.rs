//! [`load_digits`]: the 8×8 handwritten digits that ship with nn-core, as
//! scikit-learn's `load_digits(return_X_y=True)`.

use flate2::read::GzDecoder;

use super::csv_table::{CsvOptions, CsvTable};
use crate::tensor::Tensor;

/// scikit-learn's `sklearn/datasets/data/digits.csv.gz`, byte for byte
/// (about 57 KB; licence and attribution in `nn-core/data/LICENSE-digits.txt`).
/// Embedded, so that `load_digits()` works in any notebook, without a path.
const DIGITS_CSV_GZ: &[u8] = include_bytes!("../../data/digits.csv.gz");

/// The images and their number.
const IMAGES: usize = 1797;
const PIXELS: usize = 64;

/// The 1,797 handwritten digits of scikit-learn's `load_digits()`: images
/// as a float32 tensor `[1797, 64]` (8×8 pixels row by row, each 0 to 16)
/// and their digits as an int64 tensor `[1797]` (0 to 9), the same numbers
/// as `load_digits(return_X_y=True)`.
///
/// One row per image suits a `Linear(64, …)` layer; `x.view([-1, 8, 8])`
/// gives the images (sklearn's `.images`). The data is the test set of the
/// UCI "Optical Recognition of Handwritten Digits" data set by E. Alpaydin
/// and C. Kaynak (1998), as scikit-learn ships it (BSD-3-Clause; see
/// `nn-core/data/LICENSE-digits.txt`).
///
/// ```
/// use nn_core::prelude::*;
///
/// let (x, y) = data::load_digits();
/// assert_eq!((x.shape(), y.shape()), (Size::from([1797, 64]), Size::from([1797])));
/// assert_eq!((x.dtype(), y.dtype()), (DType::Float32, DType::Int64));
/// assert_eq!(y.i(..10).to_string(), "tensor([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])");
/// // The first image, a zero:
/// assert_eq!(x.i(0).view([8, 8]).i(1).to_string(), "tensor([ 0.,  0., 13., 15., 10., 15.,  5.,  0.])");
///
/// // As a data set of (image, digit) items:
/// let digits = TensorDataset::new(data::load_digits());
/// assert_eq!(digits.len(), 1797);
/// ```
pub fn load_digits() -> (Tensor, Tensor) {
    let options = CsvOptions {
        header: false,
        delimiter: b',',
    };
    let gz = Box::new(GzDecoder::new(DIGITS_CSV_GZ));
    let table = CsvTable::from_reader(gz, "digits.csv.gz", &options)
        .unwrap_or_else(|e| panic!("the embedded digits data set is damaged: {e}"));
    let all = table.to_tensor();
    assert_eq!(
        all.shape(),
        [IMAGES, PIXELS + 1],
        "digits.csv.gz: 1797 × 65 values"
    );
    let images = all.i((.., ..PIXELS as i64)).contiguous();
    let labels = all.i((.., PIXELS as i64)).long();
    (images, labels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_classes_and_pixels_in_range() {
        let (x, y) = load_digits();
        let labels = y.to_vec::<i64>();
        let mut counts = [0usize; 10];
        for &l in &labels {
            counts[l as usize] += 1;
        }
        // sklearn: np.bincount(load_digits().target)
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        let pixels = x.to_vec::<f32>();
        assert!(
            pixels
                .iter()
                .all(|&p| (0.0..=16.0).contains(&p) && p.fract() == 0.0)
        );
        assert_eq!(pixels.iter().map(|&p| f64::from(p)).sum::<f64>(), 561_718.0);
    }
}
