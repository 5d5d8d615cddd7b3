//! A restricted unpickler, like `torch.load(weights_only=True)`: it runs the pickle opcodes that
//! build containers and scalars, resolves only the globals in [`super::globals`], and
//! executes nothing. Every length is checked against the bytes that remain, so a hostile file
//! cannot make it allocate more than a small multiple of its own size.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use super::globals::{self, Global, StorageKind, StorageRef};
use super::object::{dict_key, key_of, to_value, DictObj, Obj};
use super::reader::{Reader, Scalar};
use super::value::Value;
use crate::Result;

/// Loads one storage record by key, with its element type and declared element count.
pub(crate) type StorageLoader<'a> =
    dyn FnMut(&str, globals::StorageKind, usize) -> Result<Rc<StorageRef>> + 'a;

struct Machine<'a, 'b> {
    r: Reader<'a>,
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
        r: Reader { data, pos: 0, what },
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
    let v = to_value(&top, &mut budget, 0).map_err(|msg| m.r.err(msg))?;
    Ok((v, std::mem::take(&mut m.kinds)))
}

impl Machine<'_, '_> {
    fn pop(&mut self) -> Result<Obj> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.r.err("an opcode needs a value but the stack is empty"));
        }
        Ok(self.stack.pop().expect("checked above"))
    }

    fn pop_mark(&mut self) -> Result<Vec<Obj>> {
        let m = self
            .marks
            .pop()
            .ok_or_else(|| self.r.err("an opcode needs a MARK but there is none"))?;
        Ok(self.stack.split_off(m))
    }

    fn top(&mut self) -> Result<&mut Obj> {
        let floor = self.marks.last().copied().unwrap_or(0);
        if self.stack.len() <= floor {
            return Err(self.r.err("an opcode needs a value but the stack is empty"));
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
        self.memo.get(&i).cloned().ok_or_else(|| {
            self.r
                .err(format!("memo entry {i} is read before it is written"))
        })
    }

    fn put(&mut self, i: u64) -> Result<()> {
        let v = self.top()?.clone();
        self.memo.insert(i, v);
        Ok(())
    }

    fn run(&mut self) -> Result<Obj> {
        loop {
            let op = self.r.u8()?;
            let pushed: Option<Obj> = match self.r.scalar(op)? {
                Scalar::Value(v) => Some(Obj::Val(v)),
                Scalar::Nothing => None,
                Scalar::Other => self.structural(op)?,
            };
            if let Some(o) = pushed {
                self.stack.push(o);
            }
            if op == b'.' {
                return self.pop();
            }
        }
    }

    /// The opcodes that work on the stack, the memo and objects (not scalars).
    fn structural(&mut self, op: u8) -> Result<Option<Obj>> {
        Ok(match op {
            b'.' => None,
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
            b')'
            | b't'
            | 0x85..=0x87
            | b']'
            | 0x8f
            | b'l'
            | 0x91
            | b'a'
            | b'e'
            | 0x90
            | b'}'
            | b'd'
            | b's'
            | b'u' => self.container(op)?,
            b'c' => {
                let (module, name) = (self.r.line()?, self.r.line()?);
                Some(Obj::Global(self.global(&module, &name)?))
            }
            0x93 => {
                let name = self.pop()?;
                let module = self.pop()?;
                match (module, name) {
                    (Obj::Val(Value::Str(m)), Obj::Val(Value::Str(n))) => {
                        Some(Obj::Global(self.global(&m, &n)?))
                    }
                    _ => return Err(self.r.err("STACK_GLOBAL with names that are not str")),
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
            b'q' | b'r' | b'p' | 0x94 | b'h' | b'j' | b'g' => self.memo_op(op)?,
            other => return Err(self.r.err(refused_opcode(other))),
        })
    }

    /// The opcodes that store into and read from the memo.
    fn memo_op(&mut self, op: u8) -> Result<Option<Obj>> {
        Ok(match op {
            b'q' | b'r' => {
                let i = self.r.le(if op == b'q' { 1 } else { 4 })?;
                self.put(i)?;
                None
            }
            b'p' => {
                let l = self.r.line()?;
                let i = l.trim().parse().map_err(|_| self.r.err("a memo index"))?;
                self.put(i)?;
                None
            }
            0x94 => {
                let i = self.memo.len() as u64;
                self.put(i)?;
                None
            }
            b'h' | b'j' => {
                let i = self.r.le(if op == b'h' { 1 } else { 4 })?;
                Some(self.get(i)?)
            }
            b'g' => {
                let l = self.r.line()?;
                let i = l.trim().parse().map_err(|_| self.r.err("a memo index"))?;
                Some(self.get(i)?)
            }
            _ => unreachable!("dispatched by structural"),
        })
    }

    /// The opcodes that build tuples, lists, sets and dicts.
    fn container(&mut self, op: u8) -> Result<Option<Obj>> {
        Ok(match op {
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
                    _ => return Err(self.r.err("APPEND(S) on something that is not a list")),
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
            _ => unreachable!("dispatched by structural"),
        })
    }

    fn set_items(&mut self, items: Vec<Obj>) -> Result<()> {
        if !items.len().is_multiple_of(2) {
            return Err(self.r.err("SETITEMS with an odd number of values"));
        }
        let Obj::Dict(d) = self.top()?.clone() else {
            return Err(self.r.err("SETITEM(S) on something that is not a dict"));
        };
        let mut d = d.borrow_mut();
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            let Some(key) = dict_key(&k) else {
                return Err(self.r.err("a dict key that is a str or a number"));
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
            self.r.err(format!(
                "the global {module}.{name} is not allowed (only what a state dict or checkpoint \
                 needs: OrderedDict, torch._utils._rebuild_tensor_v2, _rebuild_parameter, the \
                 storage types, torch.Size, torch.device)"
            ))
        })
    }

    fn reduce(&mut self, f: Obj, args: Obj) -> Result<Obj> {
        let Obj::Global(g) = f else {
            return Err(self
                .r
                .err("REDUCE on something that is not an allowed global"));
        };
        let Obj::Tuple(args) = args else {
            return Err(self.r.err("REDUCE with arguments that are not a tuple"));
        };
        let kind = match args.first() {
            Some(Obj::Storage(s)) => Some(s.kind),
            _ => None,
        };
        match globals::reduce(g, &args, &mut self.elements_left).map_err(|m| self.r.err(m))? {
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
            return Err(self.r.err("BUILD on something that is not a dict"));
        };
        let Obj::Dict(state) = state else {
            return Err(self
                .r
                .err("BUILD with a state that is not a dict of attributes"));
        };
        let entries: Vec<(Obj, Obj)> = state.borrow().entries.clone();
        for (k, v) in entries {
            let Some(name) = key_of(&k).cloned() else {
                return Err(self.r.err("an attribute name that is a str"));
            };
            target.borrow_mut().attrs.push((name, v));
        }
        Ok(())
    }

    fn persistent_load(&mut self, pid: Obj) -> Result<Obj> {
        let bad = || "a persistent id ('storage', StorageType, key, location, numel)";
        let Obj::Tuple(t) = pid else {
            return Err(self.r.err(bad()));
        };
        match t.as_slice() {
            [Obj::Val(Value::Str(tag)), Obj::Global(Global::Storage(kind)), Obj::Val(Value::Str(key)), _, Obj::Val(Value::Int(n))]
                if tag == "storage" =>
            {
                let n = usize::try_from(*n)
                    .map_err(|_| self.r.err(format!("a storage size >= 0, got {n}")))?;
                Ok(Obj::Storage((self.load_storage)(key, *kind, n)?))
            }
            _ => Err(self.r.err(bad())),
        }
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
