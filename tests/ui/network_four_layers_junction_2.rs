use typegrad::activation::Relu;
use typegrad::nn::Dense;

// Four layers; junction 2 (between layers 2 and 3) does not connect.
typegrad::network! {
    type Net = [Dense<f32, 4, 16, Relu>, Dense<f32, 16, 12, Relu>, Dense<f32, 13, 8, Relu>, Dense<f32, 8, 3>];
}

fn main() {}
