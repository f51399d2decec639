//! Sliding-window kernels on one sample (channels × steps, channel after channel): the 1-D
//! convolution's forward and backward passes and max/average pooling. Plain loops in a fixed
//! order (so a sample gives the same bits alone or in a batch); the innermost loop runs over
//! output positions, contiguous in memory for stride 1, so the compiler vectorizes it.

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
