//! On-device training: a 4-8-3 ReLU network on iris, trained with mini-batch Adam.
//!
//! The same function runs on every board and on the host (`cargo run --release --target
//! host-tuple --bin train_iris`); with typegrad built with `libm` everywhere, the host and
//! the boards do the same float operations, so their results can be compared directly
//! (`run_all.sh` does).

use typegrad::TrainError;
use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::loss::SoftmaxCrossEntropy;
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer, evaluate};

use crate::data::{IRIS_TEST_X, IRIS_TEST_Y, IRIS_TRAIN_ROWS, IRIS_TRAIN_X, IRIS_TRAIN_Y};

/// Hidden units. With the `too-big` feature, enough that training memory exceeds the board's
/// RAM (8 copies of the RAM size in parameters), to show that the build then fails.
#[cfg(not(feature = "too-big"))]
pub const HIDDEN: usize = 8;
/// Hidden units. With the `too-big` feature, enough that training memory exceeds the board's
/// RAM (8 copies of the RAM size in parameters), to show that the build then fails.
#[cfg(feature = "too-big")]
pub const HIDDEN: usize = crate::board::RAM_BYTES / 16;

typegrad::network! {
    /// 4 measurements → 8 hidden units (ReLU) → 3 species scores (logits).
    pub type IrisNet = [Dense<f32, 4, HIDDEN, Relu>, Dense<f32, HIDDEN, 3>];
}
/// Mini-batch size.
pub const BATCH: usize = 8;
/// Passes over the 120 training rows (15 steps each).
pub const EPOCHS: usize = 60;
/// Seed of the weights.
pub const INIT_SEED: u64 = 7;
/// Seed of the shuffling.
pub const SHUFFLE_SEED: u64 = 11;
/// Adam's learning rate.
pub const LEARNING_RATE: f64 = 0.01;

/// What training and evaluation measured.
#[derive(Debug, Clone, Copy)]
pub struct IrisResult {
    /// Mean batch loss of the last epoch (each batch measured before its update).
    pub last_epoch_loss: f32,
    /// Mean loss of the trained network on the 120 training rows.
    pub train_loss: f32,
    /// Correct predictions on the training rows.
    pub train_correct: usize,
    /// Mean loss on the 30 test rows.
    pub test_loss: f32,
    /// Correct predictions on the test rows.
    pub test_correct: usize,
    /// Optimizer steps taken.
    pub steps: u64,
    /// Microseconds `fit` took, if the board has a clock (QEMU: the host's clock).
    pub fit_us: Option<u64>,
}

/// Counts correct predictions of a classifier on a labeled set.
fn correct<Net>(
    net: &Net,
    inputs: &[typegrad::Vector<f32, 4>],
    labels: &[typegrad::loss::Class<3>],
) -> usize
where
    Net: Layer<f32, In = typegrad::shape::Size<4>, Out = typegrad::shape::Size<3>>,
{
    inputs
        .iter()
        .zip(labels)
        .filter(|(x, y)| net.predict(x).argmax() == y.index())
        .count()
}

/// Initializes, trains and evaluates the network.
pub fn train_and_evaluate() -> Result<IrisResult, TrainError> {
    let mut net = IrisNet::default();
    net.init(&mut Rng::new(INIT_SEED), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(LEARNING_RATE));
    // Scratch for the shuffled sample order, on the stack.
    let mut order = [0usize; IRIS_TRAIN_ROWS];
    let config = FitConfig::<BATCH> {
        epochs: EPOCHS,
        shuffle: true,
        seed: SHUFFLE_SEED,
        divergence: None,
    };
    let loss = SoftmaxCrossEntropy;
    let mut last_epoch_loss = f32::NAN;
    let start = crate::board::now_us();
    let mut trainer = Trainer::new(&net, adam, loss);
    trainer.fit(
        &mut net,
        Data::new(&IRIS_TRAIN_X, &IRIS_TRAIN_Y),
        None,
        &mut order,
        config,
        |report, _| last_epoch_loss = report.loss,
    )?;
    let end = crate::board::now_us();
    let fit_us = match (start, end) {
        (Some(s), Some(e)) if e >= s => Some(e - s),
        _ => None,
    };
    // `evaluate` fails only for an empty set, mismatched lengths (which the generated data
    // rules out) or a non-finite output (which `fit` would have stopped at).
    let train_loss =
        evaluate(&net, &loss, &IRIS_TRAIN_X, &IRIS_TRAIN_Y).map_or(f32::NAN, |e| e.loss);
    let test_loss = evaluate(&net, &loss, &IRIS_TEST_X, &IRIS_TEST_Y).map_or(f32::NAN, |e| e.loss);
    Ok(IrisResult {
        last_epoch_loss,
        train_loss,
        train_correct: correct(&net, &IRIS_TRAIN_X, &IRIS_TRAIN_Y),
        test_loss,
        test_correct: correct(&net, &IRIS_TEST_X, &IRIS_TEST_Y),
        steps: trainer.optimizer().steps(),
        fit_us,
    })
}

/// Number of training rows (for printing `correct/total`).
pub const IRIS_TRAIN_TOTAL: usize = IRIS_TRAIN_ROWS;
/// Number of test rows.
pub const IRIS_TEST_TOTAL: usize = crate::data::IRIS_TEST_ROWS;

#[cfg(all(feature = "too-big", not(target_os = "none")))]
compile_error!("the `too-big` feature is for the boards: the host has no RAM limit to exceed");
