use typegrad::activation::Relu;
use typegrad::nn::{Dense, Residual};

// The block maps 8 features to 6: x + F(x) cannot be formed.
typegrad::network! {
    type Net = [Dense<f32, 4, 8, Relu>, Residual<Dense<f32, 8, 6, Relu>>, Dense<f32, 8, 2>];
}

fn main() {}
