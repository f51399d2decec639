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

/// Largest relative error between two gradients:
/// `maxᵢ |aᵢ − bᵢ| / max(|aᵢ| + |bᵢ|, 1e-12)`, or `∞` when the lengths differ.
/// Values below `1e-6` mean agreement for `f64`.
pub fn relative_error<T: Real>(a: &[T], b: &[T]) -> T {
    if a.len() != b.len() {
        return T::infinity();
    }
    let floor = T::from(1e-12).unwrap_or_else(T::epsilon);
    a.iter().zip(b).fold(T::zero(), |worst, (&x, &y)| {
        let e = (x - y).abs() / (x.abs() + y.abs()).max(floor);
        if e > worst || e.is_nan() { e } else { worst }
    })
}
