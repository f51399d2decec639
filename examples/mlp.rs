//! A 64-32-10 ReLU network on the UCI handwritten digits (8×8 images, 1,797 rows), trained with
//! mini-batch Adam. Prints a line per epoch, writes the learning curves as an SVG and ends with
//! `test accuracy: 0.XXXX`.
//!
//! Also saves the trained weights to `target/digits_mlp.tgrd` (see `typegrad::persist`).
//!
//! Run: `cargo run --release --example mlp`

mod common;

use std::error::Error;
use std::time::Instant;

use typegrad::activation::Relu;
use typegrad::data::{Dataset, Split};
use typegrad::init::{Init, Rng};
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::{Dense, Layer, Memory};
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer, evaluate};

typegrad::network! {
    /// 64 pixels → 32 hidden units (ReLU) → 10 digit scores (logits).
    type Mlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}
const BATCH: usize = 32;
const EPOCHS: usize = 40;
const SEED: u64 = 42;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{dir}/digits.csv"))?;
    digits.scale(1.0 / 16.0); // pixels 0..16 → 0..1
    let (train, test) = digits.split(&Split::load(format!("{dir}/digits_split.txt"))?)?;
    let (train_labels, test_labels) = (train.class_labels::<10>()?, test.class_labels::<10>()?);
    println!(
        "digits: {} training and {} test images; network 64-32-10, {} parameters, \
         {} bytes of training memory per step (batch {BATCH}, Adam)",
        train.len(),
        test.len(),
        Memory::<f32, Mlp, BATCH>::PARAMS,
        Memory::<f32, Mlp, BATCH>::training_bytes_for::<Adam<Mlp>>(),
    );

    let mut net = Mlp::default();
    net.init(&mut Rng::new(SEED), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(0.003));
    let mut order = vec![0; train.len()];
    let mut curves = [Vec::new(), Vec::new(), Vec::new()];
    let mut clock = Instant::now();
    let config = FitConfig::<BATCH> {
        epochs: EPOCHS,
        shuffle: true,
        seed: SEED,
        divergence: None,
    };
    let loss = SoftmaxCrossEntropy;
    Trainer::new(&net, adam, loss).fit(
        &mut net,
        Data::new(&train.features, &train_labels),
        None,
        &mut order,
        config,
        |r, net| {
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            let train_acc = r.accuracy.unwrap_or(f64::NAN);
            let test_acc = evaluate(net, &loss, &test.features, &test_labels)
                .ok()
                .and_then(|e| e.accuracy)
                .unwrap_or(f64::NAN);
            let epoch = r.epoch as f64;
            curves[0].push((epoch, r.loss as f64));
            curves[1].push((epoch, train_acc));
            curves[2].push((epoch, test_acc));
            println!(
                "epoch {:>2}  loss {:.4}  train accuracy {train_acc:.4}  test accuracy {test_acc:.4}  {ms:.1} ms",
                r.epoch, r.loss
            );
            clock = Instant::now();
        },
    )?;
    let test_eval = evaluate(&net, &loss, &test.features, &test_labels)?;
    let (test_loss, test_acc) = (test_eval.loss, test_eval.accuracy.ok_or("no accuracy")?);
    let path = common::plot_path("mlp_learning_curves.svg")?;
    let [loss_curve, train_curve, test_curve] = curves;
    common::learning_curves(
        &path,
        "64-32-10 MLP on digits",
        &[("train loss (cross-entropy)", loss_curve)],
        &[
            ("train accuracy", train_curve),
            ("test accuracy", test_curve),
        ],
    )?;
    println!(
        "test loss {test_loss:.4}; learning curves written to {}",
        path.display()
    );
    // The trained weights, in typegrad's persistence format (the firmware in embedded/ runs them).
    let weights = common::output_path("digits_mlp.tgrd")?;
    typegrad::persist::save_file(&net, &weights)?;
    let correct = (test_acc * test.len() as f64).round();
    println!(
        "weights ({} bytes) written to {}; {correct} of {} test images correct",
        typegrad::persist::saved_len::<f32, Mlp>(),
        weights.display(),
        test.len()
    );
    println!("test accuracy: {test_acc:.4}");
    Ok(())
}
