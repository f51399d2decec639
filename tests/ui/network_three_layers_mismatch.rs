use typegrad::activation::Relu;
use typegrad::nn::Dense;

// Layers 2 and 3 disagree: 8 outputs, 6 inputs.
typegrad::network! {
    pub type Net = [Dense<f32, 4, 16, Relu>, Dense<f32, 16, 8, Relu>, Dense<f32, 6, 3>];
}

fn main() {}
