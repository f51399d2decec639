//! MLPerf Tiny's DS-CNN, ResNet-8 and MobileNetV1 0.25 built in typegrad
//! (`examples/common/mlperf.rs`), each trained a few steps on synthetic data, quantized,
//! written as `.tflite` by typegrad's writer, and bit-identical to TFLite Micro on 128 seeded
//! inputs: `tests/fixtures/mlperf_*_tflite.json` record, from `scripts/tflite_check.py
//! --fixture` on the files `examples/mlperf_tiny.rs` writes, the hashes of each file, of its
//! inputs and of TFLite Micro's outputs.
//!
//! Optimized builds only (`cargo test --release --test mlperf_models`, which CI runs): the
//! three networks take a minute to compile and a minute to run unoptimized. Their gradients
//! are checked on small instances of the same shapes in `tests/mlperf.rs`, which plain
//! `cargo test` runs.
#![cfg(all(feature = "std", not(debug_assertions)))]

#[path = "../examples/common/mlperf.rs"]
#[allow(dead_code)]
mod mlperf;
#[path = "../examples/common/recorded.rs"]
#[allow(dead_code)]
mod recorded;

use recorded::{assert_int8_recorded, on_a_big_stack};
use typegrad::nn::Parameters;
use typegrad::quant::quantize;

/// DS-CNN: 8 Adam steps, calibrated on 32 maps, all 128 test inputs.
#[test]
fn the_ds_cnn_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<1, 49, 10, 12>(32, 11);
        let (net, first, last) =
            mlperf::train::<mlperf::DsCnn, 1, 49, 10, 12, 4>(&xs, &ys, mlperf::STEPS);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::DsCnn as Parameters<f32>>::PARAMS, 22_604);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<1, 49, 10, 12>(128, 12);
        assert_int8_recorded("mlperf_dscnn_tflite.json", &q, &tests);
    });
}

/// ResNet-8: 4 Adam steps on batches of 2, calibrated on 16 images, all 128 test inputs (int8
/// `ADD` of both residual forms).
#[test]
fn the_resnet8_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<3, 32, 32, 10>(16, 15);
        let (net, first, last) = mlperf::train::<mlperf::ResNet8, 3, 32, 32, 10, 2>(&xs, &ys, 4);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::ResNet8 as Parameters<f32>>::PARAMS, 77_706);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<3, 32, 32, 10>(128, 16);
        assert_int8_recorded("mlperf_resnet8_tflite.json", &q, &tests);
    });
}

/// MobileNetV1 0.25 at 96 × 96: 4 Adam steps on batches of 2, calibrated on 16 images, all
/// 128 test inputs.
#[test]
fn the_mobilenet_trains_quantizes_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        let (xs, ys) = mlperf::synthetic::<3, 96, 96, 2>(16, 13);
        let (net, first, last) = mlperf::train::<mlperf::MobileNet, 3, 96, 96, 2, 2>(&xs, &ys, 4);
        assert!(last < first, "loss {first} → {last}");
        assert_eq!(<mlperf::MobileNet as Parameters<f32>>::PARAMS, 210_850);
        let q = quantize(&mlperf::with_softmax(&net), &xs);
        let (tests, _) = mlperf::synthetic::<3, 96, 96, 2>(128, 14);
        assert_int8_recorded("mlperf_mobilenet_tflite.json", &q, &tests);
    });
}
