use logit_nn::{Linear, Module};

#[derive(Module)]
struct Model {
    #[module(buffer)]
    linear: Linear,
}

fn main() {}
