//! Four networks written the way the README teaches, quantized to int8 and written as `.tflite`
//! files by typegrad: the digits MLP with its ReLU as a layer of its own (`[Dense, Relu,
//! Dense]`: a standalone `RELU` op) and a 1-D CNN on the motion recordings that flattens its
//! channels × steps into a dense layer (`Flatten` after `MaxPool1d`: a `RESHAPE`, and the dense
//! layer's columns reordered to TFLite's layout), and the digits MLP ending in a `Softmax`
//! (TFLite Micro's int8 `SOFTMAX`), and a 2-D CNN on the digits with `AvgPool2d` and
//! `GlobalAvgPool2d` (`AVERAGE_POOL_2D`). `scripts/tflite_check.py --model
//! target/int8_mlp_relu.json` (and `target/int8_cnn_flatten.json`) runs each file in TFLite
//! Micro's interpreter and compares every output with typegrad's.
//!
//! Run: `cargo run --release --example int8_layers` (`-- --train` first trains the 2-D CNN
//! again and rewrites `examples/weights/cnn_average.tgrd`).

mod common;

use std::error::Error;

use common::int8_layers::{
    cnn_average, cnn_average_weights, cnn_flatten, mlp_relu, mlp_softmax, train_cnn_average,
};
use typegrad::quant::{QLayer, evaluate, tflite};

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().any(|a| a == "--train") {
        let net = train_cnn_average();
        typegrad::persist::save_file(&net, cnn_average_weights())?;
        println!("trained weights written to {}", cnn_average_weights());
    }
    let m = mlp_relu();
    let e = evaluate(&m.q, &m.test, &m.labels)?;
    let inputs: Vec<_> = m.test.iter().map(|x| m.q.quantize_input(x)).collect();
    let outputs = inputs
        .iter()
        .map(|x| m.q.predict(x).as_slice().to_vec())
        .collect();
    let inputs = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
    let bytes = tflite::to_tflite(&m.q);
    let path =
        common::write_model_json("int8_mlp_relu", &[64], Vec::new(), &bytes, inputs, outputs)?;
    println!(
        "digits MLP with a standalone ReLU: int8 test accuracy {:.4} ({}/{}); {} written",
        e.accuracy(),
        e.correct,
        e.samples,
        path.display()
    );

    let s = mlp_softmax();
    let e = evaluate(&s.q, &s.test, &s.labels)?;
    let inputs: Vec<_> = s.test.iter().map(|x| s.q.quantize_input(x)).collect();
    let outputs = inputs
        .iter()
        .map(|x| s.q.predict(x).as_slice().to_vec())
        .collect();
    let inputs = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
    let bytes = tflite::to_tflite(&s.q);
    let path = common::write_model_json(
        "int8_mlp_softmax",
        &[64],
        Vec::new(),
        &bytes,
        inputs,
        outputs,
    )?;
    println!(
        "digits MLP ending in a softmax (int8 SOFTMAX): int8 test accuracy {:.4} ({}/{}); {} written",
        e.accuracy(),
        e.correct,
        e.samples,
        path.display()
    );

    let c = cnn_flatten();
    let e = evaluate(&c.q, &c.test, &c.labels)?;
    let inputs: Vec<_> = c.test.iter().map(|x| c.q.quantize_input(x)).collect();
    let outputs = inputs
        .iter()
        .map(|x| c.q.predict(x).as_slice().to_vec())
        .collect();
    let inputs = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
    let bytes = tflite::to_tflite(&c.q);
    let path = common::write_model_json(
        "int8_cnn_flatten",
        &[6, 100],
        Vec::new(),
        &bytes,
        inputs,
        outputs,
    )?;
    println!(
        "motions 1-D CNN with a Flatten: int8 test accuracy {:.4} ({}/{}); {} written",
        e.accuracy(),
        e.correct,
        e.samples,
        path.display()
    );

    let a = cnn_average();
    let e = evaluate(&a.q, &a.test, &a.labels)?;
    let inputs: Vec<_> = a.test.iter().map(|x| a.q.quantize_input(x)).collect();
    let outputs = inputs
        .iter()
        .map(|x| a.q.predict(x).as_slice().to_vec())
        .collect();
    let inputs = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
    let bytes = tflite::to_tflite(&a.q);
    let path = common::write_model_json(
        "int8_cnn_average",
        &[1, 8, 8],
        Vec::new(),
        &bytes,
        inputs,
        outputs,
    )?;
    println!(
        "digits 2-D CNN with average pooling and a softmax: int8 test accuracy {:.4} ({}/{}); {} \
         written",
        e.accuracy(),
        e.correct,
        e.samples,
        path.display()
    );
    Ok(())
}
