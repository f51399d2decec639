//! A small 2-D CNN on the UCI handwritten digits (8 × 8 images, the same 1,347 / 450 split as
//! the `mlp` example), trained with mini-batch Adam. Prints a line every 5 epochs, writes the
//! learning curves as an SVG and ends with `test accuracy: 0.XXXX` (the `mlp` example's
//! 64-32-10 MLP reaches 0.9822 on the same split). Saves the trained weights to
//! `target/cnn_digits.tgrd` (`examples/weights/cnn_digits.tgrd` is a copy, which the
//! `int8_cnn_digits` example quantizes).
//!
//! Run: `cargo run --release --example cnn_digits`

mod common;

use std::error::Error;
use std::time::Instant;

use typegrad::activation::Relu;
use typegrad::data::{Dataset, Split};
use typegrad::init::{Init, Rng};
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::{Conv2d, Dense, Flatten, Input, Layer, MaxPool2d, Memory};
use typegrad::optim::{Adam, Settings};
use typegrad::shape::Image;
use typegrad::shape::{Kernel, Pad, Stride};
use typegrad::tensor::Planes;
use typegrad::train::{Data, FitConfig, Trainer, evaluate};

typegrad::network! {
    /// 1 × 8 × 8 pixels → 8 filters of 3 × 3 (padded: 8 × 8) → max-pool 2 (4 × 4) → 16
    /// filters of 3 × 3 (4 × 4) → max-pool 2 (2 × 2) → 64 features → 10 digit scores.
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
const BATCH: usize = 32;
const EPOCHS: usize = 40;
const SEED: u64 = 42;

fn main() -> Result<(), Box<dyn Error>> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let mut digits = Dataset::<f32, 64>::load_csv(format!("{dir}/digits.csv"))?;
    digits.scale(1.0 / 16.0); // pixels 0..16 → 0..1
    let (train, test) = digits.split(&Split::load(format!("{dir}/digits_split.txt"))?)?;
    let (train_labels, test_labels) = (train.class_labels::<10>()?, test.class_labels::<10>()?);
    let image =
        |x: &typegrad::Vector<f32, 64>| Planes::<f32, 1, 8, 8>::from_fn(|_, r, c| x[r * 8 + c]);
    let train_x: Vec<_> = train.features.iter().map(image).collect();
    let test_x: Vec<_> = test.features.iter().map(image).collect();
    println!(
        "digits: {} training and {} test images of 8 × 8; CNN {} parameters, {} bytes of \
         training memory per step (batch {BATCH}, Adam)",
        train_x.len(),
        test_x.len(),
        Memory::<f32, Cnn, BATCH>::PARAMS,
        Memory::<f32, Cnn, BATCH>::training_bytes_for::<Adam<Cnn>>(),
    );

    let mut net = Cnn::default();
    net.init(&mut Rng::new(SEED), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(0.003));
    let mut order = vec![0; train_x.len()];
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
        Data::new(&train_x, &train_labels),
        None,
        &mut order,
        config,
        |r, net| {
            let ms = clock.elapsed().as_secs_f64() * 1e3;
            let train_acc = r.accuracy.unwrap_or(f64::NAN);
            let test_acc = evaluate(net, &loss, &test_x, &test_labels)
                .ok()
                .and_then(|e| e.accuracy)
                .unwrap_or(f64::NAN);
            let epoch = r.epoch as f64;
            curves[0].push((epoch, r.loss as f64));
            curves[1].push((epoch, train_acc));
            curves[2].push((epoch, test_acc));
            if r.epoch % 5 == 0 {
                println!(
                    "epoch {:>2}  loss {:.4}  train accuracy {train_acc:.4}  test accuracy {test_acc:.4}  {ms:.1} ms",
                    r.epoch, r.loss
                );
            }
            clock = Instant::now();
        },
    )?;
    let test_eval = evaluate(&net, &loss, &test_x, &test_labels)?;
    let test_acc = test_eval.accuracy.ok_or("no accuracy")?;
    let path = common::plot_path("cnn_digits_learning_curves.svg")?;
    let [l, tr, te] = curves;
    common::learning_curves(
        &path,
        "2-D CNN on digits",
        &[("train loss (cross-entropy)", l)],
        &[("train accuracy", tr), ("test accuracy", te)],
    )?;
    let correct = (test_acc * test_x.len() as f64).round();
    let weights = common::output_path("cnn_digits.tgrd")?;
    typegrad::persist::save_file(&net, &weights)?;
    println!(
        "test loss {:.4}; {correct} of {} test images correct (the 64-32-10 MLP of the mlp \
         example: 0.9822); learning curves written to {}; weights to {} (the int8_cnn_digits \
         example quantizes the copy in examples/weights/)",
        test_eval.loss,
        test_x.len(),
        path.display(),
        weights.display()
    );
    println!("test accuracy: {test_acc:.4}");
    Ok(())
}
