//! The Gaussian error linear unit, in its tanh approximation.

use super::Elementwise;
use super::constant;
use super::sigmoid::{sigmoid, sigmoid_derivative};
use crate::Real;

/// `√(2/π)`.
const SQRT_2_OVER_PI: f64 = 0.797_884_560_802_865_4;
/// The cubic coefficient of the approximation.
const CUBIC: f64 = 0.044_715;

/// The Gaussian error linear unit, tanh approximation:
/// `y = ½x(1 + tanh(u))` with `u = √(2/π)(x + 0.044715x³)`.
///
/// Derivative (exact, of this approximation):
/// `dy/dx = ½(1 + tanh(u)) + ½x(1 − tanh²(u))·√(2/π)(1 + 3·0.044715x²)`.
///
/// Evaluated through the identity `½(1 + tanh(u)) = σ(2u)` (and so
/// `½(1 − tanh²(u)) = 2σ'(2u)`) with the stable [`Sigmoid`](super::Sigmoid): `y = x·σ(2u)`,
/// `dy/dx = σ(2u) + 2x·σ'(2u)·√(2/π)(1 + 3·0.044715x²)`. This is the same function, without
/// the cancellation in `1 + tanh(u)` for negative `x` and without `0·∞` for huge `|x|`.
///
/// ```
/// use typegrad::activation::{Activation, Gelu};
/// use typegrad::Vector;
/// let y = Gelu.forward(&Vector::new([0.0_f64, 1e4, -1e4]));
/// assert_eq!(y.into_array(), [0.0, 1e4, 0.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Gelu;

impl Gelu {
    /// `2u = 2√(2/π)(x + 0.044715x³)`.
    #[inline]
    fn two_u<T: Real>(x: T) -> T {
        constant::<T>(2.0 * SQRT_2_OVER_PI) * (x + constant::<T>(CUBIC) * x * x * x)
    }
}

impl Elementwise for Gelu {
    /// `f(x) = ½x(1 + tanh(√(2/π)(x + 0.044715x³)))`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        x * sigmoid(Self::two_u(x))
    }

    /// `f'(x) = ½(1 + tanh(u)) + ½x(1 − tanh²(u))·√(2/π)(1 + 3·0.044715x²)`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        let two_u = Self::two_u(x);
        let s = sigmoid(two_u);
        let ds = sigmoid_derivative(two_u);
        if ds == T::zero() {
            // Saturated (|x| ≳ 10): the second term is 0, even where x³ overflowed to ±∞.
            return s;
        }
        let du_dx = constant::<T>(SQRT_2_OVER_PI) * (T::one() + constant::<T>(3.0 * CUBIC) * x * x);
        s + (T::one() + T::one()) * x * ds * du_dx
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
    // ½x(1 + tanh(√(2/π)(x + 0.044715x³))) at X, written with tanh directly (mpmath at 40
    // digits, rounded to the nearest f64). gelu(x) − gelu(−x) = x.
    const Y: [f64; 7] = [
        -0.0036373920817730188,
        -0.1588080093917233,
        -0.15428599017485608,
        0.0,
        0.34571400982514392,
        0.8411919906082767,
        1.954597694087775,
    ];
    // d/dx of the same expression (mpmath numerical differentiation at 40 digits);
    // ½ at x = 0, and gelu'(x) + gelu'(−x) = 1.
    const DYDX: [f64; 7] = [
        -0.011584166630969726,
        -0.08296408384578255,
        0.1326300964653577,
        0.5,
        0.8673699035346423,
        1.0829640838457826,
        1.0860992566236184,
    ];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        assert_relative_eq!(Gelu.forward(&x).as_slice(), &Y[..], max_relative = 1e-14);
        assert_relative_eq!(
            derivatives(Gelu, &x).as_slice(),
            &DYDX[..],
            max_relative = 1e-14
        );
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let (y, d) = (Y.map(|v| v as f32), DYDX.map(|v| v as f32));
        assert_relative_eq!(Gelu.forward(&x).as_slice(), &y[..], max_relative = 1e-5);
        assert_relative_eq!(
            derivatives(Gelu, &x).as_slice(),
            &d[..],
            max_relative = 1e-5
        );
    }

    #[test]
    fn matches_the_tanh_form() {
        // The σ(2u) evaluation is the textbook tanh formula, where the latter is accurate.
        let c = (2.0 / core::f64::consts::PI).sqrt();
        assert_relative_eq!(c, SQRT_2_OVER_PI, max_relative = 1e-16);
        for x in [-2.0_f64, -0.7, 0.1, 0.9, 1.3, 3.0] {
            let t = (c * (x + 0.044715 * x * x * x)).tanh();
            let y = 0.5 * x * (1.0 + t);
            let d = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * c * (1.0 + 3.0 * 0.044715 * x * x);
            assert_relative_eq!(Gelu.value(x), y, max_relative = 1e-13);
            assert_relative_eq!(Gelu.derivative(x, y), d, max_relative = 1e-13);
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(Gelu, X, [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25]);
        // Further points one at a time, so that the finite-difference noise of a large output
        // does not swamp a small derivative elsewhere in the vector.
        for x in [-4.0, -0.75, 0.25, 3.5] {
            assert_gradient(Gelu, [x], [-1.7]);
        }
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Gelu);
    }

    #[test]
    fn extreme_inputs() {
        // Saturated: gelu(x) = x·σ(2u) with σ(2u) = 1 (x ≫ 0) or 0 (x ≪ 0); slope 1 or 0.
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        let y = Gelu.forward(&x);
        assert_eq!(y.into_array(), [1e4, 0.0, 1e30, 0.0]);
        assert_eq!(derivatives(Gelu, &x).into_array(), [1.0, 0.0, 1.0, 0.0]);
        // In f32, x³ overflows to ±∞ for |x| = 1e30: still finite results.
        let x32 = Vector::new([1e4_f32, -1e4, 1e30, -1e30]);
        let y32 = Gelu.forward(&x32);
        assert_eq!(y32.into_array(), [1e4, 0.0, 1e30, 0.0]);
        assert_eq!(derivatives(Gelu, &x32).into_array(), [1.0, 0.0, 1.0, 0.0]);
    }
}
