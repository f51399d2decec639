//! Fixed-point numbers for chips without an FPU: [`I16F16`], a signed Q16.16 number that
//! implements [`Real`], so networks train and infer with it in integer arithmetic only.
//!
//! A value is an `i32` holding `value · 2¹⁶`: 16 integer bits (sign included) and 16 fraction
//! bits, so the finite values are the multiples of `2⁻¹⁶ ≈ 1.5·10⁻⁵` in
//! `[−32767.99997, 32767.99997]`. Three bit patterns are reserved so that overflow is seen, as
//! with floats, instead of silently wrapping or clamping: `i32::MAX` is +∞, `−i32::MAX` is −∞
//! and `i32::MIN` is NaN. Results beyond the finite range become ±∞, `0/0`, `∞ − ∞` and
//! `0 · ∞` become NaN, and [`Real::is_finite`] reports both — so a diverging run stops with
//! typegrad's usual typed error rather than going on with clamped numbers.
//!
//! Rounding: `+`/`−` are exact; `×` rounds to nearest (ties toward +∞), `÷` to nearest (ties
//! away from zero); conversions from `f64`/`f32` round to nearest, ties to even. `exp`, `ln`,
//! `sqrt`, `tanh`, `cos` and `powf` are computed with 30 fraction bits inside and are within one
//! unit in the last place (`2⁻¹⁶`) of the exact result (tests/fixed.rs checks them against
//! `f64` on grids). No operation of this module uses a floating-point instruction or a
//! soft-float routine: `f64`/`f32` values are taken apart and built from their bits.

use core::cmp::Ordering;
use core::fmt;
use core::ops::{Add, Div, Mul, Neg, Rem, Sub};

use num_traits::{Bounded, Num, One, ToPrimitive, Zero};

use crate::scalar::{Real, Scalar};

/// Fraction bits.
const FRAC: u32 = 16;
const ONE_RAW: i32 = 1 << FRAC;
const NAN_RAW: i32 = i32::MIN;
const INF_RAW: i32 = i32::MAX;
const NEG_INF_RAW: i32 = -i32::MAX;
const MAX_RAW: i32 = i32::MAX - 1;

/// Inner precision of the functions: 30 fraction bits in an `i64`.
const Q30: i64 = 1 << 30;
/// `ln 2 · 2³⁰`.
const LN2_Q30: i64 = 744_261_118;
/// `2³⁰ / ln 2`.
const INV_LN2_Q30: i64 = 1_549_082_005;
/// `ln 2 · 2⁴⁰`.
const LN2_Q40: i64 = 762_123_384_786;
/// `√2 · 2³⁰`.
const SQRT2_Q30: i64 = 1_518_500_250;
/// `π/2 · 2⁴⁰`.
const HALF_PI_Q40: i64 = 1_727_108_826_179;

/// A signed fixed-point number with 16 integer and 16 fraction bits (Q16.16), with ±∞ and NaN
/// (see the [module](self) for the ranges and rounding).
///
/// ```
/// use typegrad::fixed::I16F16;
/// use typegrad::Real;
///
/// let x = I16F16::from_f64(1.5);
/// assert_eq!((x * x).to_bits(), 147_456); // 2.25 · 2¹⁶
/// assert_eq!(I16F16::from_f64(2.0).sqrt().to_string(), "1.41422");
/// assert!(!(I16F16::MAX + I16F16::ONE).is_finite()); // overflow is +∞, not a wrap
/// ```
#[derive(Clone, Copy, Default)]
#[repr(transparent)]
pub struct I16F16(i32);

impl I16F16 {
    /// `0`.
    pub const ZERO: Self = Self(0);
    /// `1`.
    pub const ONE: Self = Self(ONE_RAW);
    /// The largest finite value, `32768 − 2⁻¹⁵`.
    pub const MAX: Self = Self(MAX_RAW);
    /// The smallest finite value, `−(32768 − 2⁻¹⁵)`.
    pub const MIN: Self = Self(-MAX_RAW);
    /// The step between neighbouring values, `2⁻¹⁶`.
    pub const EPSILON: Self = Self(1);
    /// +∞ (the bit pattern `i32::MAX`).
    pub const INFINITY: Self = Self(INF_RAW);
    /// −∞ (the bit pattern `−i32::MAX`).
    pub const NEG_INFINITY: Self = Self(NEG_INF_RAW);
    /// Not a number (the bit pattern `i32::MIN`).
    pub const NAN: Self = Self(NAN_RAW);

    /// The number whose bit pattern is `bits` (`value · 2¹⁶`; see the reserved patterns above).
    pub const fn from_bits(bits: i32) -> Self {
        Self(bits)
    }

    /// The bit pattern, `value · 2¹⁶`.
    pub const fn to_bits(self) -> i32 {
        self.0
    }

    /// The integer `n`, exactly (`i16::MIN`, below the finite range, is −∞).
    pub const fn from_int(n: i16) -> Self {
        if n == i16::MIN {
            Self::NEG_INFINITY
        } else {
            Self((n as i32) << FRAC)
        }
    }

    /// The value nearest to `c` (ties to even), from its bits: no float operation.
    pub fn from_f32(c: f32) -> Self {
        let bits = c.to_bits();
        Self::from_parts(
            bits >> 31 != 0,
            (bits >> 23 & 0xFF) as i32,
            u64::from(bits & 0x7F_FFFF),
            23,
            127,
        )
    }

    /// This value as the nearest `f32` (ties to even), built from bits: no float operation.
    pub fn to_f32(self) -> f32 {
        match self.0 {
            NAN_RAW => return f32::NAN,
            INF_RAW => return f32::INFINITY,
            NEG_INF_RAW => return f32::NEG_INFINITY,
            0 => return 0.0,
            _ => {}
        }
        let negative = self.0 < 0;
        let mut mag = u64::from(self.0.unsigned_abs());
        // The leading bit's position p: the value is 1.xxx · 2^(p − 16).
        let mut p = 63 - mag.leading_zeros() as i32;
        if p > 23 {
            let shift = (p - 23) as u32;
            let (q, rest, half) = (mag >> shift, mag & ((1 << shift) - 1), 1u64 << (shift - 1));
            mag = if rest > half || (rest == half && q & 1 == 1) {
                q + 1
            } else {
                q
            };
            if mag == 1 << 24 {
                mag >>= 1;
                p += 1;
            }
        } else {
            mag <<= 23 - p;
        }
        let exponent = (p - FRAC as i32 + 127) as u32;
        f32::from_bits(u32::from(negative) << 31 | exponent << 23 | (mag as u32 & 0x7F_FFFF))
    }

    /// This value as an `f64` (exact), built from bits: no float operation.
    pub fn to_f64_exact(self) -> f64 {
        match self.0 {
            NAN_RAW => return f64::NAN,
            INF_RAW => return f64::INFINITY,
            NEG_INF_RAW => return f64::NEG_INFINITY,
            0 => return 0.0,
            _ => {}
        }
        let negative = self.0 < 0;
        let mag = u64::from(self.0.unsigned_abs());
        let p = 63 - mag.leading_zeros() as i32;
        let mantissa = (mag << (52 - p)) & ((1 << 52) - 1);
        let exponent = (p - FRAC as i32 + 1023) as u64;
        f64::from_bits(u64::from(negative) << 63 | exponent << 52 | mantissa)
    }

    /// The nearest value to `(−1)^negative · 1.mantissa · 2^(exponent − bias)` (an IEEE
    /// number's fields, `mantissa` of `width` bits; exponent all ones is ∞/NaN, zero is a
    /// subnormal, which is below half the step and rounds to 0).
    fn from_parts(negative: bool, exponent: i32, mantissa: u64, width: u32, bias: i32) -> Self {
        let max_exponent = if width == 52 { 0x7FF } else { 0xFF };
        if exponent == max_exponent {
            return if mantissa != 0 {
                Self::NAN
            } else if negative {
                Self::NEG_INFINITY
            } else {
                Self::INFINITY
            };
        }
        if exponent == 0 {
            return Self::ZERO;
        }
        let m = mantissa | 1 << width;
        // raw = m · 2^(exponent − bias − width + 16)
        let shift = exponent - bias - width as i32 + FRAC as i32;
        let magnitude: u64 = if shift >= 0 {
            // m ≥ 2^width, so from 2^31 on the result is beyond the range.
            if width as i32 + shift >= 31 {
                return if negative {
                    Self::NEG_INFINITY
                } else {
                    Self::INFINITY
                };
            }
            m << shift
        } else {
            let s = (-shift) as u32;
            if s >= 64 {
                0
            } else {
                let (q, rest, half) = (m >> s, m & ((1u64 << s) - 1), 1u64 << (s - 1));
                if rest > half || (rest == half && q & 1 == 1) {
                    q + 1
                } else {
                    q
                }
            }
        };
        if magnitude > MAX_RAW as u64 {
            return if negative {
                Self::NEG_INFINITY
            } else {
                Self::INFINITY
            };
        }
        let raw = magnitude as i32;
        Self(if negative { -raw } else { raw })
    }

    /// Finite: neither ±∞ nor NaN.
    #[inline]
    const fn finite(self) -> bool {
        // The finite patterns are [−MAX_RAW, MAX_RAW] = [i32::MIN + 2, i32::MAX − 1].
        (self.0.wrapping_sub(i32::MIN + 2) as u32) <= u32::MAX - 3
    }

    /// The nearest value to a wider raw result: beyond the finite range, ±∞.
    #[inline]
    const fn saturate(raw: i64) -> Self {
        if raw > MAX_RAW as i64 {
            Self::INFINITY
        } else if raw < -(MAX_RAW as i64) {
            Self::NEG_INFINITY
        } else {
            Self(raw as i32)
        }
    }

    /// The sign of a non-NaN value as −1, 0 or 1.
    #[inline]
    const fn sign(self) -> i32 {
        self.0.signum()
    }

    /// ±∞ with the given sign (`0` counts as positive).
    #[inline]
    const fn infinite_with_sign(sign: i32) -> Self {
        if sign < 0 {
            Self::NEG_INFINITY
        } else {
            Self::INFINITY
        }
    }

    #[cold]
    fn add_special(a: Self, b: Self) -> Self {
        if a.0 == NAN_RAW || b.0 == NAN_RAW {
            Self::NAN
        } else if !a.finite() && !b.finite() {
            if a.0 == b.0 { a } else { Self::NAN }
        } else if !a.finite() {
            a
        } else {
            b
        }
    }

    #[cold]
    fn mul_special(a: Self, b: Self) -> Self {
        if a.0 == NAN_RAW || b.0 == NAN_RAW || a.0 == 0 || b.0 == 0 {
            // 0 · ∞ is NaN.
            Self::NAN
        } else {
            Self::infinite_with_sign(a.sign() * b.sign())
        }
    }

    #[cold]
    fn div_special(a: Self, b: Self) -> Self {
        if a.0 == NAN_RAW || b.0 == NAN_RAW {
            Self::NAN
        } else if b.0 == 0 {
            if a.0 == 0 {
                Self::NAN
            } else {
                Self::infinite_with_sign(a.sign())
            }
        } else if !a.finite() {
            if b.finite() {
                Self::infinite_with_sign(a.sign() * b.sign())
            } else {
                Self::NAN
            }
        } else {
            // finite / ∞
            Self::ZERO
        }
    }

    /// The Q30 value of a finite `self`.
    #[inline]
    fn q30(self) -> i64 {
        i64::from(self.0) << (30 - FRAC)
    }

    /// Rounds a Q30 value to the nearest Q16.16 (ties toward +∞), ±∞ beyond the range.
    #[inline]
    fn from_q30(x: i64) -> Self {
        Self::saturate((x + (1 << 13)) >> 14)
    }
}

/// `a · b` for Q30 numbers below 2 in magnitude (rounded to nearest).
#[inline]
fn mul_q30(a: i64, b: i64) -> i64 {
    (a * b + (1 << 29)) >> 30
}

/// `eˣ = m · 2ᵏ` for a Q30 `x`, with `m` in `[0.70, 1.42]` (Q30): `k = round(x / ln 2)`, then
/// the Taylor series of `e^r`, `r = x − k·ln 2` (`|r| ≤ 0.35`), to the 11th power.
fn exp_parts(x: i64) -> (i64, i64) {
    // k = round(x / ln 2), by a multiplication (x in Q16 times 1/ln 2 in Q30): the rounding
    // of x to Q16 may move k by one where x/ln 2 is near a half, and r stays within 0.35.
    let k = ((x >> 14) * INV_LN2_Q30 + (1 << 45)) >> 46;
    // r in Q40 first, so that k·ln 2 is exact to 2⁻⁴⁰ per unit of k.
    let r = ((x << 10) - k * LN2_Q40 + (1 << 9)) >> 10;
    // Horner on 1/i! (Q30) from the 11th power down.
    let mut acc = EXP_TAYLOR_Q30[11];
    for c in EXP_TAYLOR_Q30[..11].iter().rev() {
        acc = c + mul_q30(r, acc);
    }
    (acc, k)
}

/// `1/i!` in Q30 for `i = 0..=11`.
const EXP_TAYLOR_Q30: [i64; 12] = {
    let mut c = [0i64; 12];
    let mut factorial = 1i64;
    let mut i = 0;
    while i < 12 {
        if i > 0 {
            factorial *= i as i64;
        }
        c[i] = (Q30 + factorial / 2) / factorial;
        i += 1;
    }
    c
};

/// `eˣ` for a Q30 `x`, as Q16.16.
fn exp_q30(x: i64) -> I16F16 {
    // e^10.4 > 32768 and e^−11.8 < 2⁻¹⁷: outside, the result is ∞ or rounds to 0.
    if x > 11 * Q30 {
        return I16F16::INFINITY;
    }
    if x < -12 * Q30 {
        return I16F16::ZERO;
    }
    let (m, k) = exp_parts(x);
    // m · 2^k in Q16: m >> (14 − k).
    let shift = 14 - k;
    if shift <= 0 {
        I16F16::saturate(m << -shift)
    } else {
        I16F16::saturate((m + (1 << (shift - 1))) >> shift)
    }
}

/// `ln x` of a positive finite Q16.16 raw value, in Q30: `x = m · 2ᵉ` with `m` in
/// `[√½, √2)`, `ln m = 2·atanh((m − 1)/(m + 1))` by its series to the 11th power.
fn ln_q30(raw: i32) -> i64 {
    let p = 31 - raw.leading_zeros() as i64; // leading bit: raw = 1.xxx · 2^p
    let mut m = i64::from(raw) << (30 - p);
    let mut e = p - i64::from(FRAC);
    if m > SQRT2_Q30 {
        m >>= 1;
        e += 1;
    }
    let s = ((m - Q30) << 30) / (m + Q30);
    let s2 = mul_q30(s, s);
    let mut acc = Q30 / 11;
    for d in [9, 7, 5, 3, 1] {
        acc = Q30 / d + mul_q30(s2, acc);
    }
    e * LN2_Q30 + 2 * mul_q30(s, acc)
}

/// The digit-by-digit square root of `$v` in the unsigned type `$t`:
/// `(⌊√v⌋, v − ⌊√v⌋²)`, `(0, 0)` for 0.
macro_rules! digit_sqrt {
    ($t:ty, $v:expr) => {{
        let v: $t = $v;
        let (mut rest, mut root) = (v, 0 as $t);
        // The largest power of 4 not above v (none for 0).
        let mut bit: $t = if v == 0 {
            0
        } else {
            1 << (<$t>::BITS - 2 - (v.leading_zeros() & !1))
        };
        while bit != 0 {
            if rest >= root + bit {
                rest -= root + bit;
                root = (root >> 1) + bit;
            } else {
                root >>= 1;
            }
            bit >>= 2;
        }
        (root, rest)
    }};
}

/// `⌊√v⌋` and `v − ⌊√v⌋²`, digit by digit (in 32 bits when `v` fits: values below 1, the
/// common case, which a 32-bit chip then computes without 64-bit arithmetic).
fn isqrt(v: u64) -> (u64, u64) {
    match u32::try_from(v) {
        Ok(v) => {
            let (root, rest) = digit_sqrt!(u32, v);
            (u64::from(root), u64::from(rest))
        }
        Err(_) => digit_sqrt!(u64, v),
    }
}

impl PartialEq for I16F16 {
    /// Equal bit patterns, except that NaN equals nothing.
    #[inline]
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 && self.0 != NAN_RAW
    }
}

impl PartialOrd for I16F16 {
    /// The order of the values (−∞ below everything, +∞ above); NaN is unordered.
    #[inline]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        if self.0 == NAN_RAW || other.0 == NAN_RAW {
            None
        } else {
            Some(self.0.cmp(&other.0))
        }
    }
}

impl Add for I16F16 {
    type Output = Self;
    /// Exact unless beyond the range (then ±∞).
    #[inline]
    fn add(self, rhs: Self) -> Self {
        if self.finite() && rhs.finite() {
            Self::saturate(i64::from(self.0) + i64::from(rhs.0))
        } else {
            Self::add_special(self, rhs)
        }
    }
}

impl Sub for I16F16 {
    type Output = Self;
    /// Exact unless beyond the range (then ±∞).
    #[inline]
    fn sub(self, rhs: Self) -> Self {
        if self.finite() && rhs.finite() {
            Self::saturate(i64::from(self.0) - i64::from(rhs.0))
        } else {
            Self::add_special(self, -rhs)
        }
    }
}

impl Mul for I16F16 {
    type Output = Self;
    /// `(a·b + 2¹⁵) >> 16` on the bit patterns: nearest, ties toward +∞.
    #[inline]
    fn mul(self, rhs: Self) -> Self {
        if self.finite() && rhs.finite() {
            Self::saturate((i64::from(self.0) * i64::from(rhs.0) + (1 << (FRAC - 1))) >> FRAC)
        } else {
            Self::mul_special(self, rhs)
        }
    }
}

impl Div for I16F16 {
    type Output = Self;
    /// `a·2¹⁶ / b` on the bit patterns, nearest, ties away from zero; `x/0` is ±∞, `0/0` NaN.
    #[inline]
    fn div(self, rhs: Self) -> Self {
        if !(self.finite() && rhs.finite()) || rhs.0 == 0 {
            return Self::div_special(self, rhs);
        }
        // Below 0.5 in magnitude the shifted numerator fits 32 bits: a 32-bit division (one
        // instruction on a Cortex-M3/M4, a short routine on the M0) instead of a 64-bit one.
        // Both paths compute the same quotient.
        let q = if self.0.unsigned_abs() < 1 << (31 - FRAC) {
            let (n, d) = (self.0 << FRAC, rhs.0);
            let (q, r) = (n / d, n % d);
            let round = 2 * u64::from(r.unsigned_abs()) >= u64::from(d.unsigned_abs());
            i64::from(q)
                + if !round {
                    0
                } else if (n < 0) != (d < 0) {
                    -1
                } else {
                    1
                }
        } else {
            let (n, d) = (i64::from(self.0) << FRAC, i64::from(rhs.0));
            let (q, r) = (n / d, n % d);
            q + if 2 * r.abs() < d.abs() {
                0
            } else if (n < 0) != (d < 0) {
                -1
            } else {
                1
            }
        };
        Self::saturate(q)
    }
}

impl Rem for I16F16 {
    type Output = Self;
    /// `a − trunc(a/b)·b`, exact (as `f32 % f32`); NaN for `b = 0` or an infinite `a`.
    #[inline]
    fn rem(self, rhs: Self) -> Self {
        if self.finite() && rhs.finite() && rhs.0 != 0 {
            Self(self.0 % rhs.0)
        } else if self.finite() && rhs.0 != NAN_RAW && rhs.0 != 0 {
            self // finite % ∞
        } else {
            Self::NAN
        }
    }
}

impl Neg for I16F16 {
    type Output = Self;
    /// Exact; −(+∞) = −∞, −NaN = NaN.
    #[inline]
    fn neg(self) -> Self {
        if self.0 == NAN_RAW {
            self
        } else {
            Self(-self.0)
        }
    }
}

impl Zero for I16F16 {
    fn zero() -> Self {
        Self::ZERO
    }
    fn is_zero(&self) -> bool {
        self.0 == 0
    }
}

impl One for I16F16 {
    fn one() -> Self {
        Self::ONE
    }
}

impl Bounded for I16F16 {
    /// [`I16F16::MIN`].
    fn min_value() -> Self {
        Self::MIN
    }
    /// [`I16F16::MAX`].
    fn max_value() -> Self {
        Self::MAX
    }
}

/// Why a string is not an [`I16F16`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseFixedError {
    /// Only decimal (radix 10) is read.
    Radix(u32),
    /// Not `[-]digits[.digits]`, `inf`, `-inf` or `NaN`.
    Syntax,
}

impl fmt::Display for ParseFixedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Radix(r) => write!(f, "I16F16 reads decimal numbers only, not radix {r}"),
            Self::Syntax => f.write_str("not a decimal number ([-]digits[.digits], inf, NaN)"),
        }
    }
}

impl Num for I16F16 {
    type FromStrRadixErr = ParseFixedError;
    /// Reads `[-]digits[.digits]` (nearest value, ties away from zero; beyond the range ±∞),
    /// `inf`, `-inf` and `NaN`, in radix 10.
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, ParseFixedError> {
        if radix != 10 {
            return Err(ParseFixedError::Radix(radix));
        }
        let (negative, body) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s.strip_prefix('+').unwrap_or(s)),
        };
        match body {
            "inf" => {
                return Ok(if negative {
                    Self::NEG_INFINITY
                } else {
                    Self::INFINITY
                });
            }
            "NaN" if !negative => return Ok(Self::NAN),
            _ => {}
        }
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit())
        {
            return Err(ParseFixedError::Syntax);
        }
        let mut whole: i64 = 0;
        for b in int.bytes() {
            whole = (whole * 10 + i64::from(b - b'0')).min(1 << 20);
        }
        // The first 15 fraction digits decide the rounding (2⁻¹⁶ is 1.5·10⁻⁵).
        let (mut digits, mut scale) = (0i64, 1i64);
        for b in frac.bytes().take(15) {
            digits = digits * 10 + i64::from(b - b'0');
            scale *= 10;
        }
        let fraction = ((digits << FRAC) + scale / 2) / scale;
        let raw = (whole << FRAC) + fraction;
        let value = Self::saturate(raw);
        Ok(if negative { -value } else { value })
    }
}

impl core::str::FromStr for I16F16 {
    type Err = ParseFixedError;
    fn from_str(s: &str) -> Result<Self, ParseFixedError> {
        Self::from_str_radix(s, 10)
    }
}

impl ToPrimitive for I16F16 {
    /// Truncated toward zero; `None` for ±∞ and NaN.
    fn to_i64(&self) -> Option<i64> {
        self.finite().then_some(i64::from(self.0 / ONE_RAW))
    }
    /// Truncated toward zero; `None` below `0`, for ±∞ and NaN.
    fn to_u64(&self) -> Option<u64> {
        self.to_i64().and_then(|v| u64::try_from(v).ok())
    }
    /// Exact (see [`I16F16::to_f64_exact`]).
    fn to_f64(&self) -> Option<f64> {
        Some(self.to_f64_exact())
    }
    /// Nearest (see [`I16F16::to_f32`]).
    fn to_f32(&self) -> Option<f32> {
        Some(I16F16::to_f32(*self))
    }
}

impl num_traits::NumCast for I16F16 {
    /// Through `n.to_f64()`, then [`Real::from_f64`] (nearest). Integer sources convert
    /// to `f64` first, which on a chip without an FPU is a soft-float call: typegrad itself
    /// uses [`Scalar::from_count`] and [`Real::from_f64`] instead.
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        n.to_f64().map(<Self as Real>::from_f64)
    }
}

impl Scalar for I16F16 {
    /// `n` exactly, or [`I16F16::MAX`] beyond it (integer arithmetic only).
    #[inline]
    fn from_count(n: usize) -> Self {
        if n <= 0x7FFF {
            Self((n as i32) << FRAC)
        } else {
            Self::MAX
        }
    }

    #[inline]
    fn is_finite_val(self) -> bool {
        self.finite()
    }
}

impl Real for I16F16 {
    fn from_f64(c: f64) -> Self {
        let bits = c.to_bits();
        Self::from_parts(
            bits >> 63 != 0,
            (bits >> 52 & 0x7FF) as i32,
            bits & ((1 << 52) - 1),
            52,
            1023,
        )
    }

    fn exp(self) -> Self {
        match self.0 {
            NAN_RAW => Self::NAN,
            INF_RAW => Self::INFINITY,
            NEG_INF_RAW => Self::ZERO,
            _ => exp_q30(self.q30()),
        }
    }

    fn ln(self) -> Self {
        match self.0 {
            NAN_RAW => Self::NAN,
            INF_RAW => Self::INFINITY,
            0 => Self::NEG_INFINITY,
            raw if raw < 0 => Self::NAN,
            raw => Self::from_q30(ln_q30(raw)),
        }
    }

    fn sqrt(self) -> Self {
        match self.0 {
            NAN_RAW => Self::NAN,
            INF_RAW => Self::INFINITY,
            raw if raw < 0 => Self::NAN,
            raw => {
                // √(raw · 2⁻¹⁶) · 2¹⁶ = √(raw · 2¹⁶), rounded to nearest.
                let (root, rest) = isqrt((raw as u64) << FRAC);
                Self((root + u64::from(rest > root)) as i32)
            }
        }
    }

    fn tanh(self) -> Self {
        if self.0 == NAN_RAW {
            return Self::NAN;
        }
        let magnitude = self.0.unsigned_abs();
        // tanh 9 = 1 − 3·10⁻⁸: from there on (∞ included), ±1.
        let t = if magnitude >= 9 << FRAC {
            ONE_RAW
        } else {
            // tanh |x| = (1 − e)/(1 + e) with e = e^(−2|x|) in Q30.
            let (m, k) = exp_parts(-(i64::from(magnitude) << (31 - FRAC)));
            let e = if k == 0 {
                m
            } else {
                (m + (1 << (-k - 1))) >> -k
            };
            ((((Q30 - e) << FRAC) + (Q30 + e) / 2) / (Q30 + e)) as i32
        };
        Self(if self.0 < 0 { -t } else { t })
    }

    fn cos(self) -> Self {
        if !self.finite() {
            return Self::NAN;
        }
        // x = n·π/2 + r, |r| ≤ π/4 (in Q40, so that n·π/2 is exact to 2⁻⁴⁰ per unit of n).
        let x = i64::from(self.0) << (40 - FRAC);
        let n = if x >= 0 {
            (x + HALF_PI_Q40 / 2) / HALF_PI_Q40
        } else {
            (x - HALF_PI_Q40 / 2) / HALF_PI_Q40
        };
        let r = (x - n * HALF_PI_Q40 + (1 << 9)) >> 10;
        let z = mul_q30(r, r);
        let (mut c, mut s) = (Q30, Q30);
        for k in (1..=7).rev() {
            c = Q30 - mul_q30(z, c) / ((2 * k - 1) * (2 * k));
            s = Q30 - mul_q30(z, s) / ((2 * k) * (2 * k + 1));
        }
        let s = mul_q30(r, s);
        Self::from_q30(match n.rem_euclid(4) {
            0 => c,
            1 => -s,
            2 => -c,
            _ => s,
        })
    }

    fn powi(self, n: i32) -> Self {
        let mut e = n.unsigned_abs();
        let (mut base, mut acc) = (self, Self::ONE);
        while e > 0 {
            if e & 1 == 1 {
                acc = acc * base;
            }
            base = base * base;
            e >>= 1;
        }
        if n < 0 { Self::ONE / acc } else { acc }
    }

    fn powf(self, y: Self) -> Self {
        if y.0 == 0 || self.0 == ONE_RAW {
            return Self::ONE; // as IEEE pow: x⁰ = 1ʸ = 1, NaN included
        }
        if self.0 == NAN_RAW || y.0 == NAN_RAW {
            return Self::NAN;
        }
        if self.0 < 0 {
            // Only integer powers of negative numbers are real.
            return if y.finite() && y.0 % ONE_RAW == 0 {
                self.powi(y.0 >> FRAC)
            } else {
                Self::NAN
            };
        }
        if self.0 == 0 {
            return if y.0 > 0 { Self::ZERO } else { Self::INFINITY };
        }
        if !self.finite() {
            return if y.0 > 0 { Self::INFINITY } else { Self::ZERO };
        }
        if !y.finite() {
            let grows = (self.0 > ONE_RAW) == (y.0 > 0);
            return if grows { Self::INFINITY } else { Self::ZERO };
        }
        // xʸ = e^(y·ln x), the product in Q30 through 128 bits.
        let t = (i128::from(ln_q30(self.0)) * i128::from(y.0)) >> FRAC;
        exp_q30(t.clamp(-13 * i128::from(Q30), 12 * i128::from(Q30)) as i64)
    }

    fn abs(self) -> Self {
        if self.0 == NAN_RAW {
            self
        } else {
            Self(self.0.abs())
        }
    }

    fn is_finite(self) -> bool {
        self.finite()
    }

    fn is_nan(self) -> bool {
        self.0 == NAN_RAW
    }

    fn nan() -> Self {
        Self::NAN
    }

    fn infinity() -> Self {
        Self::INFINITY
    }

    fn neg_infinity() -> Self {
        Self::NEG_INFINITY
    }

    fn epsilon() -> Self {
        Self::EPSILON
    }

    /// `round(n / 2³⁷)` as the bit pattern (integer arithmetic only).
    fn from_unit_bits(n: u64) -> Self {
        Self(((n + (1 << 36)) >> 37) as i32)
    }

    /// `√(num / den)` computed in `I16F16` (integer arithmetic only).
    fn sqrt_of_ratio(num: f64, den: usize) -> Self {
        (Self::from_f64(num) / Self::from_count(den)).sqrt()
    }
}

impl fmt::Display for I16F16 {
    /// The decimal value, rounded to the formatter's precision (default 5 digits, enough to
    /// tell any two values apart; at most 14); `inf`, `-inf`, `NaN` for the reserved patterns.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            NAN_RAW => return f.pad("NaN"),
            INF_RAW => return f.pad("inf"),
            NEG_INF_RAW => return f.pad("-inf"),
            _ => {}
        }
        let digits = f.precision().unwrap_or(5).min(14);
        let scale = 10u128.pow(digits as u32);
        let mag = u128::from(self.0.unsigned_abs());
        // Round the magnitude to `digits` decimals, ties away from zero.
        let scaled = ((mag * scale) + (1 << (FRAC - 1))) >> FRAC;
        let (whole, fraction) = (scaled / scale, scaled % scale);
        let sign = if self.0 < 0 && scaled != 0 { "-" } else { "" };
        if digits == 0 {
            write!(f, "{sign}{whole}")
        } else {
            write!(f, "{sign}{whole}.{fraction:0digits$}")
        }
    }
}

impl fmt::Debug for I16F16 {
    /// As [`Display`](fmt::Display).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl From<i16> for I16F16 {
    fn from(n: i16) -> Self {
        Self::from_int(n)
    }
}
