//! MLPerf Tiny's keyword-spotting DS-CNN (`kws_ref_model.tflite`) as a typegrad network, the
//! synthetic "MFCC" data and the short seeded training that `examples/mlperf_tiny.rs` and
//! `tests/mlperf.rs` both run, so the two quantize the same weights.

use typegrad::activation::{Relu, Softmax};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{
    AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Input, Kernel, Layer, Same, Stride,
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
    /// architecture (fold a trained `BatchNorm2d` with `BatchNorm1d::fold_into_conv2d`).
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
    /// The same network ending in the reference's `SOFTMAX` (the deployed form: int8
    /// probabilities in steps of 1/256). Same parameters as [`DsCnn`].
    pub type DsCnnSoftmax = [
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
        Softmax,
    ];
}

/// `n` synthetic 49 × 10 "MFCC" maps of 12 keywords, seeded: keyword `k` is a ripple of its
/// own frequency and phase over time and coefficients, plus noise.
pub fn synthetic_mfcc(n: usize, seed: u64) -> (Vec<Planes<f32, 1, 49, 10>>, Vec<Class<12>>) {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|i| {
            let k = i % 12;
            let (f, phase) = (0.15 + 0.05 * k as f32, 0.5 * k as f32);
            let x = Planes::from_fn(|_, t, c| {
                (f * t as f32 + phase + 0.3 * c as f32).sin() + rng.uniform(-0.3, 0.3)
            });
            (x, Class::new(k).expect("a keyword below 12"))
        })
        .unzip()
}

/// The Adam steps the example and the test train.
pub const STEPS: usize = 8;

/// The DS-CNN, He-initialised (seed 5) and trained `steps` Adam steps (lr 2e-3) on batches of
/// 4 of `xs`; returns it with the first and last batch losses.
pub fn trained(xs: &[Planes<f32, 1, 49, 10>], ys: &[Class<12>], steps: usize) -> (DsCnn, f32, f32) {
    let mut net = DsCnn::default();
    net.init(&mut Rng::new(5), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(2e-3));
    let mut trainer = Trainer::<f32, DsCnn, _, _, 4>::new(&net, adam, SoftmaxCrossEntropy);
    let (mut first, mut last) = (f32::NAN, f32::NAN);
    for step in 0..steps {
        let at = |k: usize| (step * 4 + k) % xs.len();
        let x = ImageBatch::<f32, 4, 1, 49, 10>::from_fn(|s, c, r, w| xs[at(s)][(c, r, w)]);
        let y: [Class<12>; 4] = core::array::from_fn(|k| ys[at(k)]);
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

/// The trained weights in the deployed network (the softmax adds no parameters).
pub fn with_softmax(net: &DsCnn) -> DsCnnSoftmax {
    let mut bytes = vec![0u8; typegrad::persist::saved_len::<f32, DsCnn>()];
    typegrad::persist::save(net, &mut bytes).expect("a buffer of the saved length");
    let mut deployed = DsCnnSoftmax::default();
    typegrad::persist::load(&mut deployed, &bytes).expect("the same tensors");
    deployed
}
