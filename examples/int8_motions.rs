//! Post-training int8 quantization of the 1-D CNN of `conv1d_motions` (the weights the
//! firmware runs, `embedded/weights/motions_cnn.tgrd`), calibrated on the 40 training
//! recordings, with TFLite's arithmetic: int8 and f32 test accuracy side by side. Writes
//! `target/int8_motions.json` for `scripts/tflite_check.py`, which runs the same model in
//! TFLite's interpreter (PAD + CONV_2D, RELU, MAX_POOL_2D, AVERAGE_POOL_2D, FULLY_CONNECTED)
//! and compares every output bit for bit.
//!
//! Run: `cargo run --release --example int8_motions`

mod common;

use std::error::Error;

use typegrad::activation::Relu;
use typegrad::data::{ChannelStandardizer, Dataset, Split};
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer, MaxPool1d};
use typegrad::quant::{QLayer, evaluate, quantize};
use typegrad::shape::Signal;

typegrad::network! {
    /// The `conv1d_motions` example's network.
    type Cnn = [
        Input<Signal<6, 100>>,
        Conv1d<f32, 6, 8, 5, 2, 2>,
        Relu,
        MaxPool1d<2>,
        Conv1d<f32, 8, 8, 5, 1, 2>,
        Relu,
        GlobalAvgPool1d,
        Dense<f32, 8, 4>,
    ];
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let motions = Dataset::<f32, 600>::load_csv(format!("{root}/data/basic_motions.csv"))?;
    let (train, test) = motions.split(&Split::load(format!(
        "{root}/data/basic_motions_split.txt"
    ))?)?;
    let labels = test.class_labels::<4>()?;
    // Channels × steps, standardized per channel with the training statistics, as
    // conv1d_motions does.
    let (train_x, test_x) = (train.signals::<6, 100>(), test.signals::<6, 100>());
    let scaler = ChannelStandardizer::fit(&train_x)?;
    let (train_x, test_x) = (scaler.transformed(&train_x), scaler.transformed(&test_x));
    let mut net = Cnn::default();
    typegrad::persist::load_file(
        &mut net,
        format!("{root}/embedded/weights/motions_cnn.tgrd"),
    )?;

    let q = quantize(&net, &train_x);
    let int8_ok = evaluate(&q, &test_x, &labels)?.correct;
    let mut f32_ok = 0;
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for (x, y) in test_x.iter().zip(&labels) {
        let xq = q.quantize_input(x);
        let out = q.predict(&xq);
        f32_ok += usize::from(net.predict(x).argmax() == y.index());
        inputs.push(
            xq.as_rows()
                .iter()
                .flat_map(|r| r.iter().copied())
                .collect::<Vec<i8>>(),
        );
        outputs.push(out.as_array().to_vec());
    }
    let n = test_x.len();
    println!(
        "int8 CNN: {} bytes of weights and parameters (f32: {} bytes), {} bytes of activation arena \
         per inference",
        core::mem::size_of_val(&q),
        core::mem::size_of::<Cnn>(),
        common::arena_bytes(&q)
    );
    println!(
        "f32 test accuracy {:.4} ({f32_ok}/{n}); int8 {:.4} ({int8_ok}/{n})",
        f32_ok as f64 / n as f64,
        int8_ok as f64 / n as f64
    );
    let path = common::write_model_json(
        "int8_motions",
        &[6, 100],
        &typegrad::quant::tflite::to_tflite(&q),
        inputs,
        outputs,
    )?;
    println!(
        "quantized model and test outputs written to {}",
        path.display()
    );
    println!("test accuracy: {:.4}", int8_ok as f64 / n as f64);
    Ok(())
}
