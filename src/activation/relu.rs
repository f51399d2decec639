//! Rectified linear units: [`Relu`], [`Relu6`] and [`LeakyRelu`].

use super::{Elementwise, constant};
use crate::Real;

/// The rectified linear unit: `y = max(x, 0)`.
///
/// Derivative: `dy/dx = 1` for `x > 0`, `0` for `x ≤ 0` (the kink at `0` gets `0`).
/// A NaN input gives a NaN output.
///
/// ```
/// use typegrad::activation::{Activation, Relu};
/// use typegrad::Vector;
/// let y = Relu.forward(&Vector::new([-2.0_f32, 0.0, 3.5]));
/// assert_eq!(y, Vector::new([0.0, 0.0, 3.5]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Relu;

impl Elementwise for Relu {
    /// `f(x) = x` for `x > 0`, else `0`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        // `x <= 0` is false for NaN, which therefore passes through.
        if x <= T::zero() { T::zero() } else { x }
    }

    /// `f'(x) = 1` for `x > 0`, else `0`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        if x > T::zero() { T::one() } else { T::zero() }
    }
}

/// The rectified linear unit capped at 6 (MobileNet's clamp): `y = min(max(x, 0), 6)`.
///
/// Derivative: `dy/dx = 1` for `0 < x < 6`, else `0` (both kinks get `0`). A NaN input gives
/// a NaN output. Quantized, it is fused into the dense layer before it, as TFLite's `RELU6`.
///
/// ```
/// use typegrad::activation::{Activation, Relu6};
/// use typegrad::Vector;
/// let y = Relu6.forward(&Vector::new([-2.0_f32, 3.5, 9.0]));
/// assert_eq!(y, Vector::new([0.0, 3.5, 6.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Relu6;

impl Elementwise for Relu6 {
    /// `f(x) = min(max(x, 0), 6)`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        let six = T::from_f64(6.0);
        // Both comparisons are false for NaN, which therefore passes through.
        if x <= T::zero() {
            T::zero()
        } else if x >= six {
            six
        } else {
            x
        }
    }

    /// `f'(x) = 1` for `0 < x < 6`, else `0`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        if x > T::zero() && x < T::from_f64(6.0) {
            T::one()
        } else {
            T::zero()
        }
    }
}

/// The leaky rectified linear unit: `y = x` for `x > 0`, `y = slope·x` for `x ≤ 0`.
///
/// Derivative: `dy/dx = 1` for `x > 0`, `slope` for `x ≤ 0` (the kink at `0` gets `slope`).
/// The default slope is `0.01`.
///
/// ```
/// use typegrad::activation::{Activation, LeakyRelu};
/// use typegrad::Vector;
/// let y = LeakyRelu::new(0.1).forward(&Vector::new([-2.0_f64, 3.5]));
/// assert_eq!(y, Vector::new([-0.2, 3.5]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct LeakyRelu {
    /// The slope for negative inputs.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::interop::serde_impls::finite")
    )]
    pub slope: f64,
}

impl LeakyRelu {
    /// A leaky ReLU with the given slope for negative inputs.
    #[inline]
    pub const fn new(slope: f64) -> Self {
        Self { slope }
    }
}

impl Default for LeakyRelu {
    /// Slope `0.01`.
    #[inline]
    fn default() -> Self {
        Self::new(0.01)
    }
}

impl Elementwise for LeakyRelu {
    /// `f(x) = x` for `x > 0`, else `slope·x`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        if x > T::zero() {
            x
        } else {
            constant::<T>(self.slope) * x
        }
    }

    /// `f'(x) = 1` for `x > 0`, else `slope`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            constant(self.slope)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Activation;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient, derivatives};

    const X: [f64; 7] = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0];
    /// Points for the gradient check, away from the kink at 0.
    const XG: [f64; 7] = [-3.0, -1.0, -0.5, -1e-3, 1e-3, 1.0, 2.0];
    const DY: [f64; 7] = [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25];

    // max(x, 0) at X, and its derivative (1 for x > 0, 0 for x ≤ 0, including x = 0).
    const RELU_Y: [f64; 7] = [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 2.0];
    const RELU_DY: [f64; 7] = [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0];
    // slope = 0.1: 0.1·x for x ≤ 0 (−0.3, −0.1, −0.05, 0), x otherwise; derivative 0.1 / 1.
    const LEAKY_Y: [f64; 7] = [-0.3, -0.1, -0.05, 0.0, 0.5, 1.0, 2.0];
    const LEAKY_DY: [f64; 7] = [0.1, 0.1, 0.1, 0.1, 1.0, 1.0, 1.0];

    #[test]
    fn relu_values_and_derivatives() {
        let x = Vector::new(X);
        assert_eq!(Relu.forward(&x).into_array(), RELU_Y);
        assert_eq!(derivatives(Relu, &x).into_array(), RELU_DY);
        let x32 = Vector::new(X.map(|v| v as f32));
        assert_eq!(Relu.forward(&x32).into_array(), RELU_Y.map(|v| v as f32));
        assert_eq!(
            derivatives(Relu, &x32).into_array(),
            RELU_DY.map(|v| v as f32)
        );
    }

    #[test]
    fn relu_propagates_nan() {
        assert!(Relu.value(f64::NAN).is_nan());
        assert!(Relu.value(f32::NAN).is_nan());
    }

    #[test]
    fn leaky_relu_values_and_derivatives() {
        let act = LeakyRelu::new(0.1);
        let x = Vector::new(X);
        approx::assert_relative_eq!(
            act.forward(&x).as_slice(),
            &LEAKY_Y[..],
            max_relative = 1e-15
        );
        approx::assert_relative_eq!(
            derivatives(act, &x).as_slice(),
            &LEAKY_DY[..],
            max_relative = 1e-15
        );
        let x32 = Vector::new(X.map(|v| v as f32));
        approx::assert_relative_eq!(
            act.forward(&x32).as_slice(),
            &LEAKY_Y.map(|v| v as f32)[..],
            max_relative = 1e-6
        );
        approx::assert_relative_eq!(
            derivatives(act, &x32).as_slice(),
            &LEAKY_DY.map(|v| v as f32)[..],
            max_relative = 1e-6
        );
    }

    #[test]
    fn leaky_relu_default_slope() {
        assert_eq!(LeakyRelu::default(), LeakyRelu::new(0.01));
        // −2 · 0.01 = −0.02
        approx::assert_relative_eq!(LeakyRelu::default().value(-2.0_f64), -0.02);
    }

    #[test]
    fn relu6_values_and_derivatives() {
        // min(max(x, 0), 6) at −3, 0, 0.5, 5.9, 6, 8, and its derivative (1 strictly inside).
        let x = Vector::new([-3.0, 0.0, 0.5, 5.9, 6.0, 8.0]);
        assert_eq!(
            Relu6.forward(&x).into_array(),
            [0.0, 0.0, 0.5, 5.9, 6.0, 6.0]
        );
        assert_eq!(
            derivatives(Relu6, &x).into_array(),
            [0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
        );
        assert!(Relu6.value(f32::NAN).is_nan());
        // Away from both kinks.
        assert_gradient(Relu6, [-3.0, -0.5, 1e-3, 1.0, 5.5, 6.5, 9.0], DY);
        assert_batch_forms(Relu6);
    }

    #[test]
    fn gradients_match_finite_differences() {
        assert_gradient(Relu, XG, DY);
        assert_gradient(LeakyRelu::default(), XG, DY);
        assert_gradient(LeakyRelu::new(0.3), XG, DY);
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Relu);
        assert_batch_forms(LeakyRelu::default());
        assert_batch_forms(LeakyRelu::new(0.3));
    }

    #[test]
    fn extreme_inputs() {
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        // max(x, 0); leaky: 0.01·(−1e4) = −100, 0.01·(−1e30) = −1e28.
        assert_eq!(Relu.forward(&x).into_array(), [1e4, 0.0, 1e30, 0.0]);
        assert_eq!(derivatives(Relu, &x).into_array(), [1.0, 0.0, 1.0, 0.0]);
        approx::assert_relative_eq!(
            LeakyRelu::default().forward(&x).as_slice(),
            &[1e4, -100.0, 1e30, -1e28][..],
            max_relative = 1e-15
        );
        let x32 = Vector::new([1e4_f32, -1e4]);
        assert_eq!(Relu.forward(&x32).into_array(), [1e4, 0.0]);
        approx::assert_relative_eq!(
            LeakyRelu::default().forward(&x32).as_slice(),
            &[1e4_f32, -100.0][..],
            max_relative = 1e-6
        );
    }
}
