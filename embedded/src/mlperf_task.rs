//! MLPerf Tiny's reference int8 models, as published (`.tflite` files from mlcommons/tiny),
//! on the boards: `build.rs` loads each file into its typegrad network type (every operator
//! checked against the type), writes the network as a `static` (weights in flash) and computes
//! the host's outputs on seeded inputs, checked there against TFLite Micro's recorded ones.

use typegrad::quant::{QLayer, QSample};

use crate::{board, outln, stack};

/// Runs the int8 network `q` on `inputs` seeded inputs (generated here, as the fixtures'
/// script does) in an arena of `ARENA` bytes (`Q::ARENA_BYTES`, on the stack) and prints
/// instructions, stack and the outputs' FNV-1a; passes when the checksum equals `host` (the
/// host's outputs, equal to TFLite Micro's).
pub fn run<Q, const ARENA: usize>(name: &str, q: &Q, inputs: usize, host: u32) -> bool
where
    Q: QLayer,
    Q::In: QSample,
    Q::Out: QSample,
{
    let probe = stack::paint();
    outln!("{} on {}", name, board::BOARD);
    outln!(
        "int8 bytes={} arena_bytes={} ram_bytes={}",
        core::mem::size_of_val(q),
        Q::ARENA_BYTES,
        board::RAM_BYTES
    );
    let n = Q::In::LEN;
    let mut hash = 0x811c_9dc5u32;
    let mut instructions = 0u64;
    let mut counted = true;
    let mut arena = [0i8; ARENA];
    for k in 0..inputs {
        let before = board::instructions();
        // The input written straight into the arena, in NHWC order (as a sensor would).
        let y = match q.run_in(&mut arena, |x| {
            for (j, v) in x.iter_mut().enumerate() {
                *v = crate::checksum::seeded_input(k, j, n);
            }
        }) {
            Ok(y) => y,
            Err(e) => {
                outln!("FAIL {}", e);
                return false;
            }
        };
        match (before, board::instructions()) {
            (Some(a), Some(b)) => instructions += b.saturating_sub(a),
            _ => counted = false,
        }
        crate::argmax_and_hash(y, &mut hash);
    }
    if counted && inputs > 0 {
        outln!("instructions={}", instructions / inputs as u64);
    }
    outln!("macs={}", Q::MACS);
    outln!("inputs={}", inputs);
    outln!("outputs_fnv={:08x}", hash);
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    outln!("host_fnv={:08x}", host);
    if hash == host {
        outln!("PASS");
        true
    } else {
        outln!("FAIL the int8 outputs differ from the host's");
        false
    }
}
