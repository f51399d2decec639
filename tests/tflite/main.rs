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

use recorded::splitmix;
