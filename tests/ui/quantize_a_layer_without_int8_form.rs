use typegrad::activation::Softmax;
use typegrad::nn::Dense;
use typegrad::quant::quantize;
use typegrad::Vector;

typegrad::network! {
    type Net = [Dense<f32, 4, 8>, Dense<f32, 8, 3>, Softmax];
}

fn main() {
    let net = Net::default();
    let samples = [Vector::<f32, 4>::zeros()];
    // Softmax has no int8 form: the error says what to do instead.
    let _q = quantize(&net, &samples);
}
