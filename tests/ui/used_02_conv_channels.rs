use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer};
use typegrad::shape::Signal;
use typegrad::Matrix;

typegrad::network! {
    type Net = [
        Input<Signal<6, 25>>,
        Conv1d<f32, 6, 32, 3>,
        Relu,
        Conv1d<f32, 16, 32, 3>,
        GlobalAvgPool1d,
        Dense<f32, 32, 4>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
