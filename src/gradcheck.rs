//! Finite-difference gradient checking.
//!
//! Every hand-written derivative in typegrad is tested against these numerical derivatives.
//! Use them for your own layers, activations and losses too.
//!
//! The central difference `(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h` has error `O(h²)`; with `f64`
//! and `h = 1e-6` a correct analytic gradient agrees to a relative error of about `1e-8`.
//!
//! ```
//! use typegrad::{gradcheck, Vector};
//! // f(x) = Σ xᵢ³, ∇f = 3xᵢ²
//! let x = Vector::new([0.5_f64, -1.0, 2.0]);
//! let analytic = x.map(|v| 3.0 * v * v);
//! let numeric = gradcheck::numeric_gradient(|x: &Vector<f64, 3>| x.map(|v| v * v * v).sum(), &x, 1e-6);
//! assert!(gradcheck::relative_error(analytic.as_slice(), numeric.as_slice()) < 1e-8);
//! ```

use crate::nn::Parameters;
use crate::{Real, Vector};

/// Numerical gradient of a scalar function by central differences:
/// `∂f/∂xᵢ ≈ (f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h`.
pub fn numeric_gradient<T: Real, const N: usize, F>(f: F, x: &Vector<T, N>, h: T) -> Vector<T, N>
where
    F: Fn(&Vector<T, N>) -> T,
{
    let two = T::one() + T::one();
    Vector::from_fn(|i| {
        let (mut plus, mut minus) = (*x, *x);
        plus[i] = plus[i] + h;
        minus[i] = minus[i] - h;
        (f(&plus) - f(&minus)) / (two * h)
    })
}

/// Numerical vector–Jacobian product of a vector function: `∂(u·g(x))/∂x` for a fixed `u`,
/// which is what a `backward` pass computes for output gradient `u`.
pub fn numeric_vjp<T: Real, const N: usize, const M: usize, G>(
    g: G,
    x: &Vector<T, N>,
    u: &Vector<T, M>,
    h: T,
) -> Vector<T, N>
where
    G: Fn(&Vector<T, N>) -> Vector<T, M>,
{
    numeric_gradient(|x| g(x).dot(u), x, h)
}

/// Relative error between two gradients, `‖a − b‖₂ / max(‖a‖₂ + ‖b‖₂, 1e-12)` (the usual
/// gradient-check measure), or `∞` when the lengths differ. Below `1e-7` means agreement for
/// `f64` with `h = 1e-6`; above `1e-4` means a wrong derivative.
///
/// A norm is used rather than the worst element: an element much smaller than the others is
/// dominated by the rounding noise of the finite difference, not by the derivative.
pub fn relative_error<T: Real>(a: &[T], b: &[T]) -> T {
    if a.len() != b.len() {
        return T::infinity();
    }
    let norm = |xs: &mut dyn Iterator<Item = T>| xs.fold(T::zero(), |acc, x| acc + x * x).sqrt();
    let diff = norm(&mut a.iter().zip(b).map(|(&x, &y)| x - y));
    let size = norm(&mut a.iter().copied()) + norm(&mut b.iter().copied());
    let floor = T::from(1e-12).unwrap_or_else(T::epsilon);
    diff / size.max(floor)
}

/// Numerical gradient of a scalar function of a network's (or any [`Parameters`] value's)
/// parameters, by central differences, returned as a value of the same type — directly
/// comparable with the gradient a `backward` pass accumulates.
///
/// It evaluates `f` twice per parameter: meant for tests on small networks.
pub fn numeric_param_gradient<T: Real, P: Parameters<T>, F>(f: F, params: &P, h: T) -> P
where
    F: Fn(&P) -> T,
{
    let two = T::one() + T::one();
    let mut grad = params.zeros_like();
    for k in 0..P::PARAMS {
        let (mut plus, mut minus) = (*params, *params);
        nudge(&mut plus, k, h);
        nudge(&mut minus, k, -h);
        let d = (f(&plus) - f(&minus)) / (two * h);
        nudge(&mut grad, k, d);
    }
    grad
}

/// Adds `delta` to the `k`-th parameter (in visiting order).
fn nudge<T: Real, P: Parameters<T>>(params: &mut P, k: usize, delta: T) {
    let mut offset = 0;
    params.visit_mut(&mut |slice| {
        if (offset..offset + slice.len()).contains(&k) {
            slice[k - offset] = slice[k - offset] + delta;
        }
        offset += slice.len();
    });
}

/// Relative error (as in [`relative_error`]) between two parameter-shaped values, e.g. an
/// analytic and a numerical gradient, over all their parameters together.
pub fn params_relative_error<T: Real, P: Parameters<T>>(a: &P, b: &P) -> T {
    let (mut diff, mut size_a, mut size_b) = (T::zero(), T::zero(), T::zero());
    a.visit_with(b, &mut |x, y| {
        for (&x, &y) in x.iter().zip(y) {
            diff = diff + (x - y) * (x - y);
            size_a = size_a + x * x;
            size_b = size_b + y * y;
        }
    });
    let floor = T::from(1e-12).unwrap_or_else(T::epsilon);
    diff.sqrt() / (size_a.sqrt() + size_b.sqrt()).max(floor)
}
