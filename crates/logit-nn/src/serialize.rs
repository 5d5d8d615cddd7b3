//! Saving and loading state dicts as safetensors (the format `safetensors.torch` reads and
//! writes) and as `.pth` files (`torch.save`), so weights move between logit and PyTorch with
//! the same key names. Which format a file is in is read from its first bytes.

use std::path::Path;

use logit_core::checkpoint::{self, Dict, FileFormat, Value};
use logit_core::{io::atomic_write, DType, Error, Result, Storage, Tensor};
use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::{Module, StateDict};

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
                t.storage().to_le_bytes(),
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
        let dtype = match view.dtype() {
            Dtype::F32 => DType::F32,
            Dtype::F64 => DType::F64,
            Dtype::I64 => DType::I64,
            Dtype::BOOL => DType::Bool,
            other => {
                return Err(bad(format!(
                    "{name}: dtype {other:?} is not supported (expected F32, F64, I64 or BOOL)"
                )))
            }
        };
        let storage = Storage::from_le_bytes(dtype, data).ok_or_else(|| {
            bad(format!(
                "{name}: {} bytes are not whole {dtype:?} elements",
                data.len()
            ))
        })?;
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
    let bytes = logit_core::io::read(path)?;
    from_safetensors_bytes(&bytes, &path.display().to_string())
}

impl From<&StateDict> for Value {
    /// An `OrderedDict` of the tensors, as `model.state_dict()` is in PyTorch.
    fn from(sd: &StateDict) -> Value {
        Value::Dict(Dict {
            entries: sd
                .iter()
                .map(|(k, t)| (Value::Str(k.to_string()), Value::Tensor(t.clone())))
                .collect(),
            ordered: true,
            attrs: Vec::new(),
        })
    }
}

impl TryFrom<&Value> for StateDict {
    type Error = Error;

    /// The tensors of a flat dict, by key.
    ///
    /// # Errors
    /// When `v` is not a dict of tensors; a whole checkpoint names the entries that are not
    /// tensors, so the caller can pick its state dict (`ckpt.get("model")`).
    fn try_from(v: &Value) -> Result<StateDict> {
        let d = v.as_dict()?;
        let mut sd = StateDict::new();
        for (k, item) in &d.entries {
            let Value::Tensor(t) = item else {
                let dicts: Vec<String> = d
                    .entries
                    .iter()
                    .filter(|(_, x)| matches!(x, Value::Dict(_)))
                    .map(|(k, _)| format!("{:?}", k.key_string()))
                    .collect();
                return Err(Error::invalid(
                    "state dict",
                    "a dict of tensors",
                    format!(
                        "entry {:?} is a {}{}",
                        k.key_string(),
                        item.type_name(),
                        if dicts.is_empty() {
                            String::new()
                        } else {
                            format!(" (a checkpoint? its dicts are {})", dicts.join(", "))
                        }
                    ),
                ));
            };
            sd.insert(&k.key_string(), t.clone());
        }
        Ok(sd)
    }
}

/// Writes a state dict to `path` as `torch.save(model.state_dict(), path)` would, atomically.
/// PyTorch loads it with `torch.load(path, weights_only=True)`.
///
/// # Errors
/// [`Error::Io`] naming the path when it cannot be written.
pub fn save_pth(sd: &StateDict, path: impl AsRef<Path>) -> Result<()> {
    checkpoint::save(&Value::from(sd), path)
}

/// Reads a state dict from a safetensors or `.pth` file, telling them apart by content.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] or [`Error::Format`] naming it
/// when it is damaged, in neither format, or (for `.pth`) not a flat dict of tensors.
pub fn load_state_dict_file(path: impl AsRef<Path>) -> Result<StateDict> {
    let path = path.as_ref();
    let bytes = logit_core::io::read(path)?;
    state_dict_from_bytes(&bytes, &path.display().to_string())
}

/// [`load_state_dict_file`] on bytes already read; `what` names them in errors.
///
/// # Errors
/// As [`load_state_dict_file`].
pub fn state_dict_from_bytes(bytes: &[u8], what: &str) -> Result<StateDict> {
    match checkpoint::detect(bytes) {
        FileFormat::Safetensors => from_safetensors_bytes(bytes, what),
        _ => {
            StateDict::try_from(&checkpoint::from_bytes(bytes, what)?).map_err(|e| Error::Format {
                path: what.to_string(),
                message: e.to_string(),
            })
        }
    }
}

/// Saving and loading whole modules.
pub trait ModuleIo: Module {
    /// Saves `state_dict()`: as `torch.save` does when the name ends in `.pth` or `.pt`,
    /// otherwise as safetensors (`safetensors.torch.save_file(model.state_dict(), path)`).
    ///
    /// # Errors
    /// [`Error::Io`] naming the path when it cannot be written.
    fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        match path.extension().and_then(|e| e.to_str()) {
            Some("pth" | "pt") => save_pth(&self.state_dict(), path),
            _ => save_safetensors(&self.state_dict(), path),
        }
    }

    /// Loads a safetensors or `.pth` file (told apart by content) into this module with strict
    /// key and shape checking: `resnet.load("resnet50-11ad3fa6.pth")` takes torchvision's file.
    ///
    /// # Errors
    /// As [`load_state_dict_file`] and [`Module::load_state_dict`].
    fn load(&self, path: impl AsRef<Path>) -> Result<()> {
        self.load_state_dict(&load_state_dict_file(path)?)
    }
}

impl<M: Module + ?Sized> ModuleIo for M {}
