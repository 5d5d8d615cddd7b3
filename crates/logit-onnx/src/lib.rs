//! ONNX export for logit models, like `torch.onnx.export`: one forward pass of the model on an
//! example input is traced op by op and written as an ONNX model (opset 17) that ONNX Runtime,
//! tract and other runtimes load.
//!
//! - The input is `input` and the output `output`; their first dimension is dynamic
//!   (`batch`), so the file takes any batch size.
//! - Parameters and buffers become initializers under their state-dict names (`fc.weight`,
//!   `bn1.running_mean`).
//! - The model should be in eval mode: dropout and batch norm in training mode are refused
//!   with an error that says so, as is any op the exporter has no translation for.
//!
//! Exported ops: `linear` (Gemm), `matmul`, `conv2d`, `max_pool2d`, `adaptive_avg_pool2d` to
//! 1×1 or to sizes that divide, `batch_norm` (eval), sigmoid, relu, leaky_relu, tanh, exp, log,
//! log1p, sqrt, abs, neg, pow, clamp, `+ − × ÷` with broadcasting and with scalars, softmax,
//! log_softmax, reshape/flatten, permute, sum and mean (all or one dim), cat and dtype casts;
//! dropout in eval mode is the identity. That covers logit-nn's layers, `Sequential`, the
//! ResNets, the transfer head and the tutorial's models.
//!
//! ```
//! use logit_core::Tensor;
//! use logit_nn::{Linear, Module, Sequential, Sigmoid};
//! let model = Sequential::new().add(Linear::new(3, 1)?).add(Sigmoid);
//! let bytes = logit_onnx::to_bytes(&model, &Tensor::zeros(&[1, 3]))?;
//! assert!(bytes.len() > 16);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod graph;
mod ops;
pub mod proto;

use std::collections::HashMap;
use std::path::Path;

use logit_core::{no_grad, trace, Error, Result, Tensor};
use logit_nn::Module;
use prost::Message;

use graph::{value_info, Builder};
use proto::{GraphProto, ModelProto, OperatorSetIdProto};

/// The ONNX operator set the exported graphs use.
pub const OPSET: i64 = 17;

/// The ONNX IR version that goes with [`OPSET`].
const IR_VERSION: i64 = 8;

/// Traces `model` on `example` and writes the ONNX model to `path` (atomically: a temporary
/// file renamed into place), like `torch.onnx.export(model, example, path)`.
///
/// # Errors
/// As [`to_model`], or when the file cannot be written.
pub fn export<M: Module + ?Sized>(
    model: &M,
    example: &Tensor,
    path: impl AsRef<Path>,
) -> Result<()> {
    save(&to_model(model, example)?, path)
}

/// Writes a model built by [`to_model`] (after adding metadata, say) to `path` atomically.
///
/// # Errors
/// When the file cannot be written.
pub fn save(model: &ModelProto, path: impl AsRef<Path>) -> Result<()> {
    logit_core::io::atomic_write(path, &model.encode_to_vec())
}

/// The exported model as the bytes of an `.onnx` file.
///
/// # Errors
/// As [`to_model`].
pub fn to_bytes<M: Module + ?Sized>(model: &M, example: &Tensor) -> Result<Vec<u8>> {
    Ok(to_model(model, example)?.encode_to_vec())
}

/// Traces one forward pass of `model` on `example` (under `no_grad`) and builds the ONNX model.
///
/// # Errors
/// When `example` is not a float tensor with a batch dimension, the forward fails, or the
/// forward uses an op ONNX export cannot express (the error names it), including dropout or
/// batch norm in training mode.
pub fn to_model<M: Module + ?Sized>(model: &M, example: &Tensor) -> Result<ModelProto> {
    if example.dim() == 0 || !example.dtype().is_float() {
        return Err(Error::invalid(
            "ONNX export",
            "an example input of a float dtype with a batch dimension",
            format!("{:?} of shape {:?}", example.dtype(), example.shape()),
        ));
    }
    let (output, traced) = {
        let _g = no_grad();
        trace::trace(|| model.forward(example))
    };
    let output = output?;
    let params: HashMap<u64, String> = model
        .named_parameters()
        .into_iter()
        .chain(model.named_buffers())
        .map(|(name, t)| (t.id(), name))
        .collect();
    let mut b = Builder::new(&traced, params, example, &output);
    for op in &traced.ops {
        ops::emit(&mut b, op)?;
    }
    if b.output_name(&output).map(String::as_str) != Some("output") {
        // the model returned its input (or a constant) unchanged
        let v = b.value(&output)?;
        b.node_to("Identity", vec![v], "output".into(), vec![]);
    }
    let graph = GraphProto {
        name: model.type_name(),
        input: vec![value_info("input", example.shape(), example.dtype())?],
        output: vec![value_info("output", output.shape(), output.dtype())?],
        node: std::mem::take(&mut b.nodes),
        initializer: std::mem::take(&mut b.initializers),
    };
    Ok(ModelProto {
        ir_version: IR_VERSION,
        opset_import: vec![OperatorSetIdProto {
            domain: String::new(),
            version: OPSET,
        }],
        producer_name: "logit".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        doc_string: String::new(),
        graph: Some(graph),
        metadata_props: Vec::new(),
    })
}
