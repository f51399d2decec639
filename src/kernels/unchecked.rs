//! Window reads without a bounds check per tap: the depthwise kernel's taps, whose every
//! word is checked to lie inside the input and the filter once per window (the last tap is
//! the furthest; the strides are non-negative). Per tap, a checked read cost the Cortex-M4F
//! two compares and branches for each of its two words (24 instructions per tap and four
//! channels, against 14 here). Generic over [`DspOps`], so the host tests (and miri) run the
//! same code with the instructions' plain-Rust definitions.
#![allow(unsafe_code)]

use super::int8::{DspOps, Requantize, Taps};

/// The depthwise outputs of one pixel, channels `0..4·⌊c/4⌋` (`y[ch] = out.apply(channels[ch], bias[ch] +
/// Σ_taps …)`, four channels at once as [`depthwise_quad`]), with the whole window checked
/// once: returns how many channels it wrote (0 when a tap of the last channel would be
/// outside `x` or `w`; the caller takes the checked loop for what is left). Per tap and four
/// channels: two word loads, two `SXTAB16`, two `SXTB16`, four multiply-accumulates.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn depthwise_pixel<D: DspOps, R: Requantize>(
    taps: Taps,
    c: usize,
    x: &[i8],
    off: u32,
    w: &[i8],
    bias: &[i32],
    channels: &[R::Channel],
    out: &mut R,
    y: &mut [i8],
) -> usize {
    let whole = c - c % 4;
    if whole == 0 || taps.rows == 0 || taps.cols == 0 {
        return 0;
    }
    // The last tap's last channel of the quads, in the input and in the filter.
    let last = |base: usize, row: usize| -> Option<usize> {
        let down = (taps.rows - 1).checked_mul(row)?;
        let across = (taps.cols - 1).checked_mul(taps.step)?;
        base.checked_add(down)?
            .checked_add(across)?
            .checked_add(whole - 1)
    };
    match (last(taps.x, taps.x_row), last(taps.w, taps.w_row)) {
        (Some(i), Some(j)) if i < x.len() && j < w.len() => {}
        _ => return 0,
    }
    let (xp, wp) = (x.as_ptr(), w.as_ptr());
    let mut ch = 0;
    let quads = y.chunks_exact_mut(4).zip(bias.chunks_exact(4));
    for ((yq, b), cq) in quads.zip(channels.chunks_exact(4)).take(whole / 4) {
        let [mut a0, mut a1, mut a2, mut a3] = [b[0], b[1], b[2], b[3]];
        let (mut xr, mut wr) = (taps.x + ch, taps.w + ch);
        for _ in 0..taps.rows {
            let (mut i, mut j) = (xr, wr);
            for _ in 0..taps.cols {
                // SAFETY: `i + 3 ≤` the last tap's position of channel `whole − 1`, which is
                // below `x.len()` (checked above; `ch + 3 < whole`), likewise `j` in `w`.
                let (xv, wv) = unsafe {
                    (
                        u32::from_le(xp.add(i).cast::<u32>().read_unaligned()),
                        u32::from_le(wp.add(j).cast::<u32>().read_unaligned()),
                    )
                };
                let (xe, xo) = (D::sxtab16(off, xv), D::sxtab16_ror8(off, xv));
                let (we, wo) = (D::sxtb16(wv), D::sxtb16_ror8(wv));
                a0 = D::smlabb(xe, we, a0);
                a1 = D::smlabb(xo, wo, a1);
                a2 = D::smlatt(xe, we, a2);
                a3 = D::smlatt(xo, wo, a3);
                i += taps.step;
                j += taps.step;
            }
            xr += taps.x_row;
            wr += taps.w_row;
        }
        if let ([y0, y1, y2, y3], [c0, c1, c2, c3]) = (yq, cq) {
            *y0 = out.apply(c0, a0);
            *y1 = out.apply(c1, a1);
            *y2 = out.apply(c2, a2);
            *y3 = out.apply(c3, a3);
        }
        ch += 4;
    }
    ch
}
