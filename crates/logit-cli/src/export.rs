//! `logit export`: a model folder as one ONNX graph, from encoded features to the calibrated
//! probability.

use std::path::Path;

use logit_core::{Result, Tensor};
use logit_onnx::proto::StringStringEntryProto;

/// Writes `DIR`'s model to `output` and returns the feature names in the order the graph's
/// input columns take them (also stored in the file's metadata as `features`, one per line).
///
/// # Errors
/// A folder [`crate::folder::open`] refuses, or a file that cannot be written.
pub fn export(dir: &Path, output: &Path) -> Result<Vec<String>> {
    let model = crate::folder::open(dir)?;
    let features = model.config.encoding.feature_names();
    let example = Tensor::zeros(&[1, features.len()]);
    let mut proto = logit_onnx::to_model(&model.into_pipeline()?, &example)?;
    proto.doc_string = format!(
        "logit model from {}: input [batch, {}] encoded features (see metadata `features` \
         and model.json's encoding), output [batch, 1] calibrated probability",
        dir.display(),
        features.len()
    );
    proto.metadata_props.push(StringStringEntryProto {
        key: "features".into(),
        value: features.join("\n"),
    });
    logit_onnx::save(&proto, output)?;
    Ok(features)
}
