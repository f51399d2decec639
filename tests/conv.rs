//! 1-D convolution and pooling: output lengths computed by the type system, values and
//! gradients against numpy (tests/fixtures/conv_expected.json, written by
//! scripts/conv_fixture.py), finite-difference checks, batch = per sample, networks, files.

mod common;

use common::{against_numpy, check, flat, numpy_case};
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    AvgPool1d, Conv1d, Dense, Flatten, GlobalAvgPool1d, Grads, Input, Layer, MaxPool1d, Memory,
    Parameters, Place, Shape,
};
use typegrad::shape::{BatchOf, Port, Signal, Size, Window, Windowed};
use typegrad::{Vector, seq};

/// The placed layer `A` becomes after `Signal<C, L>`.
type At<A, const C: usize, const L: usize> = <A as Place<Signal<C, L>>>::Layer;

/// A convolution with the fixture case's weight and bias.
fn conv_from<const I: usize, const O: usize, const K: usize, const S: usize, const P: usize>(
    name: &str,
) -> Conv1d<f64, I, O, K, S, P> {
    let case = numpy_case(name);
    let (w, b) = (flat(&case["weight"]), flat(&case["bias"]));
    let weight = core::array::from_fn(|o| {
        core::array::from_fn(|c| core::array::from_fn(|k| w[(o * I + c) * K + k]))
    });
    Conv1d::new(weight, Vector::from_fn(|o| b[o]))
}

#[test]
fn output_lengths_follow_pytorchs_formula() {
    // (L + 2P − K) / S + 1, rounded down.
    assert_eq!(<<Size<100> as Window<5, 1, 0>>::Output as Port>::N, 96);
    assert_eq!(<<Size<100> as Window<5, 2, 2>>::Output as Port>::N, 50);
    assert_eq!(<<Size<9> as Window<4, 2, 1>>::Output as Port>::N, 4);
    assert_eq!(<<Size<7> as Window<5, 3, 2>>::Output as Port>::N, 3);
    assert_eq!(<<Size<5> as Window<5, 1, 0>>::Output as Port>::N, 1);
    assert_eq!(<<Size<1> as Window<3, 1, 1>>::Output as Port>::N, 1);
    assert_eq!(<Windowed<16, 96, 2, 2, 0> as Port>::DIMS, [16, 48, 1]);
    type C = At<Conv1d<f32, 6, 16, 5>, 6, 100>;
    assert_eq!(<<C as Shape>::Out as Port>::DIMS, [16, 96, 1]);
}

#[test]
fn convolutions_match_numpy() {
    let a: At<Conv1d<f64, 3, 4, 3>, 3, 10> = conv_from::<3, 4, 3, 1, 0>("conv_3_4_k3").placed();
    against_numpy(&a, "conv_3_4_k3", true);
    let b: At<Conv1d<f64, 2, 3, 4, 2, 1>, 2, 9> =
        conv_from::<2, 3, 4, 2, 1>("conv_2_3_k4_s2_p1").placed();
    against_numpy(&b, "conv_2_3_k4_s2_p1", true);
    let c: At<Conv1d<f64, 1, 2, 5, 3, 2>, 1, 7> =
        conv_from::<1, 2, 5, 3, 2>("conv_1_2_k5_s3_p2").placed();
    against_numpy(&c, "conv_1_2_k5_s3_p2", true);
}

#[test]
fn pooling_matches_numpy() {
    against_numpy(&At::<MaxPool1d<2>, 3, 10>::default(), "max_pool_k2", false);
    against_numpy(
        &At::<MaxPool1d<3, 2>, 2, 9>::default(),
        "max_pool_k3_s2",
        false,
    );
    against_numpy(
        &At::<AvgPool1d<3, 2>, 2, 9>::default(),
        "avg_pool_k3_s2",
        false,
    );
    against_numpy(
        &At::<GlobalAvgPool1d, 3, 10>::default(),
        "global_avg_pool",
        false,
    );
}

fn conv<const I: usize, const O: usize, const K: usize, const S: usize, const P: usize>(
    seed: u64,
) -> Conv1d<f64, I, O, K, S, P> {
    let mut layer = Conv1d::default();
    let mut rng = Rng::new(seed);
    layer.visit_mut(&mut |s: &mut [f64]| s.iter_mut().for_each(|w| *w = rng.uniform(-0.7, 0.7)));
    layer
}

#[test]
fn convolutions_pass_gradient_checks_with_strides_and_padding() {
    check::<At<Conv1d<f64, 3, 4, 3>, 3, 10>, 2>(&conv::<3, 4, 3, 1, 0>(1).placed(), 11);
    check::<At<Conv1d<f64, 2, 3, 4, 2, 1>, 2, 9>, 3>(&conv::<2, 3, 4, 2, 1>(2).placed(), 12);
    check::<At<Conv1d<f64, 2, 2, 5, 3, 2>, 2, 8>, 2>(&conv::<2, 2, 5, 3, 2>(3).placed(), 13);
    // Padding wider than the kernel reaches: outputs that see only zeros are the bias.
    check::<At<Conv1d<f64, 1, 2, 2, 1, 3>, 1, 4>, 2>(&conv::<1, 2, 2, 1, 3>(4).placed(), 14);
}

#[test]
fn pooling_passes_gradient_checks() {
    check::<At<MaxPool1d<2>, 3, 10>, 2>(&Default::default(), 21);
    check::<At<MaxPool1d<3, 2>, 2, 9>, 2>(&Default::default(), 22);
    check::<At<MaxPool1d<3, 1>, 2, 7>, 2>(&Default::default(), 23);
    check::<At<AvgPool1d<3, 2>, 2, 9>, 2>(&Default::default(), 24);
    check::<At<AvgPool1d<2>, 2, 6>, 3>(&Default::default(), 25);
    check::<At<GlobalAvgPool1d, 3, 10>, 2>(&Default::default(), 26);
}

#[test]
fn max_pooling_sends_the_gradient_to_the_first_largest_value() {
    let pool = At::<MaxPool1d<3>, 1, 6>::default();
    let x: BatchOf<f64, 1, Signal<1, 6>> =
        <Signal<1, 6> as Port>::batch(|_, i| [2.0, 5.0, 5.0, -1.0, -1.0, -1.0][i]);
    let dy: BatchOf<f64, 1, Signal<1, 2>> = <Signal<1, 2> as Port>::batch(|_, t| [10.0, 20.0][t]);
    let mut cache = pool.new_cache::<1>();
    pool.forward_train(&x, &mut cache);
    assert_eq!(cache.as_slice(), &[5.0, -1.0]);
    let mut dx = <Signal<1, 6> as Port>::batch(|_, _| 0.0);
    pool.backward(
        &x,
        &mut cache,
        &dy,
        &mut Parameters::<f64>::zeros_like(&pool),
        Grads::Overwrite,
        &mut dx,
    );
    assert_eq!(dx.as_slice(), &[0.0, 10.0, 0.0, 20.0, 0.0, 0.0]);
}

typegrad::network! {
    /// A small 1-D CNN: 3 × 16 in, 2 classes out.
    type Cnn = [
        Input<Signal<3, 16>>,
        Conv1d<f64, 3, 4, 3, 1, 1>,
        Relu,
        MaxPool1d<2>,
        Conv1d<f64, 4, 5, 3>,
        Relu,
        Flatten,
        Dense<f64, 30, 2>,
    ];
}

fn cnn(seed: u64) -> Cnn {
    let mut net = Cnn::default();
    net.init(&mut Rng::new(seed), Init::XavierUniform);
    net
}

#[test]
fn a_cnn_is_checked_end_to_end() {
    // 16 steps, padded conv keeps 16, pool halves to 8, conv k3 gives 6: 5 × 6 = 30 features.
    assert_eq!(<<Cnn as Shape>::In as Port>::DIMS, [3, 16, 1]);
    assert_eq!(<Cnn as Shape>::OUTPUTS, 2);
    assert_eq!(
        <Cnn as Parameters<f64>>::PARAMS,
        (4 * 3 * 3 + 4) + (5 * 4 * 3 + 5) + (2 * 30 + 2)
    );
    check::<Cnn, 3>(&cnn(5), 31);
}

typegrad::network! {
    type Pooled = [Input<Signal<2, 12>>, Conv1d<f64, 2, 3, 5, 2, 2>, Relu, GlobalAvgPool1d, Dense<f64, 3, 2>];
}

#[test]
fn global_average_pooling_feeds_a_dense_layer() {
    let mut net = Pooled::default();
    net.init(&mut Rng::new(7), Init::HeUniform);
    check::<Pooled, 2>(&net, 32);
}

#[test]
fn memory_constants_count_the_conv_activations_exactly() {
    type M = Memory<f32, Cnn32, 4>;
    // Caches: conv 4 × 16, relu 4 × 16, pool 4 × 8, conv 5 × 6, relu 5 × 6, flatten 30,
    // dense z and output 2 + 2, plus each junction's ∂L/∂input.
    let per_sample = 64 + 64 + 32 + 30 + 30 + 30 + 2 + 2;
    assert!(M::CACHE_BYTES >= per_sample * 4 * 4, "{}", M::CACHE_BYTES);
    assert_eq!(M::PARAMS, (4 * 3 * 3 + 4) + (5 * 4 * 3 + 5) + (2 * 30 + 2));
    assert_eq!(M::NETWORK_BYTES, core::mem::size_of::<Cnn32>());
    assert_eq!(
        M::CACHE_BYTES,
        core::mem::size_of::<<Cnn32 as Layer<f32>>::Cache<4>>()
    );
}

typegrad::network! {
    type Cnn32 = [
        Input<Signal<3, 16>>,
        Conv1d<f32, 3, 4, 3, 1, 1>,
        Relu,
        MaxPool1d<2>,
        Conv1d<f32, 4, 5, 3>,
        Relu,
        Flatten,
        Dense<f32, 30, 2>,
    ];
}

#[test]
fn conv_tensors_are_described_as_pytorch_names_them() {
    let specs: Vec<String> = (0..<Cnn as Parameters<f64>>::TENSORS)
        .map(|k| {
            let s = <Cnn as Parameters<f64>>::param_spec(k).unwrap();
            format!("{} {} {}", s.layer, s.name, s.dims)
        })
        .collect();
    assert_eq!(
        specs,
        [
            "0 weight [4, 3, 3]",
            "0 bias [4]",
            "3 weight [5, 4, 3]",
            "3 bias [5]",
            "6 weight [2, 30]",
            "6 bias [2]"
        ]
    );
}

#[test]
fn a_cnn_round_trips_through_persist() {
    let net = cnn(9);
    let mut bytes = vec![0u8; typegrad::persist::saved_len::<f64, Cnn>()];
    typegrad::persist::save(&net, &mut bytes).unwrap();
    let mut back = Cnn::default();
    typegrad::persist::load(&mut back, &bytes).unwrap();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    net.visit(&mut |s| a.extend_from_slice(s));
    back.visit(&mut |s| b.extend_from_slice(s));
    assert_eq!(a, b);
    // A file of another conv shape is refused with the tensor named.
    type Other = seq![
        Input<Signal<3, 16>>,
        Conv1d<f64, 3, 4, 5, 1, 2>,
        Relu,
        MaxPool1d<2>,
        Conv1d<f64, 4, 5, 3>,
        Relu,
        Flatten,
        Dense<f64, 30, 2>
    ];
    let err = typegrad::persist::load(&mut Other::default(), &bytes).unwrap_err();
    assert!(err.to_string().contains("[4, 3, 3]"), "{err}");
}

#[cfg(feature = "safetensors")]
#[test]
fn a_cnn_round_trips_through_safetensors_with_pytorch_names() {
    use typegrad::interop::safetensors::{from_bytes, tensor_layout, to_bytes};
    // nn.Sequential(Conv1d, ReLU, MaxPool1d, Conv1d, ReLU, Flatten, Linear): indices 0, 3, 6.
    let names = ["0", "3", "6"];
    assert_eq!(
        tensor_layout::<f64, Cnn>(&names).unwrap(),
        [
            ("0.weight".to_string(), vec![4, 3, 3]),
            ("0.bias".to_string(), vec![4]),
            ("3.weight".to_string(), vec![5, 4, 3]),
            ("3.bias".to_string(), vec![5]),
            ("6.weight".to_string(), vec![2, 30]),
            ("6.bias".to_string(), vec![2]),
        ]
    );
    let net = cnn(10);
    let bytes = to_bytes(&net, &names).unwrap();
    let mut back = Cnn::default();
    from_bytes(&mut back, &names, &bytes).unwrap();
    assert_eq!(back, net);
}

#[cfg(feature = "serde")]
#[test]
fn a_conv_layer_round_trips_through_serde() {
    let conv: Conv1d<f64, 2, 3, 2> = Conv1d::new(
        [
            [[1.0, 2.0], [3.0, 4.0]],
            [[5.0, 6.0], [7.0, 8.0]],
            [[9.0, 10.0], [11.0, 12.0]],
        ],
        Vector::new([0.5, -0.5, 0.25]),
    );
    let json = serde_json::to_string(&conv).unwrap();
    assert_eq!(
        json,
        r#"{"weight":[[[1.0,2.0],[3.0,4.0]],[[5.0,6.0],[7.0,8.0]],[[9.0,10.0],[11.0,12.0]]],"bias":[0.5,-0.5,0.25]}"#
    );
    let back: Conv1d<f64, 2, 3, 2> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, conv);
    // A filter with a missing tap is an error naming what was expected, not a panic.
    let short = json.replacen("[1.0,2.0]", "[1.0]", 1);
    let err = serde_json::from_str::<Conv1d<f64, 2, 3, 2>>(&short).unwrap_err();
    assert!(err.to_string().contains("2 entries"), "{err}");
    let nan = json.replacen("1.0", "1e999", 1);
    assert!(serde_json::from_str::<Conv1d<f64, 2, 3, 2>>(&nan).is_err());
}

/// A `Conv1d` is the `1 × K` `Conv2d` over a signal's one row: the register-blocked 1-D
/// kernels it runs on give what the 2-D kernels give for the same window over a one-row
/// image — outputs, weight and bias gradients and the input gradient, for strides and
/// padding.
#[test]
fn a_conv1d_equals_the_one_row_conv2d_over_an_image() {
    use typegrad::nn::Conv2d;
    use typegrad::shape::{Image, Kernel, Pad, Stride};
    type Row = Conv1d<f64, 3, 4, 3, 2, 1, Signal<3, 11>>;
    type Flat = Conv2d<f64, 3, 4, Kernel<1, 3>, Stride<1, 2>, Pad<0, 1>, Image<3, 1, 11>>;
    let row: Row = conv::<3, 4, 3, 2, 1>(31).placed();
    let mut flat = Flat::default();
    flat.weight_slice_mut().copy_from_slice(row.weight_slice());
    flat.bias = row.bias;
    let mut rng = Rng::new(32);
    let x: BatchOf<f64, 2, Signal<3, 11>> = Signal::<3, 11>::batch(|_, _| rng.uniform(-1.0, 1.0));
    let xs = <Signal<3, 11> as Port>::batch_slice(&x).to_vec();
    let x2: BatchOf<f64, 2, Image<3, 1, 11>> = Image::<3, 1, 11>::batch(|s, i| xs[s * 33 + i]);
    let (y, y2) = (row.forward(&x), flat.forward(&x2));
    let ys = <<Row as Shape>::Out as Port>::batch_slice(&y);
    assert_eq!(ys, <<Flat as Shape>::Out as Port>::batch_slice(&y2));
    let dy_values: Vec<f64> = (0..ys.len()).map(|_| rng.uniform(-1.0, 1.0)).collect();
    let dy = <<Row as Shape>::Out as Port>::batch(|s, i| dy_values[s * 24 + i]);
    let dy2 = <<Flat as Shape>::Out as Port>::batch(|s, i| dy_values[s * 24 + i]);
    let (mut g, mut g2) = (Row::default(), Flat::default());
    let (mut dx, mut dx2) = (x, x2);
    let (mut c, mut c2) = (row.new_cache::<2>(), flat.new_cache::<2>());
    row.forward_train(&x, &mut c);
    flat.forward_train(&x2, &mut c2);
    row.backward(&x, &mut c, &dy, &mut g, Grads::Overwrite, &mut dx);
    flat.backward(&x2, &mut c2, &dy2, &mut g2, Grads::Overwrite, &mut dx2);
    let close = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .all(|(p, q)| (p - q).abs() <= 1e-12 * (1.0 + q.abs()))
    };
    assert!(close(g.weight_slice(), g2.weight_slice()));
    assert!(close(g.bias.as_slice(), g2.bias.as_slice()));
    assert!(close(
        <Signal<3, 11> as Port>::batch_slice(&dx),
        <Image<3, 1, 11> as Port>::batch_slice(&dx2)
    ));
}

/// What the shared window brings to signals: TensorFlow's `SAME` padding and depthwise
/// convolutions over steps, with their gradients.
#[test]
fn signals_take_same_padding_and_depthwise_windows() {
    use typegrad::nn::{Conv2d, DepthwiseConv2d, MaxPool2d};
    use typegrad::shape::{Kernel1d, Same, Stride};
    type SameConv = Conv2d<f64, 2, 3, Kernel1d<4>, Stride<1, 3>, Same>;
    type Depthwise = DepthwiseConv2d<f64, 2, Kernel1d<3>, Stride<1, 2>, Same>;
    // ⌈10 / 3⌉ = 4 steps, ⌈10 / 2⌉ = 5.
    assert_eq!(
        <<At<SameConv, 2, 10> as Shape>::Out as Port>::DIMS,
        [3, 4, 1]
    );
    assert_eq!(
        <<At<Depthwise, 2, 10> as Shape>::Out as Port>::DIMS,
        [2, 5, 1]
    );
    let mut rng = Rng::new(41);
    let mut conv = SameConv::default();
    conv.visit_mut(&mut |s: &mut [f64]| s.iter_mut().for_each(|w| *w = rng.uniform(-0.7, 0.7)));
    check::<At<SameConv, 2, 10>, 2>(&conv.placed(), 42);
    let mut dw = Depthwise::default();
    dw.visit_mut(&mut |s: &mut [f64]| s.iter_mut().for_each(|w| *w = rng.uniform(-0.7, 0.7)));
    check::<At<Depthwise, 2, 10>, 2>(&dw.placed(), 43);
    check::<At<MaxPool2d<Kernel1d<3>, Stride<1, 2>, Same>, 2, 9>, 2>(&Default::default(), 44);
    // SAME over 10 steps with a 4-tap window moved 3: (4 − 1)·3 + 4 − 10 = 3 zeros, 1 before
    // and 2 after. Output step 0 reads x[−1..3): the zero, then steps 0, 1 and 2.
    let x = typegrad::Matrix::<f64, 2, 10>::from_fn(|c, t| (c * 10 + t) as f64);
    let placed: At<SameConv, 2, 10> = conv.placed();
    let y = placed.predict(&x);
    let w = conv.weight;
    let want = conv.bias[0]
        + (0..2)
            .map(|c| {
                (1..4)
                    .map(|k| w[0][c][k] * x.as_rows()[c][k - 1])
                    .sum::<f64>()
            })
            .sum::<f64>();
    assert!((y.as_rows()[0][0] - want).abs() < 1e-12);
}
