//! Checks shared by the activation tests: finite-difference gradients and batch/sample agreement.

use super::Activation;
use crate::gradcheck::{numeric_vjp, relative_error};
use crate::{Batch, Real, Vector};

/// Step of the central differences (`f64`).
const H: f64 = 1e-6;

/// Largest relative error between `act.backward` and a finite-difference vector–Jacobian
/// product at `x` with upstream gradient `dy`.
pub(crate) fn gradient_error<A: Activation, const N: usize>(
    act: A,
    x: [f64; N],
    dy: [f64; N],
) -> f64 {
    let (x, dy) = (Vector::new(x), Vector::new(dy));
    let y = act.forward(&x);
    let analytic = act.backward(&x, &y, &dy);
    let numeric = numeric_vjp(|x: &Vector<f64, N>| act.forward(x), &x, &dy, H);
    relative_error(analytic.as_slice(), numeric.as_slice())
}

/// Asserts that `act.backward` agrees with finite differences to a relative error below `1e-6`.
pub(crate) fn assert_gradient<A: Activation, const N: usize>(act: A, x: [f64; N], dy: [f64; N]) {
    let err = gradient_error(act, x, dy);
    assert!(
        err < 1e-6,
        "{act:?}: relative gradient error {err:e} at x = {x:?}, dy = {dy:?}"
    );
}

/// Asserts that the batch forms give exactly what the per-sample forms give.
pub(crate) fn assert_batch_matches_samples<
    A: Activation,
    T: Real,
    const B: usize,
    const N: usize,
>(
    act: A,
    x: Batch<T, B, N>,
    dy: Batch<T, B, N>,
) {
    let y = act.forward_batch(&x);
    let dx = act.backward_batch(&x, &y, &dy);
    for s in 0..B {
        let xs = x.sample(s);
        let ys = act.forward(&xs);
        assert_eq!(
            y.sample(s).as_slice(),
            ys.as_slice(),
            "{act:?}: forward of sample {s}"
        );
        let dxs = act.backward(&xs, &ys, &dy.sample(s));
        assert_eq!(
            dx.sample(s).as_slice(),
            dxs.as_slice(),
            "{act:?}: backward of sample {s}"
        );
    }
}

/// `act.backward` with an upstream gradient of ones: the diagonal of the Jacobian for an
/// element-wise activation.
pub(crate) fn derivatives<A: Activation, T: Real, const N: usize>(
    act: A,
    x: &Vector<T, N>,
) -> Vector<T, N> {
    let y = act.forward(x);
    act.backward(x, &y, &Vector::filled(T::one()))
}

/// [`assert_batch_matches_samples`] on a fixed 3 × 4 batch (values in `[−2, 2.1]`, none zero),
/// in `f64` and in `f32`.
pub(crate) fn assert_batch_forms<A: Activation>(act: A) {
    let x = Batch::<f64, 3, 4>::from_fn(|s, i| s as f64 - 0.7 * i as f64 + 0.1);
    let dy = Batch::<f64, 3, 4>::from_fn(|s, i| 0.3 * i as f64 - s as f64 + 0.2);
    assert_batch_matches_samples(act, x, dy);
    assert_batch_matches_samples(act, x.map(|v| v as f32), dy.map(|v| v as f32));
}
