//! [`BinaryCrossEntropyWithLogits`]: binary cross-entropy on logits, with a built-in sigmoid.

use crate::loss::{Class, Loss, mean};
use crate::{Real, Vector};

/// Binary cross-entropy of `N` independent yes/no outputs, given as logits `z` (before the
/// sigmoid `σ(z) = 1 / (1 + e⁻ᶻ)`), against targets `t ∈ [0, 1]`:
///
/// `L = −(1/N) Σᵢ [tᵢ ln σ(zᵢ) + (1 − tᵢ) ln(1 − σ(zᵢ))]
///    = (1/N) Σᵢ [max(zᵢ, 0) − zᵢ·tᵢ + ln(1 + e^(−|zᵢ|))]`,
///
/// `∂L/∂zᵢ = (σ(zᵢ) − tᵢ) / N`.
///
/// The second form of `L` and a sigmoid computed from `e^(−|z|)` never overflow, so loss and
/// gradient stay finite for logits of any finite size (`±1e30` in `f64`). Apply this loss to
/// the raw logits; do not put a sigmoid activation in front of it.
///
/// ```
/// use typegrad::loss::{BinaryCrossEntropyWithLogits, Loss};
/// use typegrad::Vector;
/// let (z, t) = (Vector::new([0.0_f32, 0.0]), Vector::new([1.0, 0.0]));
/// let (l, g) = BinaryCrossEntropyWithLogits.value_and_gradient(&z, &t);
/// assert!((l - core::f32::consts::LN_2).abs() < 1e-6); // σ(0) = ½ for both: L = ln 2
/// assert_eq!(g, Vector::new([-0.25, 0.25])); // (½ − 1, ½ − 0) / 2
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct BinaryCrossEntropyWithLogits;

/// `(max(z, 0) − z·t + ln(1 + e^(−|z|)), σ(z))` for one logit, sharing `e^(−|z|)`.
#[inline]
fn term_and_sigmoid<T: Real>(z: T, t: T) -> (T, T) {
    let e = (-z.abs()).exp(); // in (0, 1]: cannot overflow
    let term = z.max(T::zero()) - z * t + e.ln_1p();
    // σ(z) = 1 / (1 + e⁻ᶻ) for z ≥ 0 and eᶻ / (1 + eᶻ) for z < 0, both with e = e^(−|z|).
    let sigmoid = if z >= T::zero() {
        T::one() / (T::one() + e)
    } else {
        e / (T::one() + e)
    };
    (term, sigmoid)
}

impl<T: Real, const N: usize> Loss<T, N, Vector<T, N>> for BinaryCrossEntropyWithLogits {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> T {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let n = T::from_count(N);
        let terms = prediction.iter().zip(target.iter());
        mean(terms.map(|(&z, &t)| term_and_sigmoid(z, t).0), |s| s / n)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> Vector<T, N> {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let n = T::from_count(N);
        prediction.zip_map(target, |z, t| (term_and_sigmoid(z, t).1 - t) / n)
    }

    #[inline]
    fn value_and_gradient(
        &self,
        prediction: &Vector<T, N>,
        target: &Vector<T, N>,
    ) -> (T, Vector<T, N>) {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let n = T::from_count(N);
        let mut sum = T::zero();
        let grad = prediction.zip_map(target, |z, t| {
            let (term, sigmoid) = term_and_sigmoid(z, t);
            sum = sum + term;
            (sigmoid - t) / n
        });
        if !sum.is_finite() {
            // Overflowed although the terms may be finite: the careful mean of `value`.
            return (self.value(prediction, target), grad);
        }
        (sum / n, grad)
    }
}

impl<T: Real> Loss<T, 1, Class<2>> for BinaryCrossEntropyWithLogits {
    /// Binary classification with one logit `z`: class 1 is the target `t = 1`, class 0 is
    /// `t = 0` (so `Dataset::class_labels::<2>()` gives the labels). `σ(z)` is the
    /// probability of class 1; accuracy counts `z > 0` as a prediction of class 1.
    #[inline]
    fn value(&self, prediction: &Vector<T, 1>, target: &Class<2>) -> T {
        self.value(prediction, &binary_target(target))
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, 1>, target: &Class<2>) -> Vector<T, 1> {
        self.gradient(prediction, &binary_target(target))
    }

    #[inline]
    fn value_and_gradient(
        &self,
        prediction: &Vector<T, 1>,
        target: &Class<2>,
    ) -> (T, Vector<T, 1>) {
        self.value_and_gradient(prediction, &binary_target(target))
    }
}

/// The target `t ∈ {0, 1}` of a binary class label.
#[inline]
fn binary_target<T: Real>(class: &Class<2>) -> Vector<T, 1> {
    Vector::new([T::from_count(class.index())])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Batch;
    use crate::loss::test_util::{
        assert_batch_is_mean, assert_close, assert_vector_close, gradient_error, vector,
    };

    const BCE: BinaryCrossEntropyWithLogits = BinaryCrossEntropyWithLogits;

    fn hand_computed<T: Real>() {
        let z = vector::<T, 3>([0.0, 2.0, -1.0]);
        let t = vector::<T, 3>([1.0, 0.0, 0.25]);
        // z = 0,  t = 1:    0 − 0 + ln 2                    = 0.693147180559945
        // z = 2,  t = 0:    2 − 0 + ln(1 + e⁻²)              = 2.126928011042973
        // z = −1, t = 0.25: 0 + 0.25 + ln(1 + e⁻¹)           = 0.563261687518223
        // L = 3.383336879121141 / 3                          = 1.127778959707047
        let expected = 1.127_778_959_707_047;
        assert_close(BCE.value(&z, &t), expected);
        // σ(z) = (0.5, 0.880797077977882, 0.268941421369995);
        // ∂L/∂z = (σ − t) / 3 = (−0.5, 0.880797077977882, 0.018941421369995) / 3
        let grad = [
            -0.166_666_666_666_666_7,
            0.293_599_025_992_627_4,
            0.006_313_807_123_331_7,
        ];
        assert_vector_close(&BCE.gradient(&z, &t), grad);
        let (l, g) = BCE.value_and_gradient(&z, &t);
        assert_close(l, expected);
        assert_vector_close(&g, grad);
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
        let z = Vector::new([0.3, -1.2, 2.5, 0.7, -4.0]);
        let t = Vector::new([1.0, 0.0, 0.25, 0.6, 0.5]);
        gradient_error(&BCE, &z, &t);
        let z = Vector::new([8.0, -8.0, 0.0]);
        let t = Vector::new([0.5, 0.2, 0.9]);
        gradient_error(&BCE, &z, &t);
    }

    #[test]
    fn batch_is_mean_of_samples() {
        let z = Batch::from_samples([
            Vector::new([0.3, -1.2, 2.5]),
            Vector::new([1.0, 0.0, -2.0]),
            Vector::new([-0.7, 0.4, 0.1]),
        ]);
        let t = [
            Vector::new([1.0, 0.0, 0.5]),
            Vector::new([0.0, 0.0, 0.0]),
            Vector::new([1.0, 1.0, 0.2]),
        ];
        assert_batch_is_mean(&BCE, &z, &t);
    }

    fn extreme_logits<T: Real>(big: f64) {
        let z = vector::<T, 4>([big, -big, big, -big]);
        let t = vector::<T, 4>([1.0, 0.0, 0.0, 1.0]);
        let (l, g) = BCE.value_and_gradient(&z, &t);
        assert!(l.is_finite() && g.is_finite(), "{l:?} {g:?}");
        // Right answers cost 0; wrong ones cost |z| each: L = 2·big / 4.
        assert_close(l, big / 2.0);
        // σ = (1, 0, 1, 0): ∂L/∂z = (0, 0, 1, −1) / 4.
        assert_vector_close(&g, [0.0, 0.0, 0.25, -0.25]);
        let (l, g) = BCE.value_and_gradient(&z, &vector([0.5, 0.5, 0.3, 0.7]));
        assert!(l.is_finite() && g.is_finite(), "{l:?} {g:?}");
    }

    #[test]
    fn extreme_logits_stay_finite() {
        extreme_logits::<f32>(1e4);
        extreme_logits::<f64>(1e30);
    }

    /// A `Class<2>` label is the target 0 or 1, bit for bit.
    #[test]
    fn class_labels_are_targets_zero_and_one() {
        let z = Vector::new([0.7_f32]);
        for (c, t) in [(0, 0.0), (1, 1.0)] {
            let class = Class::<2>::new(c).unwrap();
            let (l, g) = BCE.value_and_gradient(&z, &class);
            let (lt, gt) = BCE.value_and_gradient(&z, &Vector::new([t]));
            assert_eq!(
                (l.to_bits(), g[0].to_bits()),
                (lt.to_bits(), gt[0].to_bits())
            );
        }
    }
}
