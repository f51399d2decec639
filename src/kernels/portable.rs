//! The portable kernels: plain loops over slices, written so that the compiler vectorizes
//! them, and in a fixed order of operations so that every build gives the same bits.
//!
//! Type-level sizes pick the types; these loops run on plain slices so they compile once per
//! scalar type instead of once per shape. The functions marked `#[inline(always)]` are also
//! compiled inside the AVX2 functions of [`x86`](super::x86) (through
//! [`kernels`](super)' dispatch), which is why they use loops rather than closures where
//! the AVX2 code must inherit the target feature.

use crate::scalar::{Real, Scalar};

/// `Σ xᵢ`.
#[inline]
pub(crate) fn sum<T: Scalar>(xs: &[T]) -> T {
    xs.iter().fold(T::zero(), |acc, &x| acc + x)
}

/// `sums[c] = Σₜ x[c·n + t]` over the planes of `n` values in `x` (as many as `sums` holds),
/// each plane's values added one after another from `+0`.
#[inline]
pub(crate) fn plane_sums<T: Scalar>(x: &[T], n: usize, sums: &mut [T]) {
    if n == 0 {
        sums.fill(T::zero());
        return;
    }
    for (s, plane) in sums.iter_mut().zip(x.chunks_exact(n)) {
        *s = sum(plane);
    }
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
///
/// Sixteen independent partial sums (combined pairwise at the end) instead of one running
/// sum: a single accumulator makes every addition wait for the previous one; sixteen keep
/// the adder busy and let the compiler vectorize. The order of additions is fixed, so results
/// are reproducible across runs and targets.
#[inline]
pub(crate) fn dot<T: Scalar>(xs: &[T], ys: &[T]) -> T {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let mut acc = [T::zero(); LANES];
    let mut xc = xs.chunks_exact(LANES);
    let mut yc = ys.chunks_exact(LANES);
    for (a, b) in (&mut xc).zip(&mut yc) {
        for k in 0..LANES {
            acc[k] = acc[k] + a[k] * b[k];
        }
    }
    for (k, (&a, &b)) in xc.remainder().iter().zip(yc.remainder()).enumerate() {
        acc[k] = acc[k] + a * b;
    }
    combine(&acc)
}

/// Partial sums kept by [`dot`] and the reductions built on it.
const LANES: usize = 16;

/// The pairwise sum of the [`LANES`] partial sums: halves added until one is left.
#[inline]
fn combine<T: Scalar>(acc: &[T; LANES]) -> T {
    let mut v = *acc;
    let mut width = LANES / 2;
    while width > 0 {
        for k in 0..width {
            v[k] = v[k] + v[k + width];
        }
        width /= 2;
    }
    v[0]
}

/// `Σ xᵢ²`, with the partial sums of [`dot`].
#[inline]
pub(crate) fn sum_of_squares<T: Scalar>(xs: &[T]) -> T {
    dot(xs, xs)
}

/// `wᵢ ← wᵢ − η·gᵢ` over the common length.
#[inline(always)]
pub(crate) fn sub_scaled<T: Scalar>(w: &mut [T], g: &[T], eta: T) {
    for (w, &g) in w.iter_mut().zip(g) {
        *w = *w - eta * g;
    }
}

/// `true` when every `wᵢ − η·gᵢ` (as [`sub_scaled`] computes it) is finite: the check before
/// an update that must not store NaN or ±∞. Writes nothing. `yᵢ − yᵢ` is `0` for a finite
/// `yᵢ`, NaN otherwise, and a logical "and" of the comparisons vectorizes.
#[inline(always)]
#[allow(clippy::eq_op)]
pub(crate) fn sub_scaled_is_finite<T: Scalar>(w: &[T], g: &[T], eta: T) -> bool {
    w.iter().zip(g).fold(true, |finite, (&w, &g)| {
        let y = w - eta * g;
        finite & ((y - y) == T::zero())
    })
}

/// `true` when no element is NaN or ±∞: `xᵢ − xᵢ` is `0` for a finite `xᵢ` and NaN for NaN
/// or ±∞ (and NaN is not equal to `0`). A logical "and" over the elements, with no early
/// exit: the compiler vectorizes it (a comparison and an "and" per vector).
#[inline(always)]
#[allow(clippy::eq_op)] // `x − x` is the point: 0, or NaN for a non-finite `x`
pub(crate) fn all_finite<T: Scalar>(xs: &[T]) -> bool {
    xs.iter()
        .fold(true, |finite, &x| finite & ((x - x) == T::zero()))
}

/// `max |xᵢ|` (`0` for an empty slice), or `+∞` if an element is NaN or ±∞ — so the result
/// is finite exactly when every element is. Eight running maxima in locals (registers: a
/// form the compiler vectorizes), combined at the end. The maximum of the magnitudes does
/// not depend on the order they are compared in (`|−0| = +0`, and every non-finite value
/// counts as `+∞`), so any grouping gives the same result.
#[inline(always)]
pub(crate) fn max_abs<T: Real>(xs: &[T]) -> T {
    let (big, inf) = (<T as num_traits::Bounded>::max_value(), T::infinity());
    let mut max = [T::zero(); 8];
    let mut chunks = xs.chunks_exact(8);
    // Loops, not closures: a closure would not inherit the AVX2 of the dispatching caller.
    for c in &mut chunks {
        for (m, &x) in max.iter_mut().zip(c) {
            let a = magnitude(x, big, inf);
            *m = if a > *m { a } else { *m };
        }
    }
    for &x in chunks.remainder() {
        let a = magnitude(x, big, inf);
        max[0] = if a > max[0] { a } else { max[0] };
    }
    let mut m = T::zero();
    for &a in &max {
        m = if a > m { a } else { m };
    }
    m
}

/// `|x|`, with NaN and ±∞ as `inf` (`!(a <= big)` holds for both).
#[inline(always)]
fn magnitude<T: Real>(x: T, big: T, inf: T) -> T {
    let a = x.abs();
    if a <= big { a } else { inf }
}

/// `wᵢ ← rule(wᵢ, gᵢ)` if `write`; otherwise nothing is stored and the result says whether
/// every `rule(wᵢ, gᵢ)` is finite (`true` when writing). An optimizer's element-wise update
/// (and its dry run), over the common length.
#[inline(always)]
pub(crate) fn apply0<T: Scalar>(
    w: &mut [T],
    g: &[T],
    rule: impl Fn(T, T) -> T,
    write: bool,
) -> bool {
    if write {
        for (w, &g) in w.iter_mut().zip(g) {
            *w = rule(*w, g);
        }
        return true;
    }
    w.iter()
        .zip(g)
        .fold(true, |ok, (&w, &g)| ok & finite(rule(w, g)))
}

/// [`apply0`] with one state value: `(wᵢ, aᵢ) ← rule(wᵢ, gᵢ, aᵢ)`.
#[inline(always)]
pub(crate) fn apply1<T: Scalar>(
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    rule: impl Fn(T, T, T) -> (T, T),
    write: bool,
) -> bool {
    if write {
        for ((w, &g), a) in w.iter_mut().zip(g).zip(a.iter_mut()) {
            (*w, *a) = rule(*w, g, *a);
        }
        return true;
    }
    w.iter()
        .zip(g)
        .zip(a.iter())
        .fold(true, |ok, ((&w, &g), &a)| {
            let (w, a) = rule(w, g, a);
            ok & finite(w) & finite(a)
        })
}

/// [`apply0`] with two state values: `(wᵢ, aᵢ, bᵢ) ← rule(wᵢ, gᵢ, aᵢ, bᵢ)`.
#[inline(always)]
pub(crate) fn apply2<T: Scalar>(
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    b: &mut [T],
    rule: impl Fn(T, T, T, T) -> (T, T, T),
    write: bool,
) -> bool {
    if write {
        for (((w, &g), a), b) in w.iter_mut().zip(g).zip(a.iter_mut()).zip(b.iter_mut()) {
            (*w, *a, *b) = rule(*w, g, *a, *b);
        }
        return true;
    }
    let values = w.iter().zip(g).zip(a.iter()).zip(b.iter());
    values.fold(true, |ok, (((&w, &g), &a), &b)| {
        let (w, a, b) = rule(w, g, a, b);
        ok & finite(w) & finite(a) & finite(b)
    })
}

/// `x` is neither NaN nor ±∞ (`x − x` is exactly `0` then, NaN otherwise).
#[inline(always)]
#[allow(clippy::eq_op)]
fn finite<T: Scalar>(x: T) -> bool {
    (x - x) == T::zero()
}

/// `out[r] = rows[r] · x` for every row, plus `bias[r]` if given (added to the finished dot
/// product, as `(rows[r]·x) + bias[r]`).
///
/// Each row keeps sixteen partial sums (`sₗ = Σᵢ rowᵢ·xᵢ` over the `i ≡ l mod 16`, in
/// increasing `i`), combined by [`sum_sixteen_lanes`] — a fixed order, so every build gives
/// the same result (one AVX-512 register of sums per row, or two AVX2 ones).
#[inline]
pub(crate) fn matvec_rows<T: Scalar, const R: usize, const C: usize>(
    rows: &[[T; C]; R],
    x: &[T; C],
    bias: Option<&[T; R]>,
    out: &mut [T; R],
) {
    for (r, (row, o)) in rows.iter().zip(out).enumerate() {
        *o = matvec_dot(row, x);
        if let Some(b) = bias {
            *o = *o + b[r];
        }
    }
}

/// `row · x` in the order of [`matvec_rows`].
#[inline(always)]
pub(crate) fn matvec_dot<T: Scalar>(row: &[T], x: &[T]) -> T {
    let mut s = [T::zero(); 16];
    for (w, v) in row.chunks(16).zip(x.chunks(16)) {
        for ((a, &w), &v) in s.iter_mut().zip(w).zip(v) {
            *a = *a + w * v;
        }
    }
    sum_sixteen_lanes(&s)
}

/// Eight partial sums combined (the 2-D convolutions' weight gradients'):
/// `((s₀ + s₄) + (s₁ + s₅)) + ((s₂ + s₆) + (s₃ + s₇))`.
#[inline(always)]
pub(crate) fn sum_eight_lanes<T: Scalar>(s: &[T; 8]) -> T {
    ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]))
}

/// Sixteen partial sums combined ([`matvec_rows`]' order, and the grid weight sums of the
/// convolutions): `tₗ = sₗ + sₗ₊₈`, then [`sum_eight_lanes`] of the `t`.
#[inline(always)]
pub(crate) fn sum_sixteen_lanes<T: Scalar>(s: &[T; 16]) -> T {
    let t: [T; 8] = core::array::from_fn(|l| s[l] + s[l + 8]);
    sum_eight_lanes(&t)
}

/// `out += a · b` (`ACC`) or `out = a · b` (old values of `out` ignored) for row-major
/// `a: R × K`, `b: K × N`, `out: R × N` (R = `a.len()`).
///
/// A register-blocked kernel ([`matmul_add_blocked`]): each `MR × NR` block of `out` is
/// accumulated in local partial sums over the whole `k` loop (one load of `b`'s row segment
/// serves several rows), then stored to `out` once. Every element gets
/// `out + Σₖ aᵢₖ·bₖⱼ` with the sum formed in increasing `k` order, so the result does not
/// depend on where the element falls in the blocking (nor on `NR`).
#[inline]
pub(crate) fn matmul<T: Scalar, const K: usize, const N: usize, const ACC: bool>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    if N >= DEFAULT_NR {
        matmul_add_blocked::<T, K, N, DEFAULT_NR, ACC>(out, a, b);
    } else {
        matmul_add_blocked::<T, K, N, 8, ACC>(out, a, b);
    }
}

/// `old + sum` when accumulating, else `sum`.
#[inline(always)]
fn store<T: Scalar, const ACC: bool>(old: T, sum: T) -> T {
    if ACC { old + sum } else { sum }
}

/// Columns per block of [`matmul`]: two vectors of the widest float SIMD the build targets.
const DEFAULT_NR: usize = if cfg!(target_feature = "avx") { 16 } else { 8 };

/// Rows per block of [`matmul`]: 6 rows × 2 vectors of partial sums fill the 16 vector
/// registers of SSE/AVX2. With AVX-512 code LLVM turns the 6-row block into something 40×
/// slower (measured), so 4 rows there.
const MR: usize = if cfg!(target_feature = "avx512f") {
    4
} else {
    6
};

/// The kernel of [`matmul`] with `NR` columns per block.
///
/// Rows go in blocks of [`MR`] (the rows left over in blocks of 4, 2 and 1), columns in
/// blocks of `NR`; the last `N mod NR` columns are copied once into a zero-padded `K × NR`
/// panel (when that panel is small, see [`TAIL_PANEL_BYTES`]) so that they run through the
/// same register-blocked code as the others.
#[inline(always)]
pub(crate) fn matmul_add_blocked<
    T: Scalar,
    const K: usize,
    const N: usize,
    const NR: usize,
    const ACC: bool,
>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    let n_full = N - N % NR;
    let pack_tail = n_full < N && K * NR * core::mem::size_of::<T>() <= TAIL_PANEL_BYTES;
    let tail = pack_tail.then(|| {
        let mut panel = [[T::zero(); NR]; K];
        for (p, b_row) in panel.iter_mut().zip(b) {
            p[..N - n_full].copy_from_slice(&b_row[n_full..]);
        }
        panel
    });
    let m = out.len().min(a.len());
    // Loop order: rows outside (each block of `a`'s rows stays in cache while all of `b`
    // passes), unless `a` is small and `b` large — then panels of `b`'s columns outside, each
    // panel staying in cache while all of `a` passes (e.g. a weight gradient `dzᵀ·X` with
    // `X` 32 × 784).
    let size = core::mem::size_of::<T>();
    let panel = if m * K * size <= 32 * 1024 && K * N * size > 32 * 1024 {
        (COLUMN_PANEL / NR).max(1) * NR
    } else {
        n_full.max(NR)
    };
    let mut j0 = 0;
    loop {
        let j1 = (j0 + panel).min(n_full);
        let last = j1 == n_full;
        let tail = if last { tail.as_ref() } else { None };
        let mut rows_done = 0;
        for rows in [MR, 4, 2, 1] {
            while m - rows_done >= rows {
                let r = rows_done..rows_done + rows;
                let (o, a) = (&mut out[r.clone()], &a[r]);
                // (`if`s, not a `match`: MR may itself be 4.)
                if rows == MR {
                    row_block::<T, K, N, NR, MR, ACC>(o, a, b, j0..j1, last, tail);
                } else if rows == 4 {
                    row_block::<T, K, N, NR, 4, ACC>(o, a, b, j0..j1, last, tail);
                } else if rows == 2 {
                    row_block::<T, K, N, NR, 2, ACC>(o, a, b, j0..j1, last, tail);
                } else {
                    row_block::<T, K, N, NR, 1, ACC>(o, a, b, j0..j1, last, tail);
                }
                rows_done += rows;
            }
        }
        if last {
            break;
        }
        j0 = j1;
    }
}

/// Columns per panel when [`matmul_add_blocked`] loops over panels of columns outside.
const COLUMN_PANEL: usize = 64;

/// Largest zero-padded panel [`matmul_add_blocked`] builds on the stack for the last columns
/// (16 KiB: a 256 × 16 `f32` panel); a larger one is not built and those columns are summed
/// row by row. Only where the vector registers make the panel pay (x86-64, AArch64).
const TAIL_PANEL_BYTES: usize = if cfg!(any(target_arch = "x86_64", target_arch = "aarch64")) {
    16 * 1024
} else {
    0
};

/// `out += a·b` for exactly `M` rows, in the full column blocks starting in `cols` (and the
/// last `N mod NR` columns if `last`): every `NR`-column block of `out` is accumulated in
/// `M × NR` local partial sums over the whole `k` loop (one load of `b`'s row segment serves
/// `M` rows), then added to `out` once. Each element gets `out + Σₖ aᵢₖ·bₖⱼ`, the sum formed
/// in increasing `k`.
#[inline(always)]
fn row_block<
    T: Scalar,
    const K: usize,
    const N: usize,
    const NR: usize,
    const M: usize,
    const ACC: bool,
>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
    cols: core::ops::Range<usize>,
    last: bool,
    tail: Option<&[[T; NR]; K]>,
) {
    let n_full = N - N % NR;
    let mut j = cols.start;
    while j < cols.end {
        let acc = block_sums::<T, K, NR, M>(a, |k| &b[k][j..j + NR]);
        for (o_r, acc_r) in out.iter_mut().zip(&acc) {
            for c in 0..NR {
                o_r[j + c] = store::<T, ACC>(o_r[j + c], acc_r[c]);
            }
        }
        j += NR;
    }
    if !last || n_full == N {
        return;
    }
    if let Some(panel) = tail {
        let acc = block_sums::<T, K, NR, M>(a, |k| &panel[k][..]);
        for (o_r, acc_r) in out.iter_mut().zip(&acc) {
            for (o, &s) in o_r[n_full..].iter_mut().zip(acc_r) {
                *o = store::<T, ACC>(*o, s);
            }
        }
    } else {
        for (o_r, a_r) in out.iter_mut().zip(a) {
            let mut acc = [T::zero(); NR];
            for (&x, b_row) in a_r.iter().zip(b) {
                for (s, &y) in acc.iter_mut().zip(&b_row[n_full..]) {
                    *s = *s + x * y;
                }
            }
            for (o, s) in o_r[n_full..].iter_mut().zip(acc) {
                *o = store::<T, ACC>(*o, s);
            }
        }
    }
}

/// `accᵢ = Σₖ aᵢₖ · segment(k)` for the `M` rows of `a`, `segment(k)` being `NR` values of
/// row `k` of the right operand.
#[inline(always)]
fn block_sums<'b, T: Scalar + 'b, const K: usize, const NR: usize, const M: usize>(
    a: &[[T; K]],
    segment: impl Fn(usize) -> &'b [T],
) -> [[T; NR]; M] {
    let mut acc = [[T::zero(); NR]; M];
    for k in 0..K {
        let seg = &segment(k)[..NR];
        for (acc_r, a_r) in acc.iter_mut().zip(a) {
            let x = a_r[k];
            for c in 0..NR {
                acc_r[c] = acc_r[c] + x * seg[c];
            }
        }
    }
    acc
}

/// `dstⱼᵢ = srcᵢⱼ`, in 8 × 8 tiles so that both the rows read and the rows written stay in
/// cache.
#[inline]
pub(crate) fn transpose<T: Scalar, const R: usize, const C: usize>(
    src: &[[T; C]; R],
    dst: &mut [[T; R]; C],
) {
    const TILE: usize = 8;
    let mut i0 = 0;
    while i0 < R {
        let i1 = (i0 + TILE).min(R);
        let mut j0 = 0;
        while j0 < C {
            let j1 = (j0 + TILE).min(C);
            for i in i0..i1 {
                for j in j0..j1 {
                    dst[j][i] = src[i][j];
                }
            }
            j0 = j1;
        }
        i0 = i1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The blocked kernel equals the plain triple loop, bit for bit, on shapes that exercise
    /// full 4 × 8 blocks and every kind of leftover row and column.
    fn check<const R: usize, const K: usize, const N: usize>() {
        let a: [[f32; K]; R] = core::array::from_fn(|i| {
            core::array::from_fn(|k| ((i * 7 + k * 3) % 11) as f32 * 0.37 - 1.5)
        });
        let b: [[f32; N]; K] = core::array::from_fn(|k| {
            core::array::from_fn(|j| ((k * 5 + j * 2) % 13) as f32 * 0.21 - 1.1)
        });
        let mut fast = [[0.5f32; N]; R];
        matmul::<f32, K, N, true>(&mut fast, &a, &b);
        // Overwriting: the old contents (here NaN) must not leak into the result.
        let mut set = [[f32::NAN; N]; R];
        matmul::<f32, K, N, false>(&mut set, &a, &b);
        for i in 0..R {
            for j in 0..N {
                let mut s = 0.0f32;
                for k in 0..K {
                    s += a[i][k] * b[k][j];
                }
                let at = (i, j, R, K, N);
                assert_eq!(fast[i][j].to_bits(), (0.5 + s).to_bits(), "{at:?}");
                assert_eq!(set[i][j].to_bits(), s.to_bits(), "{at:?}");
            }
        }
    }

    #[test]
    fn blocked_matmul_equals_the_plain_loop() {
        // Column panels (a small, b over 32 KiB) with a padded tail of 600 mod 16 = 8 columns,
        // and leftover rows (13 = 6 + 6 + 1; 4 + 2 + 1 with AVX-512's 4-row blocks).
        // (Plain code, nothing for miri to find: skipped there, it is slow.)
        if !cfg!(miri) {
            check::<13, 16, 600>();
        }
        check::<4, 3, 8>();
        check::<9, 5, 19>();
        check::<3, 7, 5>();
        check::<16, 16, 16>();
        check::<1, 1, 1>();
        check::<5, 0, 9>();
    }

    /// The documented summation order of [`matvec_rows`], one element at a time.
    fn sixteen_partial_sums<T: Scalar>(row: &[T], x: &[T]) -> T {
        let mut s = [T::zero(); 16];
        for (i, (&w, &v)) in row.iter().zip(x).enumerate() {
            s[i % 16] = s[i % 16] + w * v;
        }
        let t: [T; 8] = core::array::from_fn(|l| s[l] + s[l + 8]);
        ((t[0] + t[4]) + (t[1] + t[5])) + ((t[2] + t[6]) + (t[3] + t[7]))
    }

    #[test]
    fn matvec_rows_sums_in_the_documented_order() {
        let rows: [[f64; 13]; 7] = core::array::from_fn(|i| {
            core::array::from_fn(|j| (i as f64 - 3.0) * 0.5 + j as f64 * 0.25)
        });
        let x: [f64; 13] = core::array::from_fn(|j| 1.0 - j as f64 * 0.1);
        let mut out = [0.0; 7];
        matvec_rows(&rows, &x, None, &mut out);
        for (row, o) in rows.iter().zip(out) {
            assert_eq!(o.to_bits(), sixteen_partial_sums(row, &x).to_bits());
        }
        // Longer rows: full blocks of eight plus a remainder, and rows left over.
        let rows: [[f32; 37]; 19] = core::array::from_fn(|i| {
            core::array::from_fn(|j| ((i * 5 + j * 3) % 17) as f32 * 0.31 - 2.0)
        });
        let x: [f32; 37] = core::array::from_fn(|j| (j % 7) as f32 * 0.7 - 1.9);
        let mut out = [0.0; 19];
        matvec_rows(&rows, &x, None, &mut out);
        for (row, o) in rows.iter().zip(out) {
            assert_eq!(o.to_bits(), sixteen_partial_sums(row, &x).to_bits());
            approx::assert_relative_eq!(o, dot(row, &x), max_relative = 1e-5);
        }
        // With a bias: added to each finished dot product.
        let bias: [f32; 19] = core::array::from_fn(|r| r as f32 * 0.37 - 3.0);
        matvec_rows(&rows, &x, Some(&bias), &mut out);
        for ((row, o), b) in rows.iter().zip(out).zip(bias) {
            assert_eq!(o.to_bits(), (sixteen_partial_sums(row, &x) + b).to_bits());
        }
    }
}
