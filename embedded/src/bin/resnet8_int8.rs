//! MLPerf Tiny's reference `pretrainedResnet_quant.tflite` (as published by mlcommons/tiny) on the board:
//! `build.rs` loaded the file into its typegrad type (`data::ResNet8Int8`, every operator checked
//! against it) and wrote it as a `static` (weights in flash); this runs it on
//! `MLPERF_INPUTS` seeded inputs with integer operations only and passes when the outputs'
//! checksum equals the host's (whose outputs equal TFLite Micro's).
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::quant::QLayer;
use typegrad_embedded::data::{MLPERF_INPUTS, RESNET8_INT8_HOST, ResNet8Int8};
use typegrad_embedded::mlperf_task;

// `pub static RESNET8_INT8: ResNet8Int8`: the network build.rs loaded from the file and checked (in this
// program only, so the library and the other programs do not carry its weights).
include!(concat!(env!("OUT_DIR"), "/pretrainedResnet_quant.rs"));

/// Stack beyond the activations: the loop, printing, the runtime.
const STACK_RESERVE: usize = 4 * 1024;

// Weights in flash; the activation arena of one inference in RAM (on the stack), known at
// compile time.
typegrad_embedded::fits_ram!(<ResNet8Int8 as QLayer>::ARENA_BYTES + STACK_RESERVE);
typegrad_embedded::fits_flash!(core::mem::size_of::<ResNet8Int8>());

typegrad_embedded::entry!(run);

fn run() -> bool {
    mlperf_task::run::<_, { <ResNet8Int8 as QLayer>::ARENA_BYTES }>(
        "resnet8_int8",
        &RESNET8_INT8,
        MLPERF_INPUTS,
        RESNET8_INT8_HOST,
    )
}
