//! safetensors.json (PyTorch 2.15): PyTorch's saved DiabetesPredictor loads into logit's and
//! reproduces PyTorch's probabilities; logit's own files round-trip with PyTorch's key names.

mod common;

use common::{assert_close, fixture, tensor};
use logit::core::{no_grad, DType};
use logit::models::{ChurnPredictor, DiabetesPredictor, FraudDetectionModel, ImprovedModel};
use logit::nn::{load_safetensors, Module, ModuleIo};

#[test]
fn pytorch_diabetes_predictor_file_reproduces_pytorch_probabilities() {
    let fx = fixture("safetensors.json");
    let path = format!(
        "{}/tests/fixtures/pytorch/{}",
        env!("CARGO_MANIFEST_DIR"),
        fx["file"].as_str().unwrap()
    );
    let sd = load_safetensors(&path).unwrap();
    let mut keys: Vec<&str> = sd.keys();
    keys.sort();
    let want: Vec<&str> = fx["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(keys, want);
    let model = DiabetesPredictor::new(8).unwrap();
    model.load(&path).unwrap();
    let _g = no_grad();
    let p = model.forward(&tensor(&fx["x"], DType::F32)).unwrap();
    assert_close(
        &p,
        &fx["probabilities"],
        1e-6,
        1e-7,
        "safetensors.json probabilities",
    );
    // a model of another shape refuses the file, naming the mismatch
    let e = DiabetesPredictor::with_sizes(8, 16, 8)
        .unwrap()
        .load(&path)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("layer1.weight: expected shape [16, 8], got [12, 8]"),
        "{e}"
    );
}

#[test]
fn model_state_dict_keys_match_pytorch() {
    let keys = |m: &dyn Module| {
        m.state_dict()
            .keys()
            .into_iter()
            .map(String::from)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        keys(&ChurnPredictor::new(10).unwrap()),
        ["linear.weight", "linear.bias"]
    );
    assert_eq!(
        keys(&ImprovedModel::new(10).unwrap()),
        ["linear.weight", "linear.bias"]
    );
    assert_eq!(
        keys(&DiabetesPredictor::new(8).unwrap()),
        [
            "layer1.weight",
            "layer1.bias",
            "layer2.weight",
            "layer2.bias",
            "layer3.weight",
            "layer3.bias"
        ]
    );
    let fraud = keys(&FraudDetectionModel::new(20).unwrap());
    assert_eq!(
        fraud,
        [
            "feature_extractor.0.weight",
            "feature_extractor.0.bias",
            "feature_extractor.1.weight",
            "feature_extractor.1.bias",
            "feature_extractor.1.running_mean",
            "feature_extractor.1.running_var",
            "feature_extractor.1.num_batches_tracked",
            "feature_extractor.4.weight",
            "feature_extractor.4.bias",
            "feature_extractor.5.weight",
            "feature_extractor.5.bias",
            "feature_extractor.5.running_mean",
            "feature_extractor.5.running_var",
            "feature_extractor.5.num_batches_tracked",
            "classifier.0.weight",
            "classifier.0.bias",
            "classifier.2.weight",
            "classifier.2.bias",
        ]
    );
}
