//! The MLPerf Tiny reference architectures built in typegrad (issue 22). So far the anomaly-
//! detection autoencoder (AD01: ten fully connected layers, 640 → … → 8 → … → 640) and the
//! keyword-spotting DS-CNN (depthwise-separable, `SAME`, strided, 10 × 4 kernel): trained a
//! few steps on synthetic data, gradients checked on smaller instances of the same shapes,
//! quantized, written as `.tflite` by typegrad's writer, and bit-identical to TFLite Micro on
//! 128 seeded inputs. `tests/fixtures/mlperf_*_tflite.json` record, from
//! `scripts/tflite_check.py --fixture` on the files `examples/mlperf_tiny.rs` writes, the
//! FNV-1a hashes of each file, of the 128 int8 inputs and of TFLite Micro's outputs for them.
#![cfg(feature = "std")]

#[path = "../examples/common/autoencoder.rs"]
mod autoencoder;
#[path = "../examples/common/mlperf.rs"]
#[allow(dead_code)]
mod mlperf;

use serde_json::Value;
use typegrad::activation::Relu;
use typegrad::block;
use typegrad::gradcheck::{numeric_param_gradient, params_relative_error};
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Grads, Input, Kernel, Layer, Parameters,
    Projected, Residual, Same, Stride,
};
use typegrad::quant::{QLayer, quantize, tflite};
use typegrad::shape::{BatchOf, Image, Port};

/// FNV-1a (64-bit) of int8 values, as `scripts/tflite_check.py` computes it.
fn fnv(rows: impl IntoIterator<Item = u8>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in rows {
        h ^= u64::from(v);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Runs `f` on a thread with a 256 MiB stack: the float network is a 1 MB value, Adam's state
/// 2 MB, and a debug build keeps several copies.
fn on_a_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn the_autoencoder_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let rows = autoencoder::synthetic_rows(64, 7);
        let (net, first, last) = autoencoder::trained(&rows, 20);
        assert!(last < 0.5 * first, "loss {first} → {last}");
        let q = quantize(&net, &rows);
        let bytes = tflite::to_tflite(&q);

        let tests = autoencoder::synthetic_rows(128, 99);
        let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
        let outputs: Vec<Vec<i8>> = inputs
            .iter()
            .map(|x| q.predict(x).as_slice().to_vec())
            .collect();
        let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
        assert_recorded("mlperf_autoencoder_tflite.json", &bytes, &inputs, &outputs);
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

/// A `scripts/tflite_check.py --fixture` record: typegrad's `.tflite` bytes hash to the file
/// TFLite Micro ran; the int8 inputs and typegrad's outputs equal the rows kept in full (TFLite
/// Micro's outputs), and when all `samples` are given, hash as all of them did.
fn assert_recorded(fixture: &str, file: &[u8], inputs: &[Vec<i8>], outputs: &[Vec<i8>]) {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = |key: &str| -> Vec<Vec<i8>> {
        let rows = f[key].as_array().unwrap().iter();
        rows.map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap() as i8)
                .collect()
        })
        .collect()
    };
    assert_eq!(fnv(file.iter().copied()), f["tflite_fnv"].as_str().unwrap());
    let (kept_inputs, kept_outputs) = (rows("inputs"), rows("tflm_outputs"));
    assert!(inputs.len() >= kept_inputs.len());
    for (k, (x, y)) in inputs
        .iter()
        .zip(outputs)
        .enumerate()
        .take(kept_inputs.len())
    {
        assert_eq!(x, &kept_inputs[k], "input {k}");
        assert_eq!(y, &kept_outputs[k], "output {k}");
    }
    if Some(inputs.len() as u64) == f["samples"].as_u64() {
        let bytes_of = |v: &[i8]| v.iter().map(|&b| b as u8).collect::<Vec<u8>>();
        let inputs_fnv = fnv(inputs.iter().flat_map(|x| bytes_of(x)));
        assert_eq!(inputs_fnv, f["inputs_fnv"].as_str().unwrap());
        let outputs_fnv = fnv(outputs.iter().flat_map(|y| bytes_of(y)));
        assert_eq!(outputs_fnv, f["tflm_outputs_fnv"].as_str().unwrap());
    }
}

/// DS-CNN: 8 Adam steps, calibrated on 32 maps; the first 16 of the 128 test inputs against
/// the recorded TFLite Micro outputs (an unoptimized build runs 2.7 M multiply-adds per
/// inference slowly; CI's `tflite_check.py` compares all 128).
#[test]
fn the_ds_cnn_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<1, 49, 10, 12>(32, 11);
        let (net, first, last) =
            mlperf::train::<mlperf::DsCnn, 1, 49, 10, 12, 4>(&xs, &ys, mlperf::STEPS);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::DsCnn as Parameters<f32>>::PARAMS, 22_604);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<1, 49, 10, 12>(16, 12);
        let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
        let outputs: Vec<Vec<i8>> = inputs
            .iter()
            .map(|x| q.predict(x).as_slice().to_vec())
            .collect();
        let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
        assert_recorded(
            "mlperf_dscnn_tflite.json",
            &tflite::to_tflite(&q),
            &inputs,
            &outputs,
        );
    });
}

/// MobileNetV1 0.25 at 96 × 96: 4 Adam steps on batches of 2, calibrated on 16 images; the
/// first 8 of the 128 test inputs against the recorded TFLite Micro outputs.
#[test]
fn the_mobilenet_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<3, 96, 96, 2>(16, 13);
        let (net, first, last) = mlperf::train::<mlperf::MobileNet, 3, 96, 96, 2, 2>(&xs, &ys, 4);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::MobileNet as Parameters<f32>>::PARAMS, 210_850);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<3, 96, 96, 2>(8, 14);
        let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
        let outputs: Vec<Vec<i8>> = inputs
            .iter()
            .map(|x| q.predict(x).as_slice().to_vec())
            .collect();
        let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
        assert_recorded(
            "mlperf_mobilenet_tflite.json",
            &tflite::to_tflite(&q),
            &inputs,
            &outputs,
        );
    });
}

/// ResNet-8: 4 Adam steps on batches of 2, calibrated on 16 images; the first 8 of the 128
/// test inputs against the recorded TFLite Micro outputs (int8 `ADD` of both residual forms).
#[test]
fn the_resnet8_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<3, 32, 32, 10>(16, 15);
        let (net, first, last) = mlperf::train::<mlperf::ResNet8, 3, 32, 32, 10, 2>(&xs, &ys, 4);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::ResNet8 as Parameters<f32>>::PARAMS, 77_706);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<3, 32, 32, 10>(8, 16);
        let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
        let outputs: Vec<Vec<i8>> = inputs
            .iter()
            .map(|x| q.predict(x).as_slice().to_vec())
            .collect();
        let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
        assert_recorded(
            "mlperf_resnet8_tflite.json",
            &tflite::to_tflite(&q),
            &inputs,
            &outputs,
        );
    });
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
