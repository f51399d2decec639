use typegrad::activation::Relu;
use typegrad::block;
use typegrad::nn::{Conv2d, GlobalAvgPool2d, Input, Projected};
use typegrad::shape::{Image, Kernel, Same, Stride};

// The block halves the image (stride 2) but the shortcut keeps it: F(x) + S(x) cannot add.
typegrad::network! {
    type Net = [
        Input<Image<16, 32, 32>>,
        Projected<
            block![Conv2d<f32, 16, 32, Kernel<3>, Stride<2>, Same>, Relu, Conv2d<f32, 32, 32, Kernel<3>, Stride<1>, Same>],
            Conv2d<f32, 16, 32, Kernel<1>>,
        >,
        Relu,
        GlobalAvgPool2d,
    ];
}

fn main() {}
