use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, Flatten, Input, MaxPool1d};
use typegrad::shape::Signal;

// 100 steps, kernel 5: 96; pooled by 2: 48; 16 channels × 48 = 768 features, not 800.
typegrad::network! {
    type Net = [
        Input<Signal<6, 100>>,
        Conv1d<f32, 6, 16, 5>,
        Relu,
        MaxPool1d<2>,
        Flatten,
        Dense<f32, 800, 4>,
    ];
}

fn main() {}
