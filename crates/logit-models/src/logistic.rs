//! [`LogisticRegression`]: the maximum-likelihood logistic regression fitted by Newton–Raphson
//! (IRLS) in f64, as statsmodels' `Logit`, with its inference: standard errors, z, p-values,
//! confidence intervals, log-likelihoods, pseudo R², AIC and BIC.

use logit_core::{Error, Result};

/// statsmodels' `norm.ppf(0.975)`, the half-width of a 95% interval in standard errors.
const Z_975: f64 = 1.959_963_984_540_054;

/// How to fit: an optional L2 penalty and Newton's stopping rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogisticRegression {
    /// scikit-learn's `C`: the penalty `‖β‖² / (2C)` on the slopes (not the intercept);
    /// `None` is the unpenalised maximum-likelihood fit.
    pub c: Option<f64>,
    /// Newton steps at most.
    pub max_iter: usize,
    /// Converged when no coefficient moves more than this.
    pub tol: f64,
}

impl Default for LogisticRegression {
    fn default() -> LogisticRegression {
        LogisticRegression {
            c: None,
            max_iter: 100,
            tol: 1e-10,
        }
    }
}

/// A fitted logistic regression: coefficients (intercept first) and their covariance.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticFit {
    /// Intercept, then one slope per column.
    pub coef: Vec<f64>,
    /// The covariance of `coef` (row-major, `(p + 1)²`): the inverse of the (penalised)
    /// observed information at the optimum.
    pub cov: Vec<f64>,
    /// Log-likelihood at the optimum.
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub ll_null: f64,
    /// Rows fitted.
    pub rows: usize,
    /// Newton steps taken.
    pub iterations: usize,
    /// Whether the stopping rule was met within `max_iter`.
    pub converged: bool,
}

impl LogisticRegression {
    /// Fits `labels` (0/1) on `x` (`rows × cols`, row-major, without the intercept column; `f32`
    /// or `f64`, computed in f64).
    ///
    /// ```
    /// use logit_models::LogisticRegression;
    /// let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0];
    /// let y = [0.0, 0.0, 1.0, 0.0, 1.0, 1.0];
    /// let fit = LogisticRegression::default().fit(&x, 6, 1, &y)?;
    /// assert!(fit.converged && fit.coef[1] > 0.0);
    /// assert!(fit.log_likelihood > fit.ll_null);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// Mismatched sizes, labels other than 0/1, non-finite values, a single class, a column
    /// that is a linear combination of the intercept and the columns before it (named by its
    /// index), or perfectly separated classes without a penalty.
    pub fn fit<T: Copy + Into<f64>>(
        &self,
        x: &[T],
        rows: usize,
        cols: usize,
        labels: &[f64],
    ) -> Result<LogisticFit> {
        let names: Vec<String> = (0..cols).map(|j| format!("column {j}")).collect();
        self.fit_named(x, rows, cols, labels, &names)
    }

    /// As [`LogisticRegression::fit`], naming the columns in its errors (a collinear term is
    /// reported as `'balance'`, not as an index).
    ///
    /// # Errors
    /// As [`LogisticRegression::fit`], or `names` not one per column.
    pub fn fit_named<T: Copy + Into<f64>>(
        &self,
        x: &[T],
        rows: usize,
        cols: usize,
        labels: &[f64],
        names: &[String],
    ) -> Result<LogisticFit> {
        self.check(x, rows, cols, labels)?;
        if names.len() != cols {
            return Err(Error::invalid(
                "LogisticRegression",
                format!("{cols} column names"),
                names.len().to_string(),
            ));
        }
        let collinear = |j: usize| collinear(j.checked_sub(1).map(|k| names[k].as_str()));
        let p = cols + 1;
        let design = |i: usize, j: usize| {
            if j == 0 {
                1.0
            } else {
                x[i * cols + j - 1].into()
            }
        };
        let mean_y = labels.iter().sum::<f64>() / rows as f64;
        let ll_null = rows as f64 * (mean_y * mean_y.ln() + (1.0 - mean_y) * (1.0 - mean_y).ln());
        let mut beta = vec![0.0; p];
        beta[0] = (mean_y / (1.0 - mean_y)).ln();
        let penalty = self.c.map_or(0.0, |c| 1.0 / c);
        let (mut iterations, mut converged) = (0, false);
        // separable classes have no maximum-likelihood point: any coefficients that classify
        // every row correctly prove it, whether Newton then stalls or its information vanishes
        let separated_at =
            |beta: &[f64]| penalty == 0.0 && separates(beta, labels, rows, p, &design);
        let factorise = |beta: &[f64]| {
            let (grad, hess) = gradient_hessian(beta, labels, rows, p, penalty, &design);
            match cholesky(&hess, p) {
                Ok(l) => Ok((grad, l)),
                Err(_) if separated_at(beta) => Err(separated()),
                Err(j) => Err(collinear(j)),
            }
        };
        while iterations < self.max_iter {
            iterations += 1;
            let (grad, l) = factorise(&beta)?;
            let step = solve(&l, p, &grad);
            beta.iter_mut().zip(&step).for_each(|(b, s)| *b += s);
            if beta.iter().any(|b| !b.is_finite()) || separated_at(&beta) {
                return Err(separated());
            }
            if step
                .iter()
                .all(|s| s.abs() <= self.tol * (1.0 + beta[0].abs()))
            {
                converged = true;
                break;
            }
        }
        let (_, factor) = factorise(&beta)?;
        let ll = log_likelihood(&beta, labels, rows, p, &design);
        Ok(LogisticFit {
            cov: inverse(&factor, p),
            coef: beta,
            log_likelihood: ll,
            ll_null,
            rows,
            iterations,
            converged,
        })
    }

    fn check<T: Copy + Into<f64>>(
        &self,
        x: &[T],
        rows: usize,
        cols: usize,
        labels: &[f64],
    ) -> Result<()> {
        let bad = |expected: String, got: String| {
            Err(Error::invalid("LogisticRegression", expected, got))
        };
        if x.len() != rows * cols || labels.len() != rows {
            return bad(
                format!("{rows} rows of {cols} values and {rows} labels"),
                format!("{} values and {} labels", x.len(), labels.len()),
            );
        }
        if let Some(l) = labels.iter().find(|&&l| l != 0.0 && l != 1.0) {
            return bad("labels 0 or 1".into(), l.to_string());
        }
        let positives = labels.iter().filter(|&&l| l == 1.0).count();
        if positives == 0 || positives == rows {
            return bad(
                "labels of both classes".into(),
                format!("{rows} rows of one class"),
            );
        }
        if x.iter().any(|&v| !v.into().is_finite()) {
            return bad("finite values".into(), "NaN or infinity".into());
        }
        if self.c.is_some_and(|c| !(c > 0.0 && c.is_finite())) || self.max_iter == 0 {
            return bad("a positive C and max_iter".into(), format!("{self:?}"));
        }
        Ok(())
    }
}

impl LogisticFit {
    /// Standard errors of the coefficients.
    pub fn std_err(&self) -> Vec<f64> {
        let p = self.coef.len();
        (0..p).map(|j| self.cov[j * p + j].sqrt()).collect()
    }

    /// Wald z statistics.
    pub fn z(&self) -> Vec<f64> {
        self.coef
            .iter()
            .zip(self.std_err())
            .map(|(c, s)| c / s)
            .collect()
    }

    /// Two-sided p-values of the z statistics under the normal.
    pub fn p_values(&self) -> Vec<f64> {
        self.z()
            .iter()
            .map(|z| libm::erfc(z.abs() / std::f64::consts::SQRT_2))
            .collect()
    }

    /// 95% Wald confidence intervals, `(low, high)` per coefficient.
    pub fn conf_int(&self) -> Vec<(f64, f64)> {
        self.coef
            .iter()
            .zip(self.std_err())
            .map(|(c, s)| (c - Z_975 * s, c + Z_975 * s))
            .collect()
    }

    /// McFadden's pseudo R²: `1 − ℓ / ℓ₀`.
    pub fn pseudo_r2(&self) -> f64 {
        1.0 - self.log_likelihood / self.ll_null
    }

    /// Akaike's information criterion, `−2ℓ + 2k`.
    pub fn aic(&self) -> f64 {
        -2.0 * self.log_likelihood + 2.0 * self.coef.len() as f64
    }

    /// The Bayesian information criterion, `−2ℓ + k·ln n`.
    pub fn bic(&self) -> f64 {
        -2.0 * self.log_likelihood + self.coef.len() as f64 * (self.rows as f64).ln()
    }
}

fn linear(beta: &[f64], i: usize, p: usize, design: &impl Fn(usize, usize) -> f64) -> f64 {
    (0..p).map(|j| beta[j] * design(i, j)).sum()
}

/// `Σ y·z − log(1 + eᶻ)`, written so neither large logit overflows.
fn log_likelihood(
    beta: &[f64],
    y: &[f64],
    rows: usize,
    p: usize,
    design: &impl Fn(usize, usize) -> f64,
) -> f64 {
    (0..rows)
        .map(|i| {
            let z = linear(beta, i, p, design);
            let softplus = z.max(0.0) + (-z.abs()).exp().ln_1p();
            y[i] * z - softplus
        })
        .sum()
}

fn separates(
    beta: &[f64],
    y: &[f64],
    rows: usize,
    p: usize,
    design: &impl Fn(usize, usize) -> f64,
) -> bool {
    (0..rows).all(|i| (linear(beta, i, p, design) > 0.0) == (y[i] == 1.0))
}

/// The penalised score and observed information (`XᵀWX + I/C` on the slopes).
fn gradient_hessian(
    beta: &[f64],
    y: &[f64],
    rows: usize,
    p: usize,
    penalty: f64,
    design: &impl Fn(usize, usize) -> f64,
) -> (Vec<f64>, Vec<f64>) {
    let (mut g, mut h) = (vec![0.0; p], vec![0.0; p * p]);
    let mut row = vec![0.0; p];
    for i in 0..rows {
        row.iter_mut()
            .enumerate()
            .for_each(|(j, r)| *r = design(i, j));
        let z: f64 = row.iter().zip(beta).map(|(a, b)| a * b).sum();
        let mu = 1.0 / (1.0 + (-z).exp());
        let w = mu * (1.0 - mu);
        for a in 0..p {
            g[a] += (y[i] - mu) * row[a];
            for b in 0..=a {
                h[a * p + b] += w * row[a] * row[b];
            }
        }
    }
    for a in 1..p {
        g[a] -= penalty * beta[a];
        h[a * p + a] += penalty;
    }
    for a in 0..p {
        for b in 0..a {
            h[b * p + a] = h[a * p + b];
        }
    }
    (g, h)
}

/// The Cholesky factor `L` (row-major, lower) of `h`, or the index of the first column whose
/// pivot is negligible against its own diagonal: `L_jj² / h_jj` is the share of column j the
/// columns before it do not explain (in the weighted metric), which names a collinear term —
/// the reason this is written out rather than taken from a linear-algebra crate.
fn cholesky(h: &[f64], p: usize) -> std::result::Result<Vec<f64>, usize> {
    let mut l = vec![0.0; p * p];
    for j in 0..p {
        let d = h[j * p + j] - (0..j).map(|k| l[j * p + k] * l[j * p + k]).sum::<f64>();
        if !(d > 1e-10 * h[j * p + j]) {
            return Err(j);
        }
        let djj = d.sqrt();
        l[j * p + j] = djj;
        for i in j + 1..p {
            let s = h[i * p + j] - (0..j).map(|k| l[i * p + k] * l[j * p + k]).sum::<f64>();
            l[i * p + j] = s / djj;
        }
    }
    Ok(l)
}

/// `x` with `L Lᵀ x = b`.
fn solve(l: &[f64], p: usize, b: &[f64]) -> Vec<f64> {
    let mut y = vec![0.0; p];
    for i in 0..p {
        y[i] = (b[i] - (0..i).map(|k| l[i * p + k] * y[k]).sum::<f64>()) / l[i * p + i];
    }
    let mut x = vec![0.0; p];
    for i in (0..p).rev() {
        x[i] = (y[i] - (i + 1..p).map(|k| l[k * p + i] * x[k]).sum::<f64>()) / l[i * p + i];
    }
    x
}

fn inverse(l: &[f64], p: usize) -> Vec<f64> {
    let mut inv = vec![0.0; p * p];
    for c in 0..p {
        let e: Vec<f64> = (0..p).map(|i| f64::from(u8::from(i == c))).collect();
        for (r, v) in solve(l, p, &e).into_iter().enumerate() {
            inv[r * p + c] = v;
        }
    }
    inv
}

fn collinear(name: Option<&str>) -> Error {
    let which = name.map_or("the intercept".to_string(), |n| format!("'{n}'"));
    Error::invalid(
        "LogisticRegression",
        "columns that are not linear combinations of the intercept and each other",
        format!("{which} is one (collinear: drop it)"),
    )
}

fn separated() -> Error {
    Error::invalid(
        "LogisticRegression",
        "classes that overlap (finite maximum-likelihood coefficients)",
        "perfect separation: the columns split the classes exactly, so the unpenalised \
         coefficients grow without bound (add an L2 penalty or drop the separating column)",
    )
}
