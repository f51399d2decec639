use typegrad::activation::Relu;
use typegrad::nn::{Conv2d, DepthwiseConv2d, GlobalAvgPool2d, Input};
use typegrad::shape::{Image, Kernel, Same, Stride};

// A depthwise-separable block whose depthwise half was written for 8 channels after a
// convolution that gives 16.
typegrad::network! {
    type Net = [
        Input<Image<1, 49, 10>>,
        Conv2d<f32, 1, 16, Kernel<10, 4>, Stride<2>, Same>,
        Relu,
        DepthwiseConv2d<f32, 8, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 8, 16, Kernel<1>>,
        GlobalAvgPool2d,
    ];
}

fn main() {}
