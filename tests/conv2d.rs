//! 2-D convolution and pooling, BatchNorm over images: output sizes computed by the type
//! system, values and gradients against numpy (tests/fixtures/conv_expected.json, from
//! scripts/conv_fixture.py), finite-difference checks, batch = per sample, files.

mod common;

use approx::assert_relative_eq;
use common::{against_numpy, check, flat, numpy_case};
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    AvgPool2d, BatchNorm2d, Connect, Conv2d, Dense, DepthwiseConv2d, Flatten, Full,
    GlobalAvgPool2d, Grads, Input, Layer, MaxPool2d, Parameters, Place, Same, Shape,
};
use typegrad::shape::window::KernelSize;
use typegrad::shape::{BatchOf, Image, Port};
use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::{Vector, seq};

type At<A, const C: usize, const H: usize, const W: usize> = <A as Place<Image<C, H, W>>>::Layer;

fn conv_from<const I: usize, const O: usize, K: KernelSize, S, P>(
    name: &str,
) -> Conv2d<f64, I, O, K, S, P> {
    let c = numpy_case(name);
    let mut conv = Conv2d::<f64, I, O, K, S, P>::default();
    conv.weight_slice_mut().copy_from_slice(&flat(&c["weight"]));
    conv.bias = Vector::from_fn(|o| flat(&c["bias"])[o]);
    conv
}

#[test]
fn image_output_sizes_follow_pytorchs_formula() {
    type A = At<Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>, 1, 8, 8>;
    assert_eq!(<<A as Shape>::Out as Port>::DIMS, [8, 8, 8]);
    type B = At<Conv2d<f32, 2, 3, Kernel<3>, Stride<2>, Pad<1>>, 2, 7, 6>;
    assert_eq!(<<B as Shape>::Out as Port>::DIMS, [3, 4, 3]);
    type M = At<MaxPool2d<Kernel<2>>, 4, 9, 8>;
    assert_eq!(<<M as Shape>::Out as Port>::DIMS, [4, 4, 4]);
}

#[test]
fn two_dimensional_layers_match_numpy() {
    let a: At<Conv2d<f64, 2, 3, Kernel<3>>, 2, 6, 5> =
        conv_from::<2, 3, Kernel<3>, Stride<1>, Pad<0>>("conv2d_2_3_k3").placed();
    against_numpy(&a, "conv2d_2_3_k3", true);
    let b: At<Conv2d<f64, 1, 2, Kernel<3>, Stride<2>, Pad<1>>, 1, 7, 6> =
        conv_from::<1, 2, Kernel<3>, Stride<2>, Pad<1>>("conv2d_1_2_k3_s2_p1").placed();
    against_numpy(&b, "conv2d_1_2_k3_s2_p1", true);
    against_numpy(
        &At::<MaxPool2d<Kernel<2>>, 2, 6, 4>::default(),
        "max_pool2d_k2",
        false,
    );
    against_numpy(
        &At::<AvgPool2d<Kernel<3>, Stride<2>>, 2, 7, 5>::default(),
        "avg_pool2d_k3_s2",
        false,
    );
}

#[test]
fn batch_norm_over_images_matches_numpy() {
    let c = numpy_case("batch_norm_image");
    let v = |k: &str| flat(&c[k]);
    let mut bn = At::<BatchNorm2d<f64, 2>, 2, 3, 4>::default();
    bn.weight = Vector::try_from_slice(&v("weight")).unwrap();
    bn.bias = Vector::try_from_slice(&v("bias")).unwrap();
    bn.running_mean = Vector::try_from_slice(&v("running_mean")).unwrap();
    bn.running_var = Vector::try_from_slice(&v("running_var")).unwrap();
    let xs = v("x");
    let x: BatchOf<f64, 3, Image<2, 3, 4>> = <Image<2, 3, 4>>::batch(|s, i| xs[s * 24 + i]);
    let mut cache = bn.new_cache::<3>();
    bn.forward_train(&x, &mut cache);
    assert_relative_eq!(
        <At<BatchNorm2d<f64, 2>, 2, 3, 4> as Layer<f64>>::output(&cache).as_slice(),
        &v("y")[..],
        max_relative = 1e-12
    );
    let dys = v("dy");
    let dy: BatchOf<f64, 3, Image<2, 3, 4>> = <Image<2, 3, 4>>::batch(|s, i| dys[s * 24 + i]);
    let (mut grads, mut dx) = (bn.zeros_like(), <Image<2, 3, 4>>::batch(|_, _| 0.0));
    bn.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
    assert_relative_eq!(dx.as_slice(), &v("dx")[..], max_relative = 1e-9);
    bn.update_buffers(&cache);
    assert_relative_eq!(
        bn.running_var.as_slice(),
        &v("running_var_after")[..],
        max_relative = 1e-12
    );
    assert_relative_eq!(
        bn.forward(&x).as_slice(),
        &v("y_eval_after")[..],
        max_relative = 1e-12
    );
}

fn random_conv<const I: usize, const O: usize, K: KernelSize, S, P, G: Connect>(
    seed: u64,
) -> Conv2d<f64, I, O, K, S, P, typegrad::nn::Unplaced, G> {
    let mut layer = Conv2d::default();
    let mut rng = Rng::new(seed);
    layer.visit_mut(&mut |s: &mut [f64]| s.iter_mut().for_each(|w| *w = rng.uniform(-0.7, 0.7)));
    layer
}

#[test]
fn two_dimensional_layers_pass_gradient_checks() {
    check::<At<Conv2d<f64, 2, 3, Kernel<3>>, 2, 5, 4>, 2>(
        &random_conv::<2, 3, Kernel<3>, Stride<1>, Pad<0>, Full>(1).placed(),
        11,
    );
    check::<At<Conv2d<f64, 1, 2, Kernel<3>, Stride<2>, Pad<1>>, 1, 6, 7>, 2>(
        &random_conv::<1, 2, Kernel<3>, Stride<2>, Pad<1>, Full>(2).placed(),
        12,
    );
    check::<At<MaxPool2d<Kernel<2>>, 2, 4, 6>, 2>(&Default::default(), 13);
    check::<At<AvgPool2d<Kernel<2>, Stride<1>>, 2, 3, 4>, 2>(&Default::default(), 14);
    check::<At<GlobalAvgPool2d, 3, 2, 3>, 2>(&Default::default(), 15);
    check::<At<Flatten, 2, 3, 2>, 2>(&Default::default(), 16);
}

#[test]
fn windows_per_axis_and_same_padding_follow_tensorflows_formula() {
    // SAME: ⌈L / S⌉ along each axis, whatever the kernel.
    type A = At<Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same>, 1, 49, 10>;
    assert_eq!(<<A as Shape>::Out as Port>::DIMS, [64, 25, 5]);
    type B = At<DepthwiseConv2d<f32, 8, Kernel<3>, Stride<2>, Same>, 8, 96, 95>;
    assert_eq!(<<B as Shape>::Out as Port>::DIMS, [8, 48, 48]);
    // Explicit padding per axis: (L + 2P − K) / S + 1.
    type C = At<Conv2d<f32, 2, 4, Kernel<2, 3>, Stride<1, 2>, Pad<1, 0>>, 2, 5, 7>;
    assert_eq!(<<C as Shape>::Out as Port>::DIMS, [4, 6, 3]);
    type M = At<AvgPool2d<Kernel<25, 5>>, 64, 25, 5>;
    assert_eq!(<<M as Shape>::Out as Port>::DIMS, [64, 1, 1]);
    assert_eq!(
        <DepthwiseConv2d<f32, 8, Kernel<3>> as Parameters<f32>>::PARAMS,
        8 * 9 + 8
    );
}

#[test]
fn rectangular_strided_same_and_depthwise_windows_match_numpy() {
    let a: At<Conv2d<f64, 2, 3, Kernel<3, 2>, Stride<2, 1>, Same>, 2, 7, 6> =
        conv_from("conv2d_k3x2_s2x1_same").placed();
    against_numpy(&a, "conv2d_k3x2_s2x1_same", true);
    let b: At<Conv2d<f64, 1, 2, Kernel<10, 4>, Stride<2>, Same>, 1, 13, 6> =
        conv_from("conv2d_k10x4_s2_same").placed();
    against_numpy(&b, "conv2d_k10x4_s2_same", true);
    let c: At<Conv2d<f64, 2, 2, Kernel<2, 3>, Stride<1, 2>, Pad<1, 0>>, 2, 5, 7> =
        conv_from("conv2d_k2x3_s1x2_p1x0").placed();
    against_numpy(&c, "conv2d_k2x3_s1x2_p1x0", true);
    let d: At<DepthwiseConv2d<f64, 3, Kernel<3>, Stride<1>, Same>, 3, 5, 4> =
        depthwise_from("depthwise_k3_s1_same").placed();
    against_numpy(&d, "depthwise_k3_s1_same", true);
    let e: At<DepthwiseConv2d<f64, 2, Kernel<3>, Stride<2>, Same>, 2, 7, 6> =
        depthwise_from("depthwise_k3_s2_same").placed();
    against_numpy(&e, "depthwise_k3_s2_same", true);
    let f: At<DepthwiseConv2d<f64, 2, Kernel<3, 1>, Stride<1>, Pad<1, 0>>, 2, 4, 5> =
        depthwise_from("depthwise_k3x1_s1_p1x0").placed();
    against_numpy(&f, "depthwise_k3x1_s1_p1x0", true);
    against_numpy(
        &At::<AvgPool2d<Kernel<3, 2>, Stride<1, 2>>, 2, 5, 6>::default(),
        "avg_pool2d_k3x2_s1x2",
        false,
    );
    against_numpy(
        &At::<MaxPool2d<Kernel<2, 3>>, 2, 4, 6>::default(),
        "max_pool2d_k2x3",
        false,
    );
    // TensorFlow's SAME pooling: the padding is left out of each window.
    against_numpy(
        &At::<AvgPool2d<Kernel<3>, Stride<2>, Same>, 2, 7, 6>::default(),
        "avg_pool2d_k3_s2_same",
        false,
    );
    against_numpy(
        &At::<MaxPool2d<Kernel<3, 2>, Stride<2, 1>, Same>, 2, 5, 4>::default(),
        "max_pool2d_k3x2_s2x1_same",
        false,
    );
}

fn depthwise_from<const C: usize, K: KernelSize, S, P>(
    name: &str,
) -> DepthwiseConv2d<f64, C, K, S, P> {
    let c = numpy_case(name);
    let mut conv = DepthwiseConv2d::<f64, C, K, S, P>::default();
    conv.weight_slice_mut().copy_from_slice(&flat(&c["weight"]));
    conv.bias = Vector::from_fn(|o| flat(&c["bias"])[o]);
    conv
}

#[test]
fn rectangular_strided_same_and_depthwise_windows_pass_gradient_checks() {
    type D = typegrad::nn::Depthwise;
    check::<At<Conv2d<f64, 2, 3, Kernel<3, 2>, Stride<2, 1>, Same>, 2, 5, 4>, 2>(
        &random_conv::<2, 3, Kernel<3, 2>, Stride<2, 1>, Same, Full>(21).placed(),
        22,
    );
    check::<At<DepthwiseConv2d<f64, 3, Kernel<3>, Stride<2>, Same>, 3, 5, 6>, 2>(
        &random_conv::<3, 3, Kernel<3>, Stride<2>, Same, D>(23).placed(),
        24,
    );
    check::<At<DepthwiseConv2d<f64, 2, Kernel<1, 3>, Stride<1>, Pad<0, 1>>, 2, 3, 4>, 2>(
        &random_conv::<2, 2, Kernel<1, 3>, Stride<1>, Pad<0, 1>, D>(25).placed(),
        26,
    );
    check::<At<AvgPool2d<Kernel<2, 3>, Stride<1, 2>>, 2, 3, 7>, 2>(&Default::default(), 27);
}

#[test]
fn batch_norm_folds_into_a_depthwise_convolution() {
    let mut conv: At<DepthwiseConv2d<f64, 3, Kernel<3>, Stride<1>, Same>, 3, 4, 5> =
        random_conv::<3, 3, Kernel<3>, Stride<1>, Same, typegrad::nn::Depthwise>(31).placed();
    conv.bias = Vector::from_fn(|c| 0.1 * c as f64 - 0.05);
    let mut bn = typegrad::nn::BatchNorm1d::<f64, 3>::new();
    bn.weight = Vector::from_fn(|c| 0.5 + c as f64);
    bn.bias = Vector::from_fn(|c| 0.3 - 0.2 * c as f64);
    bn.running_mean = Vector::from_fn(|c| 0.1 * c as f64);
    bn.running_var = Vector::from_fn(|c| 1.5 + 0.25 * c as f64);
    let folded = bn.fold_into_conv(&conv);
    let mut rng = Rng::new(32);
    let x = typegrad::tensor::Planes::<f64, 3, 4, 5>::from_fn(|_, _, _| rng.uniform(-1.0, 1.0));
    let y = conv.predict(&x);
    let (scale, shift) = bn.affine();
    let want: Vec<f64> = y
        .as_slice()
        .iter()
        .enumerate()
        .map(|(i, v)| v * scale[i / 20] + shift[i / 20])
        .collect();
    assert_relative_eq!(
        folded.predict(&x).as_slice(),
        &want[..],
        max_relative = 1e-12
    );
}

typegrad::network! {
    /// A small 2-D CNN on 8 × 8 images.
    type Cnn = [
        Input<Image<1, 8, 8>>,
        Conv2d<f64, 1, 3, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<2>>,
        Conv2d<f64, 3, 4, Kernel<3>>,
        Relu,
        Flatten,
        Dense<f64, 16, 3>,
    ];
}

#[test]
fn a_two_dimensional_cnn_is_checked_end_to_end() {
    let mut net = Cnn::default();
    net.init(&mut Rng::new(3), Init::HeUniform);
    check::<Cnn, 2>(&net, 4);
    let specs: Vec<String> = (0..<Cnn as Parameters<f64>>::TENSORS)
        .map(|k| {
            let s = <Cnn as Parameters<f64>>::param_spec(k).unwrap();
            format!("{} {} {}", s.layer, s.name, s.dims)
        })
        .collect();
    assert_eq!(
        specs,
        [
            "0 weight [3, 1, 3, 3]",
            "0 bias [3]",
            "3 weight [4, 3, 3, 3]",
            "3 bias [4]",
            "6 weight [3, 16]",
            "6 bias [3]"
        ]
    );
    let mut bytes = vec![0u8; typegrad::persist::saved_len::<f64, Cnn>()];
    typegrad::persist::save(&net, &mut bytes).unwrap();
    let mut back = Cnn::default();
    typegrad::persist::load(&mut back, &bytes).unwrap();
    assert_eq!(back, net);
    type Other = seq![Input<Image<1, 8, 8>>, Conv2d<f64, 1, 3, Kernel<5>, Stride<1>, Pad<2>>, Relu, MaxPool2d<Kernel<2>>, Conv2d<f64, 3, 4, Kernel<3>>, Relu, Flatten, Dense<f64, 16, 3>];
    assert!(typegrad::persist::load(&mut Other::default(), &bytes).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn a_two_dimensional_convolution_round_trips_through_serde() {
    // Values exact in decimal (serde_json reads f64 to within an ulp, not always exactly).
    let mut conv = Conv2d::<f64, 2, 3, Kernel<2>>::default();
    let mut k = 0.0;
    conv.visit_mut(&mut |s: &mut [f64]| {
        for w in s {
            k += 1.0;
            *w = k * 0.25 - 3.0;
        }
    });
    let json = serde_json::to_string(&conv).unwrap();
    assert!(json.starts_with("{\"weight\":[[[["), "{json}");
    let back: Conv2d<f64, 2, 3, Kernel<2>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, conv);
}
