//! `torch.onnx.export(model, x, "churn.onnx")` in logit: exports the tutorial's churn model and
//! a ResNet-18 transfer head, each beside a JSON file with the input it was checked on and
//! logit's output, so any ONNX runtime can be compared with logit
//! (`tests/fixtures/onnx/check_onnxruntime.py` does it with ONNX Runtime).
//!
//! `cargo run --release --example onnx_export -- OUT_DIR` (default `onnx-out`).

use std::path::Path;

use logit::models::{ChurnPredictor, HeadOutput, ResNet, TransferHead};
use logit::prelude::*;

fn export(model: &dyn Module, x: &Tensor, dir: &Path, name: &str) -> Result<()> {
    model.eval();
    let path = dir.join(format!("{name}.onnx"));
    logit::onnx::export(model, x, &path)?;
    let y = logit::core::autograd::no_grad_scope(|| model.forward(x))?;
    let check = serde_json::json!({
        "input_shape": x.shape(),
        "input": x.to_vec::<f32>(),
        "output_shape": y.shape(),
        "output": y.to_vec::<f32>(),
    });
    logit::core::io::atomic_write(
        dir.join(format!("{name}.json")),
        check.to_string().as_bytes(),
    )?;
    println!(
        "wrote {} ({} outputs to compare)",
        path.display(),
        y.numel()
    );
    Ok(())
}

fn main() -> Result<()> {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "onnx-out".into());
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    manual_seed(0);
    let churn = ChurnPredictor::new(10)?;
    export(&churn, &Tensor::randn(&[4, 10]), dir, "churn")?;
    let head = TransferHead::new(ResNet::resnet18(1000)?, HeadOutput::Probability)?;
    export(
        &head,
        &Tensor::randn(&[2, 3, 64, 64]),
        dir,
        "resnet18_transfer",
    )
}
