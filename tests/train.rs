//! Training loops: the three modes converge, runs are reproducible, failures are typed errors.

use approx::assert_relative_eq;
use typegrad::activation::{Identity, Relu, Tanh};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, Mse, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::optim::{Adam, Settings, Sgd};
use typegrad::train::{Data, EpochReport, EvalError, FitConfig, Trainer, evaluate};
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
    let opt = Sgd::new(Settings::new(lr));
    let mut order = vec![0; xs.len()];
    let config = FitConfig::<B> {
        epochs,
        shuffle: true,
        seed: 1,
        divergence: None,
    };
    Trainer::new(&net, opt, Mse)
        .fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
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
    let mut trainer = Trainer::new(&net, Sgd::new(Settings::new(0.5)), Mse);
    let value = trainer.step(&mut net, &x, &t).unwrap();
    let grads = trainer.gradient();
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
    let opt = Adam::new(&net, Settings::new(0.02));
    let mut order = vec![0; xs.len()];
    let mut reports = Vec::new();
    let config = FitConfig::<10> {
        epochs: 30,
        shuffle: true,
        seed,
        divergence: None,
    };
    Trainer::new(&net, opt, SoftmaxCrossEntropy)
        .fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
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
    let opt = Sgd::new(Settings::new(10.0));
    let err = Trainer::new(&net, opt, Mse)
        .fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
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
    let opt = Sgd::new(Settings::new(0.1));
    let config = FitConfig::<2> {
        epochs: 1,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut short = vec![0; 3];
    assert_eq!(
        Trainer::new(&net, opt.clone(), Mse).fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
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
        Trainer::new(&net, opt, Mse).fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
            &mut order,
            config,
            |_, _| {}
        ),
        Err(TrainError::TooFewSamples {
            samples: 8,
            batch: 16
        })
    );
    // A validation set that cannot be evaluated is refused before training.
    let config = FitConfig::<2> {
        epochs: 1,
        shuffle: false,
        seed: 0,
        divergence: None,
    };
    let mut trainer = Trainer::new(&net, Sgd::new(Settings::new(0.1)), Mse);
    let err = trainer.fit(
        &mut net,
        Data::new(&xs, &ys),
        Some(Data::new(&xs[..3], &ys)),
        &mut order,
        config,
        |_, _| {},
    );
    let error = EvalError::Lengths {
        inputs: 3,
        targets: 8,
    };
    assert_eq!(err, Err(TrainError::Validation { epoch: 0, error }));
    assert_eq!(
        err.unwrap_err().to_string(),
        "the validation set cannot be used: 3 inputs and 8 targets: both must have the same length"
    );
    let empty = trainer.fit(
        &mut net,
        Data::new(&xs, &ys),
        Some(Data::new(&xs[..0], &ys[..0])),
        &mut order,
        config,
        |_, _| {},
    );
    let error = EvalError::Empty;
    assert_eq!(empty, Err(TrainError::Validation { epoch: 0, error }));
    assert_eq!(trainer.optimizer().steps(), 0, "nothing trained");
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
    let adam = Adam::new(&net, Settings::new(0.05));
    let mut order = vec![0; data.len()];
    let config = FitConfig::<8> {
        epochs: 20,
        shuffle: true,
        seed: 3,
        divergence: None,
    };
    let mut accuracies = Vec::new();
    let loss = BinaryCrossEntropyWithLogits;
    Trainer::new(&net, adam, loss)
        .fit(
            &mut net,
            Data::new(&data.features, &labels),
            None,
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
    let x = Batch::<f32, 60, 2>::from_samples(core::array::from_fn(|s| xs[s]));
    let t: [Class<3>; 60] = core::array::from_fn(|s| ys[s]);
    let mut trainer = Trainer::new(&copy, Sgd::new(Settings::new(0.1)), SoftmaxCrossEntropy);
    trainer.step(&mut copy, &x, &t).unwrap();
    let grads = *trainer.gradient();
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
    let sgd = Sgd::new(Settings::new(0.1));
    let mut trainer = Trainer::new(&net, sgd, SoftmaxCrossEntropy);
    trainer
        .fit(
            &mut net,
            Data::new(&xs, &ys),
            None,
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
    assert_eq!(trainer.optimizer().steps(), 7);
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
    let adam = Adam::new(&net, Settings::new(0.5));
    let mut order = vec![0; 40];
    let config = FitConfig::<10> {
        epochs: 200,
        shuffle: true,
        seed: 4,
        divergence: None,
    };
    let mut stopper = EarlyStopping::new(5);
    let mut epochs = 0;
    Trainer::new(&net, adam, SoftmaxCrossEntropy)
        .fit(
            &mut net,
            Data::new(train_x, train_y),
            None,
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

/// The epoch report carries the validation loss and accuracy, equal to `evaluate` on the
/// network after that epoch; early stopping watches them through the callback.
#[test]
fn validation_figures_are_reported_and_drive_early_stopping() {
    use typegrad::train::{Control, EarlyStopping, Network};
    let (xs, ys) = blobs();
    let (train_x, val_x) = xs.split_at(40);
    let (train_y, val_y) = ys.split_at(40);
    let mut net = Classifier::default();
    net.init(&mut Rng::new(21), Init::XavierUniform);
    let mut trainer = Trainer::new(&net, Sgd::new(Settings::new(0.5)), SoftmaxCrossEntropy);
    let mut order = vec![0; 40];
    let config = FitConfig::<8> {
        epochs: 40,
        shuffle: true,
        seed: 3,
        divergence: None,
    };
    let mut stop = EarlyStopping::new(3);
    let mut seen = Vec::new();
    trainer
        .fit(
            &mut net,
            Data::new(train_x, train_y),
            Some(Data::new(val_x, val_y)),
            &mut order,
            config,
            |r, net| {
                let v = r.validation.expect("a validation set was given");
                let again = evaluate(net, &SoftmaxCrossEntropy, val_x, val_y).unwrap();
                assert_eq!(v, again);
                assert_eq!(v.samples, 20);
                seen.push(v.loss as f64);
                stop.observe(v.loss as f64, net)
            },
        )
        .unwrap();
    assert!(!seen.is_empty());
    let best = seen.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(stop.best_loss(), Some(best));
    assert!(stop.restore(&mut net));
    let restored = trainer.evaluate(&net, Data::new(val_x, val_y)).unwrap();
    assert_eq!(restored.loss as f64, best);
    assert!(restored.accuracy.unwrap() >= 0.9);
    // `Network` names "a network from 2 features to 3 outputs".
    fn outputs<Net: Network<f32, 2, 3>>(net: &Net) -> usize {
        net.predict(&Vector::zeros()).as_slice().len()
    }
    assert_eq!(outputs(&net), 3);
    let _ = Control::Continue;
}
