use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, GlobalAvgPool1d, Input, Residual};
use typegrad::shape::Signal;
use typegrad::block;

// Without padding the block shortens 50 steps to 46: x + F(x) cannot be formed.
typegrad::network! {
    type Net = [
        Input<Signal<8, 50>>,
        Residual<block![Conv1d<f32, 8, 8, 3>, Relu, Conv1d<f32, 8, 8, 3>]>,
        GlobalAvgPool1d,
    ];
}

fn main() {}
