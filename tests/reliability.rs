//! Regression tests for the reliability audit (issue 10): every finding has a test here that
//! failed before its fix. Bad runtime input — a file, a stream, a restored state, a data set —
//! is a typed error, never a panic (these run in debug builds, with overflow checks), never
//! `Ok` with NaN or ±∞ inside, and a failed step or load changes nothing.

use typegrad::activation::Relu;
use typegrad::data::{DataError, Dataset, Standardizer};
use typegrad::init::{Init, Rng};
use typegrad::loss::{BinaryCrossEntropyWithLogits, Class, Loss, Mae, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Schedule, Settings, Sgd};
use typegrad::train::{Data, Divergence, EvalError, FitConfig, Target, Trainer, evaluate};
use typegrad::{Batch, TrainError, Vector, seq};

type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];

fn net(seed: u64) -> Net {
    let mut net = Net::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    net
}

/// Every parameter's bit pattern, in visiting order.
fn bits<P: Parameters<f32>>(p: &P) -> Vec<u32> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

fn all_finite<P: Parameters<f32>>(p: &P) -> bool {
    let mut ok = true;
    p.visit(&mut |s| ok &= s.iter().all(|x| x.is_finite()));
    ok
}

/// A gradient with every value `g`.
fn filled(g: f32) -> Net {
    let mut grads = Net::default();
    grads.visit_mut(&mut |s| s.fill(g));
    grads
}

/// `step` must fail with `want` and leave the network and the step count as they were.
fn refused<O: Optimizer<f32, Net>>(optimizer: &mut O, grads: &Net, want: TrainError) {
    let mut network = net(1);
    let (before, steps) = (bits(&network), optimizer.steps());
    assert_eq!(optimizer.step(&mut network, grads), Err(want));
    assert_eq!(bits(&network), before, "a failed step changed the network");
    assert_eq!(optimizer.steps(), steps);
}

// ---- optimizer steps: all or nothing, settings checked in the scalar type ----

#[test]
fn an_update_that_overflows_changes_nothing() {
    let huge = filled(1e30);
    // SGD, plain path: w − 1e10·1e30 overflows f32.
    refused(
        &mut Sgd::new(Settings::new(1e10)),
        &huge,
        TrainError::NonFiniteUpdate { step: 1 },
    );
    // SGD, general path (weight decay on).
    refused(
        &mut Sgd::new(Settings::new(1e10).with_weight_decay(0.5)),
        &huge,
        TrainError::NonFiniteUpdate { step: 1 },
    );
    // A finite gradient whose square overflows f32 (1e30² = 1e60): the second moments of
    // Adam, RMSprop and AdaGrad would become +∞.
    let net = net(1);
    let steep = filled(1e30);
    let want = TrainError::NonFiniteUpdate { step: 1 };
    refused(&mut Adam::new(&net, Settings::new(1e-3)), &steep, want);
    refused(&mut RmsProp::new(&net, Settings::new(1e-3)), &steep, want);
    refused(&mut AdaGrad::new(&net, Settings::new(1e-3)), &steep, want);
    refused(
        &mut Momentum::new(&net, Settings::new(1e10), 0.9),
        &steep,
        want,
    );
}

#[test]
fn a_non_finite_gradient_is_named_as_such_on_every_path() {
    let mut nan = filled(0.25);
    nan.1.bias[2] = f32::NAN;
    let want = TrainError::NonFiniteGradient { step: 1 };
    // Plain SGD (its one finiteness check covers the gradient), SGD with decay, and Adam.
    refused(&mut Sgd::new(Settings::new(0.1)), &nan, want);
    refused(
        &mut Sgd::new(Settings::new(0.1).with_weight_decay(1e-4)),
        &nan,
        want,
    );
    refused(&mut Adam::new(&net(1), Settings::new(0.1)), &nan, want);
}

#[test]
fn settings_outside_their_range_are_refused_at_the_step() {
    let network = net(1);
    let g = filled(0.25);
    let rule = |rule| TrainError::InvalidSetting { rule };
    let mut adam = Adam::new(&network, Settings::new(1e-3));
    adam.beta2 = 1.0;
    refused(&mut adam, &g, rule("Adam's β₂ must be in [0, 1)"));
    // 0.999999999 is below 1 in f64 but rounds to 1 in f32: 1 − β₂ᵗ would be 0.
    adam.beta2 = 0.999_999_999;
    refused(&mut adam, &g, rule("Adam's β₂ must be in [0, 1)"));
    adam.beta2 = 0.999;
    adam.epsilon = 0.0;
    refused(&mut adam, &g, rule("Adam's ε must be finite and > 0"));
    // 1e39 is a finite f64 but +∞ as an f32.
    refused(
        &mut Sgd::new(Settings::new(1e39)),
        &g,
        rule("the learning rate must be finite and ≥ 0"),
    );
    refused(
        &mut Sgd::new(Settings::new(-0.1)),
        &g,
        rule("the learning rate must be finite and ≥ 0"),
    );
    // A schedule that grows past f32's range: finite parameters, an infinite rate at step 1
    // (γ^0 = 1, so step 2 on: here the initial rate itself is fine but γ = 1e30 overflows).
    let mut growing = Sgd::new(Settings::new(0.0).with_schedule(Schedule::Exponential {
        initial: 1e20,
        decay: 1e30,
    }));
    let mut n = net(1);
    growing.step(&mut n, &g).unwrap();
    refused(
        &mut growing,
        &g,
        rule("the learning rate must be finite and ≥ 0 at every step"),
    );
    let mut momentum = Momentum::new(&network, Settings::new(0.1), 0.9);
    momentum.momentum = 1.0;
    refused(&mut momentum, &g, rule("the momentum μ must be in [0, 1)"));
    let mut rms = RmsProp::new(&network, Settings::new(0.1));
    rms.rho = f64::NAN;
    refused(&mut rms, &g, rule("RMSprop's ρ must be in [0, 1)"));
    refused(
        &mut Sgd::new(Settings::new(0.1).with_weight_decay(f64::INFINITY)),
        &g,
        rule("the L2 weight decay must be finite and ≥ 0"),
    );
}

#[test]
fn a_successful_step_leaves_everything_finite() {
    // Adam at a learning rate of 1e6 on moderate gradients: large, finite weights.
    let mut network = net(3);
    let mut adam = Adam::new(&network, Settings::new(1e6));
    for k in 0..20 {
        let g = filled(if k % 2 == 0 { 0.5 } else { -0.25 });
        match adam.step(&mut network, &g) {
            Ok(()) => assert!(all_finite(&network), "Ok with a non-finite weight"),
            Err(e) => {
                assert_eq!(e, TrainError::NonFiniteUpdate { step: k + 1 });
                break;
            }
        }
    }
}

#[test]
fn the_loss_step_number_saturates() {
    // `Trainer::step`'s non-finite-loss path reports `steps + 1`: no overflow at any count.
    let mut network = net(1);
    let sgd = Sgd::new(Settings::new(0.1));
    let x = Batch::<f32, 1, 4>::from_fn(|_, _| f32::NAN);
    let t = [Class::<3>::new(0).unwrap()];
    let err = Trainer::new(&network, sgd, SoftmaxCrossEntropy).step(&mut network, &x, &t);
    assert_eq!(err, Err(TrainError::NonFiniteLoss { step: 1 }));
}

// ---- losses: means that do not overflow where the mean is finite ----

#[test]
fn bce_mean_stays_finite_for_huge_logits() {
    // Both terms are 3e38 (finite); their sum overflows f32, their mean does not.
    let z = Vector::new([3e38_f32, 3e38]);
    let t = Vector::new([0.0_f32, 0.0]);
    let loss = BinaryCrossEntropyWithLogits;
    assert_eq!(loss.value(&z, &t), 3e38);
    assert_eq!(loss.value_and_gradient(&z, &t).0, 3e38);
    // Over a batch of two such samples.
    let batch = Batch::<f32, 2, 2>::from_fn(|_, _| 3e38);
    let (mean, grad) = loss.batch_value_and_gradient(&batch, &[t, t]);
    assert_eq!(mean, 3e38);
    assert!(grad.as_slice().iter().all(|g| g.is_finite()));
    // A single logit: a batch of two 3e38 losses.
    let one = Batch::<f32, 2, 1>::from_fn(|_, _| 3e38);
    let t1 = Vector::new([0.0_f32]);
    assert_eq!(
        Loss::<f32, 1, Vector<f32, 1>>::batch_value_and_gradient(&loss, &one, &[t1, t1]).0,
        3e38
    );
    // MAE has the same shape of sum.
    let y = Vector::new([2e38_f32, -2e38]);
    assert_eq!(Mae.value(&y, &Vector::new([0.0, 0.0])), 2e38);
    // A truly infinite mean stays infinite; a NaN stays NaN.
    assert!(!loss.value(&Vector::new([f32::INFINITY]), &t1).is_finite());
    assert!(loss.value(&Vector::new([f32::NAN]), &t1).is_nan());
}

// ---- evaluation ----

#[test]
fn evaluate_refuses_a_nan_output() {
    let network = net(2);
    let mut xs = vec![Vector::new([0.1_f32, 0.2, 0.3, 0.4]); 3];
    xs[1] = Vector::new([f32::NAN, 0.0, 0.0, 0.0]);
    let ys = vec![Class::<3>::new(2).unwrap(); 3];
    assert_eq!(
        evaluate(&network, &SoftmaxCrossEntropy, &xs, &ys),
        Err(EvalError::NonFinite { sample: 1 })
    );
    let ok = evaluate(&network, &SoftmaxCrossEntropy, &xs[..1], &ys[..1]).unwrap();
    assert!(ok.loss.is_finite());
    assert_eq!(ok.samples, 1);
}

#[test]
fn a_prediction_of_nans_is_never_correct() {
    let last = Class::<3>::new(2).unwrap();
    assert_eq!(last.is_correct(&[f32::NAN; 3]), Some(false));
    assert_eq!(
        Class::<3>::new(0).unwrap().is_correct(&[f32::NAN; 3]),
        Some(false)
    );
    // NaNs are skipped, not taken as the largest.
    assert_eq!(last.is_correct(&[1.0, f32::NAN, 2.0]), Some(true));
    assert_eq!(last.is_correct(&[3.0, 1.0, f32::NAN]), Some(false));
}

// ---- standardization ----

#[test]
fn standardizer_handles_a_spread_beyond_the_squares_range() {
    // f32: squares of 1e20 overflow (f32::MAX ≈ 3.4e38).
    let data = Dataset::<f32, 2> {
        features: vec![
            Vector::new([-1e20, 1.0]),
            Vector::new([1e20, 2.0]),
            Vector::new([-1e20, 3.0]),
            Vector::new([1e20, 4.0]),
        ],
        targets: vec![0.0; 4],
    };
    let s = Standardizer::fit(&data).unwrap();
    approx::assert_relative_eq!(s.std[0], 1e20, max_relative = 1e-6);
    assert_eq!(s.mean[0], 0.0);
    approx::assert_relative_eq!(s.transform(&data.features[1])[0], 1.0, max_relative = 1e-6);
    // The second column goes the ordinary way: its bits are those of the plain formula.
    assert_eq!(s.mean[1], 2.5);
    assert_eq!(s.std[1], 1.25f32.sqrt());
    // f64 overflows its squares above ~1.3e154.
    let wide = Dataset::<f64, 1> {
        features: vec![Vector::new([-1e200]), Vector::new([1e200])],
        targets: vec![0.0; 2],
    };
    let s = Standardizer::fit(&wide).unwrap();
    approx::assert_relative_eq!(s.std[0], 1e200, max_relative = 1e-12);
    // Near f32::MAX: the mean's sum overflows too.
    let edge = Dataset::<f32, 1> {
        features: vec![
            Vector::new([3e38]),
            Vector::new([3e38]),
            Vector::new([2e38]),
        ],
        targets: vec![0.0; 3],
    };
    let s = Standardizer::fit(&edge).unwrap();
    assert!(s.mean[0].is_finite() && s.std[0].is_finite() && s.std[0] > 0.0);
    approx::assert_relative_eq!(s.mean[0], 2.666_666_7e38, max_relative = 1e-6);
    // A value far from the mean on the other side: `x − mean` overflows, the result does not
    // (found by the fuzz suite: -3.4e38 against a mean of 8e36).
    let far = Dataset::<f32, 1> {
        features: vec![
            Vector::new([3.4e38]),
            Vector::new([-3.4e38]),
            Vector::new([3.4e38]),
        ],
        targets: vec![0.0; 3],
    };
    let s = Standardizer::fit(&far).unwrap();
    for x in &far.features {
        let z = s.transform(x)[0];
        assert!(
            z.is_finite() && z.abs() < 2.0,
            "{z} (mean {}, std {})",
            s.mean[0],
            s.std[0]
        );
    }
}

#[test]
fn standardizer_refuses_non_finite_features() {
    let data = Dataset::<f32, 2> {
        features: vec![Vector::new([0.0, 1.0]), Vector::new([f32::INFINITY, 2.0])],
        targets: vec![0.0; 2],
    };
    assert_eq!(
        Standardizer::fit(&data),
        Err(DataError::NonFiniteFeature { row: 1, feature: 0 })
    );
}

// ---- training: the divergence guard ----

type Small = seq![Dense<f32, 2, 8, Relu>, Dense<f32, 8, 3>];

/// Overlapping blobs with one label in six flipped: no network predicts them all, so
/// over-confident weights cost a large loss.
fn blobs() -> (Vec<Vector<f32, 2>>, Vec<Class<3>>) {
    let mut rng = Rng::new(4);
    let centers = [[-1.0, 0.0], [1.0, 0.0], [0.0, 1.2]];
    (0..60)
        .map(|i| {
            let c = centers[i % 3];
            let x = [c[0] + rng.uniform(-1.0, 1.0), c[1] + rng.uniform(-1.0, 1.0)];
            let label = if i % 6 == 5 { (i + 1) % 3 } else { i % 3 };
            (Vector::new(x), Class::new(label).unwrap())
        })
        .unzip()
}

fn train_blobs(learning_rate: f64, divergence: Option<Divergence>) -> Result<f32, TrainError> {
    let (xs, ys) = blobs();
    let mut network = Small::default();
    network.init(&mut Rng::new(5), Init::HeUniform);
    let adam = Adam::new(&network, Settings::new(learning_rate));
    let mut order = vec![0; xs.len()];
    let config = FitConfig::<10> {
        epochs: 30,
        shuffle: true,
        seed: 1,
        divergence,
    };
    let mut last = f32::NAN;
    Trainer::new(&network, adam, SoftmaxCrossEntropy).fit(
        &mut network,
        Data::new(&xs, &ys),
        None,
        &mut order,
        config,
        |r, _| last = r.loss,
    )?;
    Ok(last)
}

#[test]
fn the_divergence_guard_stops_a_runaway_learning_rate() {
    let guard = Some(Divergence {
        factor: 10.0,
        patience: 2,
    });
    // Without the guard the run "succeeds" with a huge loss.
    let runaway = train_blobs(1e6, None).unwrap();
    assert!(runaway > 100.0, "{runaway}");
    eprintln!("runaway {runaway}");
    match train_blobs(1e6, guard) {
        Err(TrainError::Diverged { epoch, loss, best }) => {
            assert!(loss > 10.0 * best, "{loss} vs {best}");
            assert!(epoch >= 2, "patience 2 needs two epochs after the best");
        }
        other => panic!("expected Diverged, got {other:?}"),
    }
    // A sound learning rate never trips it.
    let fine = train_blobs(0.02, guard).unwrap();
    assert!(fine < 0.8, "{fine}");
}

// ---- serde: restored values and state ----

#[cfg(feature = "serde")]
mod restored {
    use super::*;

    fn json<V: serde::Serialize>(v: &V) -> String {
        serde_json::to_string(v).unwrap()
    }

    /// Each optimizer, restored with its step counter at `u64::MAX`, takes a step: no
    /// overflow (a panic in debug builds before), finite weights, the counter saturated.
    #[test]
    fn step_counters_saturate() {
        fn check<O>(optimizer: O)
        where
            O: Optimizer<f32, Net> + serde::Serialize + serde::de::DeserializeOwned,
        {
            let text = json(&optimizer).replace("\"steps\":0", &format!("\"steps\":{}", u64::MAX));
            assert!(text.contains(&u64::MAX.to_string()), "{text}");
            let mut restored: O = serde_json::from_str(&text).unwrap();
            assert_eq!(restored.steps(), u64::MAX);
            let mut network = net(1);
            restored.step(&mut network, &filled(0.25)).unwrap();
            assert!(all_finite(&network));
            assert_eq!(restored.steps(), u64::MAX);
        }
        let n = net(1);
        check(Sgd::new(Settings::new(0.1)));
        check(Momentum::new(&n, Settings::new(0.1), 0.9));
        check(AdaGrad::new(&n, Settings::new(0.1)));
        check(RmsProp::new(&n, Settings::new(0.1)));
        check(Adam::new(&n, Settings::new(0.1)));
    }

    #[test]
    fn non_finite_parameters_are_refused() {
        let text = json(&net(1));
        // The first weight of the first layer, written as 1e39: +∞ as an f32.
        let first = text.find("[[").unwrap() + 2;
        let end = first + text[first..].find(',').unwrap();
        let broken = format!("{}1e39{}", &text[..first], &text[end..]);
        // serde_json's own reader refuses it; through a `serde_json::Value` (as a config
        // system would hand it over) it arrives as an f64 that becomes +∞ as an f32.
        assert!(serde_json::from_str::<Net>(&broken).is_err());
        let value: serde_json::Value = serde_json::from_str(&broken).unwrap();
        let err = serde_json::from_value::<Net>(value)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("element 0 of row 0 is inf; tensor values must be finite"),
            "{err}"
        );
        // postcard carries NaN bits as they are.
        let mut network = net(1);
        network.0.bias[3] = f32::NAN;
        let mut buf = [0u8; 4096];
        let bytes = postcard::to_slice(&network, &mut buf).unwrap();
        let err = postcard::from_bytes::<Net>(bytes).unwrap_err();
        assert_eq!(err, postcard::Error::SerdeDeCustom);
        // A vector's message names the element.
        let value = serde_json::json!([1.0, 2.0, 1e39]);
        let err = serde_json::from_value::<Vector<f32, 3>>(value)
            .unwrap_err()
            .to_string();
        assert!(err.contains("element 2 of a vector is inf"), "{err}");
    }

    #[test]
    fn impossible_optimizer_state_is_refused() {
        let n = net(1);
        let mut adam = Adam::new(&n, Settings::new(0.01));
        let mut network = net(1);
        adam.step(&mut network, &filled(0.5)).unwrap();
        let text = json(&adam);
        // Round trip first: the honest state loads.
        let back: Adam<Net> = serde_json::from_str(&text).unwrap();
        assert_eq!(back, adam);
        let err = |text: &str| {
            serde_json::from_str::<Adam<Net>>(text)
                .unwrap_err()
                .to_string()
        };
        // A negative second moment: the field "v" holds the layers' tensors.
        let v = text.find("\"v\":").unwrap();
        let digit = v + text[v..].find(|c: char| c.is_ascii_digit()).unwrap();
        let negative = format!("{}-{}", &text[..digit], &text[digit..]);
        assert!(
            err(&negative).contains("Adam's second moment estimate has a negative value"),
            "{}",
            err(&negative)
        );
        let b2 = text.replace("\"beta2\":0.999", "\"beta2\":1.0");
        assert!(
            err(&b2).starts_with("Adam's β₂ must be in [0, 1)"),
            "{}",
            err(&b2)
        );
        let lr = text.replace("\"Constant\":0.01", "\"Constant\":1e39");
        assert_ne!(lr, text);
        assert!(
            err(&lr).starts_with("the learning rate must be finite and ≥ 0"),
            "{}",
            err(&lr)
        );
        // Settings on their own, as SGD restores them (checked in f64 there, in f32 at the step).
        let sgd = json(&Sgd::new(Settings::new(0.1).with_weight_decay(0.5)));
        let bad = sgd.replace("\"weight_decay\":0.5", "\"weight_decay\":-0.5");
        assert!(
            serde_json::from_str::<Sgd>(&bad)
                .unwrap_err()
                .to_string()
                .starts_with("the L2 weight decay must be finite and ≥ 0")
        );
        // AdaGrad's and RMSprop's accumulators.
        let mut ada = AdaGrad::new(&n, Settings::new(0.1));
        ada.step(&mut net(1), &filled(0.5)).unwrap();
        let t = json(&ada).replacen("0.25", "-0.25", 1);
        let e = serde_json::from_str::<AdaGrad<Net>>(&t)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("AdaGrad's sum of squared gradients has a negative value"),
            "{e}"
        );
        let mut rms = RmsProp::new(&n, Settings::new(0.1));
        rms.step(&mut net(1), &filled(0.5)).unwrap();
        let text = json(&rms);
        let at = text.find("\"mean_sq\":").unwrap();
        let digit = at + text[at..].find(|c: char| c.is_ascii_digit()).unwrap();
        let t = format!("{}-{}", &text[..digit], &text[digit..]);
        let e = serde_json::from_str::<RmsProp<Net>>(&t)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("RMSprop's mean square of the gradients has a negative value"),
            "{e}"
        );
    }

    #[test]
    fn hyper_parameters_of_layers_and_losses_must_be_finite() {
        use typegrad::activation::LeakyRelu;
        use typegrad::loss::Huber;
        let mut buf = [0u8; 16];
        let bytes = postcard::to_slice(&LeakyRelu::new(f64::NAN), &mut buf).unwrap();
        assert!(postcard::from_bytes::<LeakyRelu>(bytes).is_err());
        let e = serde_json::from_value::<LeakyRelu>(serde_json::json!({ "slope": f64::MAX }))
            .map(|l| l.slope);
        assert_eq!(
            e.unwrap(),
            f64::MAX,
            "finite, however large, is a valid slope"
        );
        let e = serde_json::from_str::<Huber>("{\"delta\":0.0}")
            .unwrap_err()
            .to_string();
        assert!(e.contains("must be > 0"), "{e}");
    }
}

// ---- safetensors: a header the `safetensors` crate would overflow on ----

#[cfg(feature = "safetensors")]
#[test]
fn safetensors_offsets_past_the_data_are_refused_before_the_dependency_reads_them() {
    use typegrad::interop::safetensors::{SafetensorsError, from_bytes};
    // Eight U8 tensors of 2⁶¹ − 1 bytes each, offsets chained as the format wants: their
    // sum nears 2⁶⁴, and adding the header length overflowed inside safetensors 0.8.0.
    let size: u64 = (1 << 61) - 1;
    let mut header = String::from("{");
    for k in 0..8u64 {
        if k > 0 {
            header.push(',');
        }
        header.push_str(&format!(
            "\"t{k}\":{{\"dtype\":\"U8\",\"shape\":[{size}],\"data_offsets\":[{},{}]}}",
            k * size,
            (k + 1) * size
        ));
    }
    header.push('}');
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[0; 16]);
    let mut network = net(1);
    let before = bits(&network);
    let err = from_bytes(&mut network, &["0", "2"], &bytes).unwrap_err();
    assert!(
        matches!(&err, SafetensorsError::Format { message } if message.contains("lies past the 16 bytes of data")),
        "{err:?}"
    );
    assert_eq!(bits(&network), before);
}
