use typegrad::activation::Relu;
use typegrad::nn::Dense;

// Four layers; junction 1 (between layers 1 and 2) does not connect.
typegrad::network! {
    type Net = [Dense<f32, 4, 16, Relu>, Dense<f32, 17, 12, Relu>, Dense<f32, 12, 8, Relu>, Dense<f32, 8, 3>];
}

fn main() {}
