//! `#[derive(Module)]` field rules beyond modules.json's models: optional tensors, boxed
//! children seen as their own type, renamed and flattened fields, generic models.

use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module, Sequential, Sigmoid};

#[derive(Module)]
struct Head<M: Module> {
    inner: M,
    #[module(name = "type")]
    kind: Linear,
    bias: Option<Tensor>,
    #[module(buffer)]
    mask: Option<Tensor>,
    boxed: Box<dyn Module>,
    #[module(skip)]
    _width: usize,
}

impl<M: Module> Module for Head<M> {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.boxed
            .forward(&self.kind.forward(&self.inner.forward(x)?)?)
    }
}

/// A where clause with a trailing comma still derives.
#[derive(Module)]
struct Pair<A, B>
where
    A: Module,
    B: Module,
{
    first: A,
    second: B,
}

impl<A: Module, B: Module> Module for Pair<A, B> {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.second.forward(&self.first.forward(x)?)
    }
}

#[test]
fn generic_models_with_where_clauses_derive() -> Result<()> {
    let p = Pair {
        first: Linear::new(2, 3)?,
        second: Sigmoid,
    };
    assert_eq!(p.state_dict().keys(), ["first.weight", "first.bias"]);
    assert!(p
        .to_string()
        .starts_with("Pair(\n  (first): Linear(in_features=2"));
    Ok(())
}

#[derive(Module)]
struct Wrapper {
    #[module(flatten)]
    model: Head<Sequential>,
}

impl Module for Wrapper {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.model.forward(x)
    }
}

fn head(bias: bool) -> Result<Head<Sequential>> {
    Ok(Head {
        inner: Sequential::new().add(Linear::new(3, 2)?),
        kind: Linear::new(2, 1)?,
        bias: bias.then(|| Tensor::zeros(&[1])),
        mask: Some(Tensor::ones(&[1])),
        boxed: Box::new(Sigmoid),
        _width: 3,
    })
}

#[test]
fn optional_renamed_boxed_and_generic_fields() -> Result<()> {
    let m = head(true)?;
    // own parameter, then own buffer, then children, as PyTorch's state_dict orders them
    assert_eq!(
        m.state_dict().keys(),
        [
            "bias",
            "mask",
            "inner.0.weight",
            "inner.0.bias",
            "type.weight",
            "type.bias"
        ]
    );
    assert_eq!(m.named_buffers()[0].0, "mask");
    assert_eq!(head(false)?.named_parameters().len(), 4);
    // a boxed child is registered as the layer it holds
    let boxed = m.get_submodule("boxed")?;
    assert_eq!(boxed.type_name(), "Sigmoid");
    assert!(boxed.downcast_ref::<Sigmoid>().is_some());
    assert_eq!(m.forward(&Tensor::zeros(&[4, 3]))?.shape(), &[4, 1]);
    assert!(m.to_string().starts_with("Head(\n  (inner): Sequential(\n"));
    Ok(())
}

#[test]
fn flattened_field_keeps_the_wrapped_keys() -> Result<()> {
    let w = Wrapper { model: head(true)? };
    assert_eq!(w.state_dict().keys(), head(true)?.state_dict().keys());
    assert_eq!(
        w.named_children()
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>(),
        ["inner", "type", "boxed"]
    );
    Ok(())
}
