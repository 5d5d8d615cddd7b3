//! `model.json`: everything besides the weights that turns a CSV row into a probability.

use std::path::Path;

use logit_core::{Error, Result, Tensor};
use logit_data::Calibrator;
use logit_models::{Activation, Mlp};
use logit_nn::{Module, ModuleIo};
use serde::{Deserialize, Serialize};

use logit_data::Encoding;

/// The format tag written into every model folder.
pub const FORMAT: &str = "logit-model/2";

/// The largest network a `model.json` may describe.
pub const MAX_PARAMETERS: usize = 50_000_000;

/// The contents of `model.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelConfig {
    /// Always [`FORMAT`].
    pub format: String,
    /// Hidden layer sizes of the MLP (ReLU between layers, one logit out).
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
        c.validate().map_err(|m| Error::Parse {
            path: source.to_path_buf(),
            line: 0,
            column: 0,
            message: m,
        })?;
        Ok(c)
    }

    fn validate(&self) -> std::result::Result<(), String> {
        if self.format != FORMAT {
            return Err(format!("format '{}', expected '{FORMAT}'", self.format));
        }
        let width = self.encoding.width();
        if width == 0
            || self.hidden.is_empty()
            || self.hidden.iter().any(|&h| h == 0 || h > 1 << 16)
        {
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

    /// Standardises a `[rows, features]` batch with the stored statistics.
    ///
    /// # Errors
    /// When the batch has another width.
    pub fn scale(&self, x: &[f32], rows: usize) -> Result<Tensor> {
        let f = self.scaler_mean.len();
        if x.len() != rows * f {
            return Err(Error::invalid(
                "scale",
                format!("{rows} rows of {f} features"),
                format!("{} values", x.len()),
            ));
        }
        let v: Vec<f32> = x
            .chunks(f.max(1))
            .flat_map(|r| {
                r.iter()
                    .zip(&self.scaler_mean)
                    .zip(&self.scaler_scale)
                    .map(|((x, m), s)| ((*x as f64 - m) / s) as f32)
                    .collect::<Vec<_>>()
            })
            .collect();
        Tensor::from_vec(v, &[rows, f])
    }
}

/// A loaded model folder: config and network.
pub struct LoadedModel {
    /// `model.json`.
    pub config: ModelConfig,
    /// The MLP with its trained weights.
    pub net: Mlp,
}

impl LoadedModel {
    /// Reads `DIR/model.json` and `DIR/weights.safetensors`.
    ///
    /// # Errors
    /// A missing folder or file, an invalid config, or weights that do not fit it.
    pub fn open(dir: &Path) -> Result<LoadedModel> {
        if !dir.is_dir() {
            return Err(Error::invalid(
                format!("{}", dir.display()),
                "a model folder written by `logit train`",
                "no such folder",
            ));
        }
        let cfg_path = dir.join("model.json");
        let text = std::fs::read_to_string(&cfg_path).map_err(|e| Error::io(&cfg_path, e))?;
        let config = ModelConfig::from_json(&text, &cfg_path)?;
        let net = config.build_model()?;
        net.load(dir.join("weights.safetensors"))?;
        net.eval();
        Ok(LoadedModel { config, net })
    }

    /// The whole prediction as one module, for export: standardisation, the MLP and the
    /// calibration, from encoded features to the calibrated probability.
    ///
    /// # Errors
    /// Never for a loaded model.
    pub fn into_pipeline(self) -> Result<Pipeline> {
        let (a, b) = self.config.calibration.affine().ok_or_else(|| {
            Error::invalid(
                "export",
                "a calibration of the form σ(a·z + b) (none, temperature or platt)",
                "isotonic calibration, which has no ONNX form here",
            )
        })?;
        let stat = |v: &[f64]| Tensor::from_vec(v.to_vec(), &[v.len()]).map(|t| t.float());
        Ok(Pipeline {
            mean: stat(&self.config.scaler_mean)?,
            scale: stat(&self.config.scaler_scale)?,
            calibration: (a, b),
            model: self,
        })
    }

    /// Calibrated probabilities of a raw feature batch.
    ///
    /// # Errors
    /// When the batch has another width.
    pub fn predict(&self, x: &[f32], rows: usize) -> Result<Vec<f64>> {
        let _g = logit_core::no_grad();
        let logits = self.net.forward(&self.config.scale(x, rows)?)?.to_vec_f64();
        Ok(self.config.calibration.transform(&logits))
    }
}

/// [`LoadedModel::into_pipeline`]: `σ(a·net((x − mean) / scale) + b)` over `[rows, features]`.
pub struct Pipeline {
    mean: Tensor,
    scale: Tensor,
    calibration: (f64, f64),
    model: LoadedModel,
}

impl logit_nn::Visit for Pipeline {
    fn visit<'m>(&'m self, v: &mut logit_nn::Visitor<'_, 'm>) {
        v.module("net", &self.model.net);
    }
}

impl Module for Pipeline {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let z = self
            .model
            .net
            .forward(&x.sub(&self.mean)?.div(&self.scale)?)?;
        let (a, b) = self.calibration;
        Ok(z.mul_scalar(a).add_scalar(b).sigmoid())
    }
}
