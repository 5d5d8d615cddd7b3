//! The recorded graph's lifetime, as in PyTorch: a backward frees it, a second backward
//! through it is an error unless the first one kept it with `retain_graph`.

use logit_core::autograd::BackwardOptions;
use logit_core::{Error, Result, Tensor};

#[test]
fn a_second_backward_through_a_freed_graph_is_an_error() -> Result<()> {
    let w = Tensor::new([2.0, -1.0])?.requires_grad_(true);
    let loss = w.sigmoid().mul(&w)?.sum();
    loss.backward()?;
    let first = w.grad().expect("a gradient").to_vec::<f32>();
    let e = loss.backward().unwrap_err();
    assert!(matches!(e, Error::GraphFreed { .. }), "{e:?}");
    assert!(e.to_string().contains("retain_graph"), "{e}");
    // nothing was accumulated by the refused call
    assert_eq!(w.grad().expect("a gradient").to_vec::<f32>(), first);
    // a graph that shares the freed ops is refused too
    let h = w.sigmoid();
    let (a, b) = (h.sum(), h.mul_scalar(2.0).sum());
    a.backward()?;
    assert!(matches!(
        b.backward(),
        Err(Error::GraphFreed {
            op: "SigmoidBackward0"
        })
    ));
    Ok(())
}

#[test]
fn retain_graph_allows_another_backward_that_accumulates() -> Result<()> {
    let w = Tensor::new([0.5])?.requires_grad_(true);
    let loss = w.mul(&w)?.sum();
    let keep = BackwardOptions {
        retain_graph: true,
        ..Default::default()
    };
    loss.backward_with_options(keep.clone())?;
    loss.backward_with_options(keep)?;
    loss.backward()?;
    assert_eq!(w.grad().expect("a gradient").to_vec::<f32>(), vec![3.0]);
    assert!(loss.backward().is_err());
    // a fresh forward builds a fresh graph
    w.zero_grad();
    w.mul(&w)?.sum().backward()?;
    assert_eq!(w.grad().expect("a gradient").to_vec::<f32>(), vec![1.0]);
    Ok(())
}

#[test]
fn an_explicit_gradient_goes_through_the_options_too() -> Result<()> {
    let x = Tensor::new([1.0, 2.0])?.requires_grad_(true);
    let y = x.mul_scalar(3.0);
    y.backward_with_options(BackwardOptions {
        gradient: Some(Tensor::new([1.0, 0.5])?),
        retain_graph: false,
    })?;
    assert_eq!(
        x.grad().expect("a gradient").to_vec::<f32>(),
        vec![3.0, 1.5]
    );
    assert!(matches!(
        y.backward_with_options(BackwardOptions::default()),
        Err(Error::NonScalarBackward { .. })
    ));
    Ok(())
}
