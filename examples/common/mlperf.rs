//! MLPerf Tiny's image and keyword networks as typegrad networks — the keyword-spotting DS-CNN
//! (`kws_ref_model.tflite`) and the visual-wake-words MobileNetV1 0.25 (`vww_96_int8.tflite`) —
//! with seeded synthetic data and the short seeded training that `examples/mlperf_tiny.rs`
//! and `tests/mlperf.rs` both run, so the two quantize the same weights.

use typegrad::activation::{Relu, Softmax};
use typegrad::block;
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{
    ActivationLayer, AvgPool2d, Chain, Conv2d, Dense, DepthwiseConv2d, Flatten, Input, Kernel,
    Layer, Projected, Residual, Same, Stride,
};
use typegrad::optim::{Adam, Settings};
use typegrad::tensor::{ImageBatch, Planes};
use typegrad::train::Trainer;

typegrad::network! {
    /// MLPerf Tiny's DS-CNN up to its 12 logits (what training sees): 49 × 10 MFCC features
    /// (one channel) → 64 filters of 10 × 4, stride 2, `SAME` (25 × 5) → four
    /// depthwise-separable blocks (3 × 3 depthwise, `SAME`, then 1 × 1 to 64 channels, each
    /// followed by ReLU) → the mean of the 25 × 5 map → 12 keyword scores. The reference's
    /// batch norms are folded into its convolutions in the `.tflite` file; this is that folded
    /// architecture (fold a trained `BatchNorm2d` with `BatchNorm1d::fold_into_conv`).
    pub type DsCnn = [
        Input<typegrad::shape::Image<1, 49, 10>>,
        Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 64, 64, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 64, 64, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 64, 64, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 64, 64, Kernel<1>>,
        Relu,
        AvgPool2d<Kernel<25, 5>>,
        Flatten,
        Dense<f32, 64, 12>,
    ];
}

typegrad::network! {
    /// MLPerf Tiny's image-classification ResNet-8 (`pretrainedResnet_quant.tflite`) up to its
    /// 10 logits: 32 × 32 RGB → 16 filters of 3 × 3 → a residual block of two 3 × 3
    /// convolutions (identity shortcut) → two blocks that halve the size and double the
    /// channels (3 × 3 stride 2, then 3 × 3; a 1 × 1 stride-2 convolution on the shortcut),
    /// ReLU after each sum → the mean of the 8 × 8 map → 10 classes. 77,706 parameters (the
    /// reference's batch norms folded).
    pub type ResNet8 = [
        Input<typegrad::shape::Image<3, 32, 32>>,
        Conv2d<f32, 3, 16, Kernel<3>, Stride<1>, Same>,
        Relu,
        Residual<block![
            Conv2d<f32, 16, 16, Kernel<3>, Stride<1>, Same>,
            Relu,
            Conv2d<f32, 16, 16, Kernel<3>, Stride<1>, Same>,
        ]>,
        Relu,
        Projected<
            block![
                Conv2d<f32, 16, 32, Kernel<3>, Stride<2>, Same>,
                Relu,
                Conv2d<f32, 32, 32, Kernel<3>, Stride<1>, Same>,
            ],
            Conv2d<f32, 16, 32, Kernel<1>, Stride<2>>,
        >,
        Relu,
        Projected<
            block![
                Conv2d<f32, 32, 64, Kernel<3>, Stride<2>, Same>,
                Relu,
                Conv2d<f32, 64, 64, Kernel<3>, Stride<1>, Same>,
            ],
            Conv2d<f32, 32, 64, Kernel<1>, Stride<2>>,
        >,
        Relu,
        AvgPool2d<Kernel<8>>,
        Flatten,
        Dense<f32, 64, 10>,
    ];
}

typegrad::network! {
    /// MLPerf Tiny's visual-wake-words MobileNetV1 (width 0.25) up to its 2 logits: 96 × 96
    /// RGB → 8 filters of 3 × 3, stride 2, `SAME` (48 × 48) → 13 depthwise-separable blocks
    /// (3 × 3 depthwise, stride 1 or 2, `SAME`; 1 × 1 convolution; ReLU after each) to 256
    /// channels of 3 × 3 → their mean → person / no person. 210,850 parameters (the reference's
    /// batch norms folded).
    pub type MobileNet = [
        Input<typegrad::shape::Image<3, 96, 96>>,
        Conv2d<f32, 3, 8, Kernel<3>, Stride<2>, Same>,
        Relu,
        DepthwiseConv2d<f32, 8, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 8, 16, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 16, Kernel<3>, Stride<2>, Same>,
        Relu,
        Conv2d<f32, 16, 32, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 32, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 32, 32, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 32, Kernel<3>, Stride<2>, Same>,
        Relu,
        Conv2d<f32, 32, 64, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 64, 64, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 64, Kernel<3>, Stride<2>, Same>,
        Relu,
        Conv2d<f32, 64, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 128, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 128, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 128, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 128, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 128, 128, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 128, Kernel<3>, Stride<2>, Same>,
        Relu,
        Conv2d<f32, 128, 256, Kernel<1>>,
        Relu,
        DepthwiseConv2d<f32, 256, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f32, 256, 256, Kernel<1>>,
        Relu,
        AvgPool2d<Kernel<3>>,
        Flatten,
        Dense<f32, 256, 2>,
    ];
}

/// `n` synthetic `C × H × W` inputs of `K` classes, seeded: class `k` is a ripple of its own
/// frequency and phase over rows and columns (channels shifted), plus noise.
pub fn synthetic<const C: usize, const H: usize, const W: usize, const K: usize>(
    n: usize,
    seed: u64,
) -> (Vec<Planes<f32, C, H, W>>, Vec<Class<K>>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let k = i % K;
            let (f, phase) = (0.15 + 0.05 * k as f32, 0.5 * k as f32);
            let x = Planes::from_fn(|ch, t, c| {
                (f * t as f32 + phase + 0.3 * c as f32 + ch as f32).sin() + rng.uniform(-0.3, 0.3)
            });
            (x, Class::new(k).expect("a class below K"))
        })
        .unzip()
}

/// The Adam steps the example and the test train.
pub const STEPS: usize = 8;

/// `Net`, He-initialised (seed 5) and trained `steps` Adam steps (lr 2e-3) on batches of `B`
/// of `xs` with softmax cross-entropy; returns it with the first and last batch losses.
pub fn train<Net, const C: usize, const H: usize, const W: usize, const K: usize, const B: usize>(
    xs: &[Planes<f32, C, H, W>],
    ys: &[Class<K>],
    steps: usize,
) -> (Net, f32, f32)
where
    Net: Layer<f32, In = typegrad::shape::Image<C, H, W>, Out = typegrad::shape::Size<K>> + Default,
{
    let mut net = Net::default();
    net.init(&mut Rng::new(5), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(2e-3));
    let mut trainer = Trainer::<f32, Net, _, _, B>::new(&net, adam, SoftmaxCrossEntropy);
    let (mut first, mut last) = (f32::NAN, f32::NAN);
    for step in 0..steps {
        let at = |k: usize| (step * B + k) % xs.len();
        let x = ImageBatch::<f32, B, C, H, W>::from_fn(|s, c, r, w| xs[at(s)][(c, r, w)]);
        let y: [Class<K>; B] = core::array::from_fn(|k| ys[at(k)]);
        let loss = trainer
            .step(&mut net, &x, &y)
            .expect("a finite training step");
        if step == 0 {
            first = loss;
        }
        last = loss;
    }
    (net, first, last)
}

/// A network ending in the reference models' `SOFTMAX` over its `K` logits (the deployed
/// form: int8 probabilities in steps of 1/256).
pub type WithSoftmax<Net, const K: usize> =
    Chain<Net, ActivationLayer<Softmax, typegrad::shape::Size<K>>>;

/// DS-CNN ending in its softmax.
pub type DsCnnSoftmax = WithSoftmax<DsCnn, 12>;
/// ResNet-8 ending in its softmax.
pub type ResNet8Softmax = WithSoftmax<ResNet8, 10>;
/// MobileNet ending in its softmax.
pub type MobileNetSoftmax = WithSoftmax<MobileNet, 2>;

/// The trained network followed by a softmax (which adds no parameters).
pub fn with_softmax<Net: Clone, const K: usize>(net: &Net) -> WithSoftmax<Net, K> {
    Chain(net.clone(), ActivationLayer::new(Softmax))
}
