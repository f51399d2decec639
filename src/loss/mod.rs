//! Loss functions: a scalar `L(prediction, target)` and its gradient `∂L/∂prediction`.
//!
//! # Using this
//! A [`Loss`] compares a prediction `Vector<T, N>` with a target whose type is fixed by the
//! loss: a `Vector<T, N>` of the same length (regression, one-hot) or a [`Class<N>`] label.
//! A target of the wrong shape does not compile. Batch forms average over the batch.
//!
//! # Implementing this
//! Implement [`Loss::value`] and [`Loss::gradient`] (override
//! [`Loss::value_and_gradient`] when computing both together is cheaper), and test the
//! gradient with [`crate::gradcheck`].

mod bce;
mod class;
mod cross_entropy;
mod huber;
mod mae;
mod mse;
#[cfg(test)]
mod test_util;

pub use bce::BinaryCrossEntropyWithLogits;
pub use class::{Class, ClassError};
pub use cross_entropy::SoftmaxCrossEntropy;
pub use huber::Huber;
pub use mae::Mae;
pub use mse::Mse;

use crate::{Batch, Real, Vector};

/// A loss between a prediction of `N` values and a target of type `Target`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot compare a prediction of {N} values with a target of type `{Target}`",
    label = "the target does not fit the prediction"
)]
pub trait Loss<T: Real, const N: usize, Target> {
    /// `L(ŷ, t)`.
    fn value(&self, prediction: &Vector<T, N>, target: &Target) -> T;

    /// `∂L/∂ŷ`.
    fn gradient(&self, prediction: &Vector<T, N>, target: &Target) -> Vector<T, N>;

    /// `(L, ∂L/∂ŷ)` together.
    fn value_and_gradient(&self, prediction: &Vector<T, N>, target: &Target) -> (T, Vector<T, N>) {
        (
            self.value(prediction, target),
            self.gradient(prediction, target),
        )
    }

    /// Mean loss over a batch, `(1/B) Σₛ L(ŷₛ, tₛ)`, and its gradient with respect to every
    /// prediction, `(1/B) ∂L/∂ŷₛ`.
    fn batch_value_and_gradient<const B: usize>(
        &self,
        predictions: &Batch<T, B, N>,
        targets: &[Target; B],
    ) -> (T, Batch<T, B, N>) {
        let scale = T::one() / T::from_count(B);
        let mut values = [T::zero(); B];
        let mut grad = *predictions;
        for (s, target) in targets.iter().enumerate() {
            let (l, g) = self.value_and_gradient(&predictions.sample(s), target);
            values[s] = l;
            grad.as_mut_slice()[s * N..(s + 1) * N].copy_from_slice(g.scale(scale).as_slice());
        }
        (mean(values.iter().copied(), |sum| sum * scale), grad)
    }
}

/// The mean of `terms`, `finish(Σᵢ tᵢ)` with `finish` dividing by their number (`s / n`, or
/// `s · (1/n)`): the sum first, as the formulas say. Where that sum overflows to ±∞ although
/// every term is finite, it is `Σᵢ finish(tᵢ)` instead, which stays finite whenever the mean
/// is (`n` terms of `3e38` in `f32`). A NaN or infinite term still gives NaN or ±∞.
#[inline]
pub(crate) fn mean<T: Real>(terms: impl Iterator<Item = T> + Clone, finish: impl Fn(T) -> T) -> T {
    let sum = terms.clone().fold(T::zero(), |acc, t| acc + t);
    if sum.is_finite() {
        return finish(sum);
    }
    terms.fold(T::zero(), |acc, t| acc + finish(t))
}
