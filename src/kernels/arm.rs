//! The Arm assembly of the int8 kernels: on Cortex-M4/M7 (`cfg(typegrad_arm_dsp)`) the
//! Armv7E-M DSP instructions (`SXTB16`, `SXTAB16`, `SMLAD`, `SMLABB`, `SMLATT`) as inline assembly, for the
//! packed int8 kernels ([`super::int8::dense_i8_packed`]) on Cortex-M4/M7
//! (`cfg(typegrad_arm_dsp)`, set by build.rs for `thumbv7em-*` targets). Stable Rust has no
//! intrinsics for them (`core::arch::arm`'s are unstable) and LLVM forms `SMLAD` only from
//! 16-bit loads. The only `unsafe` of the Arm build: each block is one register-to-register
//! instruction (no memory, no stack, no flags read), which is sound on every core with the
//! DSP extension — the targets the `cfg` admits. The kernels built with these are checked
//! against the portable ones on the host through [`super::int8::Emulated`], which defines
//! the same instructions in plain Rust, and on the boards through the firmware checksums.
#![allow(unsafe_code)]

#[cfg(typegrad_arm_dsp)]
use super::int8::DspOps;
use core::arch::asm;

/// The DSP instructions themselves.
#[cfg(typegrad_arm_dsp)]
pub(crate) struct Dsp;

#[cfg(typegrad_arm_dsp)]
impl DspOps for Dsp {
    #[inline(always)]
    fn sxtb16(x: u32) -> u32 {
        let r;
        // SAFETY: one register-to-register DSP instruction (see the module).
        unsafe {
            asm!("sxtb16 {r}, {x}", r = lateout(reg) r, x = in(reg) x, options(pure, nomem, nostack, preserves_flags))
        };
        r
    }

    #[inline(always)]
    fn sxtb16_ror8(x: u32) -> u32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("sxtb16 {r}, {x}, ror #8", r = lateout(reg) r, x = in(reg) x, options(pure, nomem, nostack, preserves_flags))
        };
        r
    }

    #[inline(always)]
    fn sxtab16(a: u32, x: u32) -> u32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("sxtab16 {r}, {a}, {x}", r = lateout(reg) r, a = in(reg) a, x = in(reg) x, options(pure, nomem, nostack, preserves_flags))
        };
        r
    }

    #[inline(always)]
    fn sxtab16_ror8(a: u32, x: u32) -> u32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("sxtab16 {r}, {a}, {x}, ror #8", r = lateout(reg) r, a = in(reg) a, x = in(reg) x, options(pure, nomem, nostack, preserves_flags))
        };
        r
    }

    #[inline(always)]
    fn smlabb(a: u32, b: u32, acc: i32) -> i32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("smlabb {r}, {a}, {b}, {acc}", r = lateout(reg) r, a = in(reg) a, b = in(reg) b, acc = in(reg) acc, options(pure, nomem, nostack))
        };
        r
    }

    #[inline(always)]
    fn smlatt(a: u32, b: u32, acc: i32) -> i32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("smlatt {r}, {a}, {b}, {acc}", r = lateout(reg) r, a = in(reg) a, b = in(reg) b, acc = in(reg) acc, options(pure, nomem, nostack))
        };
        r
    }

    #[inline(always)]
    fn smlad(a: u32, b: u32, acc: i32) -> i32 {
        let r;
        // SAFETY: as above (SMLAD sets the Q flag on overflow, which nothing reads; the
        // result wraps as `wrapping_add` does).
        unsafe {
            asm!("smlad {r}, {a}, {b}, {acc}", r = lateout(reg) r, a = in(reg) a, b = in(reg) b, acc = in(reg) acc, options(pure, nomem, nostack))
        };
        r
    }
}

/// `a + (Σᵢ r0[i]·(x[i] − zin), Σᵢ r1[i]·(x[i] − zin))` over the first `n` values (`n` the
/// shortest length), on the Arm cores without the DSP extension (Cortex-M0/M0+/M3): the fully
/// connected kernel's inner loop, ten instructions per two multiply-accumulates. In Rust,
/// LLVM rebuilds each row's constant offset in every iteration (Armv6-M's `LDRSB` takes no
/// immediate offset) and spills: thirteen. Thumb-1 code may name only r0–r7 as operands and
/// Rust reserves r6 and r7, so the six operands take r0–r5 and the loop keeps its two sums
/// and `−zin` in r8, r10 and r12, which it saves on the stack first and restores after.
#[cfg(not(typegrad_arm_dsp))]
#[inline(always)]
pub(crate) fn dot2(x: &[i8], r0: &[i8], r1: &[i8], zin: i32, a: (i32, i32)) -> (i32, i32) {
    let n = x.len().min(r0.len()).min(r1.len());
    let (Some(x), Some(r0), Some(r1)) = (x.get(..n), r0.get(..n), r1.get(..n)) else {
        return a;
    };
    if n == 0 || n > i32::MAX as usize {
        return a;
    }
    let mut state = [a.0, a.1, zin.wrapping_neg()];
    // SAFETY: the loop reads x[k], r0[k], r1[k] for k in 0..n, through pointers one past
    // their ends and an index running from −n up to −1 (it stops when the index reaches 0);
    // it reads and writes `state` (three i32) and pushes and pops four words of its own stack.
    // r8, r10 and r12 are restored to what they held before.
    unsafe {
        asm!(
            "mov {t}, r8",
            "push {{{t}}}",
            "mov {t}, r10",
            "push {{{t}}}",
            "mov {t}, r12",
            "push {{{t}}}",
            "ldr {t}, [{s}]",
            "mov r8, {t}",
            "ldr {t}, [{s}, #4]",
            "mov r10, {t}",
            "ldr {t}, [{s}, #8]",
            "mov r12, {t}",
            "push {{{s}}}",
            "2:",
            "ldrsb {s}, [{x}, {i}]",
            "add {s}, r12",
            "ldrsb {t}, [{p}, {i}]",
            "muls {t}, {s}, {t}",
            "add r8, {t}",
            "ldrsb {t}, [{q}, {i}]",
            "muls {t}, {s}, {t}",
            "add r10, {t}",
            "adds {i}, #1",
            "bne 2b",
            "pop {{{s}}}",
            "mov {t}, r8",
            "str {t}, [{s}]",
            "mov {t}, r10",
            "str {t}, [{s}, #4]",
            "pop {{{t}}}",
            "mov r12, {t}",
            "pop {{{t}}}",
            "mov r10, {t}",
            "pop {{{t}}}",
            "mov r8, {t}",
            x = in(reg) x.as_ptr_range().end,
            p = in(reg) r0.as_ptr_range().end,
            q = in(reg) r1.as_ptr_range().end,
            i = inout(reg) (n as i32).wrapping_neg() => _,
            s = inout(reg) state.as_mut_ptr() => _,
            t = out(reg) _,
        );
    }
    (state[0], state[1])
}

/// `a + Σⱼ (r0[j], r1[j], r2[j], r3[j]) · (x[j] − zin)` over the whole words of `x` (`off` is
/// `−zin` in both halfwords), the rows `stride` bytes apart from `w` on; `None`, nothing
/// read, unless every word is inside `x` and `w`. The fully connected kernel's inner loop on
/// the Cortex-M4/M7: per word of four inputs, the word widened with the offset once (two
/// `SXTAB16`), and per row one load, two `SXTB16` and two `SMLAD` — 29 instructions per 16
/// multiply-accumulates, where LLVM's schedule of the same loop took 35 with its spills.
/// Twelve registers hold it: the third row's address and the fourth's offset are formed in
/// the temporary, and the loop's end is kept on the stack.
#[cfg(typegrad_arm_dsp)]
#[inline(always)]
pub(crate) fn dot4(x: &[i8], w: &[i8], stride: usize, off: u32, a: [i32; 4]) -> Option<[i32; 4]> {
    let quads = x.len() / 4;
    if quads == 0 {
        return Some(a);
    }
    // The furthest read: w[3·stride + 4·quads − 1].
    let need_w = stride.checked_mul(3)?.checked_add(quads * 4)?;
    if need_w > w.len() {
        return None;
    }
    let [mut a0, mut a1, mut a2, mut a3] = a;
    // SAFETY: the loop reads the `quads` whole words of `x` and, for each, the word at the
    // same offset in the rows `w`, `w + stride`, `w + 2·stride`, `w + 3·stride`: all inside
    // the slices (checked above). It pushes one word (the end of `x`) and pops it after.
    unsafe {
        asm!(
            "add {t}, {x}, {t}, lsl #2",
            "push {{{t}}}",
            "2:",
            "ldr {v}, [{x}], #4",
            "sxtab16 {x0}, {off}, {v}",
            "sxtab16 {x1}, {off}, {v}, ror #8",
            "ldr {v}, [{w}]",
            "sxtb16 {t}, {v}",
            "smlad {a0}, {t}, {x0}, {a0}",
            "sxtb16 {v}, {v}, ror #8",
            "smlad {a0}, {v}, {x1}, {a0}",
            "ldr {v}, [{w}, {s}]",
            "sxtb16 {t}, {v}",
            "smlad {a1}, {t}, {x0}, {a1}",
            "sxtb16 {v}, {v}, ror #8",
            "smlad {a1}, {v}, {x1}, {a1}",
            "add {t}, {w}, {s}, lsl #1",
            "ldr {v}, [{t}]",
            "sxtb16 {t}, {v}",
            "smlad {a2}, {t}, {x0}, {a2}",
            "sxtb16 {v}, {v}, ror #8",
            "smlad {a2}, {v}, {x1}, {a2}",
            "add {t}, {s}, {s}, lsl #1",
            "ldr {v}, [{w}, {t}]",
            "sxtb16 {t}, {v}",
            "smlad {a3}, {t}, {x0}, {a3}",
            "sxtb16 {v}, {v}, ror #8",
            "smlad {a3}, {v}, {x1}, {a3}",
            "add {w}, {w}, #4",
            "ldr {t}, [sp]",
            "cmp {x}, {t}",
            "bne 2b",
            "add sp, sp, #4",
            x = inout(reg) x.as_ptr() => _,
            w = inout(reg) w.as_ptr() => _,
            s = in(reg) stride,
            off = in(reg) off,
            t = inout(reg) quads => _,
            a0 = inout(reg) a0,
            a1 = inout(reg) a1,
            a2 = inout(reg) a2,
            a3 = inout(reg) a3,
            x0 = out(reg) _,
            x1 = out(reg) _,
            v = out(reg) _,
            options(readonly),
        );
    }
    Some([a0, a1, a2, a3])
}

/// One word of four inputs through four interleaved rows (the body of [`dot4_pixels`]'s loop):
/// one `LDR` and two `SXTB16` for the inputs, two `LDRD` of two rows' words each, and per row
/// two `SXTB16` and two `SMLAD`.
#[cfg(typegrad_arm_dsp)]
macro_rules! packed_quad {
    () => {
        concat!(
            "ldr {v0}, [{x}], #4\n",
            "sxtb16 {x0}, {v0}\n",
            "sxtb16 {x1}, {v0}, ror #8\n",
            "ldrd {v0}, {v1}, [{w}], #8\n",
            "sxtb16 {t}, {v0}\n",
            "smlad {a0}, {t}, {x0}, {a0}\n",
            "sxtb16 {v0}, {v0}, ror #8\n",
            "smlad {a0}, {v0}, {x1}, {a0}\n",
            "sxtb16 {t}, {v1}\n",
            "smlad {a1}, {t}, {x0}, {a1}\n",
            "sxtb16 {v1}, {v1}, ror #8\n",
            "smlad {a1}, {v1}, {x1}, {a1}\n",
            "ldrd {v0}, {v1}, [{w}], #8\n",
            "sxtb16 {t}, {v0}\n",
            "smlad {a2}, {t}, {x0}, {a2}\n",
            "sxtb16 {v0}, {v0}, ror #8\n",
            "smlad {a2}, {v0}, {x1}, {a2}\n",
            "sxtb16 {t}, {v1}\n",
            "smlad {a3}, {t}, {x0}, {a3}\n",
            "sxtb16 {v1}, {v1}, ror #8\n",
            "smlad {a3}, {v1}, {x1}, {a3}\n",
        )
    };
}

/// The four accumulators of each pixel of `x` (`ci` values each, one after the other, `ci`
/// a multiple of four): `folded[r] + Σᵢ w[r][i]·x[i]` with the four rows' words interleaved in
/// `packed` (word `4q + r` is row `r`'s values `4q … 4q + 3`; the input offset already folded
/// into `folded`), written to `accs` four per pixel; `false`, nothing read or written, unless
/// the slices hold what that reads and writes. The packed 1 × 1 convolution's loops
/// ([`super::int8::pointwise_i8_packed`]): per word of four inputs 21 instructions per 16
/// multiply-accumulates ([`packed_quad`]; two words per iteration when their number is even:
/// one compare and branch per 32), per pixel 16 (its sums started from `folded`, stored, the
/// pixel counted down) — where LLVM, around a loop of twelve registers, reloaded its own
/// state from the stack for 45 per pixel.
#[cfg(typegrad_arm_dsp)]
#[inline(always)]
pub(crate) fn dot4_pixels(
    x: &[i8],
    ci: usize,
    packed: &[u32],
    folded: [i32; 4],
    accs: &mut [u32],
) -> bool {
    if ci == 0 || ci % 4 != 0 || packed.len() < ci {
        return false;
    }
    let pixels = x.len() / ci;
    if pixels == 0 {
        return true;
    }
    let (Some(need), Ok(count)) = (pixels.checked_mul(4), u32::try_from(pixels)) else {
        return false;
    };
    if accs.len() < need {
        return false;
    }
    let [f0, f1, f2, f3] = folded.map(|v| v as u32);
    // What the outer loop reloads: the sums' start, the filters, where the next pixel's sums
    // go, the pixels left, and the bytes per pixel.
    let mut state: [u32; 8] = [
        f0,
        f1,
        f2,
        f3,
        packed.as_ptr() as u32,
        accs.as_mut_ptr() as u32,
        count,
        ci as u32,
    ];
    macro_rules! run {
        ($($body:expr),+) => {
            // SAFETY: for each of the `count` pixels the loop reads its `ci / 4` words of `x`
            // (unaligned `LDR`, which Armv7-M allows; the pixel's end is a whole number of
            // iterations away) and the first `ci` words of `packed` (word-aligned `LDRD`),
            // and writes the pixel's four words into `accs` (word-aligned `STRD`; `4·count`
            // words checked above); it reads and writes `state` (eight words, aligned), and
            // pushes one word on the stack (the address of `state`) and drops it after.
            unsafe {
                asm!(
                    "push {{{t}}}",
                    "3:",
                    "ldr {t}, [sp]",
                    "ldrd {a0}, {a1}, [{t}]",
                    "ldrd {a2}, {a3}, [{t}, #8]",
                    "ldr {w}, [{t}, #16]",
                    "ldr {end}, [{t}, #28]",
                    "add {end}, {x}, {end}",
                    "2:",
                    $($body,)+
                    "cmp {x}, {end}",
                    "bne 2b",
                    "ldr {t}, [sp]",
                    "ldr {v0}, [{t}, #20]",
                    "strd {a0}, {a1}, [{v0}], #8",
                    "strd {a2}, {a3}, [{v0}], #8",
                    "str {v0}, [{t}, #20]",
                    "ldr {v0}, [{t}, #24]",
                    "subs {v0}, {v0}, #1",
                    "str {v0}, [{t}, #24]",
                    "bne 3b",
                    "add sp, sp, #4",
                    x = inout(reg) x.as_ptr() => _,
                    w = out(reg) _,
                    end = out(reg) _,
                    t = inout(reg) state.as_mut_ptr() => _,
                    a0 = out(reg) _,
                    a1 = out(reg) _,
                    a2 = out(reg) _,
                    a3 = out(reg) _,
                    x0 = out(reg) _,
                    x1 = out(reg) _,
                    v0 = out(reg) _,
                    v1 = out(reg) _,
                )
            }
        };
    }
    if ci % 8 == 0 {
        run!(packed_quad!(), packed_quad!());
    } else {
        run!(packed_quad!());
    }
    true
}

/// `(a·m + 2³⁰) >> 31` in 64 bits: the high word of one `SMLAL` from `2³⁰`, shifted (five
/// instructions; LLVM's unsigned multiply with a sign correction took seven).
#[cfg(typegrad_arm_dsp)]
#[inline(always)]
pub(crate) fn doubling_high_mul(a: i32, m: i32) -> i32 {
    let r;
    // SAFETY: register-to-register instructions only (no memory, no stack, no flags).
    unsafe {
        asm!(
            "mov {lo}, #0x40000000",
            "movs {hi}, #0",
            "smlal {lo}, {hi}, {a}, {m}",
            "lsrs {lo}, {lo}, #31",
            "orr {lo}, {lo}, {hi}, lsl #1",
            lo = out(reg) r,
            hi = out(reg) _,
            a = in(reg) a,
            m = in(reg) m,
            options(pure, nomem, nostack),
        );
    }
    r
}

/// One depthwise tap of four channels: the input word at `[{xp}{at}]` widened with the offset
/// (two `SXTAB16`), the weight word at `[{wp}{at}]` (two `SXTB16`), four halfword
/// multiply-accumulates (channels 0 and 2 are the even bytes, 1 and 3 the odd ones).
#[cfg(typegrad_arm_dsp)]
macro_rules! depthwise_tap {
    ($at:literal) => {
        concat!(
            "ldr {xv}, [{xp}",
            $at,
            "]\n",
            "ldr {wv}, [{wp}",
            $at,
            "]\n",
            "sxtab16 {xe}, {off}, {xv}\n",
            "sxtab16 {xv}, {off}, {xv}, ror #8\n",
            "sxtb16 {we}, {wv}\n",
            "sxtb16 {wv}, {wv}, ror #8\n",
            "smlabb {a0}, {xe}, {we}, {a0}\n",
            "smlabb {a1}, {xv}, {wv}, {a1}\n",
            "smlatt {a2}, {xe}, {we}, {a2}\n",
            "smlatt {a3}, {xv}, {wv}, {a3}\n",
        )
    };
}

/// The depthwise sums of `quads` quads of channels over a window three taps wide and `rows`
/// rows high, every tap inside the input: quad `q`'s four sums start from `bias[4q..]` and
/// take, per tap, the input word at `x[xi + 4q + r·x_row + t·step]` and the weight word at
/// `w[wj + 4q + (3r + t)·step]`; they are written to `accs[4q..]`. `false`, nothing read or
/// written, unless every word is inside the slices. The 3 × 3 depthwise loop of the DS-CNN
/// and MobileNet as CMSIS-NN's `arm_depthwise_conv_3x3_s8` writes it: a row's three taps at
/// register offsets from one address (no increment per tap), ten instructions per tap and
/// four channels, eight per row, twenty-five per quad; where LLVM's loop took twelve per tap
/// and sixteen per row with its reloads.
#[cfg(typegrad_arm_dsp)]
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub(crate) fn depthwise3(
    x: &[i8],
    xi: usize,
    x_row: usize,
    w: &[i8],
    wj: usize,
    step: usize,
    rows: usize,
    off: u32,
    bias: &[i32],
    accs: &mut [u32],
) -> bool {
    let quads = bias.len().min(accs.len()) / 4;
    if quads == 0 || rows == 0 {
        return quads == 0;
    }
    // The furthest bytes read: the last tap's word of the last quad.
    let last = |base: usize, row: usize| -> Option<usize> {
        base.checked_add((rows - 1).checked_mul(row)?)?
            .checked_add(step.checked_mul(2)?)?
            .checked_add(4 * quads)
    };
    match (last(xi, x_row), last(wj, 3 * step)) {
        (Some(i), Some(j)) if i <= x.len() && j <= w.len() => {}
        _ => return false,
    }
    let (Ok(rows), Ok(quads), Ok(x_row)) = (
        u32::try_from(rows),
        u32::try_from(quads),
        u32::try_from(x_row),
    ) else {
        return false;
    };
    // What the quad loop reloads: rows, quads left, bias, sums, input and weight bases.
    let mut state: [u32; 6] = [
        rows,
        quads,
        bias.as_ptr() as u32,
        accs.as_mut_ptr() as u32,
        x.as_ptr().wrapping_add(xi) as u32,
        w.as_ptr().wrapping_add(wj) as u32,
    ];
    // SAFETY: for each quad the loop reads four bias words (word-aligned `LDRD`), the words
    // of its taps (unaligned `LDR`, which Armv7-M allows; all inside `x` and `w`: the last
    // one checked above) and writes four words into `accs` (word-aligned `STRD`, `4·quads`
    // inside); it reads and writes `state` and three words it pushes on the stack (the row
    // count, the address of `state`, `x_row`), which it drops after.
    unsafe {
        asm!(
            "push {{{xv}}}",
            "push {{{wv}}}",
            "sub sp, sp, #4",
            "4:",
            "ldr {xe}, [sp, #4]",
            "ldr {xv}, [{xe}, #8]",
            "ldrd {a0}, {a1}, [{xv}]",
            "ldrd {a2}, {a3}, [{xv}, #8]",
            "add {xv}, {xv}, #16",
            "str {xv}, [{xe}, #8]",
            "ldrd {xp}, {wp}, [{xe}, #16]",
            "add {xv}, {xp}, #4",
            "add {wv}, {wp}, #4",
            "strd {xv}, {wv}, [{xe}, #16]",
            "ldr {xv}, [{xe}]",
            "str {xv}, [sp]",
            "5:",
            depthwise_tap!(""),
            depthwise_tap!(", {s}"),
            depthwise_tap!(", {s}, lsl #1"),
            "ldr {xv}, [sp, #8]",
            "add {xp}, {xp}, {xv}",
            "add {wp}, {wp}, {s}",
            "add {wp}, {wp}, {s}, lsl #1",
            "ldr {xv}, [sp]",
            "subs {xv}, {xv}, #1",
            "str {xv}, [sp]",
            "bne 5b",
            "ldr {xe}, [sp, #4]",
            "ldr {xv}, [{xe}, #12]",
            "strd {a0}, {a1}, [{xv}], #8",
            "strd {a2}, {a3}, [{xv}], #8",
            "str {xv}, [{xe}, #12]",
            "ldr {xv}, [{xe}, #4]",
            "subs {xv}, {xv}, #1",
            "str {xv}, [{xe}, #4]",
            "bne 4b",
            "add sp, sp, #12",
            xv = inout(reg) x_row => _,
            wv = inout(reg) state.as_mut_ptr() => _,
            s = in(reg) step,
            off = in(reg) off,
            xp = out(reg) _,
            wp = out(reg) _,
            xe = out(reg) _,
            we = out(reg) _,
            a0 = out(reg) _,
            a1 = out(reg) _,
            a2 = out(reg) _,
            a3 = out(reg) _,
        );
    }
    true
}
