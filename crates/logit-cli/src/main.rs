//! `logit`: train, evaluate and use a probability model on a CSV.
//!
//! ```text
//! logit train [DATA.csv] --target COLUMN [--out model/] …
//! logit evaluate model/ DATA.csv
//! logit predict model/ DATA.csv [-o predictions.csv]
//! logit plot sigmoid -o sigmoid.png
//! logit convert resnet50.pth resnet50.safetensors
//! logit inspect checkpoint.pth
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use logit_cli::folder::metrics_table;
use logit_cli::train::{train, TrainArgs};
use logit_data::CsvFormat;

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
    Train(TrainArgs),
    /// Metrics of a model folder on labelled data.
    Evaluate {
        /// A folder written by `logit train`.
        model: PathBuf,
        /// A CSV with the model's columns and its label column.
        data: PathBuf,
        /// The CSV's delimiter (auto, tab, or the character).
        #[arg(long, default_value_t = CsvFormat::default())]
        delimiter: CsvFormat,
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
        /// The CSV's delimiter (auto, tab, or the character); the output uses commas.
        #[arg(long, default_value_t = CsvFormat::default())]
        delimiter: CsvFormat,
    },
    /// Convert weights between .pth (torch.save) and .safetensors, either way; the output's
    /// extension picks the format.
    Convert {
        /// A .pth/.pt or .safetensors file (the format is read from its content).
        input: PathBuf,
        /// The file to write: .safetensors, .pth or .pt.
        output: PathBuf,
    },
    /// Write a model folder as an ONNX model: encoded features in, calibrated probability out.
    Export {
        /// A folder written by `logit train`.
        model: PathBuf,
        /// The .onnx file to write.
        output: PathBuf,
    },
    /// List the tensors (name, dtype, shape) and other entries of a .pth or .safetensors file.
    Inspect {
        /// The file.
        file: PathBuf,
    },
    /// Figures.
    Plot {
        /// What to draw.
        #[arg(value_enum)]
        what: Figure,
        /// Output file (.png or .svg).
        #[arg(short, long, default_value = "sigmoid.png")]
        output: PathBuf,
    },
}

/// `logit plot`'s figures.
#[derive(Clone, Copy, clap::ValueEnum)]
enum Figure {
    /// The tutorial's sigmoid curve.
    Sigmoid,
}

fn run(cli: Cli) -> logit_core::Result<()> {
    match cli.command {
        Command::Train(o) => {
            let t = train(&o, &mut |line| println!("{line}"))?;
            for n in &t.notes {
                eprintln!("{n}");
            }
            if o.json {
                let mut line = format!("{{\"validation\":{}", json_object(&t.validation_metrics));
                if let Some(test) = &t.test_metrics {
                    line += &format!(",\"test\":{}", json_object(test));
                }
                println!("{line}}}");
            } else {
                if let Some(test) = &t.test_metrics {
                    println!(
                        "Test metrics (held out from every choice):\n{}",
                        metrics_table(test)
                    );
                }
                println!(
                    "Validation metrics:\n{}",
                    metrics_table(&t.validation_metrics)
                );
                if let Some(cv) = t.candidates.first().and_then(|c| c.cv) {
                    let (ll, auc) = (cv.log_loss, cv.roc_auc);
                    println!(
                        "Cross-validated (mean ± sd over the folds): log loss {:.4} ± {:.4}, ROC-AUC {:.4} ± {:.4}\n",
                        ll.0, ll.1, auc.0, auc.1
                    );
                }
                if let Some(c) = &t.coefficients {
                    print!(
                        "Logistic regression (report/coefficients.csv):\n{}",
                        c.to_csv()
                    );
                }
            }
        }
        Command::Evaluate {
            model,
            data,
            delimiter,
        } => {
            let rows = logit_cli::evaluate::evaluate(&model, &data, delimiter)?;
            println!("{}", metrics_table(&rows));
        }
        Command::Predict {
            model,
            data,
            output,
            delimiter,
        } => {
            let n = logit_cli::predict::predict(&model, &data, output.as_deref(), delimiter)?;
            if let Some(o) = output {
                eprintln!("wrote {n} predictions to {}", o.display());
            }
        }
        Command::Convert { input, output } => {
            let c = logit_nn::convert(&input, &output)?;
            if !c.dropped.is_empty() {
                eprintln!(
                    "left out {} entries that are not tensors: {}",
                    c.dropped.len(),
                    c.dropped.join(", ")
                );
            }
            eprintln!("wrote {} tensors to {}", c.tensors, output.display());
        }
        Command::Export { model, output } => {
            let features = logit_cli::export::export(&model, &output)?;
            eprintln!(
                "wrote {} (input: [batch, {}] features in this order: {})",
                output.display(),
                features.len(),
                features.join(", ")
            );
        }
        Command::Inspect { file } => print!("{}", inspection_table(&logit_nn::inspect(&file)?)),
        Command::Plot { what, output } => {
            match what {
                Figure::Sigmoid => logit_plot::sigmoid_curve(&output)?,
            }
            eprintln!("wrote {}", output.display());
        }
    }
    Ok(())
}

/// Metric rows as a JSON object (non-finite values as `null`).
fn json_object(rows: &[(String, f64)]) -> String {
    let fields: Vec<String> = rows
        .iter()
        .map(|(k, v)| match v.is_finite() {
            true => format!("\"{k}\":{v}"),
            false => format!("\"{k}\":null"),
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// One line per tensor (name, dtype, shape, element count), then the other entries.
fn inspection_table(i: &logit_nn::Inspection) -> String {
    let width = i
        .tensors
        .iter()
        .map(|t| t.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!(
        "{:width$}  {:15}  {:18}  elements\n",
        "name", "dtype", "shape"
    );
    let mut total = 0usize;
    for t in &i.tensors {
        let n: usize = t.shape.iter().product();
        total += n;
        let shape = format!("{:?}", t.shape);
        out += &format!(
            "{:width$}  {:15}  {shape:18}  {n}\n",
            t.name, t.stored_dtype
        );
    }
    out += &format!(
        "{} tensors, {total} elements ({:?})\n",
        i.tensors.len(),
        i.format
    );
    for (k, v) in &i.others {
        out += &format!("{k} = {v}\n");
    }
    out
}

/// clap's first line, plus the accepted values when a closed choice got another one, so a
/// usage error stays one line.
fn one_line(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue};
    let text = e.to_string();
    let first = text.lines().next().unwrap_or("error: invalid arguments");
    match e.get(ContextKind::ValidValue) {
        Some(ContextValue::Strings(values)) if !values.is_empty() => {
            let (last, rest) = values.split_last().expect("non-empty");
            let list = if rest.is_empty() {
                last.clone()
            } else {
                format!("{} or {last}", rest.join(", "))
            };
            format!("{first}: expected {list}")
        }
        _ => first.to_string(),
    }
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print normally; a usage mistake gets clap's one-line message
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprintln!("{}", one_line(&e));
            return ExitCode::from(2);
        }
    };
    // a panic (a bug here, or one a dependency's reader caught and turned into an error) must
    // not print a backtrace: the command's promise is one line on stderr
    std::panic::set_hook(Box::new(|_| {}));
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("unknown");
            eprintln!("error: internal error (please report it): {what}");
            ExitCode::FAILURE
        }
    }
}
