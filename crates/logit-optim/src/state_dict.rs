//! Optimizer state in PyTorch's `optimizer.state_dict()` layout: `state` keyed by the index of
//! each parameter across all groups, `param_groups` with their hyperparameters and the indices
//! of their parameters. A checkpoint saved by PyTorch resumes here and the other way round.

use logit_core::checkpoint::{Dict, Value};
use logit_core::{Error, Result, Storage, Tensor};

use crate::optimizer::{Buffers, ParamGroup};
use crate::UpdateRule;

fn err(name: &str, expected: impl Into<String>, got: impl Into<String>) -> Error {
    Error::invalid(format!("{name}.load_state_dict"), expected, got)
}

/// `optimizer.state_dict()`.
pub(crate) fn save<L: UpdateRule>(
    layout: &L,
    groups: &[ParamGroup],
    states: &[Vec<Option<Buffers>>],
) -> Value {
    let names = layout.buffer_names();
    let mut state = Vec::new();
    let mut param_groups = Vec::new();
    let mut index = 0i64;
    for (gi, g) in groups.iter().enumerate() {
        let mut ids = Vec::new();
        for (pi, p) in g.params.iter().enumerate() {
            if let Some(Some(b)) = states.get(gi).and_then(|s| s.get(pi)) {
                let mut entry: Vec<(&str, Value)> = Vec::new();
                if layout.saves_step() {
                    let step = Tensor::from_vec(vec![b.step as f32], &[]).expect("a 0-d tensor");
                    entry.push(("step", step.into()));
                }
                for i in layout.save_order() {
                    if let (Some(name), Some(buf)) = (names[i], b.bufs.get(i)) {
                        let t = Tensor::from_storage(buf.clone(), p.shape())
                            .expect("buffers have the parameter's size");
                        entry.push((name, t.into()));
                    }
                }
                entry.extend(layout.none_keys().iter().map(|k| (*k, Value::None)));
                state.push((Value::Int(index), Value::dict(entry)));
            }
            ids.push(Value::Int(index));
            index += 1;
        }
        let mut group = vec![("lr", Value::Float(g.lr))];
        group.extend(layout.hyperparameters(g));
        let mut group: Vec<(String, Value)> =
            group.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
        group.extend(g.extra.iter().cloned());
        group.push(("params".to_string(), Value::List(ids)));
        param_groups.push(Value::dict(group));
    }
    Value::dict([
        (
            "state",
            Value::Dict(Dict {
                entries: state,
                ..Dict::default()
            }),
        ),
        ("param_groups", Value::List(param_groups)),
    ])
}

/// `optimizer.load_state_dict(sd)`: checks that the groups match in number and size, takes
/// each group's `lr` and `weight_decay` and the rule's hyperparameters, and casts every state
/// buffer to its parameter's dtype. Nothing changes unless all of it loads.
pub(crate) fn load<L: UpdateRule>(
    layout: &mut L,
    groups: &mut [ParamGroup],
    states: &mut Vec<Vec<Option<Buffers>>>,
    sd: &Value,
) -> Result<()> {
    let saved = sd.get("param_groups")?.as_list()?;
    let slots = match_groups(L::NAME, saved, groups)?;
    let mut rule = layout.clone();
    if let Some(first) = saved.first() {
        rule.load_hyperparameters(first)?;
    }
    let settings = saved
        .iter()
        .zip(groups.iter())
        .enumerate()
        .map(|(gi, (sg, g))| read_group(&rule, sg, g, gi))
        .collect::<Result<Vec<_>>>()?;
    let mut fresh: Vec<Vec<Option<Buffers>>> = groups
        .iter()
        .map(|g| g.params.iter().map(|_| None).collect())
        .collect();
    for (key, entry) in &sd.get("state")?.as_dict()?.entries {
        let id = key.as_i64()?;
        let &(_, gi, pi) = slots.iter().find(|(i, _, _)| *i == id).ok_or_else(|| {
            err(
                L::NAME,
                "state keyed by the ids in param_groups",
                format!("id {id}"),
            )
        })?;
        fresh[gi][pi] = Some(read_entry(&rule, entry, &groups[gi].params[pi], id)?);
    }
    for (g, set) in groups.iter_mut().zip(settings) {
        (g.lr, g.weight_decay, g.extra) = (set.lr, set.weight_decay, set.extra);
    }
    *layout = rule;
    *states = fresh;
    Ok(())
}

/// Saved parameter id → (group, position), matched by order as PyTorch does, after checking
/// that the groups agree in number and size.
fn match_groups(
    name: &str,
    saved: &[Value],
    groups: &[ParamGroup],
) -> Result<Vec<(i64, usize, usize)>> {
    if saved.len() != groups.len() {
        return Err(err(
            name,
            format!("{} parameter groups", groups.len()),
            format!("{} groups", saved.len()),
        ));
    }
    let mut slots = Vec::new();
    for (gi, (sg, g)) in saved.iter().zip(groups).enumerate() {
        let ids = sg.get("params")?.as_list()?;
        if ids.len() != g.params.len() {
            return Err(err(
                name,
                format!("group {gi} with {} parameters", g.params.len()),
                format!("a saved group of {}", ids.len()),
            ));
        }
        for (pi, id) in ids.iter().enumerate() {
            slots.push((id.as_i64()?, gi, pi));
        }
    }
    Ok(slots)
}

/// What a saved group sets on its [`ParamGroup`].
struct GroupSettings {
    lr: f64,
    weight_decay: f64,
    extra: Vec<(String, Value)>,
}

/// A saved group's `lr`, `weight_decay` and the entries logit does not use.
fn read_group<L: UpdateRule>(
    rule: &L,
    sg: &Value,
    g: &ParamGroup,
    gi: usize,
) -> Result<GroupSettings> {
    let (lr, wd) = (
        number(sg, "lr", L::NAME)?,
        number(sg, "weight_decay", L::NAME)?,
    );
    if !(lr >= 0.0 && wd >= 0.0) {
        return Err(err(
            L::NAME,
            "lr and weight_decay >= 0",
            format!("group {gi}: {sg}"),
        ));
    }
    if sg.get("maximize").and_then(Value::as_bool).unwrap_or(false) {
        return Err(err(
            L::NAME,
            "maximize=False",
            "maximize=True, which logit does not implement",
        ));
    }
    let known: Vec<&str> = ["lr", "params"]
        .into_iter()
        .chain(rule.hyperparameters(g).into_iter().map(|(k, _)| k))
        .collect();
    let extra = sg
        .as_dict()?
        .entries
        .iter()
        .filter(|(k, _)| !known.contains(&k.key_string().as_str()))
        .map(|(k, v)| (k.key_string(), v.clone()))
        .collect();
    Ok(GroupSettings {
        lr,
        weight_decay: wd,
        extra,
    })
}

/// One parameter's saved state as buffers of its dtype (zeros for buffers PyTorch did not keep).
fn read_entry<L: UpdateRule>(rule: &L, entry: &Value, p: &Tensor, id: i64) -> Result<Buffers> {
    let step = if rule.saves_step() {
        let s = entry.get("step")?.as_f64()?;
        if !(s >= 0.0 && s.fract() == 0.0 && s < 9.0e15) {
            return Err(err(
                L::NAME,
                "a step count that is a whole number >= 0",
                s.to_string(),
            ));
        }
        s as u64
    } else {
        // SGD keeps no count: a saved momentum buffer means at least one step was taken
        1
    };
    let names = rule.buffer_names();
    let mut bufs = Vec::with_capacity(names.len());
    for n in &names {
        let saved = n
            .and_then(|n| entry.get(n).ok())
            .and_then(|v| v.as_tensor().ok());
        bufs.push(match saved {
            Some(t) if t.shape() == p.shape() => t.storage().to_dtype(p.dtype()),
            Some(t) => {
                return Err(err(
                    L::NAME,
                    format!(
                        "{} of parameter {id} with shape {:?}",
                        n.unwrap_or(""),
                        p.shape()
                    ),
                    format!("shape {:?}", t.shape()),
                ))
            }
            None => Storage::zeros(p.dtype(), p.numel()),
        });
    }
    Ok(Buffers { step, bufs })
}

/// A number from a saved group (ints and bools count, as Python's do).
pub(crate) fn number(group: &Value, key: &str, name: &str) -> Result<f64> {
    group
        .get(key)?
        .as_f64()
        .map_err(|e| err(name, format!("{key} that is a number"), e.to_string()))
}

/// A bool from a saved group; absent keys take `default`, as PyTorch's `__setstate__` does.
pub(crate) fn flag(group: &Value, key: &str, default: bool) -> Result<bool> {
    match group.get(key) {
        Ok(v) => v.as_bool(),
        Err(_) => Ok(default),
    }
}
