//! Every public entry point that takes user data, given bad data: each must return a clear
//! `Err` (checked for the words that say what was expected) and never panic.

use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use logit::core::ops::Conv2dOptions;
use logit::core::{DType, Tensor};
use logit::data::{
    load_csv, load_image, metrics, train_test_split, DataLoader, ImageFolder, MedianImputer,
    StandardScaler,
};
use logit::losses::*;
use logit::models::{DiabetesPredictor, ResNet};
use logit::nn::{
    serialize, BatchNorm1d, Conv2d, Conv2dConfig, Dropout, Linear, Module, ModuleIo, ReLU,
    Sequential, StateDict,
};
use logit::optim::*;
use logit::Result;

type Case = (&'static str, &'static str, Box<dyn Fn() -> Result<()>>);

fn t(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape)
}

fn file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::File::create(&p).unwrap().write_all(text).unwrap();
    p
}

fn cases(dir: &Path) -> Vec<Case> {
    let p = || vec![Tensor::zeros(&[2]).requires_grad_(true)];
    let csv_zero_rows = file(dir, "zero.csv", b"a,y\n");
    let csv_text = file(dir, "text.csv", b"a,y\nx,1\n");
    let st_truncated = file(
        dir,
        "cut.safetensors",
        &serialize::to_safetensors_bytes(&DiabetesPredictor::new(8).unwrap().state_dict()).unwrap()
            [..40],
    );
    let not_image = file(dir, "fake.jpg", b"GIF89a not really");
    let one_class = dir.join("folder");
    std::fs::create_dir_all(one_class.join("only")).unwrap();
    vec![
        // tensor constructors and ops
        (
            "from_vec with the wrong count",
            "6 elements",
            Box::new(|| Tensor::from_vec(vec![1.0f32; 5], &[2, 3]).map(drop)),
        ),
        (
            "ragged rows",
            "row 1",
            Box::new(|| Tensor::new(vec![vec![1.0], vec![1.0, 2.0]]).map(drop)),
        ),
        (
            "arange with step 0",
            "non-zero step",
            Box::new(|| Tensor::arange(0.0, 1.0, 0.0).map(drop)),
        ),
        (
            "randint with low >= high",
            "low < high",
            Box::new(|| Tensor::randint(3, 3, &[2]).map(drop)),
        ),
        (
            "normal with negative std",
            "std >= 0",
            Box::new(|| Tensor::normal(&[2], 0.0, -1.0, DType::F32, None).map(drop)),
        ),
        (
            "uniform with an integer dtype",
            "float dtype",
            Box::new(|| Tensor::uniform(&[2], 0.0, 1.0, DType::I64, None).map(drop)),
        ),
        (
            "reshape to another count",
            "elements",
            Box::new(|| t(&[3, 4]).reshape([5, 2]).map(drop)),
        ),
        (
            "add of non-broadcasting shapes",
            "[4, 3] and [4]",
            Box::new(|| t(&[4, 3]).add(&t(&[4])).map(drop)),
        ),
        (
            "add of f32 and f64",
            "expected dtype F32, got F64",
            Box::new(|| t(&[2]).add(&t(&[2]).double()).map(drop)),
        ),
        (
            "matmul with mismatched inner dims",
            "matmul",
            Box::new(|| t(&[2, 3]).matmul(&t(&[4, 2])).map(drop)),
        ),
        (
            "matmul of a scalar",
            "matmul",
            Box::new(|| Tensor::scalar(1.0).matmul(&t(&[2])).map(drop)),
        ),
        (
            "cat of nothing",
            "empty list",
            Box::new(|| Tensor::cat(&[], 0).map(drop)),
        ),
        (
            "cat of mismatched shapes",
            "cat",
            Box::new(|| Tensor::cat(&[t(&[2, 2]), t(&[3, 3])], 0).map(drop)),
        ),
        (
            "stack of mismatched shapes",
            "stack",
            Box::new(|| Tensor::stack(&[t(&[2]), t(&[3])], 0).map(drop)),
        ),
        (
            "sum over a dim out of range",
            "out of range",
            Box::new(|| t(&[2, 2]).sum_dim(2, false).map(drop)),
        ),
        (
            "softmax over a negative dim out of range",
            "out of range",
            Box::new(|| t(&[2, 2]).softmax(-3).map(drop)),
        ),
        (
            "index_select out of range",
            "indices in 0..3",
            Box::new(|| {
                t(&[3, 2])
                    .index_select(0, &Tensor::new([5i64]).unwrap())
                    .map(drop)
            }),
        ),
        (
            "index_select with float indices",
            "int64",
            Box::new(|| t(&[3, 2]).index_select(0, &t(&[1])).map(drop)),
        ),
        (
            "narrow past the end",
            "start + length",
            Box::new(|| t(&[3]).narrow(0, 2, 2).map(drop)),
        ),
        (
            "expand to an incompatible shape",
            "expand",
            Box::new(|| t(&[3]).expand(&[2, 4]).map(drop)),
        ),
        (
            "conv2d with mismatched channels",
            "conv2d",
            Box::new(|| {
                t(&[1, 3, 8, 8])
                    .conv2d(&t(&[4, 2, 3, 3]), None, Conv2dOptions::default())
                    .map(drop)
            }),
        ),
        (
            "conv2d with a kernel larger than the input",
            "kernel larger",
            Box::new(|| {
                t(&[1, 1, 2, 2])
                    .conv2d(&t(&[1, 1, 5, 5]), None, Conv2dOptions::default())
                    .map(drop)
            }),
        ),
        (
            "max_pool2d on a 2-D input",
            "[N, C, H, W]",
            Box::new(|| t(&[4, 4]).max_pool2d((2, 2), (2, 2), (0, 0)).map(drop)),
        ),
        (
            "backward on a non-scalar",
            "only for scalar outputs",
            Box::new(|| t(&[2]).requires_grad_(true).mul_scalar(2.0).backward()),
        ),
        (
            "backward without grad",
            "does not require grad",
            Box::new(|| t(&[1]).backward()),
        ),
        (
            "set_grad of another shape",
            "set_grad",
            Box::new(|| t(&[2]).set_grad(Some(t(&[3])))),
        ),
        (
            "item of many elements",
            "one element",
            Box::new(|| t(&[2]).item().map(drop)),
        ),
        // layers
        (
            "Linear with 0 inputs",
            "in_features > 0",
            Box::new(|| Linear::new(0, 1).map(drop)),
        ),
        (
            "Linear forward with wrong features",
            "expected 8 input features, got 5",
            Box::new(|| Linear::new(8, 12)?.forward(&t(&[32, 5])).map(drop)),
        ),
        (
            "Sequential with mismatched layers",
            "expected 4 input features, got 3",
            Box::new(|| {
                Sequential::new()
                    .add(Linear::new(2, 3)?)
                    .add(ReLU)
                    .add(Linear::new(4, 1)?)
                    .forward(&t(&[1, 2]))
                    .map(drop)
            }),
        ),
        (
            "BatchNorm1d forward with wrong channels",
            "C = 4",
            Box::new(|| BatchNorm1d::new(4)?.forward(&t(&[8, 3])).map(drop)),
        ),
        (
            "BatchNorm1d training on one row",
            "more than 1 value per channel",
            Box::new(|| BatchNorm1d::new(4)?.forward(&t(&[1, 4])).map(drop)),
        ),
        (
            "Dropout p = 1.5",
            "p in [0, 1)",
            Box::new(|| Dropout::new(1.5).map(drop)),
        ),
        (
            "Conv2d forward with wrong channels",
            "[N, 3, H, W]",
            Box::new(|| {
                Conv2d::new(3, 8, 3, Conv2dConfig::default())?
                    .forward(&t(&[1, 1, 8, 8]))
                    .map(drop)
            }),
        ),
        (
            "Conv2d with channels not divisible by groups",
            "divisible by groups",
            Box::new(|| {
                Conv2d::new(
                    3,
                    8,
                    3,
                    Conv2dConfig {
                        groups: 2,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "ResNet on a 1-channel image",
            "[N, 3, H, W]",
            Box::new(|| ResNet::resnet18(2)?.forward(&t(&[1, 1, 32, 32])).map(drop)),
        ),
        (
            "DiabetesPredictor on an empty batch of the wrong width",
            "expected 8 input features",
            Box::new(|| DiabetesPredictor::new(8)?.forward(&t(&[0, 3])).map(drop)),
        ),
        // state dicts and weights
        (
            "load_state_dict with a missing key",
            "missing keys [\"layer3.bias\"]",
            Box::new(|| {
                let m = DiabetesPredictor::new(8)?;
                let mut sd = m.state_dict();
                sd.remove("layer3.bias");
                m.load_state_dict(&sd)
            }),
        ),
        (
            "load_state_dict with an extra key",
            "unexpected keys [\"extra\"]",
            Box::new(|| {
                let m = DiabetesPredictor::new(8)?;
                let mut sd = m.state_dict();
                sd.insert("extra", t(&[1]));
                m.load_state_dict(&sd)
            }),
        ),
        (
            "load_state_dict with a misshapen key",
            "layer1.bias: expected shape [12], got [3]",
            Box::new(|| {
                let m = DiabetesPredictor::new(8)?;
                let mut sd = m.state_dict();
                sd.insert("layer1.bias", t(&[3]));
                m.load_state_dict(&sd)
            }),
        ),
        (
            "load_state_dict of an empty dict",
            "missing keys",
            Box::new(|| DiabetesPredictor::new(8)?.load_state_dict(&StateDict::new())),
        ),
        (
            "a truncated safetensors file",
            "not a valid safetensors file",
            Box::new(move || DiabetesPredictor::new(8)?.load(&st_truncated)),
        ),
        (
            "safetensors garbage",
            "not a valid safetensors file",
            Box::new(|| serialize::from_safetensors_bytes(&[0xff; 64], "x").map(drop)),
        ),
        (
            "a missing weights file",
            "No such file",
            Box::new(|| DiabetesPredictor::new(8)?.load("/no/such/model.safetensors")),
        ),
        // losses
        (
            "BCE with a target of another shape",
            "target shape [4]",
            Box::new(|| binary_cross_entropy(&t(&[4, 1]), &t(&[4]), Reduction::Mean).map(drop)),
        ),
        (
            "BCE with an input outside [0, 1]",
            "between 0 and 1",
            Box::new(|| {
                binary_cross_entropy(&Tensor::new([1.5]).unwrap(), &t(&[1]), Reduction::Mean)
                    .map(drop)
            }),
        ),
        (
            "BCE with a weight that does not broadcast",
            "weight",
            Box::new(|| {
                binary_cross_entropy(
                    &t(&[4, 1]),
                    &t(&[4, 1]),
                    BceOptions::default().weight(&t(&[3])),
                )
                .map(drop)
            }),
        ),
        (
            "BCE on an empty batch",
            "non-empty batch",
            Box::new(|| binary_cross_entropy(&t(&[0, 1]), &t(&[0, 1]), Reduction::Mean).map(drop)),
        ),
        (
            "BCEWithLogits with a misshapen pos_weight",
            "pos_weight",
            Box::new(|| {
                binary_cross_entropy_with_logits(
                    &t(&[4, 3]),
                    &t(&[4, 3]),
                    BceWithLogitsOptions::default().pos_weight(&t(&[2])),
                )
                .map(drop)
            }),
        ),
        (
            "BCEWithLogits with an f64 target for f32 logits",
            "expected dtype F32, got F64",
            Box::new(|| {
                binary_cross_entropy_with_logits(&t(&[2]), &t(&[2]).double(), Reduction::Mean)
                    .map(drop)
            }),
        ),
        (
            "focal loss with negative gamma",
            "gamma >= 0",
            Box::new(|| {
                sigmoid_focal_loss(&t(&[2]), &t(&[2]), FocalOptions::default().gamma(-1.0))
                    .map(drop)
            }),
        ),
        (
            "cross entropy with a class out of range",
            "class indices in 0..3",
            Box::new(|| {
                cross_entropy(
                    &t(&[2, 3]),
                    &Tensor::new([0i64, 7]).unwrap(),
                    Reduction::Mean,
                )
                .map(drop)
            }),
        ),
        (
            "cross entropy with float targets",
            "int64",
            Box::new(|| cross_entropy(&t(&[2, 3]), &t(&[2]), Reduction::Mean).map(drop)),
        ),
        (
            "MSE with a target of another shape",
            "target shape",
            Box::new(|| mse_loss(&t(&[3]), &t(&[2]), Reduction::Mean).map(drop)),
        ),
        (
            "an unknown reduction name",
            "'none', 'mean' or 'sum'",
            Box::new(|| "avg".parse::<Reduction>().map(drop)),
        ),
        // optimizers and schedulers
        (
            "SGD with a negative lr",
            "Invalid learning rate",
            Box::new(move || {
                SGD::new(
                    p(),
                    SGDConfig {
                        lr: -1.0,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "SGD with NaN lr",
            "Invalid learning rate",
            Box::new(move || {
                SGD::new(
                    p(),
                    SGDConfig {
                        lr: f64::NAN,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "SGD Nesterov without momentum",
            "Nesterov",
            Box::new(move || {
                SGD::new(
                    p(),
                    SGDConfig {
                        nesterov: true,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "SGD without parameters",
            "non-empty list of parameters",
            Box::new(|| SGD::new(vec![], SGDConfig::default()).map(drop)),
        ),
        (
            "Adam with beta1 = 1",
            "Invalid beta parameter at index 0: 1",
            Box::new(move || {
                Adam::new(
                    p(),
                    AdamConfig {
                        betas: (1.0, 0.999),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "Adam with negative eps",
            "epsilon",
            Box::new(move || {
                Adam::new(
                    p(),
                    AdamConfig {
                        eps: -1e-8,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "AdamW with negative weight decay",
            "weight_decay",
            Box::new(move || {
                AdamW::new(
                    p(),
                    AdamConfig {
                        weight_decay: Some(-0.1),
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "RMSprop with negative alpha",
            "alpha",
            Box::new(move || {
                RMSprop::new(
                    p(),
                    RMSpropConfig {
                        alpha: -0.5,
                        ..Default::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "StepLR with step_size 0",
            "step_size > 0",
            Box::new(move || StepLR::new(&SGD::new(p(), SGDConfig::default())?, 0, 0.1).map(drop)),
        ),
        (
            "CosineAnnealingLR with T_max 0",
            "T_max > 0",
            Box::new(move || {
                CosineAnnealingLR::new(&SGD::new(p(), SGDConfig::default())?, 0, 0.0).map(drop)
            }),
        ),
        (
            "clip_grad_norm_ with a negative max",
            "max_norm >= 0",
            Box::new(move || clip_grad_norm_(&p(), -1.0, 2.0).map(drop)),
        ),
        // data
        (
            "a CSV with no rows",
            "no data rows",
            Box::new(move || load_csv(&csv_zero_rows, "y").map(drop)),
        ),
        (
            "a CSV with text in a numeric column",
            ":2:1: expected a number in column 'a', got 'x'",
            Box::new(move || load_csv(&csv_text, "y").map(drop)),
        ),
        (
            "a missing CSV",
            "No such file",
            Box::new(|| load_csv("/no/such.csv", "y").map(drop)),
        ),
        (
            "a split of one row",
            "at least one row in each part",
            Box::new(|| train_test_split(&t(&[1, 2]), &t(&[1, 1]), 0.5, 0, false).map(drop)),
        ),
        (
            "a split with test_size 0",
            "test_size in (0, 1)",
            Box::new(|| train_test_split(&t(&[4, 2]), &t(&[4, 1]), 0.0, 0, false).map(drop)),
        ),
        (
            "a DataLoader with batch size 0",
            "batch_size > 0",
            Box::new(|| DataLoader::new(&t(&[4, 2]), &t(&[4, 1]), 0).map(drop)),
        ),
        (
            "a DataLoader with mismatched rows",
            "labels with 4 rows",
            Box::new(|| DataLoader::new(&t(&[4, 2]), &t(&[3, 1]), 2).map(drop)),
        ),
        (
            "a scaler fitted on no rows",
            "with rows",
            Box::new(|| StandardScaler::fit(&t(&[0, 3])).map(drop)),
        ),
        (
            "a scaler fitted on NaN",
            "non-finite",
            Box::new(|| StandardScaler::fit(&Tensor::new([[f64::NAN]]).unwrap()).map(drop)),
        ),
        (
            "an imputer on a column of missing values",
            "measured value",
            Box::new(|| MedianImputer::fit(&t(&[3, 2]), &[0], 0.0).map(drop)),
        ),
        (
            "metrics with mismatched lengths",
            "labels, one per probability",
            Box::new(|| metrics::accuracy(&[0.5], &[], 0.5).map(drop)),
        ),
        (
            "ROC-AUC with one class",
            "both classes",
            Box::new(|| metrics::roc_auc(&[0.2, 0.4], &[0.0, 0.0]).map(drop)),
        ),
        (
            "a file that is not an image",
            "not a readable JPEG or PNG",
            Box::new(move || load_image(&not_image, 256, 224).map(drop)),
        ),
        (
            "an image folder with one class",
            "exactly two class folders",
            Box::new(move || ImageFolder::new(&one_class).map(drop)),
        ),
        (
            "a plot with an unknown extension",
            ".png or .svg",
            Box::new(|| logit::plot::sigmoid_curve("/tmp/sigmoid.bmp")),
        ),
    ]
}

#[test]
fn every_bad_input_is_a_clear_error_and_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let cases = cases(dir.path());
    assert!(cases.len() >= 70, "{} cases", cases.len());
    let mut failures = Vec::new();
    for (name, expect, f) in &cases {
        match catch_unwind(AssertUnwindSafe(f)) {
            Err(_) => failures.push(format!("{name}: panicked")),
            Ok(Ok(())) => failures.push(format!("{name}: returned Ok")),
            Ok(Err(e)) if !e.to_string().contains(expect) => {
                failures.push(format!("{name}: error `{e}` does not say `{expect}`"))
            }
            Ok(Err(_)) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
