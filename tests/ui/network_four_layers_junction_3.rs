use typegrad::activation::Relu;
use typegrad::nn::Dense;

// Four layers; junction 3 (between layers 3 and 4) does not connect.
typegrad::network! {
    type Net = [Dense<f32, 4, 16, Relu>, Dense<f32, 16, 12, Relu>, Dense<f32, 12, 8, Relu>, Dense<f32, 9, 3>];
}

fn main() {}
