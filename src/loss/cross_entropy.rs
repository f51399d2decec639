//! [`SoftmaxCrossEntropy`]: cross-entropy of a softmax over logits, with a built-in softmax.

use crate::kernels;
use crate::loss::{Class, Loss, mean};
use crate::{Batch, Real, Vector};

/// Cross-entropy between `softmax(z)` of `N` logits `z` and a class, computed from the logits
/// with the log-sum-exp trick. With `softmax(z)ᵢ = e^(zᵢ) / Σⱼ e^(zⱼ)` and
/// `logsumexp(z) = ln Σⱼ e^(zⱼ) = m + ln Σⱼ e^(zⱼ − m)` for `m = maxⱼ zⱼ`:
///
/// * target a [`Class<N>`] label `c`:
///   `L = logsumexp(z) − z_c`, `∂L/∂z = softmax(z) − onehot(c)`;
/// * target a `Vector<T, N>` of class probabilities `t` (one-hot or soft labels):
///   `L = −Σᵢ tᵢ ln softmax(z)ᵢ = Σᵢ tᵢ (logsumexp(z) − zᵢ)`,
///   `∂L/∂z = softmax(z) · Σᵢ tᵢ − t` (just `softmax(z) − t` when `t` sums to 1).
///
/// Subtracting `m` keeps every exponential in `(0, 1]`, so nothing overflows on the way: the
/// gradient is finite for any finite logits, and the loss is finite whenever its value is
/// representable (`m − z_c ≤ T::MAX`: logits within `±1e38` in `f32`, say) and `+∞` beyond. Terms with `tᵢ = 0` count as 0
/// (`0 · ln 0 = 0`). Apply this loss to the raw logits; do not put a softmax activation in
/// front of it.
///
/// ```
/// use typegrad::loss::{Class, Loss, SoftmaxCrossEntropy};
/// use typegrad::Vector;
/// let z = Vector::new([0.0_f64, 0.0, 0.0, 0.0]);
/// let c = Class::new(1).unwrap();
/// let (l, g) = SoftmaxCrossEntropy.value_and_gradient(&z, &c);
/// assert!((l - 4.0_f64.ln()).abs() < 1e-12); // softmax = ¼ everywhere: L = −ln ¼
/// assert_eq!(g, Vector::new([0.25, -0.75, 0.25, 0.25]));
/// // The same with a one-hot vector target.
/// assert_eq!(SoftmaxCrossEntropy.gradient(&z, &c.one_hot()), g);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SoftmaxCrossEntropy;

/// `(e, S, m)` with `m = max z`, `eᵢ = e^(zᵢ − m) ∈ (0, 1]` and `S = Σ eᵢ ∈ [1, N]`, so that
/// `softmax(z) = e / S` and `logsumexp(z) = m + ln S`.
#[inline]
fn shifted_exp<T: Real, const N: usize>(z: &Vector<T, N>) -> (Vector<T, N>, T, T) {
    const { assert!(N > 0, "a loss over zero values is undefined") };
    let m = max_skipping_nan(z.as_array());
    let mut e = z.map(|x| x - m);
    kernels::exp_in_place(e.as_mut_slice());
    (e, e.sum(), m)
}

/// The largest value, NaNs skipped (a NaN logit still makes the loss NaN, through its
/// exponential); branch-free, so it vectorizes.
#[inline]
fn max_skipping_nan<T: Real>(z: &[T]) -> T {
    z.iter()
        .fold(T::neg_infinity(), |m, &v| kernels::larger(m, v))
}

/// `logsumexp(z) − z_c = (m − z_c) + ln S`, grouped so that huge logits do not cancel.
#[inline]
fn nll<T: Real>(z_c: T, s: T, m: T) -> T {
    (m - z_c) + s.ln()
}

impl<T: Real, const N: usize> Loss<T, N, Class<N>> for SoftmaxCrossEntropy {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Class<N>) -> T {
        let (_, s, m) = shifted_exp(prediction);
        nll(prediction[target.index()], s, m)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Class<N>) -> Vector<T, N> {
        self.value_and_gradient(prediction, target).1
    }

    #[inline]
    fn value_and_gradient(
        &self,
        prediction: &Vector<T, N>,
        target: &Class<N>,
    ) -> (T, Vector<T, N>) {
        let (e, s, m) = shifted_exp(prediction);
        let c = target.index();
        let mut grad = e.scale(T::one() / s);
        grad[c] = grad[c] - T::one();
        (nll(prediction[c], s, m), grad)
    }

    /// The per-sample formulas, with the exponentials of the whole batch computed in one
    /// pass over its `B·N` contiguous values (vectorized for `f32`); the same results as
    /// sample by sample.
    fn batch_value_and_gradient<const B: usize>(
        &self,
        predictions: &Batch<T, B, N>,
        targets: &[Class<N>; B],
    ) -> (T, Batch<T, B, N>) {
        const { assert!(N > 0, "a loss over zero values is undefined") };
        let scale = T::one() / T::from_count(B);
        let mut grad = *predictions;
        let mut maxes = [T::zero(); B];
        for (row, m) in grad
            .as_mut_matrix()
            .as_mut_rows()
            .iter_mut()
            .zip(&mut maxes)
        {
            // The largest logit, as in `shifted_exp`.
            *m = max_skipping_nan(row);
            for v in row.iter_mut() {
                *v = *v - *m;
            }
        }
        kernels::exp_in_place(grad.as_mut_slice());
        let mut values = [T::zero(); B];
        let rows = grad.as_mut_matrix().as_mut_rows().iter_mut();
        let samples = rows.zip(predictions.samples()).zip(maxes).zip(targets);
        for ((((row, z), m), target), value) in samples.zip(&mut values) {
            let s = kernels::sum(row);
            let c = target.index();
            *value = nll(z[c], s, m);
            let k = T::one() / s;
            for (i, g) in row.iter_mut().enumerate() {
                let p = *g * k;
                *g = if i == c { p - T::one() } else { p } * scale;
            }
        }
        (mean(values.iter().copied(), |sum| sum * scale), grad)
    }
}

impl<T: Real, const N: usize> Loss<T, N, Vector<T, N>> for SoftmaxCrossEntropy {
    #[inline]
    fn value(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> T {
        let (_, s, m) = shifted_exp(prediction);
        probability_nll(prediction, target, s, m)
    }

    #[inline]
    fn gradient(&self, prediction: &Vector<T, N>, target: &Vector<T, N>) -> Vector<T, N> {
        self.value_and_gradient(prediction, target).1
    }

    #[inline]
    fn value_and_gradient(
        &self,
        prediction: &Vector<T, N>,
        target: &Vector<T, N>,
    ) -> (T, Vector<T, N>) {
        let (e, s, m) = shifted_exp(prediction);
        let k = target.sum() / s;
        let grad = e.zip_map(target, |e, t| e * k - t);
        (probability_nll(prediction, target, s, m), grad)
    }
}

/// `Σᵢ tᵢ (logsumexp(z) − zᵢ)`, skipping `tᵢ = 0`.
#[inline]
fn probability_nll<T: Real, const N: usize>(z: &Vector<T, N>, t: &Vector<T, N>, s: T, m: T) -> T {
    z.iter().zip(t.iter()).fold(T::zero(), |acc, (&z, &t)| {
        if t == T::zero() {
            acc
        } else {
            acc + t * nll(z, s, m)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Batch;
    use crate::loss::test_util::{
        assert_batch_is_mean, assert_close, assert_vector_close, gradient_error, vector,
    };

    const CE: SoftmaxCrossEntropy = SoftmaxCrossEntropy;

    /// The whole-batch pass gives the bits of the per-sample formulas.
    #[test]
    fn batch_of_classes_equals_sample_by_sample_bit_for_bit() {
        let z = Batch::<f32, 5, 10>::from_fn(|s, i| ((s * 7 + i * 3) % 11) as f32 * 0.9 - 4.0);
        let t: [Class<10>; 5] = core::array::from_fn(|s| class((s * 3) % 10));
        let (value, grad) = CE.batch_value_and_gradient(&z, &t);
        let mut total = 0.0f32;
        for (s, target) in t.iter().enumerate() {
            let (l, g) = CE.value_and_gradient(&z.sample(s), target);
            total += l;
            let g = g.scale(1.0 / 5.0);
            assert_eq!(grad.sample(s).map(f32::to_bits), g.map(f32::to_bits));
        }
        // (Miri perturbs `ln` on purpose, so two evaluations of the loss differ there.)
        if !cfg!(miri) {
            assert_eq!(value.to_bits(), (total * (1.0 / 5.0)).to_bits());
        }
    }

    fn class<const N: usize>(c: usize) -> Class<N> {
        Class::new(c).unwrap()
    }

    fn hand_computed<T: Real>() {
        let z = vector::<T, 3>([1.0, 2.0, 3.0]);
        // m = 3; S = e⁻² + e⁻¹ + e⁰ = 0.135335283 + 0.367879441 + 1 = 1.503214724;
        // logsumexp = 3 + ln S = 3.407605964444381;
        // softmax = (e⁻², e⁻¹, 1) / S = (0.090030573, 0.244728471, 0.665240956)
        let softmax = [
            0.090_030_573_170_380_46,
            0.244_728_471_054_797_64,
            0.665_240_955_774_821_8,
        ];
        // Class 2: L = logsumexp − z₂ = 3.407605964 − 3; ∂L/∂z = softmax − (0, 0, 1)
        let l = 0.407_605_964_444_380_6;
        let g = [softmax[0], softmax[1], softmax[2] - 1.0];
        assert_close(CE.value(&z, &class(2)), l);
        assert_vector_close(&CE.gradient(&z, &class(2)), g);
        let (lv, gv) = CE.value_and_gradient(&z, &class(2));
        assert_close(lv, l);
        assert_vector_close(&gv, g);
        // The one-hot vector target gives the same.
        let onehot = vector::<T, 3>([0.0, 0.0, 1.0]);
        assert_close(CE.value(&z, &onehot), l);
        assert_vector_close(&CE.gradient(&z, &onehot), g);
        // Adding a constant to every logit changes nothing.
        let shifted = z.map(|x| x + T::from(100.0).unwrap());
        assert_close(CE.value(&shifted, &class(2)), l);

        // Soft target t = (0.2, 0.3, 0.5):
        // L = Σ tᵢ (logsumexp − zᵢ) = logsumexp − (0.2 + 0.6 + 1.5) = 3.407605964 − 2.3
        // ∂L/∂z = softmax − t
        let t = vector::<T, 3>([0.2, 0.3, 0.5]);
        let (lv, gv) = CE.value_and_gradient(&z, &t);
        assert_close(lv, 1.107_605_964_444_380_5);
        assert_close(CE.value(&z, &t), 1.107_605_964_444_380_5);
        let g = [softmax[0] - 0.2, softmax[1] - 0.3, softmax[2] - 0.5];
        assert_vector_close(&gv, g);
        assert_vector_close(&CE.gradient(&z, &t), g);

        // Target summing to 2, t = (0.5, 0.5, 1):
        // L = 2·logsumexp − (0.5 + 1 + 3) = 6.815211929 − 4.5; ∂L/∂z = 2·softmax − t
        let t = vector::<T, 3>([0.5, 0.5, 1.0]);
        let (lv, gv) = CE.value_and_gradient(&z, &t);
        assert_close(lv, 2.315_211_928_888_761);
        let g = [
            2.0 * softmax[0] - 0.5,
            2.0 * softmax[1] - 0.5,
            2.0 * softmax[2] - 1.0,
        ];
        assert_vector_close(&gv, g);
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
        let z = Vector::new([0.3, -1.2, 2.5, 0.7, -0.4]);
        gradient_error(&CE, &z, &class(1));
        gradient_error(&CE, &z, &class(2));
        gradient_error(&CE, &z, &Vector::new([0.1, 0.2, 0.3, 0.25, 0.15]));
        // Σt = 2, with a zero entry.
        gradient_error(&CE, &z, &Vector::new([0.5, 1.0, 0.2, 0.0, 0.3]));
        let z = Vector::new([4.0, -2.0, 3.5]);
        gradient_error(&CE, &z, &class(2));
    }

    #[test]
    fn batch_is_mean_of_samples() {
        let z = Batch::from_samples([
            Vector::new([0.3, -1.2, 2.5]),
            Vector::new([1.0, 0.0, -2.0]),
            Vector::new([-0.7, 0.4, 0.1]),
        ]);
        assert_batch_is_mean(&CE, &z, &[class(0), class(2), class(1)]);
        let t = [
            Vector::new([0.0, 1.0, 0.0]),
            Vector::new([0.2, 0.2, 0.6]),
            Vector::new([0.5, 0.0, 0.5]),
        ];
        assert_batch_is_mean(&CE, &z, &t);
    }

    fn extreme_logits<T: Real>(big: f64) {
        let z = vector::<T, 3>([big, -big, 0.0]);
        // softmax underflows to (1, 0, 0).
        // Class 1: L = (m − z₁) + ln S = 2·big + ln 1; ∂L/∂z = (1, 0, 0) − (0, 1, 0)
        let (l, g) = CE.value_and_gradient(&z, &class(1));
        assert!(l.is_finite() && g.is_finite(), "{l:?} {g:?}");
        assert_close(l, 2.0 * big);
        assert_vector_close(&g, [1.0, -1.0, 0.0]);
        // Class 0 is right: L = 0, ∂L/∂z = 0.
        let (l, g) = CE.value_and_gradient(&z, &class(0));
        assert_close(l, 0.0);
        assert_vector_close(&g, [0.0, 0.0, 0.0]);
        // Vector targets: L = 0.5·0 + 0.5·2·big; ∂L/∂z = (1, 0, 0) − t
        let t = vector::<T, 3>([0.5, 0.5, 0.0]);
        let (l, g) = CE.value_and_gradient(&z, &t);
        assert!(l.is_finite() && g.is_finite(), "{l:?} {g:?}");
        assert_close(l, big);
        assert_vector_close(&g, [0.5, -0.5, 0.0]);
        let (l, g) = CE.value_and_gradient(&z, &vector([0.0, 1.0, 0.0]));
        assert!(l.is_finite() && g.is_finite(), "{l:?} {g:?}");
        assert_close(l, 2.0 * big);
    }

    #[test]
    fn extreme_logits_stay_finite() {
        extreme_logits::<f32>(1e4);
        extreme_logits::<f64>(1e30);
    }

    #[test]
    fn zero_targets_do_not_meet_infinite_log_probabilities() {
        // ln softmax(z)₁ = −∞ here (m − z₁ overflows); with t₁ = 0 the term is skipped.
        let z = Vector::new([f64::MAX, -f64::MAX]);
        let (l, g) = CE.value_and_gradient(&z, &Vector::new([1.0, 0.0]));
        assert_eq!(l, 0.0);
        assert_eq!(g, Vector::new([0.0, 0.0]));
        assert_eq!(CE.value(&z, &class(0)), 0.0);
    }
}
