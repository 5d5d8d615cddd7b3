//! [`TabularModel`]: a trained table model (config and network) that scores encoded rows,
//! evaluates a labelled CSV stream, and becomes one exportable module.

use logit_core::{no_grad, Error, Result, Tensor};
use logit_data::{metrics, EncodedStream, Table};
use logit_models::Mlp;
use logit_nn::Module;

use crate::config::ModelConfig;

/// A [`ModelConfig`] with its network: raw encoded features in, calibrated probabilities out.
pub struct TabularModel {
    /// The encoding, scaler, calibration and threshold.
    pub config: ModelConfig,
    /// The network (an MLP; without hidden layers, a logistic regression).
    pub net: Mlp,
    mean: Tensor,
    scale: Tensor,
}

impl TabularModel {
    /// The model a config describes, with fresh weights (load trained ones into `net`).
    ///
    /// # Errors
    /// A config whose fields disagree ([`ModelConfig::validate`]).
    pub fn new(config: ModelConfig) -> Result<TabularModel> {
        let net = config.build_model()?;
        TabularModel::with_net(config, net)
    }

    /// A config with its trained network.
    ///
    /// # Errors
    /// As [`TabularModel::new`].
    pub fn with_net(config: ModelConfig, net: Mlp) -> Result<TabularModel> {
        config.validate()?;
        let stat = |v: &[f64]| Tensor::from_vec(v.to_vec(), &[v.len()]).map(|t| t.float());
        Ok(TabularModel {
            mean: stat(&config.scaler_mean)?,
            scale: stat(&config.scaler_scale)?,
            config,
            net,
        })
    }

    /// Logits `[rows, 1]` of raw (unstandardised) features `[rows, width]`: the scaler, then
    /// the network. Prediction and the exported graph both go through here.
    ///
    /// # Errors
    /// When `x` has another width.
    pub fn logits(&self, x: &Tensor) -> Result<Tensor> {
        self.net.forward(&x.sub(&self.mean)?.div(&self.scale)?)
    }

    /// Calibrated probabilities of `rows` rows of raw features.
    ///
    /// # Errors
    /// When the batch has another width.
    pub fn predict(&self, features: &[f32], rows: usize) -> Result<Vec<f64>> {
        let width = self.config.encoding.width();
        if features.len() != rows * width {
            return Err(Error::invalid(
                "predict",
                format!("{rows} rows of {width} features"),
                format!("{} values", features.len()),
            ));
        }
        let _g = no_grad();
        let x = Tensor::from_vec(features.to_vec(), &[rows, width])?;
        let logits = self.logits(&x)?.to_vec_f64();
        Ok(self.config.calibration.transform(&logits))
    }

    /// Calibrated probabilities of every row of `table` (a Parquet file read whole).
    ///
    /// # Errors
    /// A table without the model's columns or with a bad cell.
    pub fn predict_table(&self, table: &Table) -> Result<Vec<f64>> {
        let rows: Vec<usize> = (0..table.len()).collect();
        let x = self.config.encoding.features(table, &rows)?;
        let _g = no_grad();
        let logits = self.logits(&x)?.to_vec_f64();
        Ok(self.config.calibration.transform(&logits))
    }

    /// As [`TabularModel::evaluate`] for a table in memory.
    ///
    /// # Errors
    /// A table without the model's columns or the label column, or with a bad cell.
    pub fn evaluate_table(&self, table: &Table) -> Result<Vec<(String, f64)>> {
        let rows: Vec<usize> = (0..table.len()).collect();
        let (x, y) = self.config.encoding.transform(table, &rows)?;
        let _g = no_grad();
        let probs = self
            .config
            .calibration
            .transform(&self.logits(&x)?.to_vec_f64());
        self.report(&probs, &y.to_vec_f64())
    }

    fn report(&self, probs: &[f64], labels: &[f64]) -> Result<Vec<(String, f64)>> {
        if probs.is_empty() {
            return Err(Error::invalid("evaluate", "labelled rows", "no data rows"));
        }
        let t = self.config.threshold;
        let mut rows = vec![("rows".to_string(), probs.len() as f64)];
        rows.extend(metrics::report(probs, labels, t)?);
        rows.push(("threshold".into(), t));
        Ok(rows)
    }

    /// The metric table (rows, scikit-learn's metrics at the stored threshold, the threshold)
    /// of a labelled CSV stream.
    ///
    /// # Errors
    /// A file without the label column or without rows, or a bad row in it.
    pub fn evaluate<R: std::io::Read>(
        &self,
        stream: EncodedStream<'_, R>,
    ) -> Result<Vec<(String, f64)>> {
        if !stream.has_labels() {
            return Err(Error::invalid(
                "evaluate",
                format!("the label column '{}'", self.config.encoding.target),
                format!("columns {:?}", stream.headers()),
            ));
        }
        let (mut probs, mut labels) = (Vec::new(), Vec::new());
        for chunk in stream {
            let chunk = chunk?;
            probs.extend(self.predict(&chunk.features, chunk.len())?);
            labels.extend(chunk.labels.iter().map(|&l| f64::from(l)));
        }
        self.report(&probs, &labels)
    }

    /// The whole prediction as one module, for export: `σ(a·logits(x) + b)`.
    ///
    /// # Errors
    /// An isotonic calibration, which is not of that form.
    pub fn into_pipeline(self) -> Result<Pipeline> {
        let calibration = self.config.calibration.affine().ok_or_else(|| {
            Error::invalid(
                "export",
                "a calibration of the form σ(a·z + b) (none, temperature or platt)",
                "isotonic calibration, which has no ONNX form here",
            )
        })?;
        Ok(Pipeline {
            calibration,
            model: self,
        })
    }
}

/// [`TabularModel::into_pipeline`]: raw features `[rows, width]` to calibrated probabilities.
pub struct Pipeline {
    calibration: (f64, f64),
    model: TabularModel,
}

impl logit_nn::Visit for Pipeline {
    fn visit<'m>(&'m self, v: &mut logit_nn::Visitor<'_, 'm>) {
        v.module("net", &self.model.net);
    }
}

impl Module for Pipeline {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let (a, b) = self.calibration;
        Ok(self.model.logits(x)?.mul_scalar(a).add_scalar(b).sigmoid())
    }
}
