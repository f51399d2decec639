//! typegrad on emulated microcontrollers: the code the firmware binaries share.
//!
//! - [`board`]: printing, exit status, a clock and the RAM size of the board the firmware is
//!   built for (Cortex-M0 `microbit`, Cortex-M4F `mps2-an386`, RV32IMAC `virt` under QEMU), or
//!   the host, where the same binaries run as ordinary programs for comparison.
//! - `icount` (Cortex-M only): instructions executed, from SysTick under QEMU's `-icount`.
//! - [`stack`]: a stack high-water mark (paint, then look how far the paint was scrubbed off).
//! - [`iris_task`]: on-device training of a 4-8-3 network on iris.
//! - [`motions_task`]: the 1-D CNN on smartwatch recordings (inference and on-device training).
//! - [`mlperf_task`]: MLPerf Tiny's reference int8 models (their published `.tflite` files).
//! - [`networks`]: the float network types (their int8 types derive from them).
//! - [`data`]: the data sets, compiled into the firmware by `build.rs`.
//! - `cmsis` (feature `cmsis-nn`, Cortex-M only): ARM's CMSIS-NN kernels on typegrad's int8
//!   layers, for the side-by-side comparison.
//!
//! The crate is `no_std` on the boards; on the host (any target with an OS) it uses std for
//! printing and exiting, and nothing else: typegrad itself is built the same way everywhere
//! (`default-features = false, features = ["libm"]`), so the host runs exactly the same float
//! operations, with the same `libm` functions, as the boards.
#![cfg_attr(target_os = "none", no_std)]
#![deny(missing_docs)]
// `unsafe` only where a runtime crate requires it: semihosting calls (board::now_us on ARM)
// and reading/writing the free stack for the high-water mark (stack.rs); each is allowed
// where it is used, with a SAFETY comment.
#![deny(unsafe_code)]

pub mod board;
mod checksum;
#[cfg(all(feature = "cmsis-nn", target_arch = "arm"))]
pub mod cmsis;
pub mod data;
#[cfg(target_os = "none")]
pub mod icount;
pub mod iris_task;
pub mod mlperf_task;
pub mod motions_task;
pub mod networks;
pub mod stack;

// The panic handlers: on ARM `panic-semihosting` (with `exit`: a panic exits QEMU with status
// 1); on RISC-V the `semihosting` crate's `panic-handler` feature does the same.
#[cfg(target_arch = "arm")]
use panic_semihosting as _;

/// `println!` for firmware and host: formats with `core::fmt` and prints through
/// [`board::print_fmt`] (semihosting on the boards). Print integers only on the boards:
/// formatting an `f32` pulls about 8 KB of float-to-decimal code into flash.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::board::print_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Defines `main` for whatever the firmware is built for — the `cortex-m-rt` entry on ARM, the
/// Stops the build when `needed` bytes (an inference's activations and the stack it needs)
/// exceed the board's RAM: the message, and an array-length error whose size is the bytes
/// missing (`expected an array with a size of 0, found one with a size of N`).
#[macro_export]
macro_rules! fits_ram {
    ($needed:expr) => {
        const _: () = assert!(
            $needed <= $crate::board::RAM_BYTES,
            "the network's int8 inference memory does not fit this board's RAM"
        );
        const _: [(); 0] = [(); ($needed).saturating_sub($crate::board::RAM_BYTES)];
    };
}

/// Stops the build when `needed` bytes of weights (a network `static`) exceed the board's
/// flash, naming the bytes missing as [`fits_ram!`] does.
#[macro_export]
macro_rules! fits_flash {
    ($needed:expr) => {
        const _: () = assert!(
            $needed <= $crate::board::FLASH_BYTES,
            "the network's weights do not fit this board's flash"
        );
        const _: [(); 0] = [(); ($needed).saturating_sub($crate::board::FLASH_BYTES)];
    };
}

/// `riscv-rt` entry on RISC-V, a plain `main` on the host — running `$run() -> bool` and exiting
/// with its verdict (QEMU's exit status: 0 passed, 1 failed).
#[macro_export]
macro_rules! entry {
    ($run:path) => {
        #[cfg(target_arch = "arm")]
        #[cortex_m_rt::entry]
        fn main() -> ! {
            $crate::board::start();
            $crate::board::exit($run())
        }

        #[cfg(all(target_os = "none", target_arch = "riscv32"))]
        #[riscv_rt::entry]
        fn main() -> ! {
            $crate::board::exit($run())
        }

        #[cfg(not(target_os = "none"))]
        fn main() {
            $crate::board::exit($run())
        }
    };
}

/// `x` in millionths, rounded to the nearest integer (for printing without float formatting).
pub fn micro(x: f32) -> i64 {
    let scaled = f64::from(x) * 1e6;
    // `as` saturates; NaN becomes 0 (a NaN loss stops training with an error first).
    (if scaled < 0.0 {
        scaled - 0.5
    } else {
        scaled + 0.5
    }) as i64
}

pub use checksum::argmax_and_hash;
