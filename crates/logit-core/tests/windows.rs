//! The sliding-window kernels against direct loops over their definitions, on random
//! geometry: `conv2d` (im2col's padding, stride and dilation arithmetic) and `max_pool2d`
//! (inference, which skips the argmaxes, and the recorded path, which keeps them).

use logit_core::ops::Conv2dOptions;
use logit_core::{no_grad, Result, Tensor};
use proptest::prelude::*;

/// `y[o, i, j] = Σ_c Σ_a Σ_b w[o, c, a, b] · x[c, i·s + a·d − p, j·s + b·d − p]`, one image.
#[allow(clippy::too_many_arguments)]
fn direct_conv(
    x: &[f64],
    (c, h, w): (usize, usize, usize),
    wt: &[f64],
    (o, kh, kw): (usize, usize, usize),
    opt: Conv2dOptions,
    (oh, ow): (usize, usize),
) -> Vec<f64> {
    let (s, p, d) = (opt.stride, opt.padding, opt.dilation);
    let mut y = vec![0.0; o * oh * ow];
    for oc in 0..o {
        for i in 0..oh {
            for j in 0..ow {
                let mut acc = 0.0;
                for ic in 0..c {
                    for a in 0..kh {
                        for b in 0..kw {
                            let yy = (i * s.0 + a * d.0) as isize - p.0 as isize;
                            let xx = (j * s.1 + b * d.1) as isize - p.1 as isize;
                            if (0..h as isize).contains(&yy) && (0..w as isize).contains(&xx) {
                                acc += wt[((oc * c + ic) * kh + a) * kw + b]
                                    * x[(ic * h + yy as usize) * w + xx as usize];
                            }
                        }
                    }
                }
                y[(oc * oh + i) * ow + j] = acc;
            }
        }
    }
    y
}

/// Each window's maximum, NaN if the window holds one.
fn direct_max_pool(x: &[f64], (h, w): (usize, usize), k: usize, s: usize, p: usize) -> Vec<f64> {
    let (oh, ow) = ((h + 2 * p - k) / s + 1, (w + 2 * p - k) / s + 1);
    let mut y = Vec::new();
    for plane in x.chunks(h * w) {
        for i in 0..oh {
            for j in 0..ow {
                let mut best = f64::NEG_INFINITY;
                for a in 0..k {
                    for b in 0..k {
                        let (yy, xx) = (
                            (i * s + a) as isize - p as isize,
                            (j * s + b) as isize - p as isize,
                        );
                        if (0..h as isize).contains(&yy) && (0..w as isize).contains(&xx) {
                            let v = plane[yy as usize * w + xx as usize];
                            if !best.is_nan() && (v.is_nan() || v > best) {
                                best = v;
                            }
                        }
                    }
                }
                y.push(best);
            }
        }
    }
    y
}

fn same(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-12)
}

fn conv_case((h, w): (usize, usize), (kh, kw): (usize, usize), opt: Conv2dOptions) -> Result<bool> {
    let (c, o) = (2, 3);
    let x = Tensor::randn(&[1, c, h, w]).double();
    let wt = Tensor::randn(&[o, c, kh, kw]).double();
    let y = x.conv2d(&wt, None, opt)?;
    let (oh, ow) = (y.shape()[2], y.shape()[3]);
    let want = direct_conv(
        &x.to_vec_f64(),
        (c, h, w),
        &wt.to_vec_f64(),
        (o, kh, kw),
        opt,
        (oh, ow),
    );
    Ok(same(&y.to_vec_f64(), &want))
}

#[test]
fn conv2d_matches_the_direct_sum_with_unequal_strides_and_dilations() -> Result<()> {
    let opt = Conv2dOptions {
        stride: (2, 1),
        padding: (1, 1),
        dilation: (1, 2),
        groups: 1,
    };
    assert!(conv_case((5, 6), (3, 2), opt)?);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn conv2d_matches_the_direct_sum_on_random_geometry(
        h in 1usize..9, w in 1usize..9, kh in 1usize..4, kw in 1usize..4,
        s in (1usize..4, 1usize..4), p in (0usize..3, 0usize..3), d in (1usize..3, 1usize..3),
    ) {
        prop_assume!(d.0 * (kh - 1) < h + 2 * p.0 && d.1 * (kw - 1) < w + 2 * p.1);
        let opt = Conv2dOptions { stride: s, padding: p, dilation: d, groups: 1 };
        prop_assert!(conv_case((h, w), (kh, kw), opt).unwrap());
    }

    #[test]
    fn max_pool2d_matches_the_window_maximum_with_and_without_grad(
        h in 1usize..9, w in 1usize..9, k in 1usize..4, s in 1usize..4, p in 0usize..2,
        nan in any::<bool>(),
    ) {
        prop_assume!(2 * p <= k && k <= h + 2 * p && k <= w + 2 * p);
        let x = Tensor::randn(&[2, 2, h, w]).double();
        let mut xv = x.to_vec_f64();
        if nan {
            let mid = xv.len() / 2;
            xv[mid] = f64::NAN;
        }
        let x = Tensor::from_vec(xv.clone(), &[2, 2, h, w]).unwrap();
        let want = direct_max_pool(&xv, (h, w), k, s, p);
        let inference = {
            let _g = no_grad();
            x.max_pool2d((k, k), (s, s), (p, p)).unwrap()
        };
        let recorded = x.requires_grad_(true).max_pool2d((k, k), (s, s), (p, p)).unwrap();
        prop_assert!(same(&inference.to_vec_f64(), &want));
        prop_assert!(same(&recorded.to_vec_f64(), &want));
    }
}

/// An empty batch and a convolution with no output channels give empty outputs and gradients,
/// as in PyTorch, rather than a panic.
#[test]
fn empty_convolutions_give_empty_results() -> Result<()> {
    let opt = Conv2dOptions::default();
    let x = Tensor::randn(&[0, 2, 5, 5]).requires_grad_(true);
    let w = Tensor::randn(&[3, 2, 3, 3]).requires_grad_(true);
    let y = x.conv2d(&w, None, opt)?;
    assert_eq!(y.shape(), &[0, 3, 3, 3]);
    y.sum().backward()?;
    assert_eq!(w.grad().map(|g| g.to_vec::<f32>()), Some(vec![0.0; 54]));
    let none = Tensor::randn(&[0, 2, 3, 3]);
    let y = Tensor::randn(&[2, 2, 5, 5]).conv2d(&none, None, opt)?;
    assert_eq!(y.shape(), &[2, 0, 3, 3]);
    Ok(())
}
