//! [`ModelConfig`]: everything besides the weights that turns a CSV row into a probability
//! (a model folder's `model.json`), and its validation as untrusted input.

use std::path::Path;

use logit_core::{Error, Result};
use logit_data::{Calibrator, Encoding};
use logit_models::{Activation, Mlp};
use serde::{Deserialize, Serialize};

/// The format tag of every [`ModelConfig`].
pub const FORMAT: &str = "logit-model/2";

/// The largest network a `model.json` may describe.
pub const MAX_PARAMETERS: usize = 50_000_000;

/// The contents of `model.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelConfig {
    /// Always [`FORMAT`].
    pub format: String,
    /// Hidden layer sizes of the MLP (ReLU between layers, one logit out); none for a
    /// logistic regression.
    pub hidden: Vec<usize>,
    /// The training loss (`bce`, `bce-with-logits` or `focal`).
    pub loss: String,
    /// CSV columns to features.
    pub encoding: Encoding,
    /// Standardisation mean per feature (training split).
    pub scaler_mean: Vec<f64>,
    /// Standardisation scale per feature (training split).
    pub scaler_scale: Vec<f64>,
    /// Logits to probabilities.
    pub calibration: Calibrator,
    /// Decision threshold on the calibrated probability.
    pub threshold: f64,
    /// How the threshold was chosen (`0.5`, `youden`, `precision=0.9`, …).
    pub threshold_rule: String,
}

impl ModelConfig {
    /// Parses and validates `model.json` text.
    ///
    /// # Errors
    /// Malformed JSON, another format, or fields that disagree (feature counts, sizes,
    /// non-finite statistics, a threshold outside `[0, 1]`).
    pub fn from_json(text: &str, source: &Path) -> Result<ModelConfig> {
        let c: ModelConfig = serde_json::from_str(text).map_err(|e| Error::Parse {
            path: source.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: format!("not a logit model.json: {e}"),
        })?;
        c.problem().map_err(|m| Error::Parse {
            path: source.to_path_buf(),
            line: 0,
            column: 0,
            message: m,
        })?;
        Ok(c)
    }

    /// Checks that the fields agree (a config is untrusted input: it may come from a file).
    ///
    /// # Errors
    /// As [`ModelConfig::from_json`], naming the first disagreement.
    pub fn validate(&self) -> Result<()> {
        self.problem()
            .map_err(|m| Error::invalid("model config", "fields that agree", m))
    }

    fn problem(&self) -> std::result::Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format '{}', expected '{FORMAT}'", self.format));
        }
        let width = self.encoding.width();
        if width == 0 || self.hidden.iter().any(|&h| h == 0 || h > 1 << 16) {
            return Err(format!(
                "inconsistent architecture: {width} features, hidden {:?}",
                self.hidden
            ));
        }
        // a config is untrusted input: refuse networks too large to allocate
        let mut params = 0usize;
        let mut fin = width;
        for &h in self.hidden.iter().chain(std::iter::once(&1)) {
            params = params.saturating_add(fin.saturating_mul(h).saturating_add(h));
            fin = h;
        }
        if params > MAX_PARAMETERS {
            return Err(format!(
                "the network would have {params} parameters (at most {MAX_PARAMETERS})"
            ));
        }
        if self.scaler_mean.len() != width || self.scaler_scale.len() != width {
            return Err(format!(
                "{width} features but scaler statistics for {} and {}",
                self.scaler_mean.len(),
                self.scaler_scale.len()
            ));
        }
        let finite = self
            .scaler_mean
            .iter()
            .chain(&self.scaler_scale)
            .all(|v| v.is_finite())
            && self.scaler_scale.iter().all(|&s| s > 0.0);
        if !finite {
            return Err("scaler statistics must be finite with positive scales".into());
        }
        if !(0.0..=1.0).contains(&self.threshold) || !self.calibration.is_valid() {
            return Err(format!(
                "threshold {} or calibration {:?} out of range",
                self.threshold, self.calibration
            ));
        }
        for c in &self.encoding.columns {
            if let logit_data::ColumnSpec::Categorical { categories, .. } = c {
                if categories.is_empty() || categories.len() > logit_data::MAX_CATEGORIES {
                    return Err(format!(
                        "column '{}' has {} categories",
                        c.name(),
                        categories.len()
                    ));
                }
            }
        }
        Ok(())
    }

    /// The MLP this config describes, with fresh weights.
    ///
    /// # Errors
    /// Never for a validated config.
    pub fn build_model(&self) -> Result<Mlp> {
        Mlp::new(self.encoding.width(), &self.hidden, Activation::ReLU, 0.0)
    }
}
