use typegrad::nn::{Conv1d, Dense, Flatten, Input};
use typegrad::shape::Signal;

// A kernel of 7 steps cannot slide over 4 steps padded by 1 on each side (6 steps).
typegrad::network! {
    type Net = [Input<Signal<2, 4>>, Conv1d<f32, 2, 3, 7, 1, 1>, Flatten, Dense<f32, 3, 1>];
}

fn main() {}
