use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer};
use typegrad::shape::Signal;
use typegrad::Matrix;

typegrad::network! {
    type Net = [
        Input<Signal<3, 20>>,
        Conv1d<f32, 3, 8, 31>,
        Relu,
        GlobalAvgPool1d,
        Dense<f32, 8, 2>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
