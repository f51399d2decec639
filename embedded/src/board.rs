//! What differs between the boards (and the host): printing, exiting, a clock, the RAM size.
//!
//! | target | board under QEMU | output | exit |
//! |---|---|---|---|
//! | `thumbv6m-none-eabi` | `microbit` (Cortex-M0) | `cortex-m-semihosting` | semihosting exit |
//! | `thumbv7em-none-eabihf` | `mps2-an386` (Cortex-M4F) | `cortex-m-semihosting` | semihosting exit |
//! | `riscv32imac-unknown-none-elf` | `virt` | `semihosting` | semihosting exit |
//! | the host | — | std | `std::process::exit` |
//!
//! `BOARD` and `RAM_BYTES` come from the table in `build.rs` that also writes `memory.x`.

use core::fmt;

include!(concat!(env!("OUT_DIR"), "/board_gen.rs"));

/// Prints formatted text on the host's standard output (semihosting on the boards).
pub fn print_fmt(args: fmt::Arguments<'_>) {
    #[cfg(target_arch = "arm")]
    cortex_m_semihosting::hprint!("{}", args);
    #[cfg(all(target_os = "none", target_arch = "riscv32"))]
    semihosting::print!("{}", args);
    #[cfg(not(target_os = "none"))]
    {
        extern crate std;
        std::print!("{args}");
    }
}

/// Prints a string (see [`print_fmt`]).
pub fn print(s: &str) {
    print_fmt(format_args!("{s}"));
}

/// Ends the program: QEMU exits with status 0 if `ok`, else 1.
pub fn exit(ok: bool) -> ! {
    #[cfg(target_arch = "arm")]
    {
        use cortex_m_semihosting::debug;
        debug::exit(if ok {
            debug::EXIT_SUCCESS
        } else {
            debug::EXIT_FAILURE
        });
        // Only reached if the debugger lets the program continue.
        loop {
            cortex_m::asm::wfi();
        }
    }
    #[cfg(all(target_os = "none", target_arch = "riscv32"))]
    semihosting::process::exit(if ok { 0 } else { 1 });
    #[cfg(not(target_os = "none"))]
    {
        extern crate std;
        std::process::exit(if ok { 0 } else { 1 });
    }
}

/// Microseconds since an arbitrary start (semihosting `SYS_ELAPSED` / `SYS_TICKFREQ` on the
/// boards: under QEMU this is the *host's* wall clock, not emulated cycles), or `None` if the
/// debugger does not provide it.
pub fn now_us() -> Option<u64> {
    #[cfg(target_arch = "arm")]
    #[allow(unsafe_code)]
    {
        use cortex_m_semihosting::{nr, syscall1};
        let mut block = [0u32; 2];
        // SAFETY: semihosting calls are raw `bkpt 0xab` traps that cortex-m-semihosting only
        // offers as `unsafe`. SYS_ELAPSED writes two words into `block`, which is live and
        // writable for the call; SYS_TICKFREQ takes no argument.
        let (ret, freq) = unsafe {
            (
                syscall1(nr::ELAPSED, block.as_mut_ptr() as usize),
                syscall1(nr::TICKFREQ, 0),
            )
        };
        if ret != 0 || freq == usize::MAX || freq == 0 {
            return None;
        }
        let ticks = u64::from(block[0]) | (u64::from(block[1]) << 32);
        Some(ticks_to_us(ticks, freq as u64))
    }
    #[cfg(all(target_os = "none", target_arch = "riscv32"))]
    {
        use semihosting::sys::arm_compat::{sys_elapsed, sys_tickfreq};
        let ticks = sys_elapsed().ok()?;
        let freq = sys_tickfreq().ok()? as u64;
        (freq > 0).then(|| ticks_to_us(ticks, freq))
    }
    #[cfg(not(target_os = "none"))]
    {
        extern crate std;
        use std::time::{SystemTime, UNIX_EPOCH};
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .ok()
            .map(|d| d.as_micros() as u64)
    }
}

/// Ticks at `freq` per second as microseconds (QEMU counts nanoseconds).
#[cfg(target_os = "none")]
fn ticks_to_us(ticks: u64, freq: u64) -> u64 {
    if freq >= 1_000_000 {
        ticks / (freq / 1_000_000)
    } else {
        ticks.saturating_mul(1_000_000) / freq
    }
}

/// Starts the board's instruction count (SysTick on the Cortex-M boards, see
/// [`crate::icount`]; `entry!` calls it first). Nothing to start elsewhere.
pub fn start() {
    #[cfg(target_arch = "arm")]
    if let Some(p) = cortex_m::Peripherals::take() {
        crate::icount::start(p.SYST, CPU_HZ);
    }
}

/// Instructions executed so far, where QEMU counts them exactly (run.sh starts every board
/// with `-icount shift=0`): the RV32 board's `minstret` CSR; on the Cortex-M boards, SysTick
/// ticks in virtual time × instructions per tick ([`crate::icount`]). `None` on the host,
/// whose counters would measure something else.
pub fn instructions() -> Option<u64> {
    #[cfg(target_os = "none")]
    {
        Some(crate::icount::instructions())
    }
    #[cfg(not(target_os = "none"))]
    {
        None
    }
}
