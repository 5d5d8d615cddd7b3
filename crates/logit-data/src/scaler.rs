//! [`StandardScaler`]: zero mean and unit variance per feature, fitted on training data only.

use logit_core::{Error, Result, Tensor};

/// Standardises each column, `(x − mean) / std`, like scikit-learn's `StandardScaler`
/// (population std; a constant column gets scale 1). Fit on the training split only, then
/// apply the same statistics to the test split.
#[derive(Debug, Clone)]
pub struct StandardScaler {
    /// Per-feature mean.
    pub mean: Vec<f64>,
    /// Per-feature standard deviation (1 where it is 0).
    pub scale: Vec<f64>,
}

impl StandardScaler {
    /// Fits the statistics of a `[rows, features]` tensor.
    ///
    /// # Errors
    /// When `x` is not 2-D with at least one row, or holds a NaN or infinity.
    pub fn fit(x: &Tensor) -> Result<StandardScaler> {
        if x.dim() != 2 || x.shape()[0] == 0 {
            return Err(Error::invalid(
                "StandardScaler::fit",
                "a [rows, features] tensor with rows",
                format!("shape {:?}", x.shape()),
            ));
        }
        x.check_finite("StandardScaler::fit input")?;
        let (n, f) = (x.shape()[0], x.shape()[1]);
        let v = x.to_vec_f64();
        let mut mean = vec![0.0; f];
        for r in v.chunks(f) {
            for (m, x) in mean.iter_mut().zip(r) {
                *m += x;
            }
        }
        mean.iter_mut().for_each(|m| *m /= n as f64);
        let mut var = vec![0.0; f];
        for r in v.chunks(f) {
            for ((s, x), m) in var.iter_mut().zip(r).zip(&mean) {
                *s += (x - m) * (x - m);
            }
        }
        let scale = var
            .iter()
            .map(|s| (s / n as f64).sqrt())
            .map(|s| if s == 0.0 { 1.0 } else { s })
            .collect();
        Ok(StandardScaler { mean, scale })
    }

    /// Applies the fitted statistics; the result has `x`'s dtype.
    ///
    /// # Errors
    /// When `x` does not have the fitted number of features.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let f = self.mean.len();
        if x.dim() != 2 || x.shape()[1] != f {
            return Err(Error::invalid(
                "StandardScaler::transform",
                format!("[rows, {f}] (the fitted features)"),
                format!("shape {:?}", x.shape()),
            ));
        }
        // computed in f64 and stored in x's dtype, one copy of the data
        let standardise = |j: usize, v: f64| (v - self.mean[j % f]) / self.scale[j % f];
        if x.dtype() == logit_core::DType::F32 {
            let mut v = x.to_vec::<f32>();
            v.iter_mut()
                .enumerate()
                .for_each(|(j, a)| *a = standardise(j, f64::from(*a)) as f32);
            return Tensor::from_vec(v, x.shape());
        }
        let mut v = x.to_vec_f64();
        v.iter_mut()
            .enumerate()
            .for_each(|(j, a)| *a = standardise(j, *a));
        Tensor::from_vec(v, x.shape())
    }

    /// `fit` then `transform`.
    ///
    /// # Errors
    /// As [`StandardScaler::fit`].
    pub fn fit_transform(x: &Tensor) -> Result<(StandardScaler, Tensor)> {
        let s = StandardScaler::fit(x)?;
        let t = s.transform(x)?;
        Ok((s, t))
    }
}
