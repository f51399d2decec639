use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer, Residual};
use typegrad::shape::Signal;
use typegrad::{block, Matrix};

typegrad::network! {
    type Net = [
        Input<Signal<16, 50>>,
        Residual<block![Conv1d<f32, 16, 32, 3, 1, 1>, Relu, Conv1d<f32, 16, 16, 3, 1, 1>]>,
        GlobalAvgPool1d,
        Dense<f32, 16, 2>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
