use logit_nn::{Linear, Module};

#[derive(Module)]
struct Model {
    #[module(frozen)]
    linear: Linear,
}

fn main() {}
