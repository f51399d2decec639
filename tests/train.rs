//! Training loops: the three modes converge, runs are reproducible, failures are typed errors.

use approx::assert_relative_eq;
use typegrad::activation::{Identity, Relu, Tanh};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, Mse, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::optim::{Adam, Settings, Sgd};
use typegrad::train::{EpochReport, EvalError, FitConfig, evaluate, fit, train_step};
use typegrad::{Batch, Matrix, TrainError, Vector, seq};

/// 8 points on y = 2x − 1.
fn line() -> (Vec<Vector<f64, 1>>, Vec<Vector<f64, 1>>) {
    let xs: Vec<_> = (0..8)
        .map(|i| Vector::new([i as f64 / 4.0 - 1.0]))
        .collect();
    let ys = xs.iter().map(|x| Vector::new([2.0 * x[0] - 1.0])).collect();
    (xs, ys)
}

fn fit_line<const B: usize>(epochs: usize, lr: f64) -> Dense<f64, 1, 1> {
    let (xs, ys) = line();
    let mut net = Dense::<f64, 1, 1>::default();
    let mut opt = Sgd::new(Settings::new(lr));
    let mut order = vec![0; xs.len()];
    let config = FitConfig::<B> {
        epochs,
        shuffle: true,
        seed: 1,
        divergence: None,
    };
    fit(
        &mut net,
        &mut opt,
        &Mse,
        &xs,
        &ys,
        &mut order,
        config,
        |_, _| {},
    )
    .unwrap();
    net
}

#[test]
fn full_batch_single_sample_and_mini_batch_all_find_the_line() {
    for net in [
        fit_line::<8>(2000, 0.2),
        fit_line::<1>(300, 0.05),
        fit_line::<4>(600, 0.1),
    ] {
        assert_relative_eq!(net.weights[(0, 0)], 2.0, max_relative = 1e-6);
        assert_relative_eq!(net.bias[0], -1.0, max_relative = 1e-6);
    }
}

#[test]
fn one_full_batch_step_matches_the_gradient_by_hand() {
    // w = 0, b = 0: prediction 0; MSE gradient ∂L/∂ŷ = 2(ŷ − y)/B per sample.
    // ∂L/∂w = mean(2·(0 − y)·x), ∂L/∂b = mean(2·(0 − y)).
    let (xs, ys) = line();
    let mut net = Dense::<f64, 1, 1>::default();
    let mut grads = net;
    let x = Batch::<f64, 8, 1>::from_samples(core::array::from_fn(|s| xs[s]));
    let t: [Vector<f64, 1>; 8] = core::array::from_fn(|s| ys[s]);
    let gw: f64 = xs
        .iter()
        .zip(&ys)
        .map(|(x, y)| -2.0 * y[0] * x[0])
        .sum::<f64>()
        / 8.0;
    let gb: f64 = ys.iter().map(|y| -2.0 * y[0]).sum::<f64>() / 8.0;
    let loss: f64 = ys.iter().map(|y| y[0] * y[0]).sum::<f64>() / 8.0;
    let value = train_step(
        &mut net,
        &mut grads,
        &mut Sgd::new(Settings::new(0.5)),
        &Mse,
        &x,
        &t,
    )
    .unwrap();
    assert_relative_eq!(value, loss, max_relative = 1e-12);
    assert_relative_eq!(grads.weights[(0, 0)], gw, max_relative = 1e-12);
    assert_relative_eq!(grads.bias[0], gb, max_relative = 1e-12);
    assert_relative_eq!(net.weights[(0, 0)], -0.5 * gw, max_relative = 1e-12);
}

type Classifier = seq![Dense<f32, 2, 8, Tanh>, Dense<f32, 8, 3>];

/// Three well-separated blobs in the plane.
fn blobs() -> (Vec<Vector<f32, 2>>, Vec<Class<3>>) {
    let mut rng = Rng::new(4);
    let centers = [[-2.0, 0.0], [2.0, 0.0], [0.0, 2.5]];
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for i in 0..60 {
        let c = i % 3;
        xs.push(Vector::new([
            centers[c][0] + rng.uniform(-0.8, 0.8),
            centers[c][1] + rng.uniform(-0.8, 0.8),
        ]));
        ys.push(Class::new(c).unwrap());
    }
    (xs, ys)
}

fn train_classifier(seed: u64) -> (Classifier, Vec<EpochReport<f32>>) {
    let (xs, ys) = blobs();
    let mut net = Classifier::default();
    net.init(&mut Rng::new(seed), Init::XavierUniform);
    let mut opt = Adam::new(&net, Settings::new(0.02));
    let mut order = vec![0; xs.len()];
    let mut reports = Vec::new();
    let config = FitConfig::<10> {
        epochs: 30,
        shuffle: true,
        seed,
        divergence: None,
    };
    fit(
        &mut net,
        &mut opt,
        &SoftmaxCrossEntropy,
        &xs,
        &ys,
        &mut order,
        config,
        |r, _| reports.push(*r),
    )
    .unwrap();
    (net, reports)
}

#[test]
fn classification_reports_loss_and_accuracy_per_epoch() {
    let (net, reports) = train_classifier(3);
    assert_eq!(reports.len(), 30);
    assert_eq!(reports[29].steps, 30 * 6);
    assert!(reports[29].loss < reports[0].loss / 4.0, "{reports:?}");
    assert_eq!(reports[29].accuracy, Some(1.0));
    let (xs, ys) = blobs();
    let eval = evaluate(&net, &SoftmaxCrossEntropy, &xs, &ys).unwrap();
    let (loss, accuracy) = (eval.loss, eval.accuracy);
    assert!(loss < 0.1, "loss {loss}");
    assert_eq!(accuracy, Some(1.0));
}

#[test]
fn the_same_seed_gives_a_bit_identical_training_run() {
    let bits = |net: &Classifier| {
        let mut v = Vec::new();
        net.visit(&mut |s| v.extend(s.iter().map(|x| x.to_bits())));
        v
    };
    let (a, ra) = train_classifier(9);
    let (b, rb) = train_classifier(9);
    let (c, _) = train_classifier(10);
    assert_eq!(bits(&a), bits(&b));
    assert_eq!(ra, rb);
    assert_ne!(bits(&a), bits(&c));
}

#[test]
fn divergence_stops_with_the_step_and_finite_parameters() {
    // A learning rate far too large for inputs of size 100 makes the loss explode.
    let xs: Vec<_> = (0..4).map(|i| Vector::new([100.0 * i as f32])).collect();
    let ys: Vec<_> = xs.iter().map(|x| Vector::new([x[0]])).collect();
    let mut net =
        Dense::<f32, 1, 1, Identity>::new(Matrix::new([[0.1]]), Vector::zeros(), Identity);
    let mut order = [0; 4];
    let config = FitConfig::<4> {
        epochs: 100,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut opt = Sgd::new(Settings::new(10.0));
    let err = fit(
        &mut net,
        &mut opt,
        &Mse,
        &xs,
        &ys,
        &mut order,
        config,
        |_, _| {},
    )
    .unwrap_err();
    let step = match err {
        TrainError::NonFiniteLoss { step } | TrainError::NonFiniteGradient { step } => step,
        other => panic!("unexpected {other:?}"),
    };
    assert!(step > 1 && step < 100, "step {step}");
    // The failing step changed nothing: the parameters are still finite numbers.
    assert!(net.weights.is_finite() && net.bias.is_finite());
    assert!(err.to_string().contains(&format!("step {step}")), "{err}");
}

#[test]
fn bad_lengths_and_too_few_samples_are_errors() {
    let (xs, ys) = line();
    let mut net = Dense::<f64, 1, 1>::default();
    let mut opt = Sgd::new(Settings::new(0.1));
    let config = FitConfig::<2> {
        epochs: 1,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut short = vec![0; 3];
    assert_eq!(
        fit(
            &mut net,
            &mut opt,
            &Mse,
            &xs,
            &ys,
            &mut short,
            config,
            |_, _| {}
        ),
        Err(TrainError::Lengths {
            inputs: 8,
            targets: 8,
            order: 3
        })
    );
    let mut order = vec![0; 8];
    let config = FitConfig::<16> {
        epochs: 1,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    assert_eq!(
        fit(
            &mut net,
            &mut opt,
            &Mse,
            &xs,
            &ys,
            &mut order,
            config,
            |_, _| {}
        ),
        Err(TrainError::TooFewSamples {
            samples: 8,
            batch: 16
        })
    );
    assert_eq!(
        evaluate(&net, &Mse, &xs[..2], &ys),
        Err(EvalError::Lengths {
            inputs: 2,
            targets: ys.len()
        })
    );
    assert_eq!(
        evaluate(&net, &Mse, &xs[..0], &ys[..0]),
        Err(EvalError::Empty)
    );
}

/// Binary classification with one logit: `Class<2>` labels from a data set, BCE on logits,
/// and accuracy reported by `fit` and `evaluate` as for softmax classes.
#[test]
fn binary_classification_reports_accuracy() {
    use typegrad::data::Dataset;
    use typegrad::loss::BinaryCrossEntropyWithLogits;
    let mut rng = Rng::new(8);
    let mut csv = String::from("x,y,label\n");
    for i in 0..80 {
        let c = i % 2;
        let (cx, cy) = if c == 0 { (-1.5, 0.5) } else { (1.5, -0.5) };
        let (x, y) = (cx + rng.uniform(-1.0, 1.0), cy + rng.uniform(-1.0, 1.0));
        csv.push_str(&format!("{x},{y},{c}\n"));
    }
    let data = Dataset::<f32, 2>::parse_csv(&csv).unwrap();
    let labels = data.class_labels::<2>().unwrap();
    typegrad::network! {
        type Binary = [Dense<f32, 2, 8, Relu>, Dense<f32, 8, 1>];
    }
    let mut net = Binary::default();
    net.init(&mut Rng::new(2), Init::HeUniform);
    let mut adam = Adam::new(&net, Settings::new(0.05));
    let mut order = vec![0; data.len()];
    let config = FitConfig::<8> {
        epochs: 20,
        shuffle: true,
        seed: 3,
        divergence: None,
    };
    let mut accuracies = Vec::new();
    let loss = BinaryCrossEntropyWithLogits;
    fit(
        &mut net,
        &mut adam,
        &loss,
        &data.features,
        &labels,
        &mut order,
        config,
        |r, _| accuracies.push(r.accuracy),
    )
    .unwrap();
    assert!(accuracies.iter().all(Option::is_some), "{accuracies:?}");
    assert!(accuracies[19].unwrap() >= 0.95, "{accuracies:?}");
    let eval = evaluate(&net, &loss, &data.features, &labels).unwrap();
    let correct = data
        .features
        .iter()
        .zip(&labels)
        .filter(|(x, c)| (net.predict(x)[0] > 0.0) == (c.index() == 1))
        .count();
    assert_eq!(eval.accuracy, Some(correct as f64 / 80.0));
    assert!(eval.accuracy.unwrap() >= 0.95);
}

/// The epoch callback can stop training, and the report carries the gradient norm.
#[test]
fn the_callback_stops_training_and_sees_the_gradient_norm() {
    use typegrad::train::Control;
    let (xs, ys) = blobs();
    let mut net = Classifier::default();
    net.init(&mut Rng::new(6), Init::XavierUniform);
    // The gradient of the first full-batch step, computed by hand.
    let mut copy = net;
    let mut grads = net.zeros_like();
    let x = Batch::<f32, 60, 2>::from_samples(core::array::from_fn(|s| xs[s]));
    let t: [Class<3>; 60] = core::array::from_fn(|s| ys[s]);
    let mut sgd = Sgd::new(Settings::new(0.1));
    train_step(
        &mut copy,
        &mut grads,
        &mut sgd,
        &SoftmaxCrossEntropy,
        &x,
        &t,
    )
    .unwrap();
    let mut sum_sq = 0.0f32;
    grads.visit(&mut |g| sum_sq += g.iter().map(|v| v * v).sum::<f32>());
    let mut order = vec![0; 60];
    let config = FitConfig::<60> {
        epochs: 50,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut reports = Vec::new();
    let mut sgd = Sgd::new(Settings::new(0.1));
    fit(
        &mut net,
        &mut sgd,
        &SoftmaxCrossEntropy,
        &xs,
        &ys,
        &mut order,
        config,
        |r, _| {
            reports.push(*r);
            if r.epoch == 7 {
                Control::Stop
            } else {
                Control::Continue
            }
        },
    )
    .unwrap();
    assert_eq!(reports.len(), 7, "stopped after epoch 7");
    assert_eq!(sgd.steps(), 7);
    let first = reports[0].gradient_norm;
    // One step per epoch: mean and max are that step's norm.
    assert_eq!(first.mean, first.max);
    assert_relative_eq!(first.max, sum_sq.sqrt() as f64, max_relative = 1e-5);
    assert!(reports.iter().all(|r| r.gradient_norm.max > 0.0));
}

/// Early stopping on a validation set, with the best network restored, inside `fit`.
#[test]
fn early_stopping_restores_the_best_network() {
    use typegrad::train::EarlyStopping;
    let (xs, ys) = blobs();
    let (train_x, val_x) = xs.split_at(40);
    let (train_y, val_y) = ys.split_at(40);
    let mut net = Classifier::default();
    net.init(&mut Rng::new(11), Init::XavierUniform);
    // A learning rate that overshoots: the validation loss soon stops improving.
    let mut adam = Adam::new(&net, Settings::new(0.5));
    let mut order = vec![0; 40];
    let config = FitConfig::<10> {
        epochs: 200,
        shuffle: true,
        seed: 4,
        divergence: None,
    };
    let mut stopper = EarlyStopping::new(5);
    let mut epochs = 0;
    fit(
        &mut net,
        &mut adam,
        &SoftmaxCrossEntropy,
        train_x,
        train_y,
        &mut order,
        config,
        |r, net| {
            epochs = r.epoch;
            let val = evaluate(net, &SoftmaxCrossEntropy, val_x, val_y).unwrap();
            stopper.observe(f64::from(val.loss), net)
        },
    )
    .unwrap();
    assert!(epochs < 200, "stopped early ({epochs} epochs)");
    assert!(stopper.restore(&mut net));
    let restored = evaluate(&net, &SoftmaxCrossEntropy, val_x, val_y).unwrap();
    assert_eq!(Some(f64::from(restored.loss)), stopper.best_loss());
}
