//! On-device training: a 4-8-3 network on iris (120 training rows, 30 test rows), Adam,
//! batches of 8, then evaluation. Prints integers only (`key=value` lines) and exits with
//! status 0 if the test accuracy is at least 0.9, else 1.
//!
//! Runs on the boards (`cargo run --release --target thumbv6m-none-eabi --bin train_iris`,
//! through `run.sh` and QEMU) and on the host (`--target host-tuple`), where it prints the
//! same lines for `run_all.sh` to compare.
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::activation::Relu;
use typegrad::nn::{Dense, Memory};
use typegrad::optim::Adam;
use typegrad_embedded::board;
use typegrad_embedded::iris_task::{self, BATCH, EPOCHS, IrisNetF32};

/// Stack beyond the training memory that `Memory` counts: `fit`'s shuffled index buffer
/// (`[usize; 120]`), its batch copies, evaluation, printing and the runtime (measured
/// high-water marks are printed by the program as `stack_used_bytes`).
const STACK_RESERVE: usize = 6 * 1024;

/// The hidden units of the network the RAM check below is made for: the one trained
/// (`iris_task::HIDDEN`), or, with the environment variable `TYPEGRAD_EMBEDDED_TOO_BIG` set at
/// build time, RAM/16 units (8 copies of the RAM in parameters), which must stop the build
/// (run_all.sh checks that; rustc tracks the variable, so switching it rebuilds only this
/// program).
const CHECKED_HIDDEN: usize = if option_env!("TYPEGRAD_EMBEDDED_TOO_BIG").is_some() {
    board::RAM_BYTES / 16
} else {
    iris_task::HIDDEN
};

typegrad::network! {
    /// The network the RAM check is made for: `IrisNetF32` unless too big was asked for.
    type Checked = [Dense<f32, 4, CHECKED_HIDDEN, Relu>, Dense<f32, CHECKED_HIDDEN, 3>];
}
const _: () = assert!(
    CHECKED_HIDDEN == iris_task::HIDDEN || cfg!(target_os = "none"),
    "TYPEGRAD_EMBEDDED_TOO_BIG is for the boards: the host has no RAM limit to exceed"
);

// The compile-time RAM check: network, gradient, Adam's two moment estimates, the training
// cache and the batches must fit the board with room for the rest of the stack. Too big, the
// build stops with:
//
//   error[E0080]: evaluation panicked: the network's training memory does not fit this
//                 board's RAM
const _: () = assert!(
    Memory::<f32, Checked, BATCH>::training_bytes_for::<Adam<Checked>>() + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's training memory does not fit this board's RAM"
);
const _: () = assert!(
    Memory::<f32, IrisNetF32, BATCH>::training_bytes_for::<Adam<IrisNetF32>>()
        <= Memory::<f32, Checked, BATCH>::training_bytes_for::<Adam<Checked>>(),
    "the checked network is at least the trained one"
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
