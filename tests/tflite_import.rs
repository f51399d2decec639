//! Importing `.tflite` files into typed int8 networks (`quant::tflite::load`): the four MLPerf
//! Tiny reference int8 models (`tests/fixtures/mlperf_tiny/`, Apache-2.0, from
//! mlcommons/tiny) load into the int8 types of the architectures in
//! `examples/common/mlperf.rs` and give TFLite Micro's outputs on 256 seeded inputs each
//! (`scripts/reference_fixture.py` recorded them); typegrad's own files load back into the
//! network that wrote them; files of another architecture are errors naming the operator.
#![cfg(feature = "std")]

#[path = "../examples/common/autoencoder.rs"]
#[allow(dead_code)]
mod autoencoder;
#[path = "../examples/common/mlperf.rs"]
#[allow(dead_code)]
mod mlperf;
#[path = "../examples/common/recorded.rs"]
#[allow(dead_code)]
mod recorded;

use recorded::{fnv, on_a_big_stack};
use serde_json::Value;
use typegrad::quant::tflite::load;
use typegrad::quant::{QLayer, QSample, Quantize};

/// Input `k` of `n` int8 values in NHWC order: the top byte of SplitMix64 of the counters
/// `k·n …` (as `scripts/reference_fixture.py`).
fn input(k: usize, n: usize) -> Vec<i8> {
    (k * n..(k + 1) * n)
        .map(|c| {
            let mut z = (c as u64)
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .wrapping_add(0x9E37_79B9_7F4A_7C15);
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            (z >> 56) as u8 as i8
        })
        .collect()
}

/// Loads `file` into `Q`, runs the first `samples` recorded inputs and compares with TFLite
/// Micro's outputs (rows kept in full; the hash of all when every input ran).
fn check<Q>(file: &str, samples: usize)
where
    Q: typegrad::quant::tflite::Load + QLayer,
    Q::In: QSample,
    Q::Out: QSample,
{
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlperf_tiny/");
    let bytes = std::fs::read(format!("{dir}{file}.tflite")).unwrap();
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}{file}_outputs.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["file_fnv"], fnv(bytes.iter().copied()));
    let q: Q = load(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    let n: usize = Q::In::NHWC.iter().product();
    let kept = record["tflm_outputs"].as_array().unwrap();
    let mut all = Vec::new();
    for k in 0..samples {
        let x = Q::In::from_nhwc(&input(k, n)).unwrap();
        let y: Vec<i8> = q.predict(&x).values().to_vec();
        if let Some(row) = kept.get(k) {
            let want: Vec<i8> = row
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap() as i8)
                .collect();
            assert_eq!(y, want, "{file}: input {k}");
        }
        all.extend(y.iter().map(|&v| v as u8));
    }
    if Some(samples as u64) == record["samples"].as_u64() {
        assert_eq!(record["tflm_outputs_fnv"], fnv(all), "{file}: all outputs");
    }
}

/// Every recorded input in optimized builds, the rows kept in full in debug builds.
const SAMPLES: usize = if cfg!(debug_assertions) { 16 } else { 256 };

#[test]
fn the_keyword_spotting_ds_cnn_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<mlperf::DsCnnSoftmax as Quantize>::Quantized>("kws_ref_model", SAMPLES)
    });
}

#[test]
fn the_resnet8_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<mlperf::ResNet8Softmax as Quantize>::Quantized>("pretrainedResnet_quant", SAMPLES)
    });
}

#[test]
fn the_mobilenet_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| {
        check::<<mlperf::MobileNetSoftmax as Quantize>::Quantized>("vww_96_int8", SAMPLES)
    });
}

#[test]
fn the_autoencoder_imports_and_equals_tflite_micro() {
    on_a_big_stack(|| check::<<autoencoder::Autoencoder as Quantize>::Quantized>("ad01_int8", 256));
}
