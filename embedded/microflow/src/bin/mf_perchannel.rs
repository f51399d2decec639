//! MicroFlow 0.1.3 running the digits MLP (64→32 ReLU→10, int8) from models/digits_pc.tflite:
//! per-channel weight scales, exactly as typegrad exports it. MicroFlow's proc macro compiles the .tflite into Rust at build time.
//! Prints instructions per inference, accuracy, the outputs' agreement with typegrad's int8
//! outputs and with the TFLite interpreter's (reference kernels) on the same file.
#![no_std]
#![no_main]

use microflow::buffer::Buffer2D;
use microflow::tensor::Tensor2D;
use microflow_fw::data::{INPUT_SCALE, INPUT_ZERO_POINT, TFLITE_PC_OUT};

#[microflow::model("models/digits_pc.tflite")]
struct Digits;

/// One inference on already-quantized int8 inputs, returning MicroFlow's int8 outputs
/// (`predict_inner`: the macro's private method, visible in this module; the public
/// `predict_quantized` would dequantize the outputs to f32).
#[inline(never)]
fn infer(x: &[i8; 64]) -> [i8; 10] {
    let input = Tensor2D::new(
        Buffer2D::from_fn(|_, j| x[j]),
        [INPUT_SCALE],
        [INPUT_ZERO_POINT],
    );
    let y = Digits::predict_inner(input);
    core::array::from_fn(|j| y.buffer[(0, j)])
}

fn run() -> bool {
    microflow_fw::run("mf_perchannel", infer, &TFLITE_PC_OUT, "tflite_perchannel")
}

microflow_fw::entry!(run);
