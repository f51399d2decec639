//! The identity activation, `y = x`.

use super::Elementwise;
use crate::Real;

/// The identity: `y = x`, `dy/dx = 1`.
///
/// A placeholder for "no activation", e.g. on a regression output layer.
///
/// ```
/// use typegrad::activation::{Activation, Identity};
/// use typegrad::Vector;
/// let x = Vector::new([-2.0_f32, 0.0, 3.5]);
/// assert_eq!(Identity.forward(&x), x);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Identity;

impl Elementwise for Identity {
    /// `f(x) = x`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        x
    }

    /// `f'(x) = 1`.
    #[inline]
    fn derivative<T: Real>(&self, _x: T, _y: T) -> T {
        T::one()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Activation;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient, derivatives};

    const X: [f64; 5] = [-3.0, -0.5, 0.0, 0.5, 2.0];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        // y = x; dy/dx = 1 everywhere.
        assert_eq!(Identity.forward(&x), x);
        assert_eq!(derivatives(Identity, &x), Vector::filled(1.0));
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        assert_eq!(Identity.forward(&x), x);
        assert_eq!(derivatives(Identity, &x), Vector::filled(1.0));
    }

    #[test]
    fn backward_passes_the_gradient_through() {
        let x = Vector::new(X);
        let dy = Vector::new([0.7, -1.3, 2.0, 0.4, -0.9]);
        assert_eq!(Identity.backward(&x, &Identity.forward(&x), &dy), dy);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(
            Identity,
            [-3.0, -1.0, 0.0, 0.5, 2.0],
            [0.7, -1.3, 2.0, 0.4, -0.9],
        );
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Identity);
    }

    #[test]
    fn extreme_inputs() {
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        assert_eq!(Identity.forward(&x), x);
        assert_eq!(derivatives(Identity, &x), Vector::filled(1.0));
        let x32 = Vector::new([1e4_f32, -1e4]);
        assert_eq!(Identity.forward(&x32), x32);
    }
}
