//! The fixed-point `I16F16`: its arithmetic against exact integer formulas, its functions
//! against `f64` (within one step of 2⁻¹⁶), its special values, and training with it (iris
//! 4-8-3, the network the Cortex-M0 firmware trains) against the same network in `f32`.

use typegrad::Real;
use typegrad::Vector;
use typegrad::activation::Relu;
use typegrad::data::{Dataset, Split, Standardizer};
use typegrad::fixed::I16F16;
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer};

const STEP: f64 = 1.0 / 65536.0;

/// `x` rounded to the nearest multiple of 2⁻¹⁶, as a bit pattern (ties to even).
fn nearest_bits(x: f64) -> i64 {
    (x * 65536.0).round_ties_even() as i64
}

/// Fixed-point values spread over the range (deterministic).
fn samples(n: usize, low: f64, high: f64) -> Vec<I16F16> {
    let mut rng = Rng::new(5);
    (0..n)
        .map(|_| I16F16::from_f64(low + (high - low) * rng.next_f64()))
        .collect()
}

#[test]
fn conversions_round_to_nearest_and_back_exactly() {
    for &x in &[
        0.0,
        1.0,
        -1.0,
        0.5,
        1.5,
        3.25159,
        -2.75,
        32767.0,
        -32767.5,
        1e-5,
        7.62939453125e-6,
    ] {
        assert_eq!(
            i64::from(I16F16::from_f64(x).to_bits()),
            nearest_bits(x),
            "{x}"
        );
        assert_eq!(
            i64::from(I16F16::from_f32(x as f32).to_bits()),
            nearest_bits(f64::from(x as f32)),
            "{x}"
        );
    }
    // Ties to even: 0.5 and 1.5 steps.
    assert_eq!(I16F16::from_f64(0.5 * STEP).to_bits(), 0);
    assert_eq!(I16F16::from_f64(1.5 * STEP).to_bits(), 2);
    let mut rng = Rng::new(1);
    for _ in 0..20_000 {
        let bits = (rng.next_u64() as i32).clamp(-i32::MAX + 1, i32::MAX - 1);
        let x = I16F16::from_bits(bits);
        let exact = f64::from(bits) * STEP;
        assert_eq!(x.to_f64_exact(), exact);
        assert_eq!(x.to_f32(), exact as f32, "{bits}");
        assert_eq!(I16F16::from_f64(exact).to_bits(), bits);
        let text = x.to_string();
        assert_eq!(text.parse::<I16F16>().unwrap().to_bits(), bits, "{text}");
    }
    // Beyond the range: ±∞; NaN stays NaN.
    assert_eq!(
        I16F16::from_f64(40000.0).to_bits(),
        I16F16::INFINITY.to_bits()
    );
    assert_eq!(
        I16F16::from_f64(-1e300).to_bits(),
        I16F16::NEG_INFINITY.to_bits()
    );
    assert!(I16F16::from_f64(f64::NAN).is_nan());
    assert_eq!(
        I16F16::from_f64(f64::INFINITY).to_f64_exact(),
        f64::INFINITY
    );
    assert_eq!(I16F16::from_f64(1e-300).to_bits(), 0);
    assert_eq!(I16F16::from_int(-3).to_string(), "-3.00000");
    assert_eq!(format!("{:.2}", I16F16::from_f64(-0.125)), "-0.13");
    assert!("1.2.3".parse::<I16F16>().is_err());
    assert!("".parse::<I16F16>().is_err());
}

#[test]
fn arithmetic_is_the_exact_formula_on_the_bit_patterns() {
    // Wide values, and values below 0.5 (where division takes its 32-bit path).
    let mut xs = samples(400, -180.0, 180.0);
    xs.extend(samples(300, -0.6, 0.6));
    for &a in &xs {
        for &b in xs.iter().step_by(7) {
            let (ra, rb) = (i64::from(a.to_bits()), i64::from(b.to_bits()));
            assert_eq!(i64::from((a + b).to_bits()), ra + rb);
            assert_eq!(i64::from((a - b).to_bits()), ra - rb);
            let product = (ra * rb + (1 << 15)) >> 16; // nearest, ties toward +∞
            let expect = if product.abs() >= i64::from(i32::MAX) {
                None
            } else {
                Some(product)
            };
            match expect {
                Some(p) => assert_eq!(i64::from((a * b).to_bits()), p),
                None => assert!(!(a * b).is_finite()),
            }
            if rb != 0 {
                let exact = (ra as f64 * 65536.0) / rb as f64;
                let q = (a / b).to_bits();
                if exact.abs() < f64::from(i32::MAX - 1) {
                    // Nearest: within half a step of the exact quotient.
                    assert!((f64::from(q) - exact).abs() <= 0.5, "{a:?}/{b:?}");
                } else {
                    assert!(!(a / b).is_finite());
                }
                assert_eq!(i64::from((a % b).to_bits()), ra % rb);
            }
        }
    }
}

#[test]
fn overflow_is_infinite_and_invalid_is_nan() {
    let (inf, ninf, nan) = (I16F16::INFINITY, I16F16::NEG_INFINITY, I16F16::NAN);
    let one = I16F16::ONE;
    assert_eq!(I16F16::MAX + one, inf);
    assert_eq!(I16F16::MIN - one, ninf);
    assert_eq!(I16F16::from_int(300) * I16F16::from_int(300), inf);
    assert_eq!(I16F16::from_int(-300) * I16F16::from_int(300), ninf);
    assert_eq!(one / I16F16::ZERO, inf);
    assert_eq!(-one / I16F16::ZERO, ninf);
    assert!((I16F16::ZERO / I16F16::ZERO).is_nan());
    assert!((inf - inf).is_nan());
    assert!((inf * I16F16::ZERO).is_nan());
    assert_eq!(inf + one, inf); // ∞ stays ∞ (no clamping back into range)
    assert_eq!(one / inf, I16F16::ZERO);
    assert!((nan + one).is_nan() && (one * nan).is_nan() && (nan / one).is_nan());
    assert!(nan != nan && nan.partial_cmp(&one).is_none());
    assert!(ninf < I16F16::MIN && I16F16::MAX < inf);
    assert_eq!(-inf, ninf);
    assert!(!inf.is_finite() && !nan.is_finite() && I16F16::MAX.is_finite());
    assert_eq!(I16F16::from_int(i16::MIN), ninf);
    assert!(I16F16::from_f64(-1.0).sqrt().is_nan());
    assert!(I16F16::from_f64(-1.0).ln().is_nan());
    assert_eq!(I16F16::ZERO.ln(), ninf);
    assert_eq!(I16F16::from_int(11).exp(), inf);
    assert_eq!(ninf.exp(), I16F16::ZERO);
    assert_eq!(nan.max(one), one);
}

/// Asserts that `f` is within one step of the exactly rounded `reference` at every `x`.
fn within_one_step(
    name: &str,
    xs: &[I16F16],
    f: impl Fn(I16F16) -> I16F16,
    reference: impl Fn(f64) -> f64,
) {
    within(name, xs, f, reference, 28)
}

/// As [`within_one_step`], or within `2^-relative_bits` of the value, whichever is larger.
fn within(
    name: &str,
    xs: &[I16F16],
    f: impl Fn(I16F16) -> I16F16,
    reference: impl Fn(f64) -> f64,
    relative_bits: u32,
) {
    let mut worst = 0;
    for &x in xs {
        let exact = reference(x.to_f64_exact());
        if exact.abs() >= 32767.0 {
            continue;
        }
        let found = i64::from(f(x).to_bits());
        // Large values: a relative bound (the step is then finer than 30 inner bits resolve).
        let allowed = 1.max((exact.abs() * 65536.0 / (1u64 << relative_bits) as f64).ceil() as i64);
        let error = (found - nearest_bits(exact)).abs();
        worst = worst.max(error - allowed + 1);
        assert!(
            error <= allowed,
            "{name}({x:?}) = {:?}, exact {exact}",
            f(x)
        );
    }
    assert!(worst <= 1, "{name}: {worst}");
}

#[test]
fn functions_are_within_one_step_of_the_exact_value() {
    within_one_step("exp", &samples(5000, -12.0, 10.39), I16F16::exp, f64::exp);
    within_one_step("ln", &samples(5000, 0.0, 20.0), I16F16::ln, f64::ln);
    within_one_step("ln", &samples(2000, 0.0, 32767.0), I16F16::ln, f64::ln);
    within_one_step(
        "sqrt",
        &samples(5000, 0.0, 32767.0),
        I16F16::sqrt,
        f64::sqrt,
    );
    within_one_step("sqrt", &samples(2000, 0.0, 2.0), I16F16::sqrt, f64::sqrt);
    within_one_step("tanh", &samples(5000, -12.0, 12.0), I16F16::tanh, f64::tanh);
    within_one_step("cos", &samples(5000, -40.0, 40.0), I16F16::cos, f64::cos);
    within_one_step(
        "cos",
        &samples(500, -32000.0, 32000.0),
        I16F16::cos,
        f64::cos,
    );
    let base = I16F16::from_f64(0.9);
    within(
        "0.9^y",
        &samples(2000, -50.0, 50.0),
        |y| base.powf(y),
        |y| base.to_f64_exact().powf(y),
        26,
    );
    let y = I16F16::from_f64(2.5);
    within(
        "x^2.5",
        &samples(2000, 0.0, 60.0),
        |x| x.powf(y),
        |x| x.powf(2.5),
        26,
    );
    // powi squares and multiplies in I16F16: exact for small integers.
    assert_eq!(I16F16::from_int(3).powi(4), I16F16::from_int(81));
    assert_eq!(I16F16::from_int(2).powi(-2), I16F16::from_f64(0.25));
    assert_eq!(
        I16F16::from_int(-2).powf(I16F16::from_int(3)),
        I16F16::from_int(-8)
    );
    // exact at exact points
    assert_eq!(I16F16::ZERO.exp(), I16F16::ONE);
    assert_eq!(I16F16::ONE.ln(), I16F16::ZERO);
    assert_eq!(I16F16::from_int(9).sqrt(), I16F16::from_int(3));
    assert_eq!(I16F16::ZERO.cos(), I16F16::ONE);
}

/// The iris data (standardized with the training rows' statistics) in `T`.
type Rows<T> = (
    Vec<Vector<T, 4>>,
    Vec<Class<3>>,
    Vec<Vector<T, 4>>,
    Vec<Class<3>>,
);

fn iris<T: Real>(convert: impl Fn(f64) -> T) -> Rows<T> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let iris = Dataset::<f64, 4>::load_csv(format!("{dir}/iris.csv")).unwrap();
    let (mut train, mut test) = iris
        .split(&Split::load(format!("{dir}/iris_split.txt")).unwrap())
        .unwrap();
    let scaler = Standardizer::fit(&train).unwrap();
    scaler.transform_dataset(&mut train);
    scaler.transform_dataset(&mut test);
    let cast = |xs: &[Vector<f64, 4>]| xs.iter().map(|x| x.map(&convert)).collect::<Vec<_>>();
    (
        cast(&train.features),
        train.class_labels::<3>().unwrap(),
        cast(&test.features),
        test.class_labels::<3>().unwrap(),
    )
}

typegrad::network! {
    type IrisNet<T> = [Dense<T, 4, 8, Relu>, Dense<T, 8, 3>];
}

/// Trains the 4-8-3 ReLU network (Adam 0.01, batches of 8, 60 epochs: the firmware's
/// settings) and returns the correct test predictions and the last epoch's loss.
macro_rules! train_iris {
    ($t:ty, $convert:expr) => {
        train_iris!($t, $convert, 1e-8)
    };
    ($t:ty, $convert:expr, $eps:expr) => {{
        let (train_x, train_y, test_x, test_y) = iris::<$t>($convert);
        let mut net = IrisNet::<$t>::default();
        net.init(&mut Rng::new(7), Init::HeUniform);
        let mut adam = Adam::new(&net, Settings::new(0.01));
        adam.epsilon = $eps;
        let mut order = vec![0; train_x.len()];
        let config = FitConfig::<8> {
            epochs: 60,
            shuffle: true,
            seed: 11,
            divergence: None,
        };
        let mut last = f64::NAN;
        Trainer::new(&net, adam, SoftmaxCrossEntropy)
            .fit(
                &mut net,
                Data::new(&train_x, &train_y),
                None,
                &mut order,
                config,
                |r, _| last = num_traits::ToPrimitive::to_f64(&r.loss).unwrap_or(f64::NAN),
            )
            .map(|_| {
                let correct = test_x
                    .iter()
                    .zip(&test_y)
                    .filter(|(x, y)| net.predict(x).argmax() == y.index())
                    .count();
                (correct, last)
            })
    }};
}

#[test]
fn iris_trains_in_fixed_point_as_well_as_in_f32() {
    let (f32_correct, f32_loss) = train_iris!(f32, |x| x as f32).unwrap();
    // Adam's ε = 0.01 for I16F16: the second moment of small gradients rounds to 0 at 2⁻¹⁶
    // steps, and with a tiny ε the update m/(√v + ε) explodes (measured: ε = 1e-8 and 1e-5
    // end at 20/30 with loss 354, 1e-4 at 26/30, 1e-3 and 1e-2 at 29/30).
    let (fixed_correct, fixed_loss) = train_iris!(I16F16, I16F16::from_f64, 0.01).unwrap();
    println!(
        "f32: {f32_correct}/30 (last epoch loss {f32_loss:.4}); I16F16: {fixed_correct}/30 ({fixed_loss:.4})"
    );
    assert!(f32_correct >= 27, "f32 {f32_correct}/30");
    assert!(
        fixed_correct + 1 >= f32_correct,
        "I16F16 {fixed_correct}/30 vs f32 {f32_correct}/30"
    );
    assert!(
        (fixed_loss - f32_loss).abs() < 0.05,
        "loss {fixed_loss} vs {f32_loss}"
    );
}

#[test]
fn a_diverging_fixed_point_run_stops_with_an_error() {
    // A huge learning rate overflows the weights: ±∞ (not clamped values) ends the run.
    let (train_x, train_y, _, _) = iris(I16F16::from_f64);
    let mut net = IrisNet::<I16F16>::default();
    net.init(&mut Rng::new(7), Init::HeUniform);
    let sgd = typegrad::optim::Sgd::new(Settings::new(20000.0));
    let mut order = vec![0; train_x.len()];
    let config = FitConfig::<8> {
        epochs: 50,
        shuffle: true,
        seed: 11,
        divergence: None,
    };
    let result = Trainer::new(&net, sgd, SoftmaxCrossEntropy).fit(
        &mut net,
        Data::new(&train_x, &train_y),
        None,
        &mut order,
        config,
        |_, _| {},
    );
    assert!(result.is_err(), "{result:?}");
}
