use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::Dense;

// The loss is given to the training step, not listed as a layer.
typegrad::network! {
    type Net = [Dense<f32, 4, 3>, SoftmaxCrossEntropy];
}

fn main() {}
