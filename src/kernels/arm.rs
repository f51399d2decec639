//! The Armv7E-M DSP instructions (`SXTB16`, `SXTAB16`, `SMLAD`, `SMLABB`, `SMLABT`) as inline assembly, for the
//! packed int8 kernels ([`super::int8::dense_i8_packed`]) on Cortex-M4/M7
//! (`cfg(typegrad_arm_dsp)`, set by build.rs for `thumbv7em-*` targets). Stable Rust has no
//! intrinsics for them (`core::arch::arm`'s are unstable) and LLVM forms `SMLAD` only from
//! 16-bit loads. The only `unsafe` of the Arm build: each block is one register-to-register
//! instruction (no memory, no stack, no flags read), which is sound on every core with the
//! DSP extension — the targets the `cfg` admits. The kernels built with these are checked
//! against the portable ones on the host through [`super::int8::Emulated`], which defines
//! the same instructions in plain Rust, and on the boards through the firmware checksums.
#![allow(unsafe_code)]

use super::int8::DspOps;
use core::arch::asm;

/// The DSP instructions themselves.
pub(crate) struct Dsp;

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
    fn smlabt(a: u32, b: u32, acc: i32) -> i32 {
        let r;
        // SAFETY: as above.
        unsafe {
            asm!("smlabt {r}, {a}, {b}, {acc}", r = lateout(reg) r, a = in(reg) a, b = in(reg) b, acc = in(reg) acc, options(pure, nomem, nostack))
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
