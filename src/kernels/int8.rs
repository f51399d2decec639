//! The int8 kernels of the quantized layers, on activations in NHWC order (row, column,
//! channel: a pixel's channels side by side, as TFLite Micro and CMSIS-NN hold them) and
//! weights in TFLite's order (`[out][ky][kx][in]`; `[ky][kx][channel]` depthwise). Each output
//! is computed whole — its taps inside the input, offset by the input's zero point, summed in
//! wrapping int32 from the bias — and requantized at once, so no int32 plane is kept. Integer
//! addition is associative, so every order gives the same bits.
//!
//! * A full convolution is, per output pixel, a fully connected layer over the window: each
//!   window row inside the input is one contiguous run of `columns · channels` values in the
//!   input and in every filter ([`Run`]), so [`dense_runs`] computes it with the fully
//!   connected kernels (four output channels share each input word); a 1 × 1 convolution is
//!   one run per pixel.
//! * A depthwise convolution takes four channels at once: a word of four input channels and
//!   a word of their four weights per tap ([`depthwise_i8`]).
//! * Pooling reduces each channel of a window ([`pool_i8_nhwc`]).

use super::conv::Window2d;

/// What the int8 kernels do with an accumulator: requantize output channel `o`'s int32 sum
/// to int8 (a layer's rescaling, zero point and clamp). A trait, not a closure, so that its
/// `#[inline(always)]` methods are inlined into every kernel (a closure passed down was
/// called out of line on the Cortex-M4F at opt-level "s"). What a channel needs is worked
/// out once ([`channel`](Requantize::channel)) for as many accumulators as a kernel has of
/// it ([`apply`](Requantize::apply)).
pub(crate) trait Requantize {
    /// Output channel `o`'s requantization, ready to apply.
    type Channel: Copy;
    /// Output channel `o`'s [`Channel`](Requantize::Channel).
    fn channel(&self, o: usize) -> Self::Channel;
    /// The int8 value of the accumulator `acc` of the channel `c`.
    fn apply(&mut self, c: &Self::Channel, acc: i32) -> i8;
    /// Whether `c` takes the common path, [`apply_plain`](Requantize::apply_plain) (checked
    /// once for many accumulators; the packed kernels of the Armv7E-M cores ask).
    #[cfg_attr(not(any(test, typegrad_arm_dsp)), allow(dead_code))]
    #[inline(always)]
    fn is_plain(&self, _c: &Self::Channel) -> bool {
        false
    }
    /// [`apply`](Requantize::apply) for a channel [`is_plain`](Requantize::is_plain) accepted,
    /// without the check.
    #[cfg_attr(not(any(test, typegrad_arm_dsp)), allow(dead_code))]
    #[inline(always)]
    fn apply_plain(&mut self, c: &Self::Channel, acc: i32) -> i8 {
        self.apply(c, acc)
    }
    /// Output `o`'s int8 value for the accumulator `acc`.
    #[inline(always)]
    fn requantize(&mut self, o: usize, acc: i32) -> i8 {
        let c = self.channel(o);
        self.apply(&c, acc)
    }
}

/// Any closure (the kernel tests collect the accumulators).
impl<F: FnMut(usize, i32) -> i8> Requantize for F {
    type Channel = usize;
    #[inline(always)]
    fn channel(&self, o: usize) -> usize {
        o
    }
    #[inline(always)]
    fn apply(&mut self, &o: &usize, acc: i32) -> i8 {
        self(o, acc)
    }
}

/// `(a·m + 2³⁰) >> 31` (`m ≥ 0`: gemmlowp's rounding doubling high multiply without its
/// saturation, which only `a = m = −2³¹` needs): on the Armv7E-M cores one `SMLAL`
/// ([`super::arm::doubling_high_mul`]) where LLVM forms an unsigned multiply and corrects its
/// sign.
#[inline(always)]
pub(crate) fn doubling_high_mul(a: i32, m: i32) -> i32 {
    #[cfg(typegrad_arm_dsp)]
    return super::arm::doubling_high_mul(a, m);
    #[cfg(not(typegrad_arm_dsp))]
    return ((i64::from(a) * i64::from(m) + (1 << 30)) >> 31) as i32;
}

/// A contiguous part of a dot product: `len` values from position `x` of the input and from
/// position `w` of each weight row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Run {
    /// The first input value.
    pub x: usize,
    /// The first weight of each row (from the row's start).
    pub w: usize,
    /// Values.
    pub len: usize,
}

impl Run {
    /// The input values of the run (empty if it does not fit).
    #[inline(always)]
    fn of_input<'a>(&self, x: &'a [i8]) -> &'a [i8] {
        x.get(self.x..self.x + self.len).unwrap_or(&[])
    }

    /// The weights of the run in the row starting at `row`.
    #[inline(always)]
    fn of_row<'a>(&self, w: &'a [i8], row: usize) -> &'a [i8] {
        let start = row + self.w;
        w.get(start..start + self.len).unwrap_or(&[])
    }
}

/// `y[r][c][o] = out.requantize(o, bias[o] + Σ w[o][ky][kx][ch] · (x[r·Sh + ky − Ph][c·Sw + kx − Pw][ch]
/// − zin))` over the taps inside the input and the input channels `ch` (only `ch = o` when
/// `depthwise`; the weight is then `[ky][kx][o]`), in wrapping int32; `x` and `y` in NHWC
/// order; `out` requantizes an accumulator of output channel `o`.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn conv2d_i8(
    d: &Window2d,
    depthwise: bool,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    if depthwise {
        return depthwise_i8(d, x, zin, w, bias, out, y);
    }
    let (rows, cols) = (&d.rows, &d.cols);
    let (ci, co) = (d.channels_in, d.channels_out.max(1));
    let fan = rows.kernel * cols.kernel * ci;
    if rows.kernel * cols.kernel > 1 && fan <= PATCH {
        return conv2d_i8_patches(d, x, zin, w, bias, out, y);
    }
    #[cfg(typegrad_arm_dsp)]
    if pointwise_i8_packed::<super::arm::Dsp>(d, x, zin, w, bias, out, y) {
        return;
    }
    let pixels = y.chunks_exact_mut(co).take(rows.out_len * cols.out_len);
    for (p, yp) in pixels.enumerate() {
        let (r, c) = (p / cols.out_len.max(1), p % cols.out_len.max(1));
        let (iy, ix) = (rows.inside(r), cols.inside(c));
        let ky = (iy.start + rows.padding).saturating_sub(r * rows.stride);
        let kx = (ix.start + cols.padding).saturating_sub(c * cols.stride);
        let (len, first) = (ix.len() * ci, ix.start);
        let runs = iy.enumerate().map(move |(n, yy)| Run {
            x: (yy * cols.length + first) * ci,
            w: ((ky + n) * cols.kernel + kx) * ci,
            len,
        });
        dense_runs(w, fan, runs, x, zin, bias, &mut *out, yp);
    }
}

/// The largest window (`kh · kw · channels` values) [`conv2d_i8`] gathers into a patch on
/// the stack.
const PATCH: usize = 1024;

/// [`conv2d_i8`] (full, a window of more than one tap, at most [`PATCH`] values) with each
/// pixel's window gathered first into one patch in the filter's order (`[ky][kx][ch]`, taps
/// outside the input filled with `zin`, whose offset value is 0): one run of the fully
/// connected kernel per pixel, however short the window's rows (measured on the Cortex-M4F
/// for the DS-CNN's 10 × 4 first layer, one input channel: 14.9 instructions per MAC with a
/// run per window row, 10 rows of 4 values).
#[inline(always)]
fn conv2d_i8_patches(
    d: &Window2d,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let (rows, cols) = (&d.rows, &d.cols);
    let (ci, co) = (d.channels_in, d.channels_out.max(1));
    let fan = rows.kernel * cols.kernel * ci;
    let row_len = cols.kernel * ci;
    let mut patch = [0i8; PATCH];
    let pad = zin.clamp(-128, 127) as i8;
    let ow = cols.out_len.max(1);
    for (p, yp) in y.chunks_exact_mut(co).take(rows.out_len * ow).enumerate() {
        let window = Patch::of(d, p / ow, p % ow);
        let (ky, kx) = window.first;
        let inside = window.cols.len() * ci;
        for (k, dst) in patch
            .chunks_exact_mut(row_len.max(1))
            .take(rows.kernel)
            .enumerate()
        {
            let yy = k.checked_sub(ky).filter(|&n| n < window.rows.len());
            let src = yy
                .map(|n| (window.rows.start + n) * cols.length + window.cols.start)
                .and_then(|i| x.get(i * ci..i * ci + inside));
            match (src, dst.get_mut(kx * ci..kx * ci + inside)) {
                (Some(src), Some(mid)) => {
                    mid.copy_from_slice(src);
                    let (before, rest) = dst.split_at_mut(kx * ci);
                    before.fill(pad);
                    if let Some(after) = rest.get_mut(inside..) {
                        after.fill(pad);
                    }
                }
                _ => dst.fill(pad),
            }
        }
        let run = Run {
            x: 0,
            w: 0,
            len: fan,
        };
        let patch = patch.get(..fan).unwrap_or(&[]);
        dense_runs(
            w,
            fan,
            core::iter::once(run),
            patch,
            zin,
            bias,
            &mut *out,
            yp,
        );
    }
}

/// `y[o] = out.requantize(o, bias[o] + Σᵢ w[o][i] · (x[i] − zin))` for the rows `w[o]` (`x.len()` values
/// each, row after row), in wrapping int32: the int8 fully connected layer ([`dense_runs`]
/// with one run).
#[inline(always)]
pub(crate) fn dense_i8(
    w: &[i8],
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let n = x.len();
    let run = Run { x: 0, w: 0, len: n };
    dense_runs(w, n, core::iter::once(run), x, zin, bias, out, y);
}

/// `y[o] = out.requantize(o, bias[o] + Σ_runs Σⱼ w[o·fan + run.w + j] · (x[run.x + j] − zin))`, in
/// wrapping int32: a fully connected layer over parts of the input. On the Armv7E-M cores
/// (Cortex-M4/M7: `cfg(typegrad_arm_dsp)`) with the DSP instructions, four rows at once
/// ([`dense_i8_packed`] with [`super::arm::Dsp`]); on the other Arm cores two rows at once
/// ([`dense_i8_pairs`]); elsewhere four ([`dense_i8_rows`]), in plain Rust. Measured on the
/// digits MLP (instructions per inference, QEMU): Cortex-M4F 19,596 → 7,414 (CMSIS-NN 7,925),
/// Cortex-M0 27,864 → 18,366 (CMSIS-NN 19,176; the inner loop in assembly,
/// [`super::arm::dot2`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_runs(
    w: &[i8],
    fan: usize,
    runs: impl Iterator<Item = Run> + Clone,
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    if fan == 0 {
        // No weights: every output is its bias.
        for (o, (v, &b)) in y.iter_mut().zip(bias).enumerate() {
            *v = out.requantize(o, b);
        }
        return;
    }
    #[cfg(typegrad_arm_dsp)]
    dense_i8_packed::<super::arm::Dsp>(w, fan, runs, x, zin, bias, out, y);
    // Cortex-M0/M0+/M3: eight low registers; two rows at once keep the loop out of the stack.
    #[cfg(all(target_arch = "arm", not(typegrad_arm_dsp)))]
    dense_i8_pairs(w, fan, runs, x, zin, bias, out, y);
    #[cfg(not(target_arch = "arm"))]
    dense_i8_rows(w, fan, runs, x, zin, bias, out, y);
}

/// `acc + Σ w·(x − zin)` over the pairs of `xs` and `ws` (the shorter decides), in wrapping
/// int32: the one-row sum the blocked kernels fall back to for the rows, columns or channels
/// that do not fill a block.
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

/// Row `o`'s sum over every run, one row alone (the rows after the last whole block).
#[cfg(any(test, not(typegrad_arm_dsp)))]
#[inline(always)]
fn one_row(
    w: &[i8],
    fan: usize,
    runs: impl Iterator<Item = Run>,
    x: &[i8],
    zin: i32,
    o: usize,
    b: i32,
) -> i32 {
    runs.fold(b, |acc, run| {
        offset_dot(run.of_input(x), run.of_row(w, o * fan), zin, acc)
    })
}

/// [`dense_runs`] two rows at a time sharing each input value, for the Arm cores without the
/// DSP extension (Armv6-M's eight low registers hold two rows' loop; measured on the
/// Cortex-M0 in plain Rust: two rows 22,980 instructions per digits inference, three 25,342,
/// four 24,007; with the inner loop in assembly, [`super::arm::dot2`], 18,366). Plain Rust
/// elsewhere (the host tests).
#[cfg(any(test, all(target_arch = "arm", not(typegrad_arm_dsp))))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_i8_pairs(
    w: &[i8],
    fan: usize,
    runs: impl Iterator<Item = Run> + Clone,
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let mut o = 0;
    let mut ys = y.chunks_exact_mut(2);
    let pairs = w.chunks_exact(2 * fan.max(1)).zip(bias.chunks_exact(2));
    for ((pair, b), yp) in pairs.zip(&mut ys) {
        let (r0, r1) = pair.split_at(fan);
        let mut a = (b[0], b[1]);
        for run in runs.clone() {
            let xs = run.of_input(x);
            let (r0, r1) = (run.of_row(r0, 0), run.of_row(r1, 0));
            #[cfg(all(target_arch = "arm", not(typegrad_arm_dsp)))]
            {
                a = super::arm::dot2(xs, r0, r1, zin, a);
            }
            #[cfg(not(all(target_arch = "arm", not(typegrad_arm_dsp))))]
            {
                a = xs
                    .iter()
                    .zip(r0.iter().zip(r1))
                    .fold(a, |(a0, a1), (&xv, (&w0, &w1))| {
                        let v = i32::from(xv) - zin;
                        (
                            a0.wrapping_add(v.wrapping_mul(i32::from(w0))),
                            a1.wrapping_add(v.wrapping_mul(i32::from(w1))),
                        )
                    });
            }
        }
        if let [y0, y1] = yp {
            *y0 = out.requantize(o, a.0);
            *y1 = out.requantize(o + 1, a.1);
        }
        o += 2;
    }
    for (yo, &b) in ys
        .into_remainder()
        .iter_mut()
        .zip(bias.get(o..).unwrap_or(&[]))
    {
        *yo = out.requantize(o, one_row(w, fan, runs.clone(), x, zin, o, b));
        o += 1;
    }
}

/// [`dense_runs`] in plain Rust: four rows share each input value.
#[cfg(any(test, not(target_arch = "arm")))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_i8_rows(
    w: &[i8],
    fan: usize,
    runs: impl Iterator<Item = Run> + Clone,
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let mut o = 0;
    let mut ys = y.chunks_exact_mut(4);
    let blocks = w.chunks_exact(4 * fan.max(1)).zip(bias.chunks_exact(4));
    for ((block, b), yb) in blocks.zip(&mut ys) {
        let (r0, rest) = block.split_at(fan);
        let (r1, rest) = rest.split_at(fan);
        let (r2, r3) = rest.split_at(fan);
        let (mut a0, mut a1, mut a2, mut a3) = (b[0], b[1], b[2], b[3]);
        for run in runs.clone() {
            let (r0, r1) = (run.of_row(r0, 0), run.of_row(r1, 0));
            let (r2, r3) = (run.of_row(r2, 0), run.of_row(r3, 0));
            let quads = run.of_input(x).iter().zip(r0.iter().zip(r1));
            for ((&xv, (&w0, &w1)), (&w2, &w3)) in quads.zip(r2.iter().zip(r3)) {
                let v = i32::from(xv) - zin;
                a0 = a0.wrapping_add(v.wrapping_mul(i32::from(w0)));
                a1 = a1.wrapping_add(v.wrapping_mul(i32::from(w1)));
                a2 = a2.wrapping_add(v.wrapping_mul(i32::from(w2)));
                a3 = a3.wrapping_add(v.wrapping_mul(i32::from(w3)));
            }
        }
        if let [y0, y1, y2, y3] = yb {
            *y0 = out.requantize(o, a0);
            *y1 = out.requantize(o + 1, a1);
            *y2 = out.requantize(o + 2, a2);
            *y3 = out.requantize(o + 3, a3);
        }
        o += 4;
    }
    for (yo, &b) in ys
        .into_remainder()
        .iter_mut()
        .zip(bias.get(o..).unwrap_or(&[]))
    {
        *yo = out.requantize(o, one_row(w, fan, runs.clone(), x, zin, o, b));
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
    /// `SMLATT`: `acc + a.hi · b.hi` (signed halfwords; wrapping).
    fn smlatt(a: u32, b: u32, acc: i32) -> i32;
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
    fn smlatt(a: u32, b: u32, acc: i32) -> i32 {
        acc.wrapping_add(i32::from((a >> 16) as u16 as i16) * i32::from((b >> 16) as u16 as i16))
    }
}

/// Four int8 values as one little-endian word (one `LDR`; zero if fewer remain).
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
fn word(c: &[i8]) -> u32 {
    match c {
        [a, b, c, d, ..] => u32::from_le_bytes([*a as u8, *b as u8, *c as u8, *d as u8]),
        _ => 0,
    }
}

/// [`dense_runs`] with packed 16-bit multiply-accumulates (CMSIS-NN's scheme, with four rows
/// instead of two): four inputs are loaded as one word and widened, offset by `−zin`, into two
/// words of halfword pairs (`SXTAB16`) once for four rows; each row's four weights are one
/// word widened by two `SXTB16` and summed by two `SMLAD`s. Bytes 0, 2 and 1, 3 pair up in
/// both, so no reordering is needed. A run's last values that do not fill a word, one by one.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn dense_i8_packed<D: DspOps>(
    w: &[i8],
    fan: usize,
    runs: impl Iterator<Item = Run> + Clone,
    x: &[i8],
    zin: i32,
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let off = u32::from(zin.wrapping_neg() as u16) * 0x0001_0001;
    let mut o = 0;
    let mut ys = y.chunks_exact_mut(4);
    // One run over whole rows of whole words (a fully connected layer, a pointwise pixel, a
    // patch): blocks of four rows straight through the assembly loop; whatever it leaves (the
    // last rows, or every block if a block is refused) the general loops below take.
    #[cfg(typegrad_arm_dsp)]
    if let Some(xs) = whole_rows(&runs, x, fan) {
        while let (Some(block), Some(b)) = (w.get(o * fan..(o + 4) * fan), bias.get(o..o + 4)) {
            let start = [b[0], b[1], b[2], b[3]];
            let Some([a0, a1, a2, a3]) = super::arm::dot4(xs, block, fan, off, start) else {
                break;
            };
            let Some([y0, y1, y2, y3]) = ys.next() else {
                break;
            };
            *y0 = out.requantize(o, a0);
            *y1 = out.requantize(o + 1, a1);
            *y2 = out.requantize(o + 2, a2);
            *y3 = out.requantize(o + 3, a3);
            o += 4;
        }
    }
    let blocks = w.chunks_exact(4 * fan.max(1)).zip(bias.chunks_exact(4));
    for ((block, b), yb) in blocks.skip(o / 4).zip(&mut ys) {
        // Four rows of `fan` weights from one block: the same length, a constant apart.
        let (r0, rest) = block.split_at(fan);
        let (r1, rest) = rest.split_at(fan);
        let (r2, r3) = rest.split_at(fan);
        let (mut a0, mut a1, mut a2, mut a3) = (b[0], b[1], b[2], b[3]);
        for run in runs.clone() {
            let xs = run.of_input(x);
            let (r0, r1) = (run.of_row(r0, 0), run.of_row(r1, 0));
            let (r2, r3) = (run.of_row(r2, 0), run.of_row(r3, 0));
            // On the Cortex-M4/M7 the words in assembly ([`super::arm::dot4`]), the four rows
            // `fan` apart from the block's first.
            #[cfg(typegrad_arm_dsp)]
            let summed = match super::arm::dot4(
                xs,
                block.get(run.w..).unwrap_or(&[]),
                fan,
                off,
                [a0, a1, a2, a3],
            ) {
                Some(a) => {
                    [a0, a1, a2, a3] = a;
                    true
                }
                None => false,
            };
            #[cfg(not(typegrad_arm_dsp))]
            let summed = false;
            let quads = xs
                .chunks_exact(4)
                .zip(r0.chunks_exact(4).zip(r1.chunks_exact(4)));
            let quads = quads.zip(r2.chunks_exact(4).zip(r3.chunks_exact(4)));
            for ((xq, (q0, q1)), (q2, q3)) in quads.take(if summed { 0 } else { usize::MAX }) {
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
            let whole = run.len - run.len % 4;
            if whole < run.len {
                let xt = xs.get(whole..).unwrap_or(&[]);
                let tail = |r: &[i8], acc| offset_dot(xt, r.get(whole..).unwrap_or(&[]), zin, acc);
                a0 = tail(r0, a0);
                a1 = tail(r1, a1);
                a2 = tail(r2, a2);
                a3 = tail(r3, a3);
            }
        }
        if let [y0, y1, y2, y3] = yb {
            *y0 = out.requantize(o, a0);
            *y1 = out.requantize(o + 1, a1);
            *y2 = out.requantize(o + 2, a2);
            *y3 = out.requantize(o + 3, a3);
        }
        o += 4;
    }
    // The last rows (fewer than four), one at a time.
    for (yo, &b) in ys
        .into_remainder()
        .iter_mut()
        .zip(bias.get(o..).unwrap_or(&[]))
    {
        let mut acc = b;
        for run in runs.clone() {
            let (xs, row) = (run.of_input(x), run.of_row(w, o * fan));
            for (xq, q) in xs.chunks_exact(4).zip(row.chunks_exact(4)) {
                let (xv, wv) = (word(xq), word(q));
                acc = D::smlad(D::sxtb16(wv), D::sxtab16(off, xv), acc);
                acc = D::smlad(D::sxtb16_ror8(wv), D::sxtab16_ror8(off, xv), acc);
            }
            let whole = run.len - run.len % 4;
            let (xt, rt) = (
                xs.get(whole..).unwrap_or(&[]),
                row.get(whole..).unwrap_or(&[]),
            );
            acc = offset_dot(xt, rt, zin, acc);
        }
        *yo = out.requantize(o, acc);
        o += 1;
    }
}

/// The input of `runs` when it is one run over whole rows (`w` at 0, `fan` values, a whole
/// number of words) inside `x`.
#[cfg(typegrad_arm_dsp)]
#[inline(always)]
fn whole_rows<'a>(
    runs: &(impl Iterator<Item = Run> + Clone),
    x: &'a [i8],
    fan: usize,
) -> Option<&'a [i8]> {
    let mut it = runs.clone();
    match (it.next(), it.next()) {
        (Some(run), None) if run.w == 0 && run.len == fan && fan % 4 == 0 && fan > 0 => {
            x.get(run.x..run.x + fan)
        }
        _ => None,
    }
}

/// The fewest output pixels for which [`pointwise_i8_packed`] interleaves the filters (below,
/// interleaving a block costs more than it saves: measured on MobileNet's Cortex-M4F
/// inference, 8 → 25.26 M instructions, 16 → 25.18 M, 40 → 26.08 M).
#[cfg(any(test, typegrad_arm_dsp))]
pub(crate) const POINTWISE_PIXELS: usize = 16;

/// The words of [`pointwise_i8_packed`]'s buffer on the stack: a block's four filters
/// (`channels_in` words), then four accumulators per pixel for as many pixels as fit.
#[cfg(any(test, typegrad_arm_dsp))]
const POINTWISE_WORDS: usize = 256;

/// The most input channels [`pointwise_i8_packed`] takes: at least four pixels' accumulators
/// fit beside the filters.
#[cfg(any(test, typegrad_arm_dsp))]
pub(crate) const POINTWISE_CHANNELS: usize = POINTWISE_WORDS - 16;

/// A 1 × 1 convolution without padding (CMSIS-NN's `arm_convolve_1x1_s8_fast` case; 77 % of
/// the DS-CNN's multiply-adds) over many pixels, with the DSP instructions: per block of four
/// output channels, the four filters are interleaved word by word into a buffer on the stack
/// (one `LDRD` then loads two rows' words) and their input offset folded into the bias
/// (`b − zin·Σw`: wrapping int32 sums are associative, so the bits do not change); the
/// pixels' accumulators are computed a run of pixels at a time ([`super::arm::dot4_pixels`]:
/// 21 instructions per 16 multiply-accumulates, 16 more per pixel) and then requantized
/// channel by channel (each channel's [`Requantize::Channel`] worked out once per block).
/// `false`, nothing written, unless the layer is such a convolution with a multiple of four
/// input channels (at most [`POINTWISE_CHANNELS`]) and of output channels, and at least
/// [`POINTWISE_PIXELS`] pixels.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
pub(crate) fn pointwise_i8_packed<D: DspOps>(
    d: &Window2d,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) -> bool {
    let (rows, cols) = (&d.rows, &d.cols);
    let (ci, co) = (d.channels_in, d.channels_out);
    let (oh, ow) = (rows.out_len, cols.out_len);
    let one_tap = |a: &super::conv::Window1d| {
        a.kernel == 1 && a.padding == 0 && a.out_len > 0 && (a.out_len - 1) * a.stride < a.length
    };
    let fits = one_tap(rows)
        && one_tap(cols)
        && ci > 0
        && ci % 4 == 0
        && ci <= POINTWISE_CHANNELS
        && co % 4 == 0
        && oh * ow >= POINTWISE_PIXELS
        && x.len() >= rows.length * cols.length * ci
        && w.len() >= co * ci
        && bias.len() >= co
        && y.len() >= oh * ow * co;
    if !fits {
        return false;
    }
    // One run of pixels when the input's pixels are the output's, in order (stride 1).
    let contiguous = rows.stride == 1 && cols.stride == 1;
    let mut buffer = [0u32; POINTWISE_WORDS];
    let (packed, accs) = buffer.split_at_mut(ci);
    let run = accs.len() / 4;
    for (b, block) in w.chunks_exact(4 * ci).take(co / 4).enumerate() {
        let channels: [_; 4] = core::array::from_fn(|k| out.channel(4 * b + k));
        let mut folded = [0i32; 4];
        for (r, row) in block.chunks_exact(ci).enumerate() {
            let sum = row.iter().fold(0i32, |s, &v| s + i32::from(v));
            folded[r] = bias[4 * b + r].wrapping_sub(zin.wrapping_mul(sum));
            for (q, src) in row.chunks_exact(4).enumerate() {
                packed[4 * q + r] = word(src);
            }
        }
        let mut first = 0;
        while first < oh * ow {
            let n = run.min(oh * ow - first);
            let accs = &mut accs[..4 * n];
            if contiguous {
                let xs = &x[first * ci..(first + n) * ci];
                dot4_pixels::<D>(xs, ci, packed, folded, accs);
            } else {
                for (j, acc) in accs.chunks_exact_mut(4).enumerate() {
                    let (r, c) = ((first + j) / ow, (first + j) % ow);
                    let at = (r * rows.stride * cols.length + c * cols.stride) * ci;
                    dot4_pixels::<D>(&x[at..at + ci], ci, packed, folded, acc);
                }
            }
            // Channel by channel: its requantization stays in registers.
            for (k, channel) in channels.iter().enumerate() {
                let at = first * co + 4 * b + k;
                if out.is_plain(channel) {
                    column::<_, true>(out, channel, y, at, co, accs, k);
                } else {
                    column::<_, false>(out, channel, y, at, co, accs, k);
                }
            }
            first += n;
        }
    }
    true
}

/// `y[at + j·co] = out.apply(channel, accs[4j + k])` for every pixel `j` of `accs` (four sums
/// each): one output channel of a run of pixels, its requantization in registers; `PLAIN`
/// when [`Requantize::is_plain`] said so for `channel` (no per-output check).
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
fn column<R: Requantize, const PLAIN: bool>(
    out: &mut R,
    channel: &R::Channel,
    y: &mut [i8],
    mut at: usize,
    co: usize,
    accs: &[u32],
    k: usize,
) {
    let channel = *channel;
    for quad in accs.chunks_exact(4) {
        if let (Some(v), Some(&acc)) = (y.get_mut(at), quad.get(k)) {
            *v = if PLAIN {
                out.apply_plain(&channel, acc as i32)
            } else {
                out.apply(&channel, acc as i32)
            };
        }
        at += co;
    }
}

/// The accumulators of the pixels of `x` (`ci` values each, one after the other) through the
/// four interleaved filters `packed` (word `4q + r` holds filter `r`'s values `4q … 4q + 3`)
/// from `folded`, four per pixel into `accs`: the DSP instructions' loop in assembly on the
/// Armv7E-M cores ([`super::arm::dot4_pixels`]), the same in Rust over [`DspOps`] elsewhere.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
fn dot4_pixels<D: DspOps>(x: &[i8], ci: usize, packed: &[u32], folded: [i32; 4], accs: &mut [u32]) {
    #[cfg(typegrad_arm_dsp)]
    if super::arm::dot4_pixels(x, ci, packed, folded, accs) {
        return;
    }
    for (xp, acc) in x.chunks_exact(ci.max(1)).zip(accs.chunks_exact_mut(4)) {
        let mut a = folded;
        for (xq, words) in xp.chunks_exact(4).zip(packed.chunks_exact(4)) {
            let xv = word(xq);
            let (x0, x1) = (D::sxtb16(xv), D::sxtb16_ror8(xv));
            for (s, &wv) in a.iter_mut().zip(words) {
                *s = D::smlad(D::sxtb16(wv), x0, *s);
                *s = D::smlad(D::sxtb16_ror8(wv), x1, *s);
            }
        }
        for (dst, v) in acc.iter_mut().zip(a) {
            *dst = v as u32;
        }
    }
}

/// The part of a window inside the input: its input rows and columns, and the tap (row,
/// column) that falls on the first of them.
#[derive(Clone, Debug)]
pub(crate) struct Patch {
    pub rows: core::ops::Range<usize>,
    pub cols: core::ops::Range<usize>,
    pub first: (usize, usize),
}

impl Patch {
    /// The window of output pixel `(r, c)` of `d`.
    #[inline(always)]
    pub(crate) fn of(d: &Window2d, r: usize, c: usize) -> Self {
        let (rows, cols) = (d.rows.inside(r), d.cols.inside(c));
        let ky = (rows.start + d.rows.padding).saturating_sub(r * d.rows.stride);
        let kx = (cols.start + d.cols.padding).saturating_sub(c * d.cols.stride);
        Patch {
            rows,
            cols,
            first: (ky, kx),
        }
    }

    /// The taps inside the input of a depthwise or pooling window over `c` channels of an
    /// input `width` columns wide, filter `kw` columns wide: where the first one's channel 0
    /// sits in the input and in the filter, and the strides between them.
    #[inline(always)]
    pub(crate) fn taps(&self, width: usize, kw: usize, c: usize) -> Taps {
        let (ky, kx) = self.first;
        Taps {
            x: (self.rows.start * width + self.cols.start) * c,
            w: (ky * kw + kx) * c,
            rows: self.rows.len(),
            cols: self.cols.len(),
            x_row: width * c,
            w_row: kw * c,
            step: c,
        }
    }
}

/// The taps of a window inside the input, as positions: `rows × cols` taps, the first at `x`
/// in the input and `w` in the filter, `step` apart along a row and `x_row` / `w_row` apart
/// from row to row.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Taps {
    pub x: usize,
    pub w: usize,
    pub rows: usize,
    pub cols: usize,
    pub x_row: usize,
    pub w_row: usize,
    pub step: usize,
}

impl Taps {
    /// The same taps `k` channels further.
    #[inline(always)]
    pub(crate) fn channel(self, k: usize) -> Self {
        Taps {
            x: self.x + k,
            w: self.w + k,
            ..self
        }
    }

    /// `f(acc, i, j)` folded over the taps' input positions `i` and filter positions `j`.
    #[inline(always)]
    fn fold<A>(&self, init: A, mut f: impl FnMut(A, usize, usize) -> A) -> A {
        let mut acc = init;
        let (mut xr, mut wr) = (self.x, self.w);
        for _ in 0..self.rows {
            let (mut i, mut j) = (xr, wr);
            for _ in 0..self.cols {
                acc = f(acc, i, j);
                i += self.step;
                j += self.step;
            }
            xr += self.x_row;
            wr += self.w_row;
        }
        acc
    }
}

/// `y[r][c][ch] = out.requantize(ch, bias[ch] + Σ w[ky][kx][ch] · (x[r·Sh + ky − Ph][c·Sw + kx − Pw][ch]
/// − zin))` over the taps inside the input: the depthwise convolution (one filter per
/// channel), NHWC, four channels at once (with the DSP instructions on the Armv7E-M cores,
/// [`depthwise_quad_packed`]).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn depthwise_i8(
    d: &Window2d,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
    out: &mut impl Requantize,
    y: &mut [i8],
) {
    let c = d.channels_in.max(1);
    let (width, kw, ow) = (d.cols.length, d.cols.kernel, d.cols.out_len.max(1));
    let pixels = d.rows.out_len * ow;
    let whole = c - c % 4;
    // The whole quads, DEPTHWISE_CHUNK channels at a time: their requantization worked out
    // once for every pixel.
    let mut first = 0;
    while first < whole {
        let len = DEPTHWISE_CHUNK.min(whole - first);
        let table: [_; DEPTHWISE_CHUNK] = core::array::from_fn(|k| out.channel(first + k));
        #[cfg(typegrad_arm_dsp)]
        let plain = table.iter().take(len).all(|c| out.is_plain(c));
        let biases = bias.get(first..first + len).unwrap_or(&[]);
        for (p, yp) in y.chunks_exact_mut(c).take(pixels).enumerate() {
            let all = Patch::of(d, p / ow, p % ow)
                .taps(width, kw, c)
                .channel(first);
            let Some(yc) = yp.get_mut(first..first + len) else {
                break;
            };
            // On the Armv7E-M cores the chunk's quads with the window checked once: a window
            // three taps wide (a 3 × 3 filter inside the input) in assembly, all quads at once.
            #[cfg(typegrad_arm_dsp)]
            let done = {
                let off = u32::from(zin.wrapping_neg() as u16) * 0x0001_0001;
                let mut accs = [0u32; DEPTHWISE_CHUNK];
                let accs = accs.get_mut(..len).unwrap_or(&mut []);
                let (t, depthwise3) = (all, super::arm::depthwise3);
                if t.cols == 3
                    && t.w_row == 3 * t.step
                    && depthwise3(x, t.x, t.x_row, w, t.w, t.step, t.rows, off, biases, accs)
                {
                    let outputs = yc.iter_mut().zip(&*accs).zip(&table);
                    if plain {
                        for ((v, &acc), ch) in outputs {
                            *v = out.apply_plain(ch, acc as i32);
                        }
                    } else {
                        for ((v, &acc), ch) in outputs {
                            *v = out.apply(ch, acc as i32);
                        }
                    }
                    len
                } else {
                    let unchecked = super::unchecked::depthwise_pixel::<super::arm::Dsp, _>;
                    unchecked(all, len, x, off, w, biases, &table, &mut *out, &mut *yc)
                }
            };
            #[cfg(not(typegrad_arm_dsp))]
            let done = 0;
            let quads = yc.get_mut(done..).unwrap_or(&mut []).chunks_exact_mut(4);
            let rest = biases.get(done..).unwrap_or(&[]).chunks_exact(4);
            let channels = table.get(done..).unwrap_or(&[]).chunks_exact(4);
            for (k, ((yq, b), cq)) in quads.zip(rest).zip(channels).enumerate() {
                let taps = all.channel(done + 4 * k);
                #[cfg(typegrad_arm_dsp)]
                let a = depthwise_quad_packed::<super::arm::Dsp>(taps, x, zin, w, b);
                #[cfg(not(typegrad_arm_dsp))]
                let a = depthwise_quad(taps, x, zin, w, b);
                for ((v, acc), ch) in yq.iter_mut().zip(a).zip(cq) {
                    *v = out.apply(ch, acc);
                }
            }
        }
        first += len;
    }
    // The last channels (fewer than four), one at a time.
    for (p, yp) in y.chunks_exact_mut(c).take(pixels).enumerate() {
        let all = Patch::of(d, p / ow, p % ow).taps(width, kw, c);
        let rest = yp.get_mut(whole..).unwrap_or(&mut []);
        for ((ch, v), &b) in (whole..).zip(rest).zip(bias.get(whole..).unwrap_or(&[])) {
            let acc = all
                .channel(ch)
                .fold(b, |acc, i, j| offset_dot(x.get(i), w.get(j), zin, acc));
            *v = out.requantize(ch, acc);
        }
    }
}

/// The channels [`depthwise_i8`] requantizes from one table (each channel's
/// [`Requantize::Channel`] worked out once per layer call, not once per pixel).
const DEPTHWISE_CHUNK: usize = 32;

/// Four channels' depthwise sums from `bias`, over the taps' (input, weight) positions of
/// the first channel, in plain Rust.
#[cfg(any(test, not(typegrad_arm_dsp)))]
#[inline(always)]
pub(crate) fn depthwise_quad(taps: Taps, x: &[i8], zin: i32, w: &[i8], bias: &[i32]) -> [i32; 4] {
    let mut a = [0i32; 4];
    for (acc, &b) in a.iter_mut().zip(bias) {
        *acc = b;
    }
    taps.fold(a, |[a0, a1, a2, a3], i, k| {
        let xs = x.get(i..).and_then(|v| v.first_chunk::<4>());
        let ws = w.get(k..).and_then(|v| v.first_chunk::<4>());
        match (xs, ws) {
            (Some([x0, x1, x2, x3]), Some([w0, w1, w2, w3])) => {
                let m = |a: i32, xv: i8, wv: i8| {
                    a.wrapping_add((i32::from(xv) - zin).wrapping_mul(i32::from(wv)))
                };
                [
                    m(a0, *x0, *w0),
                    m(a1, *x1, *w1),
                    m(a2, *x2, *w2),
                    m(a3, *x3, *w3),
                ]
            }
            _ => [a0, a1, a2, a3],
        }
    })
}

/// [`depthwise_quad`] with the DSP instructions: per tap one word of four input channels,
/// widened with the offset `−zin` (two `SXTAB16`), one word of their weights (two `SXTB16`),
/// and four halfword multiply-accumulates (`SMLABB`, `SMLATT`): channels 0 and 2 are the
/// even bytes, 1 and 3 the odd ones.
#[cfg(any(test, typegrad_arm_dsp))]
#[inline(always)]
pub(crate) fn depthwise_quad_packed<D: DspOps>(
    taps: Taps,
    x: &[i8],
    zin: i32,
    w: &[i8],
    bias: &[i32],
) -> [i32; 4] {
    let off = u32::from(zin.wrapping_neg() as u16) * 0x0001_0001;
    let mut a = [0i32; 4];
    for (acc, &b) in a.iter_mut().zip(bias) {
        *acc = b;
    }
    taps.fold(a, |[a0, a1, a2, a3], i, k| {
        let (xv, wv) = (
            word(x.get(i..).unwrap_or(&[])),
            word(w.get(k..).unwrap_or(&[])),
        );
        let (xe, xo) = (D::sxtab16(off, xv), D::sxtab16_ror8(off, xv));
        let (we, wo) = (D::sxtb16(wv), D::sxtb16_ror8(wv));
        [
            D::smlabb(xe, we, a0),
            D::smlabb(xo, wo, a1),
            D::smlatt(xe, we, a2),
            D::smlatt(xo, wo, a3),
        ]
    })
}

/// `y[r][c][ch] = finish(fold of step over x[ty][tx][ch] for the taps inside the window)`:
/// max and average pooling on NHWC activations.
#[inline(always)]
pub(crate) fn pool_i8_nhwc<A: Copy>(
    d: &Window2d,
    x: &[i8],
    y: &mut [i8],
    init: A,
    step: impl Fn(A, i8) -> A,
    finish: impl Fn(A) -> i8,
) {
    let c = d.channels_in.max(1);
    let (width, kw, ow) = (d.cols.length, d.cols.kernel, d.cols.out_len.max(1));
    for (p, yp) in y.chunks_exact_mut(c).take(d.rows.out_len * ow).enumerate() {
        let all = Patch::of(d, p / ow, p % ow).taps(width, kw, c);
        for (ch, v) in yp.iter_mut().enumerate() {
            let acc = all
                .channel(ch)
                .fold(init, |acc, i, _| x.get(i).map_or(acc, |&xv| step(acc, xv)));
            *v = finish(acc);
        }
    }
}
