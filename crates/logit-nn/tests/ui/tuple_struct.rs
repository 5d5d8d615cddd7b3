use logit_nn::{Linear, Module};

#[derive(Module)]
struct Model(Linear);

fn main() {}
