//! Sliding-window kernels on one sample, channel after channel: the convolution's forward and
//! backward passes and max/average pooling, in 1-D on channels × steps ([`Window1d`]) and in
//! 2-D on channels × rows × columns, row by row ([`Window2d`]: a square window with the same
//! stride and padding on both axes, each axis's taps found as a 1-D window's). Plain loops in
//! a fixed order (so a sample gives the same bits alone or in a batch); the innermost loop
//! runs over output positions — steps, or the columns of an output row — contiguous in memory
//! for stride 1, so the compiler vectorizes it. Only the 1-D convolution is register-blocked
//! (4 output channels × 16 steps).
//!
//! The backward passes add the weight and bias gradients into `dw` and `db` (a layer that
//! overwrites its gradients, [`Grads::Overwrite`](crate::nn::Grads), zeroes them first) and
//! overwrite the input gradient `dx`.

use crate::scalar::Scalar;

/// The sizes of a 1-D window operation: `channels_in × length` in, `channels_out × out_len`
/// out, a window of `kernel` steps moved by `stride` over the input padded with `padding`
/// zeros on each side (`out_len = (length + 2·padding − kernel) / stride + 1`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window1d {
    pub channels_in: usize,
    pub channels_out: usize,
    pub length: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_len: usize,
}

impl Window1d {
    /// The output positions `t` for which tap `k` reads inside the input
    /// (`0 ≤ t·stride + k − padding < length`), and the input step that `t = lo` reads.
    #[inline]
    fn taps(&self, k: usize) -> (usize, usize, usize) {
        let s = self.stride;
        // First t with t·s + k ≥ padding.
        let lo = if k >= self.padding {
            0
        } else {
            (self.padding - k).div_ceil(s)
        };
        // Last t (exclusive) with t·s + k − padding ≤ length − 1.
        let hi = if self.length + self.padding > k {
            ((self.length + self.padding - 1 - k) / s + 1).min(self.out_len)
        } else {
            0
        };
        if lo >= hi {
            return (0, 0, 0);
        }
        (lo, hi, lo * s + k - self.padding)
    }
}

/// Output channels per register block of [`conv1d`].
const OB: usize = 4;
/// Output steps per register block of [`conv1d`].
const TB: usize = 16;

/// `y[o][t] = b[o] + Σ_c Σ_k w[o][c][k] · x[c][t·S + k − P]` (zeros outside the input).
/// `x`: `channels_in × length`, `w`: `channels_out × channels_in × kernel`, `b`:
/// `channels_out`, `y`: `channels_out × out_len`.
///
/// Every output is `b[o]` plus the products added in increasing `(c, k)`, skipping taps that
/// fall on padding — whichever path computes it. For stride 1, the steps whose window lies
/// inside the input are computed in register blocks of 4 output channels × 16 steps (each
/// input value loaded once per block and used for 4 channels); the rest tap by tap.
pub(crate) fn conv1d<T: Scalar>(d: &Window1d, x: &[T], w: &[T], b: &[T], y: &mut [T]) {
    let m = d.out_len;
    // Steps whose whole window is inside the input (stride 1): t ≥ P and t + K − 1 − P < L.
    let (inner_lo, inner_hi) = if d.stride == 1 && d.length + d.padding >= d.kernel {
        let hi = (d.length + d.padding + 1 - d.kernel).min(m);
        (d.padding.min(hi), hi)
    } else {
        (0, 0)
    };
    let blocks = (inner_hi - inner_lo) / TB;
    let blocked_hi = inner_lo + blocks * TB;
    let full_o = if blocks > 0 {
        d.channels_out / OB * OB
    } else {
        0
    };
    for o0 in (0..full_o).step_by(OB) {
        for t0 in (inner_lo..blocked_hi).step_by(TB) {
            block(d, x, w, b, y, o0, t0);
        }
        for o in o0..o0 + OB {
            taps(d, x, w, b, y, o, 0..inner_lo);
            taps(d, x, w, b, y, o, blocked_hi..m);
        }
    }
    for o in full_o..d.channels_out {
        taps(d, x, w, b, y, o, 0..m);
    }
}

/// Outputs `t0..t0 + 16` of channels `o0..o0 + 4` (stride 1, every tap inside the input).
#[inline(always)]
fn block<T: Scalar>(d: &Window1d, x: &[T], w: &[T], b: &[T], y: &mut [T], o0: usize, t0: usize) {
    let (l, k_len, c_in, m) = (d.length, d.kernel, d.channels_in, d.out_len);
    let mut acc = [[T::zero(); TB]; OB];
    for (ob, row) in acc.iter_mut().enumerate() {
        *row = [b[o0 + ob]; TB];
    }
    for c in 0..c_in {
        let xc = &x[c * l..(c + 1) * l];
        for k in 0..k_len {
            let start = t0 + k - d.padding;
            let xs = &xc[start..start + TB];
            for (ob, row) in acc.iter_mut().enumerate() {
                let wv = w[((o0 + ob) * c_in + c) * k_len + k];
                for (a, &v) in row.iter_mut().zip(xs) {
                    *a = *a + wv * v;
                }
            }
        }
    }
    for (ob, row) in acc.iter().enumerate() {
        y[(o0 + ob) * m + t0..][..TB].copy_from_slice(row);
    }
}

/// Outputs `from..to` of channel `o`, tap by tap (any stride and padding).
fn taps<T: Scalar>(
    d: &Window1d,
    x: &[T],
    w: &[T],
    b: &[T],
    y: &mut [T],
    o: usize,
    ts: core::ops::Range<usize>,
) {
    let (from, to) = (ts.start, ts.end);
    if from >= to {
        return;
    }
    let (m, l, k_len) = (d.out_len, d.length, d.kernel);
    let yo = &mut y[o * m..(o + 1) * m];
    yo[from..to].fill(b[o]);
    for c in 0..d.channels_in {
        let xc = &x[c * l..(c + 1) * l];
        let wc = &w[(o * d.channels_in + c) * k_len..][..k_len];
        for (k, &wv) in wc.iter().enumerate() {
            let (lo, hi, start) = d.taps(k);
            let (lo2, hi2) = (lo.max(from), hi.min(to));
            if lo2 >= hi2 {
                continue;
            }
            let start = start + (lo2 - lo) * d.stride;
            for (yt, &xv) in yo[lo2..hi2]
                .iter_mut()
                .zip(xc[start..].iter().step_by(d.stride))
            {
                *yt = *yt + wv * xv;
            }
        }
    }
}

/// The gradients of [`conv1d`] for one sample, given `dy = ∂L/∂y`:
/// `dw[o][c][k] += Σ_t dy[o][t] · x[c][t·S + k − P]`, `db[o] += Σ_t dy[o][t]`, and (when
/// asked) `dx[c][j] = Σ_o Σ_k w[o][c][k] · dy[o][t]` over the `(t, k)` with `t·S + k − P = j`.
pub(crate) fn conv1d_backward<T: Scalar>(
    d: &Window1d,
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    dx: Option<&mut [T]>,
) {
    let (m, l, k_len) = (d.out_len, d.length, d.kernel);
    for (o, dyo) in dy.chunks_exact(m).enumerate().take(d.channels_out) {
        db[o] = db[o] + dyo.iter().fold(T::zero(), |a, &v| a + v);
        for c in 0..d.channels_in {
            let xc = &x[c * l..(c + 1) * l];
            let dwc = &mut dw[(o * d.channels_in + c) * k_len..][..k_len];
            for (k, g) in dwc.iter_mut().enumerate() {
                let (lo, hi, start) = d.taps(k);
                let dot = if d.stride == 1 {
                    // Sixteen partial sums, combined pairwise (vectorized).
                    super::portable::dot(&dyo[lo..hi], &xc[start..start + (hi - lo)])
                } else {
                    dyo[lo..hi]
                        .iter()
                        .zip(xc[start..].iter().step_by(d.stride))
                        .fold(T::zero(), |a, (&u, &v)| a + u * v)
                };
                *g = *g + dot;
            }
        }
    }
    if let Some(dx) = dx {
        dx.fill(T::zero());
        for (o, dyo) in dy.chunks_exact(m).enumerate().take(d.channels_out) {
            for c in 0..d.channels_in {
                let dxc = &mut dx[c * l..(c + 1) * l];
                let wc = &w[(o * d.channels_in + c) * k_len..][..k_len];
                for (k, &wv) in wc.iter().enumerate() {
                    let (lo, hi, start) = d.taps(k);
                    for (xt, &g) in dxc[start..].iter_mut().step_by(d.stride).zip(&dyo[lo..hi]) {
                        *xt = *xt + wv * g;
                    }
                }
            }
        }
    }
}

/// Where the largest value of window `t` of channel `xc` is (the first one, as PyTorch's
/// CPU kernel; a NaN counts as the largest): an index into `xc`. Pooling has no padding.
#[inline]
fn window_argmax<T: Scalar>(d: &Window1d, xc: &[T], t: usize) -> usize {
    let start = t * d.stride;
    let mut best = start;
    for j in start + 1..start + d.kernel {
        let (v, b) = (xc[j], xc[best]);
        #[allow(clippy::eq_op)]
        let v_nan = v != v;
        #[allow(clippy::eq_op)]
        let b_nan = b != b;
        if !b_nan && (v > b || v_nan) {
            best = j;
        }
    }
    best
}

/// `y[c][t] = max_{k < K} x[c][t·S + k]` (no padding; `channels_in = channels_out`).
pub(crate) fn max_pool1d<T: Scalar>(d: &Window1d, x: &[T], y: &mut [T]) {
    let (m, l) = (d.out_len, d.length);
    for (xc, yc) in x.chunks_exact(l).zip(y.chunks_exact_mut(m)) {
        for (t, yt) in yc.iter_mut().enumerate() {
            *yt = xc[window_argmax(d, xc, t)];
        }
    }
}

/// The gradient of [`max_pool1d`]: each `dy[c][t]` goes to the largest input of its window
/// (`dx` is overwritten; overlapping windows add up).
pub(crate) fn max_pool1d_backward<T: Scalar>(d: &Window1d, x: &[T], dy: &[T], dx: &mut [T]) {
    let (m, l) = (d.out_len, d.length);
    dx.fill(T::zero());
    for ((xc, dyc), dxc) in x
        .chunks_exact(l)
        .zip(dy.chunks_exact(m))
        .zip(dx.chunks_exact_mut(l))
    {
        for (t, &g) in dyc.iter().enumerate() {
            let j = window_argmax(d, xc, t);
            dxc[j] = dxc[j] + g;
        }
    }
}

/// `y[c][t] = (1/K) · Σ_{k < K} x[c][t·S + k]` (no padding).
pub(crate) fn avg_pool1d<T: Scalar>(d: &Window1d, x: &[T], inv_k: T, y: &mut [T]) {
    let (m, l) = (d.out_len, d.length);
    for (xc, yc) in x.chunks_exact(l).zip(y.chunks_exact_mut(m)) {
        for (t, yt) in yc.iter_mut().enumerate() {
            let start = t * d.stride;
            let sum = xc[start..start + d.kernel]
                .iter()
                .fold(T::zero(), |a, &v| a + v);
            *yt = sum * inv_k;
        }
    }
}

/// The gradient of [`avg_pool1d`]: `dx[c][t·S + k] += dy[c][t] / K`.
pub(crate) fn avg_pool1d_backward<T: Scalar>(d: &Window1d, dy: &[T], inv_k: T, dx: &mut [T]) {
    let (m, l) = (d.out_len, d.length);
    dx.fill(T::zero());
    for (dyc, dxc) in dy.chunks_exact(m).zip(dx.chunks_exact_mut(l)) {
        for (t, &g) in dyc.iter().enumerate() {
            let share = g * inv_k;
            let start = t * d.stride;
            for v in &mut dxc[start..start + d.kernel] {
                *v = *v + share;
            }
        }
    }
}

/// The sizes of a 2-D window operation on one sample: `channels_in × height × width` in,
/// `channels_out × out_h × out_w` out, a square window of `kernel` moved by `stride` over the
/// input padded with `padding` zeros on every side.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window2d {
    pub channels_in: usize,
    pub channels_out: usize,
    pub height: usize,
    pub width: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_h: usize,
    pub out_w: usize,
}

impl Window2d {
    /// The 1-D window along the rows (`length` = height) or the columns.
    fn along(&self, rows: bool) -> Window1d {
        Window1d {
            channels_in: 1,
            channels_out: 1,
            length: if rows { self.height } else { self.width },
            kernel: self.kernel,
            stride: self.stride,
            padding: self.padding,
            out_len: if rows { self.out_h } else { self.out_w },
        }
    }
}

/// `y[o][i][j] = b[o] + Σ_c Σ_ky Σ_kx w[o][c][ky][kx] · x[c][i·S + ky − P][j·S + kx − P]`
/// (zeros outside the input), the products added in increasing `(c, ky, kx)`.
pub(crate) fn conv2d<T: Scalar>(d: &Window2d, x: &[T], w: &[T], b: &[T], y: &mut [T]) {
    let (rows, cols) = (d.along(true), d.along(false));
    let (hw, ohw, k) = (d.height * d.width, d.out_h * d.out_w, d.kernel);
    for o in 0..d.channels_out {
        let yo = &mut y[o * ohw..(o + 1) * ohw];
        yo.fill(b[o]);
        for c in 0..d.channels_in {
            let xc = &x[c * hw..(c + 1) * hw];
            for ky in 0..k {
                let (ilo, ihi, iy0) = rows.taps(ky);
                for kx in 0..k {
                    let wv = w[((o * d.channels_in + c) * k + ky) * k + kx];
                    let (jlo, jhi, ix0) = cols.taps(kx);
                    for (n, i) in (ilo..ihi).enumerate() {
                        let xrow = &xc[(iy0 + n * d.stride) * d.width..][..d.width];
                        let yrow = &mut yo[i * d.out_w..(i + 1) * d.out_w];
                        for (yv, &xv) in yrow[jlo..jhi]
                            .iter_mut()
                            .zip(xrow[ix0..].iter().step_by(d.stride))
                        {
                            *yv = *yv + wv * xv;
                        }
                    }
                }
            }
        }
    }
}

/// The gradients of [`conv2d`] for one sample, given `dy`: `dw[o][c][ky][kx] += Σ_ij dy[o][i][j]
/// · x[c][i·S + ky − P][j·S + kx − P]`, `db[o] += Σ_ij dy[o][i][j]`, and (when asked) `dx` =
/// the transposed operation (overwritten).
pub(crate) fn conv2d_backward<T: Scalar>(
    d: &Window2d,
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    mut dx: Option<&mut [T]>,
) {
    let (rows, cols) = (d.along(true), d.along(false));
    let (hw, ohw, k) = (d.height * d.width, d.out_h * d.out_w, d.kernel);
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(T::zero());
    }
    for o in 0..d.channels_out {
        let dyo = &dy[o * ohw..(o + 1) * ohw];
        db[o] = db[o] + dyo.iter().fold(T::zero(), |a, &v| a + v);
        for c in 0..d.channels_in {
            let xc = &x[c * hw..(c + 1) * hw];
            for ky in 0..k {
                let (ilo, ihi, iy0) = rows.taps(ky);
                for kx in 0..k {
                    let widx = ((o * d.channels_in + c) * k + ky) * k + kx;
                    let (jlo, jhi, ix0) = cols.taps(kx);
                    let mut g = T::zero();
                    for (n, i) in (ilo..ihi).enumerate() {
                        let row = (iy0 + n * d.stride) * d.width;
                        let xrow = &xc[row..][..d.width];
                        let dyrow = &dyo[i * d.out_w..(i + 1) * d.out_w];
                        for (&u, &v) in dyrow[jlo..jhi]
                            .iter()
                            .zip(xrow[ix0..].iter().step_by(d.stride))
                        {
                            g = g + u * v;
                        }
                        if let Some(dx) = dx.as_deref_mut() {
                            let wv = w[widx];
                            let dxrow = &mut dx[c * hw + row..][..d.width];
                            for (xv, &u) in dxrow[ix0..]
                                .iter_mut()
                                .step_by(d.stride)
                                .zip(&dyrow[jlo..jhi])
                            {
                                *xv = *xv + wv * u;
                            }
                        }
                    }
                    dw[widx] = dw[widx] + g;
                }
            }
        }
    }
}

/// Where the largest value of window `(i, j)` of channel `xc` is (the first in row-major
/// order; a NaN counts as the largest): an index into `xc`. No padding.
#[inline]
fn window2_argmax<T: Scalar>(d: &Window2d, xc: &[T], i: usize, j: usize) -> usize {
    let (y0, x0) = (i * d.stride, j * d.stride);
    let mut best = y0 * d.width + x0;
    for ky in 0..d.kernel {
        for kx in 0..d.kernel {
            let at = (y0 + ky) * d.width + x0 + kx;
            let (v, b) = (xc[at], xc[best]);
            #[allow(clippy::eq_op)]
            let (v_nan, b_nan) = (v != v, b != b);
            if !b_nan && (v > b || v_nan) {
                best = at;
            }
        }
    }
    best
}

/// `y[c][i][j] = max over the K × K window at (i·S, j·S)` (no padding).
pub(crate) fn max_pool2d<T: Scalar>(d: &Window2d, x: &[T], y: &mut [T]) {
    let (hw, ohw) = (d.height * d.width, d.out_h * d.out_w);
    for (xc, yc) in x.chunks_exact(hw).zip(y.chunks_exact_mut(ohw)) {
        for i in 0..d.out_h {
            for j in 0..d.out_w {
                yc[i * d.out_w + j] = xc[window2_argmax(d, xc, i, j)];
            }
        }
    }
}

/// The gradient of [`max_pool2d`]: each `dy` goes to the largest input of its window.
pub(crate) fn max_pool2d_backward<T: Scalar>(d: &Window2d, x: &[T], dy: &[T], dx: &mut [T]) {
    let (hw, ohw) = (d.height * d.width, d.out_h * d.out_w);
    dx.fill(T::zero());
    for ((xc, dyc), dxc) in x
        .chunks_exact(hw)
        .zip(dy.chunks_exact(ohw))
        .zip(dx.chunks_exact_mut(hw))
    {
        for i in 0..d.out_h {
            for j in 0..d.out_w {
                let at = window2_argmax(d, xc, i, j);
                dxc[at] = dxc[at] + dyc[i * d.out_w + j];
            }
        }
    }
}

/// `y[c][i][j] = mean over the K × K window at (i·S, j·S)` (no padding), summed row by row.
pub(crate) fn avg_pool2d<T: Scalar>(d: &Window2d, x: &[T], inv: T, y: &mut [T]) {
    let (hw, ohw) = (d.height * d.width, d.out_h * d.out_w);
    for (xc, yc) in x.chunks_exact(hw).zip(y.chunks_exact_mut(ohw)) {
        for i in 0..d.out_h {
            for j in 0..d.out_w {
                let mut sum = T::zero();
                for ky in 0..d.kernel {
                    let row = (i * d.stride + ky) * d.width + j * d.stride;
                    for &v in &xc[row..row + d.kernel] {
                        sum = sum + v;
                    }
                }
                yc[i * d.out_w + j] = sum * inv;
            }
        }
    }
}

/// The gradient of [`avg_pool2d`]: `dy / K²` to every input of the window.
pub(crate) fn avg_pool2d_backward<T: Scalar>(d: &Window2d, dy: &[T], inv: T, dx: &mut [T]) {
    let (hw, ohw) = (d.height * d.width, d.out_h * d.out_w);
    dx.fill(T::zero());
    for (dyc, dxc) in dy.chunks_exact(ohw).zip(dx.chunks_exact_mut(hw)) {
        for i in 0..d.out_h {
            for j in 0..d.out_w {
                let share = dyc[i * d.out_w + j] * inv;
                for ky in 0..d.kernel {
                    let row = (i * d.stride + ky) * d.width + j * d.stride;
                    for v in &mut dxc[row..row + d.kernel] {
                        *v = *v + share;
                    }
                }
            }
        }
    }
}
