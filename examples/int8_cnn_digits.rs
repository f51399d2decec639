//! Post-training int8 quantization of the 2-D CNN of `cnn_digits` (its trained weights,
//! `examples/weights/cnn_digits.tgrd`), calibrated on the 1,347 training images, with
//! TFLite's arithmetic: int8 and f32 test accuracy side by side. Writes
//! `target/int8_cnn_digits.json` for `scripts/tflite_check.py`, which runs the same model in
//! TFLite's interpreter (PAD + CONV_2D, RELU, MAX_POOL_2D, RESHAPE, FULLY_CONNECTED on NHWC
//! images) and compares every output bit for bit.
//!
//! Run: `cargo run --release --example int8_cnn_digits`

mod common;

use std::error::Error;

use typegrad::activation::Relu;
use typegrad::data::{Dataset, Split};
use typegrad::nn::{Conv2d, Dense, Flatten, Input, Layer, MaxPool2d};
use typegrad::quant::{QLayer, quantize};
use typegrad::shape::Image;
use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::tensor::Planes;

typegrad::network! {
    /// The `cnn_digits` example's network.
    type Cnn = [
        Input<Image<1, 8, 8>>,
        Conv2d<f32, 1, 8, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<2>>,
        Conv2d<f32, 8, 16, Kernel<3>, Stride<1>, Pad<1>>,
        Relu,
        MaxPool2d<Kernel<2>>,
        Flatten,
        Dense<f32, 64, 10>,
    ];
}

fn main() -> Result<(), Box<dyn Error>> {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{root}/data/digits.csv"))?;
    digits.scale(1.0 / 16.0);
    let (train, test) = digits.split(&Split::load(format!("{root}/data/digits_split.txt"))?)?;
    let labels = test.class_labels::<10>()?;
    let image =
        |x: &typegrad::Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    let train_x: Vec<_> = train.features.iter().map(image).collect();
    let test_x: Vec<_> = test.features.iter().map(image).collect();
    let mut net = Cnn::default();
    typegrad::persist::load_file(&mut net, format!("{root}/examples/weights/cnn_digits.tgrd"))?;

    let q = quantize(&net, &train_x);
    let input = q.input_params();
    let (mut f32_ok, mut int8_ok) = (0, 0);
    let (mut inputs, mut outputs) = (Vec::new(), Vec::new());
    for (x, y) in test_x.iter().zip(&labels) {
        let xq = Planes::<i8, 1, 8, 8>::from_fn(|c, r, k| input.quantize(x[(c, r, k)]));
        let out = q.predict(&xq);
        let best = (0..10).fold(0, |b, i| if out[i] > out[b] { i } else { b });
        f32_ok += usize::from(net.predict(x).argmax() == y.index());
        int8_ok += usize::from(best == y.index());
        inputs.push(xq.as_slice().to_vec());
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
        "int8_cnn_digits",
        &[1, 8, 8],
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
