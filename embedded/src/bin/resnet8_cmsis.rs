//! MLPerf Tiny's `pretrainedResnet_quant.tflite` (ResNet-8) with ARM's CMSIS-NN kernels (C,
//! built with arm-none-eabi-gcc `-O2`) on the network `resnet8_int8` runs (the same weights,
//! biases and rescaling, reordered once for CMSIS-NN; the residual sums with
//! `arm_elementwise_add_s8`), on the same seeded inputs; passes when every output equals
//! typegrad's. Feature `cmsis-nn`, Cortex-M4F.
#![no_std]
#![no_main]

use typegrad_embedded::data::{MLPERF_INPUTS, RESNET8_INT8_HOST, ResNet8Int8};

include!(concat!(env!("OUT_DIR"), "/pretrainedResnet_quant.rs"));

/// The largest activation: 32 × 32 × 16.
const BUFFER: usize = 32 * 32 * 16;

typegrad_embedded::entry!(run);

fn run() -> bool {
    let _: &ResNet8Int8 = &RESNET8_INT8;
    typegrad_embedded::cmsis::run_network::<_, BUFFER>(
        "resnet8_cmsis",
        &RESNET8_INT8,
        MLPERF_INPUTS,
        RESNET8_INT8_HOST,
    )
}
