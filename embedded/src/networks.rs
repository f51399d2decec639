//! The float networks whose host-trained weights the firmware runs, shared by the firmware
//! and `build.rs` (which quantizes them): their int8 types are derived from these
//! (`<DigitsMlp as Quantize>::Quantized`), never written again by hand.

use typegrad::activation::{Relu, Softmax};
use typegrad::nn::{
    ActivationLayer, AvgPool2d, Conv1d, Conv2d, Dense, DepthwiseConv2d, Flatten, GlobalAvgPool1d,
    Input, Kernel, MaxPool1d, Same, Stride,
};
use typegrad::shape::{Image, Signal, Size};

typegrad::network! {
    /// The main crate's `mlp` example: 64 pixels → 32 (ReLU) → 10 digit scores.
    pub type DigitsMlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}

typegrad::network! {
    /// 6 channels × 100 steps → Conv1d 6→8 (kernel 5, stride 2, padding 2: 50 steps) → ReLU →
    /// max-pool 2 (25) → Conv1d 8→8 (kernel 5, padding 2) → ReLU → mean over time → 4 scores.
    /// Exactly the `conv1d_motions` example's network.
    pub type MotionsCnn = [
        Input<Signal<6, 100>>,
        Conv1d<f32, 6, 8, 5, 2, 2>,
        Relu,
        MaxPool1d<2>,
        Conv1d<f32, 8, 8, 5, 1, 2>,
        Relu,
        GlobalAvgPool1d,
        Dense<f32, 8, 4>,
    ];
}

typegrad::network! {
    /// MLPerf Tiny's keyword-spotting DS-CNN (`kws_ref_model.tflite`): 49 × 10 MFCC features →
    /// 64 filters of 10 × 4, stride 2, `SAME` → four depthwise-separable blocks → the mean of
    /// the 25 × 5 map → 12 keyword probabilities.
    pub type Kws = [
        Input<Image<1, 49, 10>>,
        Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same>, Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>, Relu,
        Conv2d<f32, 64, 64, Kernel<1>>, Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>, Relu,
        Conv2d<f32, 64, 64, Kernel<1>>, Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>, Relu,
        Conv2d<f32, 64, 64, Kernel<1>>, Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>, Relu,
        Conv2d<f32, 64, 64, Kernel<1>>, Relu,
        AvgPool2d<Kernel<25, 5>>,
        Flatten,
        Dense<f32, 64, 12>,
        ActivationLayer<Softmax, Size<12>>,
    ];
}

typegrad::network! {
    /// MLPerf Tiny's anomaly-detection autoencoder (`ad01_int8.tflite`): ten fully connected
    /// layers 640 → 128 → 128 → 128 → 128 → 8 → 128 → 128 → 128 → 128 → 640, ReLU on all but
    /// the last.
    pub type Ad01 = [
        Dense<f32, 640, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 8, Relu>,
        Dense<f32, 8, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 640>,
    ];
}

/// MLPerf Tiny's CIFAR-10 ResNet-8 (`pretrainedResnet_quant.tflite`), as
/// `typegrad::quant::tflite::declare` wrote it from the file (`tests/generated/`): 32 × 32 × 3
/// images → three residual stages (16, 32, 64 channels; projection shortcuts) → 10 classes.
#[path = "../../tests/generated/pretrainedResnet_quant.rs"]
mod resnet8;
pub use resnet8::ResNet8;

/// MLPerf Tiny's visual wake words MobileNetV1 0.25 (`vww_96_int8.tflite`), as
/// `typegrad::quant::tflite::declare` wrote it (`tests/generated/`): 96 × 96 × 3 images →
/// 13 depthwise-separable blocks → person / no person.
#[path = "../../tests/generated/vww_96_int8.rs"]
mod vww;
pub use vww::Vww;
