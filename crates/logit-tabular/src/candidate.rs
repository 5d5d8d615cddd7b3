//! [`Candidate`]s: the models [`train`](crate::train) fits and compares — the logistic
//! regression (IRLS) and MLPs of a few sizes and weight decays (`Fit` with early stopping).

use logit_core::{no_grad, Result, Tensor};
use logit_data::metrics;
use logit_losses::{
    binary_cross_entropy, binary_cross_entropy_with_logits, sigmoid_focal_loss,
    BceWithLogitsOptions, FocalOptions, Reduction,
};
use logit_models::{Activation, LogisticFit, LogisticRegression, Mlp};
use logit_nn::{Module, StateDict};
use logit_optim::{Adam, AdamConfig, AdamW, Optimizer, SGDConfig, SGD};
use logit_train::{Callback, Fit, History, VALIDATION_CHUNK};

use crate::coefficients::Design;
use crate::options::{LossKind, ModelKind, OptimizerKind, TabularOptions};
use crate::prepared::PartData;

/// A fitted model and how it did on the validation split.
pub(crate) struct Candidate {
    pub name: String,
    pub hidden: Vec<usize>,
    pub loss: String,
    pub net: Mlp,
    pub history: History,
    pub logistic: Option<LogisticFit>,
    /// Log loss of the uncalibrated probabilities on the validation split (NaN without one).
    pub val_log_loss: f64,
    /// Each validation row's log loss, for comparing candidates row by row.
    pub row_losses: Vec<f64>,
    /// How to fit it again (on more rows).
    pub kind: Kind,
    /// Its cross-validated metrics, when the table was small enough.
    pub cv: Option<crate::cv::CvScore>,
}

/// What a candidate is, enough to fit it again.
#[derive(Clone)]
pub(crate) enum Kind {
    /// A logistic regression with this C.
    Logistic(Option<f64>),
    /// An MLP.
    Mlp(MlpSpec),
}

impl Candidate {
    /// Parameters of the network, the measure of simplicity.
    pub fn size(&self) -> usize {
        self.net.num_parameters()
    }
}

/// The simplest candidate (fewest parameters, then lowest loss) whose validation log loss is
/// within one standard error of the best one's (Breiman's one-standard-error rule, on the
/// row-by-row differences): a bigger model must win clearly, not by the noise of a small
/// validation split.
pub(crate) fn choose(mut candidates: Vec<Candidate>) -> (Candidate, Vec<Candidate>) {
    candidates.sort_by(|a, b| a.val_log_loss.total_cmp(&b.val_log_loss));
    let best = &candidates[0];
    let within = |c: &Candidate| -> bool {
        let n = c.row_losses.len();
        if n < 2 || best.row_losses.len() != n {
            return std::ptr::eq(c, best);
        }
        let d: Vec<f64> = c
            .row_losses
            .iter()
            .zip(&best.row_losses)
            .map(|(a, b)| a - b)
            .collect();
        let mean = d.iter().sum::<f64>() / n as f64;
        let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        mean <= (var / n as f64).sqrt()
    };
    let pick = (0..candidates.len())
        .filter(|&i| within(&candidates[i]))
        .min_by(|&a, &b| {
            let (x, y) = (&candidates[a], &candidates[b]);
            x.size()
                .cmp(&y.size())
                .then(x.val_log_loss.total_cmp(&y.val_log_loss))
        })
        .unwrap_or(0);
    let chosen = candidates.remove(pick);
    (chosen, candidates)
}

/// The penalties to try: `--l2` if given; under `--model auto` without it, none (which
/// separable data refuses) and scikit-learn's default `C = 1`.
pub(crate) fn logistic_candidates(o: &TabularOptions) -> Vec<Option<f64>> {
    match (o.l2, o.model) {
        (Some(c), _) => vec![Some(c)],
        (None, ModelKind::Auto) => vec![None, Some(1.0)],
        (None, _) => vec![None],
    }
}

/// One MLP to try.
#[derive(Clone)]
pub(crate) struct MlpSpec {
    hidden: Vec<usize>,
    optimizer: OptimizerKind,
    weight_decay: Option<f64>,
}

/// `o.hidden` with `o.optimizer`; under `--model auto` also a wider and a narrower network
/// with AdamW's weight decay.
pub(crate) fn mlp_candidates(o: &TabularOptions) -> Vec<MlpSpec> {
    let mut specs = vec![MlpSpec {
        hidden: o.hidden.clone(),
        optimizer: o.optimizer,
        weight_decay: None,
    }];
    if o.model == ModelKind::Auto {
        specs.push(MlpSpec {
            hidden: vec![32, 16],
            optimizer: OptimizerKind::Adamw,
            weight_decay: Some(0.01),
        });
        specs.push(MlpSpec {
            hidden: vec![8],
            optimizer: OptimizerKind::Adamw,
            weight_decay: Some(0.1),
        });
    }
    specs
}

/// The validation log loss and each row's share of it (NaN and none without a split).
pub(crate) fn val_log_loss(net: &Mlp, val: Option<&PartData>) -> Result<(f64, Vec<f64>)> {
    let Some(v) = val else {
        return Ok((f64::NAN, Vec::new()));
    };
    let _g = no_grad();
    let z = net.forward_chunked(&v.x, VALIDATION_CHUNK)?.to_vec_f64();
    let y = v.y.to_vec_f64();
    // −log σ(z) for a positive, −log σ(−z) for a negative, without overflow
    let rows: Vec<f64> = z
        .iter()
        .zip(&y)
        .map(|(&z, &y)| {
            let m = if y == 1.0 { -z } else { z };
            m.max(0.0) + (-m.abs()).exp().ln_1p()
        })
        .collect();
    let mean = rows.iter().sum::<f64>() / rows.len().max(1) as f64;
    Ok((mean, rows))
}

/// The logistic regression on the standardised training rows, as a network without hidden
/// layers (so prediction and export are the MLP's); unpenalised, it leaves out the reference
/// levels, whose weights stay zero.
pub(crate) fn fit_logistic(
    c: Option<f64>,
    train: &PartData,
    val: Option<&PartData>,
    design: &Design,
) -> Result<Candidate> {
    let (rows, cols) = (train.x.shape()[0], train.x.shape()[1]);
    let labels = train.y.to_vec_f64();
    let solver = LogisticRegression {
        c,
        ..Default::default()
    };
    let (keep, names) = (design.columns(c), design.names(c));
    let fit = if keep.len() == cols {
        // the features are read where they are stored: a million-row split is not copied
        train
            .x
            .with_slice(|x: &[f32]| solver.fit_named(x, rows, cols, &labels, names))
            .unwrap_or_else(|| {
                solver.fit_named(&train.x.to_vec::<f32>(), rows, cols, &labels, names)
            })?
    } else {
        let gather = |all: &[f32]| -> Vec<f32> {
            all.chunks(cols)
                .flat_map(|row| keep.iter().map(|&j| row[j]))
                .collect()
        };
        // the kept columns are gathered from where the features are stored, one copy
        let x = train
            .x
            .with_slice(gather)
            .unwrap_or_else(|| gather(&train.x.to_vec::<f32>()));
        solver.fit_named(&x, rows, keep.len(), &labels, names)?
    };
    let mut weight = vec![0.0; cols];
    for (k, &j) in keep.iter().enumerate() {
        weight[j] = fit.coef[k + 1];
    }
    let net = Mlp::new(cols, &[], Activation::ReLU, 0.0)?;
    let mut sd = StateDict::new();
    sd.insert("0.weight", Tensor::from_vec(weight, &[1, cols])?.float());
    sd.insert("0.bias", Tensor::from_vec(vec![fit.coef[0]], &[1])?.float());
    net.load_state_dict(&sd)?;
    net.eval();
    let (val_log_loss, row_losses) = val_log_loss(&net, val)?;
    Ok(Candidate {
        name: match c {
            Some(c) => format!("logistic C={c}"),
            None => "logistic".into(),
        },
        hidden: Vec::new(),
        loss: "log-likelihood (IRLS)".into(),
        val_log_loss,
        row_losses,
        net,
        history: History::default(),
        logistic: Some(fit),
        kind: Kind::Logistic(c),
        cv: None,
    })
}

/// One MLP trained with early stopping on the validation log loss, ending with the best
/// weights; `epochs` overrides the options' (a refit runs the chosen number).
pub(crate) fn fit_mlp(
    o: &TabularOptions,
    spec: &MlpSpec,
    width: usize,
    (train, val): (&PartData, Option<&PartData>),
    epochs: Option<usize>,
    callback: Option<&mut (dyn Callback + '_)>,
) -> Result<Candidate> {
    let net = Mlp::new(width, &spec.hidden, Activation::ReLU, 0.0)?;
    let pos_weight = o
        .pos_weight
        .map(|w| Tensor::full(&[1], w.value(&train.y.to_vec::<f32>())));
    let mut opt = optimizer(spec, o.lr, net.parameters())?;
    let rows = train.x.shape()[0];
    let mut loader =
        logit_data::DataLoader::new(&train.x, &train.y, o.batch_size_for(rows))?.shuffle(o.seed);
    let mut fit = Fit::new(&net, opt.as_mut(), |out: &Tensor, y: &Tensor| {
        loss_of(o.loss, out, y, pos_weight.as_ref())
    })
    .epochs(epochs.unwrap_or_else(|| o.epochs_for(rows)));
    if let Some(v) = val {
        fit = fit
            .validation(&v.x, &v.y)
            // every loss is judged by the same log loss, so runs with different losses compare
            .val_loss(|out, y| binary_cross_entropy_with_logits(out, y, Reduction::Mean))
            .metric("roc_auc", |out, y| {
                Ok(
                    metrics::roc_auc(&out.sigmoid().to_vec_f64(), &y.to_vec_f64())
                        .unwrap_or(f64::NAN),
                )
            })
            .restore_best(true);
        if o.patience > 0 {
            fit = fit.early_stopping(o.patience);
        }
    }
    if let Some(c) = callback {
        fit = fit.callback(c);
    }
    let history = fit.run(&mut loader)?;
    net.eval();
    drop(loader);
    // the validation split's activations are not needed by the next candidate
    logit_core::memory::empty_cache();
    let (val_log_loss, row_losses) = val_log_loss(&net, val)?;
    let hidden: Vec<String> = spec.hidden.iter().map(usize::to_string).collect();
    let decay = spec
        .weight_decay
        .map_or(String::new(), |w| format!(" wd={w}"));
    Ok(Candidate {
        name: format!("mlp {} {:?}{decay}", hidden.join(","), spec.optimizer).to_lowercase(),
        hidden: spec.hidden.clone(),
        loss: o.loss.name().into(),
        val_log_loss,
        row_losses,
        net,
        history,
        logistic: None,
        kind: Kind::Mlp(spec.clone()),
        cv: None,
    })
}

fn loss_of(
    kind: LossKind,
    logits: &Tensor,
    y: &Tensor,
    pos_weight: Option<&Tensor>,
) -> Result<Tensor> {
    match kind {
        LossKind::Bce => binary_cross_entropy(&logits.sigmoid(), y, Reduction::Mean),
        LossKind::Focal => sigmoid_focal_loss(
            logits,
            y,
            FocalOptions {
                alpha: 0.25,
                gamma: 2.0,
                reduction: Reduction::Mean,
            },
        ),
        LossKind::BceWithLogits => binary_cross_entropy_with_logits(
            logits,
            y,
            BceWithLogitsOptions {
                pos_weight,
                reduction: Reduction::Mean,
                ..Default::default()
            },
        ),
    }
}

/// The optimizer a spec names, with `lr`.
fn optimizer(spec: &MlpSpec, lr: f64, params: Vec<Tensor>) -> Result<Box<dyn Optimizer>> {
    let adam = AdamConfig {
        lr,
        weight_decay: spec.weight_decay,
        ..Default::default()
    };
    Ok(match spec.optimizer {
        OptimizerKind::Sgd => Box::new(SGD::new(
            params,
            SGDConfig {
                lr,
                momentum: 0.9,
                ..Default::default()
            },
        )?),
        OptimizerKind::Adamw => Box::new(AdamW::new(params, adam)?),
        OptimizerKind::Adam => Box::new(Adam::new(params, adam)?),
    })
}
