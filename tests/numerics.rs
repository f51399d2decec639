//! Property tests of the numerics a user relies on: softmax, sigmoid, softmax cross-entropy
//! and binary cross-entropy on random inputs of every magnitude `f32` has (from subnormals to
//! `3e38`, both signs) and on NaN and ±∞. Each property is what the item's documentation
//! promises; a seeded generator makes every run check the same 20,000 cases per property.

use typegrad::activation::{Activation, Sigmoid, Softmax};
use typegrad::init::Rng;
use typegrad::loss::{BinaryCrossEntropyWithLogits, Class, Loss, SoftmaxCrossEntropy};
use typegrad::{Batch, Vector};

const CASES: usize = 20_000;

/// A random finite `f32` of any magnitude: sign, binary exponent in `[−149, 127]` and
/// significand uniform, so `1e-40` and `1e38` are as likely as `1.0`.
fn any_finite(rng: &mut Rng) -> f32 {
    let exponent = rng.below(277) as i32 - 149;
    let significand = 1.0 + rng.next_f64();
    let magnitude = (significand * 2f64.powi(exponent)).min(f32::MAX as f64) as f32;
    if rng.below(2) == 0 {
        magnitude
    } else {
        -magnitude
    }
}

/// A finite `f32` in `[−limit, limit]`, of any magnitude below it.
fn bounded(rng: &mut Rng, limit: f32) -> f32 {
    let x = any_finite(rng);
    if x.abs() > limit {
        x.signum() * limit * rng.next_f32_signed().abs()
    } else {
        x
    }
}

fn vector<const N: usize>(rng: &mut Rng, f: impl Fn(&mut Rng) -> f32) -> Vector<f32, N> {
    let mut v = [0.0; N];
    for x in &mut v {
        *x = f(rng);
    }
    Vector::new(v)
}

#[test]
fn softmax_of_finite_scores_is_a_distribution() {
    let mut rng = Rng::new(1);
    for _ in 0..CASES {
        let x: Vector<f32, 7> = vector(&mut rng, any_finite);
        let y = Softmax.forward(&x);
        assert!(y.iter().all(|&p| (0.0..=1.0).contains(&p)), "{x:?} → {y:?}");
        let sum: f32 = y.iter().sum();
        assert!((sum - 1.0).abs() <= 4.0 * f32::EPSILON, "{x:?}: sum {sum}");
        // The largest score gets the largest probability.
        let best = (0..7).max_by(|&a, &b| x[a].total_cmp(&x[b])).unwrap();
        assert!(y.iter().all(|&p| p <= y[best]), "{x:?} → {y:?}");
    }
}

#[test]
fn softmax_with_a_nan_or_an_infinity_is_nan() {
    let mut rng = Rng::new(2);
    for case in 0..CASES {
        let mut x: Vector<f32, 5> = vector(&mut rng, any_finite);
        let bad = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][case % 3];
        x[rng.below(5)] = bad;
        let y = Softmax.forward(&x);
        if bad.is_nan() || bad == f32::INFINITY {
            assert!(y.iter().all(|p| p.is_nan()), "{x:?} → {y:?}");
        } else {
            // −∞ is a score with probability 0 (e^−∞ = 0); the rest still sum to 1.
            assert!(y.iter().all(|p| !p.is_nan()), "{x:?} → {y:?}");
            let sum: f32 = y.iter().sum();
            assert!((sum - 1.0).abs() <= 4.0 * f32::EPSILON, "{x:?}: sum {sum}");
        }
    }
}

#[test]
fn sigmoid_is_bounded_monotone_and_symmetric() {
    let mut rng = Rng::new(3);
    for _ in 0..CASES {
        let (a, b) = (any_finite(&mut rng), any_finite(&mut rng));
        let y = Sigmoid.forward(&Vector::new([a, b, -a]));
        assert!(
            y.iter().all(|&p| (0.0..=1.0).contains(&p)),
            "{a} {b} → {y:?}"
        );
        if a < b {
            assert!(y[0] <= y[1], "not monotone at {a} < {b}: {y:?}");
        }
        // σ(−a) = 1 − σ(a), to rounding.
        assert!((y[2] - (1.0 - y[0])).abs() <= f32::EPSILON, "{a}: {y:?}");
    }
    let y = Sigmoid.forward(&Vector::new([f32::NEG_INFINITY, f32::INFINITY, f32::NAN]));
    assert_eq!((y[0], y[1]), (0.0, 1.0));
    assert!(y[2].is_nan());
}

#[test]
fn cross_entropy_is_finite_and_non_negative_where_representable() {
    let mut rng = Rng::new(4);
    let loss = SoftmaxCrossEntropy;
    for _ in 0..CASES {
        // Logits within ±1e38: `logsumexp(z) − z_c ≤ 2e38` is representable.
        let z: Vector<f32, 6> = vector(&mut rng, |r| bounded(r, 1e38));
        let c = Class::<6>::new(rng.below(6)).unwrap();
        let (l, g) = loss.value_and_gradient(&z, &c);
        assert!(l.is_finite() && l >= 0.0, "{z:?} class {}: {l}", c.index());
        assert!(g.iter().all(|d| d.is_finite() && (-1.0..=1.0).contains(d)));
        // The gradient softmax(z) − onehot(c) sums to 0.
        let sum: f32 = g.iter().sum();
        assert!(
            sum.abs() <= 8.0 * f32::EPSILON,
            "{z:?}: gradient sums to {sum}"
        );
    }
    // Beyond that the true loss exceeds f32::MAX: +∞, not NaN and not a wrong finite number.
    let z = Vector::new([3e38_f32, -3e38]);
    assert_eq!(loss.value(&z, &Class::new(1).unwrap()), f32::INFINITY);
    // A NaN logit gives a NaN loss (which training reports as an error).
    let z = Vector::new([0.0_f32, f32::NAN]);
    assert!(loss.value(&z, &Class::new(0).unwrap()).is_nan());
}

#[test]
fn batch_cross_entropy_is_the_mean_of_the_samples() {
    let mut rng = Rng::new(5);
    for _ in 0..CASES / 10 {
        let batch = Batch::<f32, 4, 3>::from_fn(|_, _| bounded(&mut rng, 1e38));
        let targets: [Class<3>; 4] = core::array::from_fn(|_| Class::new(rng.below(3)).unwrap());
        let (mean, grad) = SoftmaxCrossEntropy.batch_value_and_gradient(&batch, &targets);
        let each: Vec<f32> = (0..4)
            .map(|s| SoftmaxCrossEntropy.value(&batch.sample(s), &targets[s]))
            .collect();
        let want: f64 = each.iter().map(|&l| l as f64).sum::<f64>() / 4.0;
        assert!(mean.is_finite(), "{batch:?}");
        assert!(
            (mean as f64 - want).abs() <= 1e-6 * want.abs().max(1.0),
            "{mean} vs {want}"
        );
        assert!(grad.as_slice().iter().all(|g| g.is_finite()));
    }
}

#[test]
fn bce_is_finite_and_non_negative_for_every_finite_logit() {
    let mut rng = Rng::new(6);
    let loss = BinaryCrossEntropyWithLogits;
    for _ in 0..CASES {
        let z: Vector<f32, 3> = vector(&mut rng, any_finite);
        let t: Vector<f32, 3> = vector(&mut rng, |r| r.next_f64() as f32);
        let (l, g) = loss.value_and_gradient(&z, &t);
        assert!(l.is_finite() && l >= 0.0, "{z:?} {t:?}: {l}");
        assert_eq!(l, loss.value(&z, &t));
        // ∂L/∂zᵢ = (σ(zᵢ) − tᵢ)/N lies in [−1/N, 1/N].
        assert!(
            g.iter()
                .all(|d| d.is_finite() && d.abs() <= 1.0 / 3.0 + f32::EPSILON)
        );
    }
    // Batches of the largest logits: every term near 3.4e38, their mean finite.
    let batch = Batch::<f32, 8, 2>::from_fn(|s, _| if s % 2 == 0 { f32::MAX } else { -f32::MAX });
    let targets: [Vector<f32, 2>; 8] =
        core::array::from_fn(|s| Vector::new([(s % 2) as f32, (s % 2) as f32]));
    let flipped = targets.map(|t| t.map(|v| 1.0 - v));
    // Every logit on the wrong side (z = +MAX for t = 0, −MAX for t = 1): each term is MAX.
    let (l, _) = loss.batch_value_and_gradient(&batch, &targets);
    assert_eq!(l, f32::MAX);
    let (l, _) = loss.batch_value_and_gradient(&batch, &flipped);
    assert_eq!(l, 0.0);
}
