//! logit's buffer cache: a large buffer a tensor frees is handed to the next op of the same
//! size, the cache stays within its limits, and `empty_cache` frees it. One test, so that no
//! other test in this process allocates in between.

use logit_core::{memory, Result, Tensor};

#[test]
fn freed_buffers_are_reused_and_the_cache_stays_bounded() -> Result<()> {
    memory::empty_cache();
    let x = Tensor::randn(&[256, 1024]); // 1 MiB of f32
    let first = x.sigmoid();
    let ptr = first.with_slice(|v: &[f32]| v.as_ptr()).expect("f32");
    drop(first);
    assert_eq!(memory::cached_bytes(), 1 << 20);
    // the next output of the same size gets the same buffer, with the right values
    let second = x.sigmoid();
    assert_eq!(second.with_slice(|v: &[f32]| v.as_ptr()), Some(ptr));
    assert_eq!(memory::cached_bytes(), 0);
    let want: Vec<f32> = x
        .to_vec::<f32>()
        .iter()
        .map(|&v| 1.0 / (1.0 + (-v).exp()))
        .collect();
    for (a, b) in second.to_vec::<f32>().iter().zip(&want) {
        assert!((a - b).abs() <= 1e-6, "{a} vs {b}");
    }

    // small buffers are left to malloc
    drop(Tensor::randn(&[100]).sigmoid());
    assert_eq!(memory::cached_bytes(), 0);

    // at most eight buffers of one size, and never more than the limit
    let many: Vec<Tensor> = (0..12).map(|_| x.exp()).collect();
    drop(many);
    assert_eq!(memory::cached_bytes(), 8 << 20);
    memory::set_cache_limit(3 << 20);
    assert_eq!(memory::cached_bytes(), 3 << 20);
    drop(Tensor::randn(&[512, 1024]).exp()); // 2 MiB more: the oldest go
    assert!(memory::cached_bytes() <= 3 << 20);
    drop(Tensor::randn(&[1024, 1024]).exp()); // bigger than the limit: not kept
    assert!(memory::cached_bytes() <= 3 << 20);

    memory::set_cache_limit(0);
    assert_eq!(memory::cached_bytes(), 0);
    drop(x.exp());
    assert_eq!(memory::cached_bytes(), 0);
    memory::set_cache_limit(256 << 20);
    memory::empty_cache();
    assert_eq!(memory::cached_bytes(), 0);
    Ok(())
}
