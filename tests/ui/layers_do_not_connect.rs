use typegrad::activation::Relu;
use typegrad::nn::{Dense, Layer};
use typegrad::{Vector, seq};

fn main() {
    // The first layer has 8 outputs; the second expects 5 inputs.
    type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 5, 2>];
    let net = Net::default();
    let _y = net.predict(&Vector::zeros());
}
