use typegrad::activation::Relu;
use typegrad::nn::{Conv2d, Input, MaxPool2d};
use typegrad::shape::{Image, Kernel, Pad, Stride};

// A pool given explicit padding: TFLite's pools pad `SAME` or not at all.
typegrad::network! {
    type Net = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 4, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<2>, Stride<2>, Pad<1>>,
    ];
}

fn main() {}
