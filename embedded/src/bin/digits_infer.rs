//! Deployment of host-trained weights: the 64-32-10 digits MLP trained on the host by
//! the main crate's `mlp` example (`cargo run --release --example mlp`), saved with
//! `typegrad::persist`, kept in flash with `include_bytes!`, loaded with
//! `typegrad::persist::load` and run on the 450 test images (pixels kept in flash as `u8`
//! 0..=16, converted to f32 / 16 at run time, as the host scaled them).
//!
//! Prints `test_correct=C/450` and exits with status 0 only if `C` equals the host's count
//! (from `weights/digits_mlp.txt`, written with the weights).
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::Vector;
use typegrad::nn::{Layer, Memory};
use typegrad::persist::{load, saved_len};
use typegrad_embedded::data::{
    DIGITS_HOST_CORRECT, DIGITS_HOST_TOTAL, DIGITS_TEST_LABELS, DIGITS_TEST_PIXELS,
    DIGITS_TEST_ROWS,
};
use typegrad_embedded::{board, outln, stack};

use typegrad_embedded::networks::DigitsMlp as Mlp;

/// The weights, in flash. Written by the main crate's `mlp` example and copied here by
/// `run_all.sh`.
static WEIGHTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/weights/digits_mlp.tgrd"
));

/// Stack beyond the network and one sample's activations: loading, printing, the runtime.
const STACK_RESERVE: usize = 2 * 1024;

// The network (9,640 bytes of parameters, in RAM once loaded) must fit the board's RAM.
const _: () = assert!(
    Memory::<f32, Mlp, 1>::INFERENCE_BYTES + STACK_RESERVE <= board::RAM_BYTES,
    "the network's inference memory does not fit this board's RAM"
);
// The file in flash is exactly as long as a saved `Mlp`: a weights file of another network
// does not build.
const _: () = assert!(
    WEIGHTS.len() == saved_len::<f32, Mlp>(),
    "weights/digits_mlp.tgrd is not a saved 64-32-10 f32 network"
);

typegrad_embedded::entry!(run);

fn run() -> bool {
    let probe = stack::paint();
    outln!("digits_infer on {}", board::BOARD);
    outln!(
        "network=64-32-10 params={} weights_bytes={} ram_bytes={}",
        Memory::<f32, Mlp, 1>::PARAMS,
        WEIGHTS.len(),
        board::RAM_BYTES
    );
    let mut net = Mlp::default();
    if let Err(e) = load(&mut net, WEIGHTS) {
        outln!("FAIL loading the weights: {}", e);
        return false;
    }
    let start = board::now_us();
    let counted = board::instructions();
    let mut correct = 0usize;
    for (pixels, &label) in DIGITS_TEST_PIXELS.iter().zip(&DIGITS_TEST_LABELS) {
        // 0..=16 → 0..=1; dividing by 16 is exact, as is the host's multiplication by 1/16.
        let x = Vector::<f32, 64>::from_fn(|i| f32::from(pixels[i]) / 16.0);
        if net.predict(&x).argmax() == usize::from(label) {
            correct += 1;
        }
    }
    let end = board::now_us();
    if let (Some(a), Some(b)) = (counted, board::instructions()) {
        outln!("instructions={}", b.saturating_sub(a));
    }
    outln!("test_correct={}/{}", correct, DIGITS_TEST_ROWS);
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
    match DIGITS_HOST_CORRECT {
        Some(host) if host == correct && DIGITS_HOST_TOTAL == DIGITS_TEST_ROWS => {
            outln!("host_correct={}/{}", host, DIGITS_HOST_TOTAL);
            outln!("PASS");
            true
        }
        Some(host) => {
            outln!("host_correct={}/{}", host, DIGITS_HOST_TOTAL);
            outln!("FAIL the board's count differs from the host's");
            false
        }
        None => {
            outln!("FAIL no host result (weights/digits_mlp.txt missing)");
            false
        }
    }
}
