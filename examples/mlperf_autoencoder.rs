//! MLPerf Tiny's anomaly-detection autoencoder (AD01: ten fully connected layers, 640 → 128 →
//! … → 8 → … → 640, 266 k parameters) built in typegrad, trained a few steps on synthetic
//! rows, quantized to int8 (calibrated on the training rows) and written as a `.tflite` file by
//! typegrad's writer. `scripts/tflite_check.py --model target/mlperf_autoencoder.json` runs
//! that file in TFLite Micro's interpreter on 128 seeded random inputs and compares every
//! output with typegrad's.
//!
//! Run: `cargo run --release --example mlperf_autoencoder`

mod common;

use std::error::Error;

use common::autoencoder::{Autoencoder, synthetic_rows, trained};
use typegrad::nn::Memory;
use typegrad::quant::{QLayer, quantize, tflite};

fn main() -> Result<(), Box<dyn Error>> {
    // The float network is a 1 MB value and Adam's state 2 MB more, all plain values: this
    // program runs on a thread with a stack large enough for several of them.
    std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(|| run().map_err(|e| e.to_string()))?
        .join()
        .map_err(|_| "the program's thread panicked")??;
    Ok(())
}

fn run() -> Result<(), Box<dyn Error>> {
    let rows = synthetic_rows(64, 7);
    let (net, first, last) = trained(&rows, 20);
    println!(
        "AD01 autoencoder: {} parameters; 20 Adam steps on synthetic rows: loss {first:.4} → {last:.4}",
        Memory::<f32, Autoencoder, 8>::PARAMS
    );
    let q = quantize(&net, &rows);
    let bytes = tflite::to_tflite(&q);
    let tests = synthetic_rows(128, 99);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for x in &tests {
        let xq = q.quantize_input(x);
        outputs.push(q.predict(&xq).as_slice().to_vec());
        inputs.push(xq.as_slice().to_vec());
    }
    println!(
        "int8: {} bytes of weights and parameters (f32: {} bytes), {} bytes of activations; \
         .tflite {} bytes",
        core::mem::size_of_val(&q),
        core::mem::size_of::<Autoencoder>(),
        common::activation_bytes(&q),
        bytes.len()
    );
    let path = common::write_model_json(
        "mlperf_autoencoder",
        &[640],
        Vec::new(),
        &bytes,
        inputs,
        outputs,
    )?;
    println!("model and test outputs written to {}", path.display());
    Ok(())
}
