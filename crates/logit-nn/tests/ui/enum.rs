use logit_nn::{Linear, Module};

#[derive(Module)]
enum Head {
    Small(Linear),
    Large(Linear),
}

fn main() {}
