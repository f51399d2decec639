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

/// `y[o][t] = b[o] + Σ_c Σ_k w[o][c][k] · x[c][t·S + k − P]` (zeros outside the input).
/// `x`: `channels_in × length`, `w`: `channels_out × channels_in × kernel`, `b`:
/// `channels_out`, `y`: `channels_out × out_len`.
pub(crate) fn conv1d<T: Scalar>(d: &Window1d, x: &[T], w: &[T], b: &[T], y: &mut [T]) {
    let (m, l, k_len) = (d.out_len, d.length, d.kernel);
    for (o, yo) in y.chunks_exact_mut(m).enumerate().take(d.channels_out) {
        yo.fill(b[o]);
        for c in 0..d.channels_in {
            let xc = &x[c * l..(c + 1) * l];
            let wc = &w[(o * d.channels_in + c) * k_len..][..k_len];
            for (k, &wv) in wc.iter().enumerate() {
                let (lo, hi, start) = d.taps(k);
                for (yt, &xv) in yo[lo..hi]
                    .iter_mut()
                    .zip(xc[start..].iter().step_by(d.stride))
                {
                    *yt = *yt + wv * xv;
                }
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
                let dot = dyo[lo..hi]
                    .iter()
                    .zip(xc[start..].iter().step_by(d.stride))
                    .fold(T::zero(), |a, (&u, &v)| a + u * v);
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
