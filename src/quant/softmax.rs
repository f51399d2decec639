//! [`QSoftmax`]: int8 softmax exactly as TFLite Micro computes it (`reference_ops::Softmax`
//! with gemmlowp's fixed-point `exp`), and the fixed-point pieces it is made of.

use super::arith::saturating_rounding_doubling_high_mul as mul;
use super::arith::{Multiplier, QuantParams, rounding_divide_by_pot};
use super::layer::QLayer;
use crate::Vector;

/// Integer bits of the scaled input differences (Q5.26), as TFLite's `kScaledDiffIntegerBits`.
const DIFF_INTEGER_BITS: i32 = 5;
/// Integer bits of the sum of exponentials (Q12.19), as TFLite's `kAccumulationIntegerBits`.
const ACCUMULATION_INTEGER_BITS: i32 = 12;

/// int8 softmax over `N` values, TFLite Micro's `SOFTMAX` bit for bit: the input differences
/// from the largest value, rescaled by `β · input_scale` in fixed point (Q5.26), go through
/// gemmlowp's fixed-point `exp`; their sum's reciprocal scales each, and the output is
/// quantized with scale 1/256 and zero point −128 (so 0 ↦ −128, 1 ↦ 127 saturated).
/// Differences below `diff_min` give −128.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QSoftmax<const N: usize> {
    /// The input's quantization.
    pub input: QuantParams,
    /// `β` (1 for the usual softmax).
    pub beta: f32,
    /// `β · input_scale · 2^26` as a fixed-point multiplier (shift ≥ 0).
    pub multiplier: Multiplier,
    /// The smallest input difference that is not treated as `exp = 0`.
    pub diff_min: i32,
}

impl<const N: usize> QSoftmax<N> {
    /// The output quantization TFLite requires of an int8 softmax: scale 1/256, zero point
    /// −128.
    pub const OUTPUT: QuantParams = QuantParams {
        scale: 1.0 / 256.0,
        zero_point: -128,
    };

    /// The softmax `exp(β·xᵢ) / Σⱼ exp(β·xⱼ)` of inputs quantized as `input`, with the
    /// parameters TFLite derives (`PreprocessSoftmaxScaling`, `CalculateInputRadius`).
    pub fn new(input: QuantParams, beta: f32) -> Self {
        let max_real = f64::from(i32::MAX);
        let real = (f64::from(beta)
            * f64::from(input.scale)
            * f64::from(1u32 << (31 - DIFF_INTEGER_BITS)))
        .min(max_real);
        let multiplier = Multiplier::from_real(real);
        // −⌊(2⁵ − 1) · 2²⁶ / 2^shift⌋, exactly, in integers.
        let max_rescaled = (((1i64 << DIFF_INTEGER_BITS) - 1) << (31 - DIFF_INTEGER_BITS)) as u64;
        let shift = multiplier.shift.clamp(-31, 63);
        let radius = if shift >= 0 {
            max_rescaled >> shift
        } else {
            max_rescaled.saturating_mul(1 << -shift)
        };
        Self {
            input,
            beta,
            multiplier,
            diff_min: -(radius.min(i32::MAX as u64) as i32),
        }
    }

    /// An input difference `d ≤ 0` rescaled to Q5.26 (`MultiplyByQuantizedMultiplier
    /// GreaterThanOne`, two roundings).
    fn scaled(&self, d: i32) -> i32 {
        let left = self.multiplier.shift.max(0);
        mul(d.wrapping_mul(1 << left), self.multiplier.multiplier)
    }
}

impl<const N: usize> QLayer for QSoftmax<N> {
    type In = Vector<i8, N>;
    type Out = Vector<i8, N>;

    fn input_params(&self) -> QuantParams {
        self.input
    }

    fn output_params(&self) -> QuantParams {
        Self::OUTPUT
    }

    fn apply(&self, xs: &[i8], y: &mut [i8]) {
        let max = xs.iter().copied().max().unwrap_or(i8::MIN);
        let diff = |v: i8| i32::from(v) - i32::from(max);
        let mut sum: i32 = 0;
        for &v in xs {
            if diff(v) >= self.diff_min {
                let e = exp_on_negative_values(self.scaled(diff(v)));
                sum = sum.wrapping_add(rounding_divide_by_pot(e, ACCUMULATION_INTEGER_BITS));
            }
        }
        let (reciprocal, bits_over_unit) = reciprocal(sum, ACCUMULATION_INTEGER_BITS);
        let exponent = bits_over_unit + 31 - 8;
        for (out, &v) in y.iter_mut().zip(xs) {
            let d = diff(v);
            *out = if d < self.diff_min {
                i8::MIN
            } else {
                let e = exp_on_negative_values(self.scaled(d));
                let q = rounding_divide_by_pot(mul(reciprocal, e), exponent.clamp(0, 31)) - 128;
                q.clamp(-128, 127) as i8
            };
        }
    }
}

/// gemmlowp's `SaturatingRoundingMultiplyByPOT<e>` for `e > 0`: `x · 2^e`, saturated.
fn saturating_shift_left(x: i32, e: u32) -> i32 {
    let threshold = (1i32 << (31 - e)) - 1;
    if x > threshold {
        i32::MAX
    } else if x < -threshold {
        i32::MIN
    } else {
        x << e
    }
}

/// gemmlowp's `exp_on_interval_between_negative_one_quarter_and_0_excl`: `exp(a)` for `a` in
/// `[−1/4, 0)`, both in Q0.31, by a Taylor expansion around −1/8.
fn exp_on_interval_between_negative_one_quarter_and_0_excl(a: i32) -> i32 {
    const EXP_MINUS_ONE_EIGHTH: i32 = 1_895_147_668;
    const ONE_THIRD: i32 = 715_827_883;
    let x = a.wrapping_add(1 << 28);
    let x2 = mul(x, x);
    let x3 = mul(x2, x);
    let x4 = mul(x2, x2);
    let x4_over_4 = rounding_divide_by_pot(x4, 2);
    let poly = rounding_divide_by_pot(
        mul(x4_over_4.wrapping_add(x3), ONE_THIRD).wrapping_add(x2),
        1,
    );
    EXP_MINUS_ONE_EIGHTH.wrapping_add(mul(EXP_MINUS_ONE_EIGHTH, x.wrapping_add(poly)))
}

/// gemmlowp's `exp_on_negative_values` for a Q5.26 input `a ≤ 0`: `exp(a)` in Q0.31 (1 is
/// `i32::MAX`).
pub(crate) fn exp_on_negative_values(a: i32) -> i32 {
    const FRACTIONAL_BITS: i32 = 31 - DIFF_INTEGER_BITS;
    const ONE_QUARTER: i32 = 1 << (FRACTIONAL_BITS - 2);
    let a_mod_quarter_minus_one_quarter = (a & (ONE_QUARTER - 1)).wrapping_sub(ONE_QUARTER);
    let mut result = exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_shift_left(a_mod_quarter_minus_one_quarter, DIFF_INTEGER_BITS as u32),
    );
    let remainder = a_mod_quarter_minus_one_quarter.wrapping_sub(a);
    // exp(−2^k) for k = −2 ..= 4, in Q0.31.
    const BARREL: [(i32, i32); 7] = [
        (-2, 1_672_461_947),
        (-1, 1_302_514_674),
        (0, 790_015_084),
        (1, 290_630_308),
        (2, 39_332_535),
        (3, 720_401),
        (4, 242),
    ];
    for (exponent, multiplier) in BARREL {
        if DIFF_INTEGER_BITS > exponent && remainder & (1 << (FRACTIONAL_BITS + exponent)) != 0 {
            result = mul(result, multiplier);
        }
    }
    if a == 0 { i32::MAX } else { result }
}

/// gemmlowp's `RoundingHalfSum`: `(a + b) / 2` rounded to nearest, halves away from zero.
fn rounding_half_sum(a: i32, b: i32) -> i32 {
    let sum = i64::from(a) + i64::from(b);
    let sign = if sum >= 0 { 1 } else { -1 };
    ((sum + sign) / 2) as i32
}

/// gemmlowp's `one_over_one_plus_x_for_x_in_0_1`: `1 / (1 + a)` for `a` in `[0, 1)`, Q0.31
/// in and out, by three Newton–Raphson steps.
fn one_over_one_plus_x_for_x_in_0_1(a: i32) -> i32 {
    const C48_OVER_17: i32 = 1_515_870_810; // Q2.29
    const C_NEG_32_OVER_17: i32 = -1_010_580_540; // Q2.29
    const ONE_Q2: i32 = 1 << 29;
    let half_denominator = rounding_half_sum(a, i32::MAX);
    let mut x = C48_OVER_17.wrapping_add(mul(half_denominator, C_NEG_32_OVER_17));
    for _ in 0..3 {
        let half_denominator_times_x = mul(half_denominator, x);
        let one_minus = ONE_Q2.wrapping_sub(half_denominator_times_x);
        x = x.wrapping_add(saturating_shift_left(mul(x, one_minus), 2));
    }
    saturating_shift_left(x, 1)
}

/// TFLite's `GetReciprocal`: for `x` with `integer_digits` integer bits, `(1 / x` scaled
/// into Q0.31, the number of bits it was scaled by above the unit`)`.
fn reciprocal(x: i32, integer_digits: i32) -> (i32, i32) {
    let headroom_plus_one = (x as u32).leading_zeros() as i32;
    let bits_over_unit = integer_digits - headroom_plus_one;
    let shifted_minus_one = ((x as u32)
        .checked_shl(headroom_plus_one as u32)
        .unwrap_or(0))
    .wrapping_sub(1 << 31) as i32;
    (
        one_over_one_plus_x_for_x_in_0_1(shifted_minus_one),
        bits_over_unit,
    )
}

mod load {
    use super::QSoftmax;
    use crate::quant::tflite::{
        At, Builtin, Dims, Load, Model, Options, Problem, TfliteError, find, params_at,
    };

    /// `SOFTMAX` with its `β`, output quantized as TFLite requires (scale 1/256, zero point
    /// −128).
    impl<const N: usize> Load for QSoftmax<N> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let input = params_at(file, at)?;
            find(file, at, &[Builtin::Softmax], "SOFTMAX", |step| {
                let Options::Softmax { beta } = step.options else {
                    return Err(step.error(Problem::Missing {
                        what: "builtin_options",
                    }));
                };
                step.gives(at.layer, &Dims::new(&[1, N as i32]))?;
                if step.output_params()? != Self::OUTPUT {
                    return Err(step.error(Problem::Quantization {
                        tensor: step.output.index,
                        what: "an int8 SOFTMAX gives scale 1/256 and zero point −128",
                    }));
                }
                if !(beta.is_finite() && beta > 0.0) {
                    return Err(step.error(Problem::Invalid {
                        what: "SOFTMAX's beta is not a positive number",
                    }));
                }
                let q = QSoftmax::new(input, beta);
                Ok((q, at.then(step.output.index)))
            })
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::QSoftmax;
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<const N: usize> Literal for QSoftmax<N> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QSoftmax",
                fields {
                    input,
                    beta,
                    multiplier,
                    diff_min
                }
            );
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::QSoftmax;
    use crate::quant::tflite::{Builtin, Describe, Flow, Graph, Options};

    /// `SOFTMAX` (β = 1), its output quantized with scale 1/256 and zero point −128.
    impl<const N: usize> Describe for QSoftmax<N> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let y = g.next(&g.name("softmax"), &x, Self::OUTPUT);
            g.operator(
                Builtin::Softmax,
                &[x.tensor],
                &[y.tensor],
                Options::Softmax { beta: self.beta },
            );
            y
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_exp_is_exp_within_a_few_ulps_of_q0_31() {
        for k in 0..=2000 {
            let a = -(k as f64) / 100.0; // 0 .. −20
            let raw = (a * f64::from(1 << 26)).round() as i32;
            let got = f64::from(exp_on_negative_values(raw)) / 2f64.powi(31);
            // The Taylor polynomial of degree 4 on [−1/4, 0) leaves up to (1/8)⁵/5! ≈ 2.5e-7.
            assert!(
                (got - a.exp()).abs() < 1e-8 + 3e-7 * a.exp(),
                "exp({a}) = {got}"
            );
        }
    }

    #[test]
    fn the_reciprocal_is_one_over_x() {
        for k in 1..2000 {
            let v = f64::from(k) / 37.0; // up to 54
            let raw = (v * 2f64.powi(31 - ACCUMULATION_INTEGER_BITS)) as i32;
            let (r, bits) = reciprocal(raw, ACCUMULATION_INTEGER_BITS);
            let got = f64::from(r) / 2f64.powi(31) / 2f64.powi(bits);
            let x = f64::from(raw) / 2f64.powi(31 - ACCUMULATION_INTEGER_BITS);
            assert!((got - 1.0 / x).abs() < 1e-6 / x, "1/{x} = {got}");
        }
    }

    #[test]
    fn int8_softmax_is_the_float_softmax_within_one_output_step() {
        let input = QuantParams {
            scale: 0.1,
            zero_point: 3,
        };
        let s = QSoftmax::<10>::new(input, 1.0);
        let mut seed = 1u64;
        for _ in 0..500 {
            let x = Vector::<i8, 10>::from_fn(|_| {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                (seed >> 56) as i8
            });
            let y = s.predict(&x);
            let real: std::vec::Vec<f64> = (0..10)
                .map(|i| 0.1 * f64::from(i32::from(x[i]) - 3))
                .collect();
            let max = real.iter().copied().fold(f64::MIN, f64::max);
            let sum: f64 = real.iter().map(|v| (v - max).exp()).sum();
            for i in 0..10 {
                let want = (real[i] - max).exp() / sum;
                let got = f64::from(i32::from(y[i]) + 128) / 256.0;
                assert!((got - want).abs() <= 1.0 / 256.0 + 1e-9, "{got} vs {want}");
            }
        }
    }

    #[test]
    fn parameters_follow_tflite() {
        // β · scale · 2^26 = 0.1_f32 · 2^26 = 6710886.5 = 0.80000001192 · 2^23 (Python: math.frexp).
        let s = QSoftmax::<4>::new(
            QuantParams {
                scale: 0.1,
                zero_point: 0,
            },
            1.0,
        );
        assert_eq!(s.multiplier.shift, 23);
        assert_eq!(s.multiplier.multiplier, 1_717_986_944);
        // −⌊31 · 2^26 / 2^23⌋ = −248
        assert_eq!(s.diff_min, -248);
    }
}
