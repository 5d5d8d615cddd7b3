//! Softmax cross-entropy over class indices: [`cross_entropy`] and [`CrossEntropyLoss`], for
//! the tutorial's sigmoid-versus-softmax comparison.

use logit_core::autograd::{Backward, Grad};
use logit_core::{DType, Error, Float, Result, Storage, Tensor};

use crate::reduction::Reduction;

/// `−log softmax(x)[y]` per row, like `F.cross_entropy(logits, target)` with class indices.
/// One fused node: the gradient is `softmax(x) − onehot(y)`.
///
/// # Shapes
/// input `[N, C]` logits; target `[N]` int64 class indices in `0..C`.
///
/// ```
/// use logit_core::Tensor;
/// use logit_losses::{cross_entropy, Reduction};
/// let x = Tensor::new([[2.0, 0.0], [0.0, 2.0]])?;
/// let y = Tensor::new([0i64, 1])?;
/// assert!((cross_entropy(&x, &y, Reduction::Mean)?.item()? - 0.126928).abs() < 1e-6);
/// # Ok::<(), logit_core::Error>(())
/// ```
///
/// # Errors
/// When the input is not `[N, C]`, the target not `[N]` integers, or a class is out of range.
pub fn cross_entropy(input: &Tensor, target: &Tensor, reduction: Reduction) -> Result<Tensor> {
    if input.dim() != 2 || target.shape() != [input.shape()[0]] {
        return Err(Error::invalid(
            "cross_entropy",
            "input [N, C] and target [N]",
            format!("input {:?}, target {:?}", input.shape(), target.shape()),
        ));
    }
    if input.numel() == 0 {
        return Err(Error::invalid(
            "cross_entropy",
            "a non-empty batch",
            format!("input shape {:?}", input.shape()),
        ));
    }
    if target.dtype() != DType::I64 {
        return Err(Error::invalid(
            "cross_entropy",
            "class indices as int64",
            format!("{:?}", target.dtype()),
        ));
    }
    let (n, c) = (input.shape()[0], input.shape()[1]);
    let classes = target.to_vec::<i64>();
    if let Some(bad) = classes.iter().find(|&&k| k < 0 || k as usize >= c) {
        return Err(Error::invalid(
            "cross_entropy",
            format!("class indices in 0..{c}"),
            bad.to_string(),
        ));
    }
    let log_p = input.detach().log_softmax(1)?;
    macro_rules! run {
        ($t:ty) => {{
            let lp = log_p.to_vec::<$t>();
            let losses: Vec<$t> = (0..n).map(|i| -lp[i * c + classes[i] as usize]).collect();
            let value: Vec<$t> = match reduction {
                Reduction::None => losses,
                Reduction::Sum => vec![losses.iter().copied().sum()],
                Reduction::Mean => vec![losses.iter().copied().sum::<$t>() / n as $t],
            };
            let mut grad: Vec<$t> = lp.iter().map(|&l| l.exp()).collect();
            for (i, &k) in classes.iter().enumerate() {
                grad[i * c + k as usize] -= 1.0;
            }
            (<$t as Float>::wrap(value), <$t as Float>::wrap(grad))
        }};
    }
    let (value, grad) = match input.dtype() {
        DType::F64 => run!(f64),
        _ => run!(f32),
    };
    let shape = if reduction == Reduction::None {
        vec![n]
    } else {
        vec![]
    };
    let scale = if reduction == Reduction::Mean {
        1.0 / n as f64
    } else {
        1.0
    };
    Ok(Tensor::from_op(value, shape, &[input], |_| {
        CrossEntropyBackward {
            shape: input.shape().to_vec(),
            grad,
            c,
            scale,
        }
    }))
}

/// Saves the softmax-minus-one-hot derivative the forward computed.
struct CrossEntropyBackward {
    shape: Vec<usize>,
    grad: Storage,
    c: usize,
    scale: f64,
}

impl Backward for CrossEntropyBackward {
    fn name(&self) -> &'static str {
        "NllLossBackward0"
    }
    fn backward(&self, g: &Grad, _: &[bool]) -> Result<Vec<Option<Grad>>> {
        let gv = match g {
            Grad::Uniform { value, .. } => vec![*value],
            Grad::Dense(g) => g.to_vec_f64(),
        };
        let c = self.c;
        let out = logit_core::float_map!(&self.grad, |d| {
            d.iter()
                .enumerate()
                .map(|(j, &x)| x * E::c(gv[if gv.len() == 1 { 0 } else { j / c }] * self.scale))
                .collect()
        });
        Ok(vec![Some(Tensor::from_storage(out, &self.shape)?.into())])
    }
}

/// `nn.CrossEntropyLoss`: the struct form of [`cross_entropy`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CrossEntropyLoss {
    /// How to reduce.
    pub reduction: Reduction,
}

impl CrossEntropyLoss {
    /// Mean reduction.
    pub fn new() -> CrossEntropyLoss {
        CrossEntropyLoss::default()
    }

    /// The loss of `input` logits against class indices.
    ///
    /// # Errors
    /// As [`cross_entropy`].
    pub fn forward(&self, input: &Tensor, target: &Tensor) -> Result<Tensor> {
        cross_entropy(input, target, self.reduction)
    }
}
