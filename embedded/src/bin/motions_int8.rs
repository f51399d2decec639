//! int8 deployment of the 1-D CNN: the `conv1d_motions` network quantized with TFLite's
//! arithmetic by `build.rs` (typegrad's `quant::quantize`, calibrated on the 40 training
//! recordings, as the `int8_motions` example does), run on the 40 test recordings — already
//! int8 in flash — with integer operations only.
//!
//! Prints `test_correct=C/40` and `outputs_fnv=…` and passes only if both equal what
//! `build.rs` computed on the host: every int8 output bit-identical.
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::quant::QLayer;
use typegrad_embedded::data::{MOTIONS_INT8, MOTIONS_INT8_HOST, MOTIONS_TEST_Q, MOTIONS_TEST_Y};
use typegrad_embedded::{board, outln, stack};

/// Stack beyond the activations: the loop, printing, the runtime.
const STACK_RESERVE: usize = 2 * 1024;

// The weights stay in flash (a `static`); RAM needs only the activation arena of one
// inference (on the stack), known at compile time.
const _: () = assert!(
    <typegrad_embedded::data::MotionsInt8 as QLayer>::ARENA_BYTES + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's int8 inference memory does not fit this board's RAM"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("motions_int8 on {}", board::BOARD);
    outln!(
        "network=conv1d 6x100 int8 bytes={} ram_bytes={}",
        core::mem::size_of_val(&MOTIONS_INT8),
        board::RAM_BYTES
    );
    let start = board::now_us();
    let counted = board::instructions();
    let (mut correct, mut hash) = (0usize, 0x811c_9dc5u32);
    let mut arena = [0i8; <typegrad_embedded::data::MotionsInt8 as QLayer>::ARENA_BYTES];
    for (x, label) in MOTIONS_TEST_Q.iter().zip(&MOTIONS_TEST_Y) {
        let Ok(y) = MOTIONS_INT8.predict_in(x, &mut arena) else {
            outln!("FAIL the arena is too small");
            return false;
        };
        let best = typegrad_embedded::argmax_and_hash(y.as_slice(), &mut hash);
        correct += usize::from(best == label.index());
    }
    let end = board::now_us();
    if let (Some(a), Some(b)) = (counted, board::instructions()) {
        outln!("instructions={}", b.saturating_sub(a));
    }
    outln!(
        "macs={}",
        <typegrad_embedded::data::MotionsInt8 as typegrad::quant::QLayer>::MACS
    );
    outln!("test_correct={}/{}", correct, MOTIONS_TEST_Q.len());
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
    let (host_correct, host_hash) = MOTIONS_INT8_HOST;
    outln!(
        "host_correct={}/{} host_fnv={:08x}",
        host_correct,
        MOTIONS_TEST_Q.len(),
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
