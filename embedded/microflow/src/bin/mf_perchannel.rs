//! MicroFlow 0.1.3 on models/digits_pc.tflite: the digits MLP exactly as typegrad exports it
//! (per-channel weight scales). Does not compile: MicroFlow's FULLY_CONNECTED takes weights
//! with one scale (run.sh checks that it fails for that reason).
#![no_std]
#![no_main]

microflow_fw::digits_program!(
    "models/digits_pc.tflite",
    TFLITE_PC_OUT,
    "tflite_perchannel",
    "mf_perchannel"
);
