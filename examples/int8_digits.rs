//! Post-training int8 quantization of the digits MLP, with TFLite Micro's arithmetic: loads
//! the f32 64-32-10 network that the `mlp` example trained (`embedded/weights/digits_mlp.tgrd`,
//! the file the firmware runs), calibrates it on the 1,347 training images, and compares int8
//! and f32 test accuracy. Writes the model as `target/int8_digits.tflite` (typegrad's writer,
//! `typegrad::quant::tflite`) and `target/int8_digits.json` (the int8 inputs and outputs of the
//! 450 test images), which `scripts/tflite_check.py` runs in TFLite Micro's interpreter to
//! check the outputs bit for bit.
//!
//! Run: `cargo run --release --example int8_digits`

mod common;

use std::error::Error;

use serde_json::json;
use typegrad::activation::Relu;
use typegrad::data::{Dataset, Split};
use typegrad::nn::{Dense, Layer};
use typegrad::quant::{QLayer, quantize};

typegrad::network! {
    /// The `mlp` example's network.
    type Mlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}

fn argmax(v: &[i8]) -> usize {
    // The first largest, as the f32 network's argmax.
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// [`QLayer::ARENA_BYTES`] of a quantized network.
fn arena_bytes<Q: QLayer>(_: &Q) -> usize {
    Q::ARENA_BYTES
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv"))?;
    digits.scale(1.0 / 16.0);
    let (train, test) = digits.split(&Split::load(format!("{root}/data/digits_split.txt"))?)?;
    let test_labels = test.class_labels::<10>()?;
    let mut net = Mlp::default();
    typegrad::persist::load_file(&mut net, format!("{root}/embedded/weights/digits_mlp.tgrd"))?;

    let q = quantize(&net, &train.features);
    let input = q.input_params();
    let (mut f32_correct, mut int8_correct, mut agree) = (0, 0, 0);
    let mut inputs = Vec::new();
    let mut outputs = Vec::new();
    for (x, label) in test.features.iter().zip(&test_labels) {
        let xq = typegrad::Vector::<i8, 64>::from_fn(|i| input.quantize(x[i]));
        let yq = q.predict(&xq);
        let f = net.predict(x).argmax();
        let i = argmax(yq.as_slice());
        f32_correct += usize::from(f == label.index());
        int8_correct += usize::from(i == label.index());
        agree += usize::from(f == i);
        inputs.push(xq.as_slice().to_vec());
        outputs.push(yq.as_slice().to_vec());
    }
    let n = test.len();
    println!(
        "int8 64-32-10: {} bytes of weights and parameters (f32: {} bytes), {} bytes of \
         activations per inference",
        core::mem::size_of_val(&q),
        core::mem::size_of::<Mlp>(),
        arena_bytes(&q)
    );
    println!(
        "f32 test accuracy {:.4} ({f32_correct}/{n}); int8 {:.4} ({int8_correct}/{n}); the two agree on {agree}/{n}",
        f32_correct as f64 / n as f64,
        int8_correct as f64 / n as f64
    );
    // The model as a .tflite file, written by typegrad (what TFLite Micro loads).
    let tflite = common::output_path("int8_digits.tflite")?;
    std::fs::write(&tflite, typegrad::quant::tflite::to_tflite(&q))?;
    let model = json!({
        "tflite": tflite,
        "test_inputs": inputs,
        "typegrad_outputs": outputs,
    });
    let path = std::path::PathBuf::from(root)
        .join("target")
        .join("int8_digits.json");
    std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
    std::fs::write(&path, serde_json::to_vec(&model)?)?;
    println!(
        "quantized model and test outputs written to {}",
        path.display()
    );
    println!("test accuracy: {:.4}", int8_correct as f64 / n as f64);
    Ok(())
}
