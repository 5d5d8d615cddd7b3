//! `logit train`: reads the CSV, runs [`logit_tabular::train`] with a progress bar, and writes
//! the model folder.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use logit_core::{Error, Result};
use logit_data::{CsvFormat, Table};
use logit_nn::Module;
use logit_optim::Optimizer;
use logit_tabular::{TabularOptions, Trained};
use logit_train::{Callback, Control, EpochLog};

use crate::folder::write_model_folder;

/// The breast-cancer data bundled into the binary, used when `train` gets no CSV.
pub const BUNDLED: &str = include_str!("../../../data/breast_cancer.csv");

/// Arguments of `logit train`; the doc comments are the `--help` text.
#[derive(Debug, Clone, clap::Args)]
pub struct TrainArgs {
    /// The CSV (a header row, one 0/1 or two-valued label column). Without it, the bundled
    /// breast-cancer data trains (target `malignant`).
    pub data: Option<PathBuf>,
    /// The label column.
    #[arg(long)]
    pub target: Option<String>,
    /// Output model folder.
    #[arg(long, default_value = "model")]
    pub out: PathBuf,
    /// The CSV's delimiter: auto (sniffed from the header line: `,`, `;`, tab or `|`), tab, or
    /// the character. Cells that are empty or NA, NaN, nan, null, NULL or ? are missing.
    #[arg(long, default_value_t = CsvFormat::default())]
    pub delimiter: CsvFormat,
    /// Print one JSON line per epoch on stdout.
    #[arg(long)]
    pub json: bool,
    /// How to train.
    #[command(flatten)]
    pub options: TabularOptions,
}

/// Trains and writes the model folder (atomically: it appears whole or not at all);
/// `progress` gets the `--json` lines.
///
/// # Errors
/// Any data, option or I/O problem, or a non-finite loss during training.
pub fn train(a: &TrainArgs, progress: &mut dyn FnMut(&str)) -> Result<Trained> {
    let (table, target) = load(a)?;
    let mut bar = Progress::new(a.options.epochs.unwrap_or(200), a.json, progress);
    let trained = logit_tabular::train(table, &target, &a.options, Some(&mut bar));
    bar.finish();
    let mut trained = trained?;
    write_model_folder(&a.out, &trained)?;
    trained
        .notes
        .push(format!("model written to {}", a.out.display()));
    Ok(trained)
}

/// The CSV (or the bundled data) and the label column's name.
fn load(a: &TrainArgs) -> Result<(Table, String)> {
    let (table, default_target) = match &a.data {
        Some(p) => (Table::open_as(p, a.delimiter)?, None),
        None => (
            Table::read(BUNDLED.as_bytes(), Path::new("bundled breast_cancer.csv"))?,
            Some("malignant"),
        ),
    };
    let target =
        a.target.as_deref().or(default_target).ok_or_else(|| {
            Error::invalid("--target", "the name of the 0/1 label column", "nothing")
        })?;
    Ok((table, target.to_string()))
}

/// The CLI's view of a fit: an indicatif bar on a terminal, or one JSON line per epoch.
struct Progress<'p> {
    bar: Option<ProgressBar>,
    json: bool,
    emit: &'p mut dyn FnMut(&str),
}

impl<'p> Progress<'p> {
    fn new(epochs: usize, json: bool, emit: &'p mut dyn FnMut(&str)) -> Progress<'p> {
        let bar = (!json && std::io::stderr().is_terminal()).then(|| {
            let b = ProgressBar::new(epochs as u64);
            b.set_style(
                ProgressStyle::with_template("{bar:30} epoch {pos}/{len} {msg}")
                    .expect("valid template"),
            );
            b
        });
        Progress { bar, json, emit }
    }

    fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}

impl Callback for Progress<'_> {
    fn on_epoch_end(
        &mut self,
        log: &EpochLog,
        _: &dyn Module,
        _: &dyn Optimizer,
    ) -> Result<Control> {
        let (epoch, train_loss) = (log.epoch, log.train_loss);
        let val_loss = log.val_loss.unwrap_or(f64::NAN);
        let val_auc = log.metrics.first().map_or(f64::NAN, |m| m.1);
        if self.json {
            (self.emit)(&format!("{{\"epoch\":{epoch},\"train_loss\":{train_loss},\"val_loss\":{val_loss},\"val_roc_auc\":{val_auc}}}"));
        }
        if let Some(b) = &self.bar {
            b.set_position(epoch as u64);
            b.set_message(format!(
                "loss {train_loss:.4} val_loss {val_loss:.4} val_roc_auc {val_auc:.4}"
            ));
        }
        Ok(Control::Continue)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        train: super::TrainArgs,
    }

    #[test]
    fn the_command_line_defaults_are_the_library_defaults() -> Result<(), clap::Error> {
        let cli = Cli::try_parse_from(["logit"])?;
        assert_eq!(cli.train.options, logit_tabular::TabularOptions::default());
        let cli = Cli::try_parse_from(["logit", "--no-impute", "--hidden", "4,2"])?;
        assert!(!cli.train.options.impute);
        assert_eq!(cli.train.options.hidden, [4, 2]);
        Ok(())
    }
}
