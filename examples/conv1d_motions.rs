//! A small 1-D CNN on smartwatch sensor data: the UEA "BasicMotions" recordings (3-axis
//! accelerometer and gyroscope, 6 channels × 100 steps at 10 Hz, 4 activities: standing,
//! running, walking, badminton), with the archive's own 40/40 train/test split. Beside it, the
//! same program trains an MLP on the flattened series, the baseline that convolutions beat.
//! Prints a line per epoch, writes the learning curves as an SVG and ends with
//! `test accuracy: 0.XXXX` (the CNN's).
//!
//! Also saves the trained CNN to `target/motions_cnn.tgrd` (see `typegrad::persist`); the
//! firmware in `embedded/` runs it on three emulated boards.
//!
//! Run: `cargo run --release --example conv1d_motions`

mod common;

use std::error::Error;

use typegrad::activation::Relu;
use typegrad::data::{ChannelStandardizer, Dataset, Split};
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Conv1d, Dense, GlobalAvgPool1d, Input, Layer, MaxPool1d, Memory};
use typegrad::optim::{Adam, Settings};
use typegrad::shape::Signal;
use typegrad::train::{Data, FitConfig, Trainer, evaluate};
use typegrad::{Matrix, Vector};

const CHANNELS: usize = 6;
const STEPS: usize = 100;

typegrad::network! {
    /// 6 sensor channels × 100 steps → two convolutions of 8 filters of 5 steps (the first with
    /// stride 2: 50 steps; max-pooled by 2 to 25; the second padded to keep 25) → the mean of
    /// each filter over time → 4 scores. Small enough to run on a 16 KiB Cortex-M0 (embedded/).
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

typegrad::network! {
    /// The baseline: the 600 numbers of a recording, flattened → 32 hidden units → 4 scores.
    type Mlp = [Dense<f32, 600, 32, Relu>, Dense<f32, 32, 4>];
}

const BATCH: usize = 8;
const EPOCHS: usize = 60;
const SEED: u64 = 7;

/// Loss, train accuracy and test accuracy per epoch.
type Curves = [Vec<(f64, f64)>; 3];

/// Trains `net` with Adam and returns the learning curves (loss, train accuracy, test
/// accuracy per epoch) and the final test accuracy.
fn train<Net: Layer<f32, Out = typegrad::shape::Size<4>>>(
    name: &str,
    net: &mut Net,
    train: Data<'_, typegrad::shape::VectorOf<f32, Net::In>, Class<4>>,
    test: Data<'_, typegrad::shape::VectorOf<f32, Net::In>, Class<4>>,
    lr: f64,
) -> Result<(Curves, f64), Box<dyn Error>> {
    let adam = Adam::new(net, Settings::new(lr));
    let mut order = vec![0; train.inputs.len()];
    let mut curves = [Vec::new(), Vec::new(), Vec::new()];
    let config = FitConfig::<BATCH> {
        epochs: EPOCHS,
        shuffle: true,
        seed: SEED,
        divergence: None,
    };
    let loss = SoftmaxCrossEntropy;
    Trainer::new(net, adam, loss).fit(net, train, None, &mut order, config, |r, net| {
        let test_acc = evaluate(net, &loss, test.inputs, test.targets)
            .ok()
            .and_then(|e| e.accuracy)
            .unwrap_or(f64::NAN);
        let epoch = r.epoch as f64;
        curves[0].push((epoch, r.loss as f64));
        curves[1].push((epoch, r.accuracy.unwrap_or(f64::NAN)));
        curves[2].push((epoch, test_acc));
        if r.epoch % 10 == 0 {
            println!(
                "{name} epoch {:>3}  loss {:.4}  train accuracy {:.4}  test accuracy {test_acc:.4}",
                r.epoch,
                r.loss,
                r.accuracy.unwrap_or(f64::NAN)
            );
        }
    })?;
    let acc = evaluate(net, &loss, test.inputs, test.targets)?
        .accuracy
        .ok_or("no accuracy")?;
    Ok((curves, acc))
}

fn main() -> Result<(), Box<dyn Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let motions = Dataset::<f32, 600>::load_csv(format!("{dir}/basic_motions.csv"))?;
    let (train_set, test_set) =
        motions.split(&Split::load(format!("{dir}/basic_motions_split.txt"))?)?;
    let (train_labels, test_labels) = (
        train_set.class_labels::<4>()?,
        test_set.class_labels::<4>()?,
    );
    // Each row as 6 channels × 100 steps, standardized per channel with the training
    // recordings' statistics.
    let mut train_x: Vec<Matrix<f32, CHANNELS, STEPS>> = train_set.signals();
    let mut test_x: Vec<Matrix<f32, CHANNELS, STEPS>> = test_set.signals();
    let scaler = ChannelStandardizer::fit(&train_x)?;
    scaler.transform_all(&mut train_x);
    scaler.transform_all(&mut test_x);
    // The MLP sees the same standardized numbers, flattened channel after channel.
    let flat = |xs: &[Matrix<f32, CHANNELS, STEPS>]| -> Vec<Vector<f32, 600>> {
        xs.iter().map(|x| x.flatten()).collect()
    };
    let (train_flat, test_flat) = (flat(&train_x), flat(&test_x));
    println!(
        "basic motions: {} training and {} test recordings of {CHANNELS} channels × {STEPS} steps; \
         CNN {} parameters, {} bytes of training memory per step (batch {BATCH}, Adam); \
         MLP {} parameters",
        train_x.len(),
        test_x.len(),
        Memory::<f32, Cnn, BATCH>::PARAMS,
        Memory::<f32, Cnn, BATCH>::training_bytes_for::<Adam<Cnn>>(),
        Memory::<f32, Mlp, BATCH>::PARAMS,
    );

    let mut mlp = Mlp::default();
    mlp.init(&mut Rng::new(SEED), Init::HeUniform);
    let (_, mlp_acc) = train(
        "MLP",
        &mut mlp,
        Data::new(&train_flat, &train_labels),
        Data::new(&test_flat, &test_labels),
        0.003,
    )?;

    let mut cnn = Cnn::default();
    cnn.init(&mut Rng::new(SEED), Init::HeUniform);
    let (curves, cnn_acc) = train(
        "CNN",
        &mut cnn,
        Data::new(&train_x, &train_labels),
        Data::new(&test_x, &test_labels),
        0.003,
    )?;

    let path = common::plot_path("conv1d_motions_learning_curves.svg")?;
    let [loss, train_acc, test_acc] = curves;
    common::learning_curves(
        &path,
        "1-D CNN on BasicMotions",
        &[("train loss (cross-entropy)", loss)],
        &[("train accuracy", train_acc), ("test accuracy", test_acc)],
    )?;
    let weights = common::output_path("motions_cnn.tgrd")?;
    typegrad::persist::save_file(&cnn, &weights)?;
    println!(
        "learning curves written to {}; weights ({} bytes) to {}",
        path.display(),
        typegrad::persist::saved_len::<f32, Cnn>(),
        weights.display()
    );
    println!("MLP baseline (600-32-4 on the flattened series) test accuracy: {mlp_acc:.4}");
    println!("test accuracy: {cnn_acc:.4}");
    Ok(())
}
