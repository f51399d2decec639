use typegrad::activation::Relu;
use typegrad::nn::Dense;
use typegrad::seq;

// Without `network!` the mistake is reported where the network is first built.
type Net = seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 8, Relu>, Dense<f32, 6, 3>];

fn main() {
    let _net = Net::default();
}
