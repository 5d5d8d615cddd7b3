use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module};

struct Config {
    width: usize,
}

#[derive(Module)]
struct Model {
    linear: Linear,
    config: Config,
}

impl Module for Model {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.linear.forward(x)
    }
}

fn main() {}
