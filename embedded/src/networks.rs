//! The float networks whose host-trained weights the firmware runs, shared by the firmware
//! and `build.rs` (which quantizes them): their int8 types are derived from these
//! (`<DigitsMlp as Quantize>::Quantized`), never written again by hand.

use typegrad::activation::Relu;
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, MaxPool1d};
use typegrad::shape::Signal;

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
