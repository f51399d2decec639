//! MLPerf Tiny's published `.tflite` files (`tests/fixtures/mlperf_tiny/`, Apache-2.0, from
//! mlcommons/tiny) and typegrad's own: [`import`] reads the int8 files into typed int8
//! networks and compares them with TFLite Micro, [`float`] reads the float files into float
//! networks. One test crate, so the generated network types (`tests/generated/`) compile
//! once. Optimized builds check every recorded input: `cargo test --release --test tflite`.
#![cfg(feature = "std")]

#[path = "../../examples/common/autoencoder.rs"]
#[allow(dead_code)]
mod autoencoder;
#[path = "../../examples/common/mlperf.rs"]
#[allow(dead_code)]
mod mlperf;
#[path = "../../examples/common/recorded.rs"]
#[allow(dead_code)]
mod recorded;

#[path = "../generated/mod.rs"]
mod generated;

mod float;
mod import;

/// SplitMix64 of the counter `c`: the seeded inputs of `scripts/reference_fixture.py`.
fn splitmix(c: usize) -> u64 {
    let mut z = (c as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}
