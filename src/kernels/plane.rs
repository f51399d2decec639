//! Register blocks over the lines of a plane, for one sample (channels × rows × columns):
//! the bias gradients of every 2-D convolution ([`bias_gradients`]), the weight gradients
//! of strided depthwise windows and of windows with a row stride alone
//! ([`bias_and_weights`]), and the depthwise convolutions' channels forward and their input
//! gradients ([`conv2d_lines`], [`input_gradient`]). Each block keeps a few channels × [`LANES`] neighbouring positions
//! (or eight lanes of a weight's sum) in local sums over the whole reduction, so one load of
//! an input or output-gradient value serves several channels and the sums are stored once.
//! A block only changes which values are computed side by side, never the order in which
//! one value's terms are added (pinned by `kernels::tests` against the direct loops).
//!
//! A line of positions is cut into chunks of [`LANES`]; the last chunk of a line longer than
//! that overlaps the one before it (its first values are computed twice, identically), and a
//! shorter line is one chunk with its lanes past the end left out. A tap that reaches past
//! the edge for some lanes of a chunk (padding) adds `w · 0` there forward, and nothing to
//! those lanes of the input gradient. A pointwise
//! window (1 × 1, stride 1, no padding) walks the plane as one line.
//!
//! Plain Rust on slices, inlined into each layer's code so the window's numbers are constants
//! there; the layers run it compiled for AVX2 where the CPU has it
//! ([`vectorized`](super::vectorized)); for `f32` the weight-gradient blocks of several
//! channels run explicit AVX2 code ([`weight_tap`](super::weight_tap)).

use super::conv::{Widen, Window1d, Window2d};
use super::portable::sum_eight_lanes;
use crate::scalar::Scalar;

/// Positions side by side in a register block: one AVX2 register of `f32`.
const LANES: usize = 8;

/// Output channels per block of the forward pass and of the weight gradient.
const OUTPUTS: usize = 4;

/// Input channels per block of the weight gradient (with [`OUTPUTS`]: 4 × 2 sums of eight
/// lanes, 8 AVX2 registers, next to 6 of loaded values).
const INPUTS_DW: usize = 2;

/// Input channels per block of the input gradient.
const INPUTS_DX: usize = 4;

impl Window2d {
    /// The window the blocks walk: a pointwise window's plane as one line of
    /// `height · width` positions (the same values, in the same places), any other as is.
    #[inline(always)]
    const fn lines(&self) -> Window2d {
        let (r, c) = (&self.rows, &self.cols);
        let pointwise = r.kernel == 1
            && c.kernel == 1
            && r.stride == 1
            && c.stride == 1
            && r.padding == 0
            && c.padding == 0
            && r.out_len == r.length
            && c.out_len == c.length;
        if !pointwise {
            return *self;
        }
        let n = r.length * c.length;
        Window2d {
            rows: Window1d {
                length: 1,
                out_len: 1,
                ..*r
            },
            cols: Window1d {
                length: n,
                out_len: n,
                ..*c
            },
            ..*self
        }
    }
}

/// The chunks of a line of `n` positions: `(first position, lanes written)`. Every chunk is
/// [`LANES`] wide and starts at a multiple of it, except the last of a longer line, which
/// ends at `n` (overlapping the one before), and the only one of a shorter line (`n` lanes).
#[inline(always)]
fn chunks(n: usize) -> impl Iterator<Item = (usize, usize)> {
    let last = n.saturating_sub(LANES);
    (0..n)
        .step_by(LANES)
        .map(move |j| (j.min(last), LANES.min(n)))
}

/// The lanes of the chunk at `j0` (`n` lanes) whose positions lie in `from..to`, as a mask
/// (bit `l` for lane `l`).
#[inline(always)]
fn lanes_in(j0: usize, n: usize, from: usize, to: usize) -> u32 {
    let lo = from.saturating_sub(j0).min(n);
    let hi = to.saturating_sub(j0).min(n).max(lo);
    ((1u32 << hi) - 1) & !((1u32 << lo) - 1)
}

/// Every lane of a chunk.
const ALL: u32 = (1 << LANES) - 1;

/// The lanes of the chunk at `j0` (`n` lanes) that a tap with outputs `tap.0..tap.1`
/// (reading input `tap.2 + (j − tap.0)·stride` for output `j`) covers, and the values it
/// reads there (zero in the other lanes: padding).
#[inline(always)]
fn tap_values<T: Scalar>(
    line: &[T],
    (jlo, jhi, first): (usize, usize, usize),
    stride: usize,
    j0: usize,
    n: usize,
) -> (u32, [T; LANES]) {
    let mask = lanes_in(j0, n, jlo, jhi);
    let mut v = [T::zero(); LANES];
    if mask == ALL && stride == 1 {
        // j0 ≥ jlo here: every lane is a position of the tap.
        v.copy_from_slice(&line[first + j0 - jlo..][..LANES]);
    } else if mask != 0 {
        // Lanes outside the tap read a value at the clamped position and keep 0 instead (no
        // branch per lane).
        let (lo, hi) = (
            mask.trailing_zeros() as usize,
            (32 - mask.leading_zeros()) as usize,
        );
        for (l, v) in v.iter_mut().enumerate() {
            let x = line[first + (j0 + l.clamp(lo, hi - 1) - jlo) * stride];
            *v = if mask >> l & 1 == 1 { x } else { T::zero() };
        }
    }
    (mask, v)
}

/// `acc[l] += w · v[l]` for the lanes in `mask` (all of them without a select when they are
/// all in; the others keep their sums).
#[inline(always)]
fn add_scaled<T: Scalar>(acc: &mut [T; LANES], w: T, v: &[T; LANES], mask: u32) {
    if mask == ALL {
        for (a, &v) in acc.iter_mut().zip(v) {
            *a = *a + w * v;
        }
    } else {
        for (l, (a, &v)) in acc.iter_mut().zip(v).enumerate() {
            let sum = *a + w * v;
            if mask >> l & 1 == 1 {
                *a = sum;
            }
        }
    }
}

/// The [`LANES`] values of `line` from `k` (zeros past its end).
#[inline(always)]
fn lanes_at<T: Scalar>(line: &[T], k: usize) -> [T; LANES] {
    match line.get(k..k + LANES) {
        Some(s) => core::array::from_fn(|l| s[l]),
        None => [T::zero(); LANES],
    }
}

/// The input row that tap `k` of `axis` reads for output `i`, if inside the input.
#[inline(always)]
fn input_of(axis: &Window1d, k: usize, i: usize) -> Option<usize> {
    let (lo, hi, first) = axis.taps(k);
    (lo <= i && i < hi).then(|| first + (i - lo) * axis.stride)
}

/// The output row whose tap `k` of `axis` reads input row `r`, if one does.
#[inline(always)]
fn output_of(axis: &Window1d, k: usize, r: usize) -> Option<usize> {
    let (lo, hi, first) = axis.taps(k);
    let step = r.checked_sub(first)?;
    let i = lo + step / axis.stride;
    (step % axis.stride == 0 && i < hi).then_some(i)
}

/// `y[o][i][j] = b[o] + Σ_c Σ_ky Σ_kx w[o][c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`
/// (zeros outside the input), the products added in increasing `(c, ky, kx)`, a tap on
/// padding adding `w · 0`. Blocks of 4 output channels × 8 positions of a row (the depthwise
/// layers' channels, one at a time).
#[inline(always)]
pub(crate) fn conv2d_lines<T: Scalar + Widen<U>, U: Copy>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
) {
    let d = &d.lines();
    let mut o = 0;
    while o + OUTPUTS <= d.channels_out {
        forward_block::<T, U, OUTPUTS>(d, x, w, b, y, o);
        o += OUTPUTS;
    }
    for o in o..d.channels_out {
        forward_block::<T, U, 1>(d, x, w, b, y, o);
    }
}

/// [`conv2d_lines`]' outputs of channels `o0..o0 + M`.
#[inline(always)]
fn forward_block<T: Scalar + Widen<U>, U: Copy, const M: usize>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
    o0: usize,
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w) = (cols.length, cols.out_len);
    let (hw, ohw) = (rows.length * width, rows.out_len * out_w);
    let (ci, kh, kw) = (d.channels_in, rows.kernel, cols.kernel);
    for i in 0..rows.out_len {
        for (j0, n) in chunks(out_w) {
            let mut acc = [[T::zero(); LANES]; M];
            for (a, &bias) in acc.iter_mut().zip(&b[o0..o0 + M]) {
                *a = [bias; LANES];
            }
            for c in 0..ci {
                let xc = &x[c * hw..][..hw];
                for ky in 0..kh {
                    let Some(r) = input_of(rows, ky, i) else {
                        continue;
                    };
                    let line = &xc[r * width..][..width];
                    for kx in 0..kw {
                        let (lanes, v) = tap_values(line, cols.taps(kx), cols.stride, j0, n);
                        if lanes == 0 {
                            continue;
                        }
                        for (m, a) in acc.iter_mut().enumerate() {
                            let wv = T::widen(w[(((o0 + m) * ci + c) * kh + ky) * kw + kx]);
                            add_scaled(a, wv, &v, ALL);
                        }
                    }
                }
            }
            for (m, a) in acc.iter().enumerate() {
                super::panel::copy_short(&mut y[(o0 + m) * ohw + i * out_w + j0..][..n], &a[..n]);
            }
        }
    }
}

/// The input gradient of [`conv2d_lines`] for one sample: `dx[c][r][s] = Σ_o Σ_ky Σ_kx
/// w[o][c][ky][kx] · dy[o][i][j]` over the taps that read `(r, s)`, added in increasing
/// `(o, ky, kx)` from `+0` (overwritten), in blocks of 4 input channels × 8 columns.
#[inline(always)]
pub(crate) fn input_gradient<T: Scalar>(d: &Window2d, w: &[T], dy: &[T], dx: &mut [T]) {
    if d.rows.stride != 1 || d.cols.stride != 1 {
        input_gradient_strided(d, w, dy, dx);
        return;
    }
    let lines = &d.lines();
    let ci = d.channels_in;
    let mut c = 0;
    while c + INPUTS_DX <= ci {
        input_block::<T, INPUTS_DX>(lines, w, dy, dx, c);
        c += INPUTS_DX;
    }
    for c in c..ci {
        input_block::<T, 1>(lines, w, dy, dx, c);
    }
}

/// `db[o] += Σ_ij dy[o][i][j]`: each channel's sum in one running sum from `+0`, in
/// increasing position (every 2-D convolution's bias gradient; the sums are
/// [`plane_sums`](super::plane_sums), eight channels at a time with AVX2).
#[inline(always)]
pub(crate) fn bias_gradients<T: Scalar>(d: &Window2d, dy: &[T], db: &mut [T]) {
    const CHANNELS: usize = 64;
    let ohw = d.rows.out_len * d.cols.out_len;
    if ohw == 0 {
        return;
    }
    for (db, dy) in db.chunks_mut(CHANNELS).zip(dy.chunks(CHANNELS * ohw)) {
        let mut sums = [T::zero(); CHANNELS];
        let sums = &mut sums[..db.len().min(dy.len() / ohw)];
        super::plane_sums(dy, ohw, sums);
        for (db, &s) in db.iter_mut().zip(sums.iter()) {
            *db = *db + s;
        }
    }
}

/// The bias and weight gradients of a 2-D convolution for one sample, given `dy`:
/// `db[o] += Σ_ij dy[o][i][j]`, `dw[o][c][ky][kx] += Σ_ij dy[o][i][j] · x[c][i·Sh + ky −
/// Ph][j·Sw + kx − Pw]`.
///
/// Each weight's sum runs in eight lanes over each contiguous run of its positions (a row, or
/// whole rows where the tap's columns are every column of both planes: a 1 × 1 kernel
/// without padding, the middle column of a `SAME` 3 × 3; the lanes restart at each run, the
/// runs in increasing order), then [`sum_eight_lanes`]; with a column stride, one running
/// sum. Blocks of 4 output × 2 input channels.
#[inline(always)]
pub(crate) fn bias_and_weights<T: Scalar>(
    d: &Window2d,
    x: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
) {
    bias_gradients(d, dy, db);
    let (co, ci) = (d.channels_out, d.channels_in);
    let mut o = 0;
    while o < co {
        let m = if co - o >= OUTPUTS { OUTPUTS } else { 1 };
        let mut c = 0;
        while c < ci {
            if m == OUTPUTS && ci - c >= INPUTS_DW {
                weight_block::<T, OUTPUTS, INPUTS_DW>(d, x, dy, dw, o, c);
                c += INPUTS_DW;
            } else {
                for o in o..o + m {
                    weight_block::<T, 1, 1>(d, x, dy, dw, o, c);
                }
                c += 1;
            }
        }
        o += m;
    }
}

/// The contiguous runs of positions tap `(ky, kx)` reads, in increasing order:
/// `(offset in an output plane, offset in an input plane, length, input step)`.
#[inline(always)]
pub(super) fn runs(
    d: &Window2d,
    ky: usize,
    kx: usize,
) -> impl Iterator<Item = (usize, usize, usize, usize)> {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w, stride) = (cols.length, cols.out_len, cols.stride);
    let (ilo, ihi, iy0) = rows.taps(ky);
    let (jlo, jhi, ix0) = cols.taps(kx);
    let whole = rows.stride == 1
        && stride == 1
        && cols.out_len == cols.length
        && (jlo, jhi, ix0) == (0, out_w, 0)
        && ilo < ihi;
    let (count, row_step) = (if whole { 1 } else { ihi - ilo }, rows.stride);
    (0..count).map(move |n| {
        if whole {
            (ilo * out_w, iy0 * width, (ihi - ilo) * out_w, 1)
        } else {
            let (i, r) = (ilo + n, iy0 + n * row_step);
            (i * out_w + jlo, r * width + ix0, jhi - jlo, stride)
        }
    })
}

/// [`bias_and_weights`]' weight gradients of output channels `o0..o0 + M` × input channels
/// `c0..c0 + C`: per tap, `M × C` sums of eight lanes side by side over the same runs.
#[inline(always)]
fn weight_block<T: Scalar, const M: usize, const C: usize>(
    d: &Window2d,
    x: &[T],
    dy: &[T],
    dw: &mut [T],
    o0: usize,
    c0: usize,
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (hw, ohw) = (rows.length * cols.length, rows.out_len * cols.out_len);
    let (ci, kh, kw) = (d.channels_in, rows.kernel, cols.kernel);
    for ky in 0..kh {
        for kx in 0..kw {
            let mut acc = [[[T::zero(); LANES]; C]; M];
            let taken = M > 1 && super::weight_tap(d, x, dy, (o0, c0), (ky, kx), &mut acc);
            for (at_y, at_x, len, step) in runs(d, ky, kx).filter(|_| !taken) {
                if len == 0 {
                    continue;
                }
                let dys: [&[T]; M] = core::array::from_fn(|m| &dy[(o0 + m) * ohw + at_y..][..len]);
                let xs: [&[T]; C] = core::array::from_fn(|c| &x[(c0 + c) * hw + at_x..]);
                if step != 1 {
                    // One running sum per weight (lane 0).
                    for (acc, dy) in acc.iter_mut().zip(dys) {
                        for (acc, x) in acc.iter_mut().zip(xs) {
                            let mut g = acc[0];
                            for (&u, &v) in dy.iter().zip(x.iter().step_by(step)) {
                                g = g + u * v;
                            }
                            acc[0] = g;
                        }
                    }
                    continue;
                }
                let full = len - len % LANES;
                for k in (0..full).step_by(LANES) {
                    let u: [[T; LANES]; M] = core::array::from_fn(|m| lanes_at(dys[m], k));
                    let v: [[T; LANES]; C] = core::array::from_fn(|c| lanes_at(xs[c], k));
                    for m in 0..M {
                        for c in 0..C {
                            for l in 0..LANES {
                                acc[m][c][l] = acc[m][c][l] + u[m][l] * v[c][l];
                            }
                        }
                    }
                }
                for (acc, dy) in acc.iter_mut().zip(dys) {
                    for (acc, x) in acc.iter_mut().zip(xs) {
                        for (l, (&u, &v)) in dy[full..].iter().zip(&x[full..len]).enumerate() {
                            acc[l] = acc[l] + u * v;
                        }
                    }
                }
            }
            for (m, acc) in acc.iter().enumerate() {
                for (c, acc) in acc.iter().enumerate() {
                    let at = (((o0 + m) * ci + c0 + c) * kh + ky) * kw + kx;
                    dw[at] = dw[at] + sum_eight_lanes(acc);
                }
            }
        }
    }
}

/// [`input_gradient`] of channels `c0..c0 + C`, 8 columns of a row at a
/// time, each summed over `(o, ky, kx)` in registers.
#[inline(always)]
fn input_block<T: Scalar, const C: usize>(
    d: &Window2d,
    w: &[T],
    dy: &[T],
    dx: &mut [T],
    c0: usize,
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w) = (cols.length, cols.out_len);
    let (hw, ohw) = (rows.length * width, rows.out_len * out_w);
    let (co, ci, kh, kw) = (d.channels_out, d.channels_in, rows.kernel, cols.kernel);
    for r in 0..rows.length {
        for (s0, n) in chunks(width) {
            let mut acc = [[T::zero(); LANES]; C];
            for o in 0..co {
                let dyo = &dy[o * ohw..][..ohw];
                for ky in 0..kh {
                    let Some(i) = output_of(rows, ky, r) else {
                        continue;
                    };
                    let line = &dyo[i * out_w..][..out_w];
                    for kx in 0..kw {
                        let (lanes, v) = gradient_values(line, cols, kx, s0, n);
                        if lanes == 0 {
                            continue;
                        }
                        for (c, a) in acc.iter_mut().enumerate() {
                            let wv = w[((o * ci + c0 + c) * kh + ky) * kw + kx];
                            add_scaled(a, wv, &v, lanes);
                        }
                    }
                }
            }
            for (c, a) in acc.iter().enumerate() {
                super::panel::copy_short(&mut dx[(c0 + c) * hw + r * width + s0..][..n], &a[..n]);
            }
        }
    }
}

/// For the input columns `s0..s0 + n` (stride 1): the lanes that tap `kx` of `cols` reaches
/// from some output column (a mask), and the output-gradient values there (from `line`).
#[inline(always)]
fn gradient_values<T: Scalar>(
    line: &[T],
    cols: &Window1d,
    kx: usize,
    s0: usize,
    n: usize,
) -> (u32, [T; LANES]) {
    let (jlo, jhi, first) = cols.taps(kx);
    let mut v = [T::zero(); LANES];
    if jlo >= jhi {
        return (0, v);
    }
    // Input columns first..first + (jhi − jlo), from output columns jlo..jhi.
    let mask = lanes_in(s0, n, first, first + (jhi - jlo));
    if mask == ALL {
        v.copy_from_slice(&line[jlo + s0 - first..][..LANES]);
    } else if mask != 0 {
        let (lo, hi) = (
            mask.trailing_zeros() as usize,
            (32 - mask.leading_zeros()) as usize,
        );
        for (l, v) in v.iter_mut().enumerate() {
            *v = line[jlo + s0 + l.clamp(lo, hi - 1) - first];
        }
    }
    (mask, v)
}

/// [`input_gradient`] for a strided window, tap by tap:
/// `dx[c][row of (i, ky)] += w[o][c][ky][kx] · dy[o][i]` along each row, in increasing
/// `(o, ky, kx)` per input value.
#[inline(always)]
fn input_gradient_strided<T: Scalar>(d: &Window2d, w: &[T], dy: &[T], dx: &mut [T]) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w) = (cols.length, cols.out_len);
    let (hw, ohw) = (rows.length * width, rows.out_len * out_w);
    let (ci, kh, kw) = (d.channels_in, rows.kernel, cols.kernel);
    dx.fill(T::zero());
    for o in 0..d.channels_out {
        let dyo = &dy[o * ohw..][..ohw];
        for c in 0..ci {
            for ky in 0..kh {
                let (ilo, ihi, iy0) = rows.taps(ky);
                for kx in 0..kw {
                    let wv = w[((o * ci + c) * kh + ky) * kw + kx];
                    let (jlo, jhi, ix0) = cols.taps(kx);
                    for (n, i) in (ilo..ihi).enumerate() {
                        let row = (iy0 + n * rows.stride) * width;
                        let dxrow = &mut dx[c * hw + row..][..width];
                        let dyrow = &dyo[i * out_w..][jlo..jhi];
                        if cols.stride == 1 {
                            for (xv, &u) in dxrow[ix0..].iter_mut().zip(dyrow) {
                                *xv = *xv + wv * u;
                            }
                            continue;
                        }
                        for (xv, &u) in dxrow[ix0..].iter_mut().step_by(cols.stride).zip(dyrow) {
                            *xv = *xv + wv * u;
                        }
                    }
                }
            }
        }
    }
}
