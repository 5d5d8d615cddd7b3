//! # logit-tabular
//!
//! What `logit train` does, as a library: a CSV [`Table`](logit_data::Table) becomes a
//! calibrated risk model ([`train`]) — the encoding (label mapping, one-hot, imputation), a
//! stratified validation split, standardisation, an MLP fitted with early stopping, the
//! calibration and the decision threshold. The [`TabularModel`] it returns scores encoded
//! rows, evaluates a labelled CSV stream, serialises as a [`ModelConfig`] plus weights, and
//! becomes one module for ONNX export.
//!
//! ```
//! use logit_data::Table;
//! use logit_tabular::{train, CalibrateKind, TabularOptions};
//! let table = Table::open(concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/pima_diabetes.csv").as_ref())?;
//! let options = TabularOptions { calibrate: CalibrateKind::Platt, epochs: Some(20), ..Default::default() };
//! let trained = train(table, "test", &options, None)?;
//! let metrics = trained.test_metrics.as_ref().unwrap();
//! let auc = metrics.iter().find(|(k, _)| k == "roc_auc").unwrap().1;
//! assert!(auc > 0.75, "{auc}");
//! # Ok::<(), logit_core::Error>(())
//! ```

mod candidate;
mod coefficients;
mod config;
mod cv;
mod model;
mod options;
mod parts;
mod prepared;
mod refit;
mod train;

pub use coefficients::{Coefficients, Term};
pub use config::{ModelConfig, FORMAT, MAX_PARAMETERS};
pub use cv::{CvScore, CV_MAX_ROWS};
pub use model::{Pipeline, TabularModel};
pub use options::{
    CalibrateKind, LossKind, ModelKind, OptimizerKind, PosWeight, TabularOptions, ROW_BUDGET,
};
pub use parts::Parts;
pub use refit::REFIT_MAX_ROWS;
pub use train::{train, CandidateScore, Scored, Trained};
