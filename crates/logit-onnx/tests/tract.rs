//! Exported models run in tract (a pure-Rust ONNX runtime) and agree with logit's forward.

use logit_core::{manual_seed, Tensor};
use logit_models::{
    ChurnPredictor, DiabetesPredictor, FraudDetectionModel, HeadOutput, ImprovedModel, ResNet,
    TransferHead,
};
use logit_nn::{Dropout, Linear, Module, ReLU, Sequential, Sigmoid, Softmax};
use tract_onnx::prelude::*;

type TestResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Runs an exported model in tract on `x`; returns the output's shape and values.
fn run_tract(bytes: &[u8], x: &Tensor) -> TractResult<(Vec<usize>, Vec<f32>)> {
    let model = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(bytes))?
        .with_input_fact(0, f32::fact(x.shape()).into())?
        .into_optimized()?
        .into_runnable()?;
    let input = tract_ndarray::ArrayD::from_shape_vec(x.shape(), x.to_vec::<f32>())?;
    let out = model.run(tvec!(tract_onnx::prelude::Tensor::from(input).into()))?;
    let view = out[0].to_plain_array_view::<f32>()?;
    Ok((view.shape().to_vec(), view.iter().copied().collect()))
}

/// Exports `model` on `example`, runs the file in tract on `x` (another batch size) and checks
/// it against logit's forward on `x`.
fn agrees<M: Module>(model: &M, example: &Tensor, x: &Tensor, tol: f32) -> TestResult {
    model.eval();
    let bytes = logit_onnx::to_bytes(model, example)?;
    let want = logit_core::autograd::no_grad_scope(|| model.forward(x))?;
    let (shape, got) = run_tract(&bytes, x)?;
    assert_eq!(shape, want.shape());
    for (i, (g, w)) in got.iter().zip(want.to_vec::<f32>()).enumerate() {
        assert!(
            (g - w).abs() <= tol * (1.0 + w.abs()),
            "element {i}: tract {g}, logit {w}"
        );
    }
    Ok(())
}

#[test]
fn the_tutorial_models_run_in_tract_with_any_batch_size() -> TestResult {
    manual_seed(0);
    let x = Tensor::randn(&[7, 10]);
    agrees(
        &ChurnPredictor::new(10)?,
        &Tensor::randn(&[1, 10]),
        &x,
        1e-5,
    )?;
    let x = Tensor::randn(&[5, 8]);
    agrees(
        &DiabetesPredictor::new(8)?,
        &Tensor::randn(&[2, 8]),
        &x,
        1e-5,
    )?;
    agrees(&ImprovedModel::new(8)?, &Tensor::randn(&[1, 8]), &x, 1e-5)?;
    // "Sigmoid vs. Softmax": the two heads of the tutorial
    let binary = Sequential::new().add(Linear::new(8, 1)?).add(Sigmoid);
    let multi = Sequential::new()
        .add(Linear::new(8, 3)?)
        .add(Softmax::new(1));
    agrees(&binary, &Tensor::randn(&[1, 8]), &x, 1e-5)?;
    agrees(&multi, &Tensor::randn(&[1, 8]), &x, 1e-5)?;
    Ok(())
}

#[test]
fn a_fraud_model_in_eval_mode_folds_batch_norm_and_drops_dropout() -> TestResult {
    manual_seed(1);
    let model = FraudDetectionModel::new(20)?;
    // a few training steps' worth of running statistics, so eval differs from a fresh model
    model.train();
    for _ in 0..3 {
        model.forward(&Tensor::randn(&[64, 20]).mul_scalar(2.0).add_scalar(0.5))?;
    }
    agrees(
        &model,
        &Tensor::randn(&[4, 20]),
        &Tensor::randn(&[9, 20]),
        1e-5,
    )
}

#[test]
fn resnet18_and_the_transfer_head_run_in_tract() -> TestResult {
    manual_seed(2);
    let resnet = ResNet::resnet18(10)?;
    let x = Tensor::randn(&[2, 3, 64, 64]);
    agrees(&resnet, &Tensor::randn(&[1, 3, 64, 64]), &x, 1e-5)?;
    let head = TransferHead::new(ResNet::resnet18(1000)?, HeadOutput::Probability)?;
    agrees(&head, &Tensor::randn(&[1, 3, 64, 64]), &x, 1e-5)?;
    Ok(())
}

#[test]
fn parameters_are_initializers_under_their_state_dict_names() -> TestResult {
    let model = Sequential::new().add(Linear::new(4, 2)?).add(ReLU);
    let proto = logit_onnx::to_model(&model, &Tensor::zeros(&[1, 4]))?;
    let graph = proto.graph.expect("a graph");
    let names: Vec<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["0.weight", "0.bias"]);
    assert_eq!(proto.opset_import[0].version, 17);
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
    assert_eq!(ops, ["Gemm", "Relu"]);
    let dim = &graph.input[0].r#type.as_ref().expect("a type");
    let shape = dim
        .tensor_type
        .as_ref()
        .and_then(|t| t.shape.as_ref())
        .expect("a shape");
    assert_eq!(shape.dim[0].dim_param.as_deref(), Some("batch"));
    assert_eq!(shape.dim[1].dim_value, Some(4));
    Ok(())
}

#[test]
fn training_mode_and_unknown_ops_are_clear_errors() -> TestResult {
    let model = Sequential::new()
        .add(Linear::new(4, 4)?)
        .add(Dropout::new(0.5)?);
    model.train();
    let e = logit_onnx::to_bytes(&model, &Tensor::zeros(&[2, 4])).unwrap_err();
    assert!(e.to_string().contains("model.eval()"), "{e}");
    model.eval();
    logit_onnx::to_bytes(&model, &Tensor::zeros(&[2, 4]))?;

    let fraud = FraudDetectionModel::new(5)?;
    fraud.train();
    let e = logit_onnx::to_bytes(&fraud, &Tensor::randn(&[4, 5])).unwrap_err();
    assert!(e.to_string().contains("model.eval()"), "{e}");

    // an op with no ONNX translation is named
    #[derive(Module)]
    struct TopLogit;
    impl Module for TopLogit {
        fn forward(&self, x: &Tensor) -> logit_core::Result<Tensor> {
            Ok(x.max_dim(1, true)?.0)
        }
    }
    let e = logit_onnx::to_bytes(&TopLogit, &Tensor::zeros(&[2, 4])).unwrap_err();
    assert!(e.to_string().contains("MaxBackward0"), "{e}");
    // a tensor made inside forward by an op the trace cannot follow is refused, not baked in
    #[derive(Module)]
    struct Threshold;
    impl Module for Threshold {
        fn forward(&self, x: &Tensor) -> logit_core::Result<Tensor> {
            x.gt_scalar(0.0).float().mul(x)
        }
    }
    let e = logit_onnx::to_bytes(&Threshold, &Tensor::zeros(&[2, 4])).unwrap_err();
    assert!(e.to_string().contains("made inside forward"), "{e}");
    Ok(())
}
