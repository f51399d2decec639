//! Elementary functions for hot loops: an `exp` for `f32` that vectorizes and gives the same
//! bits on every platform.
//!
//! `f32::exp` is a call into the platform's libm (glibc on Linux, the `libm` crate on a
//! microcontroller): one call per element, never vectorized, and its last bit differs between
//! libraries. [`exp`] computes `e^x` for `f32` with plain arithmetic instead (Cody–Waite range
//! reduction and Cephes' `expf` polynomial, evaluated in Estrin's form), so a loop over a
//! softmax's logits becomes SIMD code and the result does not depend on the platform. Other
//! scalar types use their own `exp`. Also the softmax built on it.

use core::any::Any;

use crate::scalar::Real;

/// `e^x`; for `f32` computed by [`exp_f32`], for other types by their `exp`.
#[inline(always)]
pub(crate) fn exp<T: Real>(x: T) -> T {
    let mut y = x;
    // A type check the compiler resolves at compile time.
    if let Some(v) = (&mut y as &mut dyn Any).downcast_mut::<f32>() {
        *v = exp_f32(*v);
        return y;
    }
    x.exp()
}

/// `x ← softmax(x)`: `xᵢ ← e^{xᵢ − m} / S` with `m` the largest element (NaNs skipped: a NaN
/// still makes every output NaN, through its exponential and the sum), the exponentials by
/// [`exp`], and `S = Σⱼ e^{xⱼ − m}` summed as eight partial sums `sₖ` (over the `j ≡ k mod 8`,
/// in index order) combined as `((s₀+s₄)+(s₁+s₅))+((s₂+s₆)+(s₃+s₇))` — short dependency
/// chains, a fixed order.
/// Written into `y` (read from `x`: a caller need not copy its input first).
#[inline(always)]
pub(crate) fn softmax<T: Real, const N: usize>(x: &[T; N], y: &mut [T; N]) {
    if N <= 16 {
        // Sixteen values, padded with zeros (left out of the maximum; their exponentials
        // replaced by +0 before the sum): loops of constant length the compiler keeps in
        // registers, with no partial vectors stored and loaded back.
        let mut v = [T::zero(); 16];
        v[..N].copy_from_slice(x);
        softmax_values(&mut v, N);
        y.copy_from_slice(&v[..N]);
    } else {
        *y = *x;
        softmax_values(y, N);
    }
}

/// The arithmetic of [`softmax`] on the first `len` values; the others are padding, whose
/// exponentials count as +0.
#[inline(always)]
fn softmax_values<T: Real, const N: usize>(x: &mut [T; N], len: usize) {
    // Loops, not closures: a closure would not inherit the AVX2 of the dispatching caller.
    // Eight running maxima (the maximum does not depend on the order), combined as a tree.
    let mut maxima = [T::neg_infinity(); 8];
    for (i, &v) in x[..len].iter().enumerate() {
        if v > maxima[i % 8] {
            maxima[i % 8] = v;
        }
    }
    for k in 0..4 {
        maxima[k] = larger(maxima[k], maxima[k + 4]);
    }
    let m = larger(larger(maxima[0], maxima[2]), larger(maxima[1], maxima[3]));
    for (i, v) in x.iter_mut().enumerate() {
        // The padding is finite (not −∞, whose exponential would be the +0 wanted): `e^x`
        // below about −87 ends in an underflowing product, which costs this CPU's
        // floating-point unit dozens of cycles (the softmax of 10 values took 31 ns with
        // −∞ padding, of 16 values 15 ns).
        let e = exp(*v - m);
        *v = if i < len { e } else { T::zero() };
    }
    let mut s = [T::zero(); 8];
    for (i, &v) in x.iter().enumerate() {
        s[i % 8] = s[i % 8] + v;
    }
    let total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for v in x.iter_mut() {
        *v = *v / total;
    }
}

/// The larger of `a` and `b`; `a` if `b` is NaN (so a fold over it skips NaNs).
#[inline(always)]
pub(crate) fn larger<T: Real>(a: T, b: T) -> T {
    if b > a { b } else { a }
}

/// `xᵢ ← e^{xᵢ}` with [`exp`]: groups of eight (for `f32`, code the compiler turns into
/// vector instructions), then the rest one by one.
#[inline(always)]
pub(crate) fn exp_chunks<T: Real>(xs: &mut [T]) {
    let mut chunks = xs.chunks_exact_mut(8);
    // Loops, not iterator adapters with closures: a closure would not inherit the AVX2 of the
    // dispatching caller.
    for chunk in &mut chunks {
        for x in chunk {
            *x = exp(*x);
        }
    }
    for x in chunks.into_remainder() {
        *x = exp(*x);
    }
}

/// `e^x` for `f32`, at most 1.014 ulp from the exact value: checked against an `f64`
/// reference on every one of the 2,239,889,410 `f32` inputs in `[−104, 89]` (the test
/// `exp_f32_exhaustive`: `cargo test --release --lib -- --ignored exp_f32`). 8 inputs
/// exceed 1 ulp, the worst
/// being `x = 26.704473` (1.0138 ulp); all others are below 1 ulp.
///
/// `x = n·ln 2 + r` with `n = round(x·log₂e)` and `|r| ≤ ½ ln 2` (`n·ln 2` subtracted in two
/// parts, exact high bits first); `e^r ≈ 1 + r + r²·p(r)` with the minimax polynomial `p` of
/// Cephes; `e^x = e^r · 2^⌊n/2⌋ · 2^(n−⌊n/2⌋)` (two factors, so that results near the ends of
/// the range neither overflow early nor flush to zero). Below `−104` the result is `0`,
/// above `89` it is `+∞`, and NaN stays NaN. No branches: a loop over it vectorizes.
#[inline(always)]
pub(crate) fn exp_f32(x: f32) -> f32 {
    const LOG2_E: f32 = core::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4; // 0.693359375: 9 significant bits, n·LN2_HI is exact
    const LN2_LO: f32 = -2.121_944_4e-4;
    // 1.5·2²³: adding it rounds to an integer (to nearest, ties to even) held in the low bits.
    const ROUNDER: f32 = 12_582_912.0;
    let xc = x.clamp(-104.0, 89.0); // NaN passes through `clamp`
    let t = xc * LOG2_E + ROUNDER;
    let n = t - ROUNDER;
    // The integer n from t's bits: t = 1.5·2²³ + n, so its significand holds n + 2²².
    let ni = (t.to_bits() as i32) - 0x4B40_0000;
    let r = (xc - n * LN2_HI) - n * LN2_LO;
    // p(r) = c₀ + c₁r + … + c₅r⁵ (Cephes' coefficients; c₀ = 5.0000001201e-1 rounds to 0.5
    // in f32) in Estrin's form: three independent pairs, so the chain of dependent operations
    // is half as long as with Horner's rule (this sits on the critical path of a softmax).
    let r2 = r * r;
    let r4 = r2 * r2;
    let q0 = 0.5 + 1.666_666_5e-1 * r;
    let q1 = 4.166_579_6e-2 + 8.333_452e-3 * r;
    let q2 = 1.398_199_9e-3 + 1.987_569_2e-4 * r;
    let p = (q0 + r2 * q1) + r4 * q2;
    let er = (p * r2 + r) + 1.0;
    let half = ni >> 1;
    let s1 = f32::from_bits(((half + 127) as u32) << 23);
    let s2 = f32::from_bits(((ni - half + 127) as u32) << 23);
    (er * s1) * s2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in units in the last place between `got` and the correctly rounded `want`.
    fn ulps(got: f32, want: f64) -> f64 {
        let w = want as f32;
        if w == got {
            return 0.0;
        }
        let ulp = if w == 0.0 {
            f32::from_bits(1) as f64 // the smallest subnormal
        } else {
            (f32::from_bits(w.abs().to_bits() + 1) - w.abs()) as f64
        };
        ((got as f64) - want).abs() / ulp
    }

    #[test]
    #[cfg_attr(miri, ignore = "11 million inputs: too slow for the interpreter")]
    fn exp_f32_is_within_its_bound_on_11_million_inputs() {
        let mut worst = (0.0f64, 0.0f32);
        // Every 97th f32 in [−104, 89] (about 11 million inputs, both signs, subnormal results).
        let mut check = |x: f32| {
            let e = ulps(exp_f32(x), (x as f64).exp());
            if e > worst.0 {
                worst = (e, x);
            }
        };
        for bits in (0..=104.0f32.to_bits()).step_by(97) {
            check(-f32::from_bits(bits));
        }
        for bits in (0..=89.0f32.to_bits()).step_by(97) {
            check(f32::from_bits(bits));
        }
        for x in [-103.9, -87.4, -87.3, -0.347, 0.0, 0.346, 1.0, 88.7, 88.72] {
            check(x);
        }
        // The eight inputs above 1 ulp, from the exhaustive run.
        for x in WORST {
            check(x);
        }
        assert!(worst.0 <= BOUND, "{} ulp at x = {}", worst.0, worst.1);
    }

    /// The documented bound of [`exp_f32`], in ulp.
    const BOUND: f64 = 1.014;

    /// The inputs where [`exp_f32`] is more than 1 ulp off (all found by the exhaustive test).
    const WORST: [f32; 8] = [
        -81.39122, -59.935863, -16.972439, -5.880421, -5.8438487, 26.68884, 26.704473, 70.35875,
    ];

    /// Every `f32` in `[−104, 89]` against `f64::exp`: the bound documented on [`exp_f32`]
    /// holds everywhere, and exactly [`WORST`] exceed 1 ulp. About 50 s in release on two
    /// threads (97 s on one), far too long for every CI run, which checks the strided 11
    /// million inputs and [`WORST`] instead (`exp_f32_is_within_its_bound_on_11_million_inputs`).
    #[test]
    #[ignore = "exhaustive (2.2e9 inputs): cargo test --release --lib -- --ignored exp_f32"]
    fn exp_f32_exhaustive() {
        let scan = |from: u32, to: u32, sign: f32| {
            let (mut worst, mut above) = ((0.0f64, 0.0f32), std::vec::Vec::new());
            for bits in from..=to {
                let x = sign * f32::from_bits(bits);
                let e = ulps(exp_f32(x), (x as f64).exp());
                if e > worst.0 {
                    worst = (e, x);
                }
                if e > 1.0 {
                    above.push(x);
                }
            }
            (worst, above)
        };
        let ((neg, mut above), (pos, more)) = std::thread::scope(|s| {
            let neg = s.spawn(|| scan(0, 104.0f32.to_bits(), -1.0));
            let pos = scan(0, 89.0f32.to_bits(), 1.0);
            (neg.join().unwrap(), pos)
        });
        above.extend(more);
        above.sort_by(f32::total_cmp);
        let worst = if neg.0 > pos.0 { neg } else { pos };
        assert!(worst.0 <= BOUND, "{} ulp at x = {}", worst.0, worst.1);
        assert_eq!(above, WORST, "inputs above 1 ulp");
    }

    #[test]
    fn exp_f32_special_values() {
        assert_eq!(exp_f32(0.0), 1.0);
        assert_eq!(exp_f32(-0.0), 1.0);
        assert_eq!(exp_f32(1.0), core::f32::consts::E);
        assert_eq!(exp_f32(f32::NEG_INFINITY), 0.0);
        assert_eq!(exp_f32(-1000.0), 0.0);
        assert_eq!(exp_f32(-104.0), 0.0);
        assert_eq!(exp_f32(f32::INFINITY), f32::INFINITY);
        assert_eq!(exp_f32(89.0), f32::INFINITY);
        assert_eq!(exp_f32(1e30), f32::INFINITY);
        assert!(exp_f32(f32::NAN).is_nan());
        // The largest finite result and the smallest positive one.
        assert!(exp_f32(88.72283).is_finite());
        assert!(exp_f32(-103.2) > 0.0);
    }

    /// [`softmax`] in its documented order, one element at a time, with no padding.
    fn softmax_by_the_definition<const N: usize>(x: &[f32; N]) -> [f32; N] {
        let m = x.iter().fold(f32::NEG_INFINITY, |m, &v| larger(m, v));
        let e = x.map(|v| exp_f32(v - m));
        let mut s = [0.0f32; 8];
        for (i, &v) in e.iter().enumerate() {
            s[i % 8] += v;
        }
        let total = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
        e.map(|v| v / total)
    }

    /// The softmax's bits are its definition's, for lengths padded to sixteen or not, with
    /// logits whose exponentials underflow (the padding's zeros must not change anything).
    #[test]
    fn softmax_follows_its_definition() {
        fn check<const N: usize>(x: [f32; N]) {
            let mut y = [0.0; N];
            softmax(&x, &mut y);
            let want = softmax_by_the_definition(&x);
            let nan_as_one =
                |v: [f32; N]| v.map(|v| if v.is_nan() { u32::MAX } else { v.to_bits() });
            assert_eq!(nan_as_one(y), nan_as_one(want), "{x:?}");
        }
        check::<1>([-3.0]);
        check::<3>([1e4, -1e4, 1e4]);
        check::<10>(core::array::from_fn(|i| i as f32 * 0.5 - 2.0));
        check::<10>(core::array::from_fn(|i| (i as f32 * 1.7).sin() * 120.0));
        check::<8>(core::array::from_fn(|i| -(i as f32) * 30.0));
        check::<16>(core::array::from_fn(|i| (i as f32 * 2.3).cos() * 9.0));
        check::<13>(core::array::from_fn(|i| {
            if i == 4 { f32::NEG_INFINITY } else { i as f32 }
        }));
        check::<5>([f32::NEG_INFINITY; 5]);
        check::<37>(core::array::from_fn(|i| (i as f32 * 0.37).sin() * 50.0));
    }

    #[test]
    fn exp_dispatches_on_the_type() {
        assert_eq!(exp(0.5f32).to_bits(), exp_f32(0.5).to_bits());
        if !cfg!(miri) {
            assert_eq!(exp(0.5f64), 0.5f64.exp());
        }
    }
}
