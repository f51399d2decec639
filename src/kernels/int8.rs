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
    #[cfg(typegrad_arm_dsp)]
    if !depthwise && d.pointwise() {
        return pointwise_i8_packed::<super::arm::Dsp>(
            d.channels_in,
            plane,
            x,
            zin,
            w,
            bias,
            out,
            y,
        );
    }
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
            acc = offset_dot(xs, ws, zin, acc);
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
            acc = offset_dot(xrow, wrow.iter().skip(t.first.1), zin, acc);
        }
    }
    acc
}

/// `y[o] = out(o, bias[o] + Σᵢ w[o][i] · (x[i] − zin))` for the rows `w[o]` (`x.len()` values
/// each, row after row), in wrapping int32: the int8 fully connected layer. On the Armv7E-M
/// cores (Cortex-M4/M7: `cfg(typegrad_arm_dsp)`) with the DSP instructions, four rows at once
/// ([`dense_i8_packed`] with [`super::arm::Dsp`]); on the other Arm cores two rows at once
/// ([`dense_i8_pairs`]); elsewhere four ([`dense_i8_rows`]), in plain Rust. Measured on the
/// digits MLP (instructions per inference, QEMU): Cortex-M4F 19,596 → 7,414 (CMSIS-NN 7,925),
/// Cortex-M0 27,864 → 18,366 (CMSIS-NN 19,176; the inner loop in assembly,
/// [`super::arm::dot2`]). Integer sums: every order gives the same bits.
#[inline(always)]
pub(crate) fn dense_i8(
    w: &[i8],
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    #[cfg(typegrad_arm_dsp)]
    dense_i8_packed::<super::arm::Dsp>(w, x, zin, bias, out, y);
    // Cortex-M0/M0+/M3: eight low registers; two rows at once keep the loop out of the stack.
    #[cfg(all(target_arch = "arm", not(typegrad_arm_dsp)))]
    dense_i8_pairs(w, x, zin, bias, out, y);
    #[cfg(not(target_arch = "arm"))]
    dense_i8_rows(w, x, zin, bias, out, y);
}

/// `acc + Σ w·(x − zin)` over the pairs of `xs` and `ws` (the shorter decides), in wrapping
/// int32: the convolution's windows, and the one-row sum the blocked kernels fall back to for
/// the rows, columns or pixels that do not fill a block.
#[inline(always)]
fn offset_dot<'a, 'b>(
    xs: impl IntoIterator<Item = &'a i8>,
    ws: impl IntoIterator<Item = &'b i8>,
    zin: i32,
    acc: i32,
) -> i32 {
    xs.into_iter().zip(ws).fold(acc, |a, (&xv, &wv)| {
        a.wrapping_add((i32::from(xv) - zin).wrapping_mul(i32::from(wv)))
    })
}

/// [`dense_i8`] two rows at a time sharing each input value, for the Arm cores without the DSP
/// extension (Armv6-M's eight low registers hold two rows' loop; measured on the Cortex-M0 in
/// plain Rust: two rows 22,980 instructions per digits inference, three 25,342, four 24,007;
/// with the inner loop in assembly, [`super::arm::dot2`], 18,366). Plain Rust elsewhere (the
/// host tests).
#[cfg(any(test, all(target_arch = "arm", not(typegrad_arm_dsp))))]
#[inline(always)]
pub(crate) fn dense_i8_pairs(
    w: &[i8],
    x: &[i8],
    zin: i32,
    bias: &[i32],
    mut out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let n = x.len();
    let mut o = 0;
    if n > 0 {
        let mut ys = y.chunks_exact_mut(2);
        for ((pair, b), yp) in w.chunks_exact(2 * n).zip(bias.chunks_exact(2)).zip(&mut ys) {
            let (r0, r1) = pair.split_at(n);
            #[cfg(all(target_arch = "arm", not(typegrad_arm_dsp)))]
            let (a0, a1) = super::arm::dot2(x, r0, r1, zin, (b[0], b[1]));
            #[cfg(not(all(target_arch = "arm", not(typegrad_arm_dsp))))]
            let (a0, a1) = x.iter().zip(r0.iter().zip(r1)).fold(
                (b[0], b[1]),
                |(a0, a1), (&xv, (&w0, &w1))| {
                    let v = i32::from(xv) - zin;
                    (
                        a0.wrapping_add(v.wrapping_mul(i32::from(w0))),
                        a1.wrapping_add(v.wrapping_mul(i32::from(w1))),
                    )
                },
            );
            if let [y0, y1] = yp {
                *y0 = out(o, a0);
                *y1 = out(o + 1, a1);
            }
            o += 2;
        }
    }
    for (yo, &b) in y.iter_mut().zip(bias).skip(o) {
        *yo = out(
            o,
            offset_dot(x, w.get(o * n..(o + 1) * n).unwrap_or(&[]), zin, b),
        );
        o += 1;
    }
}

/// [`dense_i8`] in plain Rust: four rows share each input value.
#[cfg(any(test, not(target_arch = "arm")))]
#[inline(always)]
pub(crate) fn dense_i8_rows(
    w: &[i8],
    x: &[i8],
    zin: i32,
    bias: &[i32],
    mut out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let n = x.len();
    if n == 0 {
        for (o, (yo, &b)) in y.iter_mut().zip(bias).enumerate() {
            *yo = out(o, b);
        }
        return;
    }
    let mut o = 0;
    let mut rows = w.chunks_exact(4 * n).zip(bias.chunks_exact(4));
    let mut ys = y.chunks_exact_mut(4);
    for ((block, b), yb) in (&mut rows).zip(&mut ys) {
        let (r0, rest) = block.split_at(n);
        let (r1, rest) = rest.split_at(n);
        let (r2, r3) = rest.split_at(n);
        let (mut a0, mut a1, mut a2, mut a3) = (b[0], b[1], b[2], b[3]);
        for ((&xv, (&w0, &w1)), (&w2, &w3)) in
            x.iter().zip(r0.iter().zip(r1)).zip(r2.iter().zip(r3))
        {
            let v = i32::from(xv) - zin;
            a0 = a0.wrapping_add(v.wrapping_mul(i32::from(w0)));
            a1 = a1.wrapping_add(v.wrapping_mul(i32::from(w1)));
            a2 = a2.wrapping_add(v.wrapping_mul(i32::from(w2)));
            a3 = a3.wrapping_add(v.wrapping_mul(i32::from(w3)));
        }
        if let [y0, y1, y2, y3] = yb {
            *y0 = out(o, a0);
            *y1 = out(o + 1, a1);
            *y2 = out(o + 2, a2);
            *y3 = out(o + 3, a3);
        }
        o += 4;
    }
    let rest = w.get(o * n..).unwrap_or(&[]).chunks_exact(n);
    for ((row, &b), yo) in rest
        .zip(bias.get(o..).unwrap_or(&[]))
        .zip(ys.into_remainder())
    {
        *yo = out(o, offset_dot(x, row, zin, b));
        o += 1;
    }
}

/// The Armv7E-M DSP instructions the packed int8 kernels use, on words holding two 16-bit or
/// four 8-bit lanes: [`super::arm::Dsp`] is the instructions themselves (inline assembly),
/// [`Emulated`] their definitions in plain Rust (for the host tests of the kernels).
#[cfg(any(test, typegrad_arm_dsp))]
pub(crate) trait DspOps {
    /// `SXTB16`: bytes 0 and 2 of `x`, sign-extended into the two halfwords.
    fn sxtb16(x: u32) -> u32;
    /// `SXTB16 …, ROR #8`: bytes 1 and 3.
    fn sxtb16_ror8(x: u32) -> u32;
    /// `SXTAB16`: `a` plus bytes 0 and 2 of `x`, halfword by halfword (mod 2¹⁶).
    fn sxtab16(a: u32, x: u32) -> u32;
    /// `SXTAB16 …, ROR #8`: `a` plus bytes 1 and 3.
    fn sxtab16_ror8(a: u32, x: u32) -> u32;
    /// `SMLAD`: `acc + a.lo · b.lo + a.hi · b.hi` (signed halfwords; wrapping).
    fn smlad(a: u32, b: u32, acc: i32) -> i32;
    /// `SMLABB`: `acc + a.lo · b.lo` (signed halfwords; wrapping).
    fn smlabb(a: u32, b: u32, acc: i32) -> i32;
    /// `SMLABT`: `acc + a.lo · b.hi` (signed halfwords; wrapping).
    fn smlabt(a: u32, b: u32, acc: i32) -> i32;
}

/// The DSP instructions' definitions (ARM Architecture Reference Manual, Armv7-M), in plain
/// Rust.
#[cfg(test)]
pub(crate) struct Emulated;

#[cfg(test)]
impl DspOps for Emulated {
    fn sxtb16(x: u32) -> u32 {
        let lo = x as u8 as i8 as i16 as u16 as u32;
        let hi = (x >> 16) as u8 as i8 as i16 as u16 as u32;
        lo | hi << 16
    }
    fn sxtb16_ror8(x: u32) -> u32 {
        Self::sxtb16(x.rotate_right(8))
    }
    fn sxtab16(a: u32, x: u32) -> u32 {
        let e = Self::sxtb16(x);
        let lo = (a as u16).wrapping_add(e as u16) as u32;
        let hi = ((a >> 16) as u16).wrapping_add((e >> 16) as u16) as u32;
        lo | hi << 16
    }
    fn sxtab16_ror8(a: u32, x: u32) -> u32 {
        Self::sxtab16(a, x.rotate_right(8))
    }
    fn smlad(a: u32, b: u32, acc: i32) -> i32 {
        let lo = i32::from(a as u16 as i16) * i32::from(b as u16 as i16);
        let hi = i32::from((a >> 16) as u16 as i16) * i32::from((b >> 16) as u16 as i16);
        acc.wrapping_add(lo).wrapping_add(hi)
    }
    fn smlabb(a: u32, b: u32, acc: i32) -> i32 {
        acc.wrapping_add(i32::from(a as u16 as i16) * i32::from(b as u16 as i16))
    }
    fn smlabt(a: u32, b: u32, acc: i32) -> i32 {
        acc.wrapping_add(i32::from(a as u16 as i16) * i32::from((b >> 16) as u16 as i16))
    }
}

/// Four int8 values as one little-endian word (one `LDR`).
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
fn word(c: &[i8]) -> u32 {
    match c {
        [a, b, c, d, ..] => u32::from_le_bytes([*a as u8, *b as u8, *c as u8, *d as u8]),
        _ => 0,
    }
}

/// [`dense_i8`] with packed 16-bit multiply-accumulates (CMSIS-NN's scheme, with four rows
/// instead of two): four inputs are loaded as one word and widened, offset by `−zin`, into two
/// words of halfword pairs (`SXTAB16`) once for four rows; each row's four weights are one
/// word widened by two `SXTB16` and summed by two `SMLAD`s. Bytes 0, 2 and 1, 3 pair up in
/// both, so no reordering is needed.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
pub(crate) fn dense_i8_packed<D: DspOps>(
    w: &[i8],
    x: &[i8],
    zin: i32,
    bias: &[i32],
    mut out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let n = x.len();
    let whole = n - n % 4;
    let off = u32::from(zin.wrapping_neg() as u16) * 0x0001_0001;
    // The columns that do not fill a word, one by one.
    let tail = |row: &[i8], acc: i32| {
        let xs = x.get(whole..).unwrap_or(&[]);
        offset_dot(xs, row.get(whole..).unwrap_or(&[]), zin, acc)
    };
    let mut o = 0;
    if n > 0 {
        let mut ys = y.chunks_exact_mut(4);
        for ((block, b), yb) in w.chunks_exact(4 * n).zip(bias.chunks_exact(4)).zip(&mut ys) {
            let (r0, rest) = block.split_at(n);
            let (r1, rest) = rest.split_at(n);
            let (r2, r3) = rest.split_at(n);
            let (mut a0, mut a1, mut a2, mut a3) = (b[0], b[1], b[2], b[3]);
            let quads = x
                .chunks_exact(4)
                .zip(r0.chunks_exact(4).zip(r1.chunks_exact(4)));
            let quads = quads.zip(r2.chunks_exact(4).zip(r3.chunks_exact(4)));
            for ((xq, (q0, q1)), (q2, q3)) in quads {
                let xv = word(xq);
                let (x0, x1) = (D::sxtab16(off, xv), D::sxtab16_ror8(off, xv));
                let (w0, w1, w2, w3) = (word(q0), word(q1), word(q2), word(q3));
                a0 = D::smlad(D::sxtb16(w0), x0, a0);
                a0 = D::smlad(D::sxtb16_ror8(w0), x1, a0);
                a1 = D::smlad(D::sxtb16(w1), x0, a1);
                a1 = D::smlad(D::sxtb16_ror8(w1), x1, a1);
                a2 = D::smlad(D::sxtb16(w2), x0, a2);
                a2 = D::smlad(D::sxtb16_ror8(w2), x1, a2);
                a3 = D::smlad(D::sxtb16(w3), x0, a3);
                a3 = D::smlad(D::sxtb16_ror8(w3), x1, a3);
            }
            if let [y0, y1, y2, y3] = yb {
                *y0 = out(o, tail(r0, a0));
                *y1 = out(o + 1, tail(r1, a1));
                *y2 = out(o + 2, tail(r2, a2));
                *y3 = out(o + 3, tail(r3, a3));
            }
            o += 4;
        }
    }
    // The last rows (fewer than four), one at a time.
    for (yo, &b) in y.iter_mut().zip(bias).skip(o) {
        let row = w.get(o * n..(o + 1) * n).unwrap_or(&[]);
        let mut acc = b;
        for (xq, q) in x.chunks_exact(4).zip(row.chunks_exact(4)) {
            let (xv, wv) = (word(xq), word(q));
            acc = D::smlad(D::sxtb16(wv), D::sxtab16(off, xv), acc);
            acc = D::smlad(D::sxtb16_ror8(wv), D::sxtab16_ror8(off, xv), acc);
        }
        *yo = out(o, tail(row, acc));
        o += 1;
    }
}

/// A pointwise (1 × 1, stride 1, no padding) int8 convolution over channel planes of `plane`
/// values: `y[o][p] = out(o, bias[o] + Σ_c w[o][c] · (x[c][p] − zin))`. Two output channels
/// and four pixels at once: each word of four pixels of a channel is widened once (two
/// `SXTB16`) for both channels, and each weight multiplies four pixels (`SMLABB`/`SMLABT`,
/// one instruction per multiply-accumulate); the input offset is taken out of the loop
/// (`Σ w·(x − zin) = Σ w·x − zin·Σ w`, in wrapping int32 as every order); the pixels that do
/// not fill a word, and an odd last channel, one by one.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn pointwise_i8_packed<D: DspOps>(
    channels: usize,
    plane: usize,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    mut out: impl FnMut(usize, i32) -> i8,
    y: &mut [i8],
) {
    let whole = plane - plane % 4;
    let x = x.get(..channels * plane).unwrap_or(&[]);
    let one = |wo: &[i8], p: usize, b: i32| {
        offset_dot(x.iter().skip(p).step_by(plane.max(1)), wo, zin, b)
    };
    let mut o = 0;
    if channels > 0 && plane > 0 {
        let pairs = w.chunks_exact(2 * channels).zip(bias.chunks_exact(2));
        for ((wp, b), yp) in pairs.zip(y.chunks_exact_mut(2 * plane)) {
            let (w0, w1) = wp.split_at(channels);
            let (y0, y1) = yp.split_at_mut(plane);
            // Σ w·(x − zin) = Σ w·x − zin·Σ w: the offset leaves the loop (one register fewer).
            let folded = |wo: &[i8], b: i32| {
                let sum = wo.iter().fold(0i32, |a, &v| a.wrapping_add(i32::from(v)));
                b.wrapping_sub(zin.wrapping_mul(sum))
            };
            let (b0, b1) = (folded(w0, b[0]), folded(w1, b[1]));
            for p in (0..whole).step_by(4) {
                let (mut a0, mut a1, mut a2, mut a3) = (b0, b0, b0, b0);
                let (mut c0, mut c1, mut c2, mut c3) = (b1, b1, b1, b1);
                for ((xc, &u), &v) in x.chunks_exact(plane).zip(w0).zip(w1) {
                    let xv = word(xc.get(p..).unwrap_or(&[]));
                    let (even, odd) = (D::sxtb16(xv), D::sxtb16_ror8(xv));
                    let (u, v) = (i32::from(u) as u32, i32::from(v) as u32);
                    a0 = D::smlabb(u, even, a0);
                    a2 = D::smlabt(u, even, a2);
                    a1 = D::smlabb(u, odd, a1);
                    a3 = D::smlabt(u, odd, a3);
                    c0 = D::smlabb(v, even, c0);
                    c2 = D::smlabt(v, even, c2);
                    c1 = D::smlabb(v, odd, c1);
                    c3 = D::smlabt(v, odd, c3);
                }
                if let (Some([y00, y01, y02, y03]), Some([y10, y11, y12, y13])) =
                    (y0.get_mut(p..p + 4), y1.get_mut(p..p + 4))
                {
                    *y00 = out(o, a0);
                    *y01 = out(o, a1);
                    *y02 = out(o, a2);
                    *y03 = out(o, a3);
                    *y10 = out(o + 1, c0);
                    *y11 = out(o + 1, c1);
                    *y12 = out(o + 1, c2);
                    *y13 = out(o + 1, c3);
                }
            }
            for (p, v) in y0.iter_mut().enumerate().skip(whole) {
                *v = out(o, one(w0, p, b[0]));
            }
            for (p, v) in y1.iter_mut().enumerate().skip(whole) {
                *v = out(o + 1, one(w1, p, b[1]));
            }
            o += 2;
        }
    }
    // An odd last output channel.
    let rest = y.chunks_exact_mut(plane.max(1)).skip(o);
    for (yo, &b) in rest.zip(bias.get(o..).unwrap_or(&[])) {
        let wo = w.get(o * channels..(o + 1) * channels).unwrap_or(&[]);
        for (p, v) in yo.iter_mut().enumerate() {
            *v = out(o, one(wo, p, b));
        }
        o += 1;
    }
}
