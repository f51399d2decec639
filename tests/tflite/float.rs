//! Float `.tflite` files into float typegrad networks (`quant::tflite::load_float`): MLPerf
//! Tiny's four float reference models (`tests/fixtures/mlperf_tiny/`, Apache-2.0, from
//! mlcommons/tiny) load into the network types `declare` wrote for their int8 twins
//! (`tests/generated/`) and give the desktop interpreter's outputs within 1e-5 of the largest
//! output (`scripts/reference_fixture.py` recorded them); the imported keyword-spotting model
//! fine-tunes its last layer in typegrad and is quantized and written as int8 again.

use crate::recorded::{fnv, on_a_big_stack};
use crate::{generated, mlperf};
use serde_json::Value;
use typegrad::nn::Layer;
use typegrad::quant::tflite::load_float;
use typegrad::shape::Port;

/// Input `k` of `n` float values in NHWC order, as `scripts/reference_fixture.py` makes them:
/// (the top 24 bits of SplitMix64 of the counter `k·n + i` − 2²³) / 2²³.
fn input(k: usize, n: usize) -> Vec<f32> {
    (k * n..(k + 1) * n)
        .map(|c| ((crate::splitmix(c) >> 40) as i64 - (1 << 23)) as f32 / (1 << 23) as f32)
        .collect()
}

/// A sample of port `P` from NHWC values (typegrad keeps channel after channel).
fn from_nhwc<P: Port>(v: &[f32]) -> P::Sample<f32> {
    let [c, h, w] = P::DIMS;
    let (h, w) = if P::RANK == 2 { (1, h) } else { (h, w) };
    P::sample(|i| {
        let (ch, rest) = (i / (h * w), i % (h * w));
        v[rest * c + ch]
    })
}

/// Loads the float `file` into `N` and compares its outputs on the recorded inputs with the
/// desktop interpreter's: within `tolerance` times the largest output; returns the largest
/// relative difference.
fn check<N>(file: &str, tolerance: f32) -> f32
where
    N: typegrad::quant::tflite::LoadFloat + Layer<f32>,
{
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlperf_tiny/");
    let bytes = std::fs::read(format!("{dir}{file}.tflite")).unwrap();
    let record: Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{dir}{file}_outputs.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["file_fnv"], fnv(bytes.iter().copied()));
    let net: N = load_float(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    let n = <N::In as Port>::N;
    let rows = record["reference_outputs"].as_array().unwrap();
    let samples = if cfg!(debug_assertions) {
        2
    } else {
        rows.len()
    };
    let mut largest = 0f32;
    for (k, row) in rows.iter().enumerate().take(samples) {
        let want: Vec<f32> = row
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let y = net.predict(&from_nhwc::<N::In>(&input(k, n)));
        let got = <N::Out as Port>::sample_slice(&y);
        let scale = want.iter().fold(0f32, |m, v| m.max(v.abs()));
        let worst = got
            .iter()
            .zip(&want)
            .fold(0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(
            worst <= tolerance * scale,
            "{file}: input {k}: largest difference {worst:e}, largest output {scale:e}"
        );
        largest = largest.max(worst / scale);
    }
    largest
}

/// Within 1e-5 of the largest output, as the issue asks of a float file.
const FLOAT: f32 = 1e-5;

/// `kws_ref_model_float32.tflite` is a "hybrid" file: its convolutions' weights are int8, its
/// activations float, and the interpreter's hybrid `CONV_2D` quantizes each input to int8 on
/// the fly. The type `declare` writes for it has a `DynamicQuant` before each such
/// convolution and equals the interpreter within 1e-5; a type without them (the int8 twin's,
/// the hand-written one) computes those convolutions in float: measured, up to 0.83 % of
/// the largest output on the recorded inputs.
const HYBRID_IN_FLOAT: f32 = 0.03;

#[test]
fn the_hybrid_keyword_spotting_ds_cnn_equals_the_interpreter() {
    on_a_big_stack(|| {
        let worst = check::<generated::kws_hybrid::KwsHybrid>("kws_ref_model_float32", FLOAT);
        println!("kws_ref_model_float32: largest difference {worst:e} of the largest output");
        let worst = check::<generated::kws::Kws>("kws_ref_model_float32", HYBRID_IN_FLOAT);
        println!("without DynamicQuant: largest difference {worst:e} of the largest output");
    });
}

/// The hybrid type quantized by typegrad writes the int8 twin's operators: its
/// `DynamicQuant` layers write nothing.
#[test]
fn the_hybrid_keyword_spotting_ds_cnn_quantizes_to_the_int8_operators() {
    on_a_big_stack(|| {
        use typegrad::quant::tflite::{load, to_tflite};
        use typegrad::quant::{Quantize, quantize};
        type Hybrid = generated::kws_hybrid::KwsHybrid;
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlperf_tiny/");
        let float = std::fs::read(format!("{dir}kws_ref_model_float32.tflite")).unwrap();
        let net: Hybrid = load_float(&float).unwrap();
        let (xs, _) = mlperf::synthetic::<1, 49, 10, 12>(8, 5);
        let q = quantize(&net, &xs);
        let bytes = to_tflite(&q);
        let back: <Hybrid as Quantize>::Quantized = load(&bytes).unwrap();
        assert_eq!(back, q);
        let ops = |b: &[u8]| {
            let m = typegrad::quant::tflite::Model::parse(b).unwrap();
            (0..m.operator_count())
                .map(|k| m.operator(k).unwrap().builtin)
                .collect::<Vec<_>>()
        };
        let twin = std::fs::read(format!("{dir}kws_ref_model.tflite")).unwrap();
        assert_eq!(ops(&bytes), ops(&twin));
    });
}

#[test]
fn the_float_resnet8_equals_the_interpreter() {
    on_a_big_stack(|| {
        let worst = check::<generated::resnet8::ResNet8>("pretrainedResnet", FLOAT);
        println!("pretrainedResnet: largest difference {worst:e} of the largest output");
    });
}

#[test]
fn the_float_mobilenet_equals_the_interpreter() {
    on_a_big_stack(|| {
        let worst = check::<generated::vww::Vww>("vww_96_float", FLOAT);
        println!("vww_96_float: largest difference {worst:e} of the largest output");
    });
}

#[test]
fn the_float_autoencoder_equals_the_interpreter() {
    on_a_big_stack(|| {
        let worst = check::<generated::ad01::Ad01>("ad01_fp32", FLOAT);
        println!("ad01_fp32: largest difference {worst:e} of the largest output");
    });
}

/// The hand-written architectures load the float files too.
#[test]
fn hand_written_types_load_the_float_files() {
    on_a_big_stack(|| {
        check::<mlperf::DsCnnSoftmax>("kws_ref_model_float32", HYBRID_IN_FLOAT);
        check::<mlperf::ResNet8Softmax>("pretrainedResnet", FLOAT);
    });
}

/// The imported keyword model's last layer trained further on synthetic data (the rest kept
/// as imported), then quantized by typegrad and written as an int8 `.tflite` that loads back
/// (optimized builds: `cargo test --release --test tflite`, as CI runs it).
#[cfg(not(debug_assertions))]
#[test]
fn the_imported_keyword_model_fine_tunes_its_last_layer_and_exports_int8() {
    on_a_big_stack(|| {
        use typegrad::loss::SoftmaxCrossEntropy;
        use typegrad::nn::Parameters;
        use typegrad::optim::{Adam, Settings};
        use typegrad::quant::tflite::{load, to_tflite};
        use typegrad::quant::{Quantize, quantize};
        use typegrad::tensor::ImageBatch;
        use typegrad::train::Trainer;
        const B: usize = 16;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/mlperf_tiny/kws_ref_model_float32.tflite"
        );
        let imported: mlperf::DsCnnSoftmax = load_float(&std::fs::read(path).unwrap()).unwrap();
        let mut logits = imported.0;
        let (xs, ys) = mlperf::synthetic::<1, 49, 10, 12>(48, 3);
        let all = |net: &mlperf::DsCnn| {
            let mut v = Vec::new();
            net.visit(&mut |s| v.extend_from_slice(s));
            v
        };
        let before = all(&logits);
        // The last layer: Dense<f32, 64, 12> (the last 64·12 + 12 parameters).
        let head = 64 * 12 + 12;
        let body = before.len() - head;
        let adam = Adam::new(&logits, Settings::new(1e-2));
        let mut trainer =
            Trainer::<f32, mlperf::DsCnn, _, _, B>::new(&logits, adam, SoftmaxCrossEntropy);
        let (mut first, mut last) = (f32::NAN, f32::NAN);
        for step in 0..12 {
            let at = |k: usize| (step * B + k) % xs.len();
            let x = ImageBatch::<f32, B, 1, 49, 10>::from_fn(|s, c, r, w| xs[at(s)][(c, r, w)]);
            let y: [_; B] = core::array::from_fn(|k| ys[at(k)]);
            let loss = trainer.step(&mut logits, &x, &y).unwrap();
            // Only the last layer learns: the imported rest is put back.
            let mut k = 0;
            logits.visit_mut(&mut |s| {
                for v in s {
                    if k < body {
                        *v = before[k];
                    }
                    k += 1;
                }
            });
            if step == 0 {
                first = loss;
            }
            last = loss;
        }
        let after = all(&logits);
        assert_eq!(
            after[..body],
            before[..body],
            "the imported layers are unchanged"
        );
        assert_ne!(after[body..], before[body..], "the last layer learned");
        assert!(last < 0.8 * first, "fine-tuning loss {first} → {last}");
        // typegrad's own int8 quantization of the fine-tuned model, written and read back.
        let tuned = mlperf::with_softmax::<_, 12>(&logits);
        let q = quantize(&tuned, &xs);
        let bytes = to_tflite(&q);
        let back: <mlperf::DsCnnSoftmax as Quantize>::Quantized = load(&bytes).unwrap();
        assert_eq!(back, q);
    });
}

/// A `DynamicQuant` before an operator that is not a hybrid `CONV_2D` is an error naming it.
#[test]
fn dynamic_quant_before_a_float_operator_is_refused() {
    use typegrad::activation::{Relu, Softmax};
    use typegrad::nn::{
        ActivationLayer, AvgPool2d, Conv2d, Dense, DepthwiseConv2d, DynamicQuant, Flatten, Input,
        Kernel, Same, Stride,
    };
    use typegrad::shape::{Image, Size};
    typegrad::network! {
        type Misplaced = [
            Input<Image<1, 49, 10>>,
            Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same>,
            Relu,
            DynamicQuant,
            DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>,
            Relu,
            AvgPool2d<Kernel<25, 5>>,
            Flatten,
            Dense<f32, 64, 12>,
            ActivationLayer<Softmax, Size<12>>,
        ];
    }
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlperf_tiny/");
    let float = std::fs::read(format!("{dir}kws_ref_model_float32.tflite")).unwrap();
    let e = load_float::<Misplaced>(&float).unwrap_err().to_string();
    assert!(
        e.starts_with("operator 1 (DEPTHWISE_CONV_2D): DynamicQuant before a convolution"),
        "{e}"
    );
}
