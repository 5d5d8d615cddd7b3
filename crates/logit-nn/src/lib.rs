//! # logit-nn
//!
//! Layers and models in PyTorch's shape: the [`Module`] trait with PyTorch's dotted parameter
//! names and state dicts, and the layers of the `nn.Sigmoid` tutorial.
//!
//! A model is a struct whose fields are its layers; `#[derive(Module)]` (the default `derive`
//! feature) names them as PyTorch does, and the model writes `forward`:
//!
//! ```
//! use logit_core::{Result, Tensor};
//! use logit_nn::{Dropout, Linear, Module, ReLU};
//!
//! #[derive(Module)]
//! struct Net { fc1: Linear, relu: ReLU, dropout: Dropout, fc2: Linear }
//!
//! impl Module for Net {
//!     fn forward(&self, x: &Tensor) -> Result<Tensor> {
//!         let h = self.dropout.forward(&self.relu.forward(&self.fc1.forward(x)?)?)?;
//!         self.fc2.forward(&h)
//!     }
//! }
//!
//! let net = Net { fc1: Linear::new(4, 8)?, relu: ReLU, dropout: Dropout::new(0.2)?, fc2: Linear::new(8, 1)? };
//! assert_eq!(net.state_dict().keys(), ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]);
//! # Ok::<(), logit_core::Error>(())
//! ```
//!
//! Layers compose without a struct, too:
//!
//! ```
//! use logit_core::Tensor;
//! use logit_nn::{Linear, Module, Sequential, Sigmoid};
//!
//! let model = Sequential::new().add(Linear::new(10, 1)?).add(Sigmoid);
//! let p = model.forward(&Tensor::randn(&[4, 10]))?;
//! assert_eq!(p.shape(), &[4, 1]);
//! println!("{}", model.repr());
//! # Ok::<(), logit_core::Error>(())
//! ```

// `#[derive(Module)]` names this crate `::logit_nn`, inside it as well as outside
extern crate self as logit_nn;

/// Implements `Display` (PyTorch's repr) for this crate's layers, which hand-write `Visit`
/// so that the derive stays an optional feature.
macro_rules! impl_display {
    ($($t:ty),* $(,)?) => {$(
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&$crate::Module::repr(self))
            }
        }
    )*};
}

mod activation;
mod batch_norm;
mod conv;
mod convert;
mod dropout;
mod flatten;
mod fused;
mod identity;
pub mod init;
mod introspect;
mod linear;
mod module;
mod module_list;
mod pool;
mod sequential;
pub mod serialize;
mod state_dict;
pub mod summary;
mod visitor;

pub use activation::{LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh};
pub use batch_norm::{BatchNorm, BatchNorm1d, BatchNorm2d, BatchNormConfig};
pub use conv::{Conv2d, Conv2dConfig};
pub use convert::{convert, inspect, Conversion, Inspection};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use identity::Identity;
pub use linear::Linear;
pub use module::Module;
pub use pool::{AdaptiveAvgPool2d, MaxPool2d};
pub use sequential::Sequential;
pub use serialize::{
    load_safetensors, load_state_dict_file, save_pth, save_safetensors, state_dict_from_bytes,
    ModuleIo,
};
pub use state_dict::StateDict;
pub use summary::{summary, Summary, SummaryRow};
pub use visitor::{Entry, Visit, Visitor};

/// `#[derive(Module)]`: registers a struct's fields under their names and prints it as PyTorch
/// does (see [`logit_nn_derive`]).
#[cfg(feature = "derive")]
pub use logit_nn_derive::Module;

impl_display!(
    Linear,
    Sigmoid,
    ReLU,
    LeakyReLU,
    Tanh,
    Softmax,
    LogSoftmax,
    Dropout,
    BatchNorm1d,
    BatchNorm2d,
    Sequential,
    Flatten,
    Identity
);
