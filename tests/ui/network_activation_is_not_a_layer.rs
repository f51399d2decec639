use typegrad::activation::Relu;
use typegrad::nn::Dense;

// The PyTorch habit: an activation between layers. Here it goes inside `Dense`.
typegrad::network! {
    type Net = [Dense<f32, 4, 8>, Relu, Dense<f32, 8, 3>];
}

fn main() {}
