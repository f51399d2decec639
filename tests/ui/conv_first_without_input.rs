use typegrad::nn::{Conv1d, GlobalAvgPool1d};

// A convolution's input length comes from what is before it: here, nothing.
typegrad::network! {
    type Net = [Conv1d<f32, 6, 16, 5>, GlobalAvgPool1d];
}

fn main() {}
