//! The globals a checkpoint may name (the subset of `torch.load(weights_only=True)`'s allowlist
//! that state dicts and training checkpoints use) and what calling each one builds.

use super::object::{DictObj, Obj};
use super::value::Value;
use crate::{Storage, Tensor};

/// The element type of a stored tensor, from the storage class name (`torch.FloatStorage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageKind {
    /// `FloatStorage`, f32.
    Float,
    /// `DoubleStorage`, f64.
    Double,
    /// `HalfStorage`, f16 (loaded as f32).
    Half,
    /// `BFloat16Storage`, bf16 (loaded as f32).
    BFloat16,
    /// `LongStorage`, i64.
    Long,
    /// `IntStorage`, i32 (loaded as i64).
    Int,
    /// `ShortStorage`, i16 (loaded as i64).
    Short,
    /// `CharStorage`, i8 (loaded as i64).
    Char,
    /// `ByteStorage`, u8 (loaded as i64).
    Byte,
    /// `BoolStorage`.
    Bool,
}

impl StorageKind {
    /// Bytes per element in the file.
    pub fn item_size(self) -> usize {
        match self {
            StorageKind::Double | StorageKind::Long => 8,
            StorageKind::Float | StorageKind::Int => 4,
            StorageKind::Half | StorageKind::BFloat16 | StorageKind::Short => 2,
            StorageKind::Char | StorageKind::Byte | StorageKind::Bool => 1,
        }
    }

    /// PyTorch's dtype name, for `logit inspect`.
    pub fn torch_name(self) -> &'static str {
        match self {
            StorageKind::Float => "torch.float32",
            StorageKind::Double => "torch.float64",
            StorageKind::Half => "torch.float16",
            StorageKind::BFloat16 => "torch.bfloat16",
            StorageKind::Long => "torch.int64",
            StorageKind::Int => "torch.int32",
            StorageKind::Short => "torch.int16",
            StorageKind::Char => "torch.int8",
            StorageKind::Byte => "torch.uint8",
            StorageKind::Bool => "torch.bool",
        }
    }

    fn from_class(name: &str) -> Option<StorageKind> {
        Some(match name {
            "FloatStorage" => StorageKind::Float,
            "DoubleStorage" => StorageKind::Double,
            "HalfStorage" => StorageKind::Half,
            "BFloat16Storage" => StorageKind::BFloat16,
            "LongStorage" => StorageKind::Long,
            "IntStorage" => StorageKind::Int,
            "ShortStorage" => StorageKind::Short,
            "CharStorage" => StorageKind::Char,
            "ByteStorage" => StorageKind::Byte,
            "BoolStorage" => StorageKind::Bool,
            _ => return None,
        })
    }
}

/// A decoded storage: its elements in logit's dtype, and the type it had in the file.
pub struct StorageRef {
    /// The elements (f16/bf16 widened to f32, small ints to i64).
    pub data: Storage,
    /// The type in the file.
    pub kind: StorageKind,
}

/// An allowed global.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Global {
    OrderedDict,
    Counter,
    RebuildTensorV2,
    RebuildParameter,
    RebuildParameterWithState,
    Storage(StorageKind),
    Size,
    Device,
    Encode,
    Set,
    /// `torch.float32` and the like, kept as their names.
    Dtype(String),
}

pub(crate) fn resolve(module: &str, name: &str) -> Option<Global> {
    Some(match (module, name) {
        ("collections", "OrderedDict") => Global::OrderedDict,
        ("collections", "Counter") => Global::Counter,
        ("torch._utils", "_rebuild_tensor_v2") => Global::RebuildTensorV2,
        ("torch._utils", "_rebuild_parameter") => Global::RebuildParameter,
        ("torch._utils", "_rebuild_parameter_with_state") => Global::RebuildParameterWithState,
        ("torch", "Size") => Global::Size,
        ("torch", "device") => Global::Device,
        ("_codecs", "encode") => Global::Encode,
        ("builtins" | "__builtin__", "set") => Global::Set,
        ("torch", n) if n.ends_with("Storage") => Global::Storage(StorageKind::from_class(n)?),
        ("torch", n) if is_dtype_name(n) => Global::Dtype(format!("torch.{n}")),
        _ => return None,
    })
}

fn is_dtype_name(n: &str) -> bool {
    matches!(
        n,
        "float32"
            | "float64"
            | "float16"
            | "bfloat16"
            | "int64"
            | "int32"
            | "int16"
            | "int8"
            | "uint8"
            | "bool"
    )
}

pub(crate) enum Reduced {
    Obj(Obj),
    List(Vec<Obj>),
    Dict(DictObj),
}

type Msg = String;

/// What calling global `g` with `args` builds. `budget` is how many more tensor elements the
/// file may still materialise (views are copied out, so many views of one storage cost more
/// memory than the file's size); rebuilding a tensor spends from it.
pub(crate) fn reduce(g: Global, args: &[Obj], budget: &mut usize) -> Result<Reduced, Msg> {
    match (&g, args) {
        (Global::OrderedDict | Global::Counter, []) => Ok(Reduced::Dict(DictObj {
            ordered: g == Global::OrderedDict,
            ..DictObj::default()
        })),
        (Global::OrderedDict | Global::Counter, [Obj::List(pairs)]) => {
            let mut d = DictObj {
                ordered: g == Global::OrderedDict,
                ..DictObj::default()
            };
            for p in pairs.borrow().iter() {
                match p {
                    Obj::Tuple(kv) if kv.len() == 2 => {
                        d.entries.push((kv[0].clone(), kv[1].clone()))
                    }
                    Obj::List(kv) if kv.borrow().len() == 2 => {
                        let kv = kv.borrow();
                        d.entries.push((kv[0].clone(), kv[1].clone()))
                    }
                    _ => return Err("OrderedDict items that are (key, value) pairs".into()),
                }
            }
            Ok(Reduced::Dict(d))
        }
        (Global::RebuildTensorV2, [storage, offset, size, stride, requires_grad, _hooks, ..]) => {
            let t = rebuild_tensor(storage, offset, size, stride)?;
            *budget = budget.checked_sub(t.numel()).ok_or_else(|| {
                format!(
                    "tensors that fit in memory; the views of this file copy out more than \
                     {MAX_EXPANSION} elements beyond its size"
                )
            })?;
            Ok(Reduced::Obj(Obj::Val(Value::Tensor(
                t.requires_grad_(bool_of(requires_grad)?),
            ))))
        }
        (
            Global::RebuildParameter | Global::RebuildParameterWithState,
            [Obj::Val(Value::Tensor(t)), requires_grad, ..],
        ) => Ok(Reduced::Obj(Obj::Val(Value::Tensor(
            t.requires_grad_(bool_of(requires_grad)?),
        )))),
        (Global::Size, [Obj::Tuple(items)]) => Ok(Reduced::Obj(Obj::Tuple(items.clone()))),
        (Global::Device, [Obj::Val(Value::Str(s)), ..]) => {
            Ok(Reduced::Obj(Obj::Val(Value::Str(s.clone()))))
        }
        (Global::Encode, [Obj::Val(Value::Str(s)), Obj::Val(Value::Str(enc))])
            if enc == "latin1" || enc == "latin-1" =>
        {
            let bytes: Option<Vec<u8>> = s.chars().map(|c| u8::try_from(c as u32).ok()).collect();
            let bytes = bytes.ok_or("latin-1 text for bytes")?;
            Ok(Reduced::Obj(Obj::Val(Value::Bytes(bytes))))
        }
        (Global::Set, [Obj::List(items)]) => Ok(Reduced::List(items.borrow().clone())),
        (Global::Set, []) => Ok(Reduced::List(Vec::new())),
        _ => Err(format!(
            "{g:?} called with {} arguments of the wrong kinds",
            args.len()
        )),
    }
}

/// The global's value when it is used as a plain object (a dtype name).
pub(crate) fn as_value(g: &Global) -> Option<Value> {
    match g {
        Global::Dtype(n) => Some(Value::Str(n.clone())),
        _ => None,
    }
}

fn bool_of(o: &Obj) -> Result<bool, Msg> {
    match o {
        Obj::Val(Value::Bool(b)) => Ok(*b),
        Obj::Val(Value::Int(i)) => Ok(*i != 0),
        _ => Err("requires_grad that is a bool".into()),
    }
}

fn ints(o: &Obj, what: &str) -> Result<Vec<usize>, Msg> {
    let Obj::Tuple(items) = o else {
        return Err(format!("{what} that is a tuple"));
    };
    items
        .iter()
        .map(|x| match x {
            Obj::Val(Value::Int(i)) => {
                usize::try_from(*i).map_err(|_| format!("{what} entries >= 0, got {i}"))
            }
            _ => Err(format!("{what} entries that are ints")),
        })
        .collect()
}

/// Tensor elements a file may materialise beyond one per byte of its own size (views of
/// shared storages and stride-0 broadcasts are copied out) before it is refused as an
/// allocation bomb: 64 Mi elements.
pub(crate) const MAX_EXPANSION: usize = 1 << 26;

/// Copies the strided view `(offset, size, stride)` of a storage into a new tensor, after
/// checking that every element it reaches lies inside the storage.
fn rebuild_tensor(storage: &Obj, offset: &Obj, size: &Obj, stride: &Obj) -> Result<Tensor, Msg> {
    let Obj::Storage(s) = storage else {
        return Err("_rebuild_tensor_v2 on something that is not a storage".into());
    };
    let Obj::Val(Value::Int(offset)) = offset else {
        return Err("a storage offset that is an int".into());
    };
    let offset =
        usize::try_from(*offset).map_err(|_| format!("a storage offset >= 0, got {offset}"))?;
    let (shape, strides) = (ints(size, "a size")?, ints(stride, "a stride")?);
    if shape.len() != strides.len() {
        return Err(format!(
            "as many strides as sizes, got size {shape:?} and stride {strides:?}"
        ));
    }
    let numel =
        crate::shape::checked_numel("_rebuild_tensor_v2", &shape).map_err(|e| e.to_string())?;
    let len = s.data.len();
    if numel > 0 {
        let mut last = offset;
        for (&n, &st) in shape.iter().zip(&strides) {
            last = (n - 1)
                .checked_mul(st)
                .and_then(|x| x.checked_add(last))
                .ok_or("a view whose last element index overflows")?;
        }
        if last >= len {
            return Err(format!(
                "a view inside its storage of {len} elements, got offset {offset}, size {shape:?}, \
                 stride {strides:?} reaching element {last}"
            ));
        }
    }
    let data = match &s.data {
        Storage::F32(v) => Storage::F32(gather(v, offset, &shape, &strides, numel)),
        Storage::F64(v) => Storage::F64(gather(v, offset, &shape, &strides, numel)),
        Storage::I64(v) => Storage::I64(gather(v, offset, &shape, &strides, numel)),
        Storage::Bool(v) => Storage::Bool(gather(v, offset, &shape, &strides, numel)),
    };
    Tensor::from_storage(data, &shape).map_err(|e| e.to_string())
}

/// Row-major copy of a checked strided view.
fn gather<T: Copy>(
    src: &[T],
    offset: usize,
    shape: &[usize],
    strides: &[usize],
    numel: usize,
) -> Vec<T> {
    let contiguous = {
        let mut expect = 1;
        shape.iter().zip(strides).rev().all(|(&n, &st)| {
            let ok = n == 1 || st == expect;
            expect *= n;
            ok
        })
    };
    if contiguous {
        return src[offset..offset + numel].to_vec();
    }
    let mut out = Vec::with_capacity(numel);
    let mut idx = vec![0usize; shape.len()];
    for _ in 0..numel {
        let at = offset + idx.iter().zip(strides).map(|(i, s)| i * s).sum::<usize>();
        out.push(src[at]);
        for d in (0..shape.len()).rev() {
            idx[d] += 1;
            if idx[d] < shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    out
}
