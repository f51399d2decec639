//! MicroFlow 0.1.3 running the digits MLP (64→32 ReLU→10, int8) from models/digits_pt.tflite:
//! one weight scale per layer, the closest model MicroFlow's FULLY_CONNECTED accepts. Prints
//! instructions per inference, accuracy, and the outputs' agreement with typegrad's int8
//! outputs and with the TFLite interpreter's (reference kernels) on the same file.
#![no_std]
#![no_main]

microflow_fw::digits_program!(
    "models/digits_pt.tflite",
    TFLITE_PT_OUT,
    "tflite_pertensor",
    "mf_pertensor"
);
