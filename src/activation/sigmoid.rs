//! The logistic sigmoid, computed without overflow.

use super::Elementwise;
use crate::Real;

/// The logistic sigmoid: `y = σ(x) = 1 / (1 + e^{−x})`.
///
/// Derivative: `dy/dx = σ(x)·(1 − σ(x)) = y(1 − y)`.
///
/// Numerically stable: `1 / (1 + e^{−x})` for `x ≥ 0` and `e^{x} / (1 + e^{x})` for `x < 0`,
/// so `e^{…}` never overflows and every finite input gives a value in `[0, 1]`. The
/// derivative is evaluated as `e^{−|x|} / (1 + e^{−|x|})²` (the same number as `y(1 − y)`),
/// which keeps its relative accuracy where `y` rounds to `1`.
///
/// ```
/// use typegrad::activation::{Activation, Sigmoid};
/// use typegrad::Vector;
/// let y = Sigmoid.forward(&Vector::new([0.0_f32, 1e4, -1e4]));
/// assert_eq!(y, Vector::new([0.5, 1.0, 0.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sigmoid;

impl Elementwise for Sigmoid {
    /// `f(x) = 1 / (1 + e^{−x})`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        sigmoid(x)
    }

    /// `f'(x) = y(1 − y)`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        sigmoid_derivative(x)
    }
}

/// `σ(x) = 1 / (1 + e^{−x})` without overflow: the exponent is never positive.
/// NaN for a NaN input.
#[inline]
pub(crate) fn sigmoid<T: Real>(x: T) -> T {
    if x >= T::zero() {
        T::one() / (T::one() + (-x).exp())
    } else {
        // Also reached for NaN, which propagates.
        let e = x.exp();
        e / (T::one() + e)
    }
}

/// `σ'(x) = σ(x)(1 − σ(x)) = e^{−|x|} / (1 + e^{−|x|})²`, without overflow and accurate in
/// both tails.
#[inline]
pub(crate) fn sigmoid_derivative<T: Real>(x: T) -> T {
    let e = (-x.abs()).exp();
    let d = T::one() + e;
    e / (d * d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Activation;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient, derivatives};
    use approx::assert_relative_eq;

    const X: [f64; 7] = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0];
    // 1 / (1 + e^{−x}) at X (mpmath at 40 digits, rounded to the nearest f64).
    // σ(0) = 1/2 exactly; σ(−x) = 1 − σ(x).
    const Y: [f64; 7] = [
        0.04742587317756678,
        0.2689414213699951,
        0.37754066879814544,
        0.5,
        0.6224593312018546,
        0.7310585786300049,
        0.8807970779778824,
    ];
    // y(1 − y) at X (mpmath); σ'(0) = 1/4 exactly.
    const DYDX: [f64; 7] = [
        0.04517665973091213,
        0.19661193324148185,
        0.2350037122015945,
        0.25,
        0.2350037122015945,
        0.19661193324148185,
        0.10499358540350652,
    ];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        assert_relative_eq!(Sigmoid.forward(&x).as_slice(), &Y[..], max_relative = 1e-15);
        assert_relative_eq!(
            derivatives(Sigmoid, &x).as_slice(),
            &DYDX[..],
            max_relative = 1e-15
        );
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let (y, d) = (Y.map(|v| v as f32), DYDX.map(|v| v as f32));
        assert_relative_eq!(Sigmoid.forward(&x).as_slice(), &y[..], max_relative = 1e-6);
        assert_relative_eq!(
            derivatives(Sigmoid, &x).as_slice(),
            &d[..],
            max_relative = 1e-6
        );
    }

    #[test]
    fn derivative_equals_y_times_one_minus_y() {
        for x in [-7.0, -2.5, -0.1, 0.0, 0.3, 1.7, 6.0] {
            let y = sigmoid(x);
            assert_relative_eq!(sigmoid_derivative(x), y * (1.0 - y), max_relative = 1e-13);
        }
    }

    #[test]
    fn derivative_keeps_accuracy_in_the_tail() {
        // σ'(40) = e^{−40}/(1 + e^{−40})² ≈ e^{−40} = 4.248354255291589e-18, where y(1 − y)
        // would give 0 because σ(40) rounds to 1.
        assert_relative_eq!(
            sigmoid_derivative(40.0_f64),
            4.248354255291589e-18,
            max_relative = 1e-14
        );
        assert_relative_eq!(
            sigmoid_derivative(-40.0_f64),
            4.248354255291589e-18,
            max_relative = 1e-14
        );
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(Sigmoid, X, [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25]);
        // Tails one at a time, so that the finite-difference noise of a large output does not
        // swamp a small derivative elsewhere in the vector.
        for x in [-8.0, -5.0, 4.0, 6.0] {
            assert_gradient(Sigmoid, [x], [-1.7]);
        }
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Sigmoid);
    }

    #[test]
    fn extreme_inputs_f64() {
        let x = Vector::new([1e4, -1e4, 1e30, -1e30, 800.0, -800.0]);
        let y = Sigmoid.forward(&x);
        // e^{−1e4}, e^{−1e30}, e^{−800} all underflow to 0: σ = 1 above, 0 below.
        assert_eq!(y.into_array(), [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]);
        let d = derivatives(Sigmoid, &x);
        assert_eq!(d.into_array(), [0.0; 6]);
        assert!(y.is_finite() && d.is_finite());
    }

    #[test]
    fn extreme_inputs_f32() {
        let x = Vector::new([1e4_f32, -1e4, 1e30, -1e30, 100.0, -100.0]);
        let y = Sigmoid.forward(&x);
        assert!(y.iter().all(|v| (0.0..=1.0).contains(v)));
        // e^{−1e4}, e^{−1e30} underflow to 0 in f32; e^{−100} ≈ 3.7e-44 is subnormal, so
        // σ(100) rounds to 1 and σ(−100) ≈ 3.7e-44.
        assert_eq!(&y.as_slice()[..5], &[1.0, 0.0, 1.0, 0.0, 1.0]);
        assert!(y[5] >= 0.0 && y[5] < 1e-40);
        let d = derivatives(Sigmoid, &x);
        assert!(d.is_finite());
        assert_eq!(&d.as_slice()[..4], &[0.0; 4]);
    }

    #[test]
    fn nan_propagates() {
        assert!(Sigmoid.value(f64::NAN).is_nan());
        assert!(Sigmoid.value(f32::NAN).is_nan());
    }
}
