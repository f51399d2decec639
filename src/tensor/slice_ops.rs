//! Shape-agnostic kernels on slices, shared by every tensor type.
//!
//! Type-level sizes pick the types; these loops run on plain slices so they compile once per
//! scalar type instead of once per shape.

use crate::Scalar;

/// `Σ xᵢ`.
#[inline]
pub(crate) fn sum<T: Scalar>(xs: &[T]) -> T {
    xs.iter().fold(T::zero(), |acc, &x| acc + x)
}

/// Index of the largest element (the first one on ties); a NaN wins over any number.
/// `None` for an empty slice.
#[inline]
pub(crate) fn argmax<T: Scalar>(xs: &[T]) -> Option<usize> {
    extreme(xs, |candidate, best| candidate > best)
}

/// Index of the smallest element (the first one on ties); a NaN wins over any number.
/// `None` for an empty slice.
#[inline]
pub(crate) fn argmin<T: Scalar>(xs: &[T]) -> Option<usize> {
    extreme(xs, |candidate, best| candidate < best)
}

fn extreme<T: Scalar>(xs: &[T], better: impl Fn(T, T) -> bool) -> Option<usize> {
    let mut best = 0;
    for (i, &x) in xs.iter().enumerate().skip(1) {
        let b = xs[best];
        if b.is_nan_val() {
            break;
        }
        if x.is_nan_val() || better(x, b) {
            best = i;
        }
    }
    if xs.is_empty() { None } else { Some(best) }
}

/// `Σ xᵢ·yᵢ` over the common length.
#[inline]
pub(crate) fn dot<T: Scalar>(xs: &[T], ys: &[T]) -> T {
    xs.iter()
        .zip(ys)
        .fold(T::zero(), |acc, (&x, &y)| acc + x * y)
}
