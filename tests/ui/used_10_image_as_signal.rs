use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::activation::Relu;
use typegrad::nn::{Conv2d, Dense, GlobalAvgPool2d, Input, Layer};
use typegrad::shape::Signal;
use typegrad::Matrix;

typegrad::network! {
    type Net = [
        Input<Signal<8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        GlobalAvgPool2d,
        Dense<f32, 8, 10>,
    ];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
