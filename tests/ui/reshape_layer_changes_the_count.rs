use typegrad::nn::{Conv2d, GlobalAvgPool2d, Input, Reshape};
use typegrad::shape::{Image, Size};

// 60 flat features cannot become an 8 × 8 image.
typegrad::network! {
    type Net = [Input<Size<60>>, Reshape<Image<1, 8, 8>>, Conv2d<f32, 1, 4, 3>, GlobalAvgPool2d];
}

fn main() {}
