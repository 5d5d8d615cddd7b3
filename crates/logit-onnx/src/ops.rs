//! One traced op to ONNX nodes, by PyTorch's `grad_fn` name. Adding an op: set its attributes
//! in its forward (`trace::with_attrs` in logit-core) and add an arm here.

use logit_core::trace::{Attr, TracedOp};
use logit_core::{Error, Result, Tensor};

use crate::graph::{float, int, ints, Builder};

/// Writes the nodes of one traced op.
pub(crate) fn emit(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let same = |onnx: &str| Some(onnx.to_string());
    let elementwise = match op.name {
        "SigmoidBackward0" => same("Sigmoid"),
        "ReluBackward0" => same("Relu"),
        "TanhBackward0" => same("Tanh"),
        "ExpBackward0" => same("Exp"),
        "LogBackward0" => same("Log"),
        "NegBackward0" => same("Neg"),
        "SqrtBackward0" => same("Sqrt"),
        "AbsBackward0" => same("Abs"),
        "AddBackward0" => same("Add"),
        "SubBackward0" => same("Sub"),
        "MulBackward0" => same("Mul"),
        "DivBackward0" => same("Div"),
        "MmBackward0" | "BmmBackward0" => same("MatMul"),
        _ => None,
    };
    if let Some(onnx) = elementwise {
        let inputs = values(b, &op.inputs)?;
        b.node(&onnx, inputs, &op.output, vec![]);
        return Ok(());
    }
    match op.name {
        "AddBackward1" | "MulBackward1" | "RsubBackward1" => scalar(b, op),
        "Log1PBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let one = b.scalar(1.0, op.output.dtype())?;
            let sum = b.fresh_name("add");
            b.node_to("Add", vec![x, one], sum.clone(), vec![]);
            b.node("Log", vec![sum], &op.output, vec![]);
            Ok(())
        }
        "LeakyReluBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let alpha = float_attr(op, "alpha")?;
            b.node(
                "LeakyRelu",
                vec![x],
                &op.output,
                vec![float("alpha", alpha)],
            );
            Ok(())
        }
        "ClampBackward1" => clip(b, op),
        "PowBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let p = b.scalar(float_attr(op, "exponent")?, op.output.dtype())?;
            b.node("Pow", vec![x, p], &op.output, vec![]);
            Ok(())
        }
        "AddmmBackward0" => linear(b, op),
        "ConvolutionBackward0" => conv(b, op),
        "MaxPool2DWithIndicesBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let pads = ints_attr(op, "pads")?;
            let attrs = vec![
                ints("kernel_shape", ints_attr(op, "kernel_shape")?),
                ints("strides", ints_attr(op, "strides")?),
                ints("pads", [pads.clone(), pads].concat()),
            ];
            b.node("MaxPool", vec![x], &op.output, attrs);
            Ok(())
        }
        "AdaptiveAvgPool2DBackward0" => adaptive_avg(b, op),
        "NativeBatchNormBackward0" => batch_norm(b, op),
        "SoftmaxBackward0" | "LogSoftmaxBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let onnx = &op.name[..op.name.len() - "Backward0".len()];
            let axis = int("axis", int_attr(op, "axis")?);
            b.node(onnx, vec![x], &op.output, vec![axis]);
            Ok(())
        }
        "ViewBackward0" => reshape(b, op),
        "PermuteBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let perm = ints("perm", ints_attr(op, "perm")?);
            b.node("Transpose", vec![x], &op.output, vec![perm]);
            Ok(())
        }
        "SumBackward0" | "MeanBackward0" | "SumBackward1" | "MeanBackward1" => reduce(b, op),
        "CatBackward0" => {
            let inputs = values(b, &op.inputs)?;
            let axis = int("axis", int_attr(op, "axis")?);
            b.node("Concat", inputs, &op.output, vec![axis]);
            Ok(())
        }
        "ToCopyBackward0" => {
            let x = b.value(&op.inputs[0])?;
            let to = crate::graph::elem_type(op.output.dtype())?;
            b.node("Cast", vec![x], &op.output, vec![int("to", to as i64)]);
            Ok(())
        }
        "NativeDropoutBackward0" => Err(unsupported(
            op,
            "dropout is active in training mode; call model.eval() before exporting",
        )),
        _ => Err(unsupported(op, "ONNX export has no translation for it")),
    }
}

fn unsupported(op: &TracedOp, why: &str) -> Error {
    Error::invalid(
        "ONNX export",
        "a forward built from ops ONNX export knows (see logit_onnx's docs)",
        format!("op {}: {why}", op.name),
    )
}

fn values(b: &mut Builder<'_>, ts: &[Tensor]) -> Result<Vec<String>> {
    ts.iter().map(|t| b.value(t)).collect()
}

fn attr<'a>(op: &'a TracedOp, key: &str) -> Result<&'a Attr> {
    op.attr(key)
        .ok_or_else(|| unsupported(op, &format!("the trace did not record its {key}")))
}

fn int_attr(op: &TracedOp, key: &str) -> Result<i64> {
    match attr(op, key)? {
        Attr::Int(i) => Ok(*i),
        _ => Err(unsupported(op, &format!("{key} is not an integer"))),
    }
}

fn ints_attr(op: &TracedOp, key: &str) -> Result<Vec<i64>> {
    match attr(op, key)? {
        Attr::Ints(v) => Ok(v.clone()),
        _ => Err(unsupported(op, &format!("{key} is not a list of integers"))),
    }
}

fn float_attr(op: &TracedOp, key: &str) -> Result<f64> {
    match attr(op, key)? {
        Attr::Float(f) => Ok(*f),
        _ => Err(unsupported(op, &format!("{key} is not a number"))),
    }
}

fn tensor_attr<'a>(op: &'a TracedOp, key: &str) -> Result<&'a Tensor> {
    match attr(op, key)? {
        Attr::Tensor(t) => Ok(t),
        _ => Err(unsupported(op, &format!("{key} is not a tensor"))),
    }
}

/// `x + c`, `x · c`, `c − x` with the constant in the output's dtype.
fn scalar(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let x = b.value(&op.inputs[0])?;
    let c = b.scalar(float_attr(op, "value")?, op.output.dtype())?;
    let (onnx, inputs) = match op.name {
        "AddBackward1" => ("Add", vec![x, c]),
        "MulBackward1" => ("Mul", vec![x, c]),
        _ => ("Sub", vec![c, x]),
    };
    b.node(onnx, inputs, &op.output, vec![]);
    Ok(())
}

fn clip(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let x = b.value(&op.inputs[0])?;
    let dtype = op.output.dtype();
    let mut bound = |key: &str| -> Result<String> {
        let v = float_attr(op, key)?;
        if v.is_finite() {
            b.scalar(v, dtype)
        } else {
            Ok(String::new()) // an omitted optional input
        }
    };
    let (lo, hi) = (bound("min")?, bound("max")?);
    b.node("Clip", vec![x, lo, hi], &op.output, vec![]);
    Ok(())
}

/// `x·wᵀ + b`: one `Gemm` for a batch of rows, else `MatMul` with the transposed weight.
fn linear(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let mut inputs = values(b, &op.inputs)?;
    if op.inputs[0].dim() == 2 {
        b.node("Gemm", inputs, &op.output, vec![int("transB", 1)]);
        return Ok(());
    }
    let wt = b.fresh_name("weight_t");
    b.node_to("Transpose", vec![inputs[1].clone()], wt.clone(), vec![]);
    if inputs.len() == 2 {
        b.node("MatMul", vec![inputs.remove(0), wt], &op.output, vec![]);
        return Ok(());
    }
    let prod = b.fresh_name("matmul");
    b.node_to("MatMul", vec![inputs[0].clone(), wt], prod.clone(), vec![]);
    b.node("Add", vec![prod, inputs.remove(2)], &op.output, vec![]);
    Ok(())
}

fn conv(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let inputs = values(b, &op.inputs)?;
    let w = op.inputs[1].shape();
    let pads = ints_attr(op, "pads")?;
    let attrs = vec![
        ints("kernel_shape", vec![w[2] as i64, w[3] as i64]),
        ints("strides", ints_attr(op, "strides")?),
        ints("pads", [pads.clone(), pads].concat()),
        ints("dilations", ints_attr(op, "dilations")?),
        int("group", int_attr(op, "group")?),
    ];
    b.node("Conv", inputs, &op.output, attrs);
    Ok(())
}

/// PyTorch's adaptive bins are equal, non-overlapping windows when the sizes divide, and one
/// window over everything for a 1×1 output; other sizes have no ONNX operator.
fn adaptive_avg(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let x = b.value(&op.inputs[0])?;
    let (i, o) = (op.inputs[0].shape(), op.output.shape());
    let (h, w, oh, ow) = (i[2], i[3], o[2], o[3]);
    if oh == 1 && ow == 1 {
        b.node("GlobalAveragePool", vec![x], &op.output, vec![]);
        return Ok(());
    }
    if h % oh != 0 || w % ow != 0 {
        return Err(unsupported(
            op,
            &format!("adaptive pooling from {h}×{w} to {oh}×{ow} has unequal bins"),
        ));
    }
    let k = vec![(h / oh) as i64, (w / ow) as i64];
    let attrs = vec![ints("kernel_shape", k.clone()), ints("strides", k)];
    b.node("AveragePool", vec![x], &op.output, attrs);
    Ok(())
}

fn batch_norm(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    if int_attr(op, "training")? != 0 {
        return Err(unsupported(
            op,
            "batch norm uses batch statistics in training mode; call model.eval() before \
             exporting",
        ));
    }
    let x = b.value(&op.inputs[0])?;
    let c = op.inputs[0].shape()[1];
    let dtype = op.output.dtype();
    // the inputs after x are the weight and the bias, each only when present
    let mut given = op.inputs[1..].iter();
    let mut param = |b: &mut Builder<'_>, key: &str, default: f64| -> Result<String> {
        if int_attr(op, key)? != 1 {
            return b.value(&Tensor::full_dtype(&[c], default, dtype));
        }
        let t = given
            .next()
            .ok_or_else(|| unsupported(op, &format!("{key} is set but the input is missing")))?;
        b.value(t)
    };
    let scale = param(b, "has_weight", 1.0)?;
    let bias = param(b, "has_bias", 0.0)?;
    let mean = b.value(tensor_attr(op, "running_mean")?)?;
    let var = b.value(tensor_attr(op, "running_var")?)?;
    let eps = float("epsilon", float_attr(op, "epsilon")?);
    b.node(
        "BatchNormalization",
        vec![x, scale, bias, mean, var],
        &op.output,
        vec![eps],
    );
    Ok(())
}

/// A reshape keeps the batch dimension dynamic (`0` copies it) when it keeps the example's
/// batch size in front.
fn reshape(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let x = b.value(&op.inputs[0])?;
    let (from, to) = (op.inputs[0].shape(), op.output.shape());
    let mut shape: Vec<i64> = to.iter().map(|&d| d as i64).collect();
    if from.first() == Some(&b.batch) && to.first() == Some(&b.batch) {
        shape[0] = 0;
    }
    let shape = b.ints(&shape);
    b.node("Reshape", vec![x, shape], &op.output, vec![]);
    Ok(())
}

fn reduce(b: &mut Builder<'_>, op: &TracedOp) -> Result<()> {
    let x = b.value(&op.inputs[0])?;
    let sum = op.name.starts_with("Sum");
    let onnx = if sum { "ReduceSum" } else { "ReduceMean" };
    if op.name.ends_with('0') {
        b.node(onnx, vec![x], &op.output, vec![int("keepdims", 0)]);
        return Ok(());
    }
    let (axis, keep) = (
        int_attr(op, "axis")?,
        int("keepdims", int_attr(op, "keepdim")?),
    );
    if sum {
        // opset 13 moved ReduceSum's axes to an input; ReduceMean follows in opset 18
        let axes = b.ints(&[axis]);
        b.node(onnx, vec![x, axes], &op.output, vec![keep]);
    } else {
        b.node(
            onnx,
            vec![x],
            &op.output,
            vec![ints("axes", vec![axis]), keep],
        );
    }
    Ok(())
}
