//! [`Huber`]: squared error near the target, absolute error far from it.

use crate::loss::{Loss, mean};
use crate::{Real, Vector};

/// Huber loss with threshold `δ` between a prediction `ŷ` and a target `t` of the same
/// length. With `dᵢ = ŷᵢ − tᵢ`:
///
/// `L = (1/N) Σᵢ hᵢ`, where `hᵢ = ½ dᵢ²` if `|dᵢ| ≤ δ` and `hᵢ = δ (|dᵢ| − ½ δ)` otherwise;
///
/// `∂L/∂ŷᵢ = dᵢ / N` if `|dᵢ| ≤ δ` and `δ · sign(dᵢ) / N` otherwise.
///
/// Quadratic (like [`Mse`](crate::loss::Mse), halved) for errors up to `δ`, linear (like
/// [`Mae`](crate::loss::Mae), scaled by `δ`) beyond, so outliers pull with a bounded force.
/// `δ` must be positive: with `δ ≤ 0`, NaN, or a `δ` that `T` cannot represent, loss and
/// gradient are NaN. The default is `δ = 1`.
///
/// ```
/// use typegrad::loss::{Huber, Loss};
/// use typegrad::Vector;
/// let (y, t) = (Vector::new([0.5_f32, 3.0]), Vector::new([0.0, 0.0]));
/// // (½·0.5² + 1·(3 − ½)) / 2
/// assert_eq!(Huber::default().value(&y, &t), 1.3125);
/// assert_eq!(Huber::default().gradient(&y, &t), Vector::new([0.25, 0.5])); // (0.5, 1) / 2
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Huber {
    /// The threshold `δ > 0` where the loss turns from quadratic to linear.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::interop::serde_impls::positive")
    )]
    pub delta: f64,
}

impl Huber {
    /// Huber loss with threshold `delta` (`δ > 0`).
    #[inline]
    pub const fn new(delta: f64) -> Self {
        Self { delta }
    }

    /// `δ` as a `T`, or NaN when it is not positive or `T` cannot hold it.
    #[inline]
    fn delta<T: Real>(&self) -> T {
        match T::from(self.delta) {
            Some(d) if d > T::zero() => d,
            _ => T::nan(),
        }
    }
}

impl Default for Huber {
    /// `δ = 1`.
    #[inline]
    fn default() -> Self {
        Self::new(1.0)
    }
}

impl<T: Real, const N: usize> Loss<T, N, Vector<T, N>> for Huber {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> T {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let delta = self.delta::<T>();
        let half = T::one() / (T::one() + T::one());
        let n = T::from_count(N);
        let terms = prediction.iter().zip(target.iter()).map(|(&y, &t)| {
            let a = (y - t).abs();
            if a <= delta {
                half * a * a
            } else {
                delta * (a - half * delta)
            }
        });
        mean(terms, |s| s / n)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> Vector<T, N> {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let delta = self.delta::<T>();
        let n = T::from_count(N);
        prediction.zip_map(target, |y, t| {
            let d = y - t;
            let g = if d.abs() <= delta {
                d
            } else if d > T::zero() {
                delta
            } else if d < T::zero() {
                -delta
            } else {
                T::nan() // d or δ is NaN
            };
            g / n
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
        // d = ŷ − t = (1, 0, −2, 0.5)
        // δ = 1: h = (½·1², ½·0², 1·(2 − ½), ½·0.5²) = (0.5, 0, 1.5, 0.125);
        //        Σ = 2.125; L = 2.125 / 4 = 0.53125
        let h = Huber::default();
        assert_close(h.value(&y, &t), 0.53125);
        // ∂L/∂ŷ = (1, 0, −δ, 0.5) / 4
        assert_vector_close(&h.gradient(&y, &t), [0.25, 0.0, -0.25, 0.125]);
        // δ = 0.5: h = (0.5·(1 − 0.25), 0, 0.5·(2 − 0.25), ½·0.5²) = (0.375, 0, 0.875, 0.125);
        //          Σ = 1.375; L = 1.375 / 4 = 0.34375
        let h = Huber::new(0.5);
        assert_close(h.value(&y, &t), 0.34375);
        // ∂L/∂ŷ = (δ, 0, −δ, 0.5) / 4
        assert_vector_close(&h.gradient(&y, &t), [0.125, 0.0, -0.125, 0.125]);
        let (l, g) = h.value_and_gradient(&y, &t);
        assert_close(l, 0.34375);
        assert_vector_close(&g, [0.125, 0.0, -0.125, 0.125]);
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
    fn default_delta_is_one() {
        assert_eq!(Huber::default(), Huber { delta: 1.0 });
    }

    #[test]
    fn invalid_delta_gives_nan() {
        let (y, t) = (Vector::new([1.0_f64, 0.0]), Vector::new([0.0, 0.0]));
        for delta in [0.0, -1.0, f64::NAN] {
            let h = Huber::new(delta);
            assert!(h.value(&y, &t).is_nan());
            assert!(h.gradient(&y, &t).iter().all(|g| g.is_nan()));
        }
    }

    #[test]
    fn gradient_matches_finite_differences() {
        // |d| = (0.7, 0.7, 0.5, 1.5, 1.3): every |dᵢ| is at least 0.1 from δ = 0.8 and δ = 1
        // (no kink is crossed by the step h = 1e-6), and both branches are exercised.
        let y = Vector::new([0.3, -1.2, 2.5, 1.2, -0.7]);
        let t = Vector::new([1.0, -0.5, 2.0, -0.3, 0.6]);
        gradient_error(&Huber::new(0.8), &y, &t);
        gradient_error(&Huber::default(), &y, &t);
        let y = Vector::new([10.0, -20.0, 1.5]);
        let t = Vector::new([-3.0, 4.0, 0.25]);
        gradient_error(&Huber::new(2.5), &y, &t);
    }

    #[test]
    fn batch_is_mean_of_samples() {
        let (y, t) = regression_batch();
        assert_batch_is_mean(&Huber::new(0.6), &y, &t);
    }
}
