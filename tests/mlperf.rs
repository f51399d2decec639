//! The MLPerf Tiny reference architectures built in typegrad (issue 22). So far the anomaly-
//! detection autoencoder (AD01: ten fully connected layers, 640 → … → 8 → … → 640): trained a
//! few steps on synthetic rows, gradients checked on a smaller instance of the same shape,
//! quantized, written as `.tflite` by typegrad's writer, and bit-identical to TFLite Micro on
//! 128 seeded inputs. `tests/fixtures/mlperf_autoencoder_tflite.json` records, from
//! `scripts/tflite_check.py --fixture` on the file `examples/mlperf_autoencoder.rs` writes, the
//! FNV-1a hashes of that file, of the 128 int8 inputs and of TFLite Micro's outputs for them.
#![cfg(feature = "std")]

#[path = "../examples/common/autoencoder.rs"]
mod autoencoder;

use serde_json::Value;
use typegrad::activation::Relu;
use typegrad::gradcheck::{numeric_param_gradient, params_relative_error};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Loss, Mse};
use typegrad::nn::{Dense, Grads, Layer, Parameters};
use typegrad::quant::{QLayer, quantize, tflite};
use typegrad::{Batch, Vector};

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

        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/mlperf_autoencoder_tflite.json"
        );
        let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        // The very file TFLite Micro ran...
        assert_eq!(
            fnv(bytes.iter().copied()),
            f["tflite_fnv"].as_str().unwrap()
        );
        // ...on the same 128 inputs...
        let tests = autoencoder::synthetic_rows(128, 99);
        assert_eq!(f["samples"].as_u64(), Some(128));
        let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
        let bytes_of = |v: &[i8]| v.iter().map(|&b| b as u8).collect::<Vec<u8>>();
        assert_eq!(
            fnv(inputs.iter().flat_map(|x| bytes_of(x.as_slice()))),
            f["inputs_fnv"].as_str().unwrap()
        );
        // ...gave exactly typegrad's outputs (all 128 × 640 of them).
        let outputs: Vec<_> = inputs.iter().map(|x| q.predict(x)).collect();
        assert_eq!(
            fnv(outputs.iter().flat_map(|y| bytes_of(y.as_slice()))),
            f["tflm_outputs_fnv"].as_str().unwrap()
        );
        // The first two in full, for a readable failure.
        for (y, want) in outputs.iter().zip(f["tflm_outputs"].as_array().unwrap()) {
            let want: Vec<i8> = want
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap() as i8)
                .collect();
            assert_eq!(y.as_slice(), &want[..]);
        }
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

#[test]
fn the_autoencoder_shape_has_the_gradients_of_finite_differences() {
    let mut net = Small::default();
    net.init(&mut Rng::new(5), Init::HeUniform);
    let mut rng = Rng::new(6);
    // Biases start at 0: where a ReLU layer's inputs are all 0, its pre-activations sit
    // exactly on the kink, where one-sided slopes differ. Move every parameter off it.
    net.visit_mut(&mut |p| p.iter_mut().for_each(|v| *v += rng.uniform(0.05, 0.1)));
    let x = Batch::<f64, 4, 12>::from_fn(|_, _| rng.uniform(0.0, 1.0));
    let targets: [Vector<f64, 12>; 4] = core::array::from_fn(|s| x.sample(s));
    let loss = |n: &Small| {
        let y = n.forward(&x);
        (0..4)
            .map(|s| Mse.value(&y.sample(s), &targets[s]))
            .sum::<f64>()
            / 4.0
    };
    let mut cache = net.new_cache::<4>();
    net.forward_train(&x, &mut cache);
    let (_, dy) = Mse.batch_value_and_gradient(Small::output(&cache), &targets);
    let mut grads = net.zeros_like();
    net.backward_params(&x, &mut cache, &dy, &mut grads, Grads::Overwrite);
    let numeric = numeric_param_gradient(loss, &net, 1e-6);
    let err = params_relative_error(&grads, &numeric);
    assert!(err < 1e-6, "relative error {err:e}");
}
