//! # logit-nn
//!
//! Layers and models in PyTorch's shape: the [`Module`] trait with PyTorch's dotted parameter
//! names and state dicts, and the layers of the `nn.Sigmoid` tutorial.
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

mod activation;
mod batch_norm;
mod conv;
mod convert;
mod dropout;
mod flatten;
mod identity;
pub mod init;
mod linear;
mod module;
mod pool;
mod sequential;
pub mod serialize;
mod state_dict;
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
pub use visitor::{Entry, Visitor};

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
