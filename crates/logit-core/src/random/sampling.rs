//! The random tensor functions (`torch.rand`, `randn`, `randint`, `randperm`, `bernoulli`, the
//! in-place `uniform_`/`normal_`), each drawing from PyTorch's stream in PyTorch's order.

use super::uniform::{bernoulli_scalar, fill_f32, fill_f64, int_from_to, permutation, uniform_f32};
use super::{normal, with_generator, Generator};
use crate::{default_dtype, DType, Error, Result, Storage, Tensor};

fn check_float(op: &'static str, dtype: DType) -> Result<()> {
    if dtype.is_float() {
        Ok(())
    } else {
        Err(Error::invalid(op, "a float dtype", format!("{dtype:?}")))
    }
}

fn check_uniform(low: f64, high: f64) -> Result<()> {
    if low > high || !low.is_finite() || !high.is_finite() {
        return Err(Error::invalid(
            "uniform",
            "finite low <= high",
            format!("low {low}, high {high}"),
        ));
    }
    Ok(())
}

fn check_normal(mean: f64, std: f64) -> Result<()> {
    if !(std >= 0.0) || !std.is_finite() || !mean.is_finite() {
        return Err(Error::invalid(
            "normal",
            "a finite mean and std >= 0",
            format!("mean {mean}, std {std}"),
        ));
    }
    Ok(())
}

fn uniform_storage(g: &mut Generator, n: usize, low: f64, high: f64, dtype: DType) -> Storage {
    match dtype {
        DType::F64 => Storage::F64(fill_f64(g, n, low, high)),
        _ => Storage::F32(fill_f32(g, n, low as f32, high as f32)),
    }
}

fn normal_storage(g: &mut Generator, n: usize, mean: f64, std: f64, dtype: DType) -> Storage {
    match dtype {
        DType::F64 => Storage::F64(normal::sample_f64(g, n, mean, std)),
        _ => Storage::F32(normal::sample_f32(g, n, mean, std)),
    }
}

impl Tensor {
    /// Uniform samples in `[0, 1)`, like `torch.rand`.
    pub fn rand(shape: &[usize]) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0, default_dtype(), None)
            .unwrap_or_else(|e| panic!("Tensor::rand: {e}"))
    }

    /// Standard normal samples, like `torch.randn`.
    ///
    /// ```
    /// use logit_core::{manual_seed, Tensor};
    /// manual_seed(42);
    /// // torch.manual_seed(42); torch.randn(3) -> tensor([0.3367, 0.1288, 0.2345])
    /// let a = Tensor::randn(&[3]).to_vec::<f32>();
    /// assert_eq!(format!("{:.4} {:.4} {:.4}", a[0], a[1], a[2]), "0.3367 0.1288 0.2345");
    /// ```
    pub fn randn(shape: &[usize]) -> Tensor {
        Tensor::normal(shape, 0.0, 1.0, default_dtype(), None)
            .unwrap_or_else(|e| panic!("Tensor::randn: {e}"))
    }

    /// Like [`Tensor::randn`] from an explicit generator (`generator=g`).
    pub fn randn_with(shape: &[usize], g: &mut Generator) -> Tensor {
        Tensor::normal(shape, 0.0, 1.0, default_dtype(), Some(g))
            .unwrap_or_else(|e| panic!("Tensor::randn_with: {e}"))
    }

    /// Like [`Tensor::rand`] from an explicit generator (`generator=g`).
    pub fn rand_with(shape: &[usize], g: &mut Generator) -> Tensor {
        Tensor::uniform(shape, 0.0, 1.0, default_dtype(), Some(g))
            .unwrap_or_else(|e| panic!("Tensor::rand_with: {e}"))
    }

    /// Uniform samples in `[0, 1)` with this tensor's shape and float dtype, like
    /// `torch.rand_like`.
    pub fn rand_like(&self) -> Tensor {
        let dtype = float_or_default(self.dtype());
        Tensor::uniform(self.shape(), 0.0, 1.0, dtype, None).expect("0 <= 1")
    }

    /// Standard normal samples with this tensor's shape and float dtype, like
    /// `torch.randn_like`.
    pub fn randn_like(&self) -> Tensor {
        let dtype = float_or_default(self.dtype());
        Tensor::normal(self.shape(), 0.0, 1.0, dtype, None).expect("std 1 is valid")
    }

    /// Uniform samples in `[low, high)` of a float dtype (the global generator when `g` is
    /// `None`), like `torch.empty(shape).uniform_(low, high)`.
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
        check_uniform(low, high)?;
        let n = crate::shape::checked_numel("uniform", shape)?;
        let s = with_generator(g, |g| uniform_storage(g, n, low, high, dtype));
        Ok(Tensor::leaf(s, shape.to_vec()))
    }

    /// Normal samples with the given mean and standard deviation, like
    /// `torch.normal(mean, std, size)`.
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
        check_normal(mean, std)?;
        let n = crate::shape::checked_numel("normal", shape)?;
        let s = with_generator(g, |g| normal_storage(g, n, mean, std, dtype));
        Ok(Tensor::leaf(s, shape.to_vec()))
    }

    /// Refills this float tensor in place with uniform samples in `[low, high)`, like
    /// `tensor.uniform_(low, high, generator=g)`.
    ///
    /// # Errors
    /// When the bounds are invalid or the tensor is not float.
    pub fn uniform_(&self, low: f64, high: f64, g: Option<&mut Generator>) -> Result<()> {
        check_float("uniform_", self.dtype())?;
        check_uniform(low, high)?;
        let s = with_generator(g, |g| {
            uniform_storage(g, self.numel(), low, high, self.dtype())
        });
        self.update_(|d| *d = s);
        Ok(())
    }

    /// Refills this float tensor in place with normal samples, like
    /// `tensor.normal_(mean, std, generator=g)` (same size-dependent path as PyTorch's).
    ///
    /// # Errors
    /// When `std` is invalid or the tensor is not float.
    pub fn normal_(&self, mean: f64, std: f64, g: Option<&mut Generator>) -> Result<()> {
        check_float("normal_", self.dtype())?;
        check_normal(mean, std)?;
        let s = with_generator(g, |g| {
            normal_storage(g, self.numel(), mean, std, self.dtype())
        });
        self.update_(|d| *d = s);
        Ok(())
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
        let n = crate::shape::checked_numel("randint", shape)?;
        let range = high.wrapping_sub(low) as u64;
        let v = with_generator(g, |g| (0..n).map(|_| int_from_to(g, range, low)).collect());
        Ok(Tensor::leaf(Storage::I64(v), shape.to_vec()))
    }

    /// A random permutation of `0..n` as `i64`, like `torch.randperm(n, generator=g)`.
    pub fn randperm(n: usize, g: Option<&mut Generator>) -> Tensor {
        let v = with_generator(g, |g| permutation(g, n));
        Tensor::leaf(Storage::I64(v), vec![n])
    }

    /// 0/1 draws with this tensor's values as probabilities, like `torch.bernoulli(p)`: a
    /// 53-bit uniform per element for `f64` probabilities, a 24-bit one for `f32`.
    ///
    /// # Errors
    /// When the tensor is not float or a probability is outside `[0, 1]`.
    pub fn bernoulli(&self, g: Option<&mut Generator>) -> Result<Tensor> {
        check_float("bernoulli", self.dtype())?;
        let p = self.to_vec_f64();
        if let Some(bad) = p.iter().find(|v| !(0.0..=1.0).contains(*v)) {
            return Err(Error::invalid(
                "bernoulli",
                "probabilities in [0, 1]",
                bad.to_string(),
            ));
        }
        let s = with_generator(g, |g| match self.dtype() {
            DType::F64 => Storage::F64(
                p.iter()
                    .map(|&p| f64::from(super::uniform::uniform_f64(g, 0.0, 1.0) < p))
                    .collect(),
            ),
            _ => Storage::F32(
                p.iter()
                    .map(|&p| f32::from(uniform_f32(g, 0.0, 1.0) < p as f32))
                    .collect(),
            ),
        });
        Ok(Tensor::leaf(s, self.shape().to_vec()))
    }

    /// Refills this tensor in place with 0/1 draws of probability `p`, like
    /// `tensor.bernoulli_(p)` (one 53-bit uniform per element, 1 where `u < p`).
    ///
    /// # Errors
    /// When `p` is outside `[0, 1]`.
    pub fn bernoulli_(&self, p: f64, g: Option<&mut Generator>) -> Result<()> {
        if !(0.0..=1.0).contains(&p) {
            return Err(Error::invalid("bernoulli_", "p in [0, 1]", p.to_string()));
        }
        let (n, dtype) = (self.numel(), self.dtype());
        let s = with_generator(g, |g| match dtype {
            DType::F64 => Storage::F64(bernoulli_scalar(g, n, p, 1.0, 0.0)),
            DType::I64 => Storage::I64(bernoulli_scalar(g, n, p, 1, 0)),
            DType::Bool => Storage::Bool(bernoulli_scalar(g, n, p, true, false)),
            _ => Storage::F32(bernoulli_scalar(g, n, p, 1.0, 0.0)),
        });
        self.update_(|d| *d = s);
        Ok(())
    }
}

fn float_or_default(dtype: DType) -> DType {
    if dtype.is_float() {
        dtype
    } else {
        default_dtype()
    }
}
