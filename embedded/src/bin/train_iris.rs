//! On-device training: a 4-8-3 network on iris (120 training rows, 30 test rows), Adam,
//! batches of 8, then evaluation. Prints integers only (`key=value` lines) and exits with
//! status 0 if the test accuracy is at least 0.9, else 1.
//!
//! Runs on the boards (`cargo run --release --target thumbv6m-none-eabi --bin train_iris`,
//! through `run.sh` and QEMU) and on the host (`--target host-tuple`), where it prints the
//! same lines for `run_all.sh` to compare.
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::nn::Memory;
use typegrad::optim::Adam;
use typegrad_embedded::board;
use typegrad_embedded::iris_task::{self, BATCH, EPOCHS, IrisNetF32};

/// Stack beyond the training memory that `Memory` counts: `fit`'s shuffled index buffer
/// (`[usize; 120]`), its batch copies, evaluation, printing and the runtime (measured
/// high-water marks are printed by the program as `stack_used_bytes`).
const STACK_RESERVE: usize = 6 * 1024;

// The compile-time RAM check: network, gradient, Adam's two moment estimates, the training
// cache and the batches must fit the board with room for the rest of the stack. With
// `--features too-big` (hidden layer of RAM/16 units) the build stops with:
//
//   error[E0080]: evaluation panicked: the network's training memory does not fit this
//                 board's RAM
const _: () = assert!(
    Memory::<f32, IrisNetF32, BATCH>::training_bytes_for::<Adam<IrisNetF32>>() + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's training memory does not fit this board's RAM"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    iris_task::run_program(
        format_args!(
            "train_iris on {}\nnetwork=4-8-3 params={} training_bytes={} ram_bytes={} batch={} epochs={}",
            board::BOARD,
            Memory::<f32, IrisNetF32, BATCH>::PARAMS,
            Memory::<f32, IrisNetF32, BATCH>::training_bytes_for::<Adam<IrisNetF32>>(),
            board::RAM_BYTES,
            BATCH,
            EPOCHS
        ),
        iris_task::train_and_evaluate,
    )
}
