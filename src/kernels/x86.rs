//! The AVX2 kernels (feature `simd-dispatch`, x86-64, needs std), run by
//! [`kernels`](super) when [`avx2`](super::avx2) finds AVX2 on the CPU.
//!
//! Two kinds:
//! * the portable kernels ([`portable`], [`exp`]: matmul, exp, softmax, the SGD update, the
//!   optimizers' element-wise updates with their rule inlined, the finite checks, the largest
//!   magnitude of `f64`) compiled once more inside functions marked
//!   `#[target_feature(enable = "avx2")]`;
//! * explicit AVX2 intrinsics for `f32` where the compiler's own vectorization of the portable
//!   code was poor (measured): the matrix–vector product (horizontal sums of eight rows at once)
//!   and the 8 × 8 register transpose; and the largest magnitude, on the bits. `f32` is
//!   recognized with `Any` or [`is_f32`](super::is_f32) (type checks the compiler resolves).
//!
//! By default no fused multiply-add: the AVX2 code does the same IEEE operations in the same
//! order as the portable code, so results are identical bit for bit (tested against the
//! portable code in `kernels::tests`, and run under miri in CI with AVX2 enabled). The
//! opt-in feature `fma` makes the packed `f32` matrix product ([`matmul_f32_packed`]) use
//! fused multiply-add on CPUs that have it: one rounding per step instead of two, so those
//! products then differ from the portable ones in the last bits (tested within a tolerance,
//! and that they do differ, so the fused path is known to have run).
//!
//! With Rust 1.89 or later, on CPUs with AVX-512F, the packed `f32` product with at least 32
//! columns runs `avx512` instead (32-column panels, 12-row blocks; the same bits), as do the
//! matrix–vector product (sixteen rows per block), the convolutions' panel products and grid
//! sums; and `avx2_build!` compiles its element-wise kernels (exp, softmax, the SGD update,
//! the finite scans) for AVX-512 as well.
//!
//! This module (with `avx512` inside it) is the only one of the crate with `unsafe`: calling a `#[target_feature]` function
//! is unsafe because the CPU must support the feature, and before Rust 1.87 (the MSRV is 1.85)
//! so is every intrinsic; the loads and stores take their pointers from bounds-checked slices
//! of the right length. Every safe function here takes an [`Avx2`] token, which only
//! [`avx2`](super::avx2) makes, after detecting AVX2: holding one is the proof the unsafe
//! calls need.
#![allow(unsafe_code)]

use core::any::Any;
use std::arch::x86_64::*;

use super::{Avx2, exp, portable};
use crate::scalar::{Real, Scalar};

// The AVX-512 packed product: Rust 1.89 or later (the build script's cfg).
#[cfg(typegrad_avx512)]
mod avx512;

/// Tests turn the AVX-512 kernels off with this, to run the AVX2 ones on a CPU that has
/// both (the results are the same bits either way).
#[cfg(test)]
pub(super) static AVOID_AVX512: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

/// `true` when the AVX-512 kernels run: compiled in (Rust ≥ 1.89) and the CPU has AVX-512F.
#[inline(always)]
pub(super) fn avx512() -> bool {
    #[cfg(test)]
    if AVOID_AVX512.load(core::sync::atomic::Ordering::Relaxed) {
        return false;
    }
    #[cfg(typegrad_avx512)]
    return avx512::detected();
    #[cfg(not(typegrad_avx512))]
    false
}

/// The matrix product with AVX2: for `f32` the packed kernel [`matmul_f32_packed`] when it
/// applies (see [`packed_applies`]), otherwise [`portable::matmul`] compiled for AVX2 (16
/// columns per block, two 8-lane vectors, or 8 when the output is narrower than 16 columns).
#[inline]
pub(super) fn matmul<T: Scalar, const K: usize, const N: usize, const ACC: bool>(
    cpu: Avx2,
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    if super::is_f32::<T>() && packed_applies::<K>(out.len().min(a.len())) {
        // SAFETY: `T` is `f32` (checked just above), so these are the same arrays of `f32`s:
        // same lengths, same layout.
        let (out, a, b) = unsafe {
            (
                core::slice::from_raw_parts_mut(out.as_mut_ptr().cast::<[f32; N]>(), out.len()),
                core::slice::from_raw_parts(a.as_ptr().cast::<[f32; K]>(), a.len()),
                &*(b as *const [[T; N]; K]).cast::<[[f32; N]; K]>(),
            )
        };
        return matmul_f32_packed::<K, N, ACC>(cpu, out, a, b);
    }
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2<T: Scalar, const K: usize, const N: usize, const ACC: bool>(
        out: &mut [[T; N]],
        a: &[[T; K]],
        b: &[[T; N]; K],
    ) {
        if N >= 16 {
            portable::matmul_add_blocked::<T, K, N, 16, ACC>(out, a, b);
        } else {
            portable::matmul_add_blocked::<T, K, N, 8, ACC>(out, a, b);
        }
    }
    // SAFETY: the token proves that the CPU supports AVX2, which is all `avx2` requires
    // beyond its safe body.
    unsafe { avx2::<T, K, N, ACC>(out, a, b) }
}

/// Columns of one packed panel of the right operand ([`matmul_f32_packed`]): two 8-lane
/// vectors.
const PANEL: usize = 16;

/// Largest packed panel (`K × 16` `f32`s, on the stack): 64 KiB, `K ≤ 1024`.
const PANEL_BYTES: usize = 64 * 1024;

/// One packed panel: `K` rows of [`PANEL`] `f32`s (64 bytes), each on its own cache line.
#[repr(C, align(64))]
struct Panel<const K: usize>([[f32; PANEL]; K]);

/// `true` when [`matmul_f32_packed`] runs a product with `m` rows and inner size `K`: the
/// panel fits [`PANEL_BYTES`], and there are enough rows (≥ 8) to repay the copy.
#[inline(always)]
fn packed_applies<const K: usize>(m: usize) -> bool {
    m >= 8 && K > 0 && K * PANEL * 4 <= PANEL_BYTES
}

/// `true` when the packed product uses fused multiply-add: the `fma` feature is on and the
/// CPU has FMA (asked once; std caches the answer).
#[inline(always)]
fn fused() -> bool {
    cfg!(feature = "fma") && std::is_x86_feature_detected!("fma")
}

/// `out (+)= a·b` for `f32` (`ACC`: `out + Σₖ aᵢₖ·bₖⱼ`, else `Σₖ aᵢₖ·bₖⱼ`), packed: every
/// 16 columns of `b` are first copied into a contiguous `K × 16` panel (zero-padded past the
/// last column), which then serves every row of `a` in blocks of 6 rows when fused, else 5
/// (the rows left over in blocks of 4, 2 and 1), each block's `M × 16` sums held in
/// registers over the whole `k` loop ([`panel_block`]).
///
/// The same sums in the same order as [`portable::matmul`]: each starts at `+0` and adds
/// `aᵢₖ·bₖⱼ` (rounded product, then rounded sum) in increasing `k` — bit for bit the
/// portable results. With the `fma` feature on a CPU with FMA, each step is instead one
/// fused `aᵢₖ·bₖⱼ + s` (one rounding): fewer instructions per step (on Zen 4 the unfused
/// block needs the full dispatch width; fused, W1 ran 19–38 % faster), and no longer
/// bit-identical to the portable code.
fn matmul_f32_packed<const K: usize, const N: usize, const ACC: bool>(
    _: Avx2,
    out: &mut [[f32; N]],
    a: &[[f32; K]],
    b: &[[f32; N]; K],
) {
    #[cfg(typegrad_avx512)]
    if avx512::applies::<K, N>(out.len().min(a.len())) && avx512() {
        // SAFETY: `avx512` asked the CPU for AVX-512F, all that `packed` requires beyond its
        // safe body (AVX-512F has the fused multiply-add).
        unsafe {
            if cfg!(feature = "fma") {
                avx512::packed::<K, N, ACC, true>(out, a, b)
            } else {
                avx512::packed::<K, N, ACC, false>(out, a, b)
            }
        }
        return;
    }
    if fused() {
        // SAFETY: the token proves AVX2 and `fused` checked FMA: all that the
        // `#[target_feature]` function requires beyond its safe body.
        unsafe { packed_fma::<K, N, ACC>(out, a, b) }
    } else {
        // SAFETY: the token proves that the CPU supports AVX2.
        unsafe { packed_avx2::<K, N, ACC>(out, a, b) }
    }
}

/// Writes columns `j..j + P` of `b` (zeros past its last column) into the `K` rows of `P`
/// values at `rows`, and returns them as the panel: a fixed-size copy per row where the
/// columns exist (vector moves, not a call to `memcpy`). Every row is written before the panel
/// is read, so the panel's memory need not be initialized.
///
/// # Safety
/// `rows` must point to `K` rows of `P` `f32`s that may be written, with no other reference to
/// them alive.
#[inline(always)]
pub(super) unsafe fn fill_panel<'a, const K: usize, const N: usize, const P: usize>(
    rows: *mut [f32; P],
    b: &[[f32; N]; K],
    j: usize,
) -> &'a [[f32; P]; K] {
    let width = P.min(N.saturating_sub(j));
    for (k, b_row) in b.iter().enumerate() {
        let row = match <&[f32; P]>::try_from(b_row.get(j..j + P).unwrap_or(&[])) {
            Ok(src) => *src,
            Err(_) => {
                let mut row = [0.0f32; P];
                row[..width].copy_from_slice(&b_row[j..j + width]);
                row
            }
        };
        // SAFETY: `k < K`: inside the `K` rows the caller gave.
        unsafe { rows.add(k).write(row) };
    }
    // SAFETY: all `K` rows were just written (`b` has `K` rows).
    unsafe { &*rows.cast::<[[f32; P]; K]>() }
}

/// [`packed_product`] with separate multiply and add.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn packed_avx2<const K: usize, const N: usize, const ACC: bool>(
    out: &mut [[f32; N]],
    a: &[[f32; K]],
    b: &[[f32; N]; K],
) {
    unsafe { packed_product::<K, N, ACC, false>(out, a, b) }
}

/// [`packed_product`] with fused multiply-add.
///
/// # Safety
/// The CPU must support AVX2 and FMA.
#[target_feature(enable = "avx2,fma")]
unsafe fn packed_fma<const K: usize, const N: usize, const ACC: bool>(
    out: &mut [[f32; N]],
    a: &[[f32; K]],
    b: &[[f32; N]; K],
) {
    unsafe { packed_product::<K, N, ACC, true>(out, a, b) }
}

/// The loops of [`matmul_f32_packed`] (`FUSED`: fused multiply-add).
///
/// # Safety
/// The CPU must support AVX2, and FMA if `FUSED`.
#[inline(always)]
unsafe fn packed_product<const K: usize, const N: usize, const ACC: bool, const FUSED: bool>(
    out: &mut [[f32; N]],
    a: &[[f32; K]],
    b: &[[f32; N]; K],
) {
    let m = out.len().min(a.len());
    // Aligned to the 64-byte cache line, so that no vector load from it straddles two lines;
    // not cleared first (for K = 784 that was a 100 KiB `memset` per call): every row is
    // written before the panel is read, at each panel of columns.
    let mut storage = core::mem::MaybeUninit::<Panel<K>>::uninit();
    let rows = storage.as_mut_ptr().cast::<[f32; PANEL]>();
    let mut j = 0;
    while j < N {
        let width = PANEL.min(N - j);
        // SAFETY: `rows` points to the panel's `K` rows.
        let panel = unsafe { fill_panel::<K, N, PANEL>(rows, b, j) };
        let mut i = 0;
        // Fused: six rows (12 sums, 2 panel vectors and a broadcast: 15 of the 16 vector
        // registers). Separate multiply and add need one more register for the product, so
        // five rows (14 registers): with six the sums spilled to the stack every step, and
        // W1 at N = 256 ran at 60 instead of 90 GFLOP/s (Zen 4).
        while FUSED && m - i >= 6 {
            unsafe {
                panel_block::<K, N, 6, ACC, FUSED>(&mut out[i..i + 6], &a[i..i + 6], panel, j)
            };
            i += 6;
        }
        while !FUSED && m - i >= 5 {
            unsafe {
                panel_block::<K, N, 5, ACC, FUSED>(&mut out[i..i + 5], &a[i..i + 5], panel, j)
            };
            i += 5;
        }
        for rows in [4, 2, 1] {
            if m - i >= rows {
                let (o, x) = (&mut out[i..i + rows], &a[i..i + rows]);
                unsafe {
                    match rows {
                        4 => panel_block::<K, N, 4, ACC, FUSED>(o, x, panel, j),
                        2 => panel_block::<K, N, 2, ACC, FUSED>(o, x, panel, j),
                        _ => panel_block::<K, N, 1, ACC, FUSED>(o, x, panel, j),
                    }
                }
                i += rows;
            }
        }
        j += width;
    }
}

/// `out[r][j..j+16] (+)= Σₖ a[r][k]·panel[k]` for the `M` rows given (`M ≤ 6`; only the
/// columns that exist are written): two 8-lane sums per row in registers over the whole `k`
/// loop, each step a multiply then an add (`FUSED`: one fused multiply-add).
///
/// # Safety
/// The CPU must support AVX2, and FMA if `FUSED`.
#[inline(always)]
unsafe fn panel_block<
    const K: usize,
    const N: usize,
    const M: usize,
    const ACC: bool,
    const FUSED: bool,
>(
    out: &mut [[f32; N]],
    a: &[[f32; K]],
    panel: &[[f32; PANEL]; K],
    j: usize,
) {
    let Ok(a) = <&[[f32; K]; M]>::try_from(a) else {
        return;
    };
    unsafe {
        let mut acc = [[_mm256_setzero_ps(); 2]; M];
        for (k, p) in panel.iter().enumerate() {
            let b0 = _mm256_loadu_ps(p[..8].as_ptr());
            let b1 = _mm256_loadu_ps(p[8..].as_ptr());
            for (s, row) in acc.iter_mut().zip(a) {
                let x = _mm256_set1_ps(row[k]);
                if FUSED {
                    s[0] = _mm256_fmadd_ps(x, b0, s[0]);
                    s[1] = _mm256_fmadd_ps(x, b1, s[1]);
                } else {
                    s[0] = _mm256_add_ps(s[0], _mm256_mul_ps(x, b0));
                    s[1] = _mm256_add_ps(s[1], _mm256_mul_ps(x, b1));
                }
            }
        }
        for (o, s) in out.iter_mut().zip(&acc) {
            if N - j >= PANEL {
                let o = &mut o[j..j + PANEL];
                let (mut lo, mut hi) = (s[0], s[1]);
                if ACC {
                    lo = _mm256_add_ps(_mm256_loadu_ps(o[..8].as_ptr()), lo);
                    hi = _mm256_add_ps(_mm256_loadu_ps(o[8..].as_ptr()), hi);
                }
                _mm256_storeu_ps(o[..8].as_mut_ptr(), lo);
                _mm256_storeu_ps(o[8..].as_mut_ptr(), hi);
            } else {
                let mut sums = [0.0f32; PANEL];
                _mm256_storeu_ps(sums[..8].as_mut_ptr(), s[0]);
                _mm256_storeu_ps(sums[8..].as_mut_ptr(), s[1]);
                for (o, s) in o[j..].iter_mut().zip(sums) {
                    *o = if ACC { *o + s } else { s };
                }
            }
        }
    }
}

/// Runs `out[r] = rows[r]·x (+ bias[r])` with the AVX2 kernel if `T` is `f32`; returns
/// whether it did.
#[inline]
pub(super) fn matvec_rows<T: Scalar, const R: usize, const C: usize>(
    _: Avx2,
    rows: &[[T; C]; R],
    x: &[T; C],
    bias: Option<&[T; R]>,
    out: &mut [T; R],
) -> bool {
    // A type check the compiler resolves: only `f32` has the explicit kernel.
    let (Some(rows), Some(x), Some(out)) = (
        (rows as &dyn Any).downcast_ref::<[[f32; C]; R]>(),
        (x as &dyn Any).downcast_ref::<[f32; C]>(),
        (out as &mut dyn Any).downcast_mut::<[f32; R]>(),
    ) else {
        return false;
    };
    let bias = match bias {
        None => None,
        Some(b) => match (b as &dyn Any).downcast_ref::<[f32; R]>() {
            Some(b) => Some(b),
            None => return false,
        },
    };
    #[cfg(typegrad_avx512)]
    if avx512() {
        // SAFETY: `avx512` asked the CPU for AVX-512F, all that `matvec` requires beyond its
        // safe body.
        unsafe { avx512::matvec(rows, x, bias, out) };
        return true;
    }
    // SAFETY: the token proves that the CPU supports AVX2, which is all that
    // `matvec_f32_avx2` requires beyond its safe body.
    unsafe { matvec_f32_avx2(rows, x, bias, out) };
    true
}

/// `out[r] = rows[r]·x (+ bias[r])` for `f32` with AVX2 intrinsics, in the order of
/// [`portable::matvec_dot`]: a row's sixteen partial sums are two registers (lane `k` of the
/// first sums the products `i ≡ k mod 16`, of the second `i ≡ k + 8`), four rows at a time
/// (one load of `x` per four rows); the two are added (`tₖ = sₖ + sₖ₊₈`) and eight rows'
/// `t` combined at once — halves added (`qⱼ = tⱼ + tⱼ₊₄`), then two rounds of horizontal
/// adds (`(q₀+q₁)+(q₂+q₃)`). No fused multiply-add, so the results equal the portable
/// kernel's bit for bit.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn matvec_f32_avx2<const R: usize, const C: usize>(
    rows: &[[f32; C]; R],
    x: &[f32; C],
    bias: Option<&[f32; R]>,
    out: &mut [f32; R],
) {
    // One block: the intrinsics are `unsafe` to call before Rust 1.87 (the MSRV is 1.85).
    unsafe {
        let mut row_blocks = rows.chunks_exact(8);
        let mut out_blocks = out.chunks_exact_mut(8);
        for (block, (rb, ob)) in (&mut row_blocks).zip(&mut out_blocks).enumerate() {
            // Four rows at a time: eight registers of sums, two of `x` (eight rows' sums
            // would not fit the sixteen registers).
            let mut t = [_mm256_setzero_ps(); 8];
            for (half, four) in t.chunks_exact_mut(4).enumerate() {
                let rows4 = &rb[4 * half..4 * half + 4];
                let mut lo = [_mm256_setzero_ps(); 4];
                let mut hi = [_mm256_setzero_ps(); 4];
                for (i, v) in x.chunks_exact(16).enumerate() {
                    let (vl, vh) = (
                        _mm256_loadu_ps(v.as_ptr()),
                        _mm256_loadu_ps(v[8..].as_ptr()),
                    );
                    for ((l, h), row) in lo.iter_mut().zip(&mut hi).zip(rows4) {
                        let w = &row[16 * i..16 * i + 16];
                        *l = _mm256_add_ps(*l, _mm256_mul_ps(_mm256_loadu_ps(w.as_ptr()), vl));
                        *h = _mm256_add_ps(*h, _mm256_mul_ps(_mm256_loadu_ps(w[8..].as_ptr()), vh));
                    }
                }
                for (((s, l), h), row) in four.iter_mut().zip(lo).zip(hi).zip(rows4) {
                    let (l, h) = add_tail(l, h, row, x);
                    *s = _mm256_add_ps(l, h);
                }
            }
            // Rows r and r+4 share a register: [q of row r | q of row r+4].
            let u04 = add_halves(t[0], t[4]);
            let u15 = add_halves(t[1], t[5]);
            let u26 = add_halves(t[2], t[6]);
            let u37 = add_halves(t[3], t[7]);
            // [q₀+q₁, q₂+q₃] of rows 0, 1 | 4, 5 and of rows 2, 3 | 6, 7; then the final pairs.
            let h01 = _mm256_hadd_ps(u04, u15);
            let h23 = _mm256_hadd_ps(u26, u37);
            let mut sums = _mm256_hadd_ps(h01, h23);
            let r = 8 * block; // the first row of this block
            if let Some(b) = bias {
                sums = _mm256_add_ps(sums, _mm256_loadu_ps(b[r..r + 8].as_ptr()));
            }
            _mm256_storeu_ps(ob[..8].as_mut_ptr(), sums);
        }
        let done = R - R % 8;
        for (r, (row, o)) in row_blocks
            .remainder()
            .iter()
            .zip(out_blocks.into_remainder())
            .enumerate()
        {
            *o = single_dot(row, x);
            if let Some(b) = bias {
                *o += b[done + r];
            }
        }
    }
}

/// `(lo, hi)` plus the products `w·v` of the row's last (fewer than sixteen) columns, past
/// the last whole chunk of sixteen, in the lanes of their columns (`+0` in the others: adding
/// `+0` leaves a partial sum unchanged, as it starts at `+0` and never becomes `−0`).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn add_tail<const C: usize>(
    lo: __m256,
    hi: __m256,
    row: &[f32; C],
    x: &[f32; C],
) -> (__m256, __m256) {
    let full = C - C % 16;
    if full == C {
        return (lo, hi);
    }
    let (mut w16, mut v16) = ([0.0f32; 16], [0.0f32; 16]);
    w16[..C - full].copy_from_slice(&row[full..]);
    v16[..C - full].copy_from_slice(&x[full..]);
    // SAFETY (of the block): the loads read 8 of the 16 values of a local array.
    unsafe {
        let product = |k: usize| {
            _mm256_mul_ps(
                _mm256_loadu_ps(w16[k..].as_ptr()),
                _mm256_loadu_ps(v16[k..].as_ptr()),
            )
        };
        let lo = _mm256_add_ps(lo, product(0));
        // No column in the second half: its sums stay as they are.
        let hi = if C - full > 8 {
            _mm256_add_ps(hi, product(8))
        } else {
            hi
        };
        (lo, hi)
    }
}

/// `row·x` in the order of [`portable::matvec_dot`], one row.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn single_dot<const I: usize>(row: &[f32; I], x: &[f32; I]) -> f32 {
    unsafe {
        let (mut lo, mut hi) = (_mm256_setzero_ps(), _mm256_setzero_ps());
        for (w, v) in row.chunks_exact(16).zip(x.chunks_exact(16)) {
            let p = _mm256_mul_ps(_mm256_loadu_ps(w.as_ptr()), _mm256_loadu_ps(v.as_ptr()));
            lo = _mm256_add_ps(lo, p);
            let p = _mm256_mul_ps(
                _mm256_loadu_ps(w[8..].as_ptr()),
                _mm256_loadu_ps(v[8..].as_ptr()),
            );
            hi = _mm256_add_ps(hi, p);
        }
        let (lo, hi) = add_tail(lo, hi, row, x);
        let t = _mm256_add_ps(lo, hi);
        let q = _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps::<1>(t));
        let h = _mm_hadd_ps(q, q);
        _mm_cvtss_f32(_mm_hadd_ps(h, h))
    }
}

/// `[lo(a) + hi(a) | lo(b) + hi(b)]` (four lanes each).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
#[allow(unused_unsafe)] // needed before Rust 1.87
unsafe fn add_halves(a: __m256, b: __m256) -> __m256 {
    unsafe {
        _mm256_add_ps(
            _mm256_permute2f128_ps::<0x20>(a, b),
            _mm256_permute2f128_ps::<0x31>(a, b),
        )
    }
}

/// [`portable::apply0`] compiled for AVX2, `rule` inlined into it.
#[inline]
pub(super) fn apply0<T: Scalar, F: Fn(T, T) -> T>(
    _: Avx2,
    w: &mut [T],
    g: &[T],
    rule: F,
    write: bool,
) -> bool {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2<T: Scalar, F: Fn(T, T) -> T>(
        w: &mut [T],
        g: &[T],
        rule: F,
        write: bool,
    ) -> bool {
        portable::apply0(w, g, rule, write)
    }
    // SAFETY: the token proves that the CPU supports AVX2, which is all `avx2` requires
    // beyond its safe body.
    unsafe { avx2(w, g, rule, write) }
}

/// [`portable::apply1`] compiled for AVX2, `rule` inlined into it.
#[inline]
pub(super) fn apply1<T: Scalar, F: Fn(T, T, T) -> (T, T)>(
    _: Avx2,
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    rule: F,
    write: bool,
) -> bool {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2<T: Scalar, F: Fn(T, T, T) -> (T, T)>(
        w: &mut [T],
        g: &[T],
        a: &mut [T],
        rule: F,
        write: bool,
    ) -> bool {
        portable::apply1(w, g, a, rule, write)
    }
    // SAFETY: the token proves that the CPU supports AVX2, which is all `avx2` requires
    // beyond its safe body.
    unsafe { avx2(w, g, a, rule, write) }
}

/// [`portable::apply2`] compiled for AVX2, `rule` inlined into it.
#[inline]
pub(super) fn apply2<T: Scalar, F: Fn(T, T, T, T) -> (T, T, T)>(
    _: Avx2,
    w: &mut [T],
    g: &[T],
    a: &mut [T],
    b: &mut [T],
    rule: F,
    write: bool,
) -> bool {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2<T: Scalar, F: Fn(T, T, T, T) -> (T, T, T)>(
        w: &mut [T],
        g: &[T],
        a: &mut [T],
        b: &mut [T],
        rule: F,
        write: bool,
    ) -> bool {
        portable::apply2(w, g, a, b, rule, write)
    }
    // SAFETY: the token proves that the CPU supports AVX2, which is all `avx2` requires
    // beyond its safe body.
    unsafe { avx2(w, g, a, b, rule, write) }
}

/// Defines `$name`, the portable kernel `$kernel` compiled for AVX2, and for AVX-512 where the
/// CPU has it (Rust ≥ 1.89): a safe function that takes the [`Avx2`] token, around the
/// `#[target_feature]` functions it calls. The same operations in every build, so the same
/// results.
macro_rules! avx2_build {
    ($(#[$doc:meta])* fn $name:ident<$t:ident: $bound:ident $(, const $n:ident: usize)?>
        ($($arg:ident: $ty:ty),*) $(-> $ret:ty)? = $kernel:path;) => {
        $(#[$doc])*
        #[inline]
        pub(super) fn $name<$t: $bound $(, const $n: usize)?>(_: Avx2, $($arg: $ty),*) $(-> $ret)? {
            /// # Safety
            /// The CPU must support AVX2.
            #[target_feature(enable = "avx2")]
            unsafe fn avx2<$t: $bound $(, const $n: usize)?>($($arg: $ty),*) $(-> $ret)? {
                $kernel($($arg),*)
            }
            /// # Safety
            /// The CPU must support AVX-512F.
            #[cfg(typegrad_avx512)]
            #[allow(clippy::incompatible_msrv)] // compiled only by Rust ≥ 1.89
            #[target_feature(enable = "avx512f")]
            unsafe fn avx512f<$t: $bound $(, const $n: usize)?>($($arg: $ty),*) $(-> $ret)? {
                $kernel($($arg),*)
            }
            #[cfg(typegrad_avx512)]
            if avx512() {
                // SAFETY: `avx512` asked the CPU for AVX-512F, all that `avx512f` requires
                // beyond its safe body.
                return unsafe { avx512f($($arg),*) };
            }
            // SAFETY: the token proves that the CPU supports AVX2, which is all that `avx2`
            // requires beyond its safe body.
            unsafe { avx2($($arg),*) }
        }
    };
}

avx2_build! {
    /// [`exp::exp_chunks`] compiled for AVX2 (eight `f32` per instruction) or AVX-512.
    fn exp_chunks<T: Real>(xs: &mut [T]) = exp::exp_chunks;
}

avx2_build! {
    /// [`exp::softmax`] compiled for AVX2 or AVX-512.
    fn softmax<T: Real, const N: usize>(x: &[T; N], y: &mut [T; N]) = exp::softmax;
}

avx2_build! {
    /// [`portable::sub_scaled`] compiled for AVX2.
    fn sub_scaled<T: Scalar>(w: &mut [T], g: &[T], eta: T) = portable::sub_scaled;
}

avx2_build! {
    /// [`portable::sub_scaled_is_finite`] compiled for AVX2.
    fn sub_scaled_is_finite<T: Scalar>(w: &[T], g: &[T], eta: T) -> bool
        = portable::sub_scaled_is_finite;
}

avx2_build! {
    /// [`portable::all_finite`] compiled for AVX2.
    fn all_finite<T: Scalar>(xs: &[T]) -> bool = portable::all_finite;
}

avx2_build! {
    /// [`portable::max_abs`] compiled for AVX2 (four `f64` per instruction).
    fn max_abs_recompiled<T: Real>(xs: &[T]) -> T = portable::max_abs;
}

/// [`portable::max_abs`]: for `f32` the explicit kernel [`max_abs_f32`], for other types the
/// portable kernel compiled for AVX2.
#[inline]
pub(super) fn max_abs<T: Real>(cpu: Avx2, xs: &[T]) -> T {
    if !super::is_f32::<T>() {
        return max_abs_recompiled(cpu, xs);
    }
    // SAFETY: `T` is `f32` (checked on the line above), so the slice is one of `f32`s.
    let xs = unsafe { core::slice::from_raw_parts(xs.as_ptr().cast::<f32>(), xs.len()) };
    // SAFETY: the token proves that the CPU supports AVX2, which is all that `max_abs_f32`
    // requires beyond its safe body.
    let m = unsafe { max_abs_f32(xs) };
    // Exact (`T` is `f32`); a failed cast could only overstate the bound, never hide a value.
    num_traits::cast(m).unwrap_or(T::infinity())
}

/// `max |xᵢ|` for `f32`, `+∞` if a value is NaN or ±∞, on the bits: with the sign bit cleared,
/// the magnitudes of `+0 … +∞` order like their bits as unsigned integers, and every NaN's
/// bits lie above `+∞`'s. So an integer maximum of `bits & 0x7FFF_FFFF` (two AND and two
/// maximum instructions per sixteen values) finds the largest magnitude, and a result above
/// `+∞`'s bits means a NaN, reported as `+∞`: the value [`portable::max_abs`] returns (a
/// maximum does not depend on the order of the comparisons).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn max_abs_f32(xs: &[f32]) -> f32 {
    const MAGNITUDE: u32 = 0x7FFF_FFFF;
    const INFINITY: u32 = 0x7F80_0000;
    let mut chunks = xs.chunks_exact(16);
    let mut best = unsafe {
        let mask = _mm256_set1_epi32(MAGNITUDE as i32);
        let (mut m0, mut m1) = (_mm256_setzero_si256(), _mm256_setzero_si256());
        for c in &mut chunks {
            let a = _mm256_loadu_si256(c[..8].as_ptr().cast::<__m256i>());
            let b = _mm256_loadu_si256(c[8..].as_ptr().cast::<__m256i>());
            m0 = _mm256_max_epu32(m0, _mm256_and_si256(a, mask));
            m1 = _mm256_max_epu32(m1, _mm256_and_si256(b, mask));
        }
        let m = _mm256_max_epu32(m0, m1);
        let m = _mm_max_epu32(_mm256_castsi256_si128(m), _mm256_extracti128_si256::<1>(m));
        let m = _mm_max_epu32(m, _mm_shuffle_epi32::<0b01_00_11_10>(m));
        let m = _mm_max_epu32(m, _mm_shuffle_epi32::<0b10_11_00_01>(m));
        _mm_cvtsi128_si32(m) as u32
    };
    for &x in chunks.remainder() {
        best = best.max(x.to_bits() & MAGNITUDE);
    }
    if best > INFINITY {
        f32::INFINITY
    } else {
        f32::from_bits(best)
    }
}

/// Writes the transpose of `src` into `dst` with the AVX2 kernel if `T` is `f32`; returns
/// whether it did.
#[inline]
pub(super) fn transpose<T: Scalar, const R: usize, const C: usize>(
    _: Avx2,
    src: &[[T; C]; R],
    dst: &mut [[T; R]; C],
) -> bool {
    let (Some(src), Some(dst)) = (
        (src as &dyn Any).downcast_ref::<[[f32; C]; R]>(),
        (dst as &mut dyn Any).downcast_mut::<[[f32; R]; C]>(),
    ) else {
        return false;
    };
    // SAFETY: the token proves that the CPU supports AVX2, which is all that
    // `transpose_f32_avx2` requires beyond its safe body.
    unsafe { transpose_f32_avx2(src, dst) };
    true
}

/// `dst[j][i] = src[i][j]` for `f32`: 8 × 8 tiles transposed in registers (eight loads,
/// twenty-four shuffles, eight stores), the edges element by element.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn transpose_f32_avx2<const R: usize, const C: usize>(
    src: &[[f32; C]; R],
    dst: &mut [[f32; R]; C],
) {
    let (r_full, c_full) = (R - R % 8, C - C % 8);
    unsafe {
        for i in (0..r_full).step_by(8) {
            for j in (0..c_full).step_by(8) {
                // Loads written out: a closure would not inherit AVX2 (before Rust 1.87).
                let mut r = [_mm256_setzero_ps(); 8];
                for (k, v) in r.iter_mut().enumerate() {
                    *v = _mm256_loadu_ps(src[i + k][j..j + 8].as_ptr());
                }
                let cols = transpose8(&r);
                for (k, col) in cols.into_iter().enumerate() {
                    _mm256_storeu_ps(dst[j + k][i..i + 8].as_mut_ptr(), col);
                }
            }
        }
    }
    // The edges: the last `R mod 8` rows and the last `C mod 8` columns.
    for (i, row) in src.iter().enumerate() {
        let from = if i < r_full { c_full } else { 0 };
        for (j, &v) in row.iter().enumerate().skip(from) {
            dst[j][i] = v;
        }
    }
}

/// The 8 × 8 tile `r` (row `k` in register `k`) transposed: register `j` holds column `j`
/// (twenty-four shuffles).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
#[allow(unused_unsafe)] // needed before Rust 1.87
unsafe fn transpose8(r: &[__m256; 8]) -> [__m256; 8] {
    unsafe {
        let t0 = _mm256_unpacklo_ps(r[0], r[1]);
        let t1 = _mm256_unpackhi_ps(r[0], r[1]);
        let t2 = _mm256_unpacklo_ps(r[2], r[3]);
        let t3 = _mm256_unpackhi_ps(r[2], r[3]);
        let t4 = _mm256_unpacklo_ps(r[4], r[5]);
        let t5 = _mm256_unpackhi_ps(r[4], r[5]);
        let t6 = _mm256_unpacklo_ps(r[6], r[7]);
        let t7 = _mm256_unpackhi_ps(r[6], r[7]);
        let u0 = _mm256_shuffle_ps::<0x44>(t0, t2);
        let u1 = _mm256_shuffle_ps::<0xEE>(t0, t2);
        let u2 = _mm256_shuffle_ps::<0x44>(t1, t3);
        let u3 = _mm256_shuffle_ps::<0xEE>(t1, t3);
        let u4 = _mm256_shuffle_ps::<0x44>(t4, t6);
        let u5 = _mm256_shuffle_ps::<0xEE>(t4, t6);
        let u6 = _mm256_shuffle_ps::<0x44>(t5, t7);
        let u7 = _mm256_shuffle_ps::<0xEE>(t5, t7);
        [
            _mm256_permute2f128_ps::<0x20>(u0, u4),
            _mm256_permute2f128_ps::<0x20>(u1, u5),
            _mm256_permute2f128_ps::<0x20>(u2, u6),
            _mm256_permute2f128_ps::<0x20>(u3, u7),
            _mm256_permute2f128_ps::<0x31>(u0, u4),
            _mm256_permute2f128_ps::<0x31>(u1, u5),
            _mm256_permute2f128_ps::<0x31>(u2, u6),
            _mm256_permute2f128_ps::<0x31>(u3, u7),
        ]
    }
}

/// `sums[c] = Σₜ x[c·n + t]` for `f32`, each plane's values added one after another from
/// `+0` (the portable loop's order): eight planes at a time, their 8 × 8 tiles transposed in
/// registers so that lane `c` adds plane `c`'s values in order. Returns whether it ran
/// (`T` is `f32`).
#[inline]
pub(super) fn plane_sums<T: 'static>(_: Avx2, x: &[T], n: usize, sums: &mut [T]) -> bool {
    if !super::is_f32::<T>() {
        return false;
    }
    // SAFETY: `T` is `f32` (checked above): the same slices of `f32`s.
    let (x, sums) = unsafe {
        (
            core::slice::from_raw_parts(x.as_ptr().cast::<f32>(), x.len()),
            core::slice::from_raw_parts_mut(sums.as_mut_ptr().cast::<f32>(), sums.len()),
        )
    };
    // SAFETY: the token proves that the CPU supports AVX2, all `plane_sums_f32_avx2` requires
    // beyond its safe body.
    unsafe { plane_sums_f32_avx2(x, n, sums) };
    true
}

/// [`plane_sums`] for `f32` with AVX2 intrinsics.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn plane_sums_f32_avx2(x: &[f32], n: usize, sums: &mut [f32]) {
    if n == 0 {
        sums.fill(0.0);
        return;
    }
    let planes = sums.len().min(x.len() / n);
    let full = n - n % 8;
    let mut groups = x.chunks_exact(8 * n).zip(sums.chunks_exact_mut(8));
    for (g, s) in (&mut groups).take(planes / 8) {
        // One block: the intrinsics are `unsafe` to call before Rust 1.87 (the MSRV is 1.85).
        unsafe {
            let mut acc = _mm256_setzero_ps();
            for t in (0..full).step_by(8) {
                let r: [__m256; 8] =
                    core::array::from_fn(|k| _mm256_loadu_ps(g[k * n + t..][..8].as_ptr()));
                for col in transpose8(&r) {
                    acc = _mm256_add_ps(acc, col);
                }
            }
            for t in full..n {
                let v: [f32; 8] = core::array::from_fn(|k| g[k * n + t]);
                acc = _mm256_add_ps(acc, _mm256_loadu_ps(v.as_ptr()));
            }
            _mm256_storeu_ps(s.as_mut_ptr(), acc);
        }
    }
    let done = planes - planes % 8;
    for (s, plane) in sums[done..planes]
        .iter_mut()
        .zip(x[done * n..].chunks_exact(n))
    {
        *s = portable::sum(plane);
    }
}

/// Runs `body` compiled for AVX2: the closure (called once, so inlined) becomes part of a
/// `#[target_feature(enable = "avx2")]` function, with the constants it names still
/// constants. The same IEEE operations as the plain build, so the same results.
#[inline]
pub(super) fn run_avx2<R>(_: Avx2, body: impl FnOnce() -> R) -> R {
    /// # Safety
    /// The CPU must support AVX2.
    #[target_feature(enable = "avx2")]
    unsafe fn avx2<R>(body: impl FnOnce() -> R) -> R {
        body()
    }
    // (Not AVX-512: measured, the W5 step was 6 % slower with the bodies compiled for it.)
    // SAFETY: the token proves that the CPU supports AVX2, which is all that `avx2`
    // requires beyond its safe body.
    unsafe { avx2(body) }
}

/// Positions per convolution panel ([`super::panel::LANES`]): two AVX2 registers.
const LANES: usize = super::panel::LANES;
const _: () = assert!(LANES == 16);

/// [`super::panel_product`] for `f32` (`T` and `U`; otherwise `false`): 16 positions in two
/// AVX2 registers per row, up to 4 rows per pass over the operand — or, on a CPU with
/// AVX-512F (Rust ≥ 1.89), one 16-lane register per row, every row in one pass. Each step a
/// multiply then an add, in increasing `k`: the plain loops' bits. Declines (`false`) when an
/// index `bases[m] + columns[k]` is outside `w` or a row `src[rows[k] + at..][..16]` outside
/// `src` (the plain loops then report it), checked against the largest column and row the
/// [`Operand`](super::Operand) found once.
#[inline]
pub(super) fn panel_product<T: 'static, U: 'static, const M: usize>(
    _: Avx2,
    op: &super::Operand<'_, T, U>,
    bases: &[usize; M],
    at: usize,
    acc: &mut [[T; LANES]; M],
) -> bool {
    let Some(op) = f32_operand(op, bases, at) else {
        return false;
    };
    let (w, columns, src, rows) = op.parts();
    // SAFETY: `T` is `f32` (`f32_operand` checked it): the same arrays of `f32`s.
    let acc = unsafe { &mut *(acc as *mut [[T; LANES]; M]).cast::<[[f32; LANES]; M]>() };
    let operand = (src, rows, at);
    #[cfg(typegrad_avx512)]
    if avx512() {
        // SAFETY: `avx512` asked the CPU for AVX-512F; every index is inside `w` and every
        // row inside `src` (checked above).
        unsafe { avx512::panel_product(w, bases, columns, operand, acc) };
        return true;
    }
    let mut m0 = 0;
    while m0 < M {
        let count = (M - m0).min(4);
        // SAFETY: the token proves AVX2; every index is inside `w` and every row inside
        // `src` (checked above).
        unsafe {
            match count {
                4 => panel_pass::<M, 4>(w, bases, columns, operand, acc, m0),
                3 => panel_pass::<M, 3>(w, bases, columns, operand, acc, m0),
                2 => panel_pass::<M, 2>(w, bases, columns, operand, acc, m0),
                _ => panel_pass::<M, 1>(w, bases, columns, operand, acc, m0),
            }
        }
        m0 += count;
    }
    true
}

/// [`panel_product`] for two blocks of 16 positions (`acc[0]` at `at0`, `acc[1]` at `at1`) in
/// one pass, on a CPU with AVX-512F (Rust ≥ 1.89) for `f32`; otherwise `false` (the caller
/// runs the blocks one at a time: the same sums).
#[inline]
pub(super) fn panel_product2<T: 'static, U: 'static, const M: usize>(
    _: Avx2,
    op: &super::Operand<'_, T, U>,
    bases: &[usize; M],
    (at0, at1): (usize, usize),
    acc: &mut [[[T; LANES]; M]; 2],
) -> bool {
    if !avx512() {
        return false;
    }
    let Some(op) = f32_operand(op, bases, at0.max(at1)) else {
        return false;
    };
    let (w, columns, src, rows) = op.parts();
    #[cfg(typegrad_avx512)]
    {
        // SAFETY: `T` is `f32` (`f32_operand` checked it): the same arrays of `f32`s.
        let acc =
            unsafe { &mut *(acc as *mut [[[T; LANES]; M]; 2]).cast::<[[[f32; LANES]; M]; 2]>() };
        // SAFETY: `avx512` asked the CPU for AVX-512F; every index is inside `w` and every
        // row inside `src` for both blocks (`f32_operand` checked them).
        unsafe { avx512::panel_product2(w, bases, columns, (src, rows, (at0, at1)), acc) };
        true
    }
    #[cfg(not(typegrad_avx512))]
    {
        let _ = (w, columns, src, rows, acc);
        false
    }
}

/// `op` as an operand of `f32`s, if `T` and `U` are `f32` and every read of a panel product
/// from position `reach` on lies inside it: `w[bases[m] + columns[k]]` and `src[rows[k] +
/// reach..][..16]` (checked against the largest column and row [`Operand::new`] found once).
///
/// [`Operand::new`]: super::Operand::new
#[inline(always)]
fn f32_operand<'a, T: 'static, U: 'static, const M: usize>(
    op: &super::Operand<'a, T, U>,
    bases: &[usize; M],
    reach: usize,
) -> Option<super::Operand<'a, f32, f32>> {
    if !(super::is_f32::<T>() && super::is_f32::<U>()) {
        return None;
    }
    let (w, columns, src, rows) = op.parts();
    // `Operand::new` cut both index arrays to one length.
    if !columns.is_empty()
        && (bases.iter().any(|&b| b + op.last_column >= w.len())
            || op.far_row + reach + LANES > src.len())
    {
        return None;
    }
    // SAFETY: `T` and `U` are `f32` (checked above): the same arrays of `f32`s, same lengths
    // and layout.
    let (w, src) = unsafe {
        (
            core::slice::from_raw_parts(w.as_ptr().cast::<f32>(), w.len()),
            core::slice::from_raw_parts(src.as_ptr().cast::<f32>(), src.len()),
        )
    };
    Some(super::Operand {
        w,
        columns,
        src,
        rows,
        last_column: op.last_column,
        far_row: op.far_row,
    })
}

/// Rows `m0..m0 + R` of [`panel_product`] with AVX2: `2R` sums in registers over the operand.
///
/// # Safety
/// The CPU must support AVX2, every `bases[m] + columns[k]` must be inside `w` and every
/// `rows[k] + at + 16` at most `src.len()`.
#[target_feature(enable = "avx2")]
unsafe fn panel_pass<const M: usize, const R: usize>(
    w: &[f32],
    bases: &[usize; M],
    columns: &[u32],
    (src, rows, at): (&[f32], &[u32], usize),
    acc: &mut [[f32; LANES]; M],
    m0: usize,
) {
    let Some(sums) = acc.get_mut(m0..m0 + R) else {
        return;
    };
    let Some(bases) = bases.get(m0..m0 + R) else {
        return;
    };
    let (w, src) = (w.as_ptr(), src.as_ptr());
    unsafe {
        let mut s = [[_mm256_setzero_ps(); 2]; R];
        for (s, row) in s.iter_mut().zip(sums.iter()) {
            *s = [
                _mm256_loadu_ps(row[..8].as_ptr()),
                _mm256_loadu_ps(row[8..].as_ptr()),
            ];
        }
        for (&row, &column) in rows.iter().zip(columns) {
            let p = src.add(row as usize + at);
            let p0 = _mm256_loadu_ps(p);
            let p1 = _mm256_loadu_ps(p.add(8));
            for (s, &base) in s.iter_mut().zip(bases) {
                let a = _mm256_set1_ps(*w.add(base + column as usize));
                s[0] = _mm256_add_ps(s[0], _mm256_mul_ps(a, p0));
                s[1] = _mm256_add_ps(s[1], _mm256_mul_ps(a, p1));
            }
        }
        for (row, s) in sums.iter_mut().zip(&s) {
            _mm256_storeu_ps(row[..8].as_mut_ptr(), s[0]);
            _mm256_storeu_ps(row[8..].as_mut_ptr(), s[1]);
        }
    }
}

/// [`super::weight_tap`] for `f32` (otherwise `false`): per contiguous run of the tap's
/// positions, eight lanes of `dy · x` added per register (`M × C` registers of sums, kept
/// across the runs); the run's last values (fewer than eight) into the first lanes, the
/// other lanes adding `0 · 0 = +0` to sums that start at `+0` and so are never `−0`
/// (unchanged); with a column stride, one running sum per weight in lane 0. The plain
/// loops' operations in the same order: the same bits.
#[inline]
pub(super) fn weight_tap<T: 'static, const M: usize, const C: usize>(
    _: Avx2,
    d: &super::Window2d,
    x: &[T],
    dy: &[T],
    (o0, c0): (usize, usize),
    (ky, kx): (usize, usize),
    acc: &mut [[[T; 8]; C]; M],
) -> bool {
    if !super::is_f32::<T>() {
        return false;
    }
    // SAFETY: `T` is `f32` (checked just above): the same arrays of `f32`s.
    let (x, dy, acc) = unsafe {
        (
            core::slice::from_raw_parts(x.as_ptr().cast::<f32>(), x.len()),
            core::slice::from_raw_parts(dy.as_ptr().cast::<f32>(), dy.len()),
            &mut *(acc as *mut [[[T; 8]; C]; M]).cast::<[[[f32; 8]; C]; M]>(),
        )
    };
    // SAFETY: the token proves AVX2.
    unsafe { weight_tap_avx2::<M, C>(d, x, dy, (o0, c0), (ky, kx), acc) }
}

/// [`weight_tap`] with AVX2.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn weight_tap_avx2<const M: usize, const C: usize>(
    d: &super::Window2d,
    x: &[f32],
    dy: &[f32],
    (o0, c0): (usize, usize),
    (ky, kx): (usize, usize),
    acc: &mut [[[f32; 8]; C]; M],
) -> bool {
    let hw = d.rows.length * d.cols.length;
    let ohw = d.rows.out_len * d.cols.out_len;
    unsafe {
        let mut s: [[__m256; C]; M] =
            core::array::from_fn(|m| core::array::from_fn(|c| _mm256_loadu_ps(acc[m][c].as_ptr())));
        for (at_y, at_x, len, step) in super::plane::runs(d, ky, kx) {
            if len == 0 {
                continue;
            }
            let reach = (len - 1) * step + 1;
            let (Some(dys), Some(xs)) = (
                try_rows::<M>(dy, |m| (o0 + m) * ohw + at_y, len),
                try_rows::<C>(x, |c| (c0 + c) * hw + at_x, reach),
            ) else {
                return false;
            };
            if step != 1 {
                // One running sum per weight, in lane 0.
                let mut g: [[f32; C]; M] =
                    core::array::from_fn(|m| core::array::from_fn(|c| _mm256_cvtss_f32(s[m][c])));
                for t in 0..len {
                    for (g, dy) in g.iter_mut().zip(&dys) {
                        for (g, x) in g.iter_mut().zip(&xs) {
                            *g += dy[t] * x[t * step];
                        }
                    }
                }
                for (s, g) in s.iter_mut().zip(&g) {
                    for (s, &g) in s.iter_mut().zip(g) {
                        // Lane 0 replaced, the others kept.
                        *s = _mm256_blend_ps::<1>(*s, _mm256_set1_ps(g));
                    }
                }
                continue;
            }
            let full = len - len % 8;
            for k in (0..full).step_by(8) {
                let v: [__m256; C] = core::array::from_fn(|c| _mm256_loadu_ps(xs[c][k..].as_ptr()));
                for (s, dy) in s.iter_mut().zip(&dys) {
                    let u = _mm256_loadu_ps(dy[k..k + 8].as_ptr());
                    for (s, &v) in s.iter_mut().zip(&v) {
                        *s = _mm256_add_ps(*s, _mm256_mul_ps(u, v));
                    }
                }
            }
            if full < len {
                let v: [__m256; C] = core::array::from_fn(|c| tail8(&xs[c][full..len]));
                for (s, dy) in s.iter_mut().zip(&dys) {
                    let u = tail8(&dy[full..]);
                    for (s, &v) in s.iter_mut().zip(&v) {
                        *s = _mm256_add_ps(*s, _mm256_mul_ps(u, v));
                    }
                }
            }
        }
        for (acc, s) in acc.iter_mut().zip(&s) {
            for (acc, s) in acc.iter_mut().zip(s) {
                _mm256_storeu_ps(acc.as_mut_ptr(), *s);
            }
        }
    }
    true
}

/// The slices `values[start(r)..][..len]` for `R` rows, if all are inside `values`.
#[inline(always)]
fn try_rows<const R: usize>(
    values: &[f32],
    start: impl Fn(usize) -> usize,
    len: usize,
) -> Option<[&[f32]; R]> {
    let mut rows: [&[f32]; R] = [&[]; R];
    for (r, row) in rows.iter_mut().enumerate() {
        *row = values.get(start(r)..)?.get(..len)?;
    }
    Some(rows)
}

/// Up to eight values in the low lanes of a register, zeros above (a masked load: the lanes
/// past the end are not read).
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
#[inline]
unsafe fn tail8(values: &[f32]) -> __m256 {
    let n = values.len().min(8) as i32;
    unsafe {
        let lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
        let mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), lanes);
        _mm256_maskload_ps(values.as_ptr(), mask)
    }
}

/// [`super::grid_sums`] for `f32` on a CPU with AVX-512F (Rust ≥ 1.89; otherwise `false`):
/// one 16-lane register of sums per `(m, c)`, the last (partial) block of positions added
/// under a mask, the lanes combined in registers. Declines (`false`) when a row reaches past
/// its slice or there are more than 16 sums.
#[inline]
pub(super) fn grid_sums<T: 'static, const M: usize, const C: usize>(
    _: Avx2,
    ys: &[T],
    ystarts: &[usize; M],
    xs: &[T],
    xstarts: &[usize; C],
    grid: usize,
    sums: &mut [[T; C]; M],
) -> bool {
    if !super::is_f32::<T>() || !avx512() || M * C > 16 {
        return false;
    }
    let span = grid.div_ceil(16) * 16;
    if ystarts.iter().any(|&s| s + span > ys.len()) || xstarts.iter().any(|&s| s + span > xs.len())
    {
        return false;
    }
    #[cfg(typegrad_avx512)]
    {
        // SAFETY: `T` is `f32` (checked above): the same arrays of `f32`s.
        let (ys, xs, sums) = unsafe {
            (
                core::slice::from_raw_parts(ys.as_ptr().cast::<f32>(), ys.len()),
                core::slice::from_raw_parts(xs.as_ptr().cast::<f32>(), xs.len()),
                &mut *(sums as *mut [[T; C]; M]).cast::<[[f32; C]; M]>(),
            )
        };
        // SAFETY: `avx512` asked the CPU for AVX-512F; `M · C ≤ 16` and every row's `span`
        // values are inside its slice (checked above).
        unsafe { avx512::grid_sums(ys, ystarts, xs, xstarts, grid, sums) };
        true
    }
    #[cfg(not(typegrad_avx512))]
    {
        let _ = sums;
        false
    }
}
