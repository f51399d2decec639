//! 2-D convolution and pooling, BatchNorm over images: output sizes computed by the type
//! system, values and gradients against numpy (tests/fixtures/conv_expected.json, from
//! scripts/conv_fixture.py), finite-difference checks, batch = per sample, files.

mod common;

use approx::assert_relative_eq;
use common::{against_numpy, check, flat, numpy_case};
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    AvgPool2d, BatchNorm2d, Conv2d, Dense, Flatten, GlobalAvgPool2d, Grads, Input, Layer,
    MaxPool2d, Parameters, Place, Shape,
};
use typegrad::shape::{BatchOf, Image, Port};
use typegrad::{Vector, seq};

type At<A, const C: usize, const H: usize, const W: usize> = <A as Place<Image<C, H, W>>>::Layer;

fn conv_from<const I: usize, const O: usize, const K: usize, const S: usize, const P: usize>(
    name: &str,
) -> Conv2d<f64, I, O, K, S, P> {
    let c = numpy_case(name);
    let (w, b) = (flat(&c["weight"]), flat(&c["bias"]));
    let weight = core::array::from_fn(|o| {
        core::array::from_fn(|ci| {
            core::array::from_fn(|ky| {
                core::array::from_fn(|kx| w[((o * I + ci) * K + ky) * K + kx])
            })
        })
    });
    Conv2d::new(weight, Vector::from_fn(|o| b[o]))
}

#[test]
fn image_output_sizes_follow_pytorchs_formula() {
    type A = At<Conv2d<f32, 1, 8, 3, 1, 1>, 1, 8, 8>;
    assert_eq!(<<A as Shape>::Out as Port>::DIMS, [8, 8, 8]);
    type B = At<Conv2d<f32, 2, 3, 3, 2, 1>, 2, 7, 6>;
    assert_eq!(<<B as Shape>::Out as Port>::DIMS, [3, 4, 3]);
    type M = At<MaxPool2d<2>, 4, 9, 8>;
    assert_eq!(<<M as Shape>::Out as Port>::DIMS, [4, 4, 4]);
}

#[test]
fn two_dimensional_layers_match_numpy() {
    let a: At<Conv2d<f64, 2, 3, 3>, 2, 6, 5> = conv_from::<2, 3, 3, 1, 0>("conv2d_2_3_k3").placed();
    against_numpy(&a, "conv2d_2_3_k3", true);
    let b: At<Conv2d<f64, 1, 2, 3, 2, 1>, 1, 7, 6> =
        conv_from::<1, 2, 3, 2, 1>("conv2d_1_2_k3_s2_p1").placed();
    against_numpy(&b, "conv2d_1_2_k3_s2_p1", true);
    against_numpy(
        &At::<MaxPool2d<2>, 2, 6, 4>::default(),
        "max_pool2d_k2",
        false,
    );
    against_numpy(
        &At::<AvgPool2d<3, 2>, 2, 7, 5>::default(),
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

fn random_conv<const I: usize, const O: usize, const K: usize, const S: usize, const P: usize>(
    seed: u64,
) -> Conv2d<f64, I, O, K, S, P> {
    let mut layer = Conv2d::default();
    let mut rng = Rng::new(seed);
    layer.visit_mut(&mut |s: &mut [f64]| s.iter_mut().for_each(|w| *w = rng.uniform(-0.7, 0.7)));
    layer
}

#[test]
fn two_dimensional_layers_pass_gradient_checks() {
    check::<At<Conv2d<f64, 2, 3, 3>, 2, 5, 4>, 2>(&random_conv::<2, 3, 3, 1, 0>(1).placed(), 11);
    check::<At<Conv2d<f64, 1, 2, 3, 2, 1>, 1, 6, 7>, 2>(
        &random_conv::<1, 2, 3, 2, 1>(2).placed(),
        12,
    );
    check::<At<MaxPool2d<2>, 2, 4, 6>, 2>(&Default::default(), 13);
    check::<At<AvgPool2d<2, 1>, 2, 3, 4>, 2>(&Default::default(), 14);
    check::<At<GlobalAvgPool2d, 3, 2, 3>, 2>(&Default::default(), 15);
    check::<At<Flatten, 2, 3, 2>, 2>(&Default::default(), 16);
}

typegrad::network! {
    /// A small 2-D CNN on 8 × 8 images.
    type Cnn = [
        Input<Image<1, 8, 8>>,
        Conv2d<f64, 1, 3, 3, 1, 1>,
        Relu,
        MaxPool2d<2>,
        Conv2d<f64, 3, 4, 3>,
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
    type Other = seq![Input<Image<1, 8, 8>>, Conv2d<f64, 1, 3, 5, 1, 2>, Relu, MaxPool2d<2>, Conv2d<f64, 3, 4, 3>, Relu, Flatten, Dense<f64, 16, 3>];
    assert!(typegrad::persist::load(&mut Other::default(), &bytes).is_err());
}

#[cfg(feature = "serde")]
#[test]
fn a_two_dimensional_convolution_round_trips_through_serde() {
    // Values exact in decimal (serde_json reads f64 to within an ulp, not always exactly).
    let mut conv = Conv2d::<f64, 2, 3, 2>::default();
    let mut k = 0.0;
    conv.visit_mut(&mut |s: &mut [f64]| {
        for w in s {
            k += 1.0;
            *w = k * 0.25 - 3.0;
        }
    });
    let json = serde_json::to_string(&conv).unwrap();
    assert!(json.starts_with("{\"weight\":[[[["), "{json}");
    let back: Conv2d<f64, 2, 3, 2> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, conv);
}
