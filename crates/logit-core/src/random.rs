//! Seeded random numbers: a global generator reset by [`manual_seed`], and [`Generator`] for
//! code that wants its own stream. ChaCha8 keeps streams identical across platforms and runs.

use std::sync::Mutex;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

use crate::{default_dtype, DType, Error, Result, Storage, Tensor};

/// PyTorch's default CPU seed, so runs are reproducible even without `manual_seed`.
const DEFAULT_SEED: u64 = 67_280_421_310_721;

static GLOBAL: Mutex<Option<ChaCha8Rng>> = Mutex::new(None);

/// Seeds the global generator, like `torch.manual_seed(n)`: every later random call without an
/// explicit generator is reproducible.
pub fn manual_seed(seed: u64) {
    *GLOBAL.lock().unwrap_or_else(|e| e.into_inner()) = Some(ChaCha8Rng::seed_from_u64(seed));
}

/// Runs `f` with the global generator.
pub fn with_global_rng<R>(f: impl FnOnce(&mut ChaCha8Rng) -> R) -> R {
    let mut g = GLOBAL.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(|| ChaCha8Rng::seed_from_u64(DEFAULT_SEED)))
}

/// An explicit random stream, like `torch.Generator().manual_seed(n)`.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: ChaCha8Rng,
}

impl Generator {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Generator {
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// Re-seeds this generator.
    pub fn manual_seed(&mut self, seed: u64) {
        self.rng = ChaCha8Rng::seed_from_u64(seed);
    }

    /// The underlying `rand` generator, for sampling anything else reproducibly.
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rng
    }
}

fn float_storage(n: usize, dtype: DType, mut sample: impl FnMut() -> f64) -> Storage {
    match dtype {
        DType::F64 => Storage::F64((0..n).map(|_| sample()).collect()),
        _ => Storage::F32((0..n).map(|_| sample() as f32).collect()),
    }
}

fn with_rng<R>(g: Option<&mut Generator>, f: impl FnOnce(&mut ChaCha8Rng) -> R) -> R {
    match g {
        Some(g) => f(&mut g.rng),
        None => with_global_rng(f),
    }
}

fn check_float(op: &'static str, dtype: DType) -> Result<()> {
    if dtype.is_float() {
        Ok(())
    } else {
        Err(Error::invalid(op, "a float dtype", format!("{dtype:?}")))
    }
}

impl Tensor {
    /// Uniform samples in `[0, 1)`, like `torch.rand`.
    pub fn rand(shape: &[usize]) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0, default_dtype(), None).expect("0 <= 1")
    }

    /// Standard normal samples, like `torch.randn`.
    ///
    /// ```
    /// use logit_core::{manual_seed, Tensor};
    /// manual_seed(42);
    /// let a = Tensor::randn(&[3]);
    /// manual_seed(42);
    /// assert_eq!(a.to_vec::<f32>(), Tensor::randn(&[3]).to_vec::<f32>());
    /// ```
    pub fn randn(shape: &[usize]) -> Tensor {
        Tensor::normal(shape, 0.0, 1.0, default_dtype(), None).expect("std 1 is valid")
    }

    /// Like [`Tensor::randn`] from an explicit generator.
    pub fn randn_with(shape: &[usize], g: &mut Generator) -> Tensor {
        Tensor::normal(shape, 0.0, 1.0, default_dtype(), Some(g)).expect("std 1 is valid")
    }

    /// Like [`Tensor::rand`] from an explicit generator.
    pub fn rand_with(shape: &[usize], g: &mut Generator) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0, default_dtype(), Some(g)).expect("0 <= 1")
    }

    /// Uniform samples in `[low, high)` of a float dtype (the global generator when `g` is
    /// `None`), like `tensor.uniform_(low, high)`.
    ///
    /// # Errors
    /// When `low > high`, either is not finite, or `dtype` is not a float type.
    pub fn uniform(
        shape: &[usize],
        low: f64,
        high: f64,
        dtype: DType,
        g: Option<&mut Generator>,
    ) -> Result<Tensor> {
        check_float("uniform", dtype)?;
        if low > high || !low.is_finite() || !high.is_finite() {
            return Err(Error::invalid(
                "uniform",
                "finite low <= high",
                format!("low {low}, high {high}"),
            ));
        }
        let n = crate::shape::numel(shape);
        let s = with_rng(g, |r| {
            float_storage(n, dtype, || low + (high - low) * r.gen::<f64>())
        });
        Ok(Tensor::leaf(s, shape.to_vec()))
    }

    /// Normal samples with the given mean and standard deviation, like `torch.normal`.
    ///
    /// # Errors
    /// When `std` is negative or not finite, or `dtype` is not a float type.
    pub fn normal(
        shape: &[usize],
        mean: f64,
        std: f64,
        dtype: DType,
        g: Option<&mut Generator>,
    ) -> Result<Tensor> {
        check_float("normal", dtype)?;
        if std < 0.0 || !std.is_finite() || !mean.is_finite() {
            return Err(Error::invalid(
                "normal",
                "a finite mean and std >= 0",
                format!("mean {mean}, std {std}"),
            ));
        }
        let n = crate::shape::numel(shape);
        let s = with_rng(g, |r| {
            float_storage(n, dtype, || {
                let z: f64 = StandardNormal.sample(r);
                mean + std * z
            })
        });
        Ok(Tensor::leaf(s, shape.to_vec()))
    }

    /// Integers uniform in `[low, high)` as `i64`, like `torch.randint`.
    ///
    /// # Errors
    /// When `low >= high`.
    pub fn randint(low: i64, high: i64, shape: &[usize]) -> Result<Tensor> {
        Tensor::randint_with_opt(low, high, shape, None)
    }

    /// Like [`Tensor::randint`] from an explicit generator.
    ///
    /// # Errors
    /// When `low >= high`.
    pub fn randint_with(low: i64, high: i64, shape: &[usize], g: &mut Generator) -> Result<Tensor> {
        Tensor::randint_with_opt(low, high, shape, Some(g))
    }

    fn randint_with_opt(
        low: i64,
        high: i64,
        shape: &[usize],
        g: Option<&mut Generator>,
    ) -> Result<Tensor> {
        if low >= high {
            return Err(Error::invalid(
                "randint",
                "low < high",
                format!("low {low}, high {high}"),
            ));
        }
        let n = crate::shape::numel(shape);
        let v = with_rng(g, |r| (0..n).map(|_| r.gen_range(low..high)).collect());
        Ok(Tensor::leaf(Storage::I64(v), shape.to_vec()))
    }

    /// A random permutation of `0..n` as `i64`, like `torch.randperm`.
    pub fn randperm(n: usize, g: Option<&mut Generator>) -> Tensor {
        let mut v: Vec<i64> = (0..n as i64).collect();
        with_rng(g, |r| {
            // Fisher-Yates
            for i in (1..n).rev() {
                let j = r.gen_range(0..=i);
                v.swap(i, j);
            }
        });
        Tensor::leaf(Storage::I64(v), vec![n])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generators_are_reproducible_and_independent() {
        let a = Tensor::randn_with(&[4], &mut Generator::new(7)).to_vec::<f32>();
        let b = Tensor::randn_with(&[4], &mut Generator::new(7)).to_vec::<f32>();
        let c = Tensor::randn_with(&[4], &mut Generator::new(8)).to_vec::<f32>();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn samples_have_the_requested_distribution() {
        let mut g = Generator::new(1);
        let x = Tensor::normal(&[20000], 2.0, 0.5, DType::F64, Some(&mut g)).unwrap();
        let v = x.to_vec::<f64>();
        let mean = v.iter().sum::<f64>() / v.len() as f64;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / v.len() as f64;
        assert!((mean - 2.0).abs() < 0.02 && (var.sqrt() - 0.5).abs() < 0.02);
        let r = Tensor::randint(0, 3, &[1000]).unwrap().to_vec::<i64>();
        assert!(r.iter().all(|&x| (0..3).contains(&x)) && r.contains(&2));
        assert!(Tensor::normal(&[1], 0.0, -1.0, DType::F32, None).is_err());
    }
}
