//! Sliding windows on one sample, channels × rows × columns ([`Window2d`]: a kernel, stride
//! and padding per axis, `SAME` included, each axis a [`Window1d`]; a layer on signals is the
//! one-row case): the window's numbers, the direct loops of the convolution (the references
//! the tests hold the fast kernels to), the depthwise convolution's entry points (the
//! one-channel convolution of [`plane`](super::plane) run per channel; the full convolution
//! is [`panel`](super::panel)'s), and max/average pooling. Plain loops in a fixed order (so a
//! sample gives the same bits alone or in a batch); the innermost loop runs over output
//! positions — the columns of an output row — contiguous in memory for stride 1, so the
//! compiler vectorizes it.
//!
//! The backward passes add the weight and bias gradients into `dw` and `db` (a layer that
//! overwrites its gradients, [`Grads::Overwrite`](crate::nn::Grads), zeroes them first) and
//! overwrite the input gradient `dx`.

use crate::scalar::Scalar;

/// One axis of a window: `length` positions in, `out_len` out, a window of `kernel` taps
/// moved by `stride` over the positions padded with `padding` zeros before the first (explicit
/// padding: `out_len = (length + 2·padding − kernel) / stride + 1`; `SAME`: TensorFlow's).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window1d {
    pub length: usize,
    pub kernel: usize,
    pub stride: usize,
    pub padding: usize,
    pub out_len: usize,
}

impl Window1d {
    /// The positions inside `0..length` of window `o` (its start `o·stride − padding`).
    #[inline]
    pub(crate) fn inside(&self, o: usize) -> core::ops::Range<usize> {
        let start = o * self.stride;
        let lo = start.saturating_sub(self.padding).min(self.length);
        let hi = (start + self.kernel)
            .saturating_sub(self.padding)
            .min(self.length);
        lo..hi.max(lo)
    }

    /// One axis of a 2-D window (one channel): `length` positions, `kernel` taps moved by
    /// `stride`, `pad` zeros on each side (or `SAME`'s), `out_len` outputs.
    const fn axis(
        same: bool,
        length: usize,
        kernel: usize,
        stride: usize,
        pad: usize,
        out_len: usize,
    ) -> Self {
        Window1d {
            length,
            kernel,
            stride,
            padding: pad_before(same, pad, length, kernel, stride, out_len),
            out_len,
        }
    }

    /// The output positions `t` for which tap `k` reads inside the input
    /// (`0 ≤ t·stride + k − padding < length`), and the input step that `t = lo` reads.
    #[inline]
    pub(super) fn taps(&self, k: usize) -> (usize, usize, usize) {
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

/// A 2-D window as numbers, rows then columns: kernel, stride, explicit zeros on each side,
/// or TensorFlow's `SAME` (`shape::window` makes one from the window's types).
#[derive(Clone, Copy, Debug)]
pub(crate) struct WindowSpec {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub pad: [usize; 2],
    pub same: bool,
}

/// The zeros before the first position of an axis of `length` positions from which a window
/// of `kernel` taps and `stride` gives `out` positions: `pad` if explicit, for `SAME` half of
/// `max(0, (out − 1)·stride + kernel − length)`, rounded down.
pub(crate) const fn pad_before(
    same: bool,
    pad: usize,
    length: usize,
    kernel: usize,
    stride: usize,
    out: usize,
) -> usize {
    if !same {
        return pad;
    }
    let needed = out.saturating_sub(1) * stride + kernel;
    needed.saturating_sub(length) / 2
}

/// The sizes of a 2-D window operation on one sample: `channels_in × height × width` in,
/// `channels_out × out_h × out_w` out; along each axis a 1-D window (one channel) with its own
/// kernel, stride and zeros before the first position (`SAME` pads the rest after the last).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Window2d {
    pub channels_in: usize,
    pub channels_out: usize,
    /// The window along the rows: `length` = height, `out_len` = output rows.
    pub rows: Window1d,
    /// The window along the columns.
    pub cols: Window1d,
}

impl Window2d {
    /// The window `spec` from `channels_in × h × w` to `channels_out × out_h × out_w`.
    pub(crate) const fn of(
        spec: WindowSpec,
        channels_in: usize,
        channels_out: usize,
        [h, w]: [usize; 2],
        [out_h, out_w]: [usize; 2],
    ) -> Self {
        let WindowSpec {
            kernel: [kh, kw],
            stride: [sh, sw],
            pad: [ph, pw],
            same,
        } = spec;
        Window2d {
            channels_in,
            channels_out,
            rows: Window1d::axis(same, h, kh, sh, ph, out_h),
            cols: Window1d::axis(same, w, kw, sw, pw, out_w),
        }
    }

    /// The same window on one channel of it (a depthwise convolution's).
    pub(crate) const fn one_channel(&self) -> Self {
        Window2d {
            channels_in: 1,
            channels_out: 1,
            ..*self
        }
    }
}

/// A weight of type `U` as a number of type `T`: itself, or an int8 weight as a wrapping
/// int32 (the int8 layers run the 2-D kernels on int32 accumulators).
pub(crate) trait Widen<U> {
    /// `u` as `Self`.
    fn widen(u: U) -> Self;
}

impl<T: Scalar> Widen<T> for T {
    #[inline(always)]
    fn widen(u: T) -> T {
        u
    }
}

impl Widen<i8> for core::num::Wrapping<i32> {
    #[inline(always)]
    fn widen(u: i8) -> Self {
        core::num::Wrapping(i32::from(u))
    }
}

// The direct loops of the 2-D convolution, the references `kernels::tests` compares the
// register blocks of `plane` and the panels of `panel` with, bit for bit.

/// The part of the plane a tap `(ky, kx)` of a stride-1 window reaches as one contiguous run
/// of whole rows (in `y`, from row `ilo`, and in `x`, from row `iy0`; `n` rows): when the
/// tap's columns are every column of both (a 1 × 1 kernel without padding; the middle column
/// of a `SAME` 3 × 3). The loops then run over `n · width` values at once, in the same order
/// per element.
#[cfg(test)]
#[inline(always)]
fn whole_rows(
    d: &Window2d,
    (ilo, ihi, iy0): (usize, usize, usize),
    jx: (usize, usize, usize),
) -> Option<(usize, usize, usize)> {
    let (rows, cols) = (&d.rows, &d.cols);
    let full = (0, cols.out_len, 0);
    (rows.stride == 1 && cols.stride == 1 && cols.out_len == cols.length && jx == full && ilo < ihi)
        .then_some((ilo, iy0, ihi - ilo))
}

/// `acc[m mod 8] += u[m] · v[m]` for every `m` of `u` (stride 1): a dot product in eight lanes
/// (the weight gradients' sums, which a single running sum would chain one add after
/// another); with a stride, `acc[0] += Σ u[m] · v[m·step]` in one running sum. The lanes are
/// those of `portable::matvec_dot`, not its loop: with that loop's `chunks(8)` the W6
/// ResNet-8 step measured 629 ms here, against 387–496 ms with `chunks_exact`.
#[cfg(test)]
#[inline(always)]
fn dot_lanes<T: Scalar>(acc: &mut [T; 8], u: &[T], v: &[T], step: usize) {
    if step == 1 {
        let v = &v[..u.len().min(v.len())];
        for (cu, cv) in u.chunks_exact(8).zip(v.chunks_exact(8)) {
            for l in 0..8 {
                acc[l] = acc[l] + cu[l] * cv[l];
            }
        }
        let done = u.len() - u.len() % 8;
        for (l, (&a, &b)) in u[done..].iter().zip(&v[done.min(v.len())..]).enumerate() {
            acc[l] = acc[l] + a * b;
        }
    } else {
        // Strided: one running sum (in lane 0), as the gathered values would not vectorize.
        let mut g = acc[0];
        for (&a, &b) in u.iter().zip(v.iter().step_by(step)) {
            g = g + a * b;
        }
        acc[0] = g;
    }
}

/// `y[o][i][j] = b[o] + Σ_c Σ_ky Σ_kx w[o][c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`
/// (zeros outside the input), the products added in increasing `(c, ky, kx)`. Inlined into
/// each layer's code, so the window's numbers are constants there (W6: 2–3.5× faster).
#[cfg(test)]
#[inline(always)]
pub(crate) fn conv2d_direct<T: Scalar + Widen<U>, U: Copy>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w) = (cols.length, cols.out_len);
    let (hw, ohw) = (rows.length * width, rows.out_len * out_w);
    let (kh, kw) = (rows.kernel, cols.kernel);
    for o in 0..d.channels_out {
        let yo = &mut y[o * ohw..(o + 1) * ohw];
        yo.fill(b[o]);
        for c in 0..d.channels_in {
            let xc = &x[c * hw..(c + 1) * hw];
            for ky in 0..kh {
                let (ilo, ihi, iy0) = rows.taps(ky);
                for kx in 0..kw {
                    let wv = T::widen(w[((o * d.channels_in + c) * kh + ky) * kw + kx]);
                    let (jlo, jhi, ix0) = cols.taps(kx);
                    if let Some((i0, y0, n)) = whole_rows(d, (ilo, ihi, iy0), (jlo, jhi, ix0)) {
                        let ys = &mut yo[i0 * out_w..][..n * out_w];
                        for (yv, &xv) in ys.iter_mut().zip(&xc[y0 * width..][..n * width]) {
                            *yv = *yv + wv * xv;
                        }
                        continue;
                    }
                    for (n, i) in (ilo..ihi).enumerate() {
                        let xrow = &xc[(iy0 + n * rows.stride) * width..][..width];
                        let yrow = &mut yo[i * out_w..(i + 1) * out_w];
                        if cols.stride == 1 {
                            // Plain slices: the loop vectorizes (the same operations).
                            for (yv, &xv) in yrow[jlo..jhi].iter_mut().zip(&xrow[ix0..]) {
                                *yv = *yv + wv * xv;
                            }
                            continue;
                        }
                        for (yv, &xv) in yrow[jlo..jhi]
                            .iter_mut()
                            .zip(xrow[ix0..].iter().step_by(cols.stride))
                        {
                            *yv = *yv + wv * xv;
                        }
                    }
                }
            }
        }
    }
}

/// The gradients of [`conv2d_direct`] for one sample, given `dy`: `dw[o][c][ky][kx] += Σ_ij dy[o][i][j]
/// · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`, `db[o] += Σ_ij dy[o][i][j]`, and (when asked) `dx` =
/// the transposed operation (overwritten). Each weight's sum runs in eight lanes over each
/// contiguous run of its positions (a row, or the whole rows of [`whole_rows`]; the lanes
/// restart at each run, runs in increasing order), then [`super::portable::sum_eight_lanes`].
#[cfg(test)]
#[inline(always)]
pub(crate) fn conv2d_backward_direct<T: Scalar>(
    d: &Window2d,
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    mut dx: Option<&mut [T]>,
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, out_w) = (cols.length, cols.out_len);
    let (hw, ohw) = (rows.length * width, rows.out_len * out_w);
    let (kh, kw) = (rows.kernel, cols.kernel);
    if let Some(dx) = dx.as_deref_mut() {
        dx.fill(T::zero());
    }
    for o in 0..d.channels_out {
        let dyo = &dy[o * ohw..(o + 1) * ohw];
        db[o] = db[o] + dyo.iter().fold(T::zero(), |a, &v| a + v);
        for c in 0..d.channels_in {
            let xc = &x[c * hw..(c + 1) * hw];
            for ky in 0..kh {
                let (ilo, ihi, iy0) = rows.taps(ky);
                for kx in 0..kw {
                    let widx = ((o * d.channels_in + c) * kh + ky) * kw + kx;
                    let (jlo, jhi, ix0) = cols.taps(kx);
                    let mut acc = [T::zero(); 8];
                    if let Some((i0, y0, n)) = whole_rows(d, (ilo, ihi, iy0), (jlo, jhi, ix0)) {
                        let (dys, xs) = (&dyo[i0 * out_w..][..n * out_w], &xc[y0 * width..]);
                        dot_lanes(&mut acc, dys, xs, 1);
                        if let Some(dx) = dx.as_deref_mut() {
                            let wv = w[widx];
                            let dxs = &mut dx[c * hw + y0 * width..][..n * width];
                            for (xv, &u) in dxs.iter_mut().zip(dys) {
                                *xv = *xv + wv * u;
                            }
                        }
                        dw[widx] = dw[widx] + super::portable::sum_eight_lanes(&acc);
                        continue;
                    }
                    for (n, i) in (ilo..ihi).enumerate() {
                        let row = (iy0 + n * rows.stride) * width;
                        let xrow = &xc[row..][..width];
                        let dyrow = &dyo[i * out_w..(i + 1) * out_w];
                        dot_lanes(&mut acc, &dyrow[jlo..jhi], &xrow[ix0..], cols.stride);
                        if let Some(dx) = dx.as_deref_mut() {
                            let wv = w[widx];
                            let dxrow = &mut dx[c * hw + row..][..width];
                            if cols.stride == 1 {
                                for (xv, &u) in dxrow[ix0..].iter_mut().zip(&dyrow[jlo..jhi]) {
                                    *xv = *xv + wv * u;
                                }
                                continue;
                            }
                            for (xv, &u) in dxrow[ix0..]
                                .iter_mut()
                                .step_by(cols.stride)
                                .zip(&dyrow[jlo..jhi])
                            {
                                *xv = *xv + wv * u;
                            }
                        }
                    }
                    dw[widx] = dw[widx] + super::portable::sum_eight_lanes(&acc);
                }
            }
        }
    }
}

/// A depthwise convolution (one filter per channel, `channels_in = channels_out`):
/// `y[c][i][j] = b[c] + Σ_ky Σ_kx w[c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`,
/// each channel as a one-channel [`conv2d_lines`](super::plane::conv2d_lines).
#[inline(always)]
pub(crate) fn depthwise2d<T: Scalar + Widen<U>, U: Copy>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
) {
    let one = d.one_channel();
    let (hw, ohw, kk) = d.sizes();
    for c in 0..d.channels_out {
        super::plane::conv2d_lines(
            &one,
            &x[c * hw..][..hw],
            &w[c * kk..][..kk],
            &b[c..=c],
            &mut y[c * ohw..][..ohw],
        );
    }
}

/// The gradients of [`depthwise2d`] for samples `x` (as many as `dy` holds), each sample's
/// terms added after the previous one's: the bias gradients
/// ([`bias_gradients`](super::plane::bias_gradients)); the weight gradients of a stride-1
/// window summed over the padded grid
/// ([`depthwise_weights_on_grid`](super::panel::depthwise_weights_on_grid): the full
/// convolution's sums, one input channel per output channel), a strided one's in eight-lane
/// runs channel by channel ([`bias_and_weights`](super::plane::bias_and_weights)); and (when
/// asked) the input gradient, channel by channel
/// ([`input_gradient`](super::plane::input_gradient), overwritten).
#[inline(always)]
pub(crate) fn depthwise2d_backward<T: Scalar>(
    d: &Window2d,
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    dx: Option<&mut [T]>,
) {
    let one = d.one_channel();
    let (hw, ohw, kk) = d.sizes();
    if super::panel::depthwise_weights_on_grid(d, x, dy, dw) {
        for (_, dy) in d.samples(x, dy) {
            super::plane::bias_gradients(d, dy, db);
        }
    } else {
        for (x, dy) in d.samples(x, dy) {
            for c in 0..d.channels_out {
                super::plane::bias_and_weights(
                    &one,
                    &x[c * hw..][..hw],
                    &dy[c * ohw..][..ohw],
                    &mut dw[c * kk..][..kk],
                    &mut db[c..=c],
                );
            }
        }
    }
    if let Some(dx) = dx {
        let n_in = d.sample_sizes().0;
        for ((_, dy), dx) in d.samples(x, dy).zip(dx.chunks_exact_mut(n_in)) {
            for c in 0..d.channels_out {
                super::plane::input_gradient(
                    &one,
                    &w[c * kk..][..kk],
                    &dy[c * ohw..][..ohw],
                    &mut dx[c * hw..][..hw],
                );
            }
        }
    }
}

impl Window2d {
    /// The samples of a batch, `(x, dy)` one sample each: as many as `dy` holds.
    pub(crate) fn samples<'a, T>(
        &self,
        x: &'a [T],
        dy: &'a [T],
    ) -> impl Iterator<Item = (&'a [T], &'a [T])> + Clone {
        let (n_in, n_out) = self.sample_sizes();
        let samples = dy.len().checked_div(n_out).unwrap_or(0);
        (0..samples).map(move |s| (&x[s * n_in..][..n_in], &dy[s * n_out..][..n_out]))
    }

    /// Values of one sample in (channels × plane) and out.
    pub(crate) fn sample_sizes(&self) -> (usize, usize) {
        let (hw, ohw, _) = self.sizes();
        (self.channels_in * hw, self.channels_out * ohw)
    }

    /// Positions per input channel, per output channel, and taps per filter.
    fn sizes(&self) -> (usize, usize, usize) {
        (
            self.rows.length * self.cols.length,
            self.rows.out_len * self.cols.out_len,
            self.rows.kernel * self.cols.kernel,
        )
    }

    /// The input positions of pooling window `(i, j)`: `(row, column)` ranges, the
    /// padding's positions left out (TFLite's pools count the image's positions only).
    #[inline]
    pub(crate) fn pool_window(
        &self,
        i: usize,
        j: usize,
    ) -> (core::ops::Range<usize>, core::ops::Range<usize>) {
        (self.rows.inside(i), self.cols.inside(j))
    }
}

/// Where the largest value of window `(i, j)` of channel `xc` is (the first in row-major
/// order; a NaN counts as the largest): an index into `xc`. No padding.
#[inline]
fn window2_argmax<T: Scalar>(d: &Window2d, xc: &[T], i: usize, j: usize) -> usize {
    let width = d.cols.length;
    let (ys, xs) = d.pool_window(i, j);
    let mut best = ys.start * width + xs.start;
    for y in ys {
        for x in xs.clone() {
            let at = y * width + x;
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

/// `y[c][i][j] = max over the Kh × Kw window at (i·Sh, j·Sw)` (no padding).
pub(crate) fn max_pool2d<T: Scalar>(d: &Window2d, x: &[T], y: &mut [T]) {
    let (hw, ohw, _) = d.sizes();
    let out_w = d.cols.out_len;
    for (xc, yc) in x.chunks_exact(hw).zip(y.chunks_exact_mut(ohw)) {
        for (n, yv) in yc.iter_mut().enumerate() {
            *yv = xc[window2_argmax(d, xc, n / out_w, n % out_w)];
        }
    }
}

/// The gradient of [`max_pool2d`]: each `dy` goes to the largest input of its window.
pub(crate) fn max_pool2d_backward<T: Scalar>(d: &Window2d, x: &[T], dy: &[T], dx: &mut [T]) {
    let (hw, ohw, _) = d.sizes();
    let out_w = d.cols.out_len;
    dx.fill(T::zero());
    for ((xc, dyc), dxc) in x
        .chunks_exact(hw)
        .zip(dy.chunks_exact(ohw))
        .zip(dx.chunks_exact_mut(hw))
    {
        for (n, &g) in dyc.iter().enumerate() {
            let at = window2_argmax(d, xc, n / out_w, n % out_w);
            dxc[at] = dxc[at] + g;
        }
    }
}

/// `y[c][i][j] = mean over the Kh × Kw window at (i·Sh − pad, j·Sw − pad)` of the positions
/// inside the image (`inv(n)` = 1/n for `n` of them), summed row by row.
pub(crate) fn avg_pool2d<T: Scalar>(d: &Window2d, x: &[T], inv: impl Fn(usize) -> T, y: &mut [T]) {
    let (hw, ohw, _) = d.sizes();
    let (width, out_w) = (d.cols.length, d.cols.out_len);
    for (xc, yc) in x.chunks_exact(hw).zip(y.chunks_exact_mut(ohw)) {
        for (n, yv) in yc.iter_mut().enumerate() {
            let (ys, xs) = d.pool_window(n / out_w, n % out_w);
            let mut sum = T::zero();
            let count = ys.len() * xs.len();
            for row in ys {
                for &v in &xc[row * width..][xs.clone()] {
                    sum = sum + v;
                }
            }
            *yv = sum * inv(count);
        }
    }
}

/// The gradient of [`avg_pool2d`]: `dy / n` to each of the window's `n` inputs inside the
/// image.
pub(crate) fn avg_pool2d_backward<T: Scalar>(
    d: &Window2d,
    dy: &[T],
    inv: impl Fn(usize) -> T,
    dx: &mut [T],
) {
    let (hw, ohw, _) = d.sizes();
    let (width, out_w) = (d.cols.length, d.cols.out_len);
    dx.fill(T::zero());
    for (dyc, dxc) in dy.chunks_exact(ohw).zip(dx.chunks_exact_mut(hw)) {
        for (n, &g) in dyc.iter().enumerate() {
            let (ys, xs) = d.pool_window(n / out_w, n % out_w);
            let share = g * inv(ys.len() * xs.len());
            for row in ys {
                for v in &mut dxc[row * width..][xs.clone()] {
                    *v = *v + share;
                }
            }
        }
    }
}
