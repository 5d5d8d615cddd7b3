//! Saving and loading state dicts as safetensors, the format `safetensors.torch` reads and
//! writes, so weights move between logit and PyTorch with the same key names.

use std::path::Path;

use logit_core::{io::atomic_write, DType, Error, Result, Storage, Tensor};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{Module, StateDict};

fn bytes_of(s: &Storage) -> Vec<u8> {
    match s {
        Storage::F32(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Storage::F64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Storage::I64(v) => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
        Storage::Bool(v) => v.iter().map(|&x| x as u8).collect(),
    }
}

fn dtype_of(d: DType) -> Dtype {
    match d {
        DType::F32 => Dtype::F32,
        DType::F64 => Dtype::F64,
        DType::I64 => Dtype::I64,
        DType::Bool => Dtype::BOOL,
    }
}

/// Serialises a state dict to safetensors bytes.
///
/// # Errors
/// When the safetensors writer rejects an entry.
pub fn to_safetensors_bytes(sd: &StateDict) -> Result<Vec<u8>> {
    let bufs: Vec<(String, DType, Vec<usize>, Vec<u8>)> = sd
        .iter()
        .map(|(k, t)| {
            (
                k.to_string(),
                t.dtype(),
                t.shape().to_vec(),
                bytes_of(&t.storage()),
            )
        })
        .collect();
    let views = bufs
        .iter()
        .map(|(k, d, shape, b)| {
            TensorView::new(dtype_of(*d), shape.clone(), b)
                .map(|v| (k.clone(), v))
                .map_err(|e| {
                    Error::invalid(
                        format!("safetensors entry {k}"),
                        "a valid tensor",
                        e.to_string(),
                    )
                })
        })
        .collect::<Result<Vec<_>>>()?;
    safetensors::serialize(views, &None)
        .map_err(|e| Error::invalid("safetensors", "serialisable tensors", e.to_string()))
}

/// Parses safetensors bytes into a state dict. `what` names the source in errors.
///
/// # Errors
/// When the header is malformed or lies about sizes or offsets, or a dtype is not one of
/// F32, F64, I64, BOOL; the error names `what`. Nothing larger than the input is allocated.
pub fn from_safetensors_bytes(bytes: &[u8], what: &str) -> Result<StateDict> {
    let bad = |msg: String| Error::Parse {
        path: what.into(),
        line: 0,
        column: 0,
        message: msg,
    };
    let st = SafeTensors::deserialize(bytes)
        .map_err(|e| bad(format!("not a valid safetensors file: {e}")))?;
    let mut names: Vec<String> = st.names().into_iter().cloned().collect();
    names.sort();
    let mut sd = StateDict::new();
    for name in names {
        let view = st.tensor(&name).map_err(|e| bad(format!("{name}: {e}")))?;
        let data = view.data();
        let storage = match view.dtype() {
            Dtype::F32 => Storage::F32(
                data.chunks_exact(4)
                    .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            ),
            Dtype::F64 => Storage::F64(
                data.chunks_exact(8)
                    .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            ),
            Dtype::I64 => Storage::I64(
                data.chunks_exact(8)
                    .map(|c| i64::from_le_bytes(c.try_into().unwrap()))
                    .collect(),
            ),
            Dtype::BOOL => Storage::Bool(data.iter().map(|&b| b != 0).collect()),
            other => {
                return Err(bad(format!(
                    "{name}: dtype {other:?} is not supported (expected F32, F64, I64 or BOOL)"
                )))
            }
        };
        let t =
            Tensor::from_storage(storage, view.shape()).map_err(|e| bad(format!("{name}: {e}")))?;
        sd.insert(&name, t);
    }
    Ok(sd)
}

/// Writes a state dict to `path` as safetensors, atomically (temp file + rename).
///
/// # Errors
/// [`Error::Io`] naming the path when it cannot be written.
pub fn save_safetensors(sd: &StateDict, path: impl AsRef<Path>) -> Result<()> {
    atomic_write(path, &to_safetensors_bytes(sd)?)
}

/// Reads a safetensors file (e.g. from `safetensors.torch.save_file(model.state_dict(), path)`).
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] naming it when it is not valid.
pub fn load_safetensors(path: impl AsRef<Path>) -> Result<StateDict> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    from_safetensors_bytes(&bytes, &path.display().to_string())
}

/// Saving and loading whole modules.
pub trait ModuleIo: Module {
    /// Saves `state_dict()` to a safetensors file, like
    /// `safetensors.torch.save_file(model.state_dict(), path)`.
    ///
    /// # Errors
    /// As [`save_safetensors`].
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        save_safetensors(&self.state_dict(), path)
    }

    /// Loads a safetensors file into this module with strict key and shape checking.
    ///
    /// # Errors
    /// As [`load_safetensors`] and [`Module::load_state_dict`].
    fn load(&self, path: impl AsRef<Path>) -> Result<()> {
        self.load_state_dict(&load_safetensors(path)?)
    }
}

impl<M: Module + ?Sized> ModuleIo for M {}
