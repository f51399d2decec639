//! Two networks written the way the README teaches — a standalone `Relu` between dense
//! layers, a `Flatten` after a 1-D convolution — quantized to int8: shared by
//! `examples/int8_layers.rs` (which writes them for `scripts/tflite_check.py`) and
//! `tests/quant.rs` (which checks the recorded TFLite Micro results).

use typegrad::activation::{Relu, Relu6, Softmax};
use typegrad::data::{ChannelStandardizer, Dataset, Split};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{
    AvgPool1d, AvgPool2d, Conv1d, Conv2d, Dense, DepthwiseConv2d, Flatten, GlobalAvgPool2d, Input,
    Layer, MaxPool2d, Same,
};
use typegrad::optim::{Adam, Settings};
use typegrad::quant::{Quantize, quantize};
use typegrad::shape::{Image, Signal, VectorOf};
use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::tensor::Planes;
use typegrad::train::{Data, FitConfig, Trainer};
use typegrad::{Matrix, Vector};

typegrad::network! {
    /// The digits MLP with its ReLU as a layer of its own.
    pub type MlpRelu = [Dense<f32, 64, 32>, Relu, Dense<f32, 32, 10>];
}

typegrad::network! {
    /// The firmware's digits MLP (ReLU fused), whose weights `MlpRelu` takes.
    type MlpFused = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}

typegrad::network! {
    /// The digits MLP with its hidden layer capped by ReLU6 (fused: TFLite's `RELU6`).
    pub type MlpRelu6 = [Dense<f32, 64, 32, Relu6>, Dense<f32, 32, 10>];
}

typegrad::network! {
    /// The digits MLP ending in a softmax (probabilities instead of logits).
    pub type MlpSoftmax = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>, Softmax];
}

typegrad::network! {
    /// A 1-D CNN that flattens its channels × steps into a dense layer: 6 × 100 → conv 8 × 50
    /// → average-pooled 8 × 25 → 200 features → 4 scores.
    pub type CnnFlatten = [
        Input<Signal<6, 100>>,
        Conv1d<f32, 6, 8, 5, 2, 2>,
        Relu,
        AvgPool1d<2>,
        Flatten,
        Dense<f32, 200, 4>,
    ];
}

typegrad::network! {
    /// A 2-D CNN on the 8 × 8 digits with average pooling: conv 8 × 8 × 8 → average 2 × 2
    /// → conv 16 × 4 × 4 → the mean of each channel → 10 scores → softmax.
    pub type CnnAverage = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        AvgPool2d<Kernel<2>>,
        Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        GlobalAvgPool2d,
        Dense<f32, 16, 10>,
        Softmax,
    ];
}

typegrad::network! {
    /// A depthwise-separable CNN on the 8 × 8 digits: [`CnnAverage`]'s second 3 × 3
    /// convolution split into a 3 × 3 depthwise one and a 1 × 1 one (DS-CNN's and MobileNet's
    /// block), ReLU6 after each convolution (fused into it when quantized) and once more,
    /// standalone, after the last pooling (an int8 `RELU6` of its own): conv 8 × 8 × 8 →
    /// max-pool 4 × 4 → depthwise 8 × 4 × 4 → 1 × 1 to 16 → max-pool 2 × 2 → 64 features →
    /// 10 scores. 954 parameters and 8,448 multiply-adds per image (the `cnn_digits` CNN:
    /// 1,898 and 23,680).
    pub type CnnSeparable = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Same>,
        Relu6,
        MaxPool2d<Kernel<2>>,
        DepthwiseConv2d<f32, 8, Kernel<3>, Stride<1>, Same>,
        Relu6,
        Conv2d<f32, 8, 16, Kernel<1>>,
        MaxPool2d<Kernel<2>>,
        Relu6,
        Flatten,
        Dense<f32, 64, 10>,
    ];
}

/// Multiply-adds per image of [`CnnSeparable`]: the first convolution (64 positions × 8
/// channels × 9 taps), the depthwise one (16 × 8 × 9), the 1 × 1 one (16 × 8 × 16), the dense
/// layer (64 × 10).
pub const CNN_SEPARABLE_MACS: usize = 64 * 8 * 9 + 16 * 8 * 9 + 16 * 8 * 16 + 64 * 10;

/// Where the trained weights of [`CnnSeparable`] are kept (`examples/weights/`).
pub fn cnn_separable_weights() -> String {
    format!("{}/examples/weights/cnn_separable.tgrd", root())
}

/// Trains [`CnnSeparable`] 30 epochs (Adam, lr 0.01, batches of 32, seeded) on the digits'
/// training images: what `examples/weights/cnn_separable.tgrd` holds.
pub fn train_cnn_separable() -> CnnSeparable {
    let (train_x, train, _) = digit_images();
    let train_labels = train.class_labels::<10>().unwrap();
    let mut net = CnnSeparable::default();
    trained::<_, 10, 32>(&mut net, &train_x, &train_labels, 0.01, 30, 6);
    net
}

/// [`CnnSeparable`] with the weights of `examples/weights/cnn_separable.tgrd`, its float test
/// accuracy, and its int8 form quantized on the digits' training images.
pub fn cnn_separable() -> (
    f64,
    Quantized<<CnnSeparable as Quantize>::Quantized, Planes<f32, 1, 8, 8>, 10>,
) {
    let (train_x, _, test) = digit_images();
    let mut net = CnnSeparable::default();
    typegrad::persist::load_file(&mut net, cnn_separable_weights()).unwrap();
    let image = |x: &Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    let test_x: Vec<_> = test.features.iter().map(image).collect();
    let labels = test.class_labels::<10>().unwrap();
    let correct = test_x
        .iter()
        .zip(&labels)
        .filter(|(x, y)| net.predict(x).argmax() == y.index())
        .count();
    let q = Quantized {
        q: quantize(&net, &train_x),
        labels,
        test: test_x,
    };
    (correct as f64 / q.test.len() as f64, q)
}

/// Everything a check needs: the int8 network, the float test inputs and their labels.
pub struct Quantized<Q, X, const K: usize> {
    /// The int8 network.
    pub q: Q,
    /// Float test inputs.
    pub test: Vec<X>,
    /// Their labels.
    pub labels: Vec<Class<K>>,
}

fn root() -> &'static str {
    env!("CARGO_MANIFEST_DIR")
}

/// The digits data (pixels / 16) split into training and test rows, and the firmware's
/// trained digits MLP.
fn digits() -> (Dataset<f32, 64>, Dataset<f32, 64>, MlpFused) {
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{}/data/digits.csv", root())).unwrap();
    digits.scale(1.0 / 16.0);
    let split = Split::load(format!("{}/data/digits_split.txt", root())).unwrap();
    let (train, test) = digits.split(&split).unwrap();
    let mut fused = MlpFused::default();
    typegrad::persist::load_file(
        &mut fused,
        format!("{}/embedded/weights/digits_mlp.tgrd", root()),
    )
    .unwrap();
    (train, test, fused)
}

/// The digits MLP ending in a softmax (the firmware's trained weights), quantized on the
/// training images: its int8 outputs are probabilities in steps of 1/256.
pub fn mlp_softmax() -> Quantized<<MlpSoftmax as Quantize>::Quantized, Vector<f32, 64>, 10> {
    let (train, test, fused) = digits();
    let mut net = MlpSoftmax::default();
    (net.0, net.1.0) = (fused.0, fused.1);
    Quantized {
        q: quantize(&net, &train.features),
        labels: test.class_labels().unwrap(),
        test: test.features,
    }
}

/// The digits MLP with ReLU6 in place of ReLU (the firmware's trained weights, the hidden
/// layer's scaled by 4 and the output layer's by 1/4, so that the cap at 6 cuts some hidden
/// values), quantized on the training images.
pub fn mlp_relu6() -> Quantized<<MlpRelu6 as Quantize>::Quantized, Vector<f32, 64>, 10> {
    let (train, test, fused) = digits();
    let mut net = MlpRelu6::default();
    net.0.weights = fused.0.weights.map(|w| 4.0 * w);
    net.0.bias = fused.0.bias.map(|b| 4.0 * b);
    net.1 = fused.1;
    net.1.weights = fused.1.weights.map(|w| 0.25 * w);
    Quantized {
        q: quantize(&net, &train.features),
        labels: test.class_labels().unwrap(),
        test: test.features,
    }
}

/// The digits MLP with a standalone ReLU (the firmware's trained weights), quantized on the
/// training images.
pub fn mlp_relu() -> Quantized<<MlpRelu as Quantize>::Quantized, Vector<f32, 64>, 10> {
    let (train, test, fused) = digits();
    let mut net = MlpRelu::default();
    (net.0.weights, net.0.bias) = (fused.0.weights, fused.0.bias);
    (net.1.1.weights, net.1.1.bias) = (fused.1.weights, fused.1.bias);
    Quantized {
        q: quantize(&net, &train.features),
        labels: test.class_labels().unwrap(),
        test: test.features,
    }
}

/// The motions 1-D CNN with a `Flatten`, trained 40 epochs (Adam, batches of 8, seeded) on
/// the 40 training recordings standardized per channel, quantized on them.
pub fn cnn_flatten() -> Quantized<<CnnFlatten as Quantize>::Quantized, Matrix<f32, 6, 100>, 4> {
    let motions =
        Dataset::<f32, 600>::load_csv(format!("{}/data/basic_motions.csv", root())).unwrap();
    let split = Split::load(format!("{}/data/basic_motions_split.txt", root())).unwrap();
    let (train, test) = motions.split(&split).unwrap();
    let (train_x, test_x) = (train.signals::<6, 100>(), test.signals::<6, 100>());
    let scaler = ChannelStandardizer::fit(&train_x).unwrap();
    let (train_x, test_x) = (scaler.transformed(&train_x), scaler.transformed(&test_x));
    let train_labels = train.class_labels::<4>().unwrap();
    let mut net = CnnFlatten::default();
    trained::<_, 4, 8>(&mut net, &train_x, &train_labels, 0.003, 40, 3);
    Quantized {
        q: quantize(&net, &train_x),
        labels: test.class_labels().unwrap(),
        test: test_x,
    }
}

typegrad::network! {
    /// A 2-D CNN on the 8 × 8 digits with TensorFlow's `SAME` pooling: conv 8 × 8 × 8 → max
    /// 3 × 3 stride 2 (→ 4 × 4) → conv 16 × 4 × 4 → average 3 × 3 stride 2 (→ 2 × 2; the
    /// padding left out of each window) → the mean of each channel → 10 scores → softmax.
    pub type CnnSamePools = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<3>, Stride<2>, Same>,
        Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        AvgPool2d<Kernel<3>, Stride<2>, Same>,
        GlobalAvgPool2d,
        Dense<f32, 16, 10>,
        Softmax,
    ];
}

typegrad::network! {
    /// `CnnSamePools` without its softmax, for training on logits.
    pub type CnnSamePoolsLogits = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<3>, Stride<2>, Same>,
        Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        AvgPool2d<Kernel<3>, Stride<2>, Same>,
        GlobalAvgPool2d,
        Dense<f32, 16, 10>,
    ];
}

/// Where the trained weights of [`CnnSamePoolsLogits`] are kept (`examples/weights/`).
pub fn cnn_same_pools_weights() -> String {
    format!("{}/examples/weights/cnn_same_pools.tgrd", root())
}

/// Trains [`CnnSamePoolsLogits`] as [`train_cnn_average`] trains its network.
pub fn train_cnn_same_pools() -> CnnSamePoolsLogits {
    let (train_x, train, _) = digit_images();
    let train_labels = train.class_labels::<10>().unwrap();
    let mut net = CnnSamePoolsLogits::default();
    trained::<_, 10, 32>(&mut net, &train_x, &train_labels, 0.01, 15, 5);
    net
}

/// [`CnnSamePools`] with the trained weights of `examples/weights/cnn_same_pools.tgrd`,
/// quantized on the digits' training images: its f32 test accuracy and the int8 network.
pub fn cnn_same_pools() -> (
    f64,
    Quantized<<CnnSamePools as Quantize>::Quantized, Planes<f32, 1, 8, 8>, 10>,
) {
    let (train_x, _, test) = digit_images();
    let mut net = CnnSamePoolsLogits::default();
    typegrad::persist::load_file(&mut net, cnn_same_pools_weights()).unwrap();
    #[allow(clippy::field_reassign_with_default)] // three parameters deep in the chain
    let full = {
        let mut full = CnnSamePools::default();
        full.0 = net.0;
        full.1.1.1.0 = net.1.1.1.0;
        full.1.1.1.1.1.1.1.0 = net.1.1.1.1.1.1.1;
        full
    };
    let image = |x: &Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    let test_x: Vec<_> = test.features.iter().map(image).collect();
    let labels: Vec<Class<10>> = test.class_labels().unwrap();
    let correct = test_x
        .iter()
        .zip(&labels)
        .filter(|(x, y)| full.predict(x).argmax() == y.index())
        .count();
    let q = Quantized {
        q: quantize(&full, &train_x),
        labels,
        test: test_x,
    };
    (correct as f64 / q.test.len() as f64, q)
}

typegrad::network! {
    /// `CnnAverage` without its softmax, for training on logits.
    pub type CnnAverageLogits = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        AvgPool2d<Kernel<2>>,
        Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        GlobalAvgPool2d,
        Dense<f32, 16, 10>,
    ];
}

/// Where the trained weights of [`CnnAverageLogits`] are kept (`examples/weights/`).
pub fn cnn_average_weights() -> String {
    format!("{}/examples/weights/cnn_average.tgrd", root())
}

/// The digits as 1 × 8 × 8 images: training and test images, and the test labels.
fn digit_images() -> (
    Vec<Planes<f32, 1, 8, 8>>,
    Dataset<f32, 64>,
    Dataset<f32, 64>,
) {
    let (train, test, _) = digits();
    let image = |x: &Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    (train.features.iter().map(image).collect(), train, test)
}

/// Trains [`CnnAverageLogits`] 15 epochs (Adam, lr 0.01, batches of 32, seeded) on the digits'
/// training images: what `examples/weights/cnn_average.tgrd` holds
/// (`cargo run --release --example int8_layers -- --train` writes it again).
pub fn train_cnn_average() -> CnnAverageLogits {
    let (train_x, train, _) = digit_images();
    let train_labels = train.class_labels::<10>().unwrap();
    let mut net = CnnAverageLogits::default();
    trained::<_, 10, 32>(&mut net, &train_x, &train_labels, 0.01, 15, 5);
    net
}

/// `net`, He-initialised with `seed`, trained `epochs` epochs of Adam (`lr`) on batches of `B`
/// shuffled with `seed`, with softmax cross-entropy on its logits.
fn trained<Net, const K: usize, const B: usize>(
    net: &mut Net,
    x: &[VectorOf<f32, Net::In>],
    labels: &[Class<K>],
    lr: f64,
    epochs: usize,
    seed: u64,
) where
    Net: Layer<f32, Out = typegrad::shape::Size<K>>,
{
    net.init(&mut Rng::new(seed), Init::HeUniform);
    let adam = Adam::new(net, Settings::new(lr));
    let mut order = vec![0; x.len()];
    let config = FitConfig::<B> {
        epochs,
        shuffle: true,
        seed,
        divergence: None,
    };
    Trainer::new(net, adam, SoftmaxCrossEntropy)
        .fit(
            net,
            Data::new(x, labels),
            None,
            &mut order,
            config,
            |_, _| {},
        )
        .unwrap();
}

/// The 2-D CNN with average pooling and a softmax, with the trained weights of
/// `examples/weights/cnn_average.tgrd`, quantized on the digits' training images.
pub fn cnn_average() -> Quantized<<CnnAverage as Quantize>::Quantized, Planes<f32, 1, 8, 8>, 10> {
    let (train_x, _, test) = digit_images();
    let mut net = CnnAverageLogits::default();
    typegrad::persist::load_file(&mut net, cnn_average_weights()).unwrap();
    #[allow(clippy::field_reassign_with_default)] // three parameters deep in the chain
    let full = {
        let mut full = CnnAverage::default();
        // The parameters: the two convolutions and the dense layer (the rest have none).
        full.0 = net.0;
        full.1.1.1.0 = net.1.1.1.0;
        full.1.1.1.1.1.1.0 = net.1.1.1.1.1.1;
        full
    };
    let image = |x: &Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    Quantized {
        q: quantize(&full, &train_x),
        labels: test.class_labels().unwrap(),
        test: test.features.iter().map(image).collect(),
    }
}
