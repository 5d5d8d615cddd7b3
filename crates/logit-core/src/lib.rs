//! # logit-core
//!
//! Tensors with reverse-mode autograd, the ground the rest of logit stands on. A [`Tensor`] is a
//! cheap handle to contiguous `f32` (default) or `f64` data; every op records its backward
//! formula, written beside its forward in `ops/`, when an input requires grad.
//!
//! ```
//! use logit_core::Tensor;
//!
//! // σ(w·x + b) and its gradient, as in PyTorch
//! let x = Tensor::new([[1.0, 2.0], [3.0, 4.0]])?;
//! let w = Tensor::new([[0.5], [-0.25]])?.requires_grad_(true);
//! let b = Tensor::new([0.1])?.requires_grad_(true);
//! let p = x.matmul(&w)?.add(&b)?.sigmoid();
//! p.mean().backward()?;
//! assert_eq!(w.grad().unwrap().shape(), &[2, 1]);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod array;
pub mod autograd;
pub mod checkpoint;
mod creation;
mod display;
mod dtype;
mod error;
pub mod io;
pub mod memory;
pub mod ops;
pub mod parallel;
pub mod random;
pub mod shape;
mod storage;
mod tensor;
pub mod trace;

pub use array::ArrayRef;
pub use autograd::{no_grad, Backward};
pub use creation::{default_dtype, set_default_dtype, NewElement, TensorData};
pub use dtype::{DType, Element, Float};
pub use error::{Error, Result};
pub use parallel::{get_num_threads, set_num_threads};
pub use random::{fork_rng, get_rng_state, initial_seed, manual_seed, set_rng_state, Generator};
pub use storage::Storage;
pub use tensor::Tensor;
