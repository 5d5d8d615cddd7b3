//! A convolution with the batch norm, skip connection and ReLU that follow it, run as one op
//! in eval mode ([`Tensor::conv2d_fused`]): what a ResNet block does per convolution.

use logit_core::ops::ConvEpilogue;
use logit_core::{Result, Tensor};

use crate::summary::is_recording;
use crate::{BatchNorm2d, Conv2d, Module, ReLU};

impl Conv2d {
    /// `relu(bn(conv(x)) + residual)`, the skip connection and ReLU when given: the same
    /// values as calling the modules one after another. In eval mode (`bn` normalising with
    /// its running statistics) with no graph to record, it is one fused op that finishes the
    /// output while it is in cache; otherwise, and while a [`summary`](crate::summary()) lists
    /// module calls, it calls the modules.
    ///
    /// ```
    /// use logit_core::{no_grad, Tensor};
    /// use logit_nn::{BatchNorm2d, Conv2d, Conv2dConfig, Module, ReLU};
    /// let conv = Conv2d::new(3, 8, 3, Conv2dConfig { padding: (1, 1), ..Default::default() })?;
    /// let bn = BatchNorm2d::new(8)?;
    /// bn.eval();
    /// let x = Tensor::randn(&[2, 3, 6, 6]);
    /// let _g = no_grad();
    /// let fused = conv.forward_fused(&x, &bn, None, Some(&ReLU))?;
    /// let plain = ReLU.forward(&bn.forward(&conv.forward(&x)?)?)?;
    /// assert_eq!(fused.to_vec::<f32>(), plain.to_vec::<f32>());
    /// # Ok::<(), logit_core::Error>(())
    /// ```
    ///
    /// # Errors
    /// When `x` does not fit the convolution, its output does not fit `bn` or `residual`.
    pub fn forward_fused(
        &self,
        x: &Tensor,
        bn: &BatchNorm2d,
        residual: Option<&Tensor>,
        relu: Option<&ReLU>,
    ) -> Result<Tensor> {
        if let (Some(params), false) = (bn.eval_params(), is_recording()) {
            self.check(x)?;
            let epilogue = ConvEpilogue {
                batch_norm: Some(params),
                residual,
                relu: relu.is_some(),
            };
            return x.conv2d_fused(&self.weight, self.bias.as_ref(), self.options(), epilogue);
        }
        let y = bn.forward(&self.forward(x)?)?;
        let y = match residual {
            Some(r) => y.add(r)?,
            None => y,
        };
        match relu {
            Some(r) => r.forward(&y),
            None => Ok(y),
        }
    }
}
