//! Converting weight files between `.pth` and safetensors, and listing what a file holds: the
//! library side of `logit convert` and `logit inspect`.

use std::path::Path;

use logit_core::checkpoint::{self, FileFormat, TensorInfo};
use logit_core::{Error, Result};

use crate::serialize::{from_safetensors_bytes, save_pth, save_safetensors};
use crate::StateDict;

/// What [`convert`] wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// Number of tensors written.
    pub tensors: usize,
    /// Dotted paths of the entries that are not tensors (epochs, hyperparameters), which a
    /// safetensors file cannot hold and which were left out.
    pub dropped: Vec<String>,
}

/// What a weight file holds, as [`inspect`] reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Inspection {
    /// The file's format.
    pub format: FileFormat,
    /// Every tensor with its dotted name, stored dtype and shape, in file order.
    pub tensors: Vec<TensorInfo>,
    /// The other entries with their dotted paths and Python-style values.
    pub others: Vec<(String, String)>,
}

fn read(path: &Path) -> Result<(Vec<u8>, String)> {
    let bytes = logit_core::io::read(path)?;
    Ok((bytes, path.display().to_string()))
}

/// Lists the tensors (name, dtype as stored, shape) and other entries of a `.pth` or
/// safetensors file, told apart by content.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Format`] or [`Error::Parse`] naming it
/// when it is in neither format or damaged.
pub fn inspect(path: impl AsRef<Path>) -> Result<Inspection> {
    let (bytes, what) = read(path.as_ref())?;
    let format = checkpoint::detect(&bytes);
    if format == FileFormat::Safetensors {
        let sd = from_safetensors_bytes(&bytes, &what)?;
        let tensors = sd
            .iter()
            .map(|(k, t)| TensorInfo {
                name: k.to_string(),
                stored_dtype: t.dtype().torch_name().to_string(),
                dtype: t.dtype(),
                shape: t.shape().to_vec(),
            })
            .collect();
        return Ok(Inspection {
            format,
            tensors,
            others: Vec::new(),
        });
    }
    let summary = checkpoint::summary(&bytes, &what)?;
    Ok(Inspection {
        format,
        tensors: summary.tensors,
        others: summary
            .others
            .into_iter()
            .map(|(k, v)| (k, v.to_string()))
            .collect(),
    })
}

/// Converts `input` (a `.pth` or safetensors file, told apart by content) to `output`, whose
/// extension picks the format (`.safetensors`, or `.pth`/`.pt`). A nested `.pth` checkpoint
/// keeps its tensors under dotted keys (`model.layer1.weight`); entries that are not tensors
/// cannot go into safetensors and are listed in [`Conversion::dropped`]. The output is written
/// atomically.
///
/// # Errors
/// When `output` has another extension, `input` cannot be read or parsed, or `output` cannot
/// be written.
pub fn convert(input: impl AsRef<Path>, output: impl AsRef<Path>) -> Result<Conversion> {
    let (input, output) = (input.as_ref(), output.as_ref());
    let to_pth = match output.extension().and_then(|e| e.to_str()) {
        Some("pth" | "pt") => true,
        Some("safetensors") => false,
        _ => {
            return Err(Error::invalid(
                "logit convert",
                "an output ending in .safetensors, .pth or .pt",
                output.display().to_string(),
            ))
        }
    };
    let (bytes, what) = read(input)?;
    let (sd, dropped, value) = if checkpoint::detect(&bytes) == FileFormat::Safetensors {
        (from_safetensors_bytes(&bytes, &what)?, Vec::new(), None)
    } else {
        let v = checkpoint::from_bytes(&bytes, &what)?;
        let sd: StateDict = v.named_tensors().into_iter().collect();
        let dropped = v.named_scalars().into_iter().map(|(k, _)| k).collect();
        (sd, dropped, Some(v))
    };
    if to_pth {
        // .pth to .pth keeps the whole checkpoint as it was
        match value {
            Some(v) => checkpoint::save(&v, output)?,
            None => save_pth(&sd, output)?,
        }
        return Ok(Conversion {
            tensors: sd.len(),
            dropped: Vec::new(),
        });
    }
    save_safetensors(&sd, output)?;
    Ok(Conversion {
        tensors: sd.len(),
        dropped,
    })
}
