//! Images for the transfer head: JPEG/PNG loading with torchvision's ImageNet preprocessing,
//! and an ImageFolder-style binary data set.

use std::path::{Path, PathBuf};

use image::imageops::FilterType;
use logit_core::{Error, Result, Tensor};

/// ImageNet's per-channel mean, as torchvision's `Normalize`.
pub const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
/// ImageNet's per-channel standard deviation.
pub const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

fn bad_image(path: &Path, why: impl std::fmt::Display) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        message: format!("not a readable JPEG or PNG image: {why}"),
    }
}

/// Loads a JPEG or PNG and applies torchvision's standard transform:
/// `Resize(256)` (short side to `resize`, bilinear with antialiasing), `CenterCrop(224)`,
/// `ToTensor()` (`[0, 1]`) and `Normalize(IMAGENET_MEAN, IMAGENET_STD)`.
/// Returns `[3, crop, crop]` as `f32`.
///
/// ```no_run
/// let x = logit_data::load_image("data/images/kitty.jpg", 256, 224)?;
/// assert_eq!(x.shape(), &[3, 224, 224]);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Io`] for a missing file; [`Error::Parse`] naming the file when it is not an image;
/// an error when `crop` exceeds `resize` or either is 0.
pub fn load_image(path: impl AsRef<Path>, resize: u32, crop: u32) -> Result<Tensor> {
    let path = path.as_ref();
    if crop == 0 || crop > resize {
        return Err(Error::invalid(
            "load_image",
            "0 < crop <= resize",
            format!("resize {resize}, crop {crop}"),
        ));
    }
    let bytes = logit_core::io::read(path)?;
    let img = image::load_from_memory(&bytes)
        .map_err(|e| bad_image(path, e))?
        .to_rgb8();
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 {
        return Err(bad_image(path, "empty image"));
    }
    // torchvision's Resize(int): the short side becomes `resize`, the long side keeps the ratio
    let (nw, nh) = if w <= h {
        (resize, (resize as u64 * h as u64 / w as u64) as u32)
    } else {
        ((resize as u64 * w as u64 / h as u64) as u32, resize)
    };
    let resized = image::imageops::resize(&img, nw, nh, FilterType::Triangle);
    let (left, top) = ((nw - crop) / 2, (nh - crop) / 2);
    let c = crop as usize;
    let mut v = vec![0f32; 3 * c * c];
    for y in 0..c {
        for x in 0..c {
            let p = resized.get_pixel(left + x as u32, top + y as u32);
            for ch in 0..3 {
                v[(ch * c + y) * c + x] =
                    (p[ch] as f32 / 255.0 - IMAGENET_MEAN[ch]) / IMAGENET_STD[ch];
            }
        }
    }
    Tensor::from_vec(v, &[3, c, c])
}

/// A binary ImageFolder: `root/<class_a>/*.jpg|png` and `root/<class_b>/…`, classes sorted by
/// name as torchvision does, so the second folder is label 1.
#[derive(Debug, Clone)]
pub struct ImageFolder {
    /// The two class names, label 0 then label 1.
    pub classes: [String; 2],
    /// Every image file with its label.
    pub samples: Vec<(PathBuf, f32)>,
}

impl ImageFolder {
    /// Lists the images under `root`.
    ///
    /// # Errors
    /// When `root` cannot be read or does not hold exactly two class folders with at least one
    /// `.jpg`, `.jpeg` or `.png` file between them.
    pub fn new(root: impl AsRef<Path>) -> Result<ImageFolder> {
        let root = root.as_ref();
        let io = |e| Error::io(root, e);
        let mut classes: Vec<(String, PathBuf)> = std::fs::read_dir(root)
            .map_err(io)?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .map(|e| (e.file_name().to_string_lossy().to_string(), e.path()))
            .collect();
        classes.sort();
        if classes.len() != 2 {
            return Err(Error::invalid(
                format!("ImageFolder {}", root.display()),
                "exactly two class folders",
                format!("{} folders", classes.len()),
            ));
        }
        let mut samples = Vec::new();
        for (label, (_, dir)) in classes.iter().enumerate() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
                .map_err(|e| Error::io(dir, e))?
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                        ["jpg", "jpeg", "png"].contains(&x.to_ascii_lowercase().as_str())
                    })
                })
                .collect();
            files.sort();
            samples.extend(files.into_iter().map(|p| (p, label as f32)));
        }
        if samples.is_empty() {
            return Err(Error::invalid(
                format!("ImageFolder {}", root.display()),
                "at least one .jpg or .png image",
                "none",
            ));
        }
        Ok(ImageFolder {
            classes: [classes[0].0.clone(), classes[1].0.clone()],
            samples,
        })
    }

    /// Loads every image with [`load_image`]: `([N, 3, crop, crop], [N, 1])`.
    ///
    /// # Errors
    /// As [`load_image`], naming the first file that fails.
    pub fn load(&self, resize: u32, crop: u32) -> Result<(Tensor, Tensor)> {
        let images: Vec<Tensor> = self
            .samples
            .iter()
            .map(|(p, _)| load_image(p, resize, crop))
            .collect::<Result<_>>()?;
        let labels: Vec<f32> = self.samples.iter().map(|(_, l)| *l).collect();
        let n = labels.len();
        Ok((
            Tensor::stack(&images, 0)?,
            Tensor::from_vec(labels, &[n, 1])?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_bundled_photo_and_rejects_non_images() {
        let photo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/images/kitty.jpg");
        let x = load_image(photo, 256, 224).unwrap();
        assert_eq!(x.shape(), &[3, 224, 224]);
        let v = x.to_vec::<f32>();
        // normalised values of [0, 1] pixels lie in [-mean/std, (1-mean)/std]
        assert!(v.iter().all(|&p| (-2.2..=2.7).contains(&p)));
        let dir = tempfile::tempdir().unwrap();
        let fake = dir.path().join("fake.jpg");
        std::fs::write(&fake, b"not an image").unwrap();
        let e = load_image(&fake, 256, 224).unwrap_err().to_string();
        assert!(
            e.contains("fake.jpg") && e.contains("not a readable"),
            "{e}"
        );
        assert!(load_image(dir.path().join("missing.png"), 256, 224)
            .unwrap_err()
            .to_string()
            .contains("missing.png"));
        assert!(ImageFolder::new(dir.path()).is_err());
    }
}
