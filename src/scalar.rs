//! The element types tensors are generic over.
//!
//! [`Scalar`] is what every tensor operation needs: copyable numbers with `+ − × ÷`, an order
//! and conversion from counts. [`Real`] adds the transcendental functions (`exp`, `ln`,
//! `sqrt`, `tanh`, …) that norms, activations and losses need; `f32` and `f64` implement it
//! when the `std` or the `libm` feature is on.

use core::fmt::Debug;
use num_traits::{Bounded, Num, NumCast};

/// A number a tensor can hold: `f32`, `f64`, integers, or a fixed-point type with
/// `num-traits` impls.
///
/// Implemented for every type with the listed capabilities (`Bounded` lets counts saturate).
pub trait Scalar: Copy + Debug + PartialOrd + Num + NumCast + Bounded + 'static {
    /// `n` as this type (exact for counts a tensor can have; saturates at the type's range).
    #[inline]
    fn from_count(n: usize) -> Self {
        match <Self as NumCast>::from(n) {
            Some(v) => v,
            // Only reached for types too narrow to hold `n` (e.g. `i8` and 200).
            None => Self::max_value(),
        }
    }

    /// `|self|`.
    #[inline]
    fn abs_val(self) -> Self {
        if self < Self::zero() {
            Self::zero() - self
        } else {
            self
        }
    }

    /// `true` when `self` is neither NaN nor ±∞ (every integer is finite: only a float can
    /// lie outside its type's finite range `[min_value, max_value]`).
    #[inline]
    fn is_finite_val(self) -> bool {
        !self.is_nan_val() && self >= Self::min_value() && self <= Self::max_value()
    }

    /// `true` when `self` is NaN (a value not equal to itself).
    #[inline]
    #[allow(clippy::eq_op)]
    fn is_nan_val(self) -> bool {
        self != self
    }
}

impl<T: Copy + Debug + PartialOrd + Num + NumCast + Bounded + 'static> Scalar for T {}

/// A [`Scalar`] with the transcendental functions of [`num_traits::Float`].
///
/// `f32` and `f64` implement it when typegrad's `std` (default) or `libm` feature is on.
/// Implement it for your own type (e.g. a fixed-point number) to use it with norms,
/// activations and losses.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no exp/ln/sqrt here: enable typegrad's `std` or `libm` feature",
    label = "this needs transcendental functions (`Real`)",
    note = "in Cargo.toml: typegrad = {{ version = \"…\", default-features = false, features = [\"libm\"] }}"
)]
pub trait Real: Scalar + num_traits::Float {}

#[cfg(any(feature = "std", feature = "libm"))]
impl Real for f32 {}
#[cfg(any(feature = "std", feature = "libm"))]
impl Real for f64 {}

/// Converts an `f64` constant to `T` (NaN if `T` cannot represent it).
#[inline]
pub(crate) fn constant<T: Real>(c: f64) -> T {
    T::from(c).unwrap_or_else(T::nan)
}
