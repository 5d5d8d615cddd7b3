//! [`BatchNorm1d`] and [`BatchNorm2d`]: per-channel normalisation with running statistics.

use std::sync::atomic::{AtomicBool, Ordering};

use logit_core::ops::{BatchNormOptions, EvalBatchNorm};
use logit_core::{default_dtype, DType, Error, Result, Tensor};

use crate::summary::record;
use crate::{Module, Visit, Visitor};

/// Options shared by the batch-norm layers; the defaults are PyTorch's.
#[derive(Debug, Clone, Copy)]
pub struct BatchNormConfig {
    /// Added to the variance for numerical stability (`1e-5`).
    pub eps: f64,
    /// Weight of each new batch in the running statistics (`0.1`); `None` averages all batches.
    pub momentum: Option<f64>,
    /// Learnable per-channel scale and shift (`true`).
    pub affine: bool,
    /// Keep running statistics for evaluation (`true`).
    pub track_running_stats: bool,
}

impl Default for BatchNormConfig {
    fn default() -> Self {
        BatchNormConfig {
            eps: 1e-5,
            momentum: Some(0.1),
            affine: true,
            track_running_stats: true,
        }
    }
}

/// The state and forward pass both batch-norm layers share.
pub struct BatchNorm {
    /// Per-channel scale γ (ones at start), if affine.
    pub weight: Option<Tensor>,
    /// Per-channel shift β (zeros at start), if affine.
    pub bias: Option<Tensor>,
    /// Running mean (zeros at start), if tracked.
    pub running_mean: Option<Tensor>,
    /// Running *unbiased* variance (ones at start), if tracked.
    pub running_var: Option<Tensor>,
    /// Number of training batches seen, an `i64` scalar as in PyTorch.
    pub num_batches_tracked: Option<Tensor>,
    num_features: usize,
    config: BatchNormConfig,
    training: AtomicBool,
    name: &'static str,
    ranks: &'static [usize],
}

impl BatchNorm {
    fn new(
        name: &'static str,
        ranks: &'static [usize],
        num_features: usize,
        config: BatchNormConfig,
    ) -> Result<BatchNorm> {
        if num_features == 0 {
            return Err(Error::invalid(name, "num_features > 0", "0"));
        }
        if !(config.eps > 0.0) || config.momentum.is_some_and(|m| !(0.0..=1.0).contains(&m)) {
            return Err(Error::invalid(
                name,
                "eps > 0 and momentum in [0, 1]",
                format!("eps {}, momentum {:?}", config.eps, config.momentum),
            ));
        }
        let dt = default_dtype();
        let c = [num_features];
        // sizes come from the caller: an allocation that fails is an error, not an abort
        let full = |v: f64| Tensor::try_full_dtype(&c, v, dt);
        let (weight, bias) = if config.affine {
            (
                Some(full(1.0)?.requires_grad_(true)),
                Some(full(0.0)?.requires_grad_(true)),
            )
        } else {
            (None, None)
        };
        let track = config.track_running_stats;
        let (running_mean, running_var) = if track {
            (Some(full(0.0)?), Some(full(1.0)?))
        } else {
            (None, None)
        };
        Ok(BatchNorm {
            weight,
            bias,
            running_mean,
            running_var,
            num_batches_tracked: track.then(|| Tensor::zeros_dtype(&[], DType::I64)),
            num_features,
            config,
            training: AtomicBool::new(true),
            name,
            ranks,
        })
    }

    fn forward_impl(&self, x: &Tensor) -> Result<Tensor> {
        if !self.ranks.contains(&x.dim()) || x.shape()[1] != self.num_features {
            let want = if self.ranks.contains(&2) {
                "[N, C] or [N, C, L]"
            } else {
                "[N, C, H, W]"
            };
            return Err(Error::invalid(
                format!("{}({})", self.name, self.num_features),
                format!("input {want} with C = {}", self.num_features),
                format!("shape {:?}", x.shape()),
            ));
        }
        let training = self.training.load(Ordering::Relaxed);
        let mut momentum = self.config.momentum;
        if training {
            if let Some(n) = &self.num_batches_tracked {
                n.update_(|s| {
                    if let logit_core::Storage::I64(v) = s {
                        v[0] += 1;
                    }
                });
                if momentum.is_none() {
                    // cumulative moving average
                    momentum = Some(1.0 / n.item()?);
                }
            }
        }
        let use_batch_stats = training || self.running_mean.is_none();
        x.batch_norm(
            self.running_mean.as_ref(),
            self.running_var.as_ref(),
            self.weight.as_ref(),
            self.bias.as_ref(),
            BatchNormOptions {
                training: use_batch_stats,
                momentum,
                eps: self.config.eps,
            },
        )
    }

    /// The layer as the functional form's eval-mode batch norm: `Some` in eval mode with
    /// running statistics, when its forward normalises with them.
    pub fn eval_params(&self) -> Option<EvalBatchNorm<'_>> {
        if self.training.load(Ordering::Relaxed) {
            return None;
        }
        Some(EvalBatchNorm {
            running_mean: self.running_mean.as_ref()?,
            running_var: self.running_var.as_ref()?,
            weight: self.weight.as_ref(),
            bias: self.bias.as_ref(),
            eps: self.config.eps,
        })
    }

    fn visit_impl<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
        if let (Some(w), Some(b)) = (&self.weight, &self.bias) {
            v.param("weight", w);
            v.param("bias", b);
        }
        if let (Some(m), Some(r), Some(n)) = (
            &self.running_mean,
            &self.running_var,
            &self.num_batches_tracked,
        ) {
            v.buffer("running_mean", m);
            v.buffer("running_var", r);
            v.buffer("num_batches_tracked", n);
        }
    }

    fn extra_repr_impl(&self) -> String {
        let b = |x: bool| if x { "True" } else { "False" };
        format!(
            // PyTorch 2.15 prints `bias` beside `affine`; logit's affine layer always has both
            "{}, eps={}, momentum={}, affine={}, bias={}, track_running_stats={}",
            self.num_features,
            python_float(self.config.eps),
            self.config
                .momentum
                .map_or("None".to_string(), |m| m.to_string()),
            b(self.config.affine),
            b(self.config.affine),
            b(self.config.track_running_stats)
        )
    }
}

macro_rules! batch_norm_layer {
    ($(#[$doc:meta])* $name:ident, $ranks:expr) => {
        $(#[$doc])*
        pub struct $name(pub BatchNorm);

        impl $name {
            /// A layer over `num_features` channels with PyTorch's defaults.
            ///
            /// # Errors
            /// When `num_features` is 0.
            pub fn new(num_features: usize) -> Result<$name> {
                $name::with_config(num_features, BatchNormConfig::default())
            }

            /// A layer with explicit options.
            ///
            /// # Errors
            /// When `num_features` is 0, `eps <= 0` or the momentum is outside `[0, 1]`.
            pub fn with_config(num_features: usize, config: BatchNormConfig) -> Result<$name> {
                Ok($name(BatchNorm::new(stringify!($name), $ranks, num_features, config)?))
            }
        }

        impl std::ops::Deref for $name {
            type Target = BatchNorm;
            fn deref(&self) -> &BatchNorm {
                &self.0
            }
        }

        impl Visit for $name {
            fn visit<'m>(&'m self, v: &mut Visitor<'_, 'm>) {
                self.0.visit_impl(v)
            }
        }

        impl Module for $name {
            fn forward(&self, x: &Tensor) -> Result<Tensor> {
                record(self, self.0.forward_impl(x))
            }
            fn set_training(&self, training: bool) {
                self.0.training.store(training, Ordering::Relaxed);
            }
            fn training_flag(&self) -> Option<bool> {
                Some(self.0.training.load(Ordering::Relaxed))
            }
            fn extra_repr(&self) -> String {
                self.0.extra_repr_impl()
            }
        }
    };
}

batch_norm_layer!(
    /// Batch normalisation of `[N, C]` or `[N, C, L]` inputs, like `nn.BatchNorm1d`.
    ///
    /// Training normalises with the batch's biased variance and updates the running variance
    /// with the unbiased one; evaluation uses the running statistics.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// use logit_nn::{BatchNorm1d, Module};
    /// let bn = BatchNorm1d::new(3)?;
    /// let y = bn.forward(&Tensor::randn(&[16, 3]))?;
    /// assert!(y.mean_dim(0, false)?.abs().max()?.item()? < 1e-5);
    /// assert_eq!(bn.state_dict().keys(), ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    BatchNorm1d,
    &[2, 3]
);

batch_norm_layer!(
    /// Batch normalisation of `[N, C, H, W]` inputs per channel, like `nn.BatchNorm2d`.
    BatchNorm2d,
    &[4]
);

/// A float as Python's `repr` writes it (`1e-05`, `0.001`), so reprs read as PyTorch's.
fn python_float(v: f64) -> String {
    let sci = format!("{v:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..16).contains(&exp) {
        format!("{v}")
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    }
}
