//! Seeded random numbers and weight initialization, without std.
//!
//! [`Rng`] is SplitMix64: tiny, fast, and the same on every target, so the same seed gives
//! bit-identical weights and a bit-identical training run on a PC and on a microcontroller.
//! [`Init`] names the usual initialization schemes.

use crate::Real;
use crate::scalar::constant;

/// A small seeded pseudo-random number generator (SplitMix64).
///
/// ```
/// use typegrad::init::Rng;
/// let mut a = Rng::new(42);
/// let mut b = Rng::new(42);
/// assert_eq!(a.next_u64(), b.next_u64());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Rng {
    state: u64,
}

impl Rng {
    /// A generator started from `seed`.
    pub const fn new(seed: u64) -> Self {
        Self { state: seed }
    }

    /// The next 64 random bits:
    /// `s += 0x9E3779B97F4A7C15; z = s; z = (z ^ z>>30)·0xBF58476D1CE4E5B9;
    /// z = (z ^ z>>27)·0x94D049BB133111EB; z ^ z>>31`.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)` with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[-1, 1)` computed in `f32` from 24 random bits:
    /// `((next_u64 >> 40) / 2²⁴)·2 − 1` (the benchmark workloads' generator).
    pub fn next_f32_signed(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u32 << 24) as f32) * 2.0 - 1.0
    }

    /// Uniform in `[low, high)`.
    pub fn uniform<T: Real>(&mut self, low: T, high: T) -> T {
        low + (high - low) * T::from_unit_bits(self.next_u64() >> 11)
    }

    /// Standard normal `N(0, 1)` by the Box–Muller transform.
    pub fn normal<T: Real>(&mut self) -> T {
        // 1 − u lies in (0, 1], so the logarithm is finite.
        let u1 = T::from_unit_bits((1 << 53) - (self.next_u64() >> 11));
        let u2 = T::from_unit_bits(self.next_u64() >> 11);
        let two = T::one() + T::one();
        (-two * u1.ln()).sqrt() * (two * constant::<T>(core::f64::consts::PI) * u2).cos()
    }

    /// Uniform integer in `0..n` (`0` when `n == 0`), without modulo bias.
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        let n = n as u64;
        let zone = u64::MAX - u64::MAX % n;
        loop {
            let r = self.next_u64();
            if r < zone {
                return (r % n) as usize;
            }
        }
    }

    /// Shuffles a slice in place (Fisher–Yates).
    pub fn shuffle<E>(&mut self, items: &mut [E]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// How to draw the initial weights of a layer with `fan_in` inputs and `fan_out` outputs.
/// Biases start at zero.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Init {
    /// Glorot & Bengio (2010): `U(−a, a)` with `a = √(6 / (fan_in + fan_out))`.
    XavierUniform,
    /// Glorot & Bengio (2010): `N(0, σ²)` with `σ = √(2 / (fan_in + fan_out))`.
    XavierNormal,
    /// He et al. (2015), for ReLU: `U(−a, a)` with `a = √(6 / fan_in)`.
    HeUniform,
    /// He et al. (2015), for ReLU: `N(0, σ²)` with `σ = √(2 / fan_in)`.
    HeNormal,
    /// `U(−a, a)` with the given `a`.
    Uniform(f64),
    /// `N(0, σ²)` with the given `σ`.
    Normal(f64),
}

impl Init {
    /// Draws one weight for a layer with the given fan-in and fan-out.
    pub fn sample<T: Real>(self, rng: &mut Rng, fan_in: usize, fan_out: usize) -> T {
        // (uniform?, scale² as numerator / denominator)
        let (uniform, num, den) = match self {
            Init::XavierUniform => (true, 6.0, fan_in.max(1) + fan_out),
            Init::XavierNormal => (false, 2.0, fan_in.max(1) + fan_out),
            Init::HeUniform => (true, 6.0, fan_in.max(1)),
            Init::HeNormal => (false, 2.0, fan_in.max(1)),
            Init::Uniform(a) => (true, a * a, 1),
            Init::Normal(s) => (false, s * s, 1),
        };
        let scale = T::sqrt_of_ratio(num, den);
        if uniform {
            rng.uniform(-scale, scale)
        } else {
            rng.normal::<T>() * scale
        }
    }
}
