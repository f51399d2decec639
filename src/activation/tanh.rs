//! The hyperbolic tangent.

use super::Elementwise;
use crate::Real;

/// The hyperbolic tangent: `y = tanh(x) = (e^{x} − e^{−x}) / (e^{x} + e^{−x})`.
///
/// Derivative: `dy/dx = 1 − tanh²(x) = 1 − y²`, evaluated as `(1 − y)(1 + y)`, which rounds
/// less when `|y|` is close to `1`.
///
/// ```
/// use typegrad::activation::{Activation, Tanh};
/// use typegrad::Vector;
/// let y = Tanh.forward(&Vector::new([0.0_f32, 1e4, -1e4]));
/// assert_eq!(y, Vector::new([0.0, 1.0, -1.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Tanh;

impl Elementwise for Tanh {
    /// `f(x) = tanh(x)`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        x.tanh()
    }

    /// `f'(x) = 1 − y²`.
    #[inline]
    fn derivative<T: Real>(&self, _x: T, y: T) -> T {
        (T::one() - y) * (T::one() + y)
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
    // tanh(x) at X (mpmath at 40 digits, rounded to the nearest f64); tanh is odd.
    const Y: [f64; 7] = [
        -0.9950547536867305,
        -0.7615941559557649,
        -0.46211715726000976,
        0.0,
        0.46211715726000976,
        0.7615941559557649,
        0.9640275800758169,
    ];
    // 1 − tanh²(x) at X (mpmath); 1 at x = 0.
    const DYDX: [f64; 7] = [
        0.00986603716544019,
        0.4199743416140261,
        0.7864477329659274,
        1.0,
        0.7864477329659274,
        0.4199743416140261,
        0.07065082485316447,
    ];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        assert_relative_eq!(Tanh.forward(&x).as_slice(), &Y[..], max_relative = 1e-15);
        // 1 − y² loses relative accuracy as |y| → 1 (at x = −3: y ≈ −0.995).
        assert_relative_eq!(
            derivatives(Tanh, &x).as_slice(),
            &DYDX[..],
            max_relative = 1e-13
        );
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let (y, d) = (Y.map(|v| v as f32), DYDX.map(|v| v as f32));
        assert_relative_eq!(Tanh.forward(&x).as_slice(), &y[..], max_relative = 1e-6);
        assert_relative_eq!(
            derivatives(Tanh, &x).as_slice(),
            &d[..],
            max_relative = 1e-5
        );
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(Tanh, X, [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25]);
        // Further points one at a time, so that the finite-difference noise of a large output
        // does not swamp a small derivative elsewhere in the vector.
        for x in [-4.0, -0.1, 0.05, 3.5] {
            assert_gradient(Tanh, [x], [-1.7]);
        }
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Tanh);
    }

    #[test]
    fn extreme_inputs() {
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        // tanh saturates to ±1 (exactly, in floating point); the derivative to 0.
        assert_eq!(Tanh.forward(&x).into_array(), [1.0, -1.0, 1.0, -1.0]);
        assert_eq!(derivatives(Tanh, &x).into_array(), [0.0; 4]);
        let x32 = Vector::new([1e4_f32, -1e4]);
        assert_eq!(Tanh.forward(&x32).into_array(), [1.0, -1.0]);
        assert_eq!(derivatives(Tanh, &x32).into_array(), [0.0; 2]);
    }
}
