//! The model folder: `model.json`, `weights.safetensors` and `report/`, written atomically
//! (built in a temporary sibling folder, then renamed) and read back.

use std::path::Path;

use logit_core::{Error, Result};
use logit_nn::{Module, ModuleIo};
use logit_tabular::{ModelConfig, TabularModel, Trained};

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
pub fn write_model_folder(out: &Path, t: &Trained) -> Result<()> {
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
    let _ = std::fs::remove_dir_all(&tmp);
    if let Err(e) = write_contents(&tmp, t) {
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

/// The folder's files, into `dir`.
fn write_contents(dir: &Path, t: &Trained) -> Result<()> {
    let config = &t.model.config;
    let report = dir.join("report");
    std::fs::create_dir_all(&report).map_err(io(&report))?;
    t.model.net.save(dir.join("weights.safetensors"))?;
    let json = serde_json::to_string_pretty(config)
        .map_err(|e| Error::invalid("model.json", "serialisable", e.to_string()))?;
    std::fs::write(dir.join("model.json"), json).map_err(io(dir))?;
    std::fs::write(report.join("metrics.md"), report_markdown(t)).map_err(io(&report))?;
    if let Some(c) = &t.coefficients {
        std::fs::write(report.join("coefficients.csv"), c.to_csv()).map_err(io(&report))?;
    }
    let curves: Vec<(String, Vec<f64>)> = t
        .candidates
        .iter()
        .filter(|c| !c.history.is_empty())
        .flat_map(|c| {
            [
                (format!("{} training", c.name), c.history.train_losses()),
                (format!("{} validation", c.name), c.history.val_losses()),
            ]
        })
        .filter(|(_, v)| v.iter().all(|x| x.is_finite()))
        .collect();
    if !curves.is_empty() {
        let series: Vec<(&str, &[f64])> = curves
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        logit_plot::loss_curves(report.join("loss.png"), &series, "Loss per epoch")?;
    }
    // the figures show the split the reported metrics come from
    let scored = t.test.as_ref().unwrap_or(&t.validation);
    let (probs, labels) = (&scored.probs, &scored.labels);
    if let Ok((fpr, tpr, _)) = logit_data::metrics::roc_curve(probs, labels) {
        let auc = logit_data::metrics::roc_auc(probs, labels)?;
        logit_plot::roc_curve(report.join("roc.png"), &fpr, &tpr, auc)?;
    }
    let curve = logit_data::calibration_curve(probs, labels, 10)?;
    logit_plot::reliability_diagram(
        report.join("reliability.png"),
        &curve.prob_pred,
        &curve.prob_true,
    )
}

/// `report/metrics.md`: the setup, the test and validation tables, the candidates and the
/// logistic regression's statistics.
fn report_markdown(t: &Trained) -> String {
    let c = &t.model.config;
    let mut md = format!(
        "# Training report\n\nTarget `{}` (positive: `{}`), model `{}`, loss `{}`, threshold rule `{}`, calibration `{}`.\n\n",
        c.encoding.target,
        c.encoding.positive,
        t.candidates.first().map_or("", |k| k.name.as_str()),
        c.loss,
        c.threshold_rule,
        c.calibration.name()
    );
    for n in &t.notes {
        md += &format!("- {n}\n");
    }
    if let Some(test) = &t.test_metrics {
        md += &format!(
            "\n## Test metrics (held out from every choice)\n\n{}",
            metrics_table(test)
        );
    }
    md += &format!(
        "\n## Validation metrics\n\n{}",
        metrics_table(&t.validation_metrics)
    );
    md += "\n## Candidates, the chosen one first\n\n| model | log loss it was chosen by | cross-validated log loss (mean ± sd) | cross-validated ROC-AUC (mean ± sd) |\n| --- | --- | --- | --- |\n";
    for k in &t.candidates {
        let (ll, auc) = k.cv.map_or(("-".into(), "-".into()), |c| {
            let pm = |(m, s): (f64, f64)| format!("{m:.4} ± {s:.4}");
            (pm(c.log_loss), pm(c.roc_auc))
        });
        md += &format!("| {} | {:.4} | {ll} | {auc} |\n", k.name, k.val_log_loss);
    }
    if let Some(coef) = &t.coefficients {
        md += &format!(
            "\n## Logistic regression\n\n{}\nCoefficients in the columns' own units: coefficients.csv.\n",
            metrics_table(&coef.statistics())
        );
    }
    md + "\nFigures: loss.png (MLPs), roc.png, reliability.png.\n"
}
