//! PyTorch's CPU random numbers, bit for bit (torch 2.15 on x86_64).
//!
//! The recipe is `shared/pytorch-reference/rng.md`; the section numbers in
//! the comments refer to it. In short:
//!
//! * the engine is mt19937 seeded with the low 32 bits of the seed (§1);
//! * `torch.rand` / `uniform_` and `nn.Linear`'s initialisation take one
//!   32-bit draw per float32 and one fused multiply-add (§2, §3);
//! * `torch.randn` uses a serial double Box-Muller with a cache below 16
//!   elements and a 16-wide float32 block algorithm from 16 on (§4);
//! * `randperm`, `randint` and `random_()` are modulo reductions of 32- or
//!   64-bit draws (§5, §6);
//! * `bernoulli_(p)` (dropout's mask) compares one double uniform per
//!   element with `p` ([`Generator::fill_bernoulli_f32`]).
//!
//! Where torch's result depends on the CPU kernel, this follows the AVX2
//! kernel, which is also what AVX512 CPUs (the reference machine) run.
//!
//! ```
//! use nn_core::random::{Generator, linear_init_bound};
//!
//! // torch.manual_seed(0); torch.randperm(10)
//! let mut g = Generator::new(0);
//! assert_eq!(g.randperm(10), [4, 1, 7, 5, 3, 9, 0, 8, 6, 2]);
//!
//! // torch.manual_seed(0); nn.Linear(2, 3).bias, after the weight's 6 draws
//! let mut g = Generator::new(0);
//! let b = linear_init_bound(2);
//! let mut weight = [0.0f32; 6];
//! let mut bias = [0.0f32; 3];
//! g.fill_uniform_f32(&mut weight, -b, b);
//! g.fill_uniform_f32(&mut bias, -b, b);
//! assert_eq!(bias.map(f32::to_bits), [0xbc658a57, 0x3f0f8740, 0xbd8083de]);
//! ```

mod bernoulli;
mod generator;
mod global;
mod init;
mod integer;
mod mathfun;
mod mt19937;
mod normal;
mod uniform;

pub use generator::{DEFAULT_SEED, Generator};
pub use global::{initial_seed, manual_seed, with_default_generator};
pub use init::linear_init_bound;
