//! A restricted unpickler, like `torch.load(weights_only=True)`: it runs the pickle opcodes that
//! build containers and scalars, resolves only the globals in [`super::globals`], and
//! executes nothing. Every length is checked against the bytes that remain, so a hostile file
//! cannot make it allocate more than a small multiple of its own size.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::globals::{self, Global, StorageKind, StorageRef};
use super::value::{Dict, Value};
use crate::{Error, Result};

/// A dict under construction: entries may still be objects (storages inside rebuild tuples).
#[derive(Default)]
pub(crate) struct DictObj {
    pub entries: Vec<(Obj, Obj)>,
    pub ordered: bool,
    pub attrs: Vec<(String, Obj)>,
}

/// An object on the pickle stack. Lists and dicts are shared (`Rc`) because pickle fills them
/// after memoising them; tuples are immutable, `Rc` only so that `BINGET` stays cheap.
#[derive(Clone)]
pub(crate) enum Obj {
    Val(Value),
    Tuple(Rc<Vec<Obj>>),
    List(Rc<RefCell<Vec<Obj>>>),
    Dict(Rc<RefCell<DictObj>>),
    Global(Global),
    Storage(Rc<StorageRef>),
}

/// Loads one storage record by key, with its element type and declared element count.
pub(crate) type StorageLoader<'a> =
    dyn FnMut(&str, globals::StorageKind, usize) -> Result<Rc<StorageRef>> + 'a;

struct Machine<'a, 'b> {
    data: &'a [u8],
    pos: usize,
    what: &'a str,
    stack: Vec<Obj>,
    marks: Vec<usize>,
    memo: HashMap<u64, Obj>,
    load_storage: &'a mut StorageLoader<'b>,
    // every list and dict made, so that `Drop` can break reference cycles a file may build
    made_lists: Vec<Rc<RefCell<Vec<Obj>>>>,
    made_dicts: Vec<Rc<RefCell<DictObj>>>,
    // the type each tensor had in the file (f16 and bf16 load as f32), by tensor id
    kinds: HashMap<u64, StorageKind>,
    // tensor elements the file may still materialise
    elements_left: usize,
}

impl Drop for Machine<'_, '_> {
    fn drop(&mut self) {
        for l in &self.made_lists {
            l.borrow_mut().clear();
        }
        for d in &self.made_dicts {
            let mut d = d.borrow_mut();
            d.entries.clear();
            d.attrs.clear();
        }
    }
}

/// Runs the pickle in `data` and returns the object it builds. `what` names the source in
/// errors; `load_storage` resolves persistent ids (`('storage', type, key, location, numel)`).
/// Also returns the stored element type of every tensor, by [`crate::Tensor::id`]. The
/// tensors together may hold one element per byte of the archive (`archive_len`) plus
/// [`globals::MAX_EXPANSION`].
pub(crate) fn unpickle(
    data: &[u8],
    what: &str,
    archive_len: usize,
    load_storage: &mut StorageLoader,
) -> Result<(Value, HashMap<u64, StorageKind>)> {
    let mut m = Machine {
        data,
        pos: 0,
        what,
        stack: Vec::new(),
        marks: Vec::new(),
        memo: HashMap::new(),
        load_storage,
        made_lists: Vec::new(),
        made_dicts: Vec::new(),
        kinds: HashMap::new(),
        elements_left: archive_len.saturating_add(globals::MAX_EXPANSION),
    };
    let top = m.run()?;
    // a DAG of shared tuples could expand exponentially into a tree; bound the work
    let mut budget = 16 * data.len() + 1024;
    let v = to_value(&top, &mut budget, 0).map_err(|msg| m.err(msg))?;
    Ok((v, std::mem::take(&mut m.kinds)))
}

impl Machine<'_, '_> {
    fn err(&self, message: impl Into<String>) -> Error {
        Error::Format {
            path: self.what.to_string(),
            message: format!("data.pkl at byte {}: {}", self.pos, message.into()),
        }
    }

    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.data.len());
        let Some(end) = end else {
            return Err(self.err(format!(
                "expected {n} more bytes, the pickle ends after {}",
                self.data.len() - self.pos
            )));
        };
        let s = &self.data[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn le(&mut self, n: usize) -> Result<u64> {
        let b = self.take(n)?;
        Ok(b.iter().rev().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }

    fn len(&mut self, n: usize) -> Result<usize> {
        let v = self.le(n)?;
        usize::try_from(v).map_err(|_| self.err(format!("length {v} does not fit in memory")))
    }

    fn line(&mut self) -> Result<String> {
        let rest = &self.data[self.pos..];
        let n = rest
            .iter()
            .position(|&b| b == b'\n')
            .ok_or_else(|| self.err("expected a newline-terminated argument"))?;
        let s = String::from_utf8_lossy(&rest[..n]).into_owned();
        self.pos += n + 1;
        Ok(s)
    }

    fn string(&mut self, n: usize) -> Result<String> {
        let b = self.take(n)?.to_vec();
        String::from_utf8(b).map_err(|_| self.err("a str that is not valid UTF-8"))
    }

    fn pop(&mut self) -> Result<Obj> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.err("an opcode needs a value but the stack is empty"));
        }
        Ok(self.stack.pop().expect("checked above"))
    }

    fn pop_mark(&mut self) -> Result<Vec<Obj>> {
        let m = self
            .marks
            .pop()
            .ok_or_else(|| self.err("an opcode needs a MARK but there is none"))?;
        Ok(self.stack.split_off(m))
    }

    fn top(&mut self) -> Result<&mut Obj> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.err("an opcode needs a value but the stack is empty"));
        }
        Ok(self.stack.last_mut().expect("checked above"))
    }

    fn new_list(&mut self, items: Vec<Obj>) -> Obj {
        let l = Rc::new(RefCell::new(items));
        self.made_lists.push(l.clone());
        Obj::List(l)
    }

    fn new_dict(&mut self, d: DictObj) -> Obj {
        let d = Rc::new(RefCell::new(d));
        self.made_dicts.push(d.clone());
        Obj::Dict(d)
    }

    fn get(&self, i: u64) -> Result<Obj> {
        self.memo
            .get(&i)
            .cloned()
            .ok_or_else(|| self.err(format!("memo entry {i} is read before it is written")))
    }

    fn put(&mut self, i: u64) -> Result<()> {
        let v = self.top()?.clone();
        self.memo.insert(i, v);
        Ok(())
    }

    fn run(&mut self) -> Result<Obj> {
        loop {
            let op = self.u8()?;
            let val = |v: Value| Some(Obj::Val(v));
            let pushed: Option<Obj> = match op {
                0x80 => {
                    let proto = self.u8()?;
                    if proto > 5 {
                        return Err(self.err(format!("pickle protocol 2 to 5, got {proto}")));
                    }
                    None
                }
                0x95 => {
                    self.take(8)?;
                    None
                }
                b'.' => return self.pop(),
                b'(' => {
                    self.marks.push(self.stack.len());
                    None
                }
                b'0' => {
                    self.pop()?;
                    None
                }
                b'1' => {
                    self.pop_mark()?;
                    None
                }
                b'2' => Some(self.top()?.clone()),
                b'N' => val(Value::None),
                0x88 => val(Value::Bool(true)),
                0x89 => val(Value::Bool(false)),
                b'J' => val(Value::Int(i64::from(self.le(4)? as u32 as i32))),
                b'K' => val(Value::Int(self.le(1)? as i64)),
                b'M' => val(Value::Int(self.le(2)? as i64)),
                0x8a | 0x8b => {
                    let n = if op == 0x8a {
                        self.len(1)?
                    } else {
                        self.len(4)?
                    };
                    val(Value::Int(self.long(n)?))
                }
                b'I' | b'L' => val(self.text_int()?),
                b'F' => {
                    let l = self.line()?;
                    let f = l.trim().parse::<f64>().map_err(|_| self.err("a float"))?;
                    val(Value::Float(f))
                }
                b'G' => val(Value::Float(f64::from_bits(u64::from_be_bytes(
                    self.take(8)?.try_into().expect("8 bytes"),
                )))),
                b'X' | 0x8c | 0x8d => {
                    let n = self.len(match op {
                        b'X' => 4,
                        0x8c => 1,
                        _ => 8,
                    })?;
                    val(Value::Str(self.string(n)?))
                }
                b'T' | b'U' => {
                    // Python 2 byte strings: decoded as latin-1, as torch.load's encoding does
                    let n = self.len(if op == b'T' { 4 } else { 1 })?;
                    val(Value::Str(
                        self.take(n)?.iter().map(|&b| b as char).collect(),
                    ))
                }
                b'B' | b'C' | 0x8e | 0x96 => {
                    let n = self.len(match op {
                        b'B' => 4,
                        b'C' => 1,
                        _ => 8,
                    })?;
                    val(Value::Bytes(self.take(n)?.to_vec()))
                }
                b')' => Some(Obj::Tuple(Rc::new(Vec::new()))),
                b't' => Some(Obj::Tuple(Rc::new(self.pop_mark()?))),
                0x85..=0x87 => {
                    let n = usize::from(op - 0x84);
                    let mut items = (0..n).map(|_| self.pop()).collect::<Result<Vec<_>>>()?;
                    items.reverse();
                    Some(Obj::Tuple(Rc::new(items)))
                }
                b']' | 0x8f => Some(self.new_list(Vec::new())),
                b'l' | 0x91 => {
                    let items = self.pop_mark()?;
                    Some(self.new_list(items))
                }
                b'a' | b'e' | 0x90 => {
                    let items = if op == b'a' {
                        vec![self.pop()?]
                    } else {
                        self.pop_mark()?
                    };
                    match self.top()? {
                        Obj::List(l) => l.borrow_mut().extend(items),
                        _ => return Err(self.err("APPEND(S) on something that is not a list")),
                    }
                    None
                }
                b'}' => Some(self.new_dict(DictObj::default())),
                b'd' => {
                    let items = self.pop_mark()?;
                    let d = self.new_dict(DictObj::default());
                    self.stack.push(d);
                    self.set_items(items)?;
                    None
                }
                b's' => {
                    let v = self.pop()?;
                    let k = self.pop()?;
                    self.set_items(vec![k, v])?;
                    None
                }
                b'u' => {
                    let items = self.pop_mark()?;
                    self.set_items(items)?;
                    None
                }
                b'c' => {
                    let (module, name) = (self.line()?, self.line()?);
                    Some(Obj::Global(self.global(&module, &name)?))
                }
                0x93 => {
                    let name = self.pop()?;
                    let module = self.pop()?;
                    match (module, name) {
                        (Obj::Val(Value::Str(m)), Obj::Val(Value::Str(n))) => {
                            Some(Obj::Global(self.global(&m, &n)?))
                        }
                        _ => return Err(self.err("STACK_GLOBAL with names that are not str")),
                    }
                }
                b'R' => {
                    let args = self.pop()?;
                    let f = self.pop()?;
                    Some(self.reduce(f, args)?)
                }
                b'b' => {
                    let state = self.pop()?;
                    self.build(state)?;
                    None
                }
                b'Q' => {
                    let pid = self.pop()?;
                    Some(self.persistent_load(pid)?)
                }
                b'q' | b'r' => {
                    let i = self.le(if op == b'q' { 1 } else { 4 })?;
                    self.put(i)?;
                    None
                }
                b'p' => {
                    let l = self.line()?;
                    let i = l.trim().parse().map_err(|_| self.err("a memo index"))?;
                    self.put(i)?;
                    None
                }
                0x94 => {
                    let i = self.memo.len() as u64;
                    self.put(i)?;
                    None
                }
                b'h' | b'j' => {
                    let i = self.le(if op == b'h' { 1 } else { 4 })?;
                    Some(self.get(i)?)
                }
                b'g' => {
                    let l = self.line()?;
                    let i = l.trim().parse().map_err(|_| self.err("a memo index"))?;
                    Some(self.get(i)?)
                }
                other => return Err(self.err(refused_opcode(other))),
            };
            if let Some(o) = pushed {
                self.stack.push(o);
            }
        }
    }

    fn long(&mut self, n: usize) -> Result<i64> {
        if n > 8 {
            return Err(self.err(format!("an int of at most 8 bytes, got {n} bytes")));
        }
        let b = self.take(n)?;
        if n == 0 {
            return Ok(0);
        }
        let mut v: i64 = if b[n - 1] & 0x80 != 0 { -1 } else { 0 };
        for &x in b.iter().rev() {
            v = (v << 8) | i64::from(x);
        }
        Ok(v)
    }

    fn text_int(&mut self) -> Result<Value> {
        let l = self.line()?;
        let t = l.trim().trim_end_matches('L');
        match t {
            "00" => Ok(Value::Bool(false)),
            "01" => Ok(Value::Bool(true)),
            _ => t
                .parse()
                .map(Value::Int)
                .map_err(|_| self.err(format!("a 64-bit int, got {t:?}"))),
        }
    }

    fn set_items(&mut self, items: Vec<Obj>) -> Result<()> {
        if items.len() % 2 != 0 {
            return Err(self.err("SETITEMS with an odd number of values"));
        }
        let Obj::Dict(d) = self.top()?.clone() else {
            return Err(self.err("SETITEM(S) on something that is not a dict"));
        };
        let mut d = d.borrow_mut();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            let Some(key) = dict_key(&k) else {
                return Err(self.err("a dict key that is a str or a number"));
            };
            // Python replaces the value of a repeated key in place
            match d
                .entries
                .iter_mut()
                .find(|(ek, _)| dict_key(ek) == Some(key.clone()))
            {
                Some(e) => e.1 = v,
                None => d.entries.push((k, v)),
            }
        }
        Ok(())
    }

    fn global(&self, module: &str, name: &str) -> Result<Global> {
        globals::resolve(module, name).ok_or_else(|| {
            self.err(format!(
                "the global {module}.{name} is not allowed (only what a state dict or checkpoint \
                 needs: OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter, the \
                 storage types, torch.Size, torch.device)"
            ))
        })
    }

    fn reduce(&mut self, f: Obj, args: Obj) -> Result<Obj> {
        let Obj::Global(g) = f else {
            return Err(self.err("REDUCE on something that is not an allowed global"));
        };
        let Obj::Tuple(args) = args else {
            return Err(self.err("REDUCE with arguments that are not a tuple"));
        };
        let kind = match args.first() {
            Some(Obj::Storage(s)) => Some(s.kind),
            _ => None,
        };
        match globals::reduce(g, &args, &mut self.elements_left).map_err(|m| self.err(m))? {
            globals::Reduced::Obj(o) => {
                if let (Some(k), Obj::Val(Value::Tensor(t))) = (kind, &o) {
                    self.kinds.insert(t.id(), k);
                }
                Ok(o)
            }
            globals::Reduced::List(items) => Ok(self.new_list(items)),
            globals::Reduced::Dict(d) => Ok(self.new_dict(d)),
        }
    }

    fn build(&mut self, state: Obj) -> Result<()> {
        let Obj::Dict(target) = self.top()?.clone() else {
            return Err(self.err("BUILD on something that is not a dict"));
        };
        let Obj::Dict(state) = state else {
            return Err(self.err("BUILD with a state that is not a dict of attributes"));
        };
        let entries: Vec<(Obj, Obj)> = state.borrow().entries.clone();
        for (k, v) in entries {
            let Some(name) = key_of(&k).cloned() else {
                return Err(self.err("an attribute name that is a str"));
            };
            target.borrow_mut().attrs.push((name, v));
        }
        Ok(())
    }

    fn persistent_load(&mut self, pid: Obj) -> Result<Obj> {
        let bad = || "a persistent id ('storage', StorageType, key, location, numel)";
        let Obj::Tuple(t) = pid else {
            return Err(self.err(bad()));
        };
        match t.as_slice() {
            [Obj::Val(Value::Str(tag)), Obj::Global(Global::Storage(kind)), Obj::Val(Value::Str(key)), _, Obj::Val(Value::Int(n))]
                if tag == "storage" =>
            {
                let n = usize::try_from(*n)
                    .map_err(|_| self.err(format!("a storage size >= 0, got {n}")))?;
                Ok(Obj::Storage((self.load_storage)(key, *kind, n)?))
            }
            _ => Err(self.err(bad())),
        }
    }
}

fn key_of(o: &Obj) -> Option<&String> {
    match o {
        Obj::Val(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// A dict key with its type, so that `1` and `"1"` stay different keys.
fn dict_key(o: &Obj) -> Option<(u8, String)> {
    match o {
        Obj::Val(Value::Str(s)) => Some((0, s.clone())),
        Obj::Val(v @ (Value::Int(_) | Value::Bool(_))) => Some((1, v.as_i64().ok()?.to_string())),
        Obj::Val(Value::Float(f)) => Some((2, f.to_string())),
        _ => None,
    }
}

fn refused_opcode(op: u8) -> String {
    match op {
        b'i' | b'o' | 0x81 | 0x92 => {
            format!("opcode {op:#04x} builds an arbitrary object; a checkpoint never needs it")
        }
        0x82..=0x84 => format!("extension opcode {op:#04x} is not allowed"),
        b'P' => "a text persistent id; torch.save writes BINPERSID".to_string(),
        _ => format!("unknown pickle opcode {op:#04x}"),
    }
}

/// Turns a finished object into a [`Value`], failing on leftovers (a bare global or storage)
/// and on trees deeper than 256 levels or larger than the budget.
fn to_value(o: &Obj, budget: &mut usize, depth: usize) -> std::result::Result<Value, String> {
    if depth > 256 {
        return Err("objects nested more than 256 levels deep (or a cycle)".into());
    }
    *budget = budget
        .checked_sub(1)
        .ok_or("the pickle expands to far more objects than its size allows")?;
    let list = |items: &[Obj], budget: &mut usize| {
        items
            .iter()
            .map(|x| to_value(x, budget, depth + 1))
            .collect::<std::result::Result<Vec<_>, _>>()
    };
    Ok(match o {
        Obj::Val(v) => v.clone(),
        Obj::Tuple(t) => Value::Tuple(list(t, budget)?),
        Obj::List(l) => Value::List(list(&l.borrow(), budget)?),
        Obj::Dict(d) => {
            let d = d.borrow();
            let mut entries = Vec::with_capacity(d.entries.len());
            for (k, v) in &d.entries {
                entries.push((
                    to_value(k, budget, depth + 1)?,
                    to_value(v, budget, depth + 1)?,
                ));
            }
            let mut attrs = Vec::with_capacity(d.attrs.len());
            for (k, v) in &d.attrs {
                attrs.push((k.clone(), to_value(v, budget, depth + 1)?));
            }
            Value::Dict(Dict {
                entries,
                ordered: d.ordered,
                attrs,
            })
        }
        Obj::Global(g) => {
            return globals::as_value(g)
                .ok_or_else(|| format!("a bare global {g:?} where a value belongs"))
        }
        Obj::Storage(_) => return Err("a bare storage where a value belongs".into()),
    })
}
