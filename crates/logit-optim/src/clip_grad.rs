//! Gradient clipping: [`clip_grad_norm_`] and [`clip_grad_value_`].

use logit_core::{Error, Float, Result, Storage, Tensor};

/// Rescales the gradients of `params` so their joint `norm_type`-norm is at most `max_norm`,
/// like `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping. Use
/// `f64::INFINITY` for the max norm.
///
/// ```
/// use logit_core::Tensor;
/// use logit_optim::clip_grad_norm_;
/// let w = Tensor::new([0.0, 0.0])?.requires_grad_(true);
/// w.mul(&Tensor::new([3.0, 4.0])?)?.sum().backward()?;   // grad [3, 4], norm 5
/// let norm = clip_grad_norm_(&[w.clone()], 1.0, 2.0)?;
/// assert_eq!(norm, 5.0);
/// assert!((w.grad().unwrap().to_vec::<f32>()[1] - 0.8).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When `max_norm` is negative or `norm_type` is not positive.
pub fn clip_grad_norm_(params: &[Tensor], max_norm: f64, norm_type: f64) -> Result<f64> {
    if !(max_norm >= 0.0) || !(norm_type > 0.0) {
        return Err(Error::invalid(
            "clip_grad_norm_",
            "max_norm >= 0 and norm_type > 0",
            format!("max_norm {max_norm}, norm_type {norm_type}"),
        ));
    }
    let grads: Vec<Tensor> = params.iter().filter_map(|p| p.grad()).collect();
    let vals: Vec<Vec<f64>> = grads.iter().map(|g| g.to_vec_f64()).collect();
    let total = if norm_type.is_infinite() {
        vals.iter().flatten().fold(0.0f64, |m, v| m.max(v.abs()))
    } else {
        vals.iter()
            .flatten()
            .map(|v| v.abs().powf(norm_type))
            .sum::<f64>()
            .powf(1.0 / norm_type)
    };
    let coef = (max_norm / (total + 1e-6)).min(1.0);
    if coef < 1.0 {
        for g in &grads {
            g.update_(|s| scale(s, coef));
        }
    }
    Ok(total)
}

fn scale(s: &mut Storage, k: f64) {
    if s.dtype().is_float() {
        logit_core::with_float!(s.dtype(), |E| {
            let k = E::c(k);
            E::slice_mut(s)
                .expect("a float storage")
                .iter_mut()
                .for_each(|x| *x *= k)
        })
    }
}

/// Clamps every gradient entry into `[-clip_value, clip_value]`, like
/// `torch.nn.utils.clip_grad_value_`.
///
/// # Errors
/// When `clip_value` is negative.
pub fn clip_grad_value_(params: &[Tensor], clip_value: f64) -> Result<()> {
    if !(clip_value >= 0.0) {
        return Err(Error::invalid(
            "clip_grad_value_",
            "clip_value >= 0",
            clip_value.to_string(),
        ));
    }
    for g in params.iter().filter_map(|p| p.grad()) {
        g.update_(|s| {
            if s.dtype().is_float() {
                logit_core::with_float!(s.dtype(), |E| {
                    let c = E::c(clip_value);
                    let v = E::slice_mut(s).expect("a float storage");
                    // NaN stays NaN, as torch.clamp leaves it
                    v.iter_mut().for_each(|x| {
                        if *x < -c {
                            *x = -c
                        } else if *x > c {
                            *x = c
                        }
                    })
                })
            }
        });
    }
    Ok(())
}
