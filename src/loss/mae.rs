//! [`Mae`]: mean absolute error.

use crate::loss::{Loss, mean};
use crate::{Real, Vector};

/// Mean absolute error between a prediction `ŷ` and a target `t` of the same length:
///
/// `L = (1/N) Σᵢ |ŷᵢ − tᵢ|`, `∂L/∂ŷᵢ = sign(ŷᵢ − tᵢ) / N`.
///
/// `|·|` has no derivative at `ŷᵢ = tᵢ`; the gradient there is the subgradient `0`.
///
/// ```
/// use typegrad::loss::{Loss, Mae};
/// use typegrad::Vector;
/// let (y, t) = (Vector::new([1.0_f32, 2.0]), Vector::new([0.0, 4.0]));
/// assert_eq!(Mae.value(&y, &t), 1.5); // (1 + 2) / 2
/// assert_eq!(Mae.gradient(&y, &t), Vector::new([0.5, -0.5])); // (+1, −1) / 2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Mae;

impl<T: Real, const N: usize> Loss<T, N, Vector<T, N>> for Mae {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> T {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let n = T::from_count(N);
        let terms = prediction.iter().zip(target.iter());
        mean(terms.map(|(&y, &t)| (y - t).abs()), |s| s / n)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> Vector<T, N> {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let k = T::one() / T::from_count(N);
        prediction.zip_map(target, |y, t| {
            let d = y - t;
            if d > T::zero() {
                k
            } else if d < T::zero() {
                -k
            } else if d == T::zero() {
                T::zero()
            } else {
                d // NaN stays NaN
            }
        })
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
        // d = ŷ − t = (1, 0, −2, 0.5); |d| = (1, 0, 2, 0.5); Σ = 3.5; L = 3.5 / 4 = 0.875
        assert_close(Mae.value(&y, &t), 0.875);
        // ∂L/∂ŷ = sign(d) / 4 = (0.25, 0 (subgradient at d = 0), −0.25, 0.25)
        assert_vector_close(&Mae.gradient(&y, &t), [0.25, 0.0, -0.25, 0.25]);
        let (l, g) = Mae.value_and_gradient(&y, &t);
        assert_close(l, 0.875);
        assert_vector_close(&g, [0.25, 0.0, -0.25, 0.25]);
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
    fn nan_propagates_to_the_gradient() {
        let g = Mae.gradient(&Vector::new([f64::NAN, 1.0]), &Vector::new([0.0, 0.0]));
        assert!(g[0].is_nan());
        assert_eq!(g[1], 0.5);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // Every |ŷᵢ − tᵢ| is far larger than the step h = 1e-6: no kink is crossed.
        let y = Vector::new([0.3, -1.2, 2.5, 0.7, -0.4]);
        let t = Vector::new([1.0, -0.5, 2.0, -0.3, 0.6]);
        gradient_error(&Mae, &y, &t);
        let y = Vector::new([10.0, -20.0, 1.5]);
        let t = Vector::new([-3.0, 4.0, 0.25]);
        gradient_error(&Mae, &y, &t);
    }

    #[test]
    fn batch_is_mean_of_samples() {
        let (y, t) = regression_batch();
        assert_batch_is_mean(&Mae, &y, &t);
    }
}
