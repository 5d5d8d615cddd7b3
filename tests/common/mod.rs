//! Loading the PyTorch reference fixtures (tests/fixtures/pytorch, copied from the reference
//! folder; see its generate.py) and comparing tensors against them.
#![allow(dead_code)]

use logit::core::{DType, Tensor};
use serde_json::Value;

/// Parses `tests/fixtures/pytorch/<name>`.
pub fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/pytorch/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The `{"shape": [...], "data": [...]}` object as a tensor of `dtype`.
pub fn tensor(v: &Value, dtype: DType) -> Tensor {
    let shape: Vec<usize> = v["shape"]
        .as_array()
        .expect("shape")
        .iter()
        .map(|d| d.as_u64().expect("dim") as usize)
        .collect();
    let data: Vec<f64> = v["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|x| x.as_f64().expect("number"))
        .collect();
    Tensor::from_vec(data, &shape).unwrap().to_dtype(dtype)
}

/// The case's dtype (`float64` unless it says `float32`).
pub fn dtype_of(case: &Value) -> DType {
    match case["dtype"].as_str() {
        Some("float32") => DType::F32,
        _ => DType::F64,
    }
}

/// Tolerances by dtype: f64 to 1e-9 relative, f32 to 1e-5.
pub fn tol(dtype: DType) -> (f64, f64) {
    match dtype {
        DType::F32 => (1e-5, 1e-6),
        _ => (1e-9, 1e-12),
    }
}

/// Asserts that `actual` has the expected shape and every value is within
/// `atol + rtol·|expected|`, naming `what` on failure.
pub fn assert_close(actual: &Tensor, expected: &Value, rtol: f64, atol: f64, what: &str) {
    let shape: Vec<usize> = expected["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    assert_eq!(actual.shape(), shape.as_slice(), "{what}: shape");
    let data: Vec<f64> = expected["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    assert_values(&actual.to_vec_f64(), &data, rtol, atol, what);
}

/// Asserts elementwise closeness of two flat value lists.
pub fn assert_values(actual: &[f64], expected: &[f64], rtol: f64, atol: f64, what: &str) {
    assert_eq!(actual.len(), expected.len(), "{what}: length");
    for (i, (a, e)) in actual.iter().zip(expected).enumerate() {
        let ok = (a - e).abs() <= atol + rtol * e.abs() || (a == e);
        assert!(
            ok,
            "{what}: element {i}: got {a:e}, PyTorch {e:e} (rtol {rtol:e}, atol {atol:e})"
        );
    }
}
