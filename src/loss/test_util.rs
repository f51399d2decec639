//! Shared checks for the loss tests.

use crate::gradcheck::{numeric_gradient, relative_error};
use crate::loss::Loss;
use crate::{Batch, Real, Vector};

/// `xs` converted to `T`.
pub(super) fn vector<T: Real, const N: usize>(xs: [f64; N]) -> Vector<T, N> {
    Vector::new(xs).map(|x| T::from(x).unwrap())
}

/// A tolerance of a few units in the last place of `T`, relative to `max(1, |expected|)`.
pub(super) fn assert_close<T: Real>(found: T, expected: f64) {
    let tol = 16.0 * T::epsilon().to_f64().unwrap() * expected.abs().max(1.0);
    let found = found.to_f64().unwrap();
    assert!(
        (found - expected).abs() <= tol,
        "found {found}, expected {expected} (tolerance {tol})"
    );
}

/// [`assert_close`] element by element.
pub(super) fn assert_vector_close<T: Real, const N: usize>(
    found: &Vector<T, N>,
    expected: [f64; N],
) {
    for (i, (&f, e)) in found.iter().zip(expected).enumerate() {
        let tol = 16.0 * T::epsilon().to_f64().unwrap() * e.abs().max(1.0);
        let f = f.to_f64().unwrap();
        assert!(
            (f - e).abs() <= tol,
            "element {i}: found {f}, expected {e} (tolerance {tol}) in {found:?}"
        );
    }
}

/// Checks the analytic gradient against central differences (`h = 1e-6`) and that
/// `value_and_gradient` agrees with `value` and `gradient`; returns the relative error.
pub(super) fn gradient_error<L, Target, const N: usize>(
    loss: &L,
    prediction: &Vector<f64, N>,
    target: &Target,
) -> f64
where
    L: Loss<f64, N, Target>,
{
    let analytic = loss.gradient(prediction, target);
    let numeric = numeric_gradient(|p| loss.value(p, target), prediction, 1e-6);
    let err = relative_error(analytic.as_slice(), numeric.as_slice());
    assert!(
        err < 1e-6,
        "relative error {err}: analytic {analytic:?}, numeric {numeric:?}"
    );
    let (value, grad) = loss.value_and_gradient(prediction, target);
    assert_close(value, loss.value(prediction, target));
    assert!(relative_error(grad.as_slice(), analytic.as_slice()) < 1e-12);
    err
}

/// Checks that the batch loss is the mean of the per-sample losses and the batch gradient is
/// the per-sample gradients divided by `B`.
pub(super) fn assert_batch_is_mean<L, Target, const B: usize, const N: usize>(
    loss: &L,
    predictions: &Batch<f64, B, N>,
    targets: &[Target; B],
) where
    L: Loss<f64, N, Target>,
{
    let (value, grad) = loss.batch_value_and_gradient(predictions, targets);
    let mut total = 0.0;
    for (s, target) in targets.iter().enumerate() {
        let p = predictions.sample(s);
        total += loss.value(&p, target);
        let expected = loss.gradient(&p, target).scale(1.0 / B as f64);
        assert_vector_close(&grad.sample(s), expected.into_array());
    }
    assert_close(value, total / B as f64);
}

/// Predictions and targets for a batch of three regression samples (used to check that the
/// batch loss is the mean of the per-sample losses).
pub(super) fn regression_batch() -> (crate::Batch<f64, 3, 3>, [Vector<f64, 3>; 3]) {
    let y = crate::Batch::from_samples([
        Vector::new([0.3, -1.2, 2.5]),
        Vector::new([1.0, 0.0, -2.0]),
        Vector::new([-0.7, 0.4, 0.1]),
    ]);
    let t = [
        Vector::new([1.0, -0.5, 2.0]),
        Vector::new([0.0, 0.0, 0.0]),
        Vector::new([0.5, 0.5, 0.5]),
    ];
    (y, t)
}
