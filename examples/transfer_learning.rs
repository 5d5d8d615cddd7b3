//! Transfer learning as the tutorial's last section: a ResNet-50 backbone, frozen, with `fc`
//! replaced by `Sequential(Linear(2048, 1), Sigmoid)`; only the head trains.
//!
//! PyTorch equivalent:
//! ```python
//! model = models.resnet50(weights=...)
//! for p in model.parameters(): p.requires_grad = False
//! model.fc = nn.Sequential(nn.Linear(model.fc.in_features, 1), nn.Sigmoid())
//! ```
//! Run: `cargo run --release --example transfer_learning [resnet50.safetensors]`
//!
//! The weights file is a torchvision state dict exported with
//! `safetensors.torch.save_file(models.resnet50(weights="IMAGENET1K_V2").state_dict(), path)`.
//! Without it the backbone keeps random weights: the pipeline runs the same, but the
//! probabilities mean nothing.

use std::path::Path;

use image::imageops;
use logit::data::{load_image, ImageFolder};
use logit::models::{HeadOutput, ResNet, TransferHead};
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

fn main() -> Result<()> {
    manual_seed(0);
    let backbone = ResNet::resnet50(1000)?;
    match std::env::args().nth(1) {
        Some(path) => {
            backbone.load(&path)?;
            println!("Loaded pretrained weights from {path}");
        }
        None => println!(
            "No weights file given: the ResNet-50 backbone has RANDOM weights, so the probabilities below\n\
             are meaningless. Pass a torchvision state dict saved as safetensors to use pretrained features."
        ),
    }
    println!("Backbone features: {}", backbone.num_features());
    let model = TransferHead::new(backbone, HeadOutput::Probability)?;
    let trainable: usize = model
        .parameters()
        .iter()
        .filter(|p| p.requires_grad())
        .map(|p| p.numel())
        .sum();
    println!(
        "Parameters: {} in all, {trainable} trainable (the new head)",
        model.num_parameters()
    );

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
    let features = model.features(&images)?;
    println!("Features {:?} in {:.2?}", features.shape(), start.elapsed());

    let criterion = BCELoss::new();
    let mut optimizer = Adam::new(
        model.head_parameters(),
        AdamConfig {
            lr: 1e-3,
            ..Default::default()
        },
    )?;
    for step in 0..20 {
        let loss = criterion.forward(&model.head_forward(&features)?, &labels)?;
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
