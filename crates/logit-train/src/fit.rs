//! [`Fit`]: the epoch loop with validation, early stopping and best-state restore.

use logit_core::{no_grad, Error, Result, Tensor};
use logit_data::DataLoader;
use logit_nn::{Module, StateDict};
use logit_optim::{clip_grad_norm_, Optimizer};

use crate::callback::{Callback, Control};
use crate::history::{EpochLog, History};

type Metric<'a> = (String, Box<dyn Fn(&Tensor, &Tensor) -> Result<f64> + 'a>);
/// A validation loss and the metrics measured with it.
type Validated = (Option<f64>, Vec<(String, f64)>);
type ValLoss<'a> = Box<dyn Fn(&Tensor, &Tensor) -> Result<Tensor> + 'a>;

/// Rows of the validation split scored per forward pass.
pub const VALIDATION_CHUNK: usize = 16_384;

/// One training run, configured by chained calls and started by [`Fit::run`]:
///
/// ```text
/// for epoch in 1..=epochs:
///     model.train(); for (x, y) in loader: zero_grad; loss(model(x), y).backward(); step
///     model.eval(); with no_grad: val_loss = loss(model(x_val), y_val); metrics
///     callbacks; stop when val_loss has not improved for `patience` epochs
/// restore the weights of the best epoch
/// ```
///
/// The loss takes the model's output and the targets, so any loss (or a closure around one)
/// fits. Without a validation split, early stopping watches the training loss.
pub struct Fit<'a, L> {
    model: &'a dyn Module,
    optimizer: &'a mut dyn Optimizer,
    loss: L,
    epochs: usize,
    validation: Option<(&'a Tensor, &'a Tensor)>,
    val_loss: Option<ValLoss<'a>>,
    patience: Option<usize>,
    min_delta: f64,
    restore_best: bool,
    clip: Option<f64>,
    metrics: Vec<Metric<'a>>,
    callbacks: Vec<&'a mut dyn Callback>,
    history: History,
}

impl<'a, L: FnMut(&Tensor, &Tensor) -> Result<Tensor>> Fit<'a, L> {
    /// A fit of `model` by `optimizer` on `loss(output, target)`: 10 epochs, no validation,
    /// no early stopping (Keras' and Lightning's defaults are as bare).
    pub fn new(model: &'a dyn Module, optimizer: &'a mut dyn Optimizer, loss: L) -> Self {
        Fit {
            model,
            optimizer,
            loss,
            epochs: 10,
            validation: None,
            val_loss: None,
            patience: None,
            min_delta: 0.0,
            restore_best: false,
            clip: None,
            metrics: Vec::new(),
            callbacks: Vec::new(),
            history: History::default(),
        }
    }

    /// How many epochs this run adds.
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// A validation split, evaluated in eval mode after every epoch.
    pub fn validation(mut self, x: &'a Tensor, y: &'a Tensor) -> Self {
        self.validation = Some((x, y));
        self
    }

    /// Measures the validation split with another loss than training uses (the one early
    /// stopping then watches), e.g. plain log loss while training on a focal loss.
    pub fn val_loss(mut self, loss: impl Fn(&Tensor, &Tensor) -> Result<Tensor> + 'a) -> Self {
        self.val_loss = Some(Box::new(loss));
        self
    }

    /// Stops after `patience` epochs without an improvement of the validation loss, then
    /// restores the best epoch's weights (like Keras' `EarlyStopping(restore_best_weights=True)`).
    pub fn early_stopping(mut self, patience: usize) -> Self {
        self.patience = Some(patience.max(1));
        self.restore_best = true;
        self
    }

    /// How much the monitored loss must fall to count as an improvement (default 0).
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta.max(0.0);
        self
    }

    /// Whether to end with the best epoch's weights even without early stopping.
    pub fn restore_best(mut self, restore: bool) -> Self {
        self.restore_best = restore;
        self
    }

    /// Clips the gradients' global 2-norm to `max_norm` before each step.
    pub fn clip_grad_norm(mut self, max_norm: f64) -> Self {
        self.clip = Some(max_norm);
        self
    }

    /// A validation metric `f(outputs, targets)`, recorded per epoch under `name`.
    pub fn metric(
        mut self,
        name: impl Into<String>,
        f: impl Fn(&Tensor, &Tensor) -> Result<f64> + 'a,
    ) -> Self {
        self.metrics.push((name.into(), Box::new(f)));
        self
    }

    /// Runs `callback` after every batch and epoch.
    pub fn callback(mut self, callback: &'a mut dyn Callback) -> Self {
        self.callbacks.push(callback);
        self
    }

    /// Continues `history`: epochs are numbered after its last one and appended to it.
    pub fn history(mut self, history: History) -> Self {
        self.history = history;
        self
    }

    /// Trains for the configured epochs over `loader` and returns the history.
    ///
    /// # Errors
    /// A loss that is not finite (named with its epoch), or any error of the model, the loss,
    /// the optimizer, a metric or a callback.
    pub fn run(mut self, loader: &mut DataLoader) -> Result<History> {
        if loader.is_empty() {
            return Err(Error::invalid(
                "fit",
                "a DataLoader with at least one batch",
                "none",
            ));
        }
        let first = self.history.len() + 1;
        let mut best: Option<(f64, usize, StateDict)> = None;
        let mut since_best = 0;
        self.history.stopped_early = false;
        for epoch in first..first + self.epochs {
            let train_loss = self.train_epoch(loader, epoch)?;
            let (val_loss, metrics) = self.validate(epoch)?;
            let log = EpochLog {
                epoch,
                train_loss,
                val_loss,
                metrics,
                lr: self.optimizer.param_groups().first().map_or(0.0, |g| g.lr),
            };
            let mut stop = false;
            for cb in self.callbacks.iter_mut() {
                stop |= cb.on_epoch_end(&log, self.model, &*self.optimizer)? == Control::Stop;
            }
            let monitored = val_loss.unwrap_or(train_loss);
            self.history.epochs.push(log);
            if best
                .as_ref()
                .is_none_or(|b| monitored < b.0 - self.min_delta)
            {
                // a state dict shares storage copy-on-write: later steps leave it intact
                best = Some((monitored, epoch, self.model.state_dict()));
                since_best = 0;
            } else {
                since_best += 1;
                if self.patience.is_some_and(|p| since_best >= p) {
                    self.history.stopped_early = true;
                    stop = true;
                }
            }
            if stop {
                break;
            }
        }
        if let (true, Some((_, epoch, state))) = (self.restore_best, best) {
            self.model.load_state_dict(&state)?;
            self.history.best_epoch = Some(epoch);
        }
        Ok(self.history)
    }

    fn train_epoch(&mut self, loader: &mut DataLoader, epoch: usize) -> Result<f64> {
        self.model.train();
        let (mut total, mut batches) = (0.0, 0usize);
        let params = self.clip.map(|_| self.model.parameters());
        for batch in loader.iter() {
            let (xb, yb) = batch?;
            let loss = (self.loss)(&self.model.forward(&xb)?, &yb)?;
            loss.check_finite(&format!(
                "the training loss (epoch {epoch}; try a smaller learning rate)"
            ))?;
            self.optimizer.zero_grad();
            loss.backward()?;
            if let (Some(max_norm), Some(params)) = (self.clip, &params) {
                clip_grad_norm_(params, max_norm, 2.0)?;
            }
            self.optimizer.step()?;
            let value = loss.item()?;
            for cb in self.callbacks.iter_mut() {
                cb.on_batch_end(epoch, batches, value);
            }
            total += value;
            batches += 1;
        }
        Ok(total / batches.max(1) as f64)
    }

    fn validate(&mut self, epoch: usize) -> Result<Validated> {
        let Some((x, y)) = self.validation else {
            return Ok((None, Vec::new()));
        };
        self.model.eval();
        let _g = no_grad();
        // a large validation split is scored in chunks: only their activations are alive
        let out = self.model.forward_chunked(x, VALIDATION_CHUNK)?;
        let loss = match &self.val_loss {
            Some(f) => f(&out, y)?,
            None => (self.loss)(&out, y)?,
        };
        loss.check_finite(&format!(
            "the validation loss (epoch {epoch}; try a smaller learning rate)"
        ))?;
        let metrics = self
            .metrics
            .iter()
            .map(|(name, f)| Ok((name.clone(), f(&out, y)?)))
            .collect::<Result<Vec<_>>>()?;
        Ok((Some(loss.item()?), metrics))
    }
}
