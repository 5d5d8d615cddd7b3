//! Saving and loading a trained model as safetensors, with PyTorch's key names, so the same
//! file loads in PyTorch with `safetensors.torch.load_file` + `model.load_state_dict`.
//! Run: `cargo run --release --example save_load`

use logit::data::synthetic;
use logit::models::DiabetesPredictor;
use logit::nn::load_safetensors;
use logit::prelude::*;

fn main() -> Result<()> {
    manual_seed(1);
    let (x, y) = synthetic::diabetes(200, 1)?;
    let model = DiabetesPredictor::new(8)?;
    let mut opt = Adam::new(model.parameters(), 1e-2)?;
    for _ in 0..50 {
        let loss = BCELoss::new().forward(&model.forward(&x)?, &y)?;
        opt.zero_grad();
        loss.backward()?;
        opt.step()?;
    }

    let path = std::env::temp_dir().join("diabetes_predictor.safetensors");
    model.save(&path)?; // written to a temporary file, then renamed: never half-written
    println!(
        "Saved {} ({} bytes)",
        path.display(),
        std::fs::metadata(&path)
            .map_err(|e| Error::io(&path, e))?
            .len()
    );
    for (k, t) in load_safetensors(&path)?.iter() {
        println!("  {k:<14} {:?} {:?}", t.dtype(), t.shape());
    }

    let restored = DiabetesPredictor::new(8)?; // fresh random weights
    restored.load(&path)?; // strict: every key, every shape
    let _g = no_grad();
    let (a, b) = (model.forward(&x)?, restored.forward(&x)?);
    println!(
        "Original probabilities: {:?}",
        a.narrow(0, 0, 3)?.to_vec::<f32>()
    );
    println!(
        "Restored probabilities: {:?}",
        b.narrow(0, 0, 3)?.to_vec::<f32>()
    );
    println!("Identical: {}", a.to_vec::<f32>() == b.to_vec::<f32>());
    // the same number PyTorch prints after `model.load_state_dict(load_file(path))`
    let half = restored.forward(&Tensor::full(&[1, 8], 0.5))?.item()?;
    println!("Probability for a patient with every feature at 0.5: {half:.7}");

    // a model of another shape refuses the file and says why
    let other = DiabetesPredictor::with_sizes(8, 16, 8)?;
    println!(
        "Loading into an 8-16-8-1 model: {}",
        other.load(&path).unwrap_err()
    );
    Ok(())
}
