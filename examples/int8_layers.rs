//! Six networks written the way the README teaches, quantized to int8 and written as `.tflite`
//! files by typegrad: the digits MLP with its ReLU as a layer of its own (`[Dense, Relu,
//! Dense]`: the `Relu` fused into the first `FULLY_CONNECTED`, as TFLite's converter does) and
//! a 1-D CNN on the motion recordings that flattens its channels × steps into a dense layer
//! (`Flatten` after `MaxPool1d`: a `RESHAPE`, and the dense layer's columns reordered to
//! TFLite's layout), and the digits MLP ending in a `Softmax`
//! (TFLite Micro's int8 `SOFTMAX`), and a 2-D CNN on the digits with `AvgPool2d` and
//! `GlobalAvgPool2d` (`AVERAGE_POOL_2D`), and the digits MLP with `Dense<f32, 64, 32, Relu6>`
//! (a fused `RELU6`), and a depthwise-separable CNN on the digits with ReLU6 (fused, and one
//! `RELU6` of its own). `scripts/tflite_check.py --model
//! target/int8_mlp_relu.json` (and `target/int8_cnn_flatten.json`) runs each file in TFLite
//! Micro's interpreter and compares every output with typegrad's.
//!
//! Run: `cargo run --release --example int8_layers` (`-- --train` first trains the two 2-D
//! CNNs again and rewrites `examples/weights/cnn_average.tgrd` and `cnn_separable.tgrd`).

mod common;

use std::error::Error;

use common::int8_layers::{
    CNN_SEPARABLE_MACS, CnnSeparable, Quantized, cnn_average, cnn_average_weights, cnn_flatten,
    cnn_same_pools, cnn_same_pools_weights, cnn_separable, cnn_separable_weights, mlp_relu,
    mlp_relu6, mlp_softmax, train_cnn_average, train_cnn_same_pools, train_cnn_separable,
};
use typegrad::nn::Parameters;
use typegrad::quant::tflite::{self, Describe};
use typegrad::quant::{QLayer, QSample, evaluate};

/// Evaluates an int8 classifier on its test set, writes it (`target/<name>.tflite`) with its
/// int8 test inputs and outputs (`target/<name>.json`) for `scripts/tflite_check.py`, and says
/// so.
fn write<Q, const K: usize>(
    name: &str,
    shape: &[usize],
    what: &str,
    m: &Quantized<Q, <Q::In as QSample>::Real, K>,
) -> Result<(), Box<dyn Error>>
where
    Q: Describe + QLayer<Out = typegrad::Vector<i8, K>>,
    Q::In: QSample,
{
    let e = evaluate(&m.q, &m.test, &m.labels)?;
    let inputs: Vec<_> = m.test.iter().map(|x| m.q.quantize_input(x)).collect();
    let outputs = inputs
        .iter()
        .map(|x| m.q.predict(x).values().to_vec())
        .collect();
    let inputs = inputs.iter().map(|x| x.values().to_vec()).collect();
    let bytes = tflite::to_tflite(&m.q);
    let path = common::write_model_json(name, shape, &bytes, inputs, outputs)?;
    println!(
        "{what}: int8 test accuracy {:.4} ({}/{}); {} written",
        e.accuracy(),
        e.correct,
        e.samples,
        path.display()
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn Error>> {
    if std::env::args().any(|a| a == "--train") {
        let net = train_cnn_average();
        typegrad::persist::save_file(&net, cnn_average_weights())?;
        println!("trained weights written to {}", cnn_average_weights());
        let net = train_cnn_same_pools();
        typegrad::persist::save_file(&net, cnn_same_pools_weights())?;
        println!("trained weights written to {}", cnn_same_pools_weights());
        let net = train_cnn_separable();
        typegrad::persist::save_file(&net, cnn_separable_weights())?;
        println!("trained weights written to {}", cnn_separable_weights());
    }
    write(
        "int8_mlp_relu",
        &[64],
        "digits MLP with a standalone ReLU",
        &mlp_relu(),
    )?;
    write(
        "int8_mlp_relu6",
        &[64],
        "digits MLP with ReLU6 fused",
        &mlp_relu6(),
    )?;
    write(
        "int8_mlp_softmax",
        &[64],
        "digits MLP ending in a softmax (int8 SOFTMAX)",
        &mlp_softmax(),
    )?;
    write(
        "int8_cnn_flatten",
        &[6, 100],
        "motions 1-D CNN with a Flatten",
        &cnn_flatten(),
    )?;
    write(
        "int8_cnn_average",
        &[1, 8, 8],
        "digits 2-D CNN with average pooling and a softmax",
        &cnn_average(),
    )?;
    let (same_f32, same_pools) = cnn_same_pools();
    println!("digits 2-D CNN with SAME max and average pooling: f32 test accuracy {same_f32:.4}");
    write(
        "int8_cnn_same_pools",
        &[1, 8, 8],
        "digits 2-D CNN with SAME pooling",
        &same_pools,
    )?;
    let (f32_accuracy, separable) = cnn_separable();
    println!(
        "digits depthwise-separable CNN (ReLU6): {} parameters, {} multiply-adds per image \
         (the cnn_digits CNN: {}, {}); f32 test accuracy {f32_accuracy:.4}",
        <CnnSeparable as Parameters<f32>>::PARAMS,
        CNN_SEPARABLE_MACS,
        1_898,
        64 * 8 * 9 + 16 * 16 * 8 * 9 + 64 * 10,
    );
    write(
        "int8_cnn_separable",
        &[1, 8, 8],
        "digits depthwise-separable CNN",
        &separable,
    )?;
    Ok(())
}
