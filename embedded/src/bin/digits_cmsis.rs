//! The digits MLP's int8 inference with ARM's CMSIS-NN kernels (`arm_fully_connected_per_channel_s8`,
//! C, built with arm-none-eabi-gcc `-O2`) on the same quantized network as `digits_int8`
//! (its weights, biases and rescaling handed to CMSIS-NN), measured the same way: the 450 test
//! images through the same pixel table, argmax and checksum, instructions counted around the
//! whole loop. Passes only if every int8 output equals typegrad's (the host's checksum).
//! Feature `cmsis-nn`, Cortex-M boards only.
#![no_std]
#![no_main]

use typegrad_embedded::cmsis::{self, ChannelQuant};
use typegrad_embedded::data::{
    DIGITS_INT8, DIGITS_INT8_HOST, DIGITS_INT8_PIXEL, DIGITS_TEST_LABELS, DIGITS_TEST_PIXELS,
    DIGITS_TEST_ROWS,
};
use typegrad_embedded::{board, outln, stack};

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("digits_cmsis on {}", board::BOARD);
    let (hidden, logits) = (&DIGITS_INT8.0, &DIGITS_INT8.1);
    // TFLite Micro's Prepare: the rescaling as CMSIS-NN's arrays, once.
    let (q1, q2) = (
        ChannelQuant::of_dense(hidden),
        ChannelQuant::of_dense(logits),
    );
    let counted = board::instructions();
    let (mut correct, mut hash, mut ok) = (0usize, 0x811c_9dc5u32, true);
    let (mut h, mut y) = ([0i8; 32], [0i8; 10]);
    for (pixels, &label) in DIGITS_TEST_PIXELS.iter().zip(&DIGITS_TEST_LABELS) {
        let x: [i8; 64] =
            core::array::from_fn(|i| DIGITS_INT8_PIXEL[usize::from(pixels[i]).min(16)]);
        ok &= cmsis::dense(hidden, &q1, &x, &mut h);
        ok &= cmsis::dense(logits, &q2, &h, &mut y);
        let best = typegrad_embedded::argmax_and_hash(&y, &mut hash);
        correct += usize::from(best == usize::from(label));
    }
    if let (Some(a), Some(b)) = (counted, board::instructions()) {
        outln!("instructions={}", b.saturating_sub(a));
    }
    outln!(
        "macs={}",
        <typegrad_embedded::data::DigitsInt8 as typegrad::quant::QLayer>::MACS
    );
    outln!("test_correct={}/{}", correct, DIGITS_TEST_ROWS);
    outln!("outputs_fnv={:08x}", hash);
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
    if ok && (correct, hash) == (host_correct, host_hash) {
        outln!("PASS");
        true
    } else {
        outln!("FAIL CMSIS-NN's int8 outputs differ from typegrad's (or it refused the arguments)");
        false
    }
}
