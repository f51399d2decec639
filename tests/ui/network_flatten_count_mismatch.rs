use typegrad::activation::Relu;
use typegrad::nn::{ActivationLayer, Dense, Flatten};
use typegrad::shape::Signal;

// 12 channels × 49 steps flatten to 588 features, not the 600 the dense layer takes.
typegrad::network! {
    type Net = [ActivationLayer<Relu, Signal<12, 49>>, Flatten, Dense<f32, 600, 4>];
}

fn main() {}
