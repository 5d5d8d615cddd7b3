//! A resumable training run, with checkpoints in PyTorch's format:
//! ```python
//! torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
//!             "scheduler": scheduler.state_dict(), "epoch": epoch}, path)
//! ckpt = torch.load(path, weights_only=True)
//! model.load_state_dict(ckpt["model"]); optimizer.load_state_dict(ckpt["optimizer"])
//! ```
//! Run: `cargo run --release --example checkpoint [PATH] [EPOCHS_THIS_RUN]`. It trains the
//! tutorial's DiabetesPredictor for 20 epochs in all, saving PATH (default: a temporary
//! `diabetes_checkpoint.pth`) after every epoch, and resumes from PATH when it exists. Stop it
//! early with EPOCHS_THIS_RUN and run it again: the second run continues where the first
//! stopped. The file also resumes in PyTorch (tests/fixtures/pytorch/check_logit_pth.py).

use logit::core::checkpoint::{self, Value};
use logit::data::synthetic;
use logit::models::DiabetesPredictor;
use logit::nn::StateDict;
use logit::optim::StepLR;
use logit::prelude::*;

const EPOCHS: i64 = 20;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args.next().map_or_else(
        || std::env::temp_dir().join("diabetes_checkpoint.pth"),
        std::path::PathBuf::from,
    );
    let this_run: i64 = match args.next() {
        Some(s) => s
            .parse()
            .map_err(|_| Error::invalid("EPOCHS_THIS_RUN", "a whole number", s))?,
        None => EPOCHS,
    };

    manual_seed(0);
    let (x, y) = synthetic::diabetes(400, 0)?;
    let model = DiabetesPredictor::new(8)?;
    let mut optimizer = Adam::new(model.parameters(), 0.01)?;
    let mut scheduler = StepLR::new(&optimizer, 5, 0.5)?;
    let mut start = 0;
    if path.exists() {
        let ckpt = checkpoint::load(&path)?;
        model.load_state_dict(&StateDict::try_from(ckpt.get("model")?)?)?;
        optimizer.load_state_dict(ckpt.get("optimizer")?)?;
        scheduler.load_state_dict(ckpt.get("scheduler")?)?;
        start = ckpt.get("epoch")?.as_i64()?;
        println!("Resumed from {} after epoch {start}", path.display());
    }

    let criterion = BCELoss::new();
    for epoch in start + 1..=(start + this_run).min(EPOCHS) {
        let loss = criterion.forward(&model.forward(&x)?, &y)?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        scheduler.step(&mut optimizer);
        println!(
            "epoch {epoch:2}  loss {:.6}  lr {}",
            loss.item()?,
            optimizer.lr()
        );
        let ckpt = Value::dict([
            ("model", Value::from(&model.state_dict())),
            ("optimizer", optimizer.state_dict()),
            ("scheduler", scheduler.state_dict()),
            ("epoch", Value::Int(epoch)),
        ]);
        checkpoint::save(&ckpt, &path)?; // temp file + rename: a kill never leaves half a file
    }
    println!("Checkpoint: {}", path.display());
    Ok(())
}
