//! The recorded graph's lifetime, as in PyTorch: each backward keeps only what its formula
//! reads, a backward frees it, a second backward through it is an error unless the first one
//! kept it with `retain_graph`.

use std::sync::{Arc, Weak};

use logit_core::autograd::BackwardOptions;
use logit_core::{Error, Result, Storage, Tensor};

/// A handle that tells whether a tensor's data is still alive anywhere (graph included).
fn watch(t: &Tensor) -> Weak<Storage> {
    Arc::downgrade(&t.storage())
}

#[test]
fn a_pre_relu_activation_is_freed_once_the_next_op_ran() -> Result<()> {
    let x = Tensor::new([[1.0, -2.0], [0.5, 3.0]])?;
    let w = Tensor::new([[0.5, -1.0], [2.0, 0.25]])?.requires_grad_(true);
    let h = x.matmul(&w)?; // the pre-activation
    let pre = watch(&h);
    let y = h.relu();
    drop(h);
    // matmul saved x and w, relu saved its output: nothing keeps h, as in PyTorch
    assert!(
        pre.upgrade().is_none(),
        "the graph kept the pre-ReLU activation"
    );
    y.sum().backward()?;
    // d/dw of Σ relu(xw) is xᵀ·[xw > 0]; xw = [[-3.5, -1.5], [6.25, 0.25]], so only row 1
    // of x counts: dw[i][j] = x[1][i]
    let g = w.grad().expect("a gradient").to_vec::<f32>();
    assert_eq!(g, vec![0.5, 0.5, 3.0, 3.0]);
    Ok(())
}

#[test]
fn an_elementwise_input_is_kept_only_when_the_formula_reads_it() -> Result<()> {
    let w = Tensor::new([1.0, 2.0])?.requires_grad_(true);
    let a = w.mul_scalar(3.0);
    let (by_add, by_exp) = (a.add_scalar(1.0), a.exp());
    let watched = watch(&a);
    drop(a);
    // exp reads its output, add reads nothing: the input `a` is gone
    assert!(watched.upgrade().is_none());
    let b = w.mul_scalar(2.0);
    let (watched, by_log) = (watch(&b), b.log());
    drop(b);
    // log reads its input
    assert!(watched.upgrade().is_some());
    by_add.add(&by_exp)?.add(&by_log)?.sum().backward()?;
    let g = w.grad().expect("a gradient").to_vec::<f64>();
    let want = |w: f64| 3.0 + 3.0 * (3.0 * w).exp() + 1.0 / w;
    for (got, w) in g.iter().zip([1.0, 2.0]) {
        assert!(
            (got - want(w)).abs() <= 1e-4 * want(w),
            "{got} vs {}",
            want(w)
        );
    }
    Ok(())
}

#[test]
fn a_backward_frees_what_the_graph_saved_unless_asked_to_keep_it() -> Result<()> {
    let w = Tensor::new([0.5, -0.5])?.requires_grad_(true);
    for retain_graph in [false, true] {
        let p = w.mul_scalar(2.0).sigmoid(); // sigmoid saves its output
        let loss = p.sum();
        let saved = watch(&p);
        drop(p);
        assert!(saved.upgrade().is_some(), "the backward needs the output");
        loss.backward_with_options(BackwardOptions {
            retain_graph,
            ..Default::default()
        })?;
        // `loss` (and so the graph) is still alive; only the saved data goes
        assert_eq!(saved.upgrade().is_some(), retain_graph);
    }
    Ok(())
}

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
