//! `logit`: train, evaluate and use a probability model on a CSV.
//!
//! ```text
//! logit train [DATA.csv] --target COLUMN [--out model/] …
//! logit evaluate model/ DATA.csv
//! logit predict model/ DATA.csv [-o predictions.csv]
//! logit plot sigmoid -o sigmoid.png
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use logit_cli::folder::metrics_table;
use logit_cli::threshold::ThresholdRule;
use logit_cli::train::{train, TrainOptions};

#[derive(Parser)]
#[command(
    name = "logit",
    version,
    about = "Train, evaluate and use a probability model on a CSV"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// parsed once per run: the size of the Train variant does not matter
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Train an MLP classifier and write a model folder (weights, model.json, report/).
    Train {
        /// The CSV (a header row, one 0/1 or two-valued label column). Without it, the bundled
        /// breast-cancer data trains (target `malignant`).
        data: Option<PathBuf>,
        /// The label column.
        #[arg(long)]
        target: Option<String>,
        /// The label value that means 1 (default: 1, true, or the rarer of two strings).
        #[arg(long)]
        positive: Option<String>,
        /// Columns to ignore (comma-separated).
        #[arg(long, value_delimiter = ',')]
        drop: Vec<String>,
        /// Fail on empty cells instead of imputing the training median (numbers) or most
        /// frequent value (text).
        #[arg(long)]
        no_impute: bool,
        /// Hidden layer sizes (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "16,8")]
        hidden: Vec<usize>,
        /// bce | bce-with-logits | focal.
        #[arg(long, default_value = "bce-with-logits")]
        loss: String,
        /// Weight of positives for bce-with-logits: a number, or `auto` (negatives/positives).
        #[arg(long)]
        pos_weight: Option<String>,
        /// sgd | adam | adamw.
        #[arg(long, default_value = "adam")]
        optimizer: String,
        /// Learning rate.
        #[arg(long, default_value_t = 1e-3)]
        lr: f64,
        /// Maximum number of epochs.
        #[arg(long, default_value_t = 200)]
        epochs: usize,
        /// Mini-batch size.
        #[arg(long, default_value_t = 32)]
        batch_size: usize,
        /// Share of rows held out for validation (threshold, calibration, early stopping).
        #[arg(long, default_value_t = 0.2)]
        val_split: f64,
        /// Seed of the split, initialisation and shuffling.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Stop after this many epochs without a better validation loss (0: never).
        #[arg(long, default_value_t = 20)]
        patience: usize,
        /// 0.5 | youden | precision=P | recall=R, chosen on the validation split.
        #[arg(long, default_value = "0.5")]
        threshold: String,
        /// none | temperature | platt, fitted on the validation split.
        #[arg(long, default_value = "none")]
        calibrate: String,
        /// Output model folder.
        #[arg(long, default_value = "model")]
        out: PathBuf,
        /// Print one JSON line per epoch on stdout.
        #[arg(long)]
        json: bool,
    },
    /// Metrics of a model folder on labelled data.
    Evaluate {
        /// A folder written by `logit train`.
        model: PathBuf,
        /// A CSV with the model's columns and its label column.
        data: PathBuf,
    },
    /// Probabilities and 0/1 decisions for every row of a CSV.
    Predict {
        /// A folder written by `logit train`.
        model: PathBuf,
        /// A CSV with the model's columns.
        data: PathBuf,
        /// Output CSV (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Figures.
    Plot {
        /// What to draw: `sigmoid`.
        what: String,
        /// Output file (.png or .svg).
        #[arg(short, long, default_value = "sigmoid.png")]
        output: PathBuf,
    },
}

fn run(cli: Cli) -> logit_core::Result<()> {
    match cli.command {
        Command::Train {
            data,
            target,
            positive,
            drop,
            no_impute,
            hidden,
            loss,
            pos_weight,
            optimizer,
            lr,
            epochs,
            batch_size,
            val_split,
            seed,
            patience,
            threshold,
            calibrate,
            out,
            json,
        } => {
            let threshold: ThresholdRule = threshold.parse()?;
            let o = TrainOptions {
                data,
                target,
                positive,
                drop,
                impute: !no_impute,
                hidden,
                loss,
                pos_weight,
                optimizer,
                lr,
                epochs,
                batch_size,
                val_split,
                seed,
                patience,
                threshold,
                calibrate,
                out,
                json,
            };
            let summary = train(&o, &mut |line| println!("{line}"))?;
            for n in &summary.notes {
                eprintln!("{n}");
            }
            if json {
                let fields: Vec<String> = summary
                    .metrics
                    .iter()
                    .map(|(k, v)| {
                        format!(
                            "\"{k}\":{}",
                            if v.is_finite() {
                                v.to_string()
                            } else {
                                "null".into()
                            }
                        )
                    })
                    .collect();
                println!("{{\"validation\":{{{}}}}}", fields.join(","));
            } else {
                println!("Validation metrics:\n{}", metrics_table(&summary.metrics));
            }
        }
        Command::Evaluate { model, data } => {
            let rows = logit_cli::evaluate::evaluate(&model, &data)?;
            println!("{}", metrics_table(&rows));
        }
        Command::Predict {
            model,
            data,
            output,
        } => {
            let n = logit_cli::predict::predict(&model, &data, output.as_deref())?;
            if let Some(o) = output {
                eprintln!("wrote {n} predictions to {}", o.display());
            }
        }
        Command::Plot { what, output } => {
            if what != "sigmoid" {
                return Err(logit_core::Error::invalid("logit plot", "sigmoid", what));
            }
            logit_plot::sigmoid_curve(&output)?;
            eprintln!("wrote {}", output.display());
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
