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
    let fan = if depthwise { 1 } else { d.channels_in };
    if fan >= 4 * d.cols.kernel {
        channels_inner(d, x, zin, w, bias, &mut out, y);
    } else {
        taps_inner(d, depthwise, x, zin, w, bias, &mut out, y);
    }
}

/// Every output channel of a full convolution, the input channels innermost.
#[inline(always)]
fn channels_inner(
    d: &Window2d,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, plane) = (cols.length, rows.length * cols.length);
    let (out_w, out_plane) = (cols.out_len, rows.out_len * cols.out_len);
    let taps = rows.kernel * cols.kernel;
    let filters = w.chunks_exact(d.channels_in * taps).zip(bias);
    for (o, ((filter, &b), yo)) in filters.zip(y.chunks_exact_mut(out_plane)).enumerate() {
        for (r, yr) in yo.chunks_exact_mut(out_w).enumerate() {
            let iy = rows.inside(r);
            let ky = (iy.start + rows.padding).saturating_sub(r * rows.stride);
            for (c, yv) in yr.iter_mut().enumerate() {
                let ix = cols.inside(c);
                let kx = (ix.start + cols.padding).saturating_sub(c * cols.stride);
                let mut acc = b;
                for (n, iy) in iy.clone().enumerate() {
                    for (m, ix) in ix.clone().enumerate() {
                        let xs = x
                            .get(iy * width + ix..)
                            .unwrap_or(&[])
                            .iter()
                            .step_by(plane);
                        let tap = (ky + n) * cols.kernel + kx + m;
                        let ws = filter.get(tap..).unwrap_or(&[]).iter().step_by(taps);
                        for (&xv, &wv) in xs.zip(ws) {
                            let v = i32::from(xv) - zin;
                            acc = acc.wrapping_add(v.wrapping_mul(i32::from(wv)));
                        }
                    }
                }
                *yv = out(o, acc);
            }
        }
    }
}

/// Every output channel, the taps of a filter row innermost.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn taps_inner(
    d: &Window2d,
    depthwise: bool,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (width, plane) = (cols.length, rows.length * cols.length);
    let (out_w, out_plane) = (cols.out_len, rows.out_len * cols.out_len);
    let taps = rows.kernel * cols.kernel;
    let fan = if depthwise { 1 } else { d.channels_in };
    let filters = w.chunks_exact(fan * taps).zip(bias);
    for (o, ((filter, &b), yo)) in filters.zip(y.chunks_exact_mut(out_plane)).enumerate() {
        let first = if depthwise { o } else { 0 };
        let inputs = x.get(first * plane..).unwrap_or(&[]).chunks_exact(plane);
        for (r, yr) in yo.chunks_exact_mut(out_w).enumerate() {
            // The input rows of this window, and its first tap among them.
            let iy = rows.inside(r);
            let ky = (iy.start + rows.padding).saturating_sub(r * rows.stride);
            for (c, yv) in yr.iter_mut().enumerate() {
                let ix = cols.inside(c);
                let kx = (ix.start + cols.padding).saturating_sub(c * cols.stride);
                let mut acc = b;
                for (xc, wc) in inputs.clone().zip(filter.chunks_exact(taps)) {
                    let xs = xc.chunks_exact(width).skip(iy.start).take(iy.len());
                    let ws = wc.chunks_exact(cols.kernel).skip(ky);
                    for (xrow, wrow) in xs.zip(ws) {
                        let xrow = xrow.get(ix.clone()).unwrap_or(&[]);
                        for (&xv, &wv) in xrow.iter().zip(wrow.iter().skip(kx)) {
                            let v = i32::from(xv) - zin;
                            acc = acc.wrapping_add(v.wrapping_mul(i32::from(wv)));
                        }
                    }
                }
                *yv = out(o, acc);
            }
        }
    }
}
