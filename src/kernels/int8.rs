//! The int8 convolution of the quantized layers: each output computed whole — its taps inside
//! the input, offset by the input's zero point, summed in wrapping int32 from the bias — and
//! requantized at once, so the layer keeps no int32 copy of its input and no plane of int32
//! accumulators (TFLite Micro's reference kernels work in this order too). Integer addition
//! is associative, so the results are those of any other order, bit for bit.
//!
//! Two loop orders, chosen by the shape (measured on the Cortex-M4F board, instructions per
//! inference): with many input channels per filter row (pointwise and ResNet-style 3 × 3
//! convolutions) the input channels are the innermost loop; with few (depthwise, first
//! layers, the 1-D CNN) the taps of a filter row are. (Four output channels computed together
//! in the first order, through four strided weight iterators, measured 2.2–2.6× slower.)

use super::conv::Window2d;

/// `y[o][r][c] = out(o, bias[o] + Σ w[o][ch][ky][kx] · (x[ch][r·Sh + ky − Ph][c·Sw + kx − Pw]
/// − zin))` over the taps inside the input and the input channels `ch` (only `ch = o` when
/// `depthwise`; the weight is then `[o][ky][kx]`), in wrapping int32. `x` is `[ch][row][col]`,
/// `y` `[o][row][col]`; `out` requantizes an accumulator of output channel `o`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv2d_i8(
    d: &Window2d,
    depthwise: bool,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    mut out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let plane = rows.length * cols.length;
    let (out_w, out_plane) = (cols.out_len, rows.out_len * cols.out_len);
    let taps = rows.kernel * cols.kernel;
    let fan = if depthwise { 1 } else { d.channels_in };
    let channels_innermost = fan >= 4 * cols.kernel;
    let filters = w.chunks_exact(fan * taps).zip(bias);
    for (o, ((filter, &b), yo)) in filters.zip(y.chunks_exact_mut(out_plane)).enumerate() {
        let first = if depthwise { o } else { 0 };
        let x = x.get(first * plane..).unwrap_or(&[]);
        for (r, yr) in yo.chunks_exact_mut(out_w).enumerate() {
            // The input rows of this window, and its first tap among them.
            let iy = rows.inside(r);
            let ky = (iy.start + rows.padding).saturating_sub(r * rows.stride);
            for (c, yv) in yr.iter_mut().enumerate() {
                let ix = cols.inside(c);
                let kx = (ix.start + cols.padding).saturating_sub(c * cols.stride);
                let window = Taps {
                    rows: iy.clone(),
                    cols: ix,
                    first: (ky, kx),
                };
                let sum = if channels_innermost {
                    channels_inner(d, &window, x, zin, filter)
                } else {
                    taps_inner(d, &window, x, zin, filter)
                };
                *yv = out(o, b.wrapping_add(sum));
            }
        }
    }
}

/// The part of a window inside the input: its input rows and columns, and the tap (row,
/// column) that falls on the first of them.
struct Taps {
    rows: core::ops::Range<usize>,
    cols: core::ops::Range<usize>,
    first: (usize, usize),
}

/// `Σ w[ch][tap] · (x[ch][tap's input] − zin)` over a window's taps, the input channels
/// innermost (many channels per filter row).
#[inline(always)]
fn channels_inner(d: &Window2d, t: &Taps, x: &[i8], zin: i32, filter: &[i8]) -> i32 {
    let (width, plane) = (d.cols.length, d.rows.length * d.cols.length);
    let (kw, taps) = (d.cols.kernel, d.rows.kernel * d.cols.kernel);
    let mut acc = 0i32;
    for (n, iy) in t.rows.clone().enumerate() {
        for (m, ix) in t.cols.clone().enumerate() {
            let xs = x
                .get(iy * width + ix..)
                .unwrap_or(&[])
                .iter()
                .step_by(plane);
            let tap = (t.first.0 + n) * kw + t.first.1 + m;
            let ws = filter.get(tap..).unwrap_or(&[]).iter().step_by(taps);
            for (&xv, &wv) in xs.zip(ws) {
                let v = i32::from(xv) - zin;
                acc = acc.wrapping_add(v.wrapping_mul(i32::from(wv)));
            }
        }
    }
    acc
}

/// The same sum, the taps of a filter row innermost (few channels: depthwise, first layers).
#[inline(always)]
fn taps_inner(d: &Window2d, t: &Taps, x: &[i8], zin: i32, filter: &[i8]) -> i32 {
    let (width, plane) = (d.cols.length, d.rows.length * d.cols.length);
    let (kw, taps) = (d.cols.kernel, d.rows.kernel * d.cols.kernel);
    let mut acc = 0i32;
    for (xc, wc) in x.chunks_exact(plane).zip(filter.chunks_exact(taps)) {
        let xs = xc.chunks_exact(width).skip(t.rows.start).take(t.rows.len());
        let ws = wc.chunks_exact(kw).skip(t.first.0);
        for (xrow, wrow) in xs.zip(ws) {
            let xrow = xrow.get(t.cols.clone()).unwrap_or(&[]);
            for (&xv, &wv) in xrow.iter().zip(wrow.iter().skip(t.first.1)) {
                let v = i32::from(xv) - zin;
                acc = acc.wrapping_add(v.wrapping_mul(i32::from(wv)));
            }
        }
    }
    acc
}
