use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, GlobalAvgPool1d, Input};
use typegrad::shape::Signal;

// The first convolution gives 16 channels; the second takes 8.
typegrad::network! {
    type Net = [
        Input<Signal<6, 100>>,
        Conv1d<f32, 6, 16, 5>,
        Relu,
        Conv1d<f32, 8, 8, 3>,
        GlobalAvgPool1d,
    ];
}

fn main() {}
