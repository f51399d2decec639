//! MLPerf Tiny's `kws_ref_model.tflite` (DS-CNN) with ARM's CMSIS-NN kernels (C, built with
//! arm-none-eabi-gcc `-O2`) on the network `kws_int8` runs (the same weights, biases and
//! rescaling, the depthwise weights reordered once for CMSIS-NN), on the same seeded inputs;
//! passes when every output equals typegrad's. Feature `cmsis-nn`, Cortex-M4F.
#![no_std]
#![no_main]

use typegrad_embedded::data::{KWS_INT8_HOST, KwsInt8, MLPERF_INPUTS};

include!(concat!(env!("OUT_DIR"), "/kws_ref_model.rs"));

/// The largest activation: 25 × 5 × 64.
const BUFFER: usize = 25 * 5 * 64;

typegrad_embedded::entry!(run);

fn run() -> bool {
    let _: &KwsInt8 = &KWS_INT8;
    typegrad_embedded::cmsis::run_network::<_, BUFFER>(
        "kws_cmsis",
        &KWS_INT8,
        MLPERF_INPUTS,
        KWS_INT8_HOST,
    )
}
