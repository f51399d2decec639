use typegrad::nn::Dense;
use typegrad::Vector;

// A tensor is not a layer.
typegrad::network! {
    type Net = [Dense<f32, 4, 8>, Vector<f32, 8>];
}

fn main() {}
