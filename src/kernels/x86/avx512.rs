//! The packed `f32` matrix product with AVX-512 (`avx512f`): 32 columns per panel (two
//! 16-lane registers), up to 12 rows per block, for CPUs that have it (asked at run time, as
//! AVX2 is). Compiled only with Rust 1.89 or later (`cfg(typegrad_avx512)`, set by the build
//! script), where AVX-512 is stable; older compilers keep the AVX2 kernels.
//!
//! The same sums in the same order as the AVX2 and portable products: each starts at `+0`
//! and adds `aᵢₖ·bₖⱼ` (rounded product, then rounded sum) in increasing `k` — so the same
//! bits — unless the `fma` feature is on, when each step is one fused multiply-add. Also the
//! convolutions' panel products and grid sums and the matrix–vector product, each in its
//! portable counterpart's order.

// Stable since Rust 1.89, above the MSRV (1.85): this module is compiled only by 1.89 or later.
#![allow(clippy::incompatible_msrv)]

use std::arch::x86_64::*;

use super::fill_panel;

/// Columns of one packed panel: two 16-lane vectors.
pub(super) const PANEL: usize = 32;

/// Largest packed panel (`K × 32` `f32`s, on the stack): 128 KiB, `K ≤ 1024`.
const PANEL_BYTES: usize = 128 * 1024;

/// One packed panel: `K` rows of [`PANEL`] `f32`s (128 bytes, two cache lines).
#[repr(C, align(64))]
struct Panel<const K: usize>([[f32; PANEL]; K]);

/// `true` when the CPU has AVX-512F (asked once; std caches the answer).
#[inline(always)]
pub(super) fn detected() -> bool {
    std::is_x86_feature_detected!("avx512f")
}

/// `true` when [`packed`] runs a product with `m` rows, inner size `K` and `N` columns: a
/// panel fits [`PANEL_BYTES`], the output has at least one whole panel of columns (narrower
/// ones waste lanes: the 16-column AVX2 panels serve them), and there are enough rows (≥ 8)
/// to repay the copy.
#[inline(always)]
pub(super) fn applies<const K: usize, const N: usize>(m: usize) -> bool {
    m >= 8 && K > 0 && N >= PANEL && K * PANEL * 4 <= PANEL_BYTES
}

/// `out (+)= a·b` for `f32` (`ACC`: `out + Σₖ aᵢₖ·bₖⱼ`, else `Σₖ aᵢₖ·bₖⱼ`), packed: every 32
/// columns of `b` are copied into a contiguous `K × 32` panel (zero-padded past the last
/// column), which then serves every row of `a` in blocks of 12 rows (the rows left over in
/// blocks of 8, 4, 2 and 1), each block's `M × 32` sums held in registers over the whole `k`
/// loop ([`block`]): 24 sums, 2 panel vectors, a broadcast and the products in the 32
/// registers.
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn packed<const K: usize, const N: usize, const ACC: bool, const FUSED: bool>(
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
        while m - i >= 12 {
            unsafe { block::<K, N, 12, ACC, FUSED>(&mut out[i..i + 12], &a[i..i + 12], panel, j) };
            i += 12;
        }
        for rows in [8, 4, 2, 1] {
            if m - i >= rows {
                let (o, x) = (&mut out[i..i + rows], &a[i..i + rows]);
                unsafe {
                    match rows {
                        8 => block::<K, N, 8, ACC, FUSED>(o, x, panel, j),
                        4 => block::<K, N, 4, ACC, FUSED>(o, x, panel, j),
                        2 => block::<K, N, 2, ACC, FUSED>(o, x, panel, j),
                        _ => block::<K, N, 1, ACC, FUSED>(o, x, panel, j),
                    }
                }
                i += rows;
            }
        }
        j += width;
    }
}

/// `out[r][j..j+32] (+)= Σₖ a[r][k]·panel[k]` for the `M` rows given (`M ≤ 12`; only the
/// columns that exist are written): two 16-lane sums per row in registers over the whole `k`
/// loop, each step a multiply then an add (`FUSED`: one fused multiply-add).
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
#[inline]
unsafe fn block<
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
        let mut acc = [[_mm512_setzero_ps(); 2]; M];
        for (k, p) in panel.iter().enumerate() {
            let b0 = _mm512_loadu_ps(p[..16].as_ptr());
            let b1 = _mm512_loadu_ps(p[16..].as_ptr());
            for (s, row) in acc.iter_mut().zip(a) {
                let x = _mm512_set1_ps(row[k]);
                if FUSED {
                    s[0] = _mm512_fmadd_ps(x, b0, s[0]);
                    s[1] = _mm512_fmadd_ps(x, b1, s[1]);
                } else {
                    s[0] = _mm512_add_ps(s[0], _mm512_mul_ps(x, b0));
                    s[1] = _mm512_add_ps(s[1], _mm512_mul_ps(x, b1));
                }
            }
        }
        for (o, s) in out.iter_mut().zip(&acc) {
            if N - j >= PANEL {
                let o = &mut o[j..j + PANEL];
                let (mut lo, mut hi) = (s[0], s[1]);
                if ACC {
                    lo = _mm512_add_ps(_mm512_loadu_ps(o[..16].as_ptr()), lo);
                    hi = _mm512_add_ps(_mm512_loadu_ps(o[16..].as_ptr()), hi);
                }
                _mm512_storeu_ps(o[..16].as_mut_ptr(), lo);
                _mm512_storeu_ps(o[16..].as_mut_ptr(), hi);
            } else {
                let mut sums = [0.0f32; PANEL];
                _mm512_storeu_ps(sums[..16].as_mut_ptr(), s[0]);
                _mm512_storeu_ps(sums[16..].as_mut_ptr(), s[1]);
                for (o, s) in o[j..].iter_mut().zip(sums) {
                    *o = if ACC { *o + s } else { s };
                }
            }
        }
    }
}

/// `acc[m][l] += w[bases[m] + columns[k]] · src[rows[k] + at + l]` over every `k` in
/// increasing order (the convolutions' panel product): one 16-lane register of sums per row,
/// a multiply then an add per step.
///
/// # Safety
/// The CPU must support AVX-512F, every `bases[m] + columns[k]` must be inside `w` and every
/// `rows[k] + at + 16` at most `src.len()`.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn panel_product<const M: usize>(
    w: &[f32],
    bases: &[usize; M],
    columns: &[u32],
    (src, rows, at): (&[f32], &[u32], usize),
    acc: &mut [[f32; 16]; M],
) {
    let (w, src) = (w.as_ptr(), src.as_ptr());
    unsafe {
        let mut s = [_mm512_setzero_ps(); M];
        for (s, acc) in s.iter_mut().zip(acc.iter()) {
            *s = _mm512_loadu_ps(acc.as_ptr());
        }
        for (&row, &column) in rows.iter().zip(columns) {
            let v = _mm512_loadu_ps(src.add(row as usize + at));
            for (s, &base) in s.iter_mut().zip(bases) {
                let a = _mm512_set1_ps(*w.add(base + column as usize));
                *s = _mm512_add_ps(*s, _mm512_mul_ps(a, v));
            }
        }
        for (row, s) in acc.iter_mut().zip(&s) {
            _mm512_storeu_ps(row.as_mut_ptr(), *s);
        }
    }
}

/// [`panel_product`] for two blocks of 16 positions at once (`acc[0]` from `src[rows[k] +
/// at0 ..]`, `acc[1]` from `at1`): each weight read once for 32 sums (measured alone on a
/// reduction of 576 steps in L1: 187 GFLOP/s for one block a pass, 264 for two; with one
/// block, a broadcast weight per 32 flops is the limit).
///
/// # Safety
/// The CPU must support AVX-512F, every `bases[m] + columns[k]` must be inside `w` and every
/// `rows[k] + at + 16` (both `at`) at most `src.len()`.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn panel_product2<const M: usize>(
    w: &[f32],
    bases: &[usize; M],
    columns: &[u32],
    (src, rows, (at0, at1)): (&[f32], &[u32], (usize, usize)),
    acc: &mut [[[f32; 16]; M]; 2],
) {
    let (w, src) = (w.as_ptr(), src.as_ptr());
    unsafe {
        let mut s = [[_mm512_setzero_ps(); 2]; M];
        for (m, s) in s.iter_mut().enumerate() {
            *s = [
                _mm512_loadu_ps(acc[0][m].as_ptr()),
                _mm512_loadu_ps(acc[1][m].as_ptr()),
            ];
        }
        for (&row, &column) in rows.iter().zip(columns) {
            let v0 = _mm512_loadu_ps(src.add(row as usize + at0));
            let v1 = _mm512_loadu_ps(src.add(row as usize + at1));
            for (s, &base) in s.iter_mut().zip(bases) {
                let a = _mm512_set1_ps(*w.add(base + column as usize));
                s[0] = _mm512_add_ps(s[0], _mm512_mul_ps(a, v0));
                s[1] = _mm512_add_ps(s[1], _mm512_mul_ps(a, v1));
            }
        }
        for (m, s) in s.iter().enumerate() {
            _mm512_storeu_ps(acc[0][m].as_mut_ptr(), s[0]);
            _mm512_storeu_ps(acc[1][m].as_mut_ptr(), s[1]);
        }
    }
}

/// `sums[m][c] = sum_sixteen_lanes(s)` of the lane sums `s[l] = Σ ys[ystarts[m] + q] ·
/// xs[xstarts[c] + q]` over the grid positions `q < grid` with `q mod 16 = l`, each from
/// `+0` in increasing `q`: one 16-lane register per `(m, c)`, a multiply then an add per
/// step, the last block of positions under a mask; then the lanes combined as
/// `portable::sum_sixteen_lanes` does (`tₗ = sₗ + sₗ₊₈`, `((t₀+t₄)+(t₁+t₅)) + ((t₂+t₆)+(t₃+t₇))`),
/// in registers ([`combine_sixteen`]).
///
/// # Safety
/// The CPU must support AVX-512F, `M · C ≤ 16`, and every `start + ⌈grid/16⌉·16` must be at
/// most its slice's length.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn grid_sums<const M: usize, const C: usize>(
    ys: &[f32],
    ystarts: &[usize; M],
    xs: &[f32],
    xstarts: &[usize; C],
    grid: usize,
    sums: &mut [[f32; C]; M],
) {
    let (ys, xs) = (ys.as_ptr(), xs.as_ptr());
    unsafe {
        let mut s = [[_mm512_setzero_ps(); C]; M];
        let mut q0 = 0;
        while q0 < grid {
            let left = grid - q0;
            let mask: __mmask16 = if left >= 16 {
                0xFFFF
            } else {
                (1u16 << left) - 1
            };
            let mut v = [_mm512_setzero_ps(); C];
            for (v, &start) in v.iter_mut().zip(xstarts) {
                *v = _mm512_loadu_ps(xs.add(start + q0));
            }
            for (s, &start) in s.iter_mut().zip(ystarts) {
                let u = _mm512_loadu_ps(ys.add(start + q0));
                for (s, &v) in s.iter_mut().zip(&v) {
                    *s = _mm512_mask_add_ps(*s, mask, *s, _mm512_mul_ps(u, v));
                }
            }
            q0 += 16;
        }
        // The `M·C ≤ 16` registers (the rest zeros) combined at once.
        let flat: [__m512; 16] = core::array::from_fn(|j| {
            if j < M * C {
                s[j / C][j % C]
            } else {
                _mm512_setzero_ps()
            }
        });
        let mut out = [0f32; 16];
        _mm512_storeu_ps(out.as_mut_ptr(), combine_sixteen(&flat));
        // Lane `4c + k` holds register `4k + c`.
        for (j, &v) in out.iter().enumerate() {
            let r = (j % 4) * 4 + j / 4;
            if r < M * C {
                sums[r / C][r % C] = v;
            }
        }
    }
}

/// Sixteen registers' lanes combined at once, the order of `portable::sum_sixteen_lanes` for
/// each: lane `4c + k` of the result is register `4k + c`'s
/// `((t₀+t₄)+(t₁+t₅)) + ((t₂+t₆)+(t₃+t₇))` with `tₗ = sₗ + sₗ₊₈` (30 shuffles, 15 adds).
#[inline]
#[target_feature(enable = "avx512f")]
fn combine_sixteen(s: &[__m512; 16]) -> __m512 {
    // tₗ = sₗ + sₗ₊₈ of registers 2i (lanes 0–7) and 2i + 1 (lanes 8–15).
    let p: [__m512; 8] = core::array::from_fn(|i| {
        let (a, b) = (s[2 * i], s[2 * i + 1]);
        _mm512_add_ps(
            _mm512_shuffle_f32x4::<0b01_00_01_00>(a, b),
            _mm512_shuffle_f32x4::<0b11_10_11_10>(a, b),
        )
    });
    // uₖ = tₖ + tₖ₊₄: 128-bit block c of q[k] holds register 4k + c's u₀..u₃.
    let q: [__m512; 4] = core::array::from_fn(|k| {
        let (a, b) = (p[2 * k], p[2 * k + 1]);
        _mm512_add_ps(
            _mm512_shuffle_f32x4::<0b10_00_10_00>(a, b),
            _mm512_shuffle_f32x4::<0b11_01_11_01>(a, b),
        )
    });
    // u₀ + u₁ and u₂ + u₃, in each 128-bit block: [a's two, b's two].
    let r: [__m512; 2] = core::array::from_fn(|i| {
        let (a, b) = (q[2 * i], q[2 * i + 1]);
        _mm512_add_ps(
            _mm512_shuffle_ps::<0b10_00_10_00>(a, b),
            _mm512_shuffle_ps::<0b11_01_11_01>(a, b),
        )
    });
    // (u₀ + u₁) + (u₂ + u₃): block c lists registers c, 4 + c, 8 + c, 12 + c.
    _mm512_add_ps(
        _mm512_shuffle_ps::<0b10_00_10_00>(r[0], r[1]),
        _mm512_shuffle_ps::<0b11_01_11_01>(r[0], r[1]),
    )
}

/// `out[r] = rows[r]·x (+ bias[r])` in the order of `portable::matvec_dot`: a row's sixteen
/// partial sums are one register (lane `l` sums the products `i ≡ l mod 16`), sixteen rows
/// at a time (one load of `x` per sixteen rows), their lanes combined at once by
/// [`combine_sixteen`] into the sixteen results. The rows past the last whole block of
/// sixteen are a block of the last sixteen rows (recomputing some: the same bits), or of all
/// of them when there are fewer.
///
/// # Safety
/// The CPU must support AVX-512F.
#[target_feature(enable = "avx512f")]
pub(super) unsafe fn matvec<const R: usize, const C: usize>(
    rows: &[[f32; C]; R],
    x: &[f32; C],
    bias: Option<&[f32; R]>,
    out: &mut [f32; R],
) {
    if R < 16 {
        matvec_block::<R, C, R>(rows, x, bias, out, 0);
        return;
    }
    for first in (0..R - 15).step_by(16) {
        matvec_block::<R, C, 16>(rows, x, bias, out, first);
    }
    if R % 16 != 0 {
        matvec_block::<R, C, 16>(rows, x, bias, out, R - 16);
    }
}

/// Rows `first .. first + M` (`M ≤ 16`, `first + M ≤ R`) of [`matvec`].
#[inline]
#[target_feature(enable = "avx512f")]
fn matvec_block<const R: usize, const C: usize, const M: usize>(
    rows: &[[f32; C]; R],
    x: &[f32; C],
    bias: Option<&[f32; R]>,
    out: &mut [f32; R],
    first: usize,
) {
    let m = M.min(16);
    let rows = &rows[first..first + m];
    let full = C - C % 16;
    // Each lane's sum starts from its first product, not from `+0` as the portable order's
    // does: one add fewer per row and chunk of columns. The two differ only where this one is
    // `−0` and the portable one `+0` (adding `+0` first turns a leading `−0` product into `+0`;
    // from there the sums are equal except for the sign of a zero, through every later add and
    // the combining of lanes, since `a + b` is `−0` only for `a = b = −0`): the result is
    // this one plus `+0`, added below with the bias (`r + (b + 0)` equals `(r + 0) + b`).
    let mut acc = [_mm512_setzero_ps(); 16];
    for (i, v) in x[..full].chunks_exact(16).enumerate() {
        // SAFETY: every load reads 16 values of a chunk of 16.
        unsafe {
            let v = _mm512_loadu_ps(v.as_ptr());
            for (a, row) in acc.iter_mut().zip(rows) {
                let p = _mm512_mul_ps(_mm512_loadu_ps(row[16 * i..16 * i + 16].as_ptr()), v);
                *a = if i == 0 { p } else { _mm512_add_ps(*a, p) };
            }
        }
    }
    if full < C {
        // The last columns, zero-padded to sixteen (the padding's products are `+0`, which
        // leaves a sum as the portable order's `+0` start does).
        let mut v16 = [0.0f32; 16];
        v16[..C - full].copy_from_slice(&x[full..]);
        // SAFETY: the loads read local arrays of 16 values.
        unsafe {
            let v = _mm512_loadu_ps(v16.as_ptr());
            for (a, row) in acc.iter_mut().zip(rows) {
                let mut w16 = [0.0f32; 16];
                w16[..C - full].copy_from_slice(&row[full..]);
                let p = _mm512_mul_ps(_mm512_loadu_ps(w16.as_ptr()), v);
                *a = if full == 0 { p } else { _mm512_add_ps(*a, p) };
            }
        }
    }
    // `combine_sixteen` puts register `4k + c` into lane `4c + k`: hand it row `4c + k` there,
    // so that lane `j` is row `j`.
    let flat: [__m512; 16] = core::array::from_fn(|i| acc[(i % 4) * 4 + i / 4]);
    let mut sums = [0.0f32; 16];
    // SAFETY: the loads and the store touch local arrays of 16 values.
    unsafe {
        // The `+0` of the portable start, with the bias if there is one: `b + 0` is `b` but
        // for `b = −0`, off the sums' dependency chain.
        let mut b16 = [0.0f32; 16];
        if let Some(b) = bias {
            b16[..m].copy_from_slice(&b[first..first + m]);
        }
        let b = _mm512_add_ps(_mm512_loadu_ps(b16.as_ptr()), _mm512_setzero_ps());
        let s = _mm512_add_ps(combine_sixteen(&flat), b);
        _mm512_storeu_ps(sums.as_mut_ptr(), s);
    }
    out[first..first + m].copy_from_slice(&sums[..m]);
}
