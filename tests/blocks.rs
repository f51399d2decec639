//! Skip connections (`Residual`) and `Dropout`: values, gradients by finite differences,
//! batch = per sample, reproducible masks.

mod common;

use approx::assert_relative_eq;
use common::check;
use typegrad::activation::{Relu, Tanh};
use typegrad::init::{Init, Rng};
use typegrad::nn::{
    Conv1d, Dense, Dropout, GlobalAvgPool1d, Grads, Input, Layer, Parameters, Place, Residual,
    Shape,
};
use typegrad::shape::{BatchOf, Port, Signal, Size};
use typegrad::{Batch, Vector, block};

type Skip = <Residual<Dense<f64, 5, 5, Tanh>> as Place<Size<5>>>::Layer;

fn skip(seed: u64) -> Skip {
    let mut r = Skip::default();
    r.init(&mut Rng::new(seed), Init::XavierUniform);
    r
}

#[test]
fn a_residual_block_adds_its_input() {
    let r = skip(1);
    let x = Vector::from_fn(|i| i as f64 * 0.3 - 0.5);
    let fx = r.0.predict(&x);
    let y = r.predict(&x);
    for i in 0..5 {
        assert_relative_eq!(y[i], x[i] + fx[i], max_relative = 1e-15);
    }
    check::<Skip, 3>(&r, 2);
}

typegrad::network! {
    /// Conv, then a residual block of two padded convolutions (16 channels kept), then the head.
    type ResCnn = [
        Input<Signal<2, 12>>,
        Conv1d<f64, 2, 4, 3, 1, 1>,
        Relu,
        Residual<block![Conv1d<f64, 4, 4, 3, 1, 1>, Relu, Conv1d<f64, 4, 4, 3, 1, 1>]>,
        Relu,
        GlobalAvgPool1d,
        Dense<f64, 4, 3>,
    ];
}

#[test]
fn a_residual_convolution_block_passes_gradient_checks() {
    let mut net = ResCnn::default();
    net.init(&mut Rng::new(3), Init::HeUniform);
    check::<ResCnn, 2>(&net, 4);
    // The block's tensors are numbered as its layers: conv 0, relu 1, [conv 2, relu 3, conv 4].
    let layers: Vec<(usize, &str)> = (0..<ResCnn as Parameters<f64>>::TENSORS)
        .map(|k| {
            let s = <ResCnn as Parameters<f64>>::param_spec(k).unwrap();
            (s.layer, s.name)
        })
        .collect();
    assert_eq!(
        layers,
        [
            (0, "weight"),
            (0, "bias"),
            (2, "weight"),
            (2, "bias"),
            (4, "weight"),
            (4, "bias"),
            (7, "weight"),
            (7, "bias")
        ]
    );
}

type Drop = <Dropout<30> as Place<Size<1000>>>::Layer;

#[test]
fn dropout_is_the_identity_in_inference() {
    let d = Drop::default();
    let x = Vector::from_fn(|i| i as f32);
    assert_eq!(Layer::<f32>::predict(&d, &x), x);
    let xb: Batch<f32, 2, 1000> = Batch::from_fn(|s, i| (s * 1000 + i) as f32);
    assert_eq!(Layer::<f32>::forward(&d, &xb), xb);
    assert_eq!(Drop::RATE, 0.3);
}

#[test]
fn dropout_drops_its_rate_and_scales_the_rest() {
    let d = Drop::with_seed(11);
    let x: Batch<f64, 4, 1000> = Batch::from_fn(|s, i| 1.0 + (s + i) as f64 * 1e-3);
    let mut cache = Layer::<f64>::new_cache::<4>(&d);
    d.forward_train(&x, &mut cache);
    let y = &Drop::output(&cache).clone();
    let dropped = y.as_slice().iter().filter(|&&v| v == 0.0).count();
    // 4000 Bernoulli(0.3) draws: 1200 expected, standard deviation 29.
    assert!((1100..1300).contains(&dropped), "{dropped} of 4000 dropped");
    for (a, b) in y.as_slice().iter().zip(x.as_slice()) {
        assert!(*a == 0.0 || (*a - b / 0.7).abs() < 1e-12);
    }
    // The gradient goes through the same mask with the same scale.
    let dy: Batch<f64, 4, 1000> = Batch::from_fn(|s, i| (s as f64) - (i as f64) * 0.01);
    let mut dx = Batch::zeros();
    d.backward(
        &x,
        &mut cache,
        &dy,
        &mut Drop::default(),
        Grads::Overwrite,
        &mut dx,
    );
    for ((g, &v), (&u, &dyv)) in dx
        .as_slice()
        .iter()
        .zip(y.as_slice())
        .zip(x.as_slice().iter().zip(dy.as_slice()))
    {
        let want = if v == 0.0 { 0.0 } else { dyv / 0.7 };
        assert!((g - want).abs() < 1e-12, "{g} {want} {u}");
    }
    // Reproducible: the same seed draws the same masks; another seed others.
    let again = {
        let mut c = Layer::<f64>::new_cache::<4>(&d);
        d.forward_train(&x, &mut c);
        *Drop::output(&c)
    };
    assert_eq!(&again, y);
    let other = {
        let e = Drop::with_seed(12);
        let mut c = Layer::<f64>::new_cache::<4>(&e);
        e.forward_train(&x, &mut c);
        *Drop::output(&c)
    };
    assert_ne!(&other, y);
}

typegrad::network! {
    type WithDropout = [Dense<f32, 4, 16, Relu>, Dropout<50>, Dense<f32, 16, 3>];
}

#[test]
fn dropout_sits_in_a_network_and_trains() {
    use typegrad::loss::{Class, SoftmaxCrossEntropy};
    use typegrad::optim::{Adam, Settings};
    use typegrad::train::Trainer;
    let mut net = WithDropout::default();
    net.init(&mut Rng::new(5), Init::HeUniform);
    assert_eq!(<WithDropout as Shape>::OUTPUTS, 3);
    let mut rng = Rng::new(6);
    let x: Batch<f32, 8, 4> = Batch::from_fn(|_, _| rng.uniform(-1.0, 1.0));
    let y: [Class<3>; 8] = core::array::from_fn(|s| Class::new(s % 3).unwrap());
    let mut trainer = Trainer::new(
        &net,
        Adam::new(&net, Settings::new(0.01)),
        SoftmaxCrossEntropy,
    );
    let first = trainer.step(&mut net, &x, &y).unwrap();
    let mut last = first;
    for _ in 0..200 {
        last = trainer.step(&mut net, &x, &y).unwrap();
    }
    assert!(last < 0.5 * first, "{first} -> {last}");
    // Inference ignores the dropout layer: two predictions agree.
    let p = BatchOf::<f32, 8, Size<4>>::from_fn(|s, i| x.as_slice()[s * 4 + i]);
    assert_eq!(net.forward(&p), net.forward(&p));
    let _ = <Size<4> as Port>::N;
}
