use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, Flatten, Input, Layer, MaxPool1d};
use typegrad::shape::Signal;
use typegrad::Matrix;

typegrad::network! {
    type Net = [
        Input<Signal<6, 50>>,
        Conv1d<f32, 6, 16, 7>,
        Relu,
        MaxPool1d<2>,
        Flatten,
        Dense<f32, 384, 4>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
