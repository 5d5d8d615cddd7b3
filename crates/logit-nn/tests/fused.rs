//! `Conv2d::forward_fused` gives what calling the conv, batch-norm and ReLU modules gives, in
//! eval mode (one fused op) and in training mode (the modules, running statistics updated).

use logit_core::{no_grad, Result, Tensor};
use logit_nn::{BatchNorm2d, Conv2d, Conv2dConfig, Module, ReLU};

fn layers() -> Result<(Conv2d, BatchNorm2d)> {
    let conv = Conv2d::new(
        6,
        16,
        3,
        Conv2dConfig {
            padding: (1, 1),
            ..Default::default()
        },
    )?;
    let bn = BatchNorm2d::new(16)?;
    // statistics and affine parameters other than the initial ones
    let set = |t: &Option<Tensor>, v: Tensor| t.as_ref().map(|t| t.copy_(&v)).transpose();
    set(&bn.running_mean, Tensor::randn(&[16]))?;
    set(&bn.running_var, Tensor::rand(&[16]).add_scalar(0.5))?;
    set(&bn.weight, Tensor::randn(&[16]))?;
    set(&bn.bias, Tensor::randn(&[16]))?;
    Ok((conv, bn))
}

fn modules(conv: &Conv2d, bn: &BatchNorm2d, x: &Tensor, skip: &Tensor) -> Result<Tensor> {
    ReLU.forward(&bn.forward(&conv.forward(x)?)?.add(skip)?)
}

#[test]
fn eval_mode_fuses_to_the_same_values() -> Result<()> {
    let (conv, bn) = layers()?;
    bn.eval();
    let x = Tensor::randn(&[2, 6, 12, 12]);
    let skip = Tensor::randn(&[2, 16, 12, 12]);
    let _g = no_grad();
    let fused = conv.forward_fused(&x, &bn, Some(&skip), Some(&ReLU))?;
    assert_eq!(
        fused.to_vec::<f32>(),
        modules(&conv, &bn, &x, &skip)?.to_vec::<f32>()
    );
    Ok(())
}

#[test]
fn training_mode_runs_the_modules_and_updates_the_statistics() -> Result<()> {
    let (conv, bn) = layers()?;
    let (twin_conv, twin_bn) = layers()?;
    twin_conv.weight.copy_(&conv.weight)?;
    if let (Some(a), Some(b)) = (&twin_conv.bias, &conv.bias) {
        a.copy_(b)?;
    }
    for (a, b) in [
        (&twin_bn.running_mean, &bn.running_mean),
        (&twin_bn.running_var, &bn.running_var),
        (&twin_bn.weight, &bn.weight),
        (&twin_bn.bias, &bn.bias),
    ] {
        if let (Some(a), Some(b)) = (a, b) {
            a.copy_(b)?;
        }
    }
    let x = Tensor::randn(&[2, 6, 12, 12]);
    let skip = Tensor::randn(&[2, 16, 12, 12]);
    let fused = conv.forward_fused(&x, &bn, Some(&skip), Some(&ReLU))?;
    let plain = modules(&twin_conv, &twin_bn, &x, &skip)?;
    assert_eq!(fused.to_vec::<f32>(), plain.to_vec::<f32>());
    assert!(fused.grad_fn().is_some(), "training keeps the graph");
    let stats = |b: &BatchNorm2d| b.running_mean.as_ref().map(|t| t.to_vec::<f32>());
    assert_eq!(stats(&bn), stats(&twin_bn));
    Ok(())
}

#[test]
fn an_input_that_does_not_fit_is_an_error() -> Result<()> {
    let (conv, bn) = layers()?;
    bn.eval();
    let _g = no_grad();
    assert!(conv
        .forward_fused(&Tensor::randn(&[1, 5, 8, 8]), &bn, None, None)
        .is_err());
    Ok(())
}
