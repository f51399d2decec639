//! The 1-D CNN of the smartwatch recordings (`motions_int8`'s network: two convolutions, max
//! pooling, the mean over time, a dense layer) with ARM's CMSIS-NN kernels (C, built with
//! arm-none-eabi-gcc `-O2`) on the same int8 network (its weights reordered once for
//! CMSIS-NN). Each recording is put in TFLite's order (step by step, channels innermost)
//! before the count starts (TFLite Micro's input is in that order already); instructions are
//! counted around the network, the argmax and the checksum, as `motions_int8` counts typegrad's. Passes when every output equals typegrad's. Feature
//! `cmsis-nn`, Cortex-M boards.
#![no_std]
#![no_main]

use typegrad_embedded::cmsis::{Bufs, CmsisLayer};
use typegrad_embedded::data::{MOTIONS_INT8, MOTIONS_INT8_HOST, MOTIONS_TEST_Q, MOTIONS_TEST_Y};
use typegrad_embedded::{board, outln, stack};

/// The largest activation: the 6 × 100 input.
const BUFFER: usize = 6 * 100;

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("motions_cmsis on {}", board::BOARD);
    let prepared = MOTIONS_INT8.prepare();
    let mut scratch = [0i32; 256];
    let (mut a, mut b, mut c) = ([0i8; BUFFER], [0i8; BUFFER], [0i8; BUFFER]);
    let mut bufs = Bufs([&mut a, &mut b, &mut c]);
    let (mut correct, mut hash, mut instructions, mut ok) = (0usize, 0x811c_9dc5u32, 0u64, true);
    for (x, label) in MOTIONS_TEST_Q.iter().zip(&MOTIONS_TEST_Y) {
        // typegrad's [channel][step] → TFLite's [step][channel].
        let (channels, steps) = (6, 100);
        let v = x.as_slice();
        for (j, slot) in bufs.0[0].iter_mut().take(channels * steps).enumerate() {
            *slot = v[(j % channels) * steps + j / channels];
        }
        let before = board::instructions();
        let Ok(out) = MOTIONS_INT8.cmsis_run(&prepared, &mut bufs, 0, 0, &mut scratch) else {
            outln!("FAIL CMSIS-NN refused the network");
            ok = false;
            break;
        };
        let best = typegrad_embedded::argmax_and_hash(&bufs.0[out][..4], &mut hash);
        correct += usize::from(best == label.index());
        if let (Some(s), Some(e)) = (before, board::instructions()) {
            instructions += e.saturating_sub(s);
        }
    }
    outln!("instructions={}", instructions);
    outln!(
        "macs={}",
        <typegrad_embedded::data::MotionsInt8 as typegrad::quant::QLayer>::MACS
    );
    outln!("test_correct={}/{}", correct, MOTIONS_TEST_Q.len());
    outln!("outputs_fnv={:08x}", hash);
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
    if ok && (correct, hash) == (host_correct, host_hash) {
        outln!("PASS");
        true
    } else {
        outln!("FAIL CMSIS-NN's int8 outputs differ from typegrad's");
        false
    }
}
