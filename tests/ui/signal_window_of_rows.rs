use typegrad::nn::{Conv2d, GlobalAvgPool1d, Input};
use typegrad::shape::{Kernel, Signal};

// A 3 × 3 window cannot slide over a signal: a signal is one row of steps.
typegrad::network! {
    type Net = [Input<Signal<8, 16>>, Conv2d<f32, 8, 4, Kernel<3>>, GlobalAvgPool1d];
}

fn main() {
    let _ = Net::default();
}
