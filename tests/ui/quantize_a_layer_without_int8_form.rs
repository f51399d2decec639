use typegrad::activation::Tanh;
use typegrad::nn::Dense;
use typegrad::quant::quantize;
use typegrad::Vector;

typegrad::network! {
    type Net = [Dense<f32, 4, 8>, Tanh, Dense<f32, 8, 3>];
}

fn main() {
    let net = Net::default();
    let samples = [Vector::<f32, 4>::zeros()];
    // Tanh has no int8 form here: the error lists what has one.
    let _q = quantize(&net, &samples);
}
