//! serde: round trips through postcard (fixed stack buffer, no allocation) and JSON, the
//! pinned JSON format, shape errors instead of panics, and optimizers that keep training.
#![cfg(feature = "serde")]

use serde::Serialize;
use serde::de::DeserializeOwned;
use typegrad::activation::{
    Elu, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Softmax, Softplus, Tanh,
};
use typegrad::init::{Init, Rng};
use typegrad::loss::{BinaryCrossEntropyWithLogits, Class, Huber, Mae, Mse, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::optim::{AdaGrad, Adam, Clip, Momentum, Optimizer, RmsProp, Schedule, Settings, Sgd};
use typegrad::train::Trainer;
use typegrad::{Batch, Matrix, Vector, seq};

type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
type Wide = seq![Dense<f32, 4, 9, Relu>, Dense<f32, 9, 3>];
type Leaky = seq![Dense<f32, 2, 4, LeakyRelu>, Dense<f32, 4, 1>];

/// Serializes into a stack buffer with postcard; returns the buffer and the used length.
fn to_postcard<V: Serialize>(value: &V) -> ([u8; 16384], usize) {
    let mut buf = [0u8; 16384];
    let len = postcard::to_slice(value, &mut buf).unwrap().len();
    (buf, len)
}

/// postcard round trip, also checking that every byte written is read back.
fn via_postcard<V: Serialize + DeserializeOwned>(value: &V) -> V {
    let (buf, len) = to_postcard(value);
    let (back, rest) = postcard::take_from_bytes::<V>(&buf[..len]).unwrap();
    assert!(rest.is_empty(), "{} bytes left over", rest.len());
    back
}

fn via_json<V: Serialize + DeserializeOwned>(value: &V) -> V {
    serde_json::from_str(&serde_json::to_string(value).unwrap()).unwrap()
}

fn json_err<V: DeserializeOwned + core::fmt::Debug>(json: &str) -> String {
    serde_json::from_str::<V>(json).unwrap_err().to_string()
}

/// Every parameter's bit pattern, in visiting order.
fn bits<P: Parameters<f32>>(p: &P) -> Vec<u32> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

fn net<P: Layer<f32> + Default>(seed: u64) -> P {
    let mut net = P::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    // Non-zero biases, so that they are checked too.
    let mut k = 0.0_f32;
    net.visit_mut(&mut |s| {
        if s.len() <= 8 {
            for b in s {
                k += 0.125;
                *b = k;
            }
        }
    });
    net
}

fn inputs() -> (Batch<f32, 4, 4>, [Class<3>; 4]) {
    let x = Batch::from_fn(|s, j| ((s * 4 + j) as f32 * 0.37).sin());
    let labels = [0, 2, 1, 2].map(|c| Class::new(c).unwrap());
    (x, labels)
}

// ---------------------------------------------------------------- tensors

#[test]
fn vector_round_trips_and_postcard_writes_just_the_elements() {
    let v = Vector::new([1.0_f32, -2.5, 3.0e-7]);
    let (buf, len) = to_postcard(&v);
    let expected: Vec<u8> = v.iter().flat_map(|x| x.to_le_bytes()).collect();
    assert_eq!(
        &buf[..len],
        &expected[..],
        "no length prefix, little-endian f32s"
    );
    assert_eq!(via_postcard(&v), v);
    assert_eq!(serde_json::to_string(&v).unwrap(), "[1.0,-2.5,3e-7]");
    assert_eq!(via_json(&v), v);

    // Longer than serde's 32-element array impls.
    let long = Vector::<f64, 100>::from_fn(|i| i as f64 / 7.0);
    assert_eq!(via_postcard(&long), long);
    assert_eq!(via_json(&long).as_array(), long.as_array());
    let empty = Vector::<f32, 0>::new([]);
    assert_eq!(serde_json::to_string(&empty).unwrap(), "[]");
    assert_eq!(via_json(&empty), empty);
    assert_eq!(via_postcard(&empty), empty);
}

#[test]
fn matrix_is_nested_rows_and_round_trips_including_40_by_30() {
    let m = Matrix::new([[1.0_f32, 2.0, 3.0], [4.0, 5.0, 6.0]]);
    assert_eq!(
        serde_json::to_string(&m).unwrap(),
        "[[1.0,2.0,3.0],[4.0,5.0,6.0]]"
    );
    assert_eq!(via_json(&m), m);
    assert_eq!(via_postcard(&m), m);

    let big = Matrix::<f32, 40, 30>::from_fn(|i, j| (i as f32 * 0.31 - j as f32 * 1.7).sin());
    let (buf, len) = to_postcard(&big);
    assert_eq!(len, 40 * 30 * 4);
    assert_eq!(&buf[..4], &big[(0, 0)].to_le_bytes());
    assert_eq!(&buf[4..8], &big[(0, 1)].to_le_bytes(), "row-major");
    let back: Matrix<f32, 40, 30> = postcard::from_bytes(&buf[..len]).unwrap();
    assert_eq!(back, big);
    let json = serde_json::to_string(&big).unwrap();
    let back: Matrix<f32, 40, 30> = serde_json::from_str(&json).unwrap();
    assert!(
        back.iter()
            .zip(big.iter())
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value.as_array().unwrap().len(), 40);
    assert_eq!(value[0].as_array().unwrap().len(), 30);
}

#[test]
fn batch_serializes_as_its_matrix() {
    let b = Batch::<f64, 2, 3>::from_fn(|s, j| (s * 10 + j) as f64);
    let json = serde_json::to_string(&b).unwrap();
    assert_eq!(json, "[[0.0,1.0,2.0],[10.0,11.0,12.0]]");
    assert_eq!(json, serde_json::to_string(b.as_matrix()).unwrap());
    assert_eq!(via_json(&b), b);
    assert_eq!(via_postcard(&b), b);
    let m: Matrix<f64, 2, 3> = serde_json::from_str(&json).unwrap();
    assert_eq!(&m, b.as_matrix());
}

#[test]
fn a_vector_of_the_wrong_length_is_an_error() {
    assert_eq!(
        json_err::<Vector<f32, 4>>("[1.0, 2.0, 3.0]"),
        "invalid length 3, expected a vector of 4 elements at line 1 column 15"
    );
    // Too long is an error too, not a silent truncation.
    assert_eq!(
        json_err::<Vector<f32, 3>>("[1.0, 2.0, 3.0, 4.0]"),
        "invalid length 4, expected a vector of 3 elements at line 1 column 20"
    );
    assert!(json_err::<Vector<f32, 3>>("[1.0, 2.0, 3.0, [], {}]").contains("invalid length 5"));
    assert!(json_err::<Vector<f32, 3>>("[]").contains("invalid length 0"));
    assert!(json_err::<Vector<f32, 3>>("3.0").contains("expected a vector of 3 elements"));
    assert!(json_err::<Vector<f32, 3>>("[1.0, \"x\", 3.0]").contains("expected f32"));
    // JSON integers are accepted for floats.
    assert_eq!(
        serde_json::from_str::<Vector<f32, 3>>("[1, 2, 3]").unwrap(),
        Vector::new([1.0, 2.0, 3.0])
    );

    // postcard: too few bytes is an error; the length is in the type, not in the data.
    let (buf, len) = to_postcard(&Vector::new([1.0_f32, 2.0, 3.0]));
    assert!(postcard::from_bytes::<Vector<f32, 4>>(&buf[..len]).is_err());
    assert!(postcard::from_bytes::<Vector<f32, 3>>(&buf[..len - 1]).is_err());
}

#[test]
fn a_ragged_or_misshapen_matrix_is_an_error() {
    type M = Matrix<f32, 2, 3>;
    assert_eq!(
        json_err::<M>("[[1,2,3],[4,5]]"),
        "invalid length 2, expected a row of 3 elements at line 1 column 14"
    );
    assert!(json_err::<M>("[[1,2,3],[4,5,6,7]]").contains("invalid length 4, expected a row of 3"));
    assert!(
        json_err::<M>("[[1,2,3],[4,5,6],[7,8,9]]")
            .contains("invalid length 3, expected a matrix of 2 rows")
    );
    assert!(json_err::<M>("[[1,2,3]]").contains("invalid length 1, expected a matrix of 2 rows"));
    assert!(json_err::<M>("[1,2,3,4,5,6]").contains("expected a row of 3 elements"));
    assert!(json_err::<M>("[[1,2,3],[4,5,6],[]]").contains("invalid length 3"));
    assert!(
        json_err::<Batch<f32, 2, 3>>("[[1,2,3],[4,5]]")
            .contains("invalid length 2, expected a sample of 3 features")
    );
    assert!(
        json_err::<Batch<f32, 2, 3>>("[[1,2,3]]")
            .contains("invalid length 1, expected a batch of 2 samples")
    );
    let (buf, len) = to_postcard(&Matrix::<f32, 2, 3>::zeros());
    assert!(postcard::from_bytes::<Matrix<f32, 3, 3>>(&buf[..len]).is_err());
}

// ---------------------------------------------------------------- networks

#[test]
fn a_network_round_trips_bit_for_bit_and_predicts_the_same() {
    let original: Net = net(7);
    let (buf, len) = to_postcard(&original);
    assert_eq!(len, Net::PARAMS * 4, "the parameters and nothing else");
    for back in [via_postcard(&original), via_json(&original)] {
        assert_eq!(bits(&back), bits(&original));
        for k in 0..5 {
            let x = Vector::from_fn(|j| (k * 4 + j) as f32 * 0.3 - 2.0);
            let (a, b) = (original.predict(&x), back.predict(&x));
            assert!(
                a.iter()
                    .zip(b.iter())
                    .all(|(a, b)| a.to_bits() == b.to_bits())
            );
        }
    }
    // The first layer's weights come first, row by row.
    assert_eq!(&buf[..4], &original.0.weights[(0, 0)].to_le_bytes());
}

#[test]
fn a_leaky_relu_network_keeps_its_slope() {
    let mut original = Leaky::default();
    original.0.activation = LeakyRelu::new(0.2);
    original.init(&mut Rng::new(3), Init::XavierUniform);
    let json = serde_json::to_string(&original).unwrap();
    assert!(json.contains("\"activation\":{\"slope\":0.2}"), "{json}");
    for back in [via_postcard(&original), via_json(&original)] {
        assert_eq!(back.0.activation, LeakyRelu::new(0.2));
        assert_eq!(bits(&back), bits(&original));
        let x = Vector::new([-3.0_f32, 0.5]);
        assert_eq!(back.predict(&x), original.predict(&x));
    }
}

#[test]
fn the_json_of_a_tiny_dense_layer_is_pinned() {
    let layer =
        Dense::<f32, 2, 1, Relu>::new(Matrix::new([[0.5, -1.0]]), Vector::new([0.25]), Relu);
    let json = serde_json::to_string(&layer).unwrap();
    assert_eq!(
        json,
        r#"{"weights":[[0.5,-1.0]],"bias":[0.25],"activation":null}"#
    );
    assert_eq!(
        serde_json::from_str::<Dense<f32, 2, 1, Relu>>(&json).unwrap(),
        layer
    );

    let leaky = Dense::<f64, 1, 2, LeakyRelu>::new(
        Matrix::new([[1.0], [2.0]]),
        Vector::new([0.0, -0.5]),
        LeakyRelu::new(0.01),
    );
    assert_eq!(
        serde_json::to_string(&leaky).unwrap(),
        r#"{"weights":[[1.0],[2.0]],"bias":[0.0,-0.5],"activation":{"slope":0.01}}"#
    );
    // A chain is a two-element array: [first, rest].
    let chain: seq![Dense<f32, 1, 1>, Dense<f32, 1, 1, Tanh>] = Default::default();
    assert_eq!(
        serde_json::to_string(&chain).unwrap(),
        r#"[{"weights":[[0.0]],"bias":[0.0],"activation":null},{"weights":[[0.0]],"bias":[0.0],"activation":null}]"#
    );
}

#[test]
fn a_network_json_whose_layer_has_the_wrong_size_is_an_error() {
    let json = serde_json::to_string(&net::<Net>(1)).unwrap();
    // 8 hidden units where 9 are expected.
    let err = json_err::<Wide>(&json);
    assert!(
        err.contains("invalid length 8, expected a matrix of 9 rows"),
        "{err}"
    );
    // The other way round: 9 where 8 are expected.
    let err = json_err::<Net>(&serde_json::to_string(&net::<Wide>(1)).unwrap());
    assert!(
        err.contains("invalid length 9, expected a matrix of 8 rows"),
        "{err}"
    );
    // One bias too many in the last layer.
    let mut value: serde_json::Value = serde_json::from_str(&json).unwrap();
    value[1]["bias"].as_array_mut().unwrap().push(1.0.into());
    let err = json_err::<Net>(&value.to_string());
    assert!(
        err.contains("invalid length 4, expected a vector of 3 elements"),
        "{err}"
    );
    // A missing layer.
    let err = json_err::<Net>(&value[0].to_string());
    assert!(err.contains("expected tuple struct Chain"), "{err}");
    // postcard: the bytes of a smaller network are too few.
    let (buf, len) = to_postcard(&net::<Net>(1));
    assert!(postcard::from_bytes::<Wide>(&buf[..len]).is_err());
}

// ---------------------------------------------------------------- optimizers

/// Trains `steps` steps from a fresh network, then checks that a copy of the network and
/// optimizer restored from `round_trip` keeps training bit for bit like the original.
fn keeps_training<O>(opt: O, round_trip: impl Fn(&O) -> O)
where
    O: Optimizer<f32, Net> + PartialEq + core::fmt::Debug,
{
    let (x, labels) = inputs();
    let mut network: Net = net(11);
    let mut trainer = Trainer::<_, _, _, _, 4>::new(&network, opt, SoftmaxCrossEntropy);
    for _ in 0..3 {
        trainer.step(&mut network, &x, &labels).unwrap();
    }
    let grads = *trainer.gradient();
    let mut opt = trainer.into_optimizer();
    assert_eq!(opt.steps(), 3);
    let mut restored_opt = round_trip(&opt);
    assert_eq!(restored_opt, opt);
    assert_eq!(restored_opt.steps(), 3);
    let mut restored_net = via_postcard(&network);

    // The same gradient step on both.
    opt.step(&mut network, &grads).unwrap();
    restored_opt.step(&mut restored_net, &grads).unwrap();
    assert_eq!(bits(&restored_net), bits(&network));
    // And more training.
    let mut a = Trainer::<_, _, _, _, 4>::new(&network, opt, SoftmaxCrossEntropy);
    let mut b = Trainer::<_, _, _, _, 4>::new(&restored_net, restored_opt, SoftmaxCrossEntropy);
    for _ in 0..3 {
        let la = a.step(&mut network, &x, &labels);
        let lb = b.step(&mut restored_net, &x, &labels);
        assert_eq!(la.unwrap().to_bits(), lb.unwrap().to_bits());
    }
    let (opt, restored_opt) = (a.into_optimizer(), b.into_optimizer());
    assert_eq!(bits(&restored_net), bits(&network));
    assert_eq!(restored_opt, opt);
    assert_eq!(restored_opt.steps(), 7);
}

#[test]
fn adam_state_round_trips_and_training_continues_bit_for_bit() {
    let network: Net = net(11);
    let settings = Settings::new(0.01).with_clip(Clip::Norm(5.0));
    keeps_training(Adam::new(&network, settings), via_postcard);
    keeps_training(Adam::new(&network, settings), via_json);
    keeps_training(Adam::adamw(&network, settings, 0.01), via_postcard);

    // The postcard form: settings (schedule tag + η, λ, clip tag + c), β₁, β₂, ε, λ_w, then m and
    // v (each the network's parameters, nothing else) and the step count (a 1-byte varint).
    let (_, len) = to_postcard(&Adam::new(&network, settings));
    assert_eq!(len, (1 + 8) + 8 + (1 + 8) + 4 * 8 + 2 * Net::PARAMS * 4 + 1);
}

#[test]
fn momentum_and_the_other_optimizers_round_trip_and_continue() {
    let network: Net = net(11);
    let settings = Settings::new(0.05)
        .with_weight_decay(1e-4)
        .with_schedule(Schedule::Step {
            initial: 0.05,
            factor: 0.5,
            every: 2,
        });
    keeps_training(Momentum::new(&network, settings, 0.9), via_postcard);
    keeps_training(Momentum::nesterov(&network, settings, 0.9), via_json);
    keeps_training(RmsProp::new(&network, settings), via_postcard);
    keeps_training(
        AdaGrad::new(&network, settings.with_clip(Clip::Value(0.5))),
        via_json,
    );
    keeps_training(Sgd::new(settings), via_postcard);
    keeps_training(Sgd::new(settings), via_json);
}

#[test]
fn settings_schedules_clipping_and_init_round_trip() {
    let settings = Settings::new(0.1)
        .with_schedule(Schedule::Cosine {
            initial: 0.1,
            min: 0.001,
            steps: 1000,
        })
        .with_clip(Clip::Value(2.5));
    assert_eq!(
        serde_json::to_string(&settings).unwrap(),
        r#"{"learning_rate":{"Cosine":{"initial":0.1,"min":0.001,"steps":1000}},"weight_decay":0.0,"clip":{"Value":2.5}}"#
    );
    assert_eq!(via_json(&settings), settings);
    assert_eq!(via_postcard(&settings), settings);
    for schedule in [
        Schedule::Constant(0.3),
        Schedule::Exponential {
            initial: 1.0,
            decay: 0.99,
        },
        Schedule::Step {
            initial: 1.0,
            factor: 0.1,
            every: 30,
        },
    ] {
        assert_eq!(via_json(&schedule), schedule);
        assert_eq!(via_postcard(&schedule), schedule);
    }
    for clip in [Clip::None, Clip::Value(1.0), Clip::Norm(3.0)] {
        assert_eq!(via_json(&clip), clip);
        assert_eq!(via_postcard(&clip), clip);
    }
    assert_eq!(serde_json::to_string(&Clip::None).unwrap(), r#""None""#);
    for init in [
        Init::XavierUniform,
        Init::XavierNormal,
        Init::HeUniform,
        Init::HeNormal,
        Init::Uniform(0.5),
        Init::Normal(0.02),
    ] {
        assert_eq!(via_json(&init), init);
        assert_eq!(via_postcard(&init), init);
    }
    assert_eq!(
        serde_json::to_string(&Init::HeUniform).unwrap(),
        r#""HeUniform""#
    );
    assert!(json_err::<Init>(r#""LeCun""#).contains("unknown variant"));
}

// ---------------------------------------------------------------- labels, rng, the rest

#[test]
fn class_round_trips_as_its_label_and_refuses_out_of_range() {
    let c = Class::<10>::new(7).unwrap();
    assert_eq!(serde_json::to_string(&c).unwrap(), "7");
    assert_eq!(via_json(&c), c);
    assert_eq!(via_postcard(&c), c);
    assert_eq!(
        json_err::<Class<10>>("12"),
        "class label 12 is out of range for 10 classes"
    );
    assert!(json_err::<Class<10>>("-1").contains("invalid value"));
    let (buf, len) = to_postcard(&12_usize);
    assert!(postcard::from_bytes::<Class<10>>(&buf[..len]).is_err());
    let labels: [Class<10>; 3] = serde_json::from_str("[0, 9, 3]").unwrap();
    assert_eq!(labels.map(Class::index), [0, 9, 3]);
    assert!(serde_json::from_str::<[Class<10>; 3]>("[0, 10, 3]").is_err());
}

#[test]
fn rng_continues_the_same_sequence() {
    let mut rng = Rng::new(42);
    for _ in 0..5 {
        rng.next_u64();
    }
    for mut back in [via_postcard(&rng), via_json(&rng)] {
        assert_eq!(back, rng);
        let mut original = rng;
        for _ in 0..100 {
            assert_eq!(back.next_u64(), original.next_u64());
        }
    }
    // Initializing from a restored generator gives the same weights.
    let (mut a, mut b) = (rng, via_json(&rng));
    let (mut na, mut nb) = (Net::default(), Net::default());
    na.init(&mut a, Init::HeNormal);
    nb.init(&mut b, Init::HeNormal);
    assert_eq!(bits(&na), bits(&nb));
}

#[test]
fn activations_and_losses_round_trip() {
    fn both<V: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(v: V) {
        assert_eq!(via_json(&v), v);
        assert_eq!(via_postcard(&v), v);
    }
    both(Identity);
    both(Relu);
    both(LeakyRelu::new(0.3));
    both(Elu::new(1.5));
    both(Gelu);
    both(Sigmoid);
    both(Softmax);
    both(Softplus);
    both(Tanh);
    both(Mse);
    both(Mae);
    both(Huber::new(0.5));
    both(BinaryCrossEntropyWithLogits);
    both(SoftmaxCrossEntropy);
    assert_eq!(
        serde_json::to_string(&Huber::new(0.5)).unwrap(),
        r#"{"delta":0.5}"#
    );
    assert_eq!(
        serde_json::to_string(&Elu::new(1.0)).unwrap(),
        r#"{"alpha":1.0}"#
    );
}
