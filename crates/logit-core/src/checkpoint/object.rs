//! The objects of the unpickling machine: containers still being filled, globals and
//! storages, and their conversion to a finished [`Value`].

use std::cell::RefCell;
use std::rc::Rc;

use super::globals::{self, Global, StorageRef};
use super::value::{Dict, Value};

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

pub(crate) fn key_of(o: &Obj) -> Option<&String> {
    match o {
        Obj::Val(Value::Str(s)) => Some(s),
        _ => None,
    }
}

/// A dict key with its type, so that `1` and `"1"` stay different keys.
pub(crate) fn dict_key(o: &Obj) -> Option<(u8, String)> {
    match o {
        Obj::Val(Value::Str(s)) => Some((0, s.clone())),
        Obj::Val(v @ (Value::Int(_) | Value::Bool(_))) => Some((1, v.as_i64().ok()?.to_string())),
        Obj::Val(Value::Float(f)) => Some((2, f.to_string())),
        _ => None,
    }
}

/// Turns a finished object into a [`Value`], failing on leftovers (a bare global or storage)
/// and on trees deeper than 256 levels or larger than the budget.
pub(crate) fn to_value(
    o: &Obj,
    budget: &mut usize,
    depth: usize,
) -> std::result::Result<Value, String> {
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
