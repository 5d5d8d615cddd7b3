//! Random numbers that are PyTorch's: [`manual_seed`] seeds an MT19937 engine exactly as
//! `torch.manual_seed` does, and every random function draws from it what PyTorch's CPU kernels
//! draw, in the same order, so a port can be checked against the original one seed at a time.
//!
//! ```
//! use logit_core::{manual_seed, Tensor};
//! manual_seed(42);
//! let x = Tensor::randn(&[64, 10]); // torch.manual_seed(42); X = torch.randn(64, 10)
//! let y = Tensor::randint(0, 2, &[64, 1])?; // y = torch.randint(0, 2, (64, 1))
//! assert_eq!(format!("{:.4}", x.to_vec::<f32>()[0]), "1.9269");
//! # Ok::<(), logit_core::Error>(())
//! ```
//!
//! Every kernel is serial, as PyTorch's are, so the same seed gives the same bits with any
//! number of threads. PyTorch's streams differ slightly between its CPU builds; logit follows
//! the AVX2 build unless [`set_cpu_capability`] picks another.

mod capability;
mod cephes;
mod generator;
mod mt19937;
mod normal;
mod sampling;
mod uniform;

pub use capability::{cpu_capability, set_cpu_capability, CpuCapability};
pub use generator::{
    fork_rng, get_rng_state, initial_seed, manual_seed, set_rng_state, with_generator,
    with_global_rng, Generator, DEFAULT_SEED,
};
pub use mt19937::Mt19937;
pub(crate) use uniform::bernoulli_scalar;
pub use uniform::random_i64;
