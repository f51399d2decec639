use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer, Residual};
use typegrad::shape::Signal;
use typegrad::{block, Matrix};

typegrad::network! {
    type Net = [
        Input<Signal<8, 50>>,
        Residual<block![Conv1d<f32, 8, 8, 3>, Relu, Conv1d<f32, 8, 8, 3>]>,
        GlobalAvgPool1d,
        Dense<f32, 8, 2>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
