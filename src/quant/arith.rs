//! TFLite's integer arithmetic: affine quantization parameters, the fixed-point multiplier
//! that rescales an int32 accumulator, and its rounding — as TFLite's reference kernels
//! compute them (`QuantizeMultiplier`, `MultiplyByQuantizedMultiplier` with gemmlowp's
//! `SaturatingRoundingDoublingHighMul` and `RoundingDivideByPOT`), so that outputs are equal
//! bit for bit.

/// How real values map to int8: `real = scale · (q − zero_point)`, `q ∈ [−128, 127]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QuantParams {
    /// The real value of one step (as stored in a `.tflite` file: an `f32`).
    pub scale: f32,
    /// The integer that stands for the real value 0.
    pub zero_point: i32,
}

impl QuantParams {
    /// The asymmetric int8 parameters covering `[min, max]` (widened to include 0, as TFLite
    /// requires): `scale = (max − min) / 255`, `zero_point = round(−128 − min / scale)`
    /// clamped to `[−128, 127]`. A range of width 0 gets scale 1.
    pub fn from_range(min: f32, max: f32) -> Self {
        let (lo, hi) = (min.min(0.0) as f64, max.max(0.0) as f64);
        let width = hi - lo;
        let scale = if width > 0.0 && width.is_finite() {
            (width / 255.0) as f32
        } else {
            1.0
        };
        let zp = round_half_away(-128.0 - lo / f64::from(scale));
        Self {
            scale,
            zero_point: zp.clamp(-128.0, 127.0) as i32,
        }
    }

    /// `real` as int8: `clamp(round(real / scale) + zero_point, −128, 127)` (rounding half away
    /// from zero, as TFLite's `QUANTIZE`).
    pub fn quantize(&self, real: f32) -> i8 {
        let q =
            round_half_away(f64::from(real) / f64::from(self.scale)) + f64::from(self.zero_point);
        q.clamp(-128.0, 127.0) as i8
    }

    /// `q` as a real value: `scale · (q − zero_point)`.
    pub fn dequantize(&self, q: i8) -> f32 {
        self.scale * (i32::from(q) - self.zero_point) as f32
    }
}

/// `x` rounded to the nearest integer, halves away from zero (C's `round`).
pub(crate) fn round_half_away(x: f64) -> f64 {
    let t = trunc(x);
    let frac = x - t;
    if frac >= 0.5 {
        t + 1.0
    } else if frac <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

/// `x` with its fractional part dropped (no `std` needed).
fn trunc(x: f64) -> f64 {
    if !x.is_finite() || x.abs() >= 4_503_599_627_370_496.0 {
        return x; // already an integer (or not a number)
    }
    (x as i64) as f64
}

/// Which TFLite runtime's rescaling an int8 `FULLY_CONNECTED` layer reproduces. The two agree
/// on every other op of this crate (their convolutions both round twice).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Rounding {
    /// TFLite Micro (and CMSIS-NN, bit-exact with it), what microcontrollers run: the two-step
    /// `MultiplyByQuantizedMultiplier` ([`Multiplier::apply_double_rounding`]). The default.
    #[default]
    Micro,
    /// The desktop interpreter's reference kernels (`ai-edge-litert`, `BUILTIN_REF`), whose
    /// `FULLY_CONNECTED` rounds once ([`Multiplier::apply`], built with
    /// `TFLITE_SINGLE_ROUNDING`).
    Reference,
}

/// A real multiplier as TFLite stores it: `m · 2^(shift − 31)` with `m` in `[2^30, 2^31)`
/// (or 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Multiplier {
    /// The significand as a Q31 integer.
    pub multiplier: i32,
    /// The power of two (positive: shift left).
    pub shift: i32,
}

impl Multiplier {
    /// TFLite's `QuantizeMultiplier`: `real = q · 2^shift` with `q ∈ [0.5, 1)` (frexp), `m =
    /// round(q · 2^31)` (half away from zero); `m = 2^31` becomes `2^30` with `shift + 1`; a
    /// shift below −31 flushes to zero.
    pub fn from_real(real: f64) -> Self {
        if real == 0.0 || !real.is_finite() {
            return Self {
                multiplier: 0,
                shift: 0,
            };
        }
        let (q, mut shift) = frexp(real);
        let mut fixed = round_half_away(q * 2_147_483_648.0) as i64;
        if fixed == 1 << 31 {
            fixed /= 2;
            shift += 1;
        }
        if shift < -31 {
            shift = 0;
            fixed = 0;
        }
        Self {
            multiplier: fixed as i32,
            shift,
        }
    }

    /// The rescaling of an accumulator in units of `input · weight` to outputs of scale
    /// `output`, as TFLite's kernels derive it from the scales in the file (in double
    /// precision: `input · weight / output`).
    pub fn of_scales(input: f32, weight: f32, output: f32) -> Self {
        Self::from_real(f64::from(input) * f64::from(weight) / f64::from(output))
    }

    /// Whether the factor is below 2³¹ (shift at most 30), as TFLite Micro's left shift of the
    /// accumulator needs.
    pub fn in_range(self) -> bool {
        self.shift <= 30
    }

    /// `x` rescaled as `rounding`'s runtime does it ([`Rounding`]).
    #[inline]
    pub fn rescale(self, x: i32, rounding: Rounding) -> i32 {
        match rounding {
            Rounding::Micro => self.apply_double_rounding(x),
            Rounding::Reference => self.apply(x),
        }
    }

    /// The rescaling of TFLite's `FULLY_CONNECTED` kernel as the desktop interpreter computes
    /// it ([`Rounding::Reference`]): one rounding, `(x · m + 2^(30 − shift)) >> (31 − shift)` in
    /// 64 bits (the shift floors), clamped to `i32` (`MultiplyByQuantizedMultiplier` with
    /// `TFLITE_SINGLE_ROUNDING`). Measured (`scripts/tflite_check.py`): equal to the desktop
    /// interpreter on all 450 digits test images, where the two-rounding form
    /// ([`apply_double_rounding`](Multiplier::apply_double_rounding), TFLite Micro's) differs
    /// by one step on 12.
    pub fn apply(self, x: i32) -> i32 {
        let total = (31 - self.shift).clamp(1, 62) as u32;
        let round = 1i64 << (total - 1);
        let r = (i64::from(x) * i64::from(self.multiplier) + round) >> total;
        r.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
    }

    /// The two-rounding form of TFLite's `MultiplyByQuantizedMultiplier` (gemmlowp's):
    /// `RoundingDivideByPOT(SaturatingRoundingDoublingHighMul(x · 2^left, m), right)` — what
    /// TFLite Micro and CMSIS-NN do for every op ([`Rounding::Micro`]), and the desktop
    /// interpreter's `CONV_2D`, which [`QConv2d`](super::QConv2d) uses (1-D and 2-D).
    /// Measured: with it the 2-D CNN of `int8_cnn_digits`
    /// equals the interpreter on 450 / 450 test images, with the one-rounding form on 399
    /// (intermediate outputs one step apart).
    /// (A shift above 30 — a factor of 2³¹ or more, which no file typegrad loads has — is
    /// taken as 30.)
    ///
    /// For a non-negative multiplier (every one [`from_real`](Multiplier::from_real) makes)
    /// the doubling high multiply is `(a·m + 2³⁰) >> 31` for either sign of `a` (its nudge
    /// `1 − 2³⁰` for a negative product, then truncation toward zero, is the floor of the
    /// same sum), which Armv7-M computes with one `SMLAL`; measured on the Cortex-M4F, the
    /// rescaling went from 33 instructions to 23. Tested against the gemmlowp form.
    #[inline]
    pub fn apply_double_rounding(self, x: i32) -> i32 {
        let left = self.shift.clamp(0, 30) as u32;
        let right = (-self.shift).max(0);
        let a = x.wrapping_shl(left);
        let high = if self.multiplier >= 0 {
            crate::kernels::doubling_high_mul(a, self.multiplier)
        } else {
            saturating_rounding_doubling_high_mul(a, self.multiplier)
        };
        rounding_divide_by_pot(high, right)
    }
}

/// `(q, e)` with `x = q · 2^e`, `|q| ∈ [0.5, 1)` (C's `frexp`), for finite non-zero `x`.
fn frexp(x: f64) -> (f64, i32) {
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i32;
    if exp == 0 {
        // Subnormal: scale up first.
        let (q, e) = frexp(x * 18_014_398_509_481_984.0); // 2^54
        return (q, e - 54);
    }
    let q = f64::from_bits((bits & !(0x7ff << 52)) | (1022 << 52));
    (q, exp - 1022)
}

/// gemmlowp's `SaturatingRoundingDoublingHighMul`: the high 32 bits of `2·a·b`, rounded to
/// nearest (the one overflow, `a = b = i32::MIN`, saturates).
#[inline]
pub fn saturating_rounding_doubling_high_mul(a: i32, b: i32) -> i32 {
    if a == i32::MIN && b == i32::MIN {
        return i32::MAX;
    }
    let ab = i64::from(a) * i64::from(b);
    let nudge: i64 = if ab >= 0 { 1 << 30 } else { 1 - (1 << 30) };
    // Division truncating toward zero, as C++'s `/`.
    ((ab + nudge) / (1i64 << 31)) as i32
}

/// gemmlowp's `RoundingDivideByPOT`: `x / 2^exponent` rounded to nearest, halves away from
/// zero (`0 ≤ exponent ≤ 31`).
#[inline]
pub fn rounding_divide_by_pot(x: i32, exponent: i32) -> i32 {
    let exponent = exponent.clamp(0, 31) as u32;
    let mask = ((1i64 << exponent) - 1) as i32;
    let remainder = x & mask;
    let threshold = (mask >> 1) + i32::from(x < 0);
    (x >> exponent) + i32::from(remainder > threshold)
}

/// The output stage of an int8 layer: output channel `o`'s accumulator rescaled (as
/// `rounding`'s runtime does it), offset by the output zero point and clamped to `[lo, hi]`.
pub(crate) struct OutputStage<'a> {
    /// Each output channel's rescaling.
    pub rescale: &'a [Multiplier],
    /// Whose rounding.
    pub rounding: Rounding,
    /// The output zero point.
    pub zero_point: i32,
    /// The smallest output.
    pub lo: i32,
    /// The largest output.
    pub hi: i32,
}

impl crate::kernels::Requantize for OutputStage<'_> {
    type Channel = Rescale;

    #[inline(always)]
    fn channel(&self, o: usize) -> Rescale {
        Rescale::of(self.rescale.get(o).copied())
    }

    #[inline(always)]
    fn apply(&mut self, c: &Rescale, acc: i32) -> i8 {
        let r = c.apply(acc, self.rounding);
        r.saturating_add(self.zero_point).max(self.lo).min(self.hi) as i8
    }

    #[inline(always)]
    fn is_plain(&self, c: &Rescale) -> bool {
        self.rounding == Rounding::Micro && c.multiplier >= 0
    }

    #[inline(always)]
    fn apply_plain(&mut self, c: &Rescale, acc: i32) -> i8 {
        c.micro(acc)
            .saturating_add(self.zero_point)
            .max(self.lo)
            .min(self.hi) as i8
    }
}

/// A [`Multiplier`] ready to apply to many accumulators: its shifts clamped and its rounding
/// mask worked out once (per output channel and kernel call, not per output). Sixteen bytes:
/// the kernels keep tables of them on the stack.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rescale {
    /// The significand (0 for a channel the layer does not have: its outputs are 0 before
    /// the zero point).
    multiplier: i32,
    /// `2^left` for `shift` clamped to `0..=30` (a multiply, which wraps as the shift does).
    scale: i32,
    /// `−shift` clamped to `0..=31`.
    right: u32,
    /// `2^right − 1`.
    mask: i32,
}

impl Rescale {
    /// `m`'s shifts and rounding mask (`None`: the zero multiplier).
    #[inline(always)]
    pub(crate) fn of(m: Option<Multiplier>) -> Self {
        let (multiplier, shift) = m.map_or((0, 0), |m| (m.multiplier, m.shift));
        let right = (-shift).clamp(0, 31) as u32;
        Rescale {
            multiplier,
            scale: 1 << shift.clamp(0, 30),
            right,
            mask: ((1i64 << right) - 1) as i32,
        }
    }

    /// [`Multiplier::rescale`] of `x`: for [`Rounding::Micro`] and a non-negative multiplier
    /// (every one [`Multiplier::from_real`] makes) [`Multiplier::apply_double_rounding`] with
    /// the clamps and the mask already done, its doubling high multiply one `SMLAL` on the
    /// Armv7E-M cores ([`crate::kernels::doubling_high_mul`]); otherwise the multiplier with
    /// its shift clamped to `−31..=30` (which gives both roundings' results unchanged).
    #[inline(always)]
    pub(crate) fn apply(&self, x: i32, rounding: Rounding) -> i32 {
        match rounding {
            Rounding::Micro if self.multiplier >= 0 => self.micro(x),
            _ => self.general(x, rounding),
        }
    }

    /// The [`Rounding::Micro`] rescaling of `x` for a non-negative multiplier.
    #[inline(always)]
    pub(crate) fn micro(&self, x: i32) -> i32 {
        let a = x.wrapping_mul(self.scale);
        let high = crate::kernels::doubling_high_mul(a, self.multiplier);
        let threshold = (self.mask >> 1) + i32::from(high < 0);
        // Plus one where the remainder is above the threshold: both are in `0..2^31`, so
        // their difference's sign says it (no compare and select).
        (high >> self.right) - ((threshold - (high & self.mask)) >> 31)
    }

    /// [`apply`](Rescale::apply) for the cases no file typegrad writes or loads has (a negative
    /// multiplier) and the desktop interpreter's rounding: out of line, so that the kernels'
    /// loops keep their registers for the common case.
    #[cold]
    #[inline(never)]
    fn general(&self, x: i32, rounding: Rounding) -> i32 {
        let shift = self.scale.trailing_zeros() as i32 - self.right as i32;
        let m = Multiplier {
            multiplier: self.multiplier,
            shift,
        };
        m.rescale(x, rounding)
    }
}

/// The int8 output clamp of a layer with a fused activation: from the zero point (the real
/// 0) for a ReLU, else −128; up to TFLite's `CalculateActivationRangeQuantized` cap
/// (zero point + round(cap / scale), the division in f32, halves away from zero), else 127.
pub(crate) fn clamp_of(output: QuantParams, relu: bool, cap: Option<f32>) -> (i8, i8) {
    let act_min = if relu {
        output.zero_point.clamp(-128, 127) as i8
    } else {
        -128
    };
    let act_max = match cap {
        Some(cap) => {
            let steps = round_half_away(f64::from(cap / output.scale));
            (f64::from(output.zero_point) + steps).clamp(-128.0, 127.0) as i8
        }
        None => 127,
    };
    (act_min, act_max)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-rounding rescaling equals gemmlowp's formula (the one-`SMLAL` form for
    /// non-negative multipliers), on extreme and random accumulators, every shift, and
    /// multipliers of either sign and at the ends of their range.
    #[test]
    fn the_fast_double_rounding_equals_gemmlowp() {
        let reference = |m: Multiplier, x: i32| {
            let left = m.shift.clamp(0, 30);
            let right = (-m.shift).max(0);
            rounding_divide_by_pot(
                saturating_rounding_doubling_high_mul(x.wrapping_mul(1 << left), m.multiplier),
                right,
            )
        };
        // The fast form, and the prepared one the kernels apply (both roundings).
        let check = |m: Multiplier, x: i32| {
            let want = reference(m, x);
            assert_eq!(m.apply_double_rounding(x), want, "{m:?} {x}");
            let prepared = Rescale::of(Some(m));
            assert_eq!(
                prepared.apply(x, Rounding::Micro),
                want,
                "{m:?} {x} prepared"
            );
            assert_eq!(
                prepared.apply(x, Rounding::Reference),
                m.apply(x),
                "{m:?} {x}"
            );
        };
        assert_eq!(Rescale::of(None).apply(12_345, Rounding::Micro), 0);
        let mut seed = 3u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 32) as u32 as i32
        };
        let multipliers = [0, 1, 1 << 30, i32::MAX, -1, i32::MIN, 1_518_500_250];
        let xs = [
            0,
            1,
            -1,
            i32::MAX,
            i32::MIN,
            1 << 30,
            -(1 << 30),
            12_345,
            -12_345,
        ];
        for shift in -32..=32 {
            for &multiplier in &multipliers {
                let m = Multiplier { multiplier, shift };
                for &x in &xs {
                    check(m, x);
                }
                for _ in 0..200 {
                    let x = next() >> (next() & 31);
                    check(m, x);
                }
            }
            for _ in 0..200 {
                let m = Multiplier {
                    multiplier: next(),
                    shift,
                };
                let x = next();
                check(m, x);
            }
        }
    }

    #[test]
    fn rescale_picks_the_runtime_s_rounding_and_the_two_differ() {
        let m = Multiplier::from_real(0.000_213_7);
        let mut differ = 0;
        for x in (-200_000..200_000).step_by(7) {
            assert_eq!(m.rescale(x, Rounding::Micro), m.apply_double_rounding(x));
            assert_eq!(m.rescale(x, Rounding::Reference), m.apply(x));
            let d = m.apply(x) - m.apply_double_rounding(x);
            assert!(d.abs() <= 1, "one step at most: {x}");
            differ += usize::from(d != 0);
        }
        assert!(differ > 0, "the two roundings differ somewhere");
        assert_eq!(Rounding::default(), Rounding::Micro);
    }

    #[test]
    fn multipliers_are_tflites() {
        // 0.5 = 0.5 · 2^0 → m = 2^30, shift 0; 0.75 · 2^-3.
        assert_eq!(
            Multiplier::from_real(0.5),
            Multiplier {
                multiplier: 1 << 30,
                shift: 0
            }
        );
        assert_eq!(
            Multiplier::from_real(0.09375),
            Multiplier {
                multiplier: 1_610_612_736,
                shift: -3
            }
        );
        // Just below 1: q·2^31 rounds to 2^31, which becomes 2^30 with shift + 1.
        let m = Multiplier::from_real(1.0 - 1e-12);
        assert_eq!(
            m,
            Multiplier {
                multiplier: 1 << 30,
                shift: 1
            }
        );
        assert_eq!(
            Multiplier::from_real(0.0),
            Multiplier {
                multiplier: 0,
                shift: 0
            }
        );
        // 1e-12 = 0.55 · 2^-39: below 2^-31 · 0.5, flushed to zero as TFLite does.
        assert_eq!(
            Multiplier::from_real(1e-12),
            Multiplier {
                multiplier: 0,
                shift: 0
            }
        );
    }

    #[test]
    fn rescaling_rounds_as_gemmlowp() {
        // 0.5 · x with the multiplier 2^30 (shift 0). Single rounding: ties upwards.
        let half = Multiplier::from_real(0.5);
        assert_eq!(half.apply(3), 2);
        assert_eq!(half.apply(-3), -1);
        assert_eq!(half.apply(-5), -2);
        // Two roundings (gemmlowp): the doubling high multiply breaks ties upwards for
        // positive products and towards zero for negative ones.
        assert_eq!(half.apply_double_rounding(3), 2);
        assert_eq!(half.apply_double_rounding(-3), -1);
        assert_eq!(half.apply_double_rounding(5), 3);
        assert_eq!(half.apply_double_rounding(-5), -2);
        // Where they differ: 0.375 · 2^-1 applied to 4 is 0.75 → 1 both; to 2 (0.375): the
        // single rounding gives 0, the double rounds 2·0.75 = 1.5 up to 2 first, then 2/2 = 1.
        let m = Multiplier::from_real(0.1875);
        assert_eq!(m.apply(4), 1);
        assert_eq!(m.apply_double_rounding(4), 1);
        assert_eq!(m.apply(2), 0);
        assert_eq!(m.apply_double_rounding(2), 1);
        assert_eq!(rounding_divide_by_pot(-6, 2), -2); // −1.5 → −2
        assert_eq!(rounding_divide_by_pot(6, 2), 2); // 1.5 → 2
        assert_eq!(rounding_divide_by_pot(5, 2), 1); // 1.25 → 1
        assert_eq!(
            saturating_rounding_doubling_high_mul(i32::MIN, i32::MIN),
            i32::MAX
        );
        // The worked example of ../shared/int8/handmade_fc.py: acc · (0.05·0.01/0.1) → q.
        let m = Multiplier::from_real(f64::from(0.05f32) * f64::from(0.01f32) / f64::from(0.1f32));
        assert_eq!(m.apply(12_000), 60);
    }

    #[test]
    fn quantization_parameters_cover_the_range() {
        let p = QuantParams::from_range(0.0, 1.0);
        assert_eq!(p.zero_point, -128);
        assert_eq!(p.quantize(0.0), -128);
        assert_eq!(p.quantize(1.0), 127);
        assert_eq!(p.quantize(2.0), 127);
        assert!((p.dequantize(p.quantize(0.5)) - 0.5).abs() <= p.scale / 2.0);
        let q = QuantParams::from_range(-1.0, 3.0);
        assert_eq!(q.quantize(0.0) as i32, q.zero_point);
    }
}
