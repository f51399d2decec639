//! Layers that take their size from the layer before them (standalone activations, flatten)
//! and ports beyond flat vectors (`Signal<C, L>`): values, batch = per sample, and gradients
//! by finite differences.

use approx::assert_relative_eq;
mod common;

use common::check;
use typegrad::activation::{
    Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Softplus, Tanh,
};
use typegrad::init::{Init, Rng};
use typegrad::nn::{ActivationLayer, Dense, Flatten, Layer, Parameters, Shape};
use typegrad::shape::Kernel;
use typegrad::shape::{Port, Signal, Size};
use typegrad::{Batch, Vector, seq};

fn dense<const I: usize, const O: usize>(seed: u64) -> Dense<f64, I, O> {
    let mut layer = Dense::default();
    layer.init(&mut Rng::new(seed), Init::XavierUniform);
    layer.bias = Vector::from_fn(|i| 0.1 * i as f64 - 0.2);
    layer
}

#[test]
fn every_activation_is_a_layer_of_its_own() {
    fn at<A: Default>() -> ActivationLayer<A, Size<5>> {
        ActivationLayer::new(A::default())
    }
    check::<_, 3>(&at::<Relu>(), 1);
    check::<_, 3>(&ActivationLayer::<_, Size<5>>::new(LeakyRelu::new(0.1)), 2);
    check::<_, 3>(&at::<Sigmoid>(), 3);
    check::<_, 3>(&at::<Tanh>(), 4);
    check::<_, 3>(&at::<Elu>(), 5);
    check::<_, 3>(&at::<Gelu>(), 6);
    check::<_, 3>(&at::<Softplus>(), 7);
    check::<_, 3>(&at::<Identity>(), 8);
    check::<_, 3>(&at::<Softmax>(), 9);
}

#[test]
fn a_standalone_activation_equals_the_fused_one() {
    type Fused = seq![Dense<f64, 4, 8, Relu>, Dense<f64, 8, 3>];
    type Apart = seq![Dense<f64, 4, 8>, Relu, Dense<f64, 8, 3>];
    // The activation takes the size of the layer before it.
    let _: fn(Apart) -> ActivationLayer<Relu, Size<8>> = |net| net.1.0;
    let mut fused = Fused::default();
    fused.init(&mut Rng::new(11), Init::HeUniform);
    let mut apart = Apart::default();
    apart.0.weights = fused.0.weights;
    apart.0.bias = fused.0.bias;
    apart.1.1 = fused.1;
    assert_eq!(
        <Apart as Parameters<f64>>::PARAMS,
        <Fused as Parameters<f64>>::PARAMS
    );
    assert_eq!(<Apart as Parameters<f64>>::LAYERS, 3);
    let x = Batch::<f64, 4, 4>::from_fn(|s, i| (s as f64 - 1.5) * 0.7 + i as f64 * 0.3);
    assert_eq!(apart.forward(&x), fused.forward(&x));
    check::<_, 4>(&apart, 12);
    // A network written with `network!` and a standalone activation.
    typegrad::network! {
        type Checked = [Dense<f64, 4, 8>, Tanh, Dense<f64, 8, 3>, Softmax];
    }
    let mut net = Checked::default();
    net.init(&mut Rng::new(13), Init::XavierUniform);
    let p = net.predict(&Vector::new([0.1, 0.2, -0.3, 0.4]));
    assert_relative_eq!(p.as_slice().iter().sum::<f64>(), 1.0, epsilon = 1e-12);
    check::<_, 2>(&net, 14);
}

#[test]
fn flatten_turns_channels_and_steps_into_features() {
    // 2 channels × 3 steps, flattened channel after channel, into a dense layer of 6 inputs.
    type Net = seq![ActivationLayer<Tanh, Signal<2, 3>>, Flatten, Dense<f64, 6, 2>];
    let _: fn(Net) -> Flatten<Signal<2, 3>> = |net| net.1.0;
    assert_eq!(<Flatten<Signal<2, 3>> as Shape>::OUTPUTS, 6);
    let mut net = Net::default();
    net.1.1 = dense::<6, 2>(15);
    let x = typegrad::Matrix::new([[0.1, 0.2, 0.3], [-0.4, -0.5, 0.6]]);
    let flat = Vector::new([0.1, 0.2, 0.3, -0.4, -0.5, 0.6]).map(f64::tanh);
    assert_eq!(net.predict(&x), net.1.1.predict(&flat));
    check::<_, 3>(&net, 16);
    check::<_, 2>(&Flatten::<Signal<4, 5>>::default(), 17);
    check::<_, 2>(&ActivationLayer::<Gelu, Signal<3, 4>>::new(Gelu), 18);
    check::<_, 2>(&Flatten::<Size<5>>::default(), 19);
}

#[test]
fn signal_ports_store_channel_after_channel() {
    assert_eq!(<Signal<6, 100> as Port>::N, 600);
    assert_eq!(<Signal<6, 100> as Port>::DIMS, [6, 100, 1]);
    let b = <Signal<2, 3> as Port>::batch::<f32, 2, _>(|s, i| (10 * s + i) as f32);
    assert_eq!(b[(1, 1, 2)], 15.0);
    assert_eq!(
        b.sample(1).as_slice(),
        &[10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    );
}

typegrad::network! {
    /// 64 flat pixels reshaped into an 8 × 8 image for a convolution.
    type Reshaped = [
        typegrad::nn::Input<Size<64>>,
        typegrad::nn::Reshape<typegrad::shape::Image<1, 8, 8>>,
        typegrad::nn::Conv2d<f64, 1, 2, Kernel<3>>,
        Relu,
        Flatten,
        Dense<f64, 72, 3>,
    ];
}

#[test]
fn reshape_rearranges_flat_features_into_an_image() {
    let mut net = Reshaped::default();
    net.init(&mut Rng::new(8), Init::XavierUniform);
    check::<Reshaped, 2>(&net, 9);
    // The reshape itself keeps the values in order.
    let r = <typegrad::nn::Reshape<Signal<2, 3>> as typegrad::nn::Place<Size<6>>>::Layer::default();
    let x = Vector::<f64, 6>::from_fn(|i| i as f64);
    let y = Layer::<f64>::predict(&r, &x);
    assert_eq!(y.as_slice(), x.as_slice());
    assert_eq!(y.as_rows()[1], [3.0, 4.0, 5.0]);
}
