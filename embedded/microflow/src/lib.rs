//! MicroFlow (the `microflow` crate, 0.1.3) on the emulated boards of `embedded/`, running
//! typegrad's exported digits model, for the side-by-side comparison in docs/firmware.md
//! (`run.sh` in this directory does it all). The board support — printing, exit, the
//! instruction counter, the stack high-water mark, the outputs' checksum — is the firmware's
//! own (`embedded/src/`), included from there, so both programs are measured the same way.
#![no_std]
#![deny(unsafe_code)]
#![deny(missing_docs)]

#[path = "../../src/board.rs"]
pub mod board;
#[path = "../../src/checksum.rs"]
mod checksum;
#[path = "../../src/icount.rs"]
pub mod icount;
#[path = "../../src/stack.rs"]
pub mod stack;

/// Test inputs, labels and reference outputs, written by gen_data.py.
#[allow(missing_docs)]
pub mod data {
    include!("../gen/data_gen.rs");
}

#[cfg(target_arch = "arm")]
use panic_semihosting as _;

pub use checksum::argmax_and_hash;

/// `println!` through semihosting.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::board::print_fmt(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// Defines the entry point of the board, running `$run() -> bool` and exiting with its verdict.
#[macro_export]
macro_rules! entry {
    ($run:path) => {
        #[cfg(target_arch = "arm")]
        #[cortex_m_rt::entry]
        fn main() -> ! {
            $crate::board::exit($run())
        }

        #[cfg(all(target_os = "none", target_arch = "riscv32"))]
        #[riscv_rt::entry]
        fn main() -> ! {
            $crate::board::exit($run())
        }
    };
}

/// Starts the instruction counter of the board (SysTick on Cortex-M, nothing on RV32).
pub fn start_counter() {
    board::start();
}

/// Instructions of two back-to-back readings of the counter (the reading's own cost).
pub fn counter_overhead() -> u64 {
    let mut best = u64::MAX;
    for _ in 0..16 {
        let a = icount::ticks();
        let b = icount::ticks();
        best = best.min(b - a);
    }
    icount::to_instructions(best)
}

/// Runs `infer` (one MicroFlow inference: 64 int8 inputs → 10 int8 outputs) on the 450 test
/// images and prints what typegrad's digits_int8 prints plus the comparisons.
pub fn run(
    name: &str,
    infer: fn(&[i8; 64]) -> [i8; 10],
    reference: &[[i8; 10]; data::ROWS],
    reference_name: &str,
) -> bool {
    use data::*;
    let probe = stack::paint();
    start_counter();
    outln!("{} on {}", name, board::BOARD);

    // 1. The timed loop, as typegrad's digits_int8 runs it: inference, argmax, FNV of outputs.
    let (mut correct, mut hash) = (0usize, 0x811c_9dc5u32);
    let t0 = icount::ticks();
    for (x, &label) in INPUTS.iter().zip(&LABELS) {
        let y = infer(x);
        let best = argmax_and_hash(&y, &mut hash);
        correct += usize::from(best == usize::from(label));
    }
    let loop_instr = icount::to_instructions(icount::ticks() - t0);

    // 2. Untimed: compare every output; time each call alone.
    let overhead = counter_overhead();
    let (mut same_tg, mut same_ref, mut maxd_tg, mut maxd_ref) = (0usize, 0usize, 0i32, 0i32);
    let (mut call_sum, mut call_min, mut call_max) = (0u64, u64::MAX, 0u64);
    let mut first_diff: Option<usize> = None;
    for (k, x) in INPUTS.iter().enumerate() {
        let a = icount::ticks();
        let y = core::hint::black_box(infer(core::hint::black_box(x)));
        let n = icount::to_instructions(icount::ticks() - a).saturating_sub(overhead);
        call_sum += n;
        call_min = call_min.min(n);
        call_max = call_max.max(n);
        let d = |r: &[i8; 10]| {
            y.iter()
                .zip(r)
                .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
                .max()
                .unwrap()
        };
        let (dt, dr) = (d(&TYPEGRAD_OUT[k]), d(&reference[k]));
        same_tg += usize::from(dt == 0);
        same_ref += usize::from(dr == 0);
        maxd_tg = maxd_tg.max(dt);
        maxd_ref = maxd_ref.max(dr);
        if dr != 0 && first_diff.is_none() {
            first_diff = Some(k);
        }
    }
    let mut tg_hash = 0x811c_9dc5u32;
    for y in TYPEGRAD_OUT.iter() {
        argmax_and_hash(y, &mut tg_hash);
    }
    outln!(
        "instructions_loop={} per_inference={}",
        loop_instr,
        loop_instr / ROWS as u64
    );
    outln!(
        "instructions_call avg={} min={} max={} (counter overhead {} subtracted)",
        call_sum / ROWS as u64,
        call_min,
        call_max,
        overhead
    );
    outln!("test_correct={}/{}", correct, ROWS);
    outln!("outputs_fnv={:08x} typegrad_fnv={:08x}", hash, tg_hash);
    outln!(
        "identical_to_typegrad={}/{} max_abs_diff={}",
        same_tg,
        ROWS,
        maxd_tg
    );
    outln!(
        "identical_to_{}={}/{} max_abs_diff={}",
        reference_name,
        same_ref,
        ROWS,
        maxd_ref
    );
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    if let Some(k) = first_diff {
        let y = infer(&INPUTS[k]);
        outln!(
            "first difference vs {}: sample {} microflow={:?} reference={:?}",
            reference_name,
            k,
            y,
            reference[k]
        );
    }
    same_ref == ROWS
}

/// Defines a program that runs MicroFlow on a `.tflite` file (compiled into Rust by
/// `#[microflow::model]` at build time) and compares its outputs with `$reference` (the TFLite
/// interpreter's on the same file): `digits_program!("models/digits_pt.tflite",
/// TFLITE_PT_OUT, "tflite_pertensor", "mf_pertensor")`.
#[macro_export]
macro_rules! digits_program {
    ($model:literal, $reference:ident, $reference_name:literal, $name:literal) => {
        use microflow::buffer::Buffer2D;
        use microflow::tensor::Tensor2D;
        use $crate::data::{$reference, INPUT_SCALE, INPUT_ZERO_POINT};

        #[microflow::model($model)]
        struct Digits;

        /// One inference on already-quantized int8 inputs, returning MicroFlow's int8 outputs
        /// (`predict_inner`: the macro's private method, visible in this module; the public
        /// `predict_quantized` would dequantize the outputs to f32).
        #[inline(never)]
        fn infer(x: &[i8; 64]) -> [i8; 10] {
            let input =
                Tensor2D::new(Buffer2D::from_fn(|_, j| x[j]), [INPUT_SCALE], [INPUT_ZERO_POINT]);
            let y = Digits::predict_inner(input);
            core::array::from_fn(|j| y.buffer[(0, j)])
        }

        fn run() -> bool {
            $crate::run($name, infer, &$reference, $reference_name)
        }

        $crate::entry!(run);
    };
}
