//! On-device training in fixed point: the 4-8-3 iris network of `train_iris`, trained in
//! Q16.16 ([`I16F16`]) with integer arithmetic only — the program contains no floating-point
//! instruction and no soft-float routine (run_all.sh checks its symbol table and disassembly),
//! so on the Cortex-M0 no step pays for float emulation. Same data (the `f32` features rounded
//! to 2⁻¹⁶), seeds, batches and Adam (ε = 0.01, see [`FIXED_EPSILON`]). Prints integers only
//! and exits with status 0 if the test accuracy is at least 0.9, else 1.
//!
//! [`FIXED_EPSILON`]: typegrad_embedded::iris_task::FIXED_EPSILON
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::fixed::I16F16;
use typegrad::nn::Memory;
use typegrad::optim::Adam;
use typegrad_embedded::board;
use typegrad_embedded::iris_task::{self, BATCH, EPOCHS, IrisNet};

/// Stack beyond the training memory that `Memory` counts (as in `train_iris`).
const STACK_RESERVE: usize = 6 * 1024;

/// Training memory in Q16.16: 4 bytes a number, as `f32`.
const TRAINING_BYTES: usize =
    Memory::<I16F16, IrisNet<I16F16>, BATCH>::training_bytes_for::<Adam<IrisNet<I16F16>>>();

const _: () = assert!(
    TRAINING_BYTES + STACK_RESERVE <= board::RAM_BYTES,
    "the network's training memory does not fit this board's RAM"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    iris_task::run_program(
        format_args!(
            "train_iris_fixed on {}\nnetwork=4-8-3 scalar=I16F16 params={} training_bytes={} ram_bytes={} batch={} epochs={}",
            board::BOARD,
            Memory::<I16F16, IrisNet<I16F16>, BATCH>::PARAMS,
            TRAINING_BYTES,
            board::RAM_BYTES,
            BATCH,
            EPOCHS
        ),
        iris_task::train_and_evaluate_fixed,
    )
}
