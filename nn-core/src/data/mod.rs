//! Data for training, as `torch.utils.data`: data sets, mini-batches, and
//! data sets that ship with nn-core.
//!
//! * [`Dataset`] (a length and an item per index), [`TensorDataset`],
//!   [`Subset`] and [`random_split`];
//! * [`DataLoader`]: mini-batches, built like torch's from three small
//!   pieces — a sampler orders the indices ([`SequentialSampler`],
//!   [`RandomSampler`]: shuffling and torch's exact random order), a
//!   [`BatchSampler`] groups them (`drop_last`), [`default_collate`] stacks
//!   the items;
//! * [`read_csv`]: a CSV file into tensors ([`CsvTable`]);
//! * data sets: [`load_digits`] (8×8 handwritten digits, embedded) and the
//!   2-D generators [`make_moons`], [`make_circles`], [`make_spirals`].
//!
//! Random choices — shuffling, splits, generated points — come from torch's
//! generator, so under [`manual_seed`](crate::manual_seed) they are
//! PyTorch's, bit for bit.
//!
//! ```
//! use nn_core::prelude::*;
//!
//! manual_seed(0);
//! let (x, y) = data::make_moons(200, 0.1);
//! let [train, test] = random_split(&TensorDataset::new((x, y)), [0.8, 0.2]);
//! let loader = DataLoader::new(&train, 32).shuffle(true);
//! let model = sequential![Linear::new(2, 16), ReLU::new(), Linear::new(16, 2)];
//! let mut opt = SGD::new(model.parameters(), 0.1);
//! for (xb, yb) in &loader {
//!     let loss = F::cross_entropy(&model.forward(&xb), &yb);
//!     opt.zero_grad();
//!     loss.backward();
//!     opt.step();
//! }
//! assert_eq!((loader.len(), test.len()), (5, 40));
//! ```

mod batch_sampler;
mod circles;
mod collate;
mod csv_table;
mod dataset;
mod digits;
mod loader;
mod moons;
mod points;
mod random_split;
mod sample;
mod sampler;
mod spirals;
mod subset;
mod tensor_dataset;

pub use batch_sampler::{BatchIndices, BatchSampler};
pub use circles::make_circles;
pub use collate::default_collate;
pub use csv_table::{CsvError, CsvOptions, CsvTable, read_csv};
pub use dataset::Dataset;
pub use digits::load_digits;
pub use loader::{Batches, DataLoader};
pub use moons::make_moons;
pub use random_split::{SplitLength, random_split, random_split_with};
pub use sample::Sample;
pub use sampler::{Indices, RandomIndices, RandomSampler, Sampler, SequentialSampler};
pub use spirals::make_spirals;
pub use subset::Subset;
pub use tensor_dataset::TensorDataset;

/// A Python `UserWarning`, on stderr as Python prints it (without the
/// source line, which a notebook cell does not have).
pub(crate) fn warn(message: &str) {
    eprintln!("UserWarning: {message}");
}
