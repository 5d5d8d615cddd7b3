//! [`Value`]: the object tree that `torch.save` writes and `torch.load` returns, restricted to
//! what `weights_only=True` accepts: containers, scalars, strings and tensors.

use crate::{Error, Result, Tensor};

/// A Python dict or `OrderedDict` with its entries in order. `attrs` holds instance attributes
/// set on an `OrderedDict` (PyTorch's state dicts carry `_metadata` there).
#[derive(Debug, Clone, Default)]
pub struct Dict {
    /// `(key, value)` pairs in insertion order; keys are strings or integers.
    pub entries: Vec<(Value, Value)>,
    /// True for `collections.OrderedDict`, false for a plain `dict`.
    pub ordered: bool,
    /// Attributes set on the dict object (e.g. `_metadata`), by name.
    pub attrs: Vec<(String, Value)>,
}

/// One object of a checkpoint: what `torch.load(path, weights_only=True)` can return.
///
/// ```
/// use logit_core::{checkpoint::Value, Tensor};
/// let ckpt = Value::dict([
///     ("epoch", Value::Int(3)),
///     ("weights", Value::Tensor(Tensor::ones(&[2]))),
/// ]);
/// assert_eq!(ckpt.get("epoch")?.as_i64()?, 3);
/// assert_eq!(ckpt.named_tensors()[0].0, "weights");
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub enum Value {
    /// `None`.
    None,
    /// `True` / `False`.
    Bool(bool),
    /// A Python int that fits in 64 bits.
    Int(i64),
    /// A Python float.
    Float(f64),
    /// A Python str.
    Str(String),
    /// Python bytes.
    Bytes(Vec<u8>),
    /// A tuple (also `torch.Size`).
    Tuple(Vec<Value>),
    /// A list (also a set, in its stored order).
    List(Vec<Value>),
    /// A dict or `OrderedDict`.
    Dict(Dict),
    /// A tensor (or `nn.Parameter`; its `requires_grad` flag is kept).
    Tensor(Tensor),
}

impl Value {
    /// A plain dict from string keys, in the given order.
    pub fn dict<K: Into<String>>(entries: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::Dict(Dict {
            entries: entries
                .into_iter()
                .map(|(k, v)| (Value::Str(k.into()), v))
                .collect(),
            ordered: false,
            attrs: Vec::new(),
        })
    }

    /// The Python type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "None",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::Tuple(_) => "tuple",
            Value::List(_) => "list",
            Value::Dict(d) if d.ordered => "OrderedDict",
            Value::Dict(_) => "dict",
            Value::Tensor(_) => "Tensor",
        }
    }

    fn expected(&self, what: &str) -> Error {
        Error::invalid("checkpoint value", what, self.type_name())
    }

    /// The entry under string key `key` of a dict.
    ///
    /// # Errors
    /// When this is not a dict or has no such key.
    pub fn get(&self, key: &str) -> Result<&Value> {
        self.find(|k| matches!(k, Value::Str(s) if s == key))
            .ok_or_else(|| Error::invalid("checkpoint", format!("a key {key:?}"), self.keys()))
    }

    /// The entry under integer key `key` of a dict (optimizer state is keyed by index).
    pub fn get_index(&self, key: i64) -> Option<&Value> {
        self.find(|k| matches!(k, Value::Int(i) if *i == key))
    }

    fn find(&self, pred: impl Fn(&Value) -> bool) -> Option<&Value> {
        match self {
            Value::Dict(d) => d.entries.iter().find(|(k, _)| pred(k)).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The keys of a dict, printed, for "expected a key …, got …" messages.
    fn keys(&self) -> String {
        match self {
            Value::Dict(d) => {
                let ks: Vec<String> = d.entries.iter().map(|(k, _)| k.key_string()).collect();
                format!("keys [{}]", ks.join(", "))
            }
            other => format!("a {}", other.type_name()),
        }
    }

    /// The dict's entries.
    ///
    /// # Errors
    /// When this is not a dict.
    pub fn as_dict(&self) -> Result<&Dict> {
        match self {
            Value::Dict(d) => Ok(d),
            o => Err(o.expected("a dict")),
        }
    }

    /// The items of a list or tuple.
    ///
    /// # Errors
    /// When this is neither.
    pub fn as_list(&self) -> Result<&[Value]> {
        match self {
            Value::List(v) | Value::Tuple(v) => Ok(v),
            o => Err(o.expected("a list or tuple")),
        }
    }

    /// An int (a bool counts, as in Python).
    ///
    /// # Errors
    /// When this is not an int.
    pub fn as_i64(&self) -> Result<i64> {
        match self {
            Value::Int(i) => Ok(*i),
            Value::Bool(b) => Ok(i64::from(*b)),
            o => Err(o.expected("an int")),
        }
    }

    /// A number as f64 (ints convert; a one-element tensor gives its value, as `step` does).
    ///
    /// # Errors
    /// When this is not a number.
    pub fn as_f64(&self) -> Result<f64> {
        match self {
            Value::Float(f) => Ok(*f),
            Value::Int(i) => Ok(*i as f64),
            Value::Bool(b) => Ok(f64::from(u8::from(*b))),
            Value::Tensor(t) if t.numel() == 1 => Ok(t.to_vec_f64()[0]),
            o => Err(o.expected("a number")),
        }
    }

    /// A bool.
    ///
    /// # Errors
    /// When this is not a bool.
    pub fn as_bool(&self) -> Result<bool> {
        match self {
            Value::Bool(b) => Ok(*b),
            o => Err(o.expected("a bool")),
        }
    }

    /// A string.
    ///
    /// # Errors
    /// When this is not a str.
    pub fn as_str(&self) -> Result<&str> {
        match self {
            Value::Str(s) => Ok(s),
            o => Err(o.expected("a str")),
        }
    }

    /// A tensor.
    ///
    /// # Errors
    /// When this is not a tensor.
    pub fn as_tensor(&self) -> Result<&Tensor> {
        match self {
            Value::Tensor(t) => Ok(t),
            o => Err(o.expected("a Tensor")),
        }
    }

    /// A key as it appears in a dotted path: strings as they are, ints in decimal.
    pub fn key_string(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::Float(f) => f.to_string(),
            other => format!("<{}>", other.type_name()),
        }
    }

    /// Every tensor in the tree with its dotted path, in order: a nested checkpoint
    /// `{"model": {"fc.weight": …}}` gives `model.fc.weight`; list items are numbered.
    pub fn named_tensors(&self) -> Vec<(String, Tensor)> {
        let mut out = Vec::new();
        self.walk("", &mut |path, v| {
            if let Value::Tensor(t) = v {
                out.push((path.to_string(), t.clone()));
            }
        });
        out
    }

    /// Every entry that is not a tensor, with its dotted path: scalars, strings, and lists or
    /// tuples of those (`betas`) as one entry each.
    pub fn named_scalars(&self) -> Vec<(String, Value)> {
        let mut out = Vec::new();
        self.walk("", &mut |path, v| {
            if !v.is_tensor() {
                out.push((path.to_string(), v.clone()))
            }
        });
        out
    }

    fn walk(&self, path: &str, f: &mut dyn FnMut(&str, &Value)) {
        let join = |k: String| {
            if path.is_empty() {
                k
            } else {
                format!("{path}.{k}")
            }
        };
        match self {
            Value::Dict(d) => {
                for (k, v) in &d.entries {
                    v.walk(&join(k.key_string()), f);
                }
            }
            Value::List(items) | Value::Tuple(items) => {
                // a tuple of scalars (betas) is one entry; a list of tensors is walked
                if items.iter().all(|v| !v.is_container() && !v.is_tensor()) {
                    f(path, self);
                } else {
                    for (i, v) in items.iter().enumerate() {
                        v.walk(&join(i.to_string()), f);
                    }
                }
            }
            _ => f(path, self),
        }
    }

    fn is_container(&self) -> bool {
        matches!(self, Value::Dict(_) | Value::List(_) | Value::Tuple(_))
    }

    fn is_tensor(&self) -> bool {
        matches!(self, Value::Tensor(_))
    }
}

impl std::fmt::Display for Value {
    /// Python's repr for scalars and containers; tensors as `Tensor(dtype, shape)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |f: &mut std::fmt::Formatter<'_>, items: &[Value], open, close| {
            write!(f, "{open}")?;
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    write!(f, ", ")?;
                }
                write!(f, "{v}")?;
            }
            if open == "(" && items.len() == 1 {
                write!(f, ",")?;
            }
            write!(f, "{close}")
        };
        match self {
            Value::None => write!(f, "None"),
            Value::Bool(b) => write!(f, "{}", if *b { "True" } else { "False" }),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x:?}"),
            Value::Str(s) => write!(f, "{s:?}"),
            Value::Bytes(b) => write!(f, "<{} bytes>", b.len()),
            Value::Tuple(v) => list(f, v, "(", ")"),
            Value::List(v) => list(f, v, "[", "]"),
            Value::Dict(d) => {
                write!(f, "{{")?;
                for (i, (k, v)) in d.entries.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k}: {v}")?;
                }
                write!(f, "}}")
            }
            Value::Tensor(t) => write!(f, "Tensor({:?}, {:?})", t.dtype(), t.shape()),
        }
    }
}

impl From<Tensor> for Value {
    fn from(t: Tensor) -> Value {
        Value::Tensor(t)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Value {
        Value::Float(x)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}
