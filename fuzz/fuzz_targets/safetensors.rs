//! `interop::safetensors::from_bytes` of arbitrary bytes into a network with known weights.
//!
//! Invariants:
//! - `Err`: the network is bit-identical to before;
//! - `Ok`: every parameter is finite; each one is the file's value converted to f32, checked
//!   against an independent decoding of the file (F32 bit-exact, F64 rounded, F16 and BF16
//!   exact); `to_bytes` of the result loads back bit-identically into another network and
//!   re-encodes to the same bytes.
//!
//! Inputs are also tried with the header length recomputed (see [`reframed`]).
#![no_main]

use libfuzzer_sys::fuzz_target;
use safetensors::{Dtype, SafeTensors};
use typegrad::interop::safetensors::{from_bytes, to_bytes};
use typegrad_fuzz::{NAMES, assert_finite, assert_same_bits, bits, known_net, run};

/// The exact value of an IEEE 754 half (independent of typegrad's conversion).
fn f16_value(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((h >> 10) & 0x1f);
    let fraction = f64::from(h & 0x3ff);
    match exponent {
        0 => sign * fraction * 2f64.powi(-24),
        0x1f => f64::NAN,
        e => sign * (1.0 + fraction / 1024.0) * 2f64.powi(e - 15),
    }
}

/// The values of the network's tensors in the file, in visiting order, as f32.
fn expected_values(bytes: &[u8]) -> Vec<f32> {
    let file = SafeTensors::deserialize(bytes).expect("invariant: accepted file is valid");
    let mut out = Vec::new();
    for name in NAMES {
        for part in ["weight", "bias"] {
            let view = file
                .tensor(&format!("{name}.{part}"))
                .expect("invariant: accepted file has the tensor");
            let data = view.data();
            match view.dtype() {
                Dtype::F32 => out.extend(
                    data.chunks_exact(4)
                        .map(|b| f32::from_le_bytes(b.try_into().unwrap())),
                ),
                Dtype::F64 => out.extend(
                    data.chunks_exact(8)
                        .map(|b| f64::from_le_bytes(b.try_into().unwrap()) as f32),
                ),
                Dtype::F16 => out.extend(
                    data.chunks_exact(2)
                        .map(|b| f16_value(u16::from_le_bytes([b[0], b[1]])) as f32),
                ),
                Dtype::BF16 => out
                    .extend(data.chunks_exact(2).map(|b| {
                        f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16)
                    })),
                // PyTorch's int64 batch counts are read too (exact in f64, then rounded).
                Dtype::I64 => out.extend(
                    data.chunks_exact(8)
                        .map(|b| i64::from_le_bytes(b.try_into().unwrap()) as f64 as f32),
                ),
                other => panic!("invariant: accepted a {other:?} tensor"),
            }
        }
    }
    out
}

fn check(data: &[u8]) {
    let mut net = known_net(1);
    let before = bits(&net);
    match from_bytes(&mut net, NAMES, data) {
        Err(_) => assert_same_bits(&before, &bits(&net), "a failed load changed the network"),
        Ok(()) => {
            assert_finite(&net, "loaded network");
            let expected: Vec<u32> = expected_values(data).iter().map(|x| x.to_bits()).collect();
            assert_same_bits(
                &expected,
                &bits(&net),
                "loaded values differ from the file's",
            );

            let encoded = to_bytes(&net, NAMES).expect("invariant: to_bytes of a loaded network");
            let mut back = known_net(2);
            from_bytes(&mut back, NAMES, &encoded).expect("invariant: to_bytes output loads");
            assert_same_bits(
                &bits(&net),
                &bits(&back),
                "to_bytes -> from_bytes round trip",
            );
            let again = to_bytes(&back, NAMES).expect("invariant: to_bytes of a loaded network");
            assert!(encoded == again, "invariant: to_bytes is not deterministic");
        }
    }
}

/// The input with its 8-byte header length replaced by the length up to the first `}}`
/// after it, if that differs: mutations that grow or shrink the JSON header then still give
/// a well-framed file.
fn reframed(data: &[u8]) -> Option<Vec<u8>> {
    let end = data.get(8..)?.windows(2).position(|w| w == b"}}")? + 2;
    let length = (end as u64).to_le_bytes();
    if data[..8] == length {
        return None;
    }
    let mut out = data.to_vec();
    out[..8].copy_from_slice(&length);
    Some(out)
}

fuzz_target!(|data: &[u8]| {
    run("safetensors", data, || {
        check(data);
        if let Some(fixed) = reframed(data) {
            check(&fixed);
        }
    })
});
