//! `conv2d_fused` (a convolution with its eval-mode batch norm, skip connection and ReLU
//! applied inside the GEMM) gives the bits of the four ops run one after another, for every
//! part of the epilogue, both float types, groups, strides, batches and both thread counts;
//! with a graph to record it is those ops, gradient included.

use logit_core::ops::{BatchNormOptions, Conv2dOptions, ConvEpilogue, EvalBatchNorm};
use logit_core::{no_grad, DType, Result, Tensor};
use proptest::prelude::*;

/// The tensors of one case: input, weight, optional bias, batch-norm statistics and affine
/// parameters, and a residual of the output's shape.
struct Case {
    x: Tensor,
    w: Tensor,
    b: Option<Tensor>,
    bn: [Tensor; 4],
    residual: Tensor,
    opt: Conv2dOptions,
}

impl Case {
    fn new(
        (n, c, hw, o): (usize, usize, usize, usize),
        (k, stride, groups): (usize, usize, usize),
        bias: bool,
        dtype: DType,
    ) -> Result<Case> {
        let opt = Conv2dOptions {
            stride: (stride, stride),
            padding: (k / 2, k / 2),
            groups,
            ..Default::default()
        };
        let t = |shape: &[usize]| Tensor::randn(shape).to_dtype(dtype);
        let x = t(&[n, c, hw, hw]);
        let w = t(&[o, c / groups, k, k]);
        let out = x.conv2d(&w, None, opt)?;
        let var = t(&[o]).abs().add_scalar(0.5);
        Ok(Case {
            residual: t(out.shape()),
            b: bias.then(|| t(&[o])),
            bn: [t(&[o]), var, t(&[o]), t(&[o])],
            x,
            w,
            opt,
        })
    }

    fn epilogue(&self, bn: bool, residual: bool, relu: bool) -> ConvEpilogue<'_> {
        let [mean, var, weight, bias] = &self.bn;
        ConvEpilogue {
            batch_norm: bn.then_some(EvalBatchNorm {
                running_mean: mean,
                running_var: var,
                weight: Some(weight),
                bias: Some(bias),
                eps: 1e-5,
            }),
            residual: residual.then_some(&self.residual),
            relu,
        }
    }

    /// The four ops one after another.
    fn composed(&self, e: &ConvEpilogue) -> Result<Tensor> {
        let mut y = self.x.conv2d(&self.w, self.b.as_ref(), self.opt)?;
        if let Some(bn) = e.batch_norm {
            let opts = BatchNormOptions {
                training: false,
                eps: bn.eps,
                ..Default::default()
            };
            let (m, v) = (Some(bn.running_mean), Some(bn.running_var));
            y = y.batch_norm(m, v, bn.weight, bn.bias, opts)?;
        }
        if let Some(r) = e.residual {
            y = y.add(r)?;
        }
        Ok(if e.relu { y.relu() } else { y })
    }

    fn fused(&self, e: ConvEpilogue) -> Result<Tensor> {
        self.x.conv2d_fused(&self.w, self.b.as_ref(), self.opt, e)
    }
}

/// The same values bit for bit (as f64, which holds every f32 exactly).
fn same_bits(got: &Tensor, want: &Tensor) -> std::result::Result<(), String> {
    if got.shape() != want.shape() || got.dtype() != want.dtype() {
        return Err(format!(
            "{:?} {:?}, expected {:?} {:?}",
            got.shape(),
            got.dtype(),
            want.shape(),
            want.dtype()
        ));
    }
    let (g, w) = (got.to_vec::<f64>(), want.to_vec::<f64>());
    match g
        .iter()
        .zip(&w)
        .position(|(a, b)| a.to_bits() != b.to_bits())
    {
        Some(i) => Err(format!("element {i}: {} != {}", g[i], w[i])),
        None => Ok(()),
    }
}

#[test]
fn every_part_of_the_epilogue_matches_the_ops_it_replaces() -> Result<()> {
    // a ResNet-sized 3×3 convolution (logit's GEMM kernel with a partial last tile) and a
    // small one (the plain-loop product)
    for (dims, conv) in [((2, 16, 15, 40), (3, 1, 1)), ((1, 2, 5, 3), (3, 1, 1))] {
        for dtype in [DType::F32, DType::F64] {
            let case = Case::new(dims, conv, false, dtype)?;
            for parts in 0..8 {
                let (bn, res, relu) = (parts & 1 == 1, parts & 2 == 2, parts & 4 == 4);
                let e = case.epilogue(bn, res, relu);
                same_bits(&case.fused(e)?, &case.composed(&e)?)
                    .map_err(|m| logit_core::Error::invalid("fused", "equal", m))?;
            }
        }
    }
    Ok(())
}

#[test]
fn a_graph_to_record_runs_the_ops_themselves() -> Result<()> {
    let case = Case::new((2, 4, 6, 8), (3, 1, 1), true, DType::F32)?;
    let w = case.w.requires_grad_(true);
    let e = case.epilogue(true, true, true);
    let y = case.x.conv2d_fused(&w, case.b.as_ref(), case.opt, e)?;
    assert_eq!(y.grad_fn(), Some("ReluBackward0"));
    y.sum().backward()?;
    let got = w.grad().expect("a weight gradient");
    let w2 = case.w.detach().requires_grad_(true);
    let plain = Case {
        w: w2.clone(),
        ..case
    };
    plain
        .composed(&plain.epilogue(true, true, true))?
        .sum()
        .backward()?;
    same_bits(&got, &w2.grad().expect("a weight gradient"))
        .map_err(|m| logit_core::Error::invalid("gradient", "equal", m))?;
    // without a graph the fused output is a plain tensor
    let _g = no_grad();
    assert_eq!(
        plain.fused(plain.epilogue(true, true, true))?.grad_fn(),
        None
    );
    Ok(())
}

#[test]
fn epilogue_tensors_that_do_not_fit_give_the_ops_results_or_errors() -> Result<()> {
    let case = Case::new((1, 3, 8, 4), (3, 1, 1), false, DType::F32)?;
    // a broadcasting residual is not fused, yet means what `add` makes of it
    let row = Tensor::randn(&[1, 4, 1, 1]);
    let e = ConvEpilogue {
        residual: Some(&row),
        ..Default::default()
    };
    same_bits(&case.fused(e)?, &case.composed(&e)?)
        .map_err(|m| logit_core::Error::invalid("broadcast", "equal", m))?;
    // statistics for the wrong number of channels are batch_norm's error
    let short = Tensor::ones(&[3]);
    let bad = ConvEpilogue {
        batch_norm: Some(EvalBatchNorm {
            running_mean: &short,
            running_var: &short,
            weight: None,
            bias: None,
            eps: 1e-5,
        }),
        ..Default::default()
    };
    assert!(case.fused(bad).is_err());
    // and a convolution that does not fit its input is conv2d's
    let wrong = Tensor::randn(&[4, 5, 3, 3]);
    assert!(case
        .x
        .conv2d_fused(&wrong, None, case.opt, ConvEpilogue::default())
        .is_err());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random geometries, both thread counts: always the composed ops' bits.
    #[test]
    fn random_geometries_match_the_composed_ops(
        n in 1usize..3,
        cg in 1usize..9,
        hw in 3usize..20,
        og in 1usize..40,
        k in prop::sample::select(vec![1usize, 3]),
        stride in 1usize..3,
        groups in 1usize..3,
        bias: bool,
        parts in 0usize..8,
        threads in 1usize..3,
        f64_: bool,
    ) {
        logit_core::set_num_threads(threads);
        let dtype = if f64_ { DType::F64 } else { DType::F32 };
        let dims = (n, cg * groups, hw, og * groups);
        let case = Case::new(dims, (k, stride, groups), bias, dtype).unwrap();
        let e = case.epilogue(parts & 1 == 1, parts & 2 == 2, parts & 4 == 4);
        let _g = no_grad();
        let fused = case.fused(e).unwrap();
        let composed = case.composed(&e).unwrap();
        prop_assert!(same_bits(&fused, &composed).is_ok(), "{:?}", same_bits(&fused, &composed));
    }
}
