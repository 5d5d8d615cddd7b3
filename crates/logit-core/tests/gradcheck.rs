//! One proptest property per differentiable op: autograd's gradient equals central finite
//! differences in f64 (like `torch.autograd.gradcheck`), on random shapes including
//! broadcasting ones.

use logit_core::autograd::{gradcheck, GradcheckOptions};
use logit_core::{Result, Tensor};
use proptest::prelude::*;

fn opts() -> GradcheckOptions {
    GradcheckOptions {
        eps: 1e-6,
        atol: 1e-6,
        rtol: 1e-5,
    }
}

fn shape(max_rank: usize) -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(1usize..4, 1..=max_rank)
}

/// A tensor with values in [lo, hi] and `|x| >= gap` (to stay off kinks such as relu's at 0).
fn tensor_in(shape: Vec<usize>, lo: f64, hi: f64, gap: f64) -> impl Strategy<Value = Tensor> {
    let n: usize = shape.iter().product();
    prop::collection::vec(lo..hi, n).prop_map(move |mut v| {
        for x in &mut v {
            if x.abs() < gap {
                *x = if *x < 0.0 { -gap } else { gap };
            }
        }
        Tensor::from_vec(v, &shape).unwrap().requires_grad_(true)
    })
}

fn any_tensor(max_rank: usize) -> impl Strategy<Value = Tensor> {
    shape(max_rank).prop_flat_map(|s| tensor_in(s, -2.0, 2.0, 0.0))
}

fn positive_tensor() -> impl Strategy<Value = Tensor> {
    shape(3).prop_flat_map(|s| tensor_in(s, 0.2, 3.0, 0.0))
}

/// Two shapes that broadcast: the second drops leading dims and sets others to 1 at random.
fn broadcast_pair() -> impl Strategy<Value = (Tensor, Tensor)> {
    (shape(3), any::<u8>(), any::<bool>()).prop_flat_map(|(a, mask, swap)| {
        let drop = (mask as usize) % a.len();
        let b: Vec<usize> = a[drop..]
            .iter()
            .enumerate()
            .map(|(i, &d)| if mask & (1 << (i + 2)) != 0 { 1 } else { d })
            .collect();
        let (a, b) = if swap { (b, a) } else { (a, b) };
        (tensor_in(a, -2.0, 2.0, 0.0), tensor_in(b, 0.5, 2.0, 0.0))
    })
}

fn check1(x: &Tensor, f: impl Fn(&Tensor) -> Result<Tensor>) -> Result<()> {
    gradcheck(|xs| f(&xs[0]), std::slice::from_ref(x), opts())
}

fn check2(a: &Tensor, b: &Tensor, f: impl Fn(&Tensor, &Tensor) -> Result<Tensor>) -> Result<()> {
    gradcheck(|xs| f(&xs[0], &xs[1]), &[a.clone(), b.clone()], opts())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn add_backward_matches_finite_differences((a, b) in broadcast_pair()) {
        check2(&a, &b, |a, b| a.add(b)).unwrap();
    }

    #[test]
    fn sub_backward_matches_finite_differences((a, b) in broadcast_pair()) {
        check2(&a, &b, |a, b| a.sub(b)).unwrap();
    }

    #[test]
    fn mul_backward_matches_finite_differences((a, b) in broadcast_pair()) {
        check2(&a, &b, |a, b| a.mul(b)).unwrap();
    }

    #[test]
    fn div_backward_matches_finite_differences((a, b) in broadcast_pair()) {
        check2(&a, &b, |a, b| a.div(b)).unwrap();
    }

    #[test]
    fn scalar_ops_backward_matches_finite_differences(x in any_tensor(3), s in -3.0f64..3.0) {
        check1(&x, |x| Ok(x.add_scalar(s).mul_scalar(s).rsub_scalar(s).div_scalar(1.5).sub_scalar(s))).unwrap();
    }

    #[test]
    fn neg_backward_matches_finite_differences(x in any_tensor(3)) {
        check1(&x, |x| Ok(x.neg())).unwrap();
    }

    #[test]
    fn exp_backward_matches_finite_differences(x in any_tensor(3)) {
        check1(&x, |x| Ok(x.exp())).unwrap();
    }

    #[test]
    fn log_backward_matches_finite_differences(x in positive_tensor()) {
        check1(&x, |x| Ok(x.log())).unwrap();
    }

    #[test]
    fn log1p_backward_matches_finite_differences(x in positive_tensor()) {
        check1(&x, |x| Ok(x.log1p())).unwrap();
    }

    #[test]
    fn sqrt_backward_matches_finite_differences(x in positive_tensor()) {
        check1(&x, |x| Ok(x.sqrt())).unwrap();
    }

    #[test]
    fn abs_backward_matches_finite_differences(x in shape(3).prop_flat_map(|s| tensor_in(s, -2.0, 2.0, 0.05))) {
        check1(&x, |x| Ok(x.abs())).unwrap();
    }

    #[test]
    fn pow_backward_matches_finite_differences(x in positive_tensor(), p in prop::sample::select(vec![0.5, 2.0, 3.0, -1.5, 0.0])) {
        check1(&x, |x| Ok(x.pow(p))).unwrap();
    }

    #[test]
    fn clamp_backward_matches_finite_differences(x in any_tensor(3)) {
        // keep inputs away from the bounds, where the derivative jumps
        let x = Tensor::from_vec(x.to_vec_f64().into_iter().map(|v| if (v.abs() - 0.5).abs() < 0.05 { v * 1.3 } else { v }).collect(), x.shape()).unwrap().requires_grad_(true);
        check1(&x, |x| Ok(x.clamp(Some(-0.5), Some(0.5)))).unwrap();
    }

    #[test]
    fn tanh_backward_matches_finite_differences(x in any_tensor(3)) {
        check1(&x, |x| Ok(x.tanh())).unwrap();
    }

    #[test]
    fn relu_backward_matches_finite_differences(x in shape(3).prop_flat_map(|s| tensor_in(s, -2.0, 2.0, 0.05))) {
        check1(&x, |x| Ok(x.relu())).unwrap();
    }

    #[test]
    fn leaky_relu_backward_matches_finite_differences(x in shape(3).prop_flat_map(|s| tensor_in(s, -2.0, 2.0, 0.05))) {
        check1(&x, |x| Ok(x.leaky_relu(0.01))).unwrap();
    }

    #[test]
    fn sigmoid_backward_matches_finite_differences(x in shape(3).prop_flat_map(|s| tensor_in(s, -8.0, 8.0, 0.0))) {
        check1(&x, |x| Ok(x.sigmoid())).unwrap();
    }

    #[test]
    fn softmax_backward_matches_finite_differences(x in any_tensor(3), d in 0usize..3) {
        let dim = (d % x.dim()) as isize;
        check1(&x, |x| x.softmax(dim)).unwrap();
        check1(&x, |x| x.log_softmax(dim)).unwrap();
    }

    #[test]
    fn sum_and_mean_backward_match_finite_differences(x in any_tensor(3), d in 0usize..3, keep in any::<bool>()) {
        let dim = (d % x.dim()) as isize;
        check1(&x, |x| Ok(x.sum())).unwrap();
        check1(&x, |x| Ok(x.mean())).unwrap();
        check1(&x, |x| x.sum_dim(dim, keep)).unwrap();
        check1(&x, |x| x.mean_dim(dim, keep)).unwrap();
    }

    #[test]
    fn max_dim_backward_matches_finite_differences(x in any_tensor(3), d in 0usize..3) {
        let dim = (d % x.dim()) as isize;
        check1(&x, |x| Ok(x.max_dim(dim, false)?.0)).unwrap();
        check1(&x, |x| Ok(x.min_dim(dim, true)?.0)).unwrap();
    }

    #[test]
    fn matmul_backward_matches_finite_differences(
        m in 1usize..5, k in 1usize..5, n in 1usize..5, batch in 1usize..3, form in 0usize..5,
    ) {
        let (ash, bsh): (Vec<usize>, Vec<usize>) = match form {
            0 => (vec![m, k], vec![k, n]),
            1 => (vec![batch, m, k], vec![k, n]),
            2 => (vec![batch, m, k], vec![batch, k, n]),
            3 => (vec![m, k], vec![batch, 1, k, n]),
            _ => (vec![k], vec![k, n]),
        };
        let a = Tensor::randn(&ash).double().requires_grad_(true);
        let b = Tensor::randn(&bsh).double().requires_grad_(true);
        check2(&a, &b, |a, b| a.matmul(b)).unwrap();
    }

    #[test]
    fn linear_backward_matches_finite_differences(rows in 1usize..6, fin in 1usize..5, fout in 1usize..4, bias in any::<bool>()) {
        let x = Tensor::randn(&[rows, fin]).double().requires_grad_(true);
        let w = Tensor::randn(&[fout, fin]).double().requires_grad_(true);
        let b = Tensor::randn(&[fout]).double().requires_grad_(true);
        if bias {
            gradcheck(|t| t[0].linear(&t[1], Some(&t[2])), &[x, w, b], opts()).unwrap();
        } else {
            gradcheck(|t| t[0].linear(&t[1], None), &[x, w], opts()).unwrap();
        }
    }

    #[test]
    fn view_ops_backward_match_finite_differences(x in any_tensor(3)) {
        let r = x.dim() as isize;
        check1(&x, |x| x.reshape([-1])).unwrap();
        check1(&x, |x| x.transpose(0, r - 1)).unwrap();
        check1(&x, |x| x.unsqueeze(0)?.squeeze(0)?.flatten(0, -1)).unwrap();
        let perm: Vec<usize> = (0..x.dim()).rev().collect();
        check1(&x, |x| x.permute(&perm)).unwrap();
    }

    #[test]
    fn narrow_backward_matches_finite_differences(x in any_tensor(3), s in 0usize..3) {
        let size = x.shape()[0];
        let start = s % size;
        check1(&x, |x| x.narrow(0, start, size - start)).unwrap();
    }

    #[test]
    fn cat_and_stack_backward_match_finite_differences((a, b) in broadcast_pair()) {
        let b2 = Tensor::randn(a.shape()).double().requires_grad_(true);
        check2(&a, &b2, |a, b| Tensor::cat(&[a.clone(), b.clone(), a.clone()], 0)).unwrap();
        check2(&a, &b2, |a, b| Tensor::stack(&[a.clone(), b.clone()], -1)).unwrap();
        drop(b);
    }

    #[test]
    fn index_select_backward_matches_finite_differences(x in any_tensor(3), picks in prop::collection::vec(0usize..8, 1..6)) {
        let size = x.shape()[0];
        let idx = Tensor::new(picks.iter().map(|&p| (p % size) as i64).collect::<Vec<_>>()).unwrap();
        check1(&x, |x| x.index_select(0, &idx)).unwrap();
    }

    #[test]
    fn where_and_masked_fill_backward_match_finite_differences((a, b) in broadcast_pair()) {
        let cond = a.gt_scalar(0.0);
        check2(&a, &b, |a, b| Tensor::where_(&cond, a, b)).unwrap();
        check1(&a, |a| a.masked_fill(&cond, 0.25)).unwrap();
    }

    #[test]
    fn expand_and_sum_to_size_backward_match_finite_differences((a, b) in broadcast_pair()) {
        let full = logit_core::shape::broadcast_shapes("t", a.shape(), b.shape()).unwrap();
        check1(&b, |b| b.expand(&full)).unwrap();
        let big = Tensor::randn(&full).double().requires_grad_(true);
        let target = b.shape().to_vec();
        check1(&big, |x| x.sum_to_size(&target)).unwrap();
    }

    #[test]
    fn dtype_round_trip_backward_matches_finite_differences(x in any_tensor(2)) {
        // through f32 and back: loose tolerance for the f32 rounding
        let o = GradcheckOptions { eps: 1e-3, atol: 1e-3, rtol: 1e-3 };
        gradcheck(|xs| xs[0].float().double().mul(&xs[0]), &[x], o).unwrap();
    }
}

#[test]
fn gradcheck_catches_a_wrong_gradient() {
    // A deliberately wrong backward must be reported, or none of the properties above prove
    // anything.
    use logit_core::autograd::{Backward, Grad, SavedTensor};
    struct WrongSquare(SavedTensor);
    impl Backward for WrongSquare {
        fn name(&self) -> &'static str {
            "WrongSquare"
        }
        fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
            Ok(vec![Some(g.to_dense().mul(&self.0)?.into())]) // should be 2·x·g
        }
    }
    let x = Tensor::new([0.5, -1.0])
        .unwrap()
        .double()
        .requires_grad_(true);
    let err = gradcheck(
        |xs| {
            let v = xs[0].square();
            Ok(Tensor::from_op(
                v.storage().as_ref().clone(),
                v.shape().to_vec(),
                &[&xs[0]],
                |_| WrongSquare(xs[0].save_for_backward()),
            ))
        },
        &[x],
        opts(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("gradcheck: input 0"), "{err}");
}

#[test]
fn backward_of_a_100k_op_chain_does_not_overflow_the_stack() {
    let x = Tensor::new([0.5]).unwrap().double().requires_grad_(true);
    let mut y = x.clone();
    for _ in 0..100_000 {
        y = y.mul_scalar(1.0);
    }
    y.sum().backward().unwrap();
    assert_eq!(x.grad().unwrap().item().unwrap(), 1.0);
    drop(y); // dropping the chain must not recurse either
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn conv2d_backward_matches_finite_differences(
        n in 1usize..3, cg in 1usize..3, og in 1usize..3, groups in 1usize..3,
        hw in 3usize..7, k in 1usize..4, stride in 1usize..3, pad in 0usize..2, dil in 1usize..3, bias in any::<bool>(),
        sw in 1usize..4, dw in 1usize..3,
    ) {
        use logit_core::ops::Conv2dOptions;
        prop_assume!(dil * (k - 1) < hw + 2 * pad && dw * (k - 1) < hw + 1 + 2 * pad);
        let x = Tensor::randn(&[n, cg * groups, hw, hw + 1]).double().requires_grad_(true);
        let w = Tensor::randn(&[og * groups, cg, k, k]).double().requires_grad_(true);
        let b = Tensor::randn(&[og * groups]).double().requires_grad_(true);
        let opt = Conv2dOptions { stride: (stride, sw), padding: (pad, pad), dilation: (dil, dw), groups };
        if bias {
            gradcheck(|t| t[0].conv2d(&t[1], Some(&t[2]), opt), &[x, w, b], opts()).unwrap();
        } else {
            gradcheck(|t| t[0].conv2d(&t[1], None, opt), &[x, w], opts()).unwrap();
        }
    }

    #[test]
    fn max_pool2d_backward_matches_finite_differences(hw in 2usize..7, k in 1usize..4, stride in 1usize..3, pad in 0usize..2) {
        prop_assume!(2 * pad <= k && k <= hw + 2 * pad);
        let x = Tensor::randn(&[2, 2, hw, hw]).double().requires_grad_(true);
        check1(&x, |x| x.max_pool2d((k, k), (stride, stride), (pad, pad))).unwrap();
    }

    #[test]
    fn adaptive_avg_pool2d_backward_matches_finite_differences(h in 1usize..8, w in 1usize..8, oh in 1usize..4, ow in 1usize..4) {
        let x = Tensor::randn(&[2, 3, h, w]).double().requires_grad_(true);
        check1(&x, |x| x.adaptive_avg_pool2d((oh, ow))).unwrap();
    }
}

#[test]
fn dropout_backward_matches_finite_differences_for_a_fixed_mask() {
    // the same seed gives the same mask in every evaluation gradcheck makes
    let x = Tensor::randn(&[4, 5]).double().requires_grad_(true);
    gradcheck(
        |t| {
            logit_core::manual_seed(11);
            t[0].dropout(0.4, true)
        },
        &[x],
        opts(),
    )
    .unwrap();
}

#[test]
fn accumulating_gradients_never_writes_into_the_callers_tensors() {
    // backward twice from a leaf with an explicit gradient: PyTorch accumulates into .grad
    // and leaves the given gradient tensor alone
    let x = Tensor::new([1.0, 2.0]).unwrap().requires_grad_(true);
    let g = Tensor::new([0.5, 0.5]).unwrap();
    x.backward_with(&g).unwrap();
    x.backward_with(&g).unwrap();
    assert_eq!(x.grad().unwrap().to_vec::<f32>(), vec![1.0, 1.0]);
    assert_eq!(g.to_vec::<f32>(), vec![0.5, 0.5]);
    // the same for a gradient set by hand, then accumulated into
    let w = Tensor::new([1.0]).unwrap().requires_grad_(true);
    let given = Tensor::new([3.0]).unwrap();
    w.set_grad(Some(given.clone())).unwrap();
    w.mul_scalar(2.0).sum().backward().unwrap();
    assert_eq!(
        (w.grad().unwrap().item().unwrap(), given.item().unwrap()),
        (5.0, 3.0)
    );
}
