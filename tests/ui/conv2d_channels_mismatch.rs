use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::activation::Relu;
use typegrad::nn::{Conv2d, GlobalAvgPool2d, Input};
use typegrad::shape::Image;

// The first convolution gives 8 channels of 8 × 8; the second was written for 4 channels.
typegrad::network! {
    type Net = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        Conv2d<f32, 4, 8, Kernel<3>>,
        GlobalAvgPool2d,
    ];
}

fn main() {}
