use typegrad::shape::Kernel;
use typegrad::nn::{Conv2d, GlobalAvgPool2d, Input, MaxPool2d};
use typegrad::shape::Image;

// 8 × 8 pooled twice by 2 is 2 × 2: a 3 × 3 kernel without padding does not fit.
typegrad::network! {
    type Net = [
        Input<Image<1, 8, 8>>,
        MaxPool2d<Kernel<2>>,
        MaxPool2d<Kernel<2>>,
        Conv2d<f32, 1, 4, Kernel<3>>,
        GlobalAvgPool2d,
    ];
}

fn main() {}
