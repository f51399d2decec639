use typegrad::activation::Relu;
use typegrad::block;
use typegrad::nn::{Conv2d, GlobalAvgPool2d, Input, Projected};
use typegrad::shape::{Image, Kernel, Same, Stride};

// The shortcut was written for 8 input channels; the block's input has 16.
typegrad::network! {
    type Net = [
        Input<Image<16, 32, 32>>,
        Projected<
            block![Conv2d<f32, 16, 32, Kernel<3>, Stride<2>, Same>, Relu],
            Conv2d<f32, 8, 32, Kernel<1>, Stride<2>>,
        >,
        GlobalAvgPool2d,
    ];
}

fn main() {}
