use logit_core::{Result, Tensor};
use logit_nn::{Linear, Module};

#[derive(Module)]
struct Model {
    linear: Linear,
    hidden: usize,
}

impl Module for Model {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        self.linear.forward(x)
    }
}

fn main() {}
