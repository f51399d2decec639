use typegrad::activation::Relu;
use typegrad::nn::{Dense, Layer};
use typegrad::Vector;

typegrad::network! {
    type Net = [Dense<f32, 4, 12>, Relu, Dense<f32, 10, 3>];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Vector::new([1.0, 2.0, 3.0, 4.0]));
    println!("{:?}", y);
}
