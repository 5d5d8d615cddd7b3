//! [`MedianImputer`]: fills missing entries with the training median of their column.

use logit_core::{Error, Result, Tensor};

/// Replaces a marker of "not measured" (NaN, or a code such as Pima's 0 for glucose) in chosen
/// columns by the median of the measured training values, like scikit-learn's
/// `SimpleImputer(missing_values=…, strategy="median")`. Fit on the training split only.
#[derive(Debug, Clone)]
pub struct MedianImputer {
    /// `(column, median)` for each imputed column.
    pub medians: Vec<(usize, f64)>,
    missing: f64,
}

fn is_missing(v: f64, marker: f64) -> bool {
    if marker.is_nan() {
        v.is_nan()
    } else {
        v == marker
    }
}

impl MedianImputer {
    /// Learns the median of each of `columns` over entries that are not `missing`.
    ///
    /// # Errors
    /// When `x` is not 2-D, a column is out of range, or a column has no measured value.
    pub fn fit(x: &Tensor, columns: &[usize], missing: f64) -> Result<MedianImputer> {
        if x.dim() != 2 {
            return Err(Error::invalid(
                "MedianImputer::fit",
                "a [rows, features] tensor",
                format!("shape {:?}", x.shape()),
            ));
        }
        let f = x.shape()[1];
        let v = x.to_vec_f64();
        let mut medians = Vec::with_capacity(columns.len());
        for &c in columns {
            if c >= f {
                return Err(Error::invalid(
                    "MedianImputer::fit",
                    format!("columns below {f}"),
                    c.to_string(),
                ));
            }
            let mut col: Vec<f64> = v
                .chunks(f)
                .map(|r| r[c])
                .filter(|&x| !is_missing(x, missing))
                .collect();
            if col.is_empty() {
                return Err(Error::invalid(
                    "MedianImputer::fit",
                    format!("a measured value in column {c}"),
                    "none",
                ));
            }
            col.sort_by(f64::total_cmp);
            let n = col.len();
            let median = if n % 2 == 1 {
                col[n / 2]
            } else {
                (col[n / 2 - 1] + col[n / 2]) / 2.0
            };
            medians.push((c, median));
        }
        Ok(MedianImputer { medians, missing })
    }

    /// Fills the missing entries; other entries are unchanged.
    ///
    /// # Errors
    /// When `x` has fewer columns than the fitted ones.
    pub fn transform(&self, x: &Tensor) -> Result<Tensor> {
        let f = x.shape().get(1).copied().unwrap_or(0);
        if x.dim() != 2 || self.medians.iter().any(|&(c, _)| c >= f) {
            return Err(Error::invalid(
                "MedianImputer::transform",
                "the fitted columns",
                format!("shape {:?}", x.shape()),
            ));
        }
        let mut v = x.to_vec_f64();
        for row in v.chunks_mut(f) {
            for &(c, m) in &self.medians {
                if is_missing(row[c], self.missing) {
                    row[c] = m;
                }
            }
        }
        Ok(Tensor::from_vec(v, x.shape())?.to_dtype(x.dtype()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_markers_with_the_training_median() {
        let train = Tensor::new([[0.0, 1.0], [4.0, 0.0], [2.0, 3.0], [6.0, 5.0]]).unwrap();
        let imp = MedianImputer::fit(&train, &[0], 0.0).unwrap();
        assert_eq!(imp.medians, vec![(0, 4.0)]);
        let out = imp
            .transform(&Tensor::new([[0.0, 0.0], [1.0, 2.0]]).unwrap())
            .unwrap();
        assert_eq!(out.to_vec::<f32>(), vec![4.0, 0.0, 1.0, 2.0]);
        assert!(MedianImputer::fit(&train, &[5], 0.0).is_err());
    }
}
