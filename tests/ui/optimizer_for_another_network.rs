use typegrad::activation::Relu;
use typegrad::nn::Dense;
use typegrad::optim::{Adam, Optimizer, Settings};
use typegrad::seq;

fn main() {
    let small = <seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]>::default();
    let mut large = <seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 3>]>::default();
    let mut adam = Adam::new(&small, Settings::new(1e-3));
    let grads = large;
    // Adam's moment estimates are shaped like `small`, not like `large`.
    let _ = adam.step(&mut large, &grads);
}
