use typegrad::activation::Relu;
use typegrad::nn::Dense;

// The first layer has 8 outputs; the second takes 5 inputs.
typegrad::network! {
    type Net = [Dense<f32, 4, 8, Relu>, Dense<f32, 5, 2>];
}

fn main() {}
