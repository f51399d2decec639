//! [`Mse`]: mean squared error.

use crate::loss::{Loss, mean};
use crate::{Real, Vector};

/// Mean squared error between a prediction `ŷ` and a target `t` of the same length:
///
/// `L = (1/N) Σᵢ (ŷᵢ − tᵢ)²`, `∂L/∂ŷᵢ = 2 (ŷᵢ − tᵢ) / N`.
///
/// ```
/// use typegrad::loss::{Loss, Mse};
/// use typegrad::Vector;
/// let (y, t) = (Vector::new([1.0_f32, 2.0]), Vector::new([0.0, 4.0]));
/// assert_eq!(Mse.value(&y, &t), 2.5); // (1² + 2²) / 2
/// assert_eq!(Mse.gradient(&y, &t), Vector::new([1.0, -2.0])); // 2·(1, −2) / 2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mse;

impl<T: Real, const N: usize> Loss<T, N, Vector<T, N>> for Mse {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> T {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let n = T::from_count(N);
        let terms = prediction.iter().zip(target.iter());
        mean(terms.map(|(&y, &t)| (y - t) * (y - t)), |s| s / n)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> Vector<T, N> {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let k = (T::one() + T::one()) / T::from_count(N);
        prediction.zip_map(target, |y, t| (y - t) * k)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::test_util::{
        assert_batch_is_mean, assert_close, assert_vector_close, gradient_error, regression_batch,
        vector,
    };

    fn hand_computed<T: Real>() {
        let y = vector::<T, 4>([1.0, 2.0, 3.0, 4.0]);
        let t = vector::<T, 4>([0.0, 2.0, 5.0, 3.5]);
        // d = ŷ − t = (1, 0, −2, 0.5); d² = (1, 0, 4, 0.25); Σ = 5.25; L = 5.25 / 4 = 1.3125
        assert_close(Mse.value(&y, &t), 1.3125);
        // ∂L/∂ŷ = 2d / 4 = (0.5, 0, −1, 0.25)
        assert_vector_close(&Mse.gradient(&y, &t), [0.5, 0.0, -1.0, 0.25]);
        let (l, g) = Mse.value_and_gradient(&y, &t);
        assert_close(l, 1.3125);
        assert_vector_close(&g, [0.5, 0.0, -1.0, 0.25]);
        // A perfect prediction costs nothing.
        assert_close(Mse.value(&t, &t), 0.0);
    }

    #[test]
    fn values_f32() {
        hand_computed::<f32>();
    }

    #[test]
    fn values_f64() {
        hand_computed::<f64>();
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let y = Vector::new([0.3, -1.2, 2.5, 0.7, -0.4]);
        let t = Vector::new([1.0, -0.5, 2.0, -0.3, 0.6]);
        gradient_error(&Mse, &y, &t);
        let y = Vector::new([10.0, -20.0, 1.5]);
        let t = Vector::new([-3.0, 4.0, 0.25]);
        gradient_error(&Mse, &y, &t);
    }

    #[test]
    fn batch_is_mean_of_samples() {
        let (y, t) = regression_batch();
        assert_batch_is_mean(&Mse, &y, &t);
    }
}
