//! MLPerf Tiny's `ad01_int8.tflite` (the anomaly-detection autoencoder with ARM's CMSIS-NN kernels (C, built with arm-none-eabi-gcc `-O2`) on the network
//! `ad01_int8` runs (the same weights, biases and rescaling, depthwise weights reordered once
//! for CMSIS-NN), on the same seeded inputs; passes when every output equals typegrad's.
//! Feature `cmsis-nn`, Cortex-M4F.
#![no_std]
#![no_main]

use typegrad_embedded::data::{AD01_INT8_HOST, Ad01Int8, MLPERF_INPUTS};

include!(concat!(env!("OUT_DIR"), "/ad01_int8.rs"));

///  ten fully connected layers):The largest activation: the 640 inputs.
const BUFFER: usize = 640;

typegrad_embedded::entry!(run);

fn run() -> bool {
    let _: &Ad01Int8 = &AD01_INT8;
    typegrad_embedded::cmsis::run_network::<_, BUFFER>(
        "ad01_cmsis",
        &AD01_INT8,
        MLPERF_INPUTS,
        AD01_INT8_HOST,
    )
}
