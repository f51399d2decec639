//! The element types tensors are generic over.
//!
//! [`Scalar`] is what every tensor operation needs: copyable numbers with `+ − × ÷`, an order
//! and conversion from counts. [`Real`] adds what training needs on top: conversion of the
//! library's `f64` constants and the functions norms, activations, losses and optimizers use
//! (`exp`, `ln`, `sqrt`, `tanh`, `cos`, powers, ±∞ and NaN). `f32` and `f64` implement it when
//! the `std` or the `libm` feature is on; the fixed-point [`I16F16`](crate::fixed::I16F16)
//! implements it always, in integer arithmetic only.

use core::fmt::Debug;
use core::ops::Neg;
use num_traits::{Bounded, Num, NumCast};

/// A number a tensor can hold: `f32`, `f64`, the primitive integers, the fixed-point
/// [`I16F16`](crate::fixed::I16F16), or your own type with `num-traits` impls and an
/// `impl Scalar for MyType {}` (every method has a default).
pub trait Scalar:
    Copy + Debug + PartialOrd + Num + NumCast + Bounded + Send + Sync + 'static
{
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

macro_rules! scalar_for_primitives {
    ($($t:ty),*) => { $(impl Scalar for $t {})* };
}
/// Two's-complement int32 that wraps on overflow, as C's accumulators in TFLite Micro's int8
/// kernels do: the int8 layers run the float kernels on it.
impl Scalar for core::num::Wrapping<i32> {}

scalar_for_primitives!(
    f32, f64, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize
);

/// A [`Scalar`] that training can compute with: typegrad's own math trait, listing exactly what
/// the library uses.
///
/// `f32` and `f64` implement it when typegrad's `std` (default) or `libm` feature is on, by
/// their usual functions (bit for bit as `f32::exp` and friends, or `libm`'s). The fixed-point
/// [`I16F16`](crate::fixed::I16F16) implements it in integer arithmetic, with no feature.
/// Implement it for your own number type to train with it; the two methods with a default
/// that goes through `f64` ([`from_unit_bits`](Real::from_unit_bits),
/// [`sqrt_of_ratio`](Real::sqrt_of_ratio)) are worth overriding on a chip without an FPU.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no exp/ln/sqrt here: enable typegrad's `std` or `libm` feature",
    label = "this needs transcendental functions (`Real`)",
    note = "in Cargo.toml: typegrad = {{ version = \"…\", default-features = false, features = [\"libm\"] }}"
)]
pub trait Real: Scalar + Neg<Output = Self> {
    /// The value nearest to `c` (±∞ beyond the range, NaN for NaN).
    fn from_f64(c: f64) -> Self;
    /// `eˣ`.
    fn exp(self) -> Self;
    /// `eˣ − 1` (accurate near `0` where the type can be).
    fn exp_m1(self) -> Self {
        self.exp() - Self::one()
    }
    /// `ln x` (−∞ at `0`, NaN below).
    fn ln(self) -> Self;
    /// `ln(1 + x)` (accurate near `0` where the type can be).
    fn ln_1p(self) -> Self {
        (Self::one() + self).ln()
    }
    /// `√x` (NaN below `0`).
    fn sqrt(self) -> Self;
    /// `tanh x`.
    fn tanh(self) -> Self;
    /// `cos x` (radians).
    fn cos(self) -> Self;
    /// `xⁿ`.
    fn powi(self, n: i32) -> Self;
    /// `xʸ`.
    fn powf(self, y: Self) -> Self;
    /// `|x|`.
    fn abs(self) -> Self {
        self.abs_val()
    }
    /// The larger of the two; if one is NaN, the other.
    fn max(self, other: Self) -> Self {
        if self.is_nan() || other > self {
            other
        } else {
            self
        }
    }
    /// The smaller of the two; if one is NaN, the other.
    fn min(self, other: Self) -> Self {
        if self.is_nan() || other < self {
            other
        } else {
            self
        }
    }
    /// Neither NaN nor ±∞.
    fn is_finite(self) -> bool {
        self.is_finite_val()
    }
    /// NaN.
    fn is_nan(self) -> bool {
        self.is_nan_val()
    }
    /// Not a number.
    fn nan() -> Self;
    /// +∞.
    fn infinity() -> Self;
    /// −∞.
    fn neg_infinity() -> Self;
    /// The difference between `1` and the next larger value.
    fn epsilon() -> Self;
    /// `n / 2⁵³` for `n ≤ 2⁵³`: how [`Rng`](crate::init::Rng) draws from `[0, 1)` with 53
    /// random bits. The default goes through `f64` (exact there).
    #[inline]
    fn from_unit_bits(n: u64) -> Self {
        Self::from_f64(n as f64 * (1.0 / (1u64 << 53) as f64))
    }
    /// `√(num / den)`: the scale of an initializer (`num` a constant such as 6, `den` a fan-in).
    /// The default divides in `f64`, then takes the root in `Self`.
    #[inline]
    fn sqrt_of_ratio(num: f64, den: usize) -> Self {
        Self::from_f64(num / den as f64).sqrt()
    }
}

macro_rules! real_for_float {
    ($($t:ty),*) => {$(
        #[cfg(any(feature = "std", feature = "libm"))]
        impl Real for $t {
            #[inline]
            fn from_f64(c: f64) -> Self {
                c as $t
            }
            #[inline]
            fn exp(self) -> Self {
                num_traits::Float::exp(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                num_traits::Float::exp_m1(self)
            }
            #[inline]
            fn ln(self) -> Self {
                num_traits::Float::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                num_traits::Float::ln_1p(self)
            }
            #[inline]
            fn sqrt(self) -> Self {
                num_traits::Float::sqrt(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                num_traits::Float::tanh(self)
            }
            #[inline]
            fn cos(self) -> Self {
                num_traits::Float::cos(self)
            }
            #[inline]
            fn powi(self, n: i32) -> Self {
                num_traits::Float::powi(self, n)
            }
            #[inline]
            fn powf(self, y: Self) -> Self {
                num_traits::Float::powf(self, y)
            }
            #[inline]
            fn abs(self) -> Self {
                num_traits::Float::abs(self)
            }
            #[inline]
            fn max(self, other: Self) -> Self {
                num_traits::Float::max(self, other)
            }
            #[inline]
            fn min(self, other: Self) -> Self {
                num_traits::Float::min(self, other)
            }
            #[inline]
            fn is_finite(self) -> bool {
                num_traits::Float::is_finite(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                num_traits::Float::is_nan(self)
            }
            #[inline]
            fn nan() -> Self {
                <$t>::NAN
            }
            #[inline]
            fn infinity() -> Self {
                <$t>::INFINITY
            }
            #[inline]
            fn neg_infinity() -> Self {
                <$t>::NEG_INFINITY
            }
            #[inline]
            fn epsilon() -> Self {
                <$t>::EPSILON
            }
        }
    )*};
}
real_for_float!(f32, f64);

/// Converts an `f64` constant to `T` (the nearest value; see [`Real::from_f64`]).
#[inline]
pub(crate) fn constant<T: Real>(c: f64) -> T {
    T::from_f64(c)
}

/// `num / den` as the nearest `f64` (ties to even), exactly as `num as f64 / den as f64` for
/// counts below 2⁵³, but in integer arithmetic only (for accuracies on chips without an FPU).
/// `den = 0` gives NaN (as `0.0 / 0.0` would for `num = 0`, and a fraction never has it).
pub(crate) fn ratio_f64(num: u64, den: u64) -> f64 {
    if den == 0 {
        return f64::NAN;
    }
    if num == 0 {
        return 0.0;
    }
    let (n, d) = (num as u128, den as u128);
    // Shift so that the quotient has 54 or 55 bits: then 53 of them and a rounding rest.
    let s = (54 + (128 - d.leading_zeros()) as i32 - (128 - n.leading_zeros()) as i32).max(0);
    let (q, r) = ((n << s) / d, (n << s) % d);
    let extra = (128 - q.leading_zeros()) as i32 - 53;
    let (mut mantissa, rest) = (q >> extra, q & ((1 << extra) - 1));
    let half = 1u128 << (extra - 1);
    if rest > half || (rest == half && (r != 0 || mantissa & 1 == 1)) {
        mantissa += 1;
    }
    let mut exponent = 52 + extra - s;
    if mantissa == 1 << 53 {
        mantissa >>= 1;
        exponent += 1;
    }
    f64::from_bits(((exponent + 1023) as u64) << 52 | (mantissa as u64 & ((1 << 52) - 1)))
}

#[cfg(test)]
mod tests {
    #[test]
    fn ratio_is_the_float_division() {
        for den in 1..300u64 {
            for num in 0..=den + 5 {
                let r = super::ratio_f64(num, den);
                assert_eq!(
                    r.to_bits(),
                    (num as f64 / den as f64).to_bits(),
                    "{num}/{den}"
                );
            }
        }
        let big = [(1u64 << 40) + 12_345, 999_999_937, 3, (1 << 52) + 1];
        for &a in &big {
            for &b in &big {
                let r = super::ratio_f64(a, b);
                assert_eq!(r.to_bits(), (a as f64 / b as f64).to_bits(), "{a}/{b}");
            }
        }
        assert!(super::ratio_f64(1, 0).is_nan());
    }
}
