//! The model folder: `model.json`, `weights.safetensors` and `report/`, written atomically
//! (built in a temporary sibling folder, then renamed) and read back.

use std::path::Path;

use logit_core::{Error, Result};
use logit_nn::{Module, ModuleIo};
use logit_tabular::{ModelConfig, Scored, TabularModel};

/// What goes into `report/`.
pub struct Report<'a> {
    /// Metric table rows.
    pub metrics: &'a [(String, f64)],
    /// Training loss per epoch.
    pub train_curve: &'a [f64],
    /// Validation loss per epoch.
    pub val_curve: &'a [f64],
    /// The validation split as the model scores it.
    pub scored: &'a Scored,
}

/// Reads `DIR/model.json` and `DIR/weights.safetensors`, in eval mode.
///
/// # Errors
/// A missing folder or file, an invalid config, or weights that do not fit it.
pub fn open(dir: &Path) -> Result<TabularModel> {
    if !dir.is_dir() {
        return Err(Error::invalid(
            format!("{}", dir.display()),
            "a model folder written by `logit train`",
            "no such folder",
        ));
    }
    let cfg_path = dir.join("model.json");
    let text = std::fs::read_to_string(&cfg_path).map_err(|e| Error::io(&cfg_path, e))?;
    let model = TabularModel::new(ModelConfig::from_json(&text, &cfg_path)?)?;
    model.net.load(dir.join("weights.safetensors"))?;
    model.net.eval();
    Ok(model)
}

fn io(p: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(p, e)
}

/// The metrics as a Markdown table.
pub fn metrics_table(rows: &[(String, f64)]) -> String {
    let mut s = String::from("| metric | value |\n| --- | --- |\n");
    for (k, v) in rows {
        s += &format!("| {k} | {v:.4} |\n");
    }
    s
}

/// Writes `weights.safetensors`, `model.json` and `report/` into `out`, replacing an existing
/// folder only once the new one is complete.
///
/// # Errors
/// I/O errors naming the path; nothing is left under `out` then (an older folder stays).
pub fn write_model_folder(out: &Path, model: &TabularModel, r: &Report<'_>) -> Result<()> {
    let config = &model.config;
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io(parent))?;
    let name = out
        .file_name()
        .ok_or_else(|| Error::invalid("--out", "a folder path", out.display().to_string()))?
        .to_string_lossy()
        .to_string();
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> Result<()> {
        let _ = std::fs::remove_dir_all(&tmp);
        let report = tmp.join("report");
        std::fs::create_dir_all(&report).map_err(io(&report))?;
        model.net.save(tmp.join("weights.safetensors"))?;
        let json = serde_json::to_string_pretty(config)
            .map_err(|e| Error::invalid("model.json", "serialisable", e.to_string()))?;
        std::fs::write(tmp.join("model.json"), json).map_err(io(&tmp))?;
        let mut md = format!("# Validation report\n\nTarget `{}` (positive: `{}`), loss `{}`, hidden {:?}, threshold rule `{}`, calibration `{}`.\n\n", config.encoding.target, config.encoding.positive, config.loss, config.hidden, config.threshold_rule, config.calibration.name());
        md += &metrics_table(r.metrics);
        md += "\nFigures: loss.png, roc.png, reliability.png.\n";
        std::fs::write(report.join("metrics.md"), md).map_err(io(&report))?;
        logit_plot::loss_curves(
            report.join("loss.png"),
            &[("training", r.train_curve), ("validation", r.val_curve)],
            "Loss per epoch",
        )?;
        let (probs, labels) = (&r.scored.probs, &r.scored.labels);
        if let Ok((fpr, tpr, _)) = logit_data::metrics::roc_curve(probs, labels) {
            let auc = logit_data::metrics::roc_auc(probs, labels)?;
            logit_plot::roc_curve(report.join("roc.png"), &fpr, &tpr, auc)?;
        }
        let curve = logit_data::calibration_curve(probs, labels, 10)?;
        logit_plot::reliability_diagram(
            report.join("reliability.png"),
            &curve.prob_pred,
            &curve.prob_true,
        )?;
        Ok(())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    // swap: move an old folder aside, move the new one in, then delete the old one
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(io(out))?;
    }
    if let Err(e) = std::fs::rename(&tmp, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(Error::io(out, e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}
