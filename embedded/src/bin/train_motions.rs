//! On-device training of a 1-D CNN: the `conv1d_motions` network trained from seeded initial
//! weights on the 40 training recordings (Adam, batches of 8, 30 epochs), then tested on the
//! 40 test recordings. Prints integers and bit patterns only and exits with status 0 if the
//! test accuracy is at least 0.95.
//!
//! Runs on the Cortex-M4F and the RV32 boards (and on the host for comparison). The Cortex-M0 board's
//! 16 KiB of RAM cannot hold the training state: there the build stops with "the network's
//! training memory does not fit this board's RAM" (`run_all.sh` checks that it does).
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::nn::Memory;
use typegrad::optim::Adam;
use typegrad_embedded::data::{MOTIONS_TEST_ROWS, MOTIONS_TEST_X, MOTIONS_TEST_Y};
use typegrad_embedded::motions_task::{self, BATCH, EPOCHS, MotionsCnn};
use typegrad_embedded::{board, outln, stack};

/// Stack beyond the training memory that `Memory` counts: the shuffled order, a batch copy,
/// evaluation, printing and the runtime.
const STACK_RESERVE: usize = 8 * 1024;

const _: () = assert!(
    Memory::<f32, MotionsCnn, BATCH>::training_bytes_for::<Adam<MotionsCnn>>() + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's training memory does not fit this board's RAM"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("train_motions on {}", board::BOARD);
    outln!(
        "network=conv1d 6x100 params={} training_bytes={} ram_bytes={} batch={} epochs={}",
        Memory::<f32, MotionsCnn, BATCH>::PARAMS,
        Memory::<f32, MotionsCnn, BATCH>::training_bytes_for::<Adam<MotionsCnn>>(),
        board::RAM_BYTES,
        BATCH,
        EPOCHS
    );
    let start = board::now_us();
    let trained = match motions_task::train() {
        Ok(t) => t,
        Err(e) => {
            outln!("FAIL training stopped: {}", e);
            return false;
        }
    };
    let end = board::now_us();
    let (correct, hash) = motions_task::score(&trained.net, &MOTIONS_TEST_X, &MOTIONS_TEST_Y);
    outln!("steps={}", trained.steps);
    outln!("loss_bits={:08x}", trained.last_epoch_loss.to_bits());
    outln!("test_correct={}/{}", correct, MOTIONS_TEST_ROWS);
    outln!("logits_fnv={:08x}", hash);
    if let (Some(s), Some(e)) = (start, end) {
        outln!("fit_us={}", e.saturating_sub(s));
    }
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    // At least 0.95: 20 · correct ≥ 19 · total.
    let ok = 20 * correct >= 19 * MOTIONS_TEST_ROWS;
    outln!(
        "{}",
        if ok {
            "PASS"
        } else {
            "FAIL test accuracy below 0.95"
        }
    );
    ok
}
