use typegrad::activation::Softmax;
use typegrad::nn::{Conv1d, Input, Layer};
use typegrad::shape::Signal;
use typegrad::Matrix;

typegrad::network! {
    type Net = [Input<Signal<6, 25>>, Conv1d<f32, 6, 8, 3>, Softmax];
}

fn main() {
    let net = Net::default();
    let y = net.predict(&Matrix::zeros());
    println!("{:?}", y);
}
