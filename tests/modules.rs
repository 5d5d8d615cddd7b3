//! `#[derive(Module)]` names, module introspection and the summary table against PyTorch
//! (tests/fixtures/pytorch/modules.json, from modules.py): state-dict keys, `named_modules`
//! with their types, reprs, and torchinfo-style rows for torchvision's resnet18.

use logit::models::{
    ChurnPredictor, DiabetesPredictor, FraudDetectionModel, ImprovedModel, ResNet,
};
use logit::nn::{summary, BatchNorm1d, Linear, Module, ReLU, Sequential, Sigmoid, StateDict};
use logit::prelude::*;
use serde_json::Value;

fn fixture() -> Result<Value> {
    let text = include_str!("fixtures/pytorch/modules.json");
    serde_json::from_str(text).map_err(|e| Error::invalid("modules.json", "JSON", e.to_string()))
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// Checks keys, parameter and buffer names, module names and types, and the repr.
fn check(model: &dyn Module, want: &Value) {
    let sd: StateDict = model.state_dict();
    let keys: Vec<String> = sd.keys().into_iter().map(String::from).collect();
    assert_eq!(keys, strings(&want["state_dict"]), "state_dict keys");
    let params: Vec<String> = model
        .named_parameters()
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        params,
        strings(&want["named_parameters"]),
        "named_parameters"
    );
    let buffers: Vec<String> = model.named_buffers().into_iter().map(|(n, _)| n).collect();
    assert_eq!(buffers, strings(&want["named_buffers"]), "named_buffers");
    let modules: Vec<Value> = model
        .named_modules()
        .into_iter()
        .map(|(n, m)| serde_json::json!([n, m.type_name()]))
        .collect();
    assert_eq!(
        Value::Array(modules),
        want["named_modules"],
        "named_modules"
    );
    let children: Vec<String> = model.named_children().into_iter().map(|(n, _)| n).collect();
    assert_eq!(children, strings(&want["named_children"]), "named_children");
}

#[test]
fn tutorial_models_have_pytorchs_names_and_repr() -> Result<()> {
    let f = fixture()?;
    let churn = ChurnPredictor::new(10)?;
    let diabetes = DiabetesPredictor::new(8)?;
    let improved = ImprovedModel::new(10)?;
    let fraud = FraudDetectionModel::new(FraudDetectionModel::DEFAULT_INPUT_FEATURES)?;
    let models: [(&dyn Module, &str, String); 4] = [
        (&churn, "churn", churn.to_string()),
        (&diabetes, "diabetes", diabetes.to_string()),
        (&improved, "improved", improved.to_string()),
        (&fraud, "fraud", fraud.to_string()),
    ];
    for (model, name, repr) in models {
        check(model, &f[name]);
        assert_eq!(Some(repr.as_str()), f[name]["repr"].as_str(), "{name} repr");
    }
    Ok(())
}

/// The same model as modules.py's `Nested`: a ModuleList, a bare parameter registered after
/// it (PyTorch still lists it first), a Sequential, a buffer, an unset optional child and a
/// field that is not a module.
#[derive(Module)]
struct Nested {
    blocks: Vec<Linear>,
    scale: Tensor,
    head: Sequential,
    #[module(buffer)]
    steps: Tensor,
    extra: Option<Linear>,
    out: Linear,
    #[module(skip)]
    _label: String,
}

impl Module for Nested {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let mut h = x.clone();
        for b in &self.blocks {
            h = b.forward(&h)?;
        }
        self.out.forward(&self.head.forward(&h.mul(&self.scale)?)?)
    }
}

#[test]
fn derived_nested_model_has_pytorchs_names_and_repr() -> Result<()> {
    let f = fixture()?;
    let model = Nested {
        blocks: vec![Linear::new(4, 4)?, Linear::new(4, 4)?, Linear::new(4, 4)?],
        scale: Tensor::ones(&[4]).requires_grad_(true),
        head: Sequential::new()
            .add(Linear::new(4, 2)?)
            .add(ReLU)
            .add(BatchNorm1d::new(2)?),
        steps: Tensor::zeros(&[1]),
        extra: None,
        out: Linear::with_bias(2, 1, false)?,
        _label: "nested".into(),
    };
    check(&model, &f["nested"]);
    assert_eq!(
        Some(model.to_string().as_str()),
        f["nested"]["repr"].as_str()
    );
    assert_eq!(model.forward(&Tensor::randn(&[3, 4]))?.shape(), &[3, 1]);
    Ok(())
}

#[test]
fn resnet18_names_submodules_and_summary_match_torchvision() -> Result<()> {
    let f = fixture()?;
    let resnet = ResNet::resnet18(1000)?;
    check(&resnet, &f["resnet18"]);

    let fc = resnet.get_submodule("fc")?;
    assert_eq!(
        fc.downcast::<Linear>()?.in_features() as u64,
        f["fc_in_features"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        resnet.get_submodule("layer1.0.conv1")?.type_name(),
        "Conv2d"
    );
    let e = resnet
        .get_submodule("layer1.7.conv1")
        .unwrap_err()
        .to_string();
    assert!(e.contains("`layer1` (Sequential) has no child `7`"), "{e}");
    assert!(fc
        .downcast::<Sigmoid>()
        .unwrap_err()
        .to_string()
        .contains("a Linear"));

    resnet.eval();
    let s = summary(&resnet, &Tensor::zeros(&[1, 3, 224, 224]))?;
    compare_summary(&s, &f["resnet18_summary"]);
    Ok(())
}

fn compare_summary(s: &logit::nn::Summary, want: &Value) {
    let want = want.as_array().cloned().unwrap_or_default();
    assert_eq!(s.rows.len(), want.len());
    for (row, w) in s.rows.iter().zip(&want) {
        assert_eq!(Some(row.name.as_str()), w["name"].as_str());
        assert_eq!(
            Some(row.type_name.as_str()),
            w["type"].as_str(),
            "{}",
            row.name
        );
        let shape: Option<Vec<usize>> = serde_json::from_value(w["output_shape"].clone()).ok();
        assert_eq!(row.output_shape, shape, "output shape of {:?}", row.name);
        assert_eq!(
            Some(row.params as u64),
            w["params"].as_u64(),
            "{}",
            row.name
        );
        assert_eq!(
            Some(row.trainable as u64),
            w["trainable"].as_u64(),
            "{}",
            row.name
        );
    }
}

#[test]
fn transfer_steps_freeze_read_in_features_and_swap_fc() -> Result<()> {
    let f = fixture()?;
    let mut resnet = ResNet::resnet18(1000)?;
    for param in resnet.parameters() {
        param.requires_grad_(false);
    }
    let num_features = resnet.fc.downcast::<Linear>()?.in_features();
    resnet.fc = Box::new(
        Sequential::new()
            .add(Linear::new(num_features, 1)?)
            .add(Sigmoid),
    );
    resnet.eval();
    let s = summary(&resnet, &Tensor::zeros(&[2, 3, 64, 64]))?;
    compare_summary(&s, &f["transfer_summary"]);
    assert_eq!(s.trainable_params(), 513);
    let table = s.to_string();
    assert!(table.contains("Trainable params: 513"), "{table}");
    assert!(table.contains("  (fc) Sequential"), "{table}");

    // apply visits children before their parent, as PyTorch's does
    let mut order = Vec::new();
    resnet
        .get_submodule("fc")?
        .apply(&mut |m| order.push(m.type_name()));
    assert_eq!(order, ["Linear", "Sigmoid", "Sequential"]);
    Ok(())
}
