//! Image batches for the transfer-learning head.

use logit_core::{Error, Generator, Result, Tensor};

/// `n` images `[channels, height, width]` of noise `N(0, 0.5)` where class-1 images (half of
/// them, at random) have `+1` added to their upper half: a pattern a convolutional feature
/// extractor plus a linear head can learn.
///
/// Returns `(x [n, channels, height, width], y [n, 1])` as `f32`.
///
/// # Errors
/// When a size is 0.
pub fn image_batch(
    n: usize,
    channels: usize,
    height: usize,
    width: usize,
    seed: u64,
) -> Result<(Tensor, Tensor)> {
    if n == 0 || channels == 0 || height == 0 || width == 0 {
        return Err(Error::invalid(
            "image_batch",
            "non-zero sizes",
            format!("[{n}, {channels}, {height}, {width}]"),
        ));
    }
    let mut g = Generator::new(seed);
    let mut x = super::normal(&mut g, n * channels * height * width, 0.0, 0.5)?;
    let coins = Tensor::full(&[n], 0.5)
        .bernoulli(Some(&mut g))?
        .to_vec::<f32>();
    let mut y = vec![0f32; n];
    for (i, label) in y.iter_mut().enumerate() {
        if coins[i] == 1.0 {
            *label = 1.0;
            for c in 0..channels {
                let base = (i * channels + c) * height * width;
                for v in &mut x[base..base + (height / 2) * width] {
                    *v += 1.0;
                }
            }
        }
    }
    let xf: Vec<f32> = x.into_iter().map(|v| v as f32).collect();
    Ok((
        Tensor::from_vec(xf, &[n, channels, height, width])?,
        Tensor::from_vec(y, &[n, 1])?,
    ))
}
