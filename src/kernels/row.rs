//! The convolution of one row (a layer on signals: channels × steps) in direct loops, for the
//! targets without [`panel`](super::panel)'s padded copies (the microcontrollers: their stacks
//! hold no copy of a sample, and gathered panels cost them more than these loops). The same
//! bits as [`panel`](super::panel)'s convolution of a one-row window (for finite values):
//!
//! * forward: every output is `b[o]` plus the products added in increasing `(c, k)`, a tap on
//!   padding adding `w · 0`; for stride 1, the steps whose window lies inside the input in
//!   register blocks of 4 output channels × 16 steps, the rest tap by tap;
//! * weight gradients: stride 1 — sixteen lanes, step `t` into lane `t mod 16`, combined as
//!   `panel`'s grid sums (the grid of a row is its steps); a stride — one running sum per
//!   weight (what `panel`'s column-strided products give); terms with a zero factor from
//!   padding are left out, which for finite values leaves a sum (never `−0`) as it is;
//! * input gradient: `dx[c][j]` from `+0`, the products added in increasing `(o, k)`.
//!
//! Off the microcontrollers these loops are the tests' check of that claim.

use super::conv::{Window1d, Window2d};
use super::panel::GRID_LANES;
use super::portable::sum_sixteen_lanes;
use crate::scalar::Scalar;

/// Output channels per register block of [`conv1d`].
const OB: usize = 4;
/// Output steps per register block of [`conv1d`].
const TB: usize = 16;

/// The window `d` as a row for these loops — its channels and the axis along the row — if it
/// is one (one input and output row, a one-row kernel, no padding above or below) and the
/// target has no padded copies.
pub(crate) const fn as_row(d: &Window2d) -> Option<(usize, usize, Window1d)> {
    let r = &d.rows;
    if super::panel::PADDED == 0
        && r.length == 1
        && r.kernel == 1
        && r.padding == 0
        && r.out_len == 1
    {
        Some((d.channels_in, d.channels_out, d.cols))
    } else {
        None
    }
}

/// `y[o][t] = b[o] + Σ_c Σ_k w[o][c][k] · x[c][t·S + k − P]` (a tap on padding adds `w·0`).
/// `x`: `ci × length`, `w`: `co × ci × kernel`, `b`: `co`, `y`: `co × out_len`.
#[inline(always)]
pub(crate) fn conv1d<T: Scalar>(
    (ci, co, a): (usize, usize, &Window1d),
    x: &[T],
    w: &[T],
    b: &[T],
    y: &mut [T],
) {
    let m = a.out_len;
    // Steps whose whole window is inside the input (stride 1): t ≥ P and t + K − 1 − P < L.
    let (inner_lo, inner_hi) = if a.stride == 1 && a.length + a.padding >= a.kernel {
        let hi = (a.length + a.padding + 1 - a.kernel).min(m);
        (a.padding.min(hi), hi)
    } else {
        (0, 0)
    };
    let blocks = (inner_hi - inner_lo) / TB;
    let blocked_hi = inner_lo + blocks * TB;
    let full_o = if blocks > 0 { co / OB * OB } else { 0 };
    for o0 in (0..full_o).step_by(OB) {
        for t0 in (inner_lo..blocked_hi).step_by(TB) {
            block((ci, a), x, w, b, y, o0, t0);
        }
        for o in o0..o0 + OB {
            taps((ci, a), x, w, b, y, o, 0..inner_lo);
            taps((ci, a), x, w, b, y, o, blocked_hi..m);
        }
    }
    for o in full_o..co {
        taps((ci, a), x, w, b, y, o, 0..m);
    }
}

/// Outputs `t0..t0 + 16` of channels `o0..o0 + 4` (stride 1, every tap inside the input).
#[inline(always)]
fn block<T: Scalar>(
    (ci, a): (usize, &Window1d),
    x: &[T],
    w: &[T],
    b: &[T],
    y: &mut [T],
    o0: usize,
    t0: usize,
) {
    let (l, k_len, m) = (a.length, a.kernel, a.out_len);
    let mut acc = [[T::zero(); TB]; OB];
    for (ob, row) in acc.iter_mut().enumerate() {
        *row = [b[o0 + ob]; TB];
    }
    for c in 0..ci {
        let xc = &x[c * l..(c + 1) * l];
        for k in 0..k_len {
            let start = t0 + k - a.padding;
            let xs = &xc[start..start + TB];
            for (ob, row) in acc.iter_mut().enumerate() {
                let wv = w[((o0 + ob) * ci + c) * k_len + k];
                for (s, &v) in row.iter_mut().zip(xs) {
                    *s = *s + wv * v;
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
    (ci, a): (usize, &Window1d),
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
    let (m, l, k_len) = (a.out_len, a.length, a.kernel);
    let yo = &mut y[o * m..(o + 1) * m];
    yo[from..to].fill(b[o]);
    // Adding `w·0` changes a sum only while it is −0, which needs a bias of −0 (a sum that
    // starts anywhere else is never −0): only then are the taps on padding added.
    let pads = negative_zero(b[o]);
    for c in 0..ci {
        let xc = &x[c * l..(c + 1) * l];
        let wc = &w[(o * ci + c) * k_len..][..k_len];
        for (k, &wv) in wc.iter().enumerate() {
            let (lo, hi, start) = a.taps(k);
            // Outputs `lo2..hi2` read the input; the others add w·0 (their tap is on padding).
            let lo2 = lo.clamp(from, to);
            let hi2 = hi.clamp(lo2, to);
            if pads {
                let pad = wv * T::zero();
                let (head, rest) = yo[from..to].split_at_mut(lo2 - from);
                for yt in head.iter_mut().chain(&mut rest[hi2 - lo2..]) {
                    *yt = *yt + pad;
                }
            }
            if lo2 >= hi2 {
                continue;
            }
            let start = start + (lo2 - lo) * a.stride;
            for (yt, &xv) in yo[lo2..hi2]
                .iter_mut()
                .zip(xc[start..].iter().step_by(a.stride))
            {
                *yt = *yt + wv * xv;
            }
        }
    }
}

/// Whether `v` is a floating-point −0 (`f32` or `f64`; other types have no signed zero).
fn negative_zero<T: 'static>(v: T) -> bool {
    let v = &v as &dyn core::any::Any;
    v.downcast_ref::<f32>()
        .is_some_and(|v| v.to_bits() == (-0.0f32).to_bits())
        || v.downcast_ref::<f64>()
            .is_some_and(|v| v.to_bits() == (-0.0f64).to_bits())
}

/// The gradients of [`conv1d`] for one sample, given `dy = ∂L/∂y`:
/// `dw[o][c][k] += Σ_t dy[o][t] · x[c][t·S + k − P]`, `db[o] += Σ_t dy[o][t]`, and (when
/// asked) `dx[c][j] = Σ_o Σ_k w[o][c][k] · dy[o][t]` over the `(t, k)` with `t·S + k − P = j`
/// (overwritten), in the orders of the module's docs.
#[inline(always)]
pub(crate) fn conv1d_backward<T: Scalar>(
    (ci, co, a): (usize, usize, &Window1d),
    x: &[T],
    w: &[T],
    dy: &[T],
    dw: &mut [T],
    db: &mut [T],
    dx: Option<&mut [T]>,
) {
    let (m, l, k_len) = (a.out_len, a.length, a.kernel);
    for (o, dyo) in dy.chunks_exact(m).enumerate().take(co) {
        db[o] = db[o] + dyo.iter().fold(T::zero(), |s, &v| s + v);
        for c in 0..ci {
            let xc = &x[c * l..(c + 1) * l];
            let dwc = &mut dw[(o * ci + c) * k_len..][..k_len];
            for (k, g) in dwc.iter_mut().enumerate() {
                let (lo, hi, start) = a.taps(k);
                let sum = if a.stride == 1 {
                    let mut acc = [T::zero(); GRID_LANES];
                    for (t, (&u, &v)) in (lo..hi).zip(dyo[lo..hi].iter().zip(&xc[start..])) {
                        acc[t % GRID_LANES] = acc[t % GRID_LANES] + u * v;
                    }
                    sum_sixteen_lanes(&acc)
                } else {
                    dyo[lo..hi]
                        .iter()
                        .zip(xc[start..].iter().step_by(a.stride))
                        .fold(T::zero(), |s, (&u, &v)| s + u * v)
                };
                *g = *g + sum;
            }
        }
    }
    if let Some(dx) = dx {
        dx.fill(T::zero());
        for (o, dyo) in dy.chunks_exact(m).enumerate().take(co) {
            for c in 0..ci {
                let dxc = &mut dx[c * l..(c + 1) * l];
                let wc = &w[(o * ci + c) * k_len..][..k_len];
                for (k, &wv) in wc.iter().enumerate() {
                    let (lo, hi, start) = a.taps(k);
                    for (xt, &g) in dxc[start..].iter_mut().step_by(a.stride).zip(&dyo[lo..hi]) {
                        *xt = *xt + wv * g;
                    }
                }
            }
        }
    }
}
