//! Calibrates the instruction counter of `icount.rs`: runs `subs`/`bne` (RV32: `addi`/`bnez`)
//! loops of known length — 2 instructions per iteration — and prints the counter's raw ticks
//! for each, the instructions per tick they imply (×1000) and the instructions `icount`
//! reports. Run under `qemu … -icount shift=0`.
#![no_std]
#![no_main]

use microflow_fw::{board, icount, outln};

/// Exactly `2 × n` instructions (n ≥ 1), plus the call's few.
#[inline(never)]
fn spin(n: u32) {
    #[cfg(target_arch = "arm")]
    unsafe {
        core::arch::asm!("1:", "subs {0}, {0}, #1", "bne 1b", inout(reg) n => _,
                         options(nomem, nostack));
    }
    #[cfg(target_arch = "riscv32")]
    unsafe {
        core::arch::asm!("1:", "addi {0}, {0}, -1", "bnez {0}, 1b", inout(reg) n => _,
                         options(nomem, nostack));
    }
}

fn measure(n: u32) -> (u64, u64) {
    let t0 = icount::ticks();
    spin(n);
    let t = icount::ticks() - t0;
    (t, icount::to_instructions(t))
}

fn run() -> bool {
    microflow_fw::start_counter();
    outln!(
        "calibrate on {} (cpu_hz used by icount: {})",
        board::BOARD,
        board::CPU_HZ
    );
    outln!(
        "counter reading overhead: {} instructions",
        microflow_fw::counter_overhead()
    );
    let mut ok = true;
    // The n = 1 run (2 loop instructions) measures the call and the readings; subtracting
    // its ticks leaves 2n - 2 instructions of loop alone.
    let (t_base, _) = measure(1);
    outln!("baseline n=1: ticks={}", t_base);
    for n in [1_000u32, 100_000, 1_000_000, 10_000_000, 50_000_000] {
        let (t, _) = measure(n);
        let known = 2 * u64::from(n) - 2;
        let dt = t - t_base;
        let counted = icount::to_instructions(dt);
        let per_tick_milli = known * 1000 / dt;
        let err = counted as i64 - known as i64;
        outln!(
            "loop n={} known_instructions={} ticks={} net_ticks={} instructions_per_tick_x1000={} icount_net_instructions={} error={} ({} ppm)",
            n,
            known,
            t,
            dt,
            per_tick_milli,
            counted,
            err,
            err * 1_000_000 / known as i64
        );
        // One tick of quantization at each end, plus one.
        if err.unsigned_abs() > 3 * icount::to_instructions(1).max(1) + 2 {
            ok = false;
        }
    }
    // The wrap handling: with a reload of 0xFFFF a 100 M-instruction loop wraps many times
    // (each wrap adds the SysTick handler's own instructions, a few dozen).
    #[cfg(target_arch = "arm")]
    {
        let mut syst = unsafe { cortex_m::Peripherals::steal() }.SYST;
        icount::start_with_reload(&mut syst, board::CPU_HZ, 0xFFFF);
        let n = 50_000_000u32;
        let (t, _) = measure(n);
        let (tb, _) = measure(1);
        let known = 2 * u64::from(n) - 2;
        let i = icount::to_instructions(t - tb);
        let err_ppm = (i as i64 - known as i64) * 1_000_000 / known as i64;
        outln!(
            "wrap test (reload 0xFFFF, ~{} wraps): n={} known={} net_ticks={} icount_instructions={} error_ppm={} (includes the SysTick handler runs)",
            t / 0x10000,
            n,
            known,
            t - tb,
            i,
            err_ppm
        );
        // Monotonicity: 20000 readings 1000 loop iterations apart.
        let (mut prev, mut bad, mut dmin, mut dmax) = (icount::ticks(), 0u32, u64::MAX, 0u64);
        for k in 0..20000u32 {
            spin(1000);
            let t = icount::ticks();
            let d = t.wrapping_sub(prev);
            if t < prev || d > 2 * 2000 / 40 + 200 {
                if bad < 5 {
                    outln!("  anomaly at reading {}: prev={} now={}", k, prev, t);
                }
                bad += 1;
            } else {
                dmin = dmin.min(d);
                dmax = dmax.max(d);
            }
            prev = t;
        }
        outln!(
            "monotonicity test (reload 0xFFFF): {} anomalies in 20000 readings; normal step {}..{} ticks",
            bad,
            dmin,
            dmax
        );
        if bad > 0 {
            ok = false;
        }
        // Dense readings around many wraps: reload 0x3FF, 200000 back-to-back readings
        // (every tick is read, including each wrap's 0 tick).
        icount::start_with_reload(&mut syst, board::CPU_HZ, 0x3FF);
        let (mut prev, mut bad, mut dmax, mut zero_ticks) = (icount::ticks(), 0u32, 0u64, 0u32);
        for _ in 0..200_000u32 {
            let t = icount::ticks();
            if cortex_m::peripheral::SYST::get_current() == 0 {
                zero_ticks += 1;
            }
            if t < prev || t - prev > 8 {
                if bad < 5 {
                    outln!("  dense anomaly: prev={} now={}", prev, t);
                }
                bad += 1;
            } else {
                dmax = dmax.max(t - prev);
            }
            prev = t;
        }
        outln!(
            "dense test (reload 0x3FF, ~{} wraps): {} anomalies in 200000 readings, largest step {} ticks, {} readings saw the 0 tick",
            prev / 0x400,
            bad,
            dmax,
            zero_ticks
        );
        if bad > 0 {
            ok = false;
        }
        icount::start_with_reload(&mut syst, board::CPU_HZ, icount::RELOAD);
        if err_ppm.abs() > 1000 {
            ok = false;
        }
    }
    outln!(
        "{}",
        if ok {
            "CALIBRATION OK"
        } else {
            "CALIBRATION MISMATCH"
        }
    );
    ok
}

microflow_fw::entry!(run);
