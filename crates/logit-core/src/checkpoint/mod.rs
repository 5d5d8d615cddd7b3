//! PyTorch checkpoints: `.pth`/`.pt` files as `torch.save` writes them and
//! `torch.load(path, weights_only=True)` reads them.
//!
//! [`load`] returns the file's object tree as a [`Value`] (a state dict, or a whole
//! `{"model": …, "optimizer": …, "epoch": …}` checkpoint); [`save`] writes one. The reader is
//! a restricted unpickler: it accepts only the globals a checkpoint needs and runs no code, so
//! a file from anywhere is safe to open. Tensors come back contiguous and owned: views,
//! transposed weights and shared storages are copied out; f16 and bf16 widen to f32 and small
//! integer types to i64 (logit's dtypes).
//!
//! ```
//! use logit_core::{checkpoint::{self, Value}, Tensor};
//! let ckpt = Value::dict([("epoch", Value::Int(3)), ("w", Tensor::ones(&[2, 2]).into())]);
//! let bytes = checkpoint::to_bytes(&ckpt, "archive")?;
//! let back = checkpoint::from_bytes(&bytes, "in memory")?;
//! assert_eq!(back.get("epoch")?.as_i64()?, 3);
//! assert_eq!(back.get("w")?.as_tensor()?.shape(), &[2, 2]);
//! # Ok::<(), logit_core::Error>(())
//! ```

mod archive;
mod globals;
mod object;
mod pickle;
mod reader;
mod unpickle;
mod value;

use std::path::Path;

pub use globals::StorageKind;
pub use value::{Dict, Value};

use crate::{io::atomic_write, DType, Error, Result};

/// What a file is, judged by its first bytes rather than its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileFormat {
    /// A `torch.save` zip archive (PyTorch 1.6 and later).
    Pth,
    /// The legacy `torch.save` format of PyTorch before 1.6 (`_use_new_zipfile_serialization=False`).
    LegacyPth,
    /// A safetensors file.
    Safetensors,
    /// Anything else.
    Unknown,
}

/// The pickled magic number that opens a legacy `torch.save` file.
const LEGACY_MAGIC: &[u8] = b"\x80\x02\x8a\x0a\x6c\xfc\x9c\x46\xf9\x20\x6a\xa8\x50\x19";

/// Tells a `.pth` archive, a legacy `.pth` file and a safetensors file apart by content.
pub fn detect(bytes: &[u8]) -> FileFormat {
    if bytes.starts_with(b"PK\x03\x04") {
        FileFormat::Pth
    } else if bytes.starts_with(LEGACY_MAGIC) {
        FileFormat::LegacyPth
    } else if bytes.len() >= 9 && bytes[8] == b'{' {
        FileFormat::Safetensors
    } else {
        FileFormat::Unknown
    }
}

/// Parses the bytes of a `torch.save` file. `what` names the source in errors.
///
/// # Errors
/// [`Error::Format`] naming `what`: not a zip archive, a legacy or TorchScript file (with how
/// to re-save it), a global outside the allowlist, a missing or wrongly sized storage record,
/// a view outside its storage, a truncated or corrupt archive.
pub fn from_bytes(bytes: &[u8], what: &str) -> Result<Value> {
    Ok(read(bytes, what)?.0)
}

fn read(bytes: &[u8], what: &str) -> Result<(Value, std::collections::HashMap<u64, StorageKind>)> {
    match detect(bytes) {
        FileFormat::Pth => archive::read(bytes, what),
        FileFormat::LegacyPth => Err(Error::Format {
            path: what.to_string(),
            message: "a torch.save zip archive, got the legacy format of PyTorch before 1.6; \
                      re-save it in PyTorch with torch.save(torch.load(old, weights_only=True), new)"
                .into(),
        }),
        FileFormat::Safetensors => Err(Error::Format {
            path: what.to_string(),
            message: "a torch.save archive, got a safetensors file (load it as safetensors)".into(),
        }),
        FileFormat::Unknown => Err(Error::Format {
            path: what.to_string(),
            message: format!(
                "a torch.save zip archive (starting with PK\\x03\\x04), got {} bytes starting {:02x?}",
                bytes.len(),
                &bytes[..bytes.len().min(4)]
            ),
        }),
    }
}

/// The bytes of a `torch.save` archive holding `v`, its records under `name/` (PyTorch uses the
/// file's stem). The same value always gives the same bytes.
///
/// # Errors
/// Only if the zip writer fails, which in memory it does not.
pub fn to_bytes(v: &Value, name: &str) -> Result<Vec<u8>> {
    archive::write(v, name)
}

/// Reads a `.pth`/`.pt` file, like `torch.load(path, weights_only=True)`.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; otherwise as [`from_bytes`], naming the path.
pub fn load(path: impl AsRef<Path>) -> Result<Value> {
    let path = path.as_ref();
    let bytes = crate::io::read(path)?;
    from_bytes(&bytes, &path.display().to_string())
}

/// Writes `v` to `path` like `torch.save(v, path)`, atomically (temporary file, then rename).
/// The file loads in PyTorch with `torch.load(path, weights_only=True)`.
///
/// # Errors
/// [`Error::Io`] naming the path when it cannot be written.
pub fn save(v: &Value, path: impl AsRef<Path>) -> Result<()> {
    let path = path.as_ref();
    let stem = path
        .file_stem()
        .map(|s| {
            s.to_string_lossy()
                .replace(|c: char| !c.is_ascii_alphanumeric() && c != '_', "_")
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "archive".to_string());
    atomic_write(path, &to_bytes(v, &stem)?)
}

/// One tensor of a checkpoint as `logit inspect` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorInfo {
    /// Dotted path (`model.fc.weight`).
    pub name: String,
    /// PyTorch's name of the type stored in the file (`torch.float16` even though it loads as f32).
    pub stored_dtype: String,
    /// The dtype it loads as in logit.
    pub dtype: DType,
    /// Its shape.
    pub shape: Vec<usize>,
}

/// What a `torch.save` file holds, as [`summary`] lists it.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Every tensor with its stored type, in file order.
    pub tensors: Vec<TensorInfo>,
    /// The other entries (epochs, hyperparameters) with their dotted paths.
    pub others: Vec<(String, Value)>,
}

/// The tensors of a `torch.save` file with their stored types, and its other entries.
///
/// # Errors
/// As [`from_bytes`].
pub fn summary(bytes: &[u8], what: &str) -> Result<Summary> {
    let (v, kinds) = read(bytes, what)?;
    let tensors = v
        .named_tensors()
        .into_iter()
        .map(|(name, t)| TensorInfo {
            stored_dtype: kinds
                .get(&t.id())
                .map_or(t.dtype().torch_name(), |k| k.torch_name())
                .to_string(),
            dtype: t.dtype(),
            shape: t.shape().to_vec(),
            name,
        })
        .collect();
    Ok(Summary {
        tensors,
        others: v.named_scalars(),
    })
}
