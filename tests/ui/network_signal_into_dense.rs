use typegrad::activation::Relu;
use typegrad::nn::{ActivationLayer, Dense};
use typegrad::shape::Signal;

// 2 channels × 4 steps are 8 numbers, but a dense layer takes flat features: flatten first.
typegrad::network! {
    type Net = [ActivationLayer<Relu, Signal<2, 4>>, Dense<f32, 8, 3>];
}

fn main() {}
