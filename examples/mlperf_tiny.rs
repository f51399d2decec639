//! MLPerf Tiny's reference architectures built in typegrad, each trained a few steps on
//! synthetic data, quantized to int8 (calibrated on the training data) and written as a
//! `.tflite` file by typegrad's writer: the anomaly-detection autoencoder (AD01: ten fully
//! connected layers, 640 → 128 → … → 8 → … → 640, 266 k parameters) and the keyword-spotting
//! DS-CNN (10 × 4 stride-2 `SAME` convolution, four depthwise-separable blocks, average pool,
//! dense, softmax; 22.6 k parameters). `scripts/tflite_check.py --model
//! target/mlperf_autoencoder.json` (and `target/mlperf_dscnn.json`) runs each file in TFLite
//! Micro's interpreter on 128 seeded inputs and compares every output with typegrad's.
//!
//! Each model's file and outputs are then compared with TFLite Micro's recorded outputs
//! (`tests/fixtures/mlperf_*_tflite.json`, no Python needed); a difference is an error.
//! Last, MLPerf Tiny's four published int8 files load into the same types and give TFLite
//! Micro's recorded outputs on 256 inputs each (`tests/fixtures/mlperf_tiny/`).
//!
//! Run: `cargo run --release --example mlperf_tiny`

mod common;

use std::error::Error;

use common::autoencoder::{Autoencoder, synthetic_rows, trained};
use common::mlperf::{
    DsCnn, DsCnnSoftmax, MobileNet, MobileNetSoftmax, ResNet8, ResNet8Softmax, STEPS, synthetic,
    train, with_softmax,
};
use typegrad::Vector;
use typegrad::loss::Class;
use typegrad::nn::Memory;
use typegrad::quant::tflite::Describe;
use typegrad::quant::{QLayer, Quantize, quantize, tflite};
use typegrad::shape::{Image, Size};
use typegrad::tensor::Planes;

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
        "int8: {} bytes of weights and parameters (f32: {} bytes), {} bytes of activation arena; \
         .tflite {} bytes",
        core::mem::size_of_val(&q),
        core::mem::size_of::<Autoencoder>(),
        common::arena_bytes(&q),
        bytes.len()
    );
    // The outputs just computed, against TFLite Micro's recorded ones (checked before the
    // vectors move into the JSON file).
    let recorded = common::recorded::check_recorded(
        "mlperf_autoencoder_tflite.json",
        &bytes,
        &inputs,
        &outputs,
    );
    let path = common::write_model_json("mlperf_autoencoder", &[640], &bytes, inputs, outputs)?;
    println!("model and test outputs written to {}", path.display());
    recorded?;
    println!(
        "equal to TFLite Micro's recorded outputs (tests/fixtures/mlperf_autoencoder_tflite.json)"
    );
    dscnn()?;
    resnet()?;
    mobilenet()?;
    reference_files()
}

/// MLPerf Tiny's four published int8 files (`tests/fixtures/mlperf_tiny/`) loaded into the
/// int8 types of the architectures above, on all 256 inputs TFLite Micro's outputs were
/// recorded for.
fn reference_files() -> Result<(), Box<dyn Error>> {
    use common::recorded::check_reference_file as check;
    check::<<DsCnnSoftmax as Quantize>::Quantized>("kws_ref_model", 256)?;
    check::<<ResNet8Softmax as Quantize>::Quantized>("pretrainedResnet_quant", 256)?;
    check::<<MobileNetSoftmax as Quantize>::Quantized>("vww_96_int8", 256)?;
    check::<<Autoencoder as Quantize>::Quantized>("ad01_int8", 256)?;
    println!(
        "MLPerf Tiny's four published int8 files load into these types: 256 inputs each equal \
         TFLite Micro's recorded outputs (by value, in the arena, and through run_in)"
    );
    Ok(())
}

fn resnet() -> Result<(), Box<dyn Error>> {
    let (xs, ys) = synthetic::<3, 32, 32, 10>(16, 15);
    let net: ResNet8 = train::<_, 3, 32, 32, 10, 2>(&xs, &ys, 4).report("ResNet-8");
    let (tests, labels) = synthetic::<3, 32, 32, 10>(128, 16);
    let deployed = with_softmax(&net);
    classifier("mlperf_resnet8", &deployed, &xs, &tests, &labels)
}

fn dscnn() -> Result<(), Box<dyn Error>> {
    let (xs, ys) = synthetic::<1, 49, 10, 12>(32, 11);
    let net: DsCnn = train::<_, 1, 49, 10, 12, 4>(&xs, &ys, STEPS).report("DS-CNN");
    let (tests, labels) = synthetic::<1, 49, 10, 12>(128, 12);
    classifier("mlperf_dscnn", &with_softmax(&net), &xs, &tests, &labels)
}

fn mobilenet() -> Result<(), Box<dyn Error>> {
    let (xs, ys) = synthetic::<3, 96, 96, 2>(16, 13);
    let net: MobileNet = train::<_, 3, 96, 96, 2, 2>(&xs, &ys, 4).report("MobileNetV1 0.25");
    let (tests, labels) = synthetic::<3, 96, 96, 2>(128, 14);
    let deployed = with_softmax(&net);
    classifier("mlperf_mobilenet", &deployed, &xs, &tests, &labels)
}

/// A trained network and its first and last losses, said.
trait Report<Net> {
    fn report(self, name: &str) -> Net;
}

impl<Net: typegrad::nn::Parameters<f32>> Report<Net> for (Net, f32, f32) {
    fn report(self, name: &str) -> Net {
        let (net, first, last) = self;
        println!(
            "{name}: {} parameters; Adam steps on synthetic data: loss {first:.4} → {last:.4}",
            Net::PARAMS
        );
        net
    }
}

/// Quantizes a classifier (calibrated on `calibration`), evaluates it on the test set, and
/// writes its `.tflite` file with the int8 test inputs and outputs as `target/<name>.json`.
fn classifier<Net, const C: usize, const H: usize, const W: usize, const K: usize>(
    name: &str,
    net: &Net,
    calibration: &[Planes<f32, C, H, W>],
    tests: &[Planes<f32, C, H, W>],
    labels: &[Class<K>],
) -> Result<(), Box<dyn Error>>
where
    Net: Quantize<In = Image<C, H, W>, Out = Size<K>>,
    Net::Quantized: Describe + QLayer<In = Planes<i8, C, H, W>, Out = Vector<i8, K>>,
{
    let q = quantize(net, calibration);
    let bytes = tflite::to_tflite(&q);
    let e = typegrad::quant::evaluate(&q, tests, labels)?;
    let inputs: Vec<_> = tests.iter().map(|x| q.quantize_input(x)).collect();
    let outputs: Vec<Vec<i8>> = inputs
        .iter()
        .map(|x| q.predict(x).as_slice().to_vec())
        .collect();
    let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.as_slice().to_vec()).collect();
    let fixture = format!("{name}_tflite.json");
    let recorded = common::recorded::check_recorded(&fixture, &bytes, &inputs, &outputs);
    println!(
        "int8: {} bytes of weights and parameters (f32: {} bytes), {} bytes of activation arena; \
         .tflite {} bytes; synthetic test accuracy {:.4}",
        core::mem::size_of_val(&q),
        core::mem::size_of::<Net>(),
        common::arena_bytes(&q),
        bytes.len(),
        e.accuracy()
    );
    let path = common::write_model_json(name, &[C, H, W], &bytes, inputs, outputs)?;
    println!("model and test outputs written to {}", path.display());
    recorded?;
    println!("equal to TFLite Micro's recorded outputs (tests/fixtures/{fixture})");
    Ok(())
}
