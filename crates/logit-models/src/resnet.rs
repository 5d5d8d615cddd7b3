//! torchvision's ResNet family (resnet18/34/50/101) with torchvision's exact state-dict keys,
//! so `safetensors.torch.save_file(model.state_dict(), path)` loads with strict checking.

use logit_core::{Error, Result, Tensor};
use logit_nn::init::{kaiming_normal_, FanMode, Nonlinearity};
use logit_nn::{
    AdaptiveAvgPool2d, BatchNorm2d, Conv2d, Conv2dConfig, Linear, MaxPool2d, Module, ReLU,
    Sequential,
};

fn conv(cin: usize, cout: usize, k: usize, stride: usize) -> Result<Conv2d> {
    Conv2d::new(
        cin,
        cout,
        k,
        Conv2dConfig {
            stride: (stride, stride),
            padding: (k / 2, k / 2),
            bias: false,
            ..Default::default()
        },
    )
}

/// `conv1x1 → bn` when a block changes resolution or width (keys `downsample.0`, `downsample.1`).
fn downsample(cin: usize, cout: usize, stride: usize) -> Result<Option<Sequential>> {
    if stride == 1 && cin == cout {
        return Ok(None);
    }
    Ok(Some(
        Sequential::new()
            .add(conv(cin, cout, 1, stride)?)
            .add(BatchNorm2d::new(cout)?),
    ))
}

/// The skip connection: `x` itself, or its downsampled copy.
fn identity(x: &Tensor, down: &Option<Sequential>) -> Result<Tensor> {
    let Some(d) = down else {
        return Ok(x.clone());
    };
    // the `conv1x1 → bn` this file builds, fused in eval mode like the blocks' convolutions;
    // anything else a user put there runs as it is
    let conv = d.get(0).and_then(|m| m.downcast_ref::<Conv2d>());
    let bn = d.get(1).and_then(|m| m.downcast_ref::<BatchNorm2d>());
    match (conv, bn, d.len()) {
        (Some(conv), Some(bn), 2) => conv.forward_fused(x, bn, None, None),
        _ => d.forward(x),
    }
}

/// Two 3×3 convolutions with a skip connection (resnet18/34); expansion 1.
#[derive(Module)]
pub struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm2d,
    relu: ReLU,
    conv2: Conv2d,
    bn2: BatchNorm2d,
    downsample: Option<Sequential>,
}

impl BasicBlock {
    fn new(cin: usize, planes: usize, stride: usize) -> Result<BasicBlock> {
        // torchvision's _make_layer builds the downsample before the block: it draws first
        let downsample = downsample(cin, planes, stride)?;
        Ok(BasicBlock {
            conv1: conv(cin, planes, 3, stride)?,
            bn1: BatchNorm2d::new(planes)?,
            relu: ReLU,
            conv2: conv(planes, planes, 3, 1)?,
            bn2: BatchNorm2d::new(planes)?,
            downsample,
        })
    }
}

impl Module for BasicBlock {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let relu = Some(&self.relu);
        let out = self.conv1.forward_fused(x, &self.bn1, None, relu)?;
        let skip = identity(x, &self.downsample)?;
        self.conv2.forward_fused(&out, &self.bn2, Some(&skip), relu)
    }
}

/// 1×1 → 3×3 (strided, as torchvision's v1.5) → 1×1 convolutions with a skip connection
/// (resnet50/101); expansion 4.
#[derive(Module)]
pub struct Bottleneck {
    conv1: Conv2d,
    bn1: BatchNorm2d,
    conv2: Conv2d,
    bn2: BatchNorm2d,
    conv3: Conv2d,
    bn3: BatchNorm2d,
    relu: ReLU,
    downsample: Option<Sequential>,
}

impl Bottleneck {
    fn new(cin: usize, planes: usize, stride: usize) -> Result<Bottleneck> {
        let downsample = downsample(cin, planes * 4, stride)?;
        Ok(Bottleneck {
            conv1: conv(cin, planes, 1, 1)?,
            bn1: BatchNorm2d::new(planes)?,
            conv2: conv(planes, planes, 3, stride)?,
            bn2: BatchNorm2d::new(planes)?,
            conv3: conv(planes, planes * 4, 1, 1)?,
            bn3: BatchNorm2d::new(planes * 4)?,
            relu: ReLU,
            downsample,
        })
    }
}

impl Module for Bottleneck {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let relu = Some(&self.relu);
        let out = self.conv1.forward_fused(x, &self.bn1, None, relu)?;
        let out = self.conv2.forward_fused(&out, &self.bn2, None, relu)?;
        let skip = identity(x, &self.downsample)?;
        self.conv3.forward_fused(&out, &self.bn3, Some(&skip), relu)
    }
}

/// torchvision's `ResNet`: `conv1 bn1 relu maxpool layer1..layer4 avgpool fc`.
///
/// ```
/// use logit_models::ResNet;
/// use logit_nn::Module;
/// let m = ResNet::resnet18(1000)?;
/// let keys = m.state_dict().keys().into_iter().map(String::from).collect::<Vec<_>>();
/// assert!(keys.contains(&"layer2.0.downsample.1.running_var".to_string()));
/// assert_eq!(m.num_features(), 512);
/// # Ok::<(), logit_core::Error>(())
/// ```
#[derive(Module)]
pub struct ResNet {
    conv1: Conv2d,
    bn1: BatchNorm2d,
    relu: ReLU,
    maxpool: MaxPool2d,
    layer1: Sequential,
    layer2: Sequential,
    layer3: Sequential,
    layer4: Sequential,
    avgpool: AdaptiveAvgPool2d,
    /// The classifier, `Linear(num_features, num_classes)`; assign another module for transfer
    /// learning, as `model.fc = nn.Sequential(...)` does in PyTorch.
    pub fc: Box<dyn Module>,
    #[module(skip)]
    num_features: usize,
}

impl ResNet {
    fn build(bottleneck: bool, blocks: [usize; 4], num_classes: usize) -> Result<ResNet> {
        if num_classes == 0 {
            return Err(Error::invalid("ResNet", "num_classes > 0", "0"));
        }
        let expansion = if bottleneck { 4 } else { 1 };
        // layers draw their default initialisation in torchvision's construction order
        let conv1 = Conv2d::new(
            3,
            64,
            7,
            Conv2dConfig {
                stride: (2, 2),
                padding: (3, 3),
                bias: false,
                ..Default::default()
            },
        )?;
        let bn1 = BatchNorm2d::new(64)?;
        let mut cin = 64;
        let mut layers = Vec::with_capacity(4);
        for (i, (&n, planes)) in blocks.iter().zip([64, 128, 256, 512]).enumerate() {
            let mut seq = Sequential::new();
            for b in 0..n {
                let stride = if b == 0 && i > 0 { 2 } else { 1 };
                if bottleneck {
                    seq.push(Bottleneck::new(cin, planes, stride)?);
                } else {
                    seq.push(BasicBlock::new(cin, planes, stride)?);
                }
                cin = planes * expansion;
            }
            layers.push(seq);
        }
        let [layer1, layer2, layer3, layer4]: [Sequential; 4] = layers
            .try_into()
            .map_err(|_| Error::invalid("ResNet", "4 stages", "other"))?;
        let fc = Linear::new(512 * expansion, num_classes)?;
        let model = ResNet {
            conv1,
            bn1,
            relu: ReLU,
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: Box::new(fc),
            num_features: 512 * expansion,
        };
        model.reinit_convs()?;
        Ok(model)
    }

    /// The end of torchvision's `ResNet.__init__`: every convolution, in module order,
    /// re-drawn with `kaiming_normal_(w, mode="fan_out", nonlinearity="relu")` (batch norms
    /// already hold ones and zeros; `fc` keeps its Linear default).
    fn reinit_convs(&self) -> Result<()> {
        for (name, w) in self.named_parameters() {
            if w.dim() == 4 && name.ends_with("weight") {
                kaiming_normal_(&w, 0.0, FanMode::FanOut, Nonlinearity::Relu, None)?;
            }
        }
        Ok(())
    }

    /// ResNet-18 (BasicBlock, [2, 2, 2, 2]).
    ///
    /// # Errors
    /// When `num_classes` is 0.
    pub fn resnet18(num_classes: usize) -> Result<ResNet> {
        ResNet::build(false, [2, 2, 2, 2], num_classes)
    }

    /// ResNet-34 (BasicBlock, [3, 4, 6, 3]).
    ///
    /// # Errors
    /// When `num_classes` is 0.
    pub fn resnet34(num_classes: usize) -> Result<ResNet> {
        ResNet::build(false, [3, 4, 6, 3], num_classes)
    }

    /// ResNet-50 (Bottleneck, [3, 4, 6, 3]).
    ///
    /// # Errors
    /// When `num_classes` is 0.
    pub fn resnet50(num_classes: usize) -> Result<ResNet> {
        ResNet::build(true, [3, 4, 6, 3], num_classes)
    }

    /// ResNet-101 (Bottleneck, [3, 4, 23, 3]).
    ///
    /// # Errors
    /// When `num_classes` is 0.
    pub fn resnet101(num_classes: usize) -> Result<ResNet> {
        ResNet::build(true, [3, 4, 23, 3], num_classes)
    }

    /// Width of the pooled features that `fc` receives (512 or 2048), torchvision's
    /// `model.fc.in_features`.
    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// Everything up to and including the global average pool, flattened to
    /// `[N, num_features]`.
    ///
    /// # Errors
    /// When the input is not `[N, 3, H, W]` or too small for the strides.
    pub fn forward_features(&self, x: &Tensor) -> Result<Tensor> {
        let stem = self
            .conv1
            .forward_fused(x, &self.bn1, None, Some(&self.relu))?;
        let mut h = self.maxpool.forward(&stem)?;
        for layer in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            h = layer.forward(&h)?;
        }
        self.avgpool.forward(&h)?.flatten(1, -1)
    }
}

impl Module for ResNet {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.fc.forward(&self.forward_features(x)?)
    }
}
