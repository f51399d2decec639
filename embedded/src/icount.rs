//! Instructions executed, on QEMU's Cortex-M boards, which have no instruction counter (and,
//! with the same functions, on the RV32 board through `minstret`).
//!
//! Under `-icount shift=0` (run.sh starts every board so) QEMU's *virtual* clock advances
//! exactly 1 ns per executed guest instruction, and SysTick, clocked from the processor clock
//! (CLKSOURCE = 1), counts at the machine's CPU clock in that virtual time. So
//!
//! ```text
//! instructions = SysTick ticks × 1e9 / cpu_hz     (40 per tick at 25 MHz, 62.5 at 16 MHz)
//! ```
//!
//! to within one tick (±40 / ±62.5 instructions) per reading. Calibrated with a `subs`/`bne`
//! loop of known length (10⁸ instructions: 2,500,000 ticks on `mps2-an386`, 1,600,000 on
//! `microbit`; error ≤ 2 instructions at every length from 10³ to 10⁸). SysTick is a 24-bit
//! down-counter: [`start`] runs it free with reload 0xFF_FFFF and its exception handler counts
//! the wraps (≈ 12 instructions per wrap, every 16.7 M ticks), so [`ticks`] is a 64-bit count.
//! The wrap count lives in a `cortex_m::interrupt::Mutex<Cell<_>>` (no `static mut`, no atomic
//! read-modify-write, so it works on the Cortex-M0), and [`ticks`] reads counter and wrap count
//! inside one critical section, adding a wrap that is pending but not yet handled.
//!
//! These are instructions as QEMU executes them, not cycles of a real chip (a Cortex-M0 takes
//! 1–3 cycles per instruction, more for loads, branches and a slow multiplier): a repeatable
//! measure of work, the same kind as `minstret` on the RV32 board.

#[cfg(target_arch = "arm")]
mod imp {
    use core::cell::Cell;
    use cortex_m::interrupt::{self, Mutex};
    use cortex_m::peripheral::syst::SystClkSource;
    use cortex_m::peripheral::{SCB, SYST};
    use cortex_m_rt::exception;

    /// SysTick's reload value: the full 24-bit range.
    pub const RELOAD: u32 = 0x00FF_FFFF;

    /// (wraps of the counter since `start`, CPU clock in Hz, reload value).
    static STATE: Mutex<Cell<(u32, u32, u32)>> = Mutex::new(Cell::new((0, 0, RELOAD)));

    /// Starts SysTick on the processor clock, free-running with its wrap interrupt, and sets
    /// the clock used to turn ticks into instructions.
    pub fn start(mut syst: SYST, cpu_hz: u32) {
        start_with_reload(&mut syst, cpu_hz, RELOAD);
        // SYST stays configured; dropping the handle does not stop the timer.
    }

    /// As [`start`], with a smaller reload (for testing the wrap handling).
    pub fn start_with_reload(syst: &mut SYST, cpu_hz: u32, reload: u32) {
        assert!(cpu_hz > 0 && reload > 0 && reload <= RELOAD);
        syst.disable_counter();
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(reload);
        syst.clear_current();
        interrupt::free(|cs| STATE.borrow(cs).set((0, cpu_hz, reload)));
        syst.enable_interrupt();
        syst.enable_counter();
    }

    // Builds under `#![deny(unsafe_code)]` with cortex-m-rt 0.7.7 even without this allow
    // (checked); kept in case another cortex-m-rt version's expansion trips the lint.
    #[allow(unsafe_code)]
    #[exception]
    fn SysTick() {
        interrupt::free(|cs| {
            let s = STATE.borrow(cs);
            let (w, hz, reload) = s.get();
            s.set((w.wrapping_add(1), hz, reload));
        });
    }

    /// SysTick ticks since [`start`] (64-bit: wraps × (reload + 1) + elapsed in this period).
    #[inline(never)]
    pub fn ticks() -> u64 {
        interrupt::free(|cs| {
            let (mut wraps, _, reload) = STATE.borrow(cs).get();
            let mut current = SYST::get_current();
            // Interrupts are masked: a wrap since the last handled one shows as a pending
            // SysTick. Re-read the counter after seeing it, so `current` is after that wrap.
            if SCB::is_pendst_pending() {
                wraps = wraps.wrapping_add(1);
                current = SYST::get_current();
            }
            // The counter runs reload, reload - 1, …, 1, 0 and pends the exception as it
            // reaches 0 (QEMU, like the hardware, reloads one tick later): the wrap happens at
            // 0, so 0 is the first tick of a period and `reload + 1 - current` the ticks since
            // its start. (Counting 0 as the period's last tick, `reload - current`, jumps back
            // by a period when a reading lands on the 0 tick just after the handler ran.) At
            // `start` the counter is 0 until the first tick loads the reload value, which
            // this also counts right (0, then 1, 2, …).
            let elapsed = if current == 0 {
                0
            } else {
                reload + 1 - current
            };
            u64::from(wraps) * u64::from(reload + 1) + u64::from(elapsed)
        })
    }

    /// Instructions executed since [`start`] (under `qemu -icount shift=0`).
    pub fn instructions() -> u64 {
        to_instructions(ticks())
    }

    /// Ticks (a difference of two [`ticks`] readings) as instructions: `ticks × 1e9 / cpu_hz`.
    /// Timing with `ticks` and converting the difference keeps the 64-bit division (a
    /// library call, hundreds of instructions on the M0) out of the measured interval.
    pub fn to_instructions(ticks: u64) -> u64 {
        let hz = interrupt::free(|cs| STATE.borrow(cs).get().1);
        assert!(hz > 0, "icount::start was not called");
        ticks * 1_000_000_000 / u64::from(hz)
    }
}

/// The RV32 board: `minstret`, which QEMU counts exactly under `-icount`.
#[cfg(all(target_os = "none", target_arch = "riscv32"))]
mod imp {
    /// `minstret` (one tick is one instruction here).
    pub fn ticks() -> u64 {
        riscv::register::minstret::read64()
    }
    /// Instructions retired since reset.
    pub fn instructions() -> u64 {
        ticks()
    }
    /// Identity (one tick is one instruction).
    pub fn to_instructions(ticks: u64) -> u64 {
        ticks
    }
}

pub use imp::*;
