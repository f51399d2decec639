//! Instructions per layer of MLPerf Tiny's DS-CNN (`kws_ref_model.tflite`) on the board: each
//! layer's `apply` on a seeded input, counted alone (a profile for the kernels' work; not a
//! CI check). Prints `layer=k instructions=… macs=…` per layer.
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::quant::QLayer;
use typegrad_embedded::data::KwsInt8;
use typegrad_embedded::{board, outln};

include!(concat!(env!("OUT_DIR"), "/kws_ref_model.rs"));

typegrad_embedded::entry!(run);

/// `layer.apply(x, y)` counted; prints the count and the layer's MACs.
fn count<L: QLayer>(k: usize, layer: &L, x: &[i8], y: &mut [i8]) {
    let before = board::instructions();
    layer.apply(x, y);
    if let (Some(a), Some(b)) = (before, board::instructions()) {
        let n = b.saturating_sub(a);
        outln!(
            "layer={} instructions={} macs={} per_mac_x100={}",
            k,
            n,
            L::MACS,
            n * 100 / (L::MACS as u64).max(1)
        );
    }
}

fn run() -> bool {
    let _: &KwsInt8 = &KWS_INT8;
    let (mut a, mut b) = ([0i8; 8000], [0i8; 8000]);
    for (j, v) in a.iter_mut().enumerate() {
        *v = ((j * 37 + 11) % 256) as u8 as i8;
    }
    let n = &KWS_INT8;
    count(0, &n.0, &a, &mut b);
    count(1, &n.1.0, &b, &mut a);
    count(2, &n.1.1.0, &a, &mut b);
    count(3, &n.1.1.1.0, &b, &mut a);
    count(4, &n.1.1.1.1.0, &a, &mut b);
    // The whole network in its arena, and the chain's layers 2..5 through `run`.
    let mut arena = [0i8; <KwsInt8 as QLayer>::ARENA_BYTES];
    let before = board::instructions();
    let ok = n.run_in(&mut arena, |x| x.fill(3)).is_ok();
    if let (Some(x), Some(y)) = (before, board::instructions()) {
        outln!("network instructions={} ok={}", y.saturating_sub(x), ok);
    }
    // The head: average pool, flatten, dense, softmax.
    let head = &n.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1.1;
    count(18, &head.0, &b, &mut a);
    count(19, &head.1, &a, &mut b);
    // The requantization of one accumulator, as the layers' `out` does it.
    let m = n.0.rescale;
    let before = board::instructions();
    let mut sum = 0i32;
    for (k, v) in a.iter().enumerate().take(1000) {
        let acc = i32::from(*v) * 1000 + k as i32;
        let r = m[k % 64].apply_double_rounding(core::hint::black_box(acc));
        sum = sum.wrapping_add(r.saturating_add(-128).clamp(-128, 127));
    }
    if let (Some(x), Some(y)) = (before, board::instructions()) {
        outln!("requantize_x1000={} ({})", y.saturating_sub(x), sum);
    }
    true
}
