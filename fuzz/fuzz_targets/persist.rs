//! `persist::load` of arbitrary bytes into a network with known weights.
//!
//! Invariants:
//! - `Err`: the network is bit-identical to before;
//! - `Ok`: every parameter is finite, and `persist::save` gives back exactly the input bytes
//!   (the format has one encoding per network: fixed header, raw little-endian values,
//!   checksum).
//!
//! An input of the file's exact length is also loaded a second time with its checksum
//! recomputed, so the checks after the checksum (finiteness, writing) get fuzzed too.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typegrad::persist::{fnv1a32, load, save, saved_len};
use typegrad_fuzz::{Net, assert_finite, assert_same_bits, bits, known_net, run};

const LEN: usize = saved_len::<f32, Net>();

fn check(bytes: &[u8]) {
    let mut net = known_net(1);
    let before = bits(&net);
    match load(&mut net, bytes) {
        Err(_) => assert_same_bits(&before, &bits(&net), "a failed load changed the network"),
        Ok(()) => {
            assert_finite(&net, "loaded network");
            let mut out = [0u8; LEN];
            let written = save(&net, &mut out).expect("invariant: save of a loaded network");
            assert_eq!(written, LEN);
            assert!(
                out[..] == *bytes,
                "invariant: save(load(bytes)) != bytes (len {})",
                bytes.len()
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    run("persist", data, || {
        check(data);
        if data.len() == LEN {
            let mut fixed = data.to_vec();
            let sum = fnv1a32(&fixed[..LEN - 4]);
            fixed[LEN - 4..].copy_from_slice(&sum.to_le_bytes());
            if fixed != data {
                check(&fixed);
            }
        }
    })
});
