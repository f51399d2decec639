use typegrad::activation::Relu;
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::{Dense, Layer};
use typegrad::Vector;

typegrad::network! {
    type Net = [Dense<f32, 4, 8>, Relu, Dense<f32, 8, 3>, SoftmaxCrossEntropy];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Vector::new([1.0, 2.0, 3.0, 4.0]));
    println!("{:?}", y);
}
