//! The 2-D convolution and its input gradient as matrix products over panels: for 16 output
//! positions at a time, the values every tap of every channel reads are gathered into a
//! `K × 16` panel (`K` = channels × taps, in the order of the reduction; a tap that reads
//! padding reads 0), which then serves every output channel: `out[o][p] = init[o] +
//! Σₖ a[o][k]·panel[k][p]`, the products added in increasing `k`, a few output channels × 16
//! positions in local sums ([`product`]; for `f32` on x86-64 explicit AVX2 or AVX-512 code
//! with the same operations, so the same bits).
//!
//! * forward: `k = (c, ky, kx)`, `a[o][k] = w[o][c][ky][kx]`, `init[o] = b[o]`;
//! * input gradient: `k = (o, ky, kx)`, `a[c][k] = w[o][c][ky][kx]`, `init = +0`; the panel
//!   reads `dy[o][i][j]` at the output `(i, j)` whose tap `(ky, kx)` reads the input position
//!   (0 where none does).
//!
//! A panel holds at most [`PANEL_ROWS`] rows; a longer reduction runs in blocks of rows, the
//! sums carried from block to block in the output (the same order of operations). The
//! positions are those of the output plane in row-major order, so narrow planes fill the 16
//! lanes as wide ones do.
//!
//! A stride-1 window needs no panel: the sample is copied once with its zeros around it
//! ([`Padded`]; a 1 × 1 window without padding reads the sample itself), and the 16 values a
//! tap reads for 16 neighbouring positions of that padded grid are side by side there, so the
//! product reads them in place ([`run_padded`]: the same sums). A strided window's forward
//! pass walks the input split into phases the same way ([`conv2d_by_phases`]), and its input
//! gradient runs phase by phase over the output gradient with the taps that reach each phase
//! ([`input_gradient_by_phases`]); the panels serve what does not fit the copies (and the
//! microcontrollers, which have no room for them). Stride-1 weight gradients are summed over
//! the padded grid ([`weights_on_grid`], and per channel for depthwise windows:
//! [`depthwise_weights_on_grid`]); with a column stride they are products over transposed
//! panels ([`weights_by_panels`]). Every entry point takes a batch: the copies are made once.
//!
//! The 1-D convolution is the one-row case of these (on the microcontrollers, which have no
//! room for the copies, [`row`](super::row)'s direct loops with the same bits).

use super::Operand;
use super::conv::{Widen, Window1d, Window2d};
use super::portable::sum_sixteen_lanes;
use crate::scalar::Scalar;

/// `let name: &mut [X] = …` with `len` copies of `zero`, from the smallest of five stack
/// arrays (`max / 256`, `/ 64`, `/ 16`, `/ 4` or `max` values; on the microcontrollers, whose
/// stacks are small, the last alone) that holds them: only that one is initialized, so a
/// small layer does not clear a buffer sized for the largest (`len ≤ max`).
macro_rules! scratch {
    ($name:ident = [$zero:expr; $len:expr] within $max:expr) => {
        let (mut tiny, mut small, mut medium, mut big, mut large);
        let len: usize = $len;
        let $name = if len <= tier($max, 256) {
            tiny = [$zero; tier($max, 256)];
            &mut tiny[..len]
        } else if len <= tier($max, 64) {
            small = [$zero; tier($max, 64)];
            &mut small[..len]
        } else if len <= tier($max, 16) {
            medium = [$zero; tier($max, 16)];
            &mut medium[..len]
        } else if len <= tier($max, 4) {
            big = [$zero; tier($max, 4)];
            &mut big[..len]
        } else {
            large = [$zero; $max];
            &mut large[..len]
        };
    };
}

/// `dst.copy_from_slice(src)` for the short runs of small planes: copies of 16, 8, 4, 2 and 1
/// values (constant lengths, so no call to `memcpy`, which dominated the copies of 5-wide rows);
/// longer ones as `copy_from_slice`.
#[inline(always)]
pub(super) fn copy_short<T: Copy>(dst: &mut [T], src: &[T]) {
    let n = dst.len();
    if n > 2 * LANES {
        dst.copy_from_slice(src);
        return;
    }
    let src = &src[..n];
    let mut i = 0;
    while n - i >= LANES {
        dst[i..i + LANES].copy_from_slice(&src[i..i + LANES]);
        i += LANES;
    }
    for chunk in [8, 4, 2, 1] {
        if n - i >= chunk {
            dst[i..i + chunk].copy_from_slice(&src[i..i + chunk]);
            i += chunk;
        }
    }
}

/// `max / part` on 64-bit hosts, 0 elsewhere ([`scratch!`]'s smaller arrays).
const fn tier(max: usize, part: usize) -> usize {
    if cfg!(target_pointer_width = "64") {
        max / part
    } else {
        0
    }
}

/// Output positions per panel: two AVX2 registers, one AVX-512 register of `f32`.
pub(crate) const LANES: usize = 16;

/// Rows of one panel (on the stack: `PANEL_ROWS × 16` values): 64 KiB of `f32` on 64-bit
/// hosts, 1 KiB on the microcontrollers (a longer reduction runs in blocks, the same bits).
const PANEL_ROWS: usize = if cfg!(target_pointer_width = "64") {
    1024
} else {
    16
};

/// Output channels per block of [`product`]: 8 on x86-64 (8 AVX-512 registers of sums; with
/// AVX2 two passes of 4), 4 elsewhere.
const BLOCK: usize = if cfg!(target_arch = "x86_64") { 8 } else { 4 };

/// What the rows of a panel read: `sources` planes, the taps of `rows × cols`, for the
/// positions of the output plane (`transposed`: the input gradient's reading of the layer's
/// output gradient).
struct Gather<'a> {
    sources: usize,
    rows: &'a Window1d,
    cols: &'a Window1d,
    transposed: bool,
}

impl Gather<'_> {
    /// The source planes' height and width.
    fn source_plane(&self) -> (usize, usize) {
        if self.transposed {
            (self.rows.out_len, self.cols.out_len)
        } else {
            (self.rows.length, self.cols.length)
        }
    }

    /// The number of positions of the plane the panel's positions are in.
    fn target_plane(&self) -> usize {
        if self.transposed {
            self.rows.length * self.cols.length
        } else {
            self.rows.out_len * self.cols.out_len
        }
    }

    /// The width of the plane the panel's positions are in.
    fn target_width(&self) -> usize {
        if self.transposed {
            self.cols.length
        } else {
            self.cols.out_len
        }
    }

    /// Along `axis`, the source index tap `k` reads for target index `at`, if any: forward
    /// `at·S + k − P` inside the input; transposed the output `i` with `i·S + k − P = at`.
    #[inline(always)]
    fn source(&self, axis: &Window1d, at: usize, k: usize) -> Option<usize> {
        if self.transposed {
            let step = (at + axis.padding).checked_sub(k)?;
            let i = step / axis.stride;
            (step % axis.stride == 0 && i < axis.out_len).then_some(i)
        } else {
            let r = (at * axis.stride + k).checked_sub(axis.padding)?;
            (r < axis.length).then_some(r)
        }
    }

    /// Fills `panel[k − k0]` for the panel rows `k0..k0 + panel.len()` (`k = (s, ky, kx)`)
    /// with what tap `(ky, kx)` of source plane `s` reads for the target positions
    /// `p0..p0 + 16` (0 where it reads nothing).
    #[inline(always)]
    fn fill<T: Scalar>(&self, src: &[T], p0: usize, k0: usize, panel: &mut [[T; LANES]]) {
        let (sh, sw) = self.source_plane();
        let (plane, width) = (sh * sw, self.target_width());
        if plane == 0 {
            panel.iter_mut().for_each(|row| *row = [T::zero(); LANES]);
            return;
        }
        let (kh, kw) = (self.rows.kernel, self.cols.kernel);
        let taps = kh * kw;
        let k1 = k0 + panel.len();
        let at: [(usize, usize); LANES] =
            core::array::from_fn(|l| ((p0 + l) / width, (p0 + l) % width));
        for ky in 0..kh {
            let r: [Option<usize>; LANES] =
                core::array::from_fn(|l| self.source(self.rows, at[l].0, ky));
            for kx in 0..kw {
                let off: [Option<usize>; LANES] = core::array::from_fn(|l| {
                    Some(r[l]? * sw + self.source(self.cols, at[l].1, kx)?)
                });
                // All lanes side by side in one source row: one copy per plane.
                let run = match off[0] {
                    Some(o) if (1..LANES).all(|l| off[l] == Some(o + l)) => Some(o),
                    _ => None,
                };
                // Otherwise every lane loads (position 0 for the lanes that read nothing)
                // and keeps the value or 0: no branch per lane.
                let valid: [bool; LANES] = core::array::from_fn(|l| off[l].is_some());
                let at: [usize; LANES] = core::array::from_fn(|l| off[l].unwrap_or(0));
                let tap = ky * kw + kx;
                let first = k0.saturating_sub(tap).div_ceil(taps);
                for s in first..self.sources {
                    let k = s * taps + tap;
                    if k >= k1 {
                        break;
                    }
                    let (source, row) = (&src[s * plane..][..plane], &mut panel[k - k0]);
                    match run {
                        Some(o) => row.copy_from_slice(&source[o..o + LANES]),
                        None => {
                            for ((v, &at), &valid) in row.iter_mut().zip(&at).zip(&valid) {
                                let x = source[at];
                                *v = if valid { x } else { T::zero() };
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `acc[m][l] += a(m, k)·src[rows[k] + at + l]` for every step `k` in increasing order, where
/// `a(m, k) = w[bases[m] + columns[k]]` (`w`, `columns`, `src`, `rows`: the [`Operand`]): `M`
/// rows × 16 positions of sums, the 16 values of step `k` side by side in `src` (a panel's
/// row, or a padded plane's). For `f32` on x86-64 with AVX2 (or AVX-512) explicit vector
/// code with the same operations.
#[inline(always)]
fn product<T: Scalar + Widen<U>, U: Copy + 'static, const M: usize>(
    op: &Operand<'_, T, U>,
    bases: &[usize; M],
    at: usize,
    acc: &mut [[T; LANES]; M],
) {
    if super::panel_product(op, bases, at, acc) {
        return;
    }
    let (w, columns, src, rows) = op.parts();
    for (&row, &column) in rows.iter().zip(columns) {
        let p = &src[row as usize + at..][..LANES];
        for (acc, &base) in acc.iter_mut().zip(bases) {
            let a = T::widen(w[base + column as usize]);
            for (s, &v) in acc.iter_mut().zip(p) {
                *s = *s + a * v;
            }
        }
    }
}

/// [`product`] for two blocks of positions, `acc[0]` from `at0` and `acc[1]` from `at1`: in
/// one pass where the AVX-512 kernel runs (each weight read once for both), else one block
/// after the other (the same sums).
#[inline(always)]
fn product2<T: Scalar + Widen<U>, U: Copy + 'static, const M: usize>(
    op: &Operand<'_, T, U>,
    bases: &[usize; M],
    (at0, at1): (usize, usize),
    acc: &mut [[[T; LANES]; M]; 2],
) {
    if super::panel_product2(op, bases, (at0, at1), acc) {
        return;
    }
    let [acc0, acc1] = acc;
    product(op, bases, at0, acc0);
    product(op, bases, at1, acc1);
}

/// `dst[o][p] = init(o) + Σₖ w[base(o) + column(k)]·panel(p)[k]` for the `outputs` channels
/// and every position `p` of the target plane ([`Gather::fill`] makes the panels), sample
/// after sample (`src` and `dst` hold as many).
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
#[allow(clippy::too_many_arguments)]
fn run<T: Scalar + Widen<U>, U: Copy + 'static>(
    g: &Gather,
    src: &[T],
    w: &[U],
    outputs: usize,
    base: impl Fn(usize) -> usize,
    column: impl Fn(usize) -> usize,
    init: impl Fn(usize) -> T,
    dst: &mut [T],
) {
    let k_all = g.sources * g.rows.kernel * g.cols.kernel;
    let n = g.target_plane();
    let (n_src, n_dst) = (
        g.sources * g.source_plane().0 * g.source_plane().1,
        outputs * n,
    );
    let samples = dst.len().checked_div(n_dst).unwrap_or(0);
    let most = PANEL_ROWS.min(k_all);
    scratch!(panel = [[T::zero(); LANES]; most] within PANEL_ROWS);
    scratch!(columns = [0u32; most] within PANEL_ROWS);
    scratch!(rows = [0u32; most] within PANEL_ROWS);
    // Panel row `k` starts at `16·k` of the flattened panel.
    for (k, row) in rows.iter_mut().enumerate() {
        *row = (k * LANES) as u32;
    }
    for (s, p0) in (0..samples).flat_map(|s| (0..n).step_by(LANES).map(move |p0| (s, p0))) {
        let (src, dst) = (&src[s * n_src..][..n_src], &mut dst[s * n_dst..][..n_dst]);
        let lanes = LANES.min(n - p0);
        let mut k0 = 0;
        loop {
            let kb = PANEL_ROWS.min(k_all - k0);
            let panel = &mut panel[..kb];
            g.fill(src, p0, k0, panel);
            let columns = &mut columns[..kb];
            for (k, c) in columns.iter_mut().enumerate() {
                *c = column(k0 + k) as u32;
            }
            let op = Operand::new(w, columns, panel.as_flattened(), &rows[..kb]);
            let mut o = 0;
            while o < outputs {
                let at = ((o, n), (p0, lanes), k0);
                if outputs - o >= BLOCK {
                    block::<T, U, BLOCK>(&op, &base, &init, dst, at.0, at.1, at.2);
                    o += BLOCK;
                } else {
                    block::<T, U, 1>(&op, &base, &init, dst, at.0, at.1, at.2);
                    o += 1;
                }
            }
            k0 += kb;
            if k0 >= k_all {
                break;
            }
        }
    }
}

/// One block of [`run`]: output channels `o..o + M` (`n` positions each), positions
/// `p0..p0 + lanes`, the panel's rows from `k0` on (the sums start at `init` for the first
/// block of rows, else at what `dst` holds).
#[inline(always)]
fn block<T: Scalar + Widen<U>, U: Copy + 'static, const M: usize>(
    op: &Operand<'_, T, U>,
    base: &impl Fn(usize) -> usize,
    init: &impl Fn(usize) -> T,
    dst: &mut [T],
    (o, n): (usize, usize),
    (p0, lanes): (usize, usize),
    k0: usize,
) {
    let bases: [usize; M] = core::array::from_fn(|m| base(o + m));
    let mut acc: [[T; LANES]; M] = core::array::from_fn(|m| {
        if k0 == 0 {
            [init(o + m); LANES]
        } else {
            let mut sums = [T::zero(); LANES];
            copy_short(&mut sums[..lanes], &dst[(o + m) * n + p0..][..lanes]);
            sums
        }
    });
    product(op, &bases, 0, &mut acc);
    for (m, sums) in acc.iter().enumerate() {
        copy_short(&mut dst[(o + m) * n + p0..][..lanes], &sums[..lanes]);
    }
}

/// Largest zero-padded copy of a sample's source planes that [`run_padded`] walks (values,
/// on the stack): 160 KiB of `f32` on 64-bit hosts (ResNet-8's strided input gradients fit);
/// none on the microcontrollers (panels).
pub(super) const PADDED: usize = if cfg!(target_pointer_width = "64") {
    40 * 1024
} else {
    0
};

/// A stride-1 window's source planes copied with their zeros around them into planes `rows ×
/// cols` (the source from row `top`, column `left`): target position `(i, j)` is grid
/// position `q = i·cols + j`, and tap `(ky, kx)` of plane `s` reads `q + s·rows·cols +
/// ky·cols + kx` — or, for the input gradient, `(kh − 1 − ky)·cols + (kw − 1 − kx)` — so
/// 16 neighbouring grid positions read 16 neighbouring values, with no panel to fill (the
/// `kw − 1` grid columns past each row of targets are computed too and left out).
///
/// The input gradient of a strided window walks the output gradient dilated by the strides
/// (`dy[i][j]` at `(top + i·Sh, left + j·Sw)`, zeros between): tap `(ky, kx)` of input
/// position `(r, s)` then reads `dy[i][j]` exactly where `i·Sh + ky − Ph = r` and
/// `j·Sw + kx − Pw = s`, and a zero (adding `w · 0`) where no output has that tap — the
/// panels' operations.
struct Padded<'a> {
    planes: usize,
    rows: usize,
    cols: usize,
    top: usize,
    left: usize,
    /// The source planes' height and width.
    src: (usize, usize),
    /// The steps between neighbouring source values in the copy (the strides for a strided
    /// input gradient, else 1).
    dilation: (usize, usize),
    /// The target plane's height and width.
    out: (usize, usize),
    window: (&'a Window1d, &'a Window1d),
    transposed: bool,
}

impl<'a> Padded<'a> {
    /// The forward walk of a stride-1 window, if it fits [`PADDED`] and a panel's rows.
    fn forward(d: &'a Window2d) -> Option<Self> {
        let (r, c) = (&d.rows, &d.cols);
        Self::fits(Padded {
            planes: d.channels_in,
            rows: r.out_len + r.kernel - 1,
            cols: c.out_len + c.kernel - 1,
            top: r.padding,
            left: c.padding,
            src: (r.length, c.length),
            dilation: (1, 1),
            out: (r.out_len, c.out_len),
            window: (r, c),
            transposed: false,
        })
    }

    /// The input gradient's walk (over the output gradient, dilated by the strides), if it
    /// fits.
    fn transposed(d: &'a Window2d) -> Option<Self> {
        let (r, c) = (&d.rows, &d.cols);
        Self::fits(Padded {
            planes: d.channels_out,
            rows: r.length + r.kernel - 1,
            cols: c.length + c.kernel - 1,
            top: (r.kernel - 1).checked_sub(r.padding)?,
            left: (c.kernel - 1).checked_sub(c.padding)?,
            src: (r.out_len, c.out_len),
            dilation: (r.stride, c.stride),
            out: (r.length, c.length),
            window: (r, c),
            transposed: true,
        })
    }

    /// `p` if its copy fits [`PADDED`] (a forward walk: stride 1 only).
    fn fits(p: Padded<'a>) -> Option<Self> {
        let (r, c) = p.window;
        // The rows and columns the (dilated) source spans.
        let span = |n: usize, step: usize| n.saturating_sub(1) * step + 1;
        ((p.transposed || (r.stride == 1 && c.stride == 1))
            && p.len() <= PADDED
            && p.top + span(p.src.0, p.dilation.0) <= p.rows
            && p.left + span(p.src.1, p.dilation.1) <= p.cols)
            .then_some(p)
    }

    /// The number of steps of its reduction (planes × taps).
    fn steps(&self) -> usize {
        self.planes * self.window.0.kernel * self.window.1.kernel
    }

    /// Values of the copy: the planes, then room for the reads past the last one.
    fn len(&self) -> usize {
        self.planes * self.rows * self.cols + self.cols + LANES
    }

    /// Where tap `k = (s, ky, kx)` reads, from grid position 0.
    fn offset(&self, k: usize) -> usize {
        let (r, c) = self.window;
        let taps = r.kernel * c.kernel;
        let (s, ky, kx) = (k / taps, k % taps / c.kernel, k % c.kernel);
        let (ky, kx) = if self.transposed {
            (r.kernel - 1 - ky, c.kernel - 1 - kx)
        } else {
            (ky, kx)
        };
        (s * self.rows + ky) * self.cols + kx
    }

    /// `true` when the copy would be the source itself (a 1 × 1 window without padding: no
    /// zeros around the planes, rows as wide as the source's) and every block of 16 positions
    /// a step reads lies inside the source: the walk then reads the source in place.
    fn is_source(&self) -> bool {
        self.top == 0
            && self.left == 0
            && self.dilation == (1, 1)
            && (self.rows, self.cols) == self.src
            && self.window.0.kernel == 1
            && self.window.1.kernel == 1
            && self.rows * self.cols >= LANES
    }

    /// Copies the source planes into `buf`, whose zeros around them it leaves (a copy starts
    /// as zeros; each sample writes the same positions).
    #[inline(always)]
    fn copy<T: Scalar>(&self, src: &[T], buf: &mut [T]) {
        let (h, w) = self.src;
        let (dr, dc) = self.dilation;
        for (s, plane) in src.chunks_exact(h * w).take(self.planes).enumerate() {
            for (r, row) in plane.chunks_exact(w).enumerate() {
                let at = (s * self.rows + self.top + r * dr) * self.cols + self.left;
                if dc == 1 {
                    copy_short(&mut buf[at..at + w], row);
                } else {
                    for (j, &v) in row.iter().enumerate() {
                        buf[at + j * dc] = v;
                    }
                }
            }
        }
    }
}

/// [`run`] over a padded copy ([`Padded`]): `dst[o][p] = init(o) + Σₖ w[base(o) +
/// column(k)]·copy[offset(k) + q(p)]`, in blocks of 16 grid positions, sample after sample
/// (one copy, its zeros made once).
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
#[allow(clippy::too_many_arguments)]
fn run_padded<T: Scalar + Widen<U>, U: Copy + 'static>(
    p: &Padded,
    src: &[T],
    w: &[U],
    outputs: usize,
    base: impl Fn(usize) -> usize,
    column: impl Fn(usize) -> usize,
    init: impl Fn(usize) -> T,
    dst: &mut [T],
) {
    // In place when the copy would equal the source (no copy, no buffer to clear).
    let in_place = p.is_source();
    scratch!(buf = [T::zero(); if in_place { 0 } else { p.len() }] within PADDED);
    // Its callers walk copies of at most a panel's rows of steps.
    let k_all = p.steps().min(PANEL_ROWS);
    scratch!(columns = [0u32; k_all] within PANEL_ROWS);
    scratch!(rows = [0u32; k_all] within PANEL_ROWS);
    for (k, (column_k, row)) in columns.iter_mut().zip(rows.iter_mut()).enumerate() {
        *column_k = column(k) as u32;
        *row = p.offset(k) as u32;
    }
    let (out_h, out_w) = p.out;
    let n = out_h * out_w;
    let (n_src, n_dst) = (p.planes * p.src.0 * p.src.1, outputs * n);
    let samples = dst.len().checked_div(n_dst).unwrap_or(0);
    for s in 0..samples {
        let sample = &src[s * n_src..][..n_src];
        let values = if in_place {
            sample
        } else {
            p.copy(sample, buf);
            &*buf
        };
        let op = Operand::new(w, columns, values, rows);
        walk_copy(
            p,
            &op,
            outputs,
            &base,
            &init,
            &mut dst[s * n_dst..][..n_dst],
        );
    }
}

/// Steps of a reduction from which [`walk_copy`] computes two blocks of positions a pass
/// (W5's 30 steps measured faster one block at a time).
const PAIRED_STEPS: usize = 64;

/// One sample of [`run_padded`], from its copy (`op`'s values): the grid's blocks of 16
/// positions two at a time ([`walk_pair`]) when the reduction has at least [`PAIRED_STEPS`]
/// steps, else one at a time ([`walk_block`]).
#[inline(always)]
fn walk_copy<T: Scalar + Widen<U>, U: Copy + 'static>(
    p: &Padded,
    op: &Operand<'_, T, U>,
    outputs: usize,
    base: &impl Fn(usize) -> usize,
    init: &impl Fn(usize) -> T,
    dst: &mut [T],
) {
    let grid = p.out.0 * p.cols;
    let last = grid.saturating_sub(LANES);
    let blocks = grid.div_ceil(LANES);
    let long = op.parts().1.len() >= PAIRED_STEPS;
    let mut b = 0;
    while b < blocks {
        let q0 = (b * LANES).min(last);
        if long && b + 1 < blocks {
            let q1 = ((b + 1) * LANES).min(last);
            walk_pair(p, op, outputs, (base, init), dst, [q0, q1]);
            b += 2;
        } else {
            walk_block(p, op, outputs, (base, init), dst, q0);
            b += 1;
        }
    }
}

/// The grid's block of 16 positions from `q0` of a [`walk_copy`], the output channels
/// [`BLOCK`] at a time.
#[inline(always)]
fn walk_block<T: Scalar + Widen<U>, U: Copy + 'static>(
    p: &Padded,
    op: &Operand<'_, T, U>,
    outputs: usize,
    (base, init): (&impl Fn(usize) -> usize, &impl Fn(usize) -> T),
    dst: &mut [T],
    q0: usize,
) {
    let n = p.out.0 * p.out.1;
    let mut runs = [(0usize, 0usize, 0usize); LANES];
    let count = block_runs(p, q0, &mut runs);
    let runs = &runs[..count];
    let mut o = 0;
    while o < outputs {
        if outputs - o >= BLOCK {
            let bases: [usize; BLOCK] = core::array::from_fn(|m| base(o + m));
            let mut acc: [[T; LANES]; BLOCK] = core::array::from_fn(|m| [init(o + m); LANES]);
            product(op, &bases, q0, &mut acc);
            for (m, sums) in acc.iter().enumerate() {
                store_runs(&mut dst[(o + m) * n..][..n], runs, sums);
            }
            o += BLOCK;
        } else {
            walk_one(op, (base, init), &mut dst[o * n..][..n], o, (q0, runs));
            o += 1;
        }
    }
}

/// The grid's blocks of 16 positions from `q[0]` and `q[1]` of a [`walk_copy`] in one pass
/// ([`product2`]), the output channels [`BLOCK`] at a time.
#[inline(always)]
fn walk_pair<T: Scalar + Widen<U>, U: Copy + 'static>(
    p: &Padded,
    op: &Operand<'_, T, U>,
    outputs: usize,
    (base, init): (&impl Fn(usize) -> usize, &impl Fn(usize) -> T),
    dst: &mut [T],
    q: [usize; 2],
) {
    let n = p.out.0 * p.out.1;
    let mut all = [[(0usize, 0usize, 0usize); LANES]; 2];
    let [first, second] = &mut all;
    let count = [block_runs(p, q[0], first), block_runs(p, q[1], second)];
    let runs = [&all[0][..count[0]], &all[1][..count[1]]];
    let mut o = 0;
    while o < outputs {
        if outputs - o >= BLOCK {
            let bases: [usize; BLOCK] = core::array::from_fn(|m| base(o + m));
            // Filled in place (`array::from_fn` of these arrays copied them with `memcpy`).
            let mut acc = [[[T::zero(); LANES]; BLOCK]; 2];
            for half in &mut acc {
                for (m, sums) in half.iter_mut().enumerate() {
                    *sums = [init(o + m); LANES];
                }
            }
            product2(op, &bases, (q[0], q[1]), &mut acc);
            for (m, (sums0, sums1)) in acc[0].iter().zip(&acc[1]).enumerate() {
                let plane = &mut dst[(o + m) * n..][..n];
                store_runs(plane, runs[0], sums0);
                store_runs(plane, runs[1], sums1);
            }
            o += BLOCK;
        } else {
            for (&q0, runs) in q.iter().zip(runs) {
                walk_one(op, (base, init), &mut dst[o * n..][..n], o, (q0, runs));
            }
            o += 1;
        }
    }
}

/// Output channel `o` alone (one past the last whole [`BLOCK`]) on the grid's block from `q0`,
/// stored into its `plane` by `runs`.
#[inline(always)]
fn walk_one<T: Scalar + Widen<U>, U: Copy + 'static>(
    op: &Operand<'_, T, U>,
    (base, init): (&impl Fn(usize) -> usize, &impl Fn(usize) -> T),
    plane: &mut [T],
    o: usize,
    (q0, runs): (usize, &[(usize, usize, usize)]),
) {
    let mut acc = [[init(o); LANES]];
    product(op, &[base(o)], q0, &mut acc);
    store_runs(plane, runs, &acc[0]);
}

/// The targets of the grid's block of 16 positions from `q0` (of a [`walk_copy`]) as runs
/// `(first lane, first target, length)` written into `runs`: the lanes on each grid row that
/// fall on its first `out_w` columns (one run per row it touches); returns how many.
#[inline(always)]
fn block_runs(p: &Padded, q0: usize, runs: &mut [(usize, usize, usize); LANES]) -> usize {
    let (out_h, out_w) = p.out;
    let mut count: usize = 0;
    let (mut lane, mut i, mut j) = (0, q0 / p.cols, q0 % p.cols);
    while lane < LANES && i < out_h {
        let len = out_w.saturating_sub(j).min(LANES - lane);
        let at = i * out_w + j;
        match count.checked_sub(1).map(|c| &mut runs[c]) {
            // Continuing the last run in lanes and targets (a grid as wide as the plane):
            // one run, so a block on consecutive rows is one copy.
            Some((l, a, n)) if *l + *n == lane && *a + *n == at => *n += len,
            _ if len > 0 => {
                runs[count] = (lane, at, len);
                count += 1;
            }
            _ => {}
        }
        lane += p.cols - j;
        (i, j) = (i + 1, 0);
    }
    count
}

/// Stores the sums of a block of [`walk_copy`] into one output channel's plane: lanes
/// `lane..lane + len` at `at..at + len` for each run `(lane, at, len)`.
#[inline(always)]
fn store_runs<T: Copy>(plane: &mut [T], runs: &[(usize, usize, usize)], sums: &[T; LANES]) {
    for &(lane, at, len) in runs {
        if len == LANES {
            // A whole block on one row: a copy of constant length.
            plane[at..][..LANES].copy_from_slice(sums);
        } else {
            copy_short(&mut plane[at..][..len], &sums[lane..lane + len]);
        }
    }
}

/// `y[o][i][j] = b[o] + Σ_c Σ_ky Σ_kx w[o][c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`,
/// the products added in increasing `(c, ky, kx)`, a tap on padding adding `w · 0`, for as many
/// samples as `y` holds (one call for a batch: the copies are made once).
#[inline(always)]
pub(crate) fn conv2d<T: Scalar + Widen<U>, U: Copy + 'static>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
) {
    let g = Gather {
        sources: d.channels_in,
        rows: &d.rows,
        cols: &d.cols,
        transposed: false,
    };
    let k_all = d.channels_in * d.rows.kernel * d.cols.kernel;
    if conv2d_by_phases(d, x, w, b, y) {
        return;
    }
    // Walking the copy takes the whole reduction's offsets at once: at most a panel's rows.
    if let Some(p) = Padded::forward(d).filter(|p| p.steps() <= PANEL_ROWS) {
        return run_padded(&p, x, w, d.channels_out, |o| o * k_all, |k| k, |o| b[o], y);
    }
    run(&g, x, w, d.channels_out, |o| o * k_all, |k| k, |o| b[o], y);
}

/// [`conv2d`] of a strided window over the input split into phases: phase `(a, b)` of
/// channel `c` holds `x[c][Sh·i + a − Ph][Sw·j + b − Pw]` at `(i, j)` (zeros outside the
/// input), so tap `(ky, kx)` of output `(i, j)` reads phase `(ky mod Sh, kx mod Sw)` at
/// `(i + ky div Sh, j + kx div Sw)`: 16 neighbouring outputs read 16 neighbouring values, a
/// stride-1 walk ([`walk_copy`], blocks of positions two at a time) with no panels to
/// gather. The steps in the order of the sums, `(c, ky, kx)`, each reading its phase; a tap
/// on padding reads a zero, as the panels' do: the same bits. `false` (nothing written) for
/// stride 1, or when the copy or the steps do not fit.
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn conv2d_by_phases<T: Scalar + Widen<U>, U: Copy + 'static>(
    d: &Window2d,
    x: &[T],
    w: &[U],
    b: &[T],
    y: &mut [T],
) -> bool {
    let (r, c) = (&d.rows, &d.cols);
    if (r.stride == 1 && c.stride == 1) || r.stride == 0 || c.stride == 0 {
        return false;
    }
    // The phases a tap reads (`min(S, kernel)` along each axis) and their planes' size.
    let (pa, pb) = (r.stride.min(r.kernel), c.stride.min(c.kernel));
    let (rows, cols) = (
        r.out_len + (r.kernel - 1) / r.stride,
        c.out_len + (c.kernel - 1) / c.stride,
    );
    let copy = Padded {
        planes: d.channels_in * pa * pb,
        rows,
        cols,
        top: 0,
        left: 0,
        src: (r.length, c.length),
        dilation: (1, 1),
        out: (r.out_len, c.out_len),
        window: (r, c),
        transposed: false,
    };
    let (ci, kh, kw) = (d.channels_in, r.kernel, c.kernel);
    let steps = ci * kh * kw;
    if copy.len() > PADDED || steps > PANEL_ROWS || steps == 0 {
        return false;
    }
    scratch!(buf = [T::zero(); copy.len()] within PADDED);
    scratch!(columns = [0u32; steps] within PANEL_ROWS);
    scratch!(offsets = [0u32; steps] within PANEL_ROWS);
    for (k, (column, offset)) in columns.iter_mut().zip(offsets.iter_mut()).enumerate() {
        let (ch, ky, kx) = (k / (kh * kw), k / kw % kh, k % kw);
        let plane = (ch * pa + ky % r.stride) * pb + kx % c.stride;
        *column = k as u32;
        *offset = ((plane * rows + ky / r.stride) * cols + kx / c.stride) as u32;
    }
    let (n_src, n_dst) = d.sample_sizes();
    let samples = y.len().checked_div(n_dst).unwrap_or(0);
    // Phase plane `(c, a, b)` row `i` reads input row `Sh·i + a − Ph` (if inside): its
    // columns `j` read `Sw·j + b − Pw`.
    for s in 0..samples {
        let x = &x[s * n_src..][..n_src];
        for (p, plane) in buf
            .chunks_exact_mut(rows * cols)
            .take(copy.planes)
            .enumerate()
        {
            let (ch, a, bb) = (p / (pa * pb), p / pb % pa, p % pb);
            let src = &x[ch * r.length * c.length..][..r.length * c.length];
            for (i, line) in plane.chunks_exact_mut(cols).enumerate() {
                let row = (r.stride * i + a)
                    .checked_sub(r.padding)
                    .filter(|&row| row < r.length);
                for (j, v) in line.iter_mut().enumerate() {
                    let col = (c.stride * j + bb)
                        .checked_sub(c.padding)
                        .filter(|&col| col < c.length);
                    *v = match (row, col) {
                        (Some(row), Some(col)) => src[row * c.length + col],
                        _ => T::zero(),
                    };
                }
            }
        }
        let op = Operand::new(w, columns, &*buf, offsets);
        let dst = &mut y[s * n_dst..][..n_dst];
        walk_copy(&copy, &op, d.channels_out, &|o| o * steps, &|o| b[o], dst);
    }
    true
}

/// The input gradient of [`conv2d`]: `dx[c][r][s] = Σ_o Σ_ky Σ_kx w[o][c][ky][kx] ·
/// dy[o][i][j]` over the outputs `(i, j)` whose tap `(ky, kx)` reads `(r, s)`, added in
/// increasing `(o, ky, kx)` from `+0` (a tap no output has adds `w · 0`: for finite weights
/// that leaves the sum as it is, as it is never `−0`). Overwrites `dx` (as many samples as it
/// holds).
#[inline(always)]
pub(crate) fn conv2d_input_gradient<T: Scalar>(d: &Window2d, w: &[T], dy: &[T], dx: &mut [T]) {
    let g = Gather {
        sources: d.channels_out,
        rows: &d.rows,
        cols: &d.cols,
        transposed: true,
    };
    let taps = d.rows.kernel * d.cols.kernel;
    let (ci, per_o) = (d.channels_in, d.channels_in * taps);
    let column = |k: usize| (k / taps) * per_o + k % taps;
    if input_gradient_by_phases(d, w, dy, dx) {
        return;
    }
    if let Some(p) = Padded::transposed(d).filter(|p| p.steps() <= PANEL_ROWS) {
        return run_padded(&p, dy, w, ci, |c| c * taps, column, |_| T::zero(), dx);
    }
    run(&g, dy, w, ci, |c| c * taps, column, |_| T::zero(), dx);
}

/// Along one axis of a strided window, phase `a`'s taps (the input positions `a + S·t` are
/// phase `a`'s, `a < S`): the taps `k` through which an output reads them, `(a + P − k) mod
/// S = 0`, each with its shift `δ = (a + P − k) / S` (position `a + S·t` is read by output
/// `t + δ`), in increasing `k`.
#[inline(always)]
fn phase_taps(axis: &Window1d, a: usize) -> impl Iterator<Item = (usize, isize)> + '_ {
    let stride = axis.stride as isize;
    (0..axis.kernel).filter_map(move |k| {
        let v = (a + axis.padding) as isize - k as isize;
        (v.rem_euclid(stride) == 0).then_some((k, v.div_euclid(stride)))
    })
}

/// The input positions of phase `a` along `axis`: `a, a + S, …` below its length.
#[inline(always)]
fn phase_len(axis: &Window1d, a: usize) -> usize {
    axis.length.saturating_sub(a).div_ceil(axis.stride)
}

/// [`conv2d_input_gradient`] of a strided window, phase by phase: the input positions
/// `(a + Sh·t, b + Sw·u)` of one phase `(a, b)` are read only through the taps of
/// [`phase_taps`], so they are a stride-1 walk ([`walk_copy`]) over the output gradient
/// itself (one copy with zeros around it, not dilated), with those taps alone — the taps that
/// would read the zeros between dilated values are left out (adding `w · 0` leaves a sum
/// that is never `−0` as it is: the same bits for finite weights), `Sh·Sw` times fewer
/// products than a walk over the dilated gradient. Each phase's sums go to a buffer, then to
/// their places in `dx`. `false` (nothing written) for stride 1, or when the copies or a
/// phase's steps do not fit.
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn input_gradient_by_phases<T: Scalar>(d: &Window2d, w: &[T], dy: &[T], dx: &mut [T]) -> bool {
    let (r, c) = (&d.rows, &d.cols);
    if (r.stride == 1 && c.stride == 1) || r.stride == 0 || c.stride == 0 {
        return false;
    }
    // The copy's margins: `lead` zeros before the outputs (for the shifts below 0) and room
    // up to the last output any phase's last position reads.
    let margins = |axis: &Window1d| {
        let (mut lead, mut end) = (0isize, axis.out_len as isize);
        let mut most = 0;
        for a in 0..axis.stride.min(axis.length) {
            most = most.max(phase_taps(axis, a).count());
            for (_, delta) in phase_taps(axis, a) {
                lead = lead.max(-delta);
                end = end.max(phase_len(axis, a) as isize + delta);
            }
        }
        (lead as usize, (lead + end) as usize, most)
    };
    let ((top, rows, most_r), (left, cols, most_c)) = (margins(r), margins(c));
    let copy = Padded {
        planes: d.channels_out,
        rows,
        cols,
        top,
        left,
        src: (r.out_len, c.out_len),
        dilation: (1, 1),
        out: (phase_len(r, 0), phase_len(c, 0)),
        window: (r, c),
        transposed: true,
    };
    let (ci, co) = (d.channels_in, d.channels_out);
    let (taps, kw) = (r.kernel * c.kernel, c.kernel);
    let per_o = ci * taps;
    let largest = phase_len(r, 0) * phase_len(c, 0);
    let steps = co * most_r * most_c;
    if copy.len() > PADDED || ci * largest > PADDED || steps > PANEL_ROWS || steps == 0 {
        return false;
    }
    scratch!(buf = [T::zero(); copy.len()] within PADDED);
    scratch!(phase = [T::zero(); ci * largest] within PADDED);
    scratch!(columns = [0u32; steps] within PANEL_ROWS);
    scratch!(offsets = [0u32; steps] within PANEL_ROWS);
    // It reads the output gradient and writes the input's.
    let (n_dst, n_src) = d.sample_sizes();
    let samples = dx.len().checked_div(n_dst).unwrap_or(0);
    for s in 0..samples {
        copy.copy(&dy[s * n_src..][..n_src], buf);
        let dx = &mut dx[s * n_dst..][..n_dst];
        for a in 0..r.stride.min(r.length) {
            for b in 0..c.stride.min(c.length) {
                let (ph, pw) = (phase_len(r, a), phase_len(c, b));
                // The phase's steps in increasing (o, ky, kx): the order of the full sums.
                let mut k = 0;
                for o in 0..co {
                    for (ky, dr) in phase_taps(r, a) {
                        for (kx, dc) in phase_taps(c, b) {
                            let row = (o * rows) as isize + top as isize + dr;
                            columns[k] = (o * per_o + ky * kw + kx) as u32;
                            offsets[k] =
                                (row as usize * cols + (left as isize + dc) as usize) as u32;
                            k += 1;
                        }
                    }
                }
                let phase = &mut phase[..ci * ph * pw];
                if k == 0 {
                    // No tap reads these positions: sums of nothing, +0.
                    phase.fill(T::zero());
                } else {
                    let grid = Padded {
                        out: (ph, pw),
                        ..copy
                    };
                    let op = Operand::new(w, &columns[..k], &*buf, &offsets[..k]);
                    walk_copy(&grid, &op, ci, &|cc| cc * taps, &|_| T::zero(), phase);
                }
                for (cc, sums) in phase.chunks_exact(ph * pw).enumerate() {
                    for (i, line) in sums.chunks_exact(pw).enumerate() {
                        let at = (cc * r.length + a + r.stride * i) * c.length + b;
                        for (j, &v) in line.iter().enumerate() {
                            dx[at + c.stride * j] = v;
                        }
                    }
                }
            }
        }
    }
    true
}

/// The gradients of [`conv2d`] for samples `x` (as many as `dy` holds), given `dy`, each
/// sample's terms added after the previous one's: the bias gradients
/// ([`super::plane::bias_gradients`]) and weight gradients added into `db` and `dw` — over
/// the padded grid for a stride-1 window ([`weights_on_grid`]), as products over transposed
/// panels with a column stride ([`weights_by_panels`]), else the line blocks' eight-lane runs
/// ([`super::plane::bias_and_weights`]) — and (when asked) the input gradient
/// ([`conv2d_input_gradient`], overwritten).
#[inline(always)]
pub(crate) fn conv2d_backward<T: Scalar>(
    d: &Window2d,
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    dx: Option<&mut [T]>,
) {
    if d.rows.stride == 1 && d.cols.stride == 1 {
        for (_, dy) in d.samples(x, dy) {
            super::plane::bias_gradients(d, dy, db);
        }
        weights_on_grid(d, x, dy, dw);
    } else if !weights_by_panels(d, x, dy, dw, db) {
        for (x, dy) in d.samples(x, dy) {
            super::plane::bias_and_weights(d, x, dy, dw, db);
        }
    }
    if let Some(dx) = dx {
        conv2d_input_gradient(d, w, dy, dx);
    }
}

/// The bias and weight gradients of a window with a column stride as products over transposed
/// panels — the operations of [`super::plane::bias_and_weights`] there (one running
/// sum per weight over the positions in row-major order, from `+0`, then combined with seven
/// zeros as eight lanes), here 16 weights side by side: for 16 weights `k` at a time, the
/// values each reads at every output position `p` are gathered into an `n × 16` panel
/// (`panel[p][k]`, 0 on padding: `dy · 0` added to a sum that is never `−0` leaves it), and
/// `Σ_p dy[o][p] · panel[p]` runs as [`product`] for every output channel. `false` (nothing
/// written) when the output plane has more positions than a panel has rows.
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn weights_by_panels<T: Scalar>(
    d: &Window2d,
    x: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
) -> bool {
    let (r, c) = (&d.rows, &d.cols);
    let (oh, ow) = (r.out_len, c.out_len);
    let n = oh * ow;
    // With a column stride of 1 the runs' sums are eight lanes, not one running sum.
    if c.stride == 1 || n > PANEL_ROWS || n == 0 {
        return false;
    }
    let g = Gather {
        sources: d.channels_in,
        rows: r,
        cols: c,
        transposed: false,
    };
    let (kh, kw) = (r.kernel, c.kernel);
    let (taps, plane) = (kh * kw, r.length * c.length);
    let k_all = d.channels_in * taps;
    scratch!(panel = [[T::zero(); LANES]; n] within PANEL_ROWS);
    scratch!(rows = [0u32; n] within PANEL_ROWS);
    scratch!(columns = [0u32; n] within PANEL_ROWS);
    for (p, (row, column)) in rows.iter_mut().zip(columns.iter_mut()).enumerate() {
        (*row, *column) = ((p * LANES) as u32, p as u32);
    }
    let (rows, columns) = (&*rows, &*columns);
    scratch!(sources = [0usize; ow] within PANEL_ROWS);
    for (x, dy) in d.samples(x, dy) {
        super::plane::bias_gradients(d, dy, db);
        for k0 in (0..k_all).step_by(LANES) {
            let width = LANES.min(k_all - k0);
            for (kk, k) in (k0..k0 + width).enumerate() {
                let (ch, ky, kx) = (k / taps, k % taps / kw, k % kw);
                // The column each output column's tap reads (usize::MAX: padding).
                for (j, s) in sources.iter_mut().enumerate() {
                    *s = g.source(c, j, kx).unwrap_or(usize::MAX);
                }
                let source = &x[ch * plane..][..plane];
                for i in 0..oh {
                    let row = g.source(r, i, ky);
                    for (j, &col) in sources.iter().enumerate() {
                        panel[i * ow + j][kk] = match row {
                            Some(y) if col != usize::MAX => source[y * c.length + col],
                            _ => T::zero(),
                        };
                    }
                }
            }
            let op = Operand::new(dy, columns, panel.as_flattened(), rows);
            let mut o = 0;
            while o < d.channels_out {
                let m = if d.channels_out - o >= BLOCK {
                    BLOCK
                } else {
                    1
                };
                let mut store = |o: usize, sums: &[T; LANES]| {
                    for (l, &g) in sums.iter().enumerate().take(width) {
                        let mut lanes = [T::zero(); 8];
                        lanes[0] = g;
                        let at = o * k_all + k0 + l;
                        dw[at] = dw[at] + super::portable::sum_eight_lanes(&lanes);
                    }
                };
                if m == BLOCK {
                    let bases: [usize; BLOCK] = core::array::from_fn(|m| (o + m) * n);
                    let mut acc = [[T::zero(); LANES]; BLOCK];
                    product(&op, &bases, 0, &mut acc);
                    for (m, sums) in acc.iter().enumerate() {
                        store(o + m, sums);
                    }
                } else {
                    let mut acc = [[T::zero(); LANES]];
                    product(&op, &[o * n], 0, &mut acc);
                    store(o, &acc[0]);
                }
                o += m;
            }
        }
    }
    true
}

/// Lanes of a weight's sum in [`weights_on_grid`]: one AVX-512 register of `f32`.
pub(crate) const GRID_LANES: usize = 16;

/// The weight gradients of a stride-1 window: `dw[o][c][ky][kx] += Σ_q dyg[o][q] ·
/// xg[c][q + ky·gw + kx]` over the grid of [`Padded`] (`out_h` rows of `gw = out_w + kw − 1`
/// positions; `dyg` is `dy` with zeros in the `kw − 1` columns past each row, `xg` the input
/// with its padding), position `q` into lane `q mod 16` of the sum, the lanes then combined
/// ([`sum_sixteen_lanes`]). Every lane starts at `+0`. From copies on the stack where they
/// fit, or the samples themselves for a 1 × 1 window without padding (for `f32` with
/// AVX-512, explicit code: 4 × 4 channels of sums in registers), else
/// value by value, leaving out the terms with a zero of the copies (the same bits for finite
/// values).
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
fn weights_on_grid<T: Scalar>(d: &Window2d, x: &[T], dy: &[T], dw: &mut [T]) {
    let (r, c) = (&d.rows, &d.cols);
    let (kh, kw, taps) = (r.kernel, c.kernel, r.kernel * c.kernel);
    let (oh, ow, gw) = (r.out_len, c.out_len, c.out_len + c.kernel - 1);
    let (co, ci, grid) = (d.channels_out, d.channels_in, r.out_len * gw);
    let padded = Padded::forward(d).filter(|_| 4 * grid + GRID_LANES <= PADDED);
    let batch = d.samples(x, dy);
    let Some(p) = padded else {
        // Value by value (no copies: the microcontrollers, planes too large for them).
        let one = d.one_channel();
        let (hw, ohw) = (r.length * c.length, oh * ow);
        for (x, dy) in batch {
            for o in 0..co {
                for ch in 0..ci {
                    let (xc, dyo) = (&x[ch * hw..][..hw], &dy[o * ohw..][..ohw]);
                    for t in 0..taps {
                        let at = (o * ci + ch) * taps + t;
                        dw[at] = dw[at] + grid_sum_direct(&one, xc, dyo, t);
                    }
                }
            }
        }
        return;
    };
    scratch!(xs = [T::zero(); p.len()] within PADDED);
    // The output gradient on the grid, as many channels at a time as the copy holds (a
    // multiple of four; the columns past `ow` and the room after the last channel stay zero).
    let per_copy = (PADDED.saturating_sub(GRID_LANES) / grid / 4 * 4).max(4);
    scratch!(ys = [T::zero(); per_copy.min(co) * grid + GRID_LANES] within PADDED);
    let plane = p.rows * p.cols;
    // A 1 × 1 window without padding reads the samples in place where the reads past a
    // sample's last plane (up to a block of lanes, masked out of the sums) stay in the batch.
    let (n_in, n_out) = d.sample_sizes();
    let reach = grid.div_ceil(GRID_LANES) * GRID_LANES;
    let source = p.is_source();
    for (s, (x_s, dy_s)) in batch.enumerate() {
        let in_place = source
            && x.len() >= s * n_in + ci.saturating_sub(1) * grid + reach
            && dy.len() >= s * n_out + co.saturating_sub(1) * grid + reach;
        let xs: &[T] = if in_place {
            &x[s * n_in..]
        } else {
            p.copy(x_s, xs);
            &*xs
        };
        for first in (0..co).step_by(per_copy) {
            let ys: &[T] = if in_place {
                &dy[s * n_out + first * grid..]
            } else {
                let ys = &mut ys[..per_copy.min(co - first) * grid + GRID_LANES];
                grid_copy(dy_s, (first, per_copy), (ow, gw, grid), ys);
                &*ys
            };
            for o in (first..(first + per_copy).min(co)).step_by(4) {
                let ys = &ys[(o - first) * grid..];
                let mut cc = 0;
                let sizes = ((grid, plane, gw), (kh, kw, ci));
                while cc < ci {
                    if co - o >= 4 && ci - cc >= 4 {
                        grid_block::<T, 4, 4>(ys, xs, (o, cc), sizes.0, sizes.1, dw);
                        cc += 4;
                    } else if co - o >= 4 && ci - cc >= 2 {
                        grid_block::<T, 4, 2>(ys, xs, (o, cc), sizes.0, sizes.1, dw);
                        cc += 2;
                    } else if co - o >= 4 {
                        grid_block::<T, 4, 1>(ys, xs, (o, cc), sizes.0, sizes.1, dw);
                        cc += 1;
                    } else {
                        for o1 in o..(o + 4).min(co) {
                            let ys = &ys[(o1 - o) * grid..];
                            let at = (o1, cc);
                            grid_block::<T, 1, 1>(ys, xs, at, (grid, plane, gw), (kh, kw, ci), dw);
                        }
                        cc += 1;
                    }
                }
            }
        }
    }
}

/// Channels `first..first + count` of the output gradient `dy` (rows of `ow`) onto the grid
/// in `ys`: channel `first + m` from `m·grid`, row `i` from `i·gw` (the columns past `ow` are
/// left as they are: zeros).
#[inline(always)]
fn grid_copy<T: Copy>(
    dy: &[T],
    (first, count): (usize, usize),
    (ow, gw, grid): (usize, usize, usize),
    ys: &mut [T],
) {
    let plane = grid / gw * ow;
    for (m, channel) in dy.chunks_exact(plane).skip(first).take(count).enumerate() {
        for (i, row) in channel.chunks_exact(ow).enumerate() {
            copy_short(&mut ys[m * grid + i * gw..][..ow], row);
        }
    }
}

/// [`weights_on_grid`] for output channels `o0..o0 + M` × input channels `c0..c0 + C`, tap
/// by tap, from the copies `ys` (the output gradient on the grid from channel `o0` on,
/// `grid` values a channel) and `xs` (the padded input, `plane` values a channel, rows `gw`
/// wide).
#[inline(always)]
fn grid_block<T: Scalar, const M: usize, const C: usize>(
    ys: &[T],
    xs: &[T],
    (o0, c0): (usize, usize),
    (grid, plane, gw): (usize, usize, usize),
    (kh, kw, ci): (usize, usize, usize),
    dw: &mut [T],
) {
    for t in 0..kh * kw {
        let off = (t / kw) * gw + t % kw;
        let ystarts: [usize; M] = core::array::from_fn(|m| m * grid);
        let xstarts: [usize; C] = core::array::from_fn(|c| (c0 + c) * plane + off);
        let sums = grid_products::<T, M, C>(ys, &ystarts, xs, &xstarts, grid);
        for (m, sums) in sums.iter().enumerate() {
            for (c, &sum) in sums.iter().enumerate() {
                let at = ((o0 + m) * ci + c0 + c) * kh * kw + t;
                dw[at] = dw[at] + sum;
            }
        }
    }
}

/// `sums[m][c]` = the grid sum of `ys` from `ystarts[m]` times `xs` from `xstarts[c]` over
/// `grid` positions: position `q` into lane `q mod 16`, each lane from `+0` in increasing
/// `q`, the lanes combined by [`sum_sixteen_lanes`] (for `f32` with AVX-512, explicit code:
/// [`super::grid_sums`]). Every start plus `⌈grid/16⌉·16` is inside its slice.
#[inline(always)]
fn grid_products<T: Scalar, const M: usize, const C: usize>(
    ys: &[T],
    ystarts: &[usize; M],
    xs: &[T],
    xstarts: &[usize; C],
    grid: usize,
) -> [[T; C]; M] {
    let mut sums = [[T::zero(); C]; M];
    if super::grid_sums(ys, ystarts, xs, xstarts, grid, &mut sums) {
        return sums;
    }
    let mut acc = [[[T::zero(); GRID_LANES]; C]; M];
    for q0 in (0..grid).step_by(GRID_LANES) {
        let keep = grid - q0;
        let u: [&[T]; M] = core::array::from_fn(|m| &ys[ystarts[m] + q0..][..GRID_LANES]);
        let v: [&[T]; C] = core::array::from_fn(|c| &xs[xstarts[c] + q0..][..GRID_LANES]);
        for m in 0..M {
            for c in 0..C {
                for l in 0..GRID_LANES {
                    let sum = acc[m][c][l] + u[m][l] * v[c][l];
                    acc[m][c][l] = if l < keep { sum } else { acc[m][c][l] };
                }
            }
        }
    }
    for (sums, acc) in sums.iter_mut().zip(&acc) {
        for (sum, acc) in sums.iter_mut().zip(acc) {
            *sum = sum_sixteen_lanes(acc);
        }
    }
    sums
}

/// One weight's grid sum ([`weights_on_grid`]) value by value, with no copies: tap `t` of
/// the input plane `xc` against the output gradient plane `dyo` of the one-channel window
/// `d`. Only the terms whose factors are both values of the sample are added, each into the
/// lane of its grid position; the others are `dy · 0` or `0 · x` (the copies' zeros), which
/// leave a lane as it is (it starts at +0, so it is never −0), finite values assumed.
#[inline(always)]
fn grid_sum_direct<T: Scalar>(d: &Window2d, xc: &[T], dyo: &[T], t: usize) -> T {
    let (r, c) = (&d.rows, &d.cols);
    let (kw, oh, ow) = (c.kernel, r.out_len, c.out_len);
    let (gw, top, left) = (ow + kw - 1, r.padding, c.padding);
    let (ky, kx) = (t / kw, t % kw);
    let mut acc = [T::zero(); GRID_LANES];
    // Output columns `j` whose tap reads inside: `0 ≤ j + kx − left < width`.
    let jlo = left.saturating_sub(kx).min(ow);
    let jhi = (c.length + left).saturating_sub(kx).min(ow).max(jlo);
    for i in 0..oh {
        let Some(y) = (i + ky).checked_sub(top).filter(|&y| y < r.length) else {
            continue;
        };
        let xrow = &xc[y * c.length..][..c.length];
        let dyrow = &dyo[i * ow..][..ow];
        for j in jlo..jhi {
            let lane = (i * gw + j) % GRID_LANES;
            acc[lane] = acc[lane] + dyrow[j] * xrow[j + kx - left];
        }
    }
    sum_sixteen_lanes(&acc)
}

/// The weight gradients of a depthwise window of stride 1 for samples `x` (as many as `dy`
/// holds): `dw[c][t] +=` channel `c`'s grid sum for tap `t` ([`weights_on_grid`]'s, with
/// one input channel per output channel), sample after sample. From one padded copy of each
/// sample (the taps four at a time against one copy of the output gradient), else value by
/// value ([`grid_sum_direct`]): the same bits. `false` (nothing written) for a strided window.
// Inlined into the layers' code in optimized builds (AVX2 and constant windows there); in
// debug builds, where nothing shares stack slots, a frame of its own (its scratch arrays).
#[cfg_attr(debug_assertions, inline(never))]
#[cfg_attr(not(debug_assertions), inline(always))]
pub(crate) fn depthwise_weights_on_grid<T: Scalar>(
    d: &Window2d,
    x: &[T],
    dy: &[T],
    dw: &mut [T],
) -> bool {
    let (r, c) = (&d.rows, &d.cols);
    if r.stride != 1 || c.stride != 1 {
        return false;
    }
    let (kw, taps) = (c.kernel, r.kernel * c.kernel);
    let (oh, ow, gw) = (r.out_len, c.out_len, c.out_len + c.kernel - 1);
    let (channels, grid) = (d.channels_out, r.out_len * gw);
    let batch = d.samples(x, dy);
    let padded = Padded::forward(d).filter(|_| grid + GRID_LANES <= PADDED);
    let Some(p) = padded else {
        let one = d.one_channel();
        let (hw, ohw) = (r.length * c.length, oh * ow);
        for (x, dy) in batch {
            for ch in 0..channels {
                let (xc, dyc) = (&x[ch * hw..][..hw], &dy[ch * ohw..][..ohw]);
                for t in 0..taps {
                    let at = ch * taps + t;
                    dw[at] = dw[at] + grid_sum_direct(&one, xc, dyc, t);
                }
            }
        }
        return true;
    };
    scratch!(xs = [T::zero(); p.len()] within PADDED);
    // The output gradient on the grid, as many channels at a time as the copy holds.
    let per_copy = (PADDED.saturating_sub(GRID_LANES) / grid).max(1);
    scratch!(ys = [T::zero(); per_copy.min(channels) * grid + GRID_LANES] within PADDED);
    let plane = p.rows * p.cols;
    let offset = |t: usize| (t / kw) * gw + t % kw;
    for (x, dy) in batch {
        p.copy(x, xs);
        for first in (0..channels).step_by(per_copy) {
            let group = per_copy.min(channels - first);
            grid_copy(dy, (first, group), (ow, gw, grid), ys);
            for ch in first..first + group {
                let ystarts = [(ch - first) * grid];
                let mut t = 0;
                while t < taps {
                    if taps - t >= 4 {
                        let xstarts: [usize; 4] =
                            core::array::from_fn(|k| ch * plane + offset(t + k));
                        let sums = grid_products::<T, 1, 4>(ys, &ystarts, xs, &xstarts, grid);
                        for (k, &sum) in sums[0].iter().enumerate() {
                            dw[ch * taps + t + k] = dw[ch * taps + t + k] + sum;
                        }
                        t += 4;
                    } else {
                        let xstarts = [ch * plane + offset(t)];
                        let sums = grid_products::<T, 1, 1>(ys, &ystarts, xs, &xstarts, grid);
                        dw[ch * taps + t] = dw[ch * taps + t] + sums[0][0];
                        t += 1;
                    }
                }
            }
        }
    }
    true
}
