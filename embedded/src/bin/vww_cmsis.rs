//! MLPerf Tiny's `vww_96_int8.tflite` (MobileNetV1 0.25 at 96 × 96) with ARM's CMSIS-NN kernels (C, built with arm-none-eabi-gcc `-O2`) on the network
//! `vww_int8` runs (the same weights, biases and rescaling, depthwise weights reordered once
//! for CMSIS-NN), on the same seeded inputs; passes when every output equals typegrad's.
//! Feature `cmsis-nn`, Cortex-M4F.
#![no_std]
#![no_main]

use typegrad_embedded::data::{MLPERF_INPUTS, VWW_INT8_HOST, VwwInt8};

include!(concat!(env!("OUT_DIR"), "/vww_96_int8.rs"));

/// The largest activation: 48 × 48 × 16.
const BUFFER: usize = 48 * 48 * 16;

typegrad_embedded::entry!(run);

fn run() -> bool {
    let _: &VwwInt8 = &VWW_INT8;
    typegrad_embedded::cmsis::run_network::<_, BUFFER>(
        "vww_cmsis",
        &VWW_INT8,
        MLPERF_INPUTS,
        VWW_INT8_HOST,
    )
}
