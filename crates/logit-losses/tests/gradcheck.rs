//! Gradient checks of every loss against central finite differences (f64), including the
//! weighted, pos_weight, soft-target and every-reduction forms.

use logit_core::autograd::{gradcheck, GradcheckOptions};
use logit_core::Tensor;
use logit_losses::*;
use proptest::prelude::*;

fn opts() -> GradcheckOptions {
    GradcheckOptions {
        eps: 1e-6,
        atol: 1e-6,
        rtol: 1e-5,
    }
}

fn data(rows: usize, cols: usize, lo: f64, hi: f64) -> impl Strategy<Value = Tensor> {
    prop::collection::vec(lo..hi, rows * cols)
        .prop_map(move |v| Tensor::from_vec(v, &[rows, cols]).unwrap())
}

fn case() -> impl Strategy<Value = (Tensor, Tensor, Tensor, Tensor, Reduction)> {
    (1usize..6, 1usize..4).prop_flat_map(|(r, c)| {
        (
            data(r, c, -4.0, 4.0),
            data(r, c, 0.0, 1.0),
            data(r, c, 0.1, 2.0),
            data(1, c, 0.2, 3.0),
            prop::sample::select(vec![Reduction::None, Reduction::Mean, Reduction::Sum]),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn bce_gradient_matches_finite_differences((x, y, w, _pw, red) in case()) {
        // probabilities away from 0 and 1, where the clamp would make the loss flat
        let p = x.sigmoid().clamp(Some(0.02), Some(0.98)).detach().requires_grad_(true);
        gradcheck(|t| binary_cross_entropy(&t[0], &y, red), std::slice::from_ref(&p), opts()).unwrap();
        gradcheck(|t| binary_cross_entropy(&t[0], &y, BceOptions::default().weight(&w).reduction(red)), &[p], opts()).unwrap();
    }

    #[test]
    fn bce_with_logits_gradient_matches_finite_differences((x, y, w, pw, red) in case()) {
        let x = x.requires_grad_(true);
        gradcheck(|t| binary_cross_entropy_with_logits(&t[0], &y, red), std::slice::from_ref(&x), opts()).unwrap();
        gradcheck(|t| binary_cross_entropy_with_logits(&t[0], &y, BceWithLogitsOptions::default().weight(&w).pos_weight(&pw).reduction(red)), &[x], opts()).unwrap();
    }

    #[test]
    fn focal_gradient_matches_finite_differences((x, y, _w, _pw, red) in case(), alpha in prop::sample::select(vec![0.25, -1.0, 0.5]), gamma in prop::sample::select(vec![0.0, 1.0, 2.0, 5.0, 0.5])) {
        let x = x.requires_grad_(true);
        gradcheck(|t| sigmoid_focal_loss(&t[0], &y, FocalOptions { alpha, gamma, reduction: red }), &[x], opts()).unwrap();
    }

    #[test]
    fn mse_gradient_matches_finite_differences((x, y, _w, _pw, red) in case()) {
        gradcheck(|t| mse_loss(&t[0], &y, red), &[x.requires_grad_(true)], opts()).unwrap();
    }

    #[test]
    fn cross_entropy_gradient_matches_finite_differences((x, _y, _w, _pw, red) in case(), seed in 0u64..1000) {
        let (n, c) = (x.shape()[0], x.shape()[1]);
        let target = Tensor::randint_with(0, c as i64, &[n], &mut logit_core::Generator::new(seed)).unwrap();
        gradcheck(|t| cross_entropy(&t[0], &target, red), &[x.requires_grad_(true)], opts()).unwrap();
    }
}

#[test]
fn focal_loss_equals_the_tutorial_formula_from_core_ops() {
    // torchvision's definition written with core ops, as the tutorial's CustomSigmoidFocalLoss
    let x = Tensor::new([[2.0], [-1.0], [0.5], [-3.0]])
        .unwrap()
        .double()
        .requires_grad_(true);
    let y = Tensor::new([[1.0], [0.0], [0.0], [1.0]]).unwrap().double();
    let (alpha, gamma) = (0.25, 2.0);
    let p = x.sigmoid();
    let ce = binary_cross_entropy_with_logits(&x, &y, Reduction::None).unwrap();
    let p_t = (&p * &y) + (1.0 - &p) * (1.0 - &y);
    let loss = &ce * (1.0 - &p_t).pow(gamma);
    let alpha_t = (&y * alpha) + (1.0 - &y) * (1.0 - alpha);
    let manual = (&alpha_t * &loss).mean();
    manual.backward().unwrap();
    let g_manual = x.grad().unwrap().to_vec_f64();
    x.zero_grad();
    let fused = sigmoid_focal_loss(
        &x,
        &y,
        FocalOptions {
            alpha,
            gamma,
            reduction: Reduction::Mean,
        },
    )
    .unwrap();
    fused.backward().unwrap();
    assert!((fused.item().unwrap() - manual.item().unwrap()).abs() < 1e-15);
    for (a, b) in g_manual.iter().zip(x.grad().unwrap().to_vec_f64()) {
        assert!((a - b).abs() < 1e-15);
    }
}

#[test]
fn f32_focal_fast_path_matches_the_f64_formula() {
    // the f32 kernel uses vectorised exp/log1p and q·q for γ = 2; compare with f64 libm
    let xs: Vec<f64> = (-600..=600).map(|i| i as f64 / 10.0).collect();
    let ys: Vec<f64> = xs
        .iter()
        .enumerate()
        .map(|(i, _)| [0.0, 1.0, 0.3][i % 3])
        .collect();
    let n = xs.len();
    for (alpha, gamma) in [
        (0.25, 2.0),
        (-1.0, 0.0),
        (0.5, 1.0),
        (0.25, 5.0),
        (0.75, 0.5),
    ] {
        let x64 = Tensor::from_vec(xs.clone(), &[n])
            .unwrap()
            .requires_grad_(true);
        let y64 = Tensor::from_vec(ys.clone(), &[n]).unwrap();
        let x32 = x64.detach().float().requires_grad_(true);
        let l64 = sigmoid_focal_loss(
            &x64,
            &y64,
            FocalOptions {
                alpha,
                gamma,
                reduction: Reduction::None,
            },
        )
        .unwrap();
        let l32 = sigmoid_focal_loss(
            &x32,
            &y64.float(),
            FocalOptions {
                alpha,
                gamma,
                reduction: Reduction::None,
            },
        )
        .unwrap();
        l64.sum().backward().unwrap();
        l32.sum().backward().unwrap();
        let pairs = [
            (l64.to_vec_f64(), l32.to_vec_f64()),
            (
                x64.grad().unwrap().to_vec_f64(),
                x32.grad().unwrap().to_vec_f64(),
            ),
        ];
        for (a, b) in pairs {
            for (i, (u, v)) in a.iter().zip(&b).enumerate() {
                assert!(
                    (u - v).abs() <= 2e-5 * u.abs() + 1e-6,
                    "α {alpha} γ {gamma} x {}: f64 {u} f32 {v}",
                    xs[i]
                );
            }
        }
    }
}
