//! MLPerf Tiny's reference `ad01_int8.tflite` (as published by mlcommons/tiny) on the board:
//! `build.rs` loaded the file into its typegrad type (`data::Ad01Int8`, every operator checked
//! against it) and wrote it as a `static` (weights in flash); this runs it on
//! `MLPERF_INPUTS` seeded inputs with integer operations only and passes when the outputs'
//! checksum equals the host's (whose outputs equal TFLite Micro's).
#![cfg_attr(target_os = "none", no_std, no_main)]

use typegrad::quant::QLayer;
use typegrad_embedded::data::{AD01_INT8_HOST, Ad01Int8, MLPERF_INPUTS};
use typegrad_embedded::mlperf_task;

// `pub static AD01_INT8: Ad01Int8`: the network build.rs loaded from the file and checked (in this
// program only, so the library and the other programs do not carry its weights).
include!(concat!(env!("OUT_DIR"), "/ad01_int8.rs"));

/// Stack beyond the activations: the loop, printing, the runtime.
const STACK_RESERVE: usize = 4 * 1024;

// Weights in flash; the activation arena of one inference in RAM (on the stack), known at
// compile time.
typegrad_embedded::fits_ram!(<Ad01Int8 as QLayer>::ARENA_BYTES + STACK_RESERVE);
typegrad_embedded::fits_flash!(core::mem::size_of::<Ad01Int8>());

typegrad_embedded::entry!(run);

fn run() -> bool {
    mlperf_task::run::<_, { <Ad01Int8 as QLayer>::ARENA_BYTES }>(
        "ad01_int8",
        &AD01_INT8,
        MLPERF_INPUTS,
        AD01_INT8_HOST,
    )
}
