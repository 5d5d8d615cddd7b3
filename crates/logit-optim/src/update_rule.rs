//! [`UpdateRule`], what one optimizer is (its config, its per-element update, the names of its
//! state in PyTorch's layout), and [`Optim`], the one optimizer type generic over it. `SGD`,
//! `Adam`, `AdamW` and `RMSprop` are `Optim`s of their rule; a new optimizer is one file with
//! one `UpdateRule` impl.

use std::fmt::Debug;

use logit_core::checkpoint::Value;
use logit_core::{Error, Float, Result, Storage, Tensor};

use crate::optimizer::{group, Buffers, ParamGroup};
use crate::{state_dict, Optimizer};

/// The most state buffers an update rule may keep per parameter (Adam with AMSGrad keeps three).
pub const MAX_BUFFERS: usize = 4;

/// One update rule: `torch.optim.X` without the bookkeeping that [`Optim`] does for all.
pub trait UpdateRule: Sized + Clone {
    /// The options a user passes, like `SGDConfig`.
    type Config: Copy + Debug;
    /// PyTorch's class name, for errors (`"Adam"`).
    const NAME: &'static str;

    /// Checks `config` and builds the rule.
    ///
    /// # Errors
    /// When a hyperparameter is out of range, with PyTorch's wording.
    fn from_config(config: Self::Config) -> Result<Self>;

    /// The options in force (loading a state dict may have changed them).
    fn config(&self) -> Self::Config;

    /// The learning rate and weight decay of the first group, from the config.
    fn group_defaults(config: &Self::Config) -> (f64, f64);

    /// PyTorch's defaults for this optimizer with the learning rate `lr`, what
    /// `torch.optim.X(params, lr=lr)` uses.
    fn with_lr(lr: f64) -> Self::Config;

    /// Updates one parameter `p` from its gradient in place. `bufs` are this parameter's state
    /// buffers (as many as [`UpdateRule::buffer_names`] lists, zeros before the first step) and
    /// `step` counts updates including this one.
    fn update<T: Float>(
        &self,
        g: &ParamGroup,
        p: &mut [T],
        grad: &[T],
        step: u64,
        bufs: &mut [&mut [T]],
    );

    /// Whether PyTorch's state dict has a `step` (saved as a 0-d f32 tensor).
    fn saves_step(&self) -> bool;

    /// The state buffers, in the order `update` receives them, by PyTorch's names; `None` marks
    /// a buffer PyTorch does not keep under this configuration. At most [`MAX_BUFFERS`].
    fn buffer_names(&self) -> Vec<Option<&'static str>>;

    /// The order PyTorch writes the buffers in (indices into `buffer_names`).
    fn save_order(&self) -> Vec<usize> {
        (0..self.buffer_names().len()).collect()
    }

    /// State keys PyTorch saves as `None` (SGD's `momentum_buffer` without momentum).
    fn none_keys(&self) -> &'static [&'static str] {
        &[]
    }

    /// A group's hyperparameters as PyTorch names them, after `lr` and before `params`.
    fn hyperparameters(&self, g: &ParamGroup) -> Vec<(&'static str, Value)>;

    /// Takes the rule-wide hyperparameters from a saved group (the first one).
    ///
    /// # Errors
    /// When an entry is missing, of the wrong type or out of range.
    fn load_hyperparameters(&mut self, group: &Value) -> Result<()>;
}

/// An optimizer: parameter groups, per-parameter state and an [`UpdateRule`]. Use it through
/// its aliases ([`crate::SGD`], [`crate::Adam`], …) and the [`Optimizer`] trait.
pub struct Optim<R: UpdateRule> {
    groups: Vec<ParamGroup>,
    rule: R,
    state: Vec<Vec<Option<Buffers>>>,
}

/// What [`Optim::new`] takes: a learning rate alone, every other option at PyTorch's default
/// for that optimizer (`SGD::new(params, 0.01)`, like `optim.SGD(params, lr=0.01)`), or the
/// optimizer's full config.
pub trait IntoConfig<R: UpdateRule> {
    /// The config this stands for.
    fn into_config(self) -> R::Config;
}

impl<R: UpdateRule> IntoConfig<R> for f64 {
    fn into_config(self) -> R::Config {
        R::with_lr(self)
    }
}

impl<R: UpdateRule> Optim<R> {
    /// An optimizer over `params` (one group), like `torch.optim.X(params, ...)`: pass the
    /// learning rate alone or a full config.
    ///
    /// ```
    /// use logit_core::Tensor;
    /// use logit_optim::{AdamW, Optimizer, SGDConfig, SGD};
    /// let w = Tensor::new([1.0, 2.0])?.requires_grad_(true);
    /// let sgd = SGD::new(vec![w.clone()], 0.01)?;             // optim.SGD(params, lr=0.01)
    /// let nesterov = SGD::new(
    ///     vec![w.clone()],
    ///     SGDConfig { lr: 0.01, momentum: 0.9, nesterov: true, ..Default::default() },
    /// )?;
    /// let adamw = AdamW::new(vec![w], 1e-3)?;                 // weight decay 0.01, as in PyTorch
    /// assert_eq!(adamw.param_groups()[0].weight_decay, 0.01);
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// On a hyperparameter out of range, no parameters, or a parameter that is not float.
    pub fn new(params: Vec<Tensor>, config: impl IntoConfig<R>) -> Result<Optim<R>> {
        let config = config.into_config();
        let rule = R::from_config(config)?;
        let (lr, weight_decay) = R::group_defaults(&config);
        Ok(Optim {
            groups: vec![group(R::NAME, params, lr, weight_decay)?],
            rule,
            state: Vec::new(),
        })
    }

    /// Adds a parameter group with its own learning rate and weight decay, like
    /// `optimizer.add_param_group`.
    ///
    /// # Errors
    /// On a negative learning rate or weight decay, or no parameters.
    pub fn add_param_group(
        &mut self,
        params: Vec<Tensor>,
        lr: f64,
        weight_decay: f64,
    ) -> Result<()> {
        self.groups.push(group(R::NAME, params, lr, weight_decay)?);
        Ok(())
    }

    /// The options in force.
    pub fn config(&self) -> R::Config {
        self.rule.config()
    }
}

impl<R: UpdateRule> Optimizer for Optim<R> {
    fn step(&mut self) -> Result<()> {
        self.state.resize_with(self.groups.len(), Vec::new);
        for (g, states) in self.groups.iter().zip(self.state.iter_mut()) {
            states.resize_with(g.params.len(), || None);
            for (p, st) in g.params.iter().zip(states.iter_mut()) {
                let Some(grad) = p.grad() else { continue };
                if grad.dtype() != p.dtype() {
                    return Err(Error::DTypeMismatch {
                        op: "optimizer step",
                        expected: p.dtype(),
                        got: grad.dtype(),
                    });
                }
                // the buffer count is asked once, when a parameter's state is created
                let rule = &self.rule;
                let st = st.get_or_insert_with(|| Buffers {
                    step: 0,
                    bufs: (0..rule.buffer_names().len())
                        .map(|_| Storage::zeros(p.dtype(), p.numel()))
                        .collect(),
                });
                st.step += 1;
                update_one(&self.rule, g, p, &grad, st);
            }
        }
        Ok(())
    }

    fn param_groups(&self) -> &[ParamGroup] {
        &self.groups
    }

    fn param_groups_mut(&mut self) -> &mut [ParamGroup] {
        &mut self.groups
    }

    fn state_dict(&self) -> Value {
        state_dict::save(&self.rule, &self.groups, &self.state)
    }

    fn load_state_dict(&mut self, sd: &Value) -> Result<()> {
        state_dict::load(&mut self.rule, &mut self.groups, &mut self.state, sd)
    }
}

/// Runs the rule on one parameter with the element type of its storage.
fn update_one<R: UpdateRule>(
    rule: &R,
    g: &ParamGroup,
    p: &Tensor,
    grad: &Tensor,
    st: &mut Buffers,
) {
    fn run<T: Float, R: UpdateRule>(
        rule: &R,
        g: &ParamGroup,
        p: &mut [T],
        grad: &Storage,
        st: &mut Buffers,
    ) {
        // on the stack: this runs for every parameter on every step
        let n = st.bufs.len();
        assert!(
            n <= MAX_BUFFERS,
            "an update rule keeps at most {MAX_BUFFERS} buffers"
        );
        let mut it = st.bufs.iter_mut();
        let mut bufs: [&mut [T]; MAX_BUFFERS] = std::array::from_fn(|_| {
            it.next()
                .map(|s| T::slice_mut(s).expect("state buffers have the parameter's dtype"))
                .unwrap_or_default()
        });
        let grad = T::slice(grad).expect("the gradient's dtype was checked");
        rule.update(g, p, grad, st.step, &mut bufs[..n]);
    }
    let gs = grad.storage();
    // parameters are float, checked at construction
    p.update_(|ps| {
        logit_core::with_float!(ps.dtype(), |E| {
            run::<E, R>(
                rule,
                g,
                E::slice_mut(ps).expect("the dtype matches"),
                &gs,
                st,
            )
        })
    });
}
