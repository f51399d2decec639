use typegrad::nn::{Conv1d, GlobalAvgPool1d, Input};
use typegrad::shape::Signal;

// The sensor gives 6 channels; the convolution was written for 3.
typegrad::network! {
    type Net = [Input<Signal<6, 100>>, Conv1d<f32, 3, 8, 5>, GlobalAvgPool1d];
}

fn main() {}
