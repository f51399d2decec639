use typegrad::shape::Kernel;
use typegrad::nn::{Conv2d, Dense, GlobalAvgPool2d, Input, Layer, Reshape};
use typegrad::shape::{Image, Size};
use typegrad::{seq, Vector};

type Net = seq![
    Input<Size<60>>,
    Reshape<Image<1, 8, 8>>,
    Conv2d<f32, 1, 4, Kernel<3>>,
    GlobalAvgPool2d,
    Dense<f32, 4, 2>,
];

fn main() {
    let net = Net::default();
    let y = net.predict(&Vector::zeros());
    println!("{:?}", y);
}
