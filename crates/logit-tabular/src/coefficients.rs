//! [`Coefficients`]: a logistic regression's statsmodels-style summary in the table's own
//! units, with its terms named as statsmodels' formula API names them.

use logit_data::{ColumnSpec, Encoding};
use logit_models::LogisticFit;
use serde::{Deserialize, Serialize};

/// One row of the coefficient table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
    /// `Intercept`, a numeric column's name, or `column[T.level]` for a level of a text column
    /// against its reference (the alphabetically first level).
    pub term: String,
    /// The coefficient (log-odds per unit of the column).
    pub coef: f64,
    /// Its standard error.
    pub std_err: f64,
    /// Wald z.
    pub z: f64,
    /// Two-sided p-value.
    pub p_value: f64,
    /// 95% interval, low end.
    pub ci_low: f64,
    /// 95% interval, high end.
    pub ci_high: f64,
}

impl Term {
    /// `exp(coef)`: the odds ratio for one unit more (or for the level against the reference).
    pub fn odds_ratio(&self) -> f64 {
        self.coef.exp()
    }
}

/// A fitted logistic regression summarised as statsmodels' `Logit(...).fit().summary()`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coefficients {
    /// Intercept first, then the text columns' levels, then the numeric columns, in
    /// statsmodels' (patsy's) order.
    pub terms: Vec<Term>,
    /// Log-likelihood.
    pub log_likelihood: f64,
    /// Log-likelihood of the intercept-only model.
    pub ll_null: f64,
    /// McFadden's pseudo R².
    pub pseudo_r2: f64,
    /// Akaike's information criterion.
    pub aic: f64,
    /// The Bayesian information criterion.
    pub bic: f64,
    /// Rows fitted.
    pub rows: usize,
    /// Newton steps.
    pub iterations: usize,
    /// Whether Newton's stopping rule was met.
    pub converged: bool,
}

/// Term names in feature order (statsmodels' spelling): `col[T.level]` for a level against
/// its column's reference, `col[level]` for every level of a fully one-hot column.
pub(crate) fn term_names(encoding: &Encoding) -> Vec<String> {
    encoding
        .columns
        .iter()
        .flat_map(|c| match c {
            ColumnSpec::Numeric { name, .. } => vec![name.clone()],
            ColumnSpec::Categorical {
                name, drop_first, ..
            } => {
                let t = if *drop_first { "T." } else { "" };
                c.levels()
                    .iter()
                    .map(|k| format!("{name}[{t}{k}]"))
                    .collect()
            }
        })
        .collect()
}

/// What a logistic regression on an encoding's features needs to know about them: a
/// penalised fit takes every one-hot level (the penalty shrinks each level toward the mean, as
/// scikit-learn's does), an unpenalised one leaves out each text column's reference level
/// (which the intercept already spans) and is named by treatment coding.
pub(crate) struct Design {
    /// Every feature's term name.
    pub names: Vec<String>,
    /// The feature columns an unpenalised fit leaves out: each fully one-hot text column's
    /// first level.
    pub reference: Vec<usize>,
    /// The term names of the other columns, under treatment coding.
    pub treatment_names: Vec<String>,
}

impl Design {
    pub(crate) fn of(encoding: &Encoding) -> Design {
        let mut reference = Vec::new();
        let mut at = 0;
        for c in &encoding.columns {
            if let ColumnSpec::Categorical {
                drop_first: false, ..
            } = c
            {
                if c.width() > 0 {
                    reference.push(at);
                }
            }
            at += c.width();
        }
        Design {
            names: term_names(encoding),
            reference,
            treatment_names: term_names(&encoding.clone().with_reference_levels()),
        }
    }

    /// The columns a fit with penalty `c` uses.
    pub(crate) fn columns(&self, c: Option<f64>) -> Vec<usize> {
        let drop: &[usize] = if c.is_none() { &self.reference } else { &[] };
        (0..self.names.len())
            .filter(|j| !drop.contains(j))
            .collect()
    }

    /// Their term names.
    pub(crate) fn names(&self, c: Option<f64>) -> &[String] {
        if c.is_none() {
            &self.treatment_names
        } else {
            &self.names
        }
    }
}

impl Coefficients {
    /// The summary of `fit` (made on features standardised with `mean`/`scale`) in the
    /// original units: `β_j / s_j` for the slopes, `β₀ − Σ β_j m_j / s_j` for the intercept,
    /// and the covariance carried through the same linear map. A fit with one coefficient
    /// fewer per text column than `encoding` has features is the unpenalised one, which left
    /// out each text column's first level: its terms are named against that reference.
    pub fn new(
        fit: &LogisticFit,
        encoding: &Encoding,
        mean: &[f64],
        scale: &[f64],
    ) -> Coefficients {
        let reduced: (Encoding, Vec<f64>, Vec<f64>);
        let (encoding, mean, scale) = if fit.coef.len() == encoding.width() + 1 {
            (encoding, mean, scale)
        } else {
            // the unpenalised fit left out the reference levels
            let keep = Design::of(encoding).columns(None);
            reduced = (
                encoding.clone().with_reference_levels(),
                keep.iter().map(|&j| mean[j]).collect(),
                keep.iter().map(|&j| scale[j]).collect(),
            );
            (&reduced.0, &reduced.1[..], &reduced.2[..])
        };
        let p = fit.coef.len();
        // raw = A · standardised
        let mut a = vec![0.0; p * p];
        a[0] = 1.0;
        for j in 1..p {
            a[j * p + j] = 1.0 / scale[j - 1];
            a[j] = -mean[j - 1] / scale[j - 1];
        }
        let apply = |m: &[f64], right: bool| -> Vec<f64> {
            // A·m, or m·Aᵀ
            let mut out = vec![0.0; p * p];
            for r in 0..p {
                for c in 0..p {
                    out[r * p + c] = (0..p)
                        .map(|k| {
                            if right {
                                m[r * p + k] * a[c * p + k]
                            } else {
                                a[r * p + k] * m[k * p + c]
                            }
                        })
                        .sum();
                }
            }
            out
        };
        let raw = LogisticFit {
            coef: (0..p)
                .map(|r| (0..p).map(|k| a[r * p + k] * fit.coef[k]).sum())
                .collect(),
            cov: apply(&apply(&fit.cov, false), true),
            ..fit.clone()
        };
        let names = std::iter::once("Intercept".to_string()).chain(term_names(encoding));
        let text: Vec<bool> = std::iter::once(false)
            .chain(encoding.columns.iter().flat_map(|c| {
                let is_text = matches!(c, ColumnSpec::Categorical { .. });
                std::iter::repeat_n(is_text, c.width())
            }))
            .collect();
        let (se, z, pv, ci) = (raw.std_err(), raw.z(), raw.p_values(), raw.conf_int());
        let mut terms: Vec<(bool, Term)> = names
            .enumerate()
            .map(|(j, term)| {
                let categorical = text[j];
                let t = Term {
                    term,
                    coef: raw.coef[j],
                    std_err: se[j],
                    z: z[j],
                    p_value: pv[j],
                    ci_low: ci[j].0,
                    ci_high: ci[j].1,
                };
                (categorical, t)
            })
            .collect();
        // patsy puts the terms made of text columns before the numeric ones
        let intercept = terms.remove(0).1;
        terms.sort_by_key(|(categorical, _)| !categorical);
        Coefficients {
            terms: std::iter::once(intercept)
                .chain(terms.into_iter().map(|t| t.1))
                .collect(),
            log_likelihood: fit.log_likelihood,
            ll_null: fit.ll_null,
            pseudo_r2: fit.pseudo_r2(),
            aic: fit.aic(),
            bic: fit.bic(),
            rows: fit.rows,
            iterations: fit.iterations,
            converged: fit.converged,
        }
    }

    /// The table as CSV: `term,coef,std_err,z,p_value,ci_low,ci_high,odds_ratio`.
    pub fn to_csv(&self) -> String {
        let mut s = String::from("term,coef,std_err,z,p_value,ci_low,ci_high,odds_ratio\n");
        for t in &self.terms {
            let name = if t.term.contains([',', '"', '\n']) {
                format!("\"{}\"", t.term.replace('"', "\"\""))
            } else {
                t.term.clone()
            };
            s += &format!(
                "{name},{},{},{},{},{},{},{}\n",
                t.coef,
                t.std_err,
                t.z,
                t.p_value,
                t.ci_low,
                t.ci_high,
                t.odds_ratio()
            );
        }
        s
    }

    /// The fit statistics as `(name, value)` rows.
    pub fn statistics(&self) -> Vec<(String, f64)> {
        vec![
            ("log_likelihood".into(), self.log_likelihood),
            ("ll_null".into(), self.ll_null),
            ("pseudo_r2".into(), self.pseudo_r2),
            ("aic".into(), self.aic),
            ("bic".into(), self.bic),
            ("iterations".into(), self.iterations as f64),
            ("converged".into(), f64::from(u8::from(self.converged))),
        ]
    }
}
