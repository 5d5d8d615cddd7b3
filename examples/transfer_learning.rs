//! Transfer learning as the tutorial's last section: a ResNet-50 backbone, frozen, with `fc`
//! replaced by `Sequential(Linear(2048, 1), Sigmoid)`; only the head trains.
//!
//! The snippet with `torch.manual_seed(seed)` as its first line, run with
//! `resnet50(weights=None)`; what it prints equals what
//! tests/fixtures/pytorch/tutorial/transfer_learning.py prints (tests/tutorial_output.rs).
//! ```python
//! model = models.resnet50(weights=None)
//! for param in model.parameters():
//!     param.requires_grad = False
//! num_features = model.fc.in_features
//! model.fc = nn.Sequential(nn.Linear(num_features, 1), nn.Sigmoid())
//! ```
//! After the snippet it trains the head on an image folder made from the bundled photos.
//! Run: `cargo run --release --example transfer_learning [SEED] [WEIGHTS]`
//!
//! WEIGHTS is torchvision's own file as it downloads it (`resnet50-11ad3fa6.pth`, from
//! `models.resnet50(weights="IMAGENET1K_V2")`) or the same state dict as `.safetensors`; the
//! format is read from the file's content.
//! Without it the backbone keeps random weights: the pipeline runs the same, but the
//! probabilities mean nothing.

use std::path::Path;

use image::imageops;
use logit::data::{load_image, ImageFolder};
use logit::models::ResNet;
use logit::nn::{Linear, Module, Sequential, Sigmoid};
use logit::prelude::*;

/// Writes a two-class image folder from the bundled photos: the kitten and Huey, each with
/// flipped and cropped variants.
fn make_image_folder(root: &Path) -> Result<()> {
    let photos = concat!(env!("CARGO_MANIFEST_DIR"), "/data/images");
    for (class, file) in [("huey", "huey.jpg"), ("kitty", "kitty.jpg")] {
        let dir = root.join(class);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let src = format!("{photos}/{file}");
        let img = image::open(&src)
            .map_err(|e| Error::invalid(src.clone(), "a readable photo", e.to_string()))?
            .to_rgb8();
        let (w, h) = img.dimensions();
        let variants = [
            img.clone(),
            imageops::flip_horizontal(&img),
            imageops::crop_imm(&img, w / 8, h / 8, w * 3 / 4, h * 3 / 4).to_image(),
            imageops::flip_horizontal(
                &imageops::crop_imm(&img, 0, 0, w * 3 / 4, h * 3 / 4).to_image(),
            ),
        ];
        for (i, v) in variants.iter().enumerate() {
            let p = dir.join(format!("{class}_{i}.png"));
            v.save(&p).map_err(|e| {
                Error::invalid(p.display().to_string(), "a writable PNG", e.to_string())
            })?;
        }
    }
    Ok(())
}

/// The snippet, with an optional weights file loaded before the head is swapped; each printed
/// line goes to `out`. Returns the model, in the (training) mode the snippet leaves it in.
pub fn run(seed: u64, weights: Option<&str>, out: &mut Vec<String>) -> Result<ResNet> {
    manual_seed(seed);
    let mut model = ResNet::resnet50(1000)?; // models.resnet50(weights=None)
    if let Some(path) = weights {
        model.load(path)?;
        out.push(format!("Loaded pretrained weights from {path}"));
    }
    for param in model.parameters() {
        param.requires_grad_(false);
    }
    // fc is a `Box<dyn Module>` so that any head can be assigned; ask it for its Linear
    let num_features = model.fc.downcast::<Linear>()?.in_features();
    model.fc = Box::new(
        Sequential::new()
            .add(Linear::new(num_features, 1)?)
            .add(Sigmoid),
    );
    out.push(format!("Backbone features: {num_features}"));
    let trainable: usize = model
        .parameters()
        .iter()
        .filter(|p| p.requires_grad())
        .map(|p| p.numel())
        .sum();
    out.push(format!(
        "Parameters: {} in all, {trainable} trainable (the new head)",
        model.num_parameters()
    ));

    let image = Tensor::randn(&[1, 3, 224, 224]);
    let output = model.forward(&image)?;
    out.push(output.to_string());
    Ok(model)
}

#[allow(dead_code)]
fn main() -> Result<()> {
    let weights = std::env::args().nth(2);
    if weights.is_none() {
        println!(
            "No weights file given: the ResNet-50 backbone has RANDOM weights, so the probabilities below\n\
             are meaningless. Pass torchvision's resnet50 weights (.pth or .safetensors) to use pretrained features."
        );
    }
    let model = logit::run_example(|seed, out| run(seed, weights.as_deref(), out))?;
    model.eval();
    train_head(&model)
}

/// The head trained on the bundled photos, the frozen backbone's features computed once.
fn train_head(model: &ResNet) -> Result<()> {
    let root = std::env::temp_dir().join(format!("logit-transfer-{}", std::process::id()));
    make_image_folder(&root)?;
    let folder = ImageFolder::new(&root)?;
    println!(
        "Image folder {}: classes {:?}, {} images",
        root.display(),
        folder.classes,
        folder.samples.len()
    );
    let (images, labels) = folder.load(256, 224)?;

    // the frozen backbone in eval mode is a fixed function: compute features once
    let start = std::time::Instant::now();
    let features = {
        let _g = no_grad();
        model.forward_features(&images)?
    };
    println!("Features {:?} in {:.2?}", features.shape(), start.elapsed());

    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(model.fc.parameters(), 1e-3)?;
    for step in 0..20 {
        let loss = criterion.forward(&model.fc.forward(&features)?, &labels)?;
        loss.check_finite("head loss")?;
        optimizer.zero_grad();
        loss.backward()?;
        optimizer.step()?;
        if (step + 1) % 5 == 0 {
            println!("Step [{}/20], Loss: {:.4}", step + 1, loss.item()?);
        }
    }

    let image = load_image(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/images/kitty.jpg"),
        256,
        224,
    )?
    .unsqueeze(0)?;
    let _g = no_grad();
    let probability = model.forward(&image)?.item()?;
    println!("Probability: {probability:.4}");
    let _ = std::fs::remove_dir_all(&root);
    Ok(())
}
