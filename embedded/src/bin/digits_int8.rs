//! int8 deployment: the digits MLP quantized with TFLite's arithmetic (by `build.rs`, with
//! typegrad's `quant::quantize`, from the same `weights/digits_mlp.tgrd` that `digits_infer`
//! runs in f32), kept in flash as int8 weights, run on the 450 test images with integer
//! operations only: pixels map to int8 through a 17-entry table, and the logits' argmax is
//! taken on the int8 outputs. `run_all.sh` checks the firmware's symbol table for float
//! routines (`__aeabi_f*`, `__aeabi_d*`, `__addsf3`, …): there must be none.
//!
//! Prints `test_correct=C/450` and `outputs_fnv=…` (FNV-1a over every int8 output) and passes
//! only if both equal what `build.rs` computed on the host with the same network: every int8
//! output bit-identical.
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::quant::QLayer;
use typegrad_embedded::data::{
    DIGITS_INT8, DIGITS_INT8_HOST, DIGITS_INT8_PIXEL, DIGITS_TEST_LABELS, DIGITS_TEST_PIXELS,
    DIGITS_TEST_ROWS,
};
use typegrad_embedded::{board, outln, stack};

/// Stack beyond the activations: the loop, printing, the runtime.
const STACK_RESERVE: usize = 2 * 1024;

// The weights stay in flash (a `static`); RAM needs only the activation arena of one
// inference (on the stack), known at compile time.
const _: () = assert!(
    <typegrad_embedded::data::DigitsInt8 as QLayer>::ARENA_BYTES + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's int8 inference memory does not fit this board's RAM"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("digits_int8 on {}", board::BOARD);
    outln!(
        "network=64-32-10 int8 bytes={} ram_bytes={}",
        core::mem::size_of_val(&DIGITS_INT8),
        board::RAM_BYTES
    );
    let start = board::now_us();
    let counted = board::instructions();
    let (mut correct, mut hash) = (0usize, 0x811c_9dc5u32);
    let mut arena = [0i8; <typegrad_embedded::data::DigitsInt8 as QLayer>::ARENA_BYTES];
    for (pixels, &label) in DIGITS_TEST_PIXELS.iter().zip(&DIGITS_TEST_LABELS) {
        // The pixels mapped straight into the arena, the logits read where they are.
        let y = DIGITS_INT8.run_in(&mut arena, |x| {
            for (v, &p) in x.iter_mut().zip(pixels) {
                *v = DIGITS_INT8_PIXEL[usize::from(p).min(16)];
            }
        });
        let Ok(y) = y else {
            outln!("FAIL the arena is too small");
            return false;
        };
        let best = typegrad_embedded::argmax_and_hash(y, &mut hash);
        correct += usize::from(best == usize::from(label));
    }
    let end = board::now_us();
    if let (Some(a), Some(b)) = (counted, board::instructions()) {
        outln!("instructions={}", b.saturating_sub(a));
    }
    outln!(
        "macs={}",
        <typegrad_embedded::data::DigitsInt8 as typegrad::quant::QLayer>::MACS
    );
    outln!("test_correct={}/{}", correct, DIGITS_TEST_ROWS);
    outln!("outputs_fnv={:08x}", hash);
    if let (Some(s), Some(e)) = (start, end) {
        outln!("infer_us={}", e.saturating_sub(s));
    }
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    let (host_correct, host_hash) = DIGITS_INT8_HOST;
    outln!(
        "host_correct={}/{} host_fnv={:08x}",
        host_correct,
        DIGITS_TEST_ROWS,
        host_hash
    );
    if (correct, hash) == (host_correct, host_hash) {
        outln!("PASS");
        true
    } else {
        outln!("FAIL the int8 outputs differ from the host's");
        false
    }
}
