//! Anomaly detection names the op that first produced a NaN or infinity, in the forward or the
//! backward pass, like `torch.autograd.detect_anomaly`.

use logit::core::autograd::detect_anomaly;
use logit::core::{Error, Tensor};

#[test]
fn forward_anomaly_names_the_first_bad_op() {
    let _a = detect_anomaly();
    let x = Tensor::new([-1.0, 2.0]).unwrap().requires_grad_(true);
    let y = x.log().exp().sum(); // log(-1) is NaN
    match y.check_finite("loss") {
        Err(Error::NonFinite { op, phase }) => {
            assert_eq!((op.as_str(), phase), ("LogBackward0", "forward"))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn backward_anomaly_names_the_backward_node() {
    let _a = detect_anomaly();
    let x = Tensor::new([0.0, 4.0]).unwrap().requires_grad_(true);
    let err = x.sqrt().sum().backward().unwrap_err(); // d√x/dx at 0 is infinite
    assert!(
        err.to_string().contains("SqrtBackward0") && err.to_string().contains("backward"),
        "{err}"
    );
}

#[test]
fn without_anomaly_mode_a_non_finite_loss_is_still_reported() {
    let loss = Tensor::new([f64::INFINITY]).unwrap();
    let e = loss.check_finite("training loss").unwrap_err().to_string();
    assert!(
        e.contains("training loss produced a non-finite value"),
        "{e}"
    );
    assert!(Tensor::new([1.0]).unwrap().check_finite("x").is_ok());
}
