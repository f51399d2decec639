use typegrad::activation::{Relu, Tanh};
use typegrad::nn::ActivationLayer;
use typegrad::shape::Signal;

// As many numbers, arranged as 2 × 4 on one side and 4 × 2 on the other.
typegrad::network! {
    type Net = [ActivationLayer<Relu, Signal<2, 4>>, ActivationLayer<Tanh, Signal<4, 2>>];
}

fn main() {}
