//! Prints the Rust source of the network a `.tflite` file computes: the `network!`
//! declaration (`typegrad::quant::tflite::declare`) whose int8 type the file loads into.
//!
//! Run: `cargo run --example tflite_declare -- MODEL.tflite [NAME] > src/model.rs` (NAME:
//! `Model` when not given; without arguments it declares MLPerf Tiny's keyword-spotting
//! DS-CNN, `tests/fixtures/mlperf_tiny/kws_ref_model.tflite`). Then, in the program:
//! `mod model;` and `typegrad::quant::tflite::load::<<model::Model as Quantize>::Quantized>(&bytes)`.

use std::error::Error;

fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let (path, name) = match args.next() {
        Some(path) => (path, args.next().unwrap_or_else(|| "Model".to_string())),
        None => (
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/mlperf_tiny/kws_ref_model.tflite"
            )
            .to_string(),
            "Kws".to_string(),
        ),
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let source =
        typegrad::quant::tflite::declare(&bytes, &name).map_err(|e| format!("{path}: {e}"))?;
    print!("{source}");
    Ok(())
}
