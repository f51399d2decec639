//! Softplus, a smooth ReLU, computed without overflow.

use super::Elementwise;
use super::sigmoid::sigmoid;
use crate::Real;

/// Softplus: `y = ln(1 + e^{x})`.
///
/// Derivative: `dy/dx = e^{x} / (1 + e^{x}) = σ(x)`, the logistic sigmoid (evaluated stably,
/// as in [`Sigmoid`](super::Sigmoid)).
///
/// Numerically stable: evaluated as `max(x, 0) + ln(1 + e^{−|x|})` (with `ln_1p`), so the
/// exponential never overflows and large `x` gives `x` exactly.
///
/// ```
/// use typegrad::activation::{Activation, Softplus};
/// use typegrad::Vector;
/// let y = Softplus.forward(&Vector::new([1e4_f32, -1e4]));
/// assert_eq!(y, Vector::new([1e4, 0.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Softplus;

impl Elementwise for Softplus {
    /// `f(x) = max(x, 0) + ln(1 + e^{−|x|})`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        // `max` would drop a NaN; `x > 0` is false for it and `(-|x|).exp()` keeps it.
        let positive = if x > T::zero() { x } else { T::zero() };
        positive + (-x.abs()).exp().ln_1p()
    }

    /// `f'(x) = σ(x)`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        sigmoid(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Activation;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient, derivatives};
    use approx::assert_relative_eq;

    const X: [f64; 7] = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0];
    // ln(1 + e^{x}) at X (mpmath at 40 digits, rounded to the nearest f64); ln 2 at x = 0, and
    // softplus(x) − softplus(−x) = x.
    const Y: [f64; 7] = [
        0.04858735157374206,
        0.3132616875182228,
        0.4740769841801067,
        core::f64::consts::LN_2,
        0.9740769841801067,
        1.3132616875182228,
        2.1269280110429725,
    ];
    // σ(x) = 1 / (1 + e^{−x}) at X (mpmath).
    const DYDX: [f64; 7] = [
        0.04742587317756678,
        0.2689414213699951,
        0.37754066879814544,
        0.5,
        0.6224593312018546,
        0.7310585786300049,
        0.8807970779778824,
    ];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        assert_relative_eq!(
            Softplus.forward(&x).as_slice(),
            &Y[..],
            max_relative = 1e-15
        );
        assert_relative_eq!(
            derivatives(Softplus, &x).as_slice(),
            &DYDX[..],
            max_relative = 1e-15
        );
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let (y, d) = (Y.map(|v| v as f32), DYDX.map(|v| v as f32));
        assert_relative_eq!(Softplus.forward(&x).as_slice(), &y[..], max_relative = 1e-6);
        assert_relative_eq!(
            derivatives(Softplus, &x).as_slice(),
            &d[..],
            max_relative = 1e-6
        );
    }

    #[test]
    fn accurate_in_the_tails() {
        // ln(1 + e^{−40}) = e^{−40} − e^{−80}/2 + … = 4.248354255291589e-18 (mpmath), which a
        // plain ln(1 + e^{x}) would round to 0; softplus(40) = 40 + that.
        assert_relative_eq!(
            Softplus.value(-40.0_f64),
            4.248354255291589e-18,
            max_relative = 1e-15
        );
        assert_eq!(Softplus.value(40.0_f64), 40.0);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(Softplus, X, [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25]);
        // Tails one at a time, so that the finite-difference noise of a large output does not
        // swamp a small derivative elsewhere in the vector.
        for x in [-8.0, -5.0, 4.0, 9.0] {
            assert_gradient(Softplus, [x], [-1.7]);
        }
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Softplus);
    }

    #[test]
    fn extreme_inputs_f64() {
        // softplus(x) = x + ln(1 + e^{−x}) → x; softplus(−x) = ln(1 + e^{−x}) → 0 (e^{−1e4}
        // underflows). Derivative σ(x) → 1 or 0.
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        let y = Softplus.forward(&x);
        assert!(y.is_finite());
        assert_eq!(y.into_array(), [1e4, 0.0, 1e30, 0.0]);
        assert_eq!(derivatives(Softplus, &x).into_array(), [1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn extreme_inputs_f32() {
        let x = Vector::new([1e4_f32, -1e4, 1e30, -1e30]);
        let y = Softplus.forward(&x);
        assert!(y.is_finite());
        assert_eq!(y.into_array(), [1e4, 0.0, 1e30, 0.0]);
        assert_eq!(derivatives(Softplus, &x).into_array(), [1.0, 0.0, 1.0, 0.0]);
    }

    #[test]
    fn nan_propagates() {
        assert!(Softplus.value(f64::NAN).is_nan());
        assert!(Softplus.value(f32::NAN).is_nan());
    }
}
