//! The MLPerf Tiny reference architectures built in typegrad (issue 22): the anomaly-detection
//! autoencoder (AD01: ten fully connected layers, 640 → … → 8 → … → 640) trained a few steps
//! on synthetic rows, quantized, written as `.tflite` by typegrad's writer and bit-identical to
//! TFLite Micro on 128 seeded inputs (`tests/fixtures/mlperf_autoencoder_tflite.json`, from
//! `scripts/tflite_check.py --fixture` on the file `examples/mlperf_tiny.rs` writes); the
//! gradients of small instances of the DS-CNN's and ResNet-8's shapes against finite
//! differences; a projected residual block adding its branches. The full-size DS-CNN,
//! ResNet-8 and MobileNet are checked against TFLite Micro in `tests/mlperf_models.rs`
//! (optimized builds).
#![cfg(feature = "std")]

#[path = "../examples/common/autoencoder.rs"]
mod autoencoder;
#[path = "../examples/common/recorded.rs"]
#[allow(dead_code)]
mod recorded;

use recorded::{assert_int8_recorded, on_a_big_stack};
use typegrad::activation::Relu;
use typegrad::block;
use typegrad::gradcheck::{numeric_param_gradient, params_relative_error};
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Grads, Input, Kernel, Layer, Parameters,
    Projected, Residual, Same, Stride,
};
use typegrad::quant::quantize;
use typegrad::shape::{BatchOf, Image, Port};

#[test]
fn the_autoencoder_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let rows = autoencoder::synthetic_rows(64, 7);
        let (net, first, last) = autoencoder::trained(&rows, 20);
        assert!(last < 0.5 * first, "loss {first} → {last}");
        let q = quantize(&net, &rows);
        let tests = autoencoder::synthetic_rows(128, 99);
        assert_int8_recorded("mlperf_autoencoder_tflite.json", &q, &tests);
    });
}

typegrad::network! {
    /// The autoencoder's shape, small enough for finite differences: ReLU layers through a
    /// narrow middle, a linear last layer.
    type Small = [
        Dense<f64, 12, 6, Relu>,
        Dense<f64, 6, 6, Relu>,
        Dense<f64, 6, 2, Relu>,
        Dense<f64, 2, 6, Relu>,
        Dense<f64, 6, 12>,
    ];
}

/// The largest relative error between `net`'s parameter gradients (MSE to random targets, a
/// batch of 4 random inputs) and central finite differences.
fn gradient_error<Net>(net: &mut Net, seed: u64) -> f64
where
    Net: Layer<f64> + Parameters<f64>,
{
    let mut rng = Rng::new(seed);
    // Biases start at 0: where a ReLU layer's inputs are all 0, its pre-activations sit
    // exactly on the kink, where one-sided slopes differ. Move every parameter off it.
    net.visit_mut(&mut |p| p.iter_mut().for_each(|v| *v += rng.uniform(0.05, 0.1)));
    let x: BatchOf<f64, 4, Net::In> = <Net::In as Port>::batch(|_, _| rng.uniform(0.0, 1.0));
    let m = <Net::Out as Port>::N;
    let targets: Vec<f64> = (0..4 * m).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let loss = |n: &Net| {
        let y = n.forward(&x);
        let ys = <Net::Out as Port>::batch_slice(&y);
        ys.iter()
            .zip(&targets)
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            / 4.0
    };
    let mut cache = net.new_cache::<4>();
    net.forward_train(&x, &mut cache);
    let ys = <Net::Out as Port>::batch_slice(Net::output(&cache)).to_vec();
    let dy: BatchOf<f64, 4, Net::Out> =
        <Net::Out as Port>::batch(|s, i| 2.0 * (ys[s * m + i] - targets[s * m + i]) / 4.0);
    let mut grads = net.zeros_like();
    net.backward_params(&x, &mut cache, &dy, &mut grads, Grads::Overwrite);
    let numeric = numeric_param_gradient(loss, &*net, 1e-6);
    params_relative_error(&grads, &numeric)
}

#[test]
fn the_autoencoder_shape_has_the_gradients_of_finite_differences() {
    let mut net = Small::default();
    net.init(&mut Rng::new(5), Init::HeUniform);
    let err = gradient_error(&mut net, 6);
    assert!(err < 1e-6, "relative error {err:e}");
}

typegrad::network! {
    /// ResNet-8's shape in small: an identity residual block and a projected one (strided,
    /// 1 × 1 strided shortcut), ReLU after each sum.
    type SmallResNet = [
        Input<Image<2, 6, 6>>,
        Conv2d<f64, 2, 3, Kernel<3>, Stride<1>, Same>,
        Relu,
        Residual<block![Conv2d<f64, 3, 3, Kernel<3>, Stride<1>, Same>, Relu, Conv2d<f64, 3, 3, Kernel<3>, Stride<1>, Same>]>,
        Relu,
        Projected<
            block![Conv2d<f64, 3, 4, Kernel<3>, Stride<2>, Same>, Relu, Conv2d<f64, 4, 4, Kernel<3>, Stride<1>, Same>],
            Conv2d<f64, 3, 4, Kernel<1>, Stride<2>>,
        >,
        Relu,
        AvgPool2d<Kernel<3>>,
        Flatten,
        Dense<f64, 4, 3>,
    ];
}

#[test]
fn the_resnet8_shape_has_the_gradients_of_finite_differences() {
    let mut net = SmallResNet::default();
    net.init(&mut Rng::new(10), Init::HeUniform);
    let err = gradient_error(&mut net, 11);
    assert!(err < 1e-6, "relative error {err:e}");
}

#[test]
fn a_projected_block_adds_its_two_branches() {
    use typegrad::nn::{Place, Projected};
    type P = <Projected<
        block![Conv2d<f64, 2, 3, Kernel<3>, Stride<2>, Same>, Relu],
        Conv2d<f64, 2, 3, Kernel<1>, Stride<2>>,
    > as Place<Image<2, 5, 5>>>::Layer;
    let mut p = P::default();
    p.init(&mut Rng::new(12), Init::HeUniform);
    let x =
        typegrad::tensor::Planes::<f64, 2, 5, 5>::from_fn(|c, r, k| (c + r * k) as f64 * 0.1 - 0.4);
    let (f, s) = (p.block().predict(&x), p.shortcut().predict(&x));
    let want: Vec<f64> = f
        .as_slice()
        .iter()
        .zip(s.as_slice())
        .map(|(a, b)| a + b)
        .collect();
    assert_eq!(p.predict(&x).as_slice(), &want[..]);
    assert_eq!(
        <P as Parameters<f64>>::PARAMS,
        (3 * 2 * 9 + 3) + (3 * 2 + 3)
    );
}

typegrad::network! {
    /// DS-CNN's shape in small: a strided `SAME` rectangular convolution, a depthwise-separable
    /// block, the average pool, dense.
    type SmallDsCnn = [
        Input<Image<1, 9, 6>>,
        Conv2d<f64, 1, 3, Kernel<4, 2>, Stride<2>, Same>,
        Relu,
        DepthwiseConv2d<f64, 3, Kernel<3>, Stride<1>, Same>,
        Relu,
        Conv2d<f64, 3, 4, Kernel<1>>,
        Relu,
        AvgPool2d<Kernel<5, 3>>,
        Flatten,
        Dense<f64, 4, 3>,
    ];
}

#[test]
fn the_ds_cnn_shape_has_the_gradients_of_finite_differences() {
    let mut net = SmallDsCnn::default();
    net.init(&mut Rng::new(8), Init::HeUniform);
    let err = gradient_error(&mut net, 9);
    assert!(err < 1e-6, "relative error {err:e}");
}
