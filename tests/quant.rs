//! int8 inference against TFLite Micro: `tests/fixtures/int8_digits.tflite` is the file
//! typegrad's writer makes of the quantized 64-32-10 digits network (typegrad's quantization
//! of embedded/weights/digits_mlp.tgrd; the tests load it back with `quant::tflite::load`);
//! tests/fixtures/int8_digits_tflite.json holds 60 int8 test inputs and the outputs TFLite
//! Micro's interpreter (`tflite-micro`) and the desktop interpreter (ai-edge-litert, reference
//! kernels) gave for them on that file (written by `scripts/tflite_check.py --fixture`, which
//! checks all 450 test images the same way). The motions and 2-D CNN fixtures are made the
//! same way.

use serde_json::Value;
use typegrad::activation::Relu;
use typegrad::data::{ChannelStandardizer, Dataset, Split};
use typegrad::nn::{Dense, Layer};
use typegrad::quant::{QChain, QDense, QLayer, QSample, Rounding, quantize};
use typegrad::shape::{Kernel, Pad, Stride};

fn fixture() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/int8_digits_tflite.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_i64().unwrap())
        .collect()
}

/// The digits network of the fixture, read from the `.tflite` file TFLite Micro ran
/// (`quant::tflite::load`: the rescaling derived from the file's scales as TFLite does).
fn digits_file() -> QChain<QDense<64, 32>, QDense<32, 10>> {
    typegrad::quant::tflite::load(include_bytes!("fixtures/int8_digits.tflite")).unwrap()
}

#[test]
fn int8_outputs_equal_tflite_micro_and_with_reference_rounding_the_desktop_interpreter() {
    let f = fixture();
    let net = digits_file();
    let desktop = net.with_rounding(Rounding::Reference);
    let inputs = f["inputs"].as_array().unwrap();
    let micro = f["tflm_outputs"].as_array().unwrap();
    let reference = f["reference_outputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 60);
    let mut runtimes_differ = 0;
    for ((x, y), r) in inputs.iter().zip(micro).zip(reference) {
        let x: Vec<i64> = ints(x);
        let xq = typegrad::Vector::<i8, 64>::from_fn(|i| x[i] as i8);
        let got: Vec<i64> = net.predict(&xq).iter().map(|&v| i64::from(v)).collect();
        assert_eq!(got, ints(y), "TFLite Micro's arithmetic (the default)");
        let got: Vec<i64> = desktop.predict(&xq).iter().map(|&v| i64::from(v)).collect();
        assert_eq!(
            got,
            ints(r),
            "the desktop interpreter's (Rounding::Reference)"
        );
        runtimes_differ += usize::from(ints(y) != ints(r));
    }
    // The two runtimes do differ on these inputs, so both roundings are exercised.
    assert!(runtimes_differ > 0);
}

typegrad::network! {
    type Mlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}

#[test]
fn quantizing_the_digits_mlp_gives_the_fixtures_model_and_keeps_its_accuracy() {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv")).unwrap();
    digits.scale(1.0 / 16.0);
    let split = Split::load(format!("{root}/data/digits_split.txt")).unwrap();
    let (train, test) = digits.split(&split).unwrap();
    let mut net = Mlp::default();
    typegrad::persist::load_file(&mut net, format!("{root}/embedded/weights/digits_mlp.tgrd"))
        .unwrap();
    let q = quantize(&net, &train.features);
    // The quantizer is deterministic: it gives exactly the model the interpreter ran, and
    // typegrad's .tflite of it is the file TFLite Micro gave the recorded outputs for.
    assert_eq!(
        typegrad::quant::tflite::to_tflite(&q),
        include_bytes!("fixtures/int8_digits.tflite")
    );
    // The file loads back into the same network (the .tflite file is typegrad's int8
    // persist format).
    assert_eq!(digits_file(), q);
    // Two buffers of the largest activation (the 64 inputs): one read, one written.
    assert_eq!(
        <QChain<QDense<64, 32>, QDense<32, 10>> as QLayer>::ARENA_BYTES,
        2 * 64
    );
    // int8 within half a point of f32 on the 450 test images.
    let labels = test.class_labels::<10>().unwrap();
    let (mut f32_ok, mut int8_ok) = (0usize, 0usize);
    for (x, y) in test.features.iter().zip(&labels) {
        f32_ok += usize::from(net.predict(x).argmax() == y.index());
        let xq = typegrad::Vector::<i8, 64>::from_fn(|i| q.input_params().quantize(x[i]));
        let out = q.predict(&xq);
        let best = (0..10).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        int8_ok += usize::from(best == y.index());
    }
    assert_eq!(f32_ok, 442);
    assert!(
        f32_ok - int8_ok <= 2,
        "f32 {f32_ok}/450, int8 {int8_ok}/450"
    );
}

typegrad::network! {
    /// The conv1d_motions example's network.
    type Cnn = [
        typegrad::nn::Input<typegrad::shape::Signal<6, 100>>,
        typegrad::nn::Conv1d<f32, 6, 8, 5, 2, 2>,
        Relu,
        typegrad::nn::MaxPool1d<2>,
        typegrad::nn::Conv1d<f32, 8, 8, 5, 1, 2>,
        Relu,
        typegrad::nn::GlobalAvgPool1d,
        Dense<f32, 8, 4>,
    ];
}

/// tests/fixtures/int8_motions_tflite.json: the 40 test recordings quantized (NCL) and the
/// outputs TFLite's interpreter gave for the quantized CNN (PAD + CONV_2D, RELU, MAX_POOL_2D,
/// AVERAGE_POOL_2D, FULLY_CONNECTED).
#[test]
fn the_int8_cnn_equals_the_tflite_interpreter_and_keeps_its_accuracy() {
    let root = env!("CARGO_MANIFEST_DIR");
    let motions = Dataset::<f32, 600>::load_csv(format!("{root}/data/basic_motions.csv")).unwrap();
    let split = Split::load(format!("{root}/data/basic_motions_split.txt")).unwrap();
    let (train, test) = motions.split(&split).unwrap();
    // Per-channel statistics of the training series; the recorded interpreter inputs below
    // were made with the same (hand-written) arithmetic, so they also pin these helpers.
    let (train_x, test_x) = (train.signals::<6, 100>(), test.signals::<6, 100>());
    let scaler = ChannelStandardizer::fit(&train_x).unwrap();
    let (train_x, test_x) = (scaler.transformed(&train_x), scaler.transformed(&test_x));
    let mut net = Cnn::default();
    typegrad::persist::load_file(
        &mut net,
        format!("{root}/embedded/weights/motions_cnn.tgrd"),
    )
    .unwrap();
    let q = quantize(&net, &train_x);
    // typegrad's .tflite of this model: the file TFLite Micro gave the recorded outputs for.
    assert_eq!(
        typegrad::quant::tflite::to_tflite(&q),
        include_bytes!("fixtures/int8_motions.tflite")
    );

    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/int8_motions_tflite.json"
    );
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let inputs = f["inputs"].as_array().unwrap();
    let want = f["tflm_outputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 40);
    let labels = test.class_labels::<4>().unwrap();
    let mut correct = 0;
    for (((x, fixture_x), y), label) in test_x.iter().zip(inputs).zip(want).zip(&labels) {
        let xq = q.quantize_input(x);
        assert_eq!(
            xq,
            typegrad::Matrix::<i8, 6, 100>::from_fn(|c, t| q
                .input_params()
                .quantize(x.as_rows()[c][t]))
        );
        // The same int8 input the interpreter was given...
        let flat: Vec<i64> = xq
            .as_rows()
            .iter()
            .flatten()
            .map(|&v| i64::from(v))
            .collect();
        assert_eq!(flat, ints(fixture_x));
        // ...and the interpreter's output, bit for bit (in a fixed arena too).
        let out = q.predict(&xq);
        assert_eq!(in_arena(&q, &xq), out);
        let got: Vec<i64> = out.iter().map(|&v| i64::from(v)).collect();
        assert_eq!(got, ints(y));
        let best = (0..4).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        correct += usize::from(best == label.index());
    }
    assert_eq!(correct, 40, "int8 test accuracy of the CNN (f32: 40/40)");
    let evaluation = typegrad::quant::evaluate(&q, &test_x, &labels).unwrap();
    assert_eq!((evaluation.correct, evaluation.samples), (40, 40));
    assert_eq!(evaluation.accuracy(), 1.0);
    // Memory known at compile time: two buffers of the largest activation, the input's 6 × 100
    // (the convolutions keep no int32 copies).
    assert_eq!(arena_bytes(&q), 2 * 6 * 100);
}

typegrad::network! {
    /// The `cnn_digits` example's 2-D CNN.
    type Cnn2d = [
        typegrad::nn::Input<typegrad::shape::Image<1, 8, 8>>,
        typegrad::nn::Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        typegrad::nn::MaxPool2d<Kernel<2>>,
        typegrad::nn::Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        typegrad::nn::MaxPool2d<Kernel<2>>,
        typegrad::nn::Flatten,
        Dense<f32, 64, 10>,
    ];
}

/// tests/fixtures/int8_cnn_digits_tflite.json: the first 60 digits test images quantized
/// (NCHW) and the outputs TFLite's interpreter gave for the quantized 2-D CNN (PAD + CONV_2D
/// with its ReLU fused, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED on NHWC images; `scripts/tflite_check.py`
/// checks all 450).
#[test]
fn the_int8_2d_cnn_equals_the_tflite_interpreter_and_keeps_its_accuracy() {
    use typegrad::tensor::Planes;
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv")).unwrap();
    digits.scale(1.0 / 16.0);
    let split = Split::load(format!("{root}/data/digits_split.txt")).unwrap();
    let (train, test) = digits.split(&split).unwrap();
    let image =
        |x: &typegrad::Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    let train_x: Vec<_> = train.features.iter().map(image).collect();
    let test_x: Vec<_> = test.features.iter().map(image).collect();
    let mut net = Cnn2d::default();
    typegrad::persist::load_file(&mut net, format!("{root}/examples/weights/cnn_digits.tgrd"))
        .unwrap();
    let q = quantize(&net, &train_x);
    // typegrad's .tflite of this model: the file TFLite Micro gave the recorded outputs for.
    assert_eq!(
        typegrad::quant::tflite::to_tflite(&q),
        include_bytes!("fixtures/int8_cnn_digits.tflite")
    );

    let path = format!("{root}/tests/fixtures/int8_cnn_digits_tflite.json");
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let inputs = f["inputs"].as_array().unwrap();
    let want = f["tflm_outputs"].as_array().unwrap();
    assert_eq!(inputs.len(), 60);
    let labels = test.class_labels::<10>().unwrap();
    let (mut correct, mut f32_correct, mut checked) = (0, 0, 0);
    for (k, (x, label)) in test_x.iter().zip(&labels).enumerate() {
        let xq = Planes::<i8, 1, 8, 8>::from_fn(|c, r, w| q.input_params().quantize(x[(c, r, w)]));
        let out = q.predict(&xq);
        assert_eq!(in_arena(&q, &xq), out);
        if let (Some(fixture_x), Some(y)) = (inputs.get(k), want.get(k)) {
            // The same int8 input the interpreter was given, and its output bit for bit.
            let flat: Vec<i64> = xq.as_slice().iter().map(|&v| i64::from(v)).collect();
            assert_eq!(flat, ints(fixture_x));
            let got: Vec<i64> = out.iter().map(|&v| i64::from(v)).collect();
            assert_eq!(got, ints(y), "test image {k}");
            checked += 1;
        }
        let best = (0..10).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        correct += usize::from(best == label.index());
        f32_correct += usize::from(net.predict(x).argmax() == label.index());
    }
    assert_eq!(checked, 60);
    assert_eq!(f32_correct, 442, "f32 test accuracy of the CNN");
    assert_eq!(correct, 440, "int8 test accuracy of the CNN (f32: 442/450)");
    // Memory known at compile time: two buffers of the largest activation, conv 8 × 8 × 8
    // (the convolutions keep no int32 copies: each output is requantized as it is computed).
    assert_eq!(arena_bytes(&q), 2 * 8 * 8 * 8);
    // A shorter arena is refused, naming both sizes.
    let mut small = vec![0i8; 2 * 8 * 8 * 8 - 1];
    let x = Planes::<i8, 1, 8, 8>::zeros();
    let e = q.predict_in(&x, &mut small).unwrap_err();
    assert_eq!(
        e,
        typegrad::quant::ArenaError::TooSmall {
            needed: 1024,
            given: 1023
        }
    );
    assert_eq!(
        e.to_string(),
        "the arena has 1023 bytes; the network's activations need 1024 (QLayer::ARENA_BYTES)"
    );
}

typegrad::network! {
    /// A digits MLP with batch normalization after its hidden layer.
    type NormedMlp = [Dense<f32, 64, 32>, typegrad::nn::BatchNorm1d<f32, 32>, Relu, Dense<f32, 32, 10>];
}

/// BatchNorm is quantized as TFLite's converter does it: folded into the layer before it first
/// (`fold_into_dense`, tested in tests/batch_norm.rs), then the plain network is quantized.
#[test]
fn a_network_with_batch_norm_is_folded_then_quantized() {
    use typegrad::init::{Init, Rng};
    use typegrad::loss::SoftmaxCrossEntropy;
    use typegrad::optim::{Adam, Settings};
    use typegrad::train::{Data, FitConfig, Trainer};
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv")).unwrap();
    digits.scale(1.0 / 16.0);
    let split = Split::load(format!("{root}/data/digits_split.txt")).unwrap();
    let (train, test) = digits.split(&split).unwrap();
    let (train_y, test_y) = (
        train.class_labels::<10>().unwrap(),
        test.class_labels::<10>().unwrap(),
    );
    let mut net = NormedMlp::default();
    net.init(&mut Rng::new(3), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(0.01));
    let mut order = vec![0; train.len()];
    let config = FitConfig::<32> {
        epochs: 8,
        shuffle: true,
        seed: 4,
        divergence: None,
    };
    Trainer::new(&net, adam, SoftmaxCrossEntropy)
        .fit(
            &mut net,
            Data::new(&train.features, &train_y),
            None,
            &mut order,
            config,
            |_, _| {},
        )
        .unwrap();
    let typegrad::nn::Chain(dense, typegrad::nn::Chain(bn, typegrad::nn::Chain(_, head))) = &net;
    let folded: typegrad::seq![Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>] =
        typegrad::nn::Chain(bn.fold_into_dense(dense, Relu), *head);
    let q = quantize(&folded, &train.features);
    let (mut float_ok, mut folded_ok, mut int8_ok) = (0, 0, 0);
    for (x, y) in test.features.iter().zip(&test_y) {
        float_ok += usize::from(net.predict(x).argmax() == y.index());
        folded_ok += usize::from(folded.predict(x).argmax() == y.index());
        let xq = typegrad::Vector::from_fn(|i| q.input_params().quantize(x[i]));
        let out = q.predict(&xq);
        let best = (0..10).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        int8_ok += usize::from(best == y.index());
    }
    assert_eq!(folded_ok, float_ok, "folding changes no prediction");
    assert!(float_ok >= 420, "the BatchNorm MLP trained: {float_ok}/450");
    // Within 0.5 points (2 of 450 images) of the float network.
    assert!(
        int8_ok + 2 >= float_ok,
        "int8 {int8_ok}/450 vs f32 {float_ok}/450"
    );
}

#[test]
fn evaluate_counts_like_a_hand_written_loop_and_refuses_bad_data() {
    use typegrad::EvalError;
    use typegrad::loss::Class;
    use typegrad::quant::{QSample, evaluate};
    let q = digits_file();
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv")).unwrap();
    digits.scale(1.0 / 16.0);
    let split = Split::load(format!("{root}/data/digits_split.txt")).unwrap();
    let (_, test) = digits.split(&split).unwrap();
    let labels = test.class_labels::<10>().unwrap();
    let mut by_hand = 0;
    for (x, label) in test.features.iter().zip(&labels) {
        let xq = typegrad::Vector::<i8, 64>::from_fn(|i| q.input_params().quantize(x[i]));
        assert_eq!(q.quantize_input(x), xq);
        let out = q.predict(&xq);
        let best = (0..10).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        by_hand += usize::from(best == label.index());
        // Dequantized outputs are the real values the int8 outputs stand for.
        let real = q.dequantize_output(&out);
        let p = q.output_params();
        for i in 0..10 {
            assert_eq!(real[i], p.scale * (i32::from(out[i]) - p.zero_point) as f32);
        }
        assert_eq!(
            <typegrad::Vector<i8, 10> as QSample>::quantize(&real, p),
            out
        );
    }
    let e = evaluate(&q, &test.features, &labels).unwrap();
    assert_eq!((e.correct, e.samples), (by_hand, test.len()));
    assert!(e.accuracy() > 0.97, "{}", e.accuracy());

    assert_eq!(
        evaluate(&q, &test.features[..3], &labels[..2]),
        Err(EvalError::Lengths {
            inputs: 3,
            targets: 2
        })
    );
    assert_eq!(evaluate::<_, 10>(&q, &[], &[]), Err(EvalError::Empty));
    let mut bad = test.features[..2].to_vec();
    bad[1][5] = f32::NAN;
    let two = [Class::new(0).unwrap(), Class::new(1).unwrap()];
    assert_eq!(
        evaluate(&q, &bad, &two),
        Err(EvalError::NonFinite { sample: 1 })
    );
}

#[path = "../examples/common/int8_layers.rs"]
#[allow(dead_code)] // the example also retrains
mod int8_layers;

/// FNV-1a (64-bit) of int8 values or bytes, as `scripts/tflite_check.py` computes it.
fn fnv(bytes: impl IntoIterator<Item = u8>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in bytes {
        h ^= u64::from(v);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Checks an int8 network against a hashed fixture of `scripts/tflite_check.py --fixture`:
/// typegrad's `.tflite` file is the one TFLite Micro ran, on the same inputs, and TFLite
/// Micro's outputs are typegrad's.
fn equals_recorded_tflite_micro<Q>(q: &Q, inputs: &[Q::In], fixture: &str)
where
    Q: typegrad::quant::tflite::Describe,
    Q::In: typegrad::quant::QSample,
    Q::Out: typegrad::quant::QSample,
{
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let file = typegrad::quant::tflite::to_tflite(q);
    assert_eq!(fnv(file.iter().copied()), f["tflite_fnv"].as_str().unwrap());
    assert_eq!(f["samples"].as_u64(), Some(inputs.len() as u64));
    assert_eq!(
        fnv(inputs.iter().flat_map(|x| bytes(x.values()))),
        f["inputs_fnv"].as_str().unwrap()
    );
    let outputs: Vec<Q::Out> = inputs.iter().map(|x| q.predict(x)).collect();
    assert_eq!(
        fnv(outputs.iter().flat_map(|y| bytes(y.values()))),
        f["tflm_outputs_fnv"].as_str().unwrap()
    );
}

/// int8 values as bytes.
fn bytes(values: &[i8]) -> Vec<u8> {
    values.iter().map(|&v| v as u8).collect()
}

#[test]
fn a_standalone_relu_fuses_into_the_layer_before_and_equals_tflite_micro() {
    let m = int8_layers::mlp_relu();
    let inputs: Vec<_> = m.test.iter().map(|x| m.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&m.q, &inputs, "int8_mlp_relu_tflite.json");
    let e = typegrad::quant::evaluate(&m.q, &m.test, &m.labels).unwrap();
    assert!(e.correct >= 438, "{}/450", e.correct);
}

#[test]
fn relu6_fuses_into_a_dense_layer_as_tflite_micro_s_relu6() {
    let m = int8_layers::mlp_relu6();
    let inputs: Vec<_> = m.test.iter().map(|x| m.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&m.q, &inputs, "int8_mlp_relu6_tflite.json");
    // The hidden layer is capped: its largest int8 output stands for 6 (calibrated on [0, 6],
    // the cap is the top of the int8 range itself).
    let p = m.q.0.output;
    assert!((p.dequantize(m.q.0.act_max) - 6.0).abs() <= p.scale);
    assert_eq!(m.q.0.act_min, -128); // the real 0 is the zero point, −128
}

#[test]
fn a_softmax_quantizes_to_tflite_micro_s_int8_softmax() {
    let s = int8_layers::mlp_softmax();
    let inputs: Vec<_> = s.test.iter().map(|x| s.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&s.q, &inputs, "int8_mlp_softmax_tflite.json");
    let e = typegrad::quant::evaluate(&s.q, &s.test, &s.labels).unwrap();
    assert!(e.correct >= 438, "{}/450", e.correct);
    // Outputs are probabilities in steps of 1/256 (zero point −128) that sum to about 1.
    for x in &inputs[..20] {
        let y = s.q.predict(x);
        let total: i32 = y.iter().map(|&v| i32::from(v) + 128).sum();
        assert!((total - 256).abs() <= 10, "{total}");
    }
}

#[test]
fn average_pooling_quantizes_and_equals_tflite_micro() {
    let a = int8_layers::cnn_average();
    let inputs: Vec<_> = a.test.iter().map(|x| a.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&a.q, &inputs, "int8_cnn_average_tflite.json");
    let e = typegrad::quant::evaluate(&a.q, &a.test, &a.labels).unwrap();
    assert!(e.correct >= 380, "{}/450", e.correct);
}

/// TensorFlow's `SAME` max and average pooling (the padding left out of each window), as
/// TFLite Micro computes them.
#[test]
fn same_pooling_quantizes_and_equals_tflite_micro() {
    let (_, a) = int8_layers::cnn_same_pools();
    let inputs: Vec<_> = a.test.iter().map(|x| a.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&a.q, &inputs, "int8_cnn_same_pools_tflite.json");
    let back: <int8_layers::CnnSamePools as typegrad::quant::Quantize>::Quantized =
        typegrad::quant::tflite::load(&typegrad::quant::tflite::to_tflite(&a.q)).unwrap();
    assert_eq!(back, a.q);
}

#[test]
fn a_flatten_after_a_conv1d_quantizes_and_equals_tflite_micro() {
    let c = int8_layers::cnn_flatten();
    let inputs: Vec<_> = c.test.iter().map(|x| c.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&c.q, &inputs, "int8_cnn_flatten_tflite.json");
    let e = typegrad::quant::evaluate(&c.q, &c.test, &c.labels).unwrap();
    assert!(e.correct >= 34, "{}/40", e.correct);
}

#[test]
fn a_depthwise_separable_cnn_with_relu6_quantizes_and_equals_tflite_micro() {
    let (f32_accuracy, m) = int8_layers::cnn_separable();
    assert!(f32_accuracy >= 0.97, "{f32_accuracy}");
    let inputs: Vec<_> = m.test.iter().map(|x| m.q.quantize_input(x)).collect();
    equals_recorded_tflite_micro(&m.q, &inputs, "int8_cnn_separable_tflite.json");
    let e = typegrad::quant::evaluate(&m.q, &m.test, &m.labels).unwrap();
    assert!(e.correct >= 435, "{}/450", e.correct);
    // The ReLU6 after each convolution is fused into it (it clamps nothing: no operator);
    // the one after the last pooling is TFLite's RELU6, between the zero point and 6.
    let (fused, standalone) = (m.q.1.0, m.q.1.1.1.1.1.1.1.0);
    assert_eq!((fused.lo, fused.hi), (-128, 127));
    assert!(
        standalone.lo > -128 && standalone.hi < 127,
        "{standalone:?}"
    );
}

/// [`QLayer::ARENA_BYTES`] of a quantized network.
fn arena_bytes<Q: QLayer>(_: &Q) -> usize {
    Q::ARENA_BYTES
}

/// The output of [`QLayer::predict_in`] in an arena of exactly [`QLayer::ARENA_BYTES`].
fn in_arena<Q: QLayer>(q: &Q, x: &Q::In) -> Q::Out {
    let mut arena = vec![0i8; Q::ARENA_BYTES];
    q.predict_in(x, &mut arena).unwrap()
}
