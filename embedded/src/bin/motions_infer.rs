//! Deployment of a host-trained 1-D CNN: the `conv1d_motions` example trains it on the host
//! (`cargo run --release --example conv1d_motions`) and saves it with `typegrad::persist`;
//! the weights are kept in flash with `include_bytes!`, loaded with `typegrad::persist::load`
//! and run on the 40 test recordings (compiled into flash, standardized as on the host).
//!
//! Prints `test_correct=C/40` and `logits_fnv=…` (a checksum of every output's bits, which
//! `run_all.sh` compares with the host's run of this program: equal means bit-identical) and
//! exits with status 0 only if `C` equals the example's count (`weights/motions_cnn.txt`).
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::nn::Memory;
use typegrad::persist::{load, saved_len};
use typegrad_embedded::data::{
    MOTIONS_HOST_CORRECT, MOTIONS_TEST_ROWS, MOTIONS_TEST_X, MOTIONS_TEST_Y,
};
use typegrad_embedded::motions_task::{MotionsCnn, score};
use typegrad_embedded::{board, outln, stack};

/// The weights, in flash. Written by the main crate's `conv1d_motions` example and copied
/// here by `run_all.sh`.
static WEIGHTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/weights/motions_cnn.tgrd"
));

/// Stack beyond the network and one recording's activations (each layer's output of one
/// sample, which `predict` keeps until the last layer): loading, printing, the runtime.
const STACK_RESERVE: usize = 3 * 1024;

/// One recording's activations through the network: the outputs of the layers (conv 8 × 50,
/// ReLU 8 × 50, pool 8 × 25, conv 8 × 25, ReLU 8 × 25, mean 8, dense 4) in f32.
const ACTIVATION_BYTES: usize = (400 + 400 + 200 + 200 + 200 + 8 + 4) * 4;

// The network and one recording's activations must fit the board's RAM.
const _: () = assert!(
    Memory::<f32, MotionsCnn, 1>::NETWORK_BYTES + ACTIVATION_BYTES + STACK_RESERVE
        <= board::RAM_BYTES,
    "the network's inference memory does not fit this board's RAM"
);
// The file in flash is exactly as long as a saved `MotionsCnn`.
const _: () = assert!(
    WEIGHTS.len() == saved_len::<f32, MotionsCnn>(),
    "weights/motions_cnn.tgrd is not a saved MotionsCnn"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("motions_infer on {}", board::BOARD);
    outln!(
        "network=conv1d 6x100 params={} weights_bytes={} ram_bytes={}",
        Memory::<f32, MotionsCnn, 1>::PARAMS,
        WEIGHTS.len(),
        board::RAM_BYTES
    );
    let mut net = MotionsCnn::default();
    if let Err(e) = load(&mut net, WEIGHTS) {
        outln!("FAIL loading the weights: {}", e);
        return false;
    }
    let start = board::now_us();
    let counted = board::instructions();
    let (correct, hash) = score(&net, &MOTIONS_TEST_X, &MOTIONS_TEST_Y);
    let end = board::now_us();
    if let (Some(a), Some(b)) = (counted, board::instructions()) {
        outln!("instructions={}", b.saturating_sub(a));
    }
    outln!("test_correct={}/{}", correct, MOTIONS_TEST_ROWS);
    outln!("logits_fnv={:08x}", hash);
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
    match MOTIONS_HOST_CORRECT {
        Some(host) if host == correct => {
            outln!("host_correct={}/{}", host, MOTIONS_TEST_ROWS);
            outln!("PASS");
            true
        }
        Some(host) => {
            outln!("host_correct={}/{}", host, MOTIONS_TEST_ROWS);
            outln!("FAIL the board's count differs from the host's");
            false
        }
        None => {
            outln!("FAIL no host result (weights/motions_cnn.txt missing)");
            false
        }
    }
}
