//! Shapes too large for memory: a clear error from the constructors that return `Result`, a
//! clear panic from the infallible ones (`zeros`, `randn`), never a wrapped element count or
//! an aborted process.

use logit::core::{DType, Error, Result, Tensor};
use logit::nn::{BatchNorm1d, Conv2d, Linear};

fn panic_message(f: impl FnOnce() -> Tensor + std::panic::UnwindSafe) -> String {
    let e = std::panic::catch_unwind(f).expect_err("a panic");
    e.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn infallible_constructors_panic_naming_the_shape() {
    for (name, msg) in [
        ("randn", panic_message(|| Tensor::randn(&[1 << 62, 4]))),
        ("rand", panic_message(|| Tensor::rand(&[1 << 62, 4]))),
        ("zeros", panic_message(|| Tensor::zeros(&[1 << 62, 4]))),
        ("ones", panic_message(|| Tensor::ones(&[1 << 40, 1 << 40]))),
    ] {
        assert!(
            msg.contains("[4611686018427387904, 4]")
                || msg.contains("[1099511627776, 1099511627776]"),
            "{name}: {msg}"
        );
        assert!(
            msg.contains("fits in memory") || msg.contains("does not fit in memory"),
            "{name}: {msg}"
        );
    }
}

#[test]
fn layers_too_large_to_allocate_are_errors() -> Result<()> {
    let cases: Vec<(&str, Result<()>)> = vec![
        (
            "Linear 2^40 x 2^40",
            Linear::new(1 << 40, 1 << 40).map(drop),
        ),
        (
            "Linear 2^20 x 2^20 (4 TiB)",
            Linear::new(1 << 20, 1 << 20).map(drop),
        ),
        ("BatchNorm1d 2^62", BatchNorm1d::new(1 << 62).map(drop)),
        (
            "Conv2d 2^31 channels",
            Conv2d::new(1 << 31, 1 << 31, 3, Default::default()).map(drop),
        ),
        (
            "try_full_dtype",
            Tensor::try_full_dtype(&[1 << 62, 4], 0.0, DType::F64).map(drop),
        ),
    ];
    for (what, r) in cases {
        match r {
            Err(Error::Invalid { expected, got, .. }) => {
                assert!(expected.contains("shape whose"), "{what}: {expected}");
                assert!(got.contains('['), "{what}: {got}");
            }
            other => panic!("{what}: expected an error naming the shape, got {other:?}"),
        }
    }
    // a size that fits still works
    assert_eq!(Linear::new(3, 2)?.weight.shape(), &[2, 3]);
    Ok(())
}
