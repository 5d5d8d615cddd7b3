//! `logit export`: a trained model folder runs in tract (an ONNX runtime) from encoded
//! features to the same calibrated probabilities `logit predict` computes.

use std::path::Path;
use std::process::Command;

use prost::Message;
use tract_onnx::prelude::*;

type TestResult = std::result::Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// A churn table with a categorical plan, a numeric usage with gaps, and a yes/no label.
fn churn_csv(path: &Path) -> std::io::Result<()> {
    let mut s = String::from("plan,usage,tenure,churn\n");
    for i in 0..300 {
        let plan = ["basic", "pro", "team"][i % 3];
        let usage = (i * 37 % 100) as f64;
        let tenure = if i % 11 == 0 {
            String::new()
        } else {
            format!("{}", (i * 7) % 48)
        };
        let churn = if usage < 30.0 || (plan == "basic" && usage < 50.0) {
            "yes"
        } else {
            "no"
        };
        s += &format!("{plan},{usage},{tenure},{churn}\n");
    }
    std::fs::write(path, s)
}

fn logit(args: &[&str], dir: &Path) -> std::io::Result<std::process::Output> {
    Command::new(env!("CARGO_BIN_EXE_logit"))
        .args(args)
        .current_dir(dir)
        .output()
}

#[test]
fn an_exported_model_folder_gives_the_calibrated_probabilities() -> TestResult {
    let d = tempfile::tempdir()?;
    churn_csv(&d.path().join("churn.csv"))?;
    let train = logit(
        &[
            "train",
            "churn.csv",
            "--target",
            "churn",
            "--model",
            "mlp",
            "--calibrate",
            "platt",
            "--epochs",
            "20",
            "--out",
            "m",
        ],
        d.path(),
    )?;
    assert!(
        train.status.success(),
        "{}",
        String::from_utf8_lossy(&train.stderr)
    );
    let export = logit(&["export", "m", "model.onnx"], d.path())?;
    let said = String::from_utf8_lossy(&export.stderr);
    assert!(export.status.success(), "{said}");
    assert!(
        said.contains("plan=basic") && said.contains("usage"),
        "{said}"
    );

    // the rows encoded as the folder's encoding says, and the CLI's own probabilities
    let model = logit_cli::folder::open(&d.path().join("m"))?;
    let data = d.path().join("churn.csv");
    let (mut x, mut rows) = (Vec::new(), 0);
    for chunk in model
        .config
        .encoding
        .stream(std::fs::File::open(&data)?, &data, 128)?
    {
        let chunk = chunk?;
        x.extend(chunk.features);
        rows += chunk.cells.len();
    }
    let want = model.predict(&x, rows)?;

    let bytes = std::fs::read(d.path().join("model.onnx"))?;
    let width = x.len() / rows;
    let runnable = tract_onnx::onnx()
        .model_for_read(&mut std::io::Cursor::new(&bytes))?
        .with_input_fact(0, f32::fact([rows, width]).into())?
        .into_optimized()?
        .into_runnable()?;
    let input = tract_ndarray::Array2::from_shape_vec((rows, width), x)?;
    let out = runnable.run(tvec!(tract_onnx::prelude::Tensor::from(input).into()))?;
    let got = out[0].to_plain_array_view::<f32>()?;
    assert_eq!(got.shape(), [rows, 1]);
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (*g as f64 - w).abs() <= 1e-5,
            "row {i}: onnx {g}, logit {w}"
        );
    }

    // the feature order travels with the file
    let proto = logit_onnx::proto::ModelProto::decode(bytes.as_slice())?;
    let features = proto.metadata_props.iter().find(|m| m.key == "features");
    let names = model.config.encoding.feature_names().join("\n");
    assert_eq!(features.map(|m| m.value.as_str()), Some(names.as_str()));
    Ok(())
}

#[test]
fn exporting_a_missing_folder_is_one_clear_line() -> TestResult {
    let d = tempfile::tempdir()?;
    let out = logit(&["export", "nope", "model.onnx"], d.path())?;
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("nope") && err.contains("no such folder"),
        "{err}"
    );
    assert!(!d.path().join("model.onnx").exists());
    Ok(())
}
