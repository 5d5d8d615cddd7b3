//! The frequent mistakes come as error variants a caller can `match`, not only as text.

use logit::core::{checkpoint, Error, Result, Tensor};
use logit::losses::BCELoss;
use logit::nn::{Linear, Module};
use logit::optim::{Adam, AdamConfig, SGDConfig, StepLR, SGD};

#[test]
fn feature_count_target_shape_hyperparameter_and_format_are_variants() -> Result<()> {
    let fc = Linear::new(8, 12)?;
    match fc.forward(&Tensor::zeros(&[32, 5])) {
        Err(Error::FeatureCount {
            expected: 8,
            got: 5,
            shape,
            ..
        }) => assert_eq!(shape, vec![32, 5]),
        other => panic!("expected FeatureCount, got {other:?}"),
    }
    let p = Tensor::full(&[4, 1], 0.5);
    match BCELoss::new().forward(&p, &Tensor::zeros(&[4])) {
        Err(Error::TargetShape { input, target, .. }) => {
            assert_eq!((input, target), (vec![4, 1], vec![4]))
        }
        other => panic!("expected TargetShape, got {other:?}"),
    }
    let w = || vec![Tensor::zeros(&[1]).requires_grad_(true)];
    let bad_lr = SGD::new(
        w(),
        SGDConfig {
            lr: -1.0,
            ..Default::default()
        },
    );
    assert!(matches!(bad_lr, Err(Error::Hyperparameter { ref name, .. }) if name == "lr"));
    let bad_beta = Adam::new(
        w(),
        AdamConfig {
            betas: (0.9, 1.0),
            ..Default::default()
        },
    );
    assert!(matches!(bad_beta, Err(Error::Hyperparameter { ref name, .. }) if name == "beta 1"));
    let opt = SGD::new(w(), SGDConfig::default())?;
    assert!(matches!(
        StepLR::new(&opt, 0, 0.1),
        Err(Error::Hyperparameter { .. })
    ));
    assert!(matches!(
        checkpoint::from_bytes(b"garbage", "x.pth"),
        Err(Error::Format { .. })
    ));
    Ok(())
}
