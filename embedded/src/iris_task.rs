//! On-device training: a 4-8-3 ReLU network on iris, trained with mini-batch Adam, in `f32`
//! or in Q16.16 fixed point.
//!
//! The same function runs on every board and on the host (`cargo run --release --target
//! host-tuple --bin train_iris`); with typegrad built with `libm` everywhere, the host and
//! the boards do the same float operations, so their results can be compared directly
//! (`run_all.sh` does).

use typegrad::activation::Relu;
use typegrad::fixed::I16F16;
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer, evaluate};
use typegrad::{Real, TrainError, Vector};

use crate::data::{
    IRIS_TEST_X, IRIS_TEST_XQ, IRIS_TEST_Y, IRIS_TRAIN_ROWS, IRIS_TRAIN_X, IRIS_TRAIN_XQ,
    IRIS_TRAIN_Y,
};

/// Hidden units.
pub const HIDDEN: usize = 8;

typegrad::network! {
    /// 4 measurements → 8 hidden units (ReLU) → 3 species scores (logits), in `T`.
    pub type IrisNet<T> = [Dense<T, 4, HIDDEN, Relu>, Dense<T, HIDDEN, 3>];
}

typegrad::network! {
    /// The `f32` network, wiring checked by `network!`.
    pub type IrisNetF32 = [Dense<f32, 4, HIDDEN, Relu>, Dense<f32, HIDDEN, 3>];
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
/// Adam's ε for the fixed-point run: with steps of 2⁻¹⁶ the second moment of small gradients
/// rounds to 0, and ε = 10⁻⁸ (which is 0 in Q16.16) would make the update m/(√v + ε) explode;
/// 0.01 trains as f32 does (tests/fixed.rs measured 1e-4: 26/30, 1e-3 and 1e-2: 29/30).
pub const FIXED_EPSILON: f64 = 0.01;

/// A number the programs print without float formatting.
pub trait Printed: Copy {
    /// The value in millionths, rounded.
    fn micro(self) -> i64;
    /// The exact bits.
    fn bits(self) -> u32;
}

impl Printed for f32 {
    fn micro(self) -> i64 {
        crate::micro(self)
    }
    fn bits(self) -> u32 {
        self.to_bits()
    }
}

impl Printed for I16F16 {
    /// `bits · 10⁶ / 2¹⁶`, rounded, in integers only.
    fn micro(self) -> i64 {
        (i64::from(self.to_bits()) * 1_000_000 + (1 << 15)) >> 16
    }
    fn bits(self) -> u32 {
        self.to_bits() as u32
    }
}

/// What training and evaluation measured.
#[derive(Debug, Clone, Copy)]
pub struct IrisResult<T> {
    /// Mean batch loss of the last epoch (each batch measured before its update).
    pub last_epoch_loss: T,
    /// Mean loss of the trained network on the 120 training rows.
    pub train_loss: T,
    /// Correct predictions on the training rows.
    pub train_correct: usize,
    /// Mean loss on the 30 test rows.
    pub test_loss: T,
    /// Correct predictions on the test rows.
    pub test_correct: usize,
    /// Optimizer steps taken.
    pub steps: u64,
    /// Microseconds `fit` took, if the board has a clock (QEMU: the host's clock).
    pub fit_us: Option<u64>,
    /// Instructions `fit` executed, where the board counts them ([`board::instructions`]).
    ///
    /// [`board::instructions`]: crate::board::instructions
    pub fit_instructions: Option<u64>,
}

/// Defines a function that initializes, trains and evaluates the network in one number type
/// (the f32 and the fixed-point programs run the same code).
macro_rules! train_and_evaluate {
    ($(#[$doc:meta])* $name:ident, $net:ty, $t:ty, $train_x:expr, $test_x:expr, $epsilon:expr) => {
        $(#[$doc])*
        pub fn $name() -> Result<IrisResult<$t>, TrainError> {
            let mut net = <$net>::default();
            net.init(&mut Rng::new(INIT_SEED), Init::HeUniform);
            let mut adam = Adam::new(&net, Settings::new(LEARNING_RATE));
            if let Some(epsilon) = $epsilon {
                adam.epsilon = epsilon;
            }
            // Scratch for the shuffled sample order, on the stack.
            let mut order = [0usize; IRIS_TRAIN_ROWS];
            let config = FitConfig::<BATCH> {
                epochs: EPOCHS,
                shuffle: true,
                seed: SHUFFLE_SEED,
                divergence: None,
            };
            let loss = SoftmaxCrossEntropy;
            let mut last_epoch_loss = <$t as Real>::nan();
            let start = crate::board::now_us();
            let counted = crate::board::instructions();
            let mut trainer = Trainer::new(&net, adam, loss);
            trainer.fit(
                &mut net,
                Data::new(&$train_x, &IRIS_TRAIN_Y),
                None,
                &mut order,
                config,
                |report, _| last_epoch_loss = report.loss,
            )?;
            let fit_instructions = match (counted, crate::board::instructions()) {
                (Some(a), Some(b)) => Some(b.saturating_sub(a)),
                _ => None,
            };
            let end = crate::board::now_us();
            let fit_us = match (start, end) {
                (Some(s), Some(e)) if e >= s => Some(e - s),
                _ => None,
            };
            // `evaluate` fails only for an empty set, mismatched lengths (which the generated
            // data rules out) or a non-finite output (which `fit` would have stopped at).
            let nan = <$t as Real>::nan();
            let train_loss = evaluate(&net, &loss, &$train_x, &IRIS_TRAIN_Y).map_or(nan, |e| e.loss);
            let test_loss = evaluate(&net, &loss, &$test_x, &IRIS_TEST_Y).map_or(nan, |e| e.loss);
            let correct = |inputs: &[Vector<$t, 4>], labels: &[Class<3>]| {
                inputs
                    .iter()
                    .zip(labels)
                    .filter(|(x, y)| net.predict(x).argmax() == y.index())
                    .count()
            };
            Ok(IrisResult {
                last_epoch_loss,
                train_loss,
                train_correct: correct(&$train_x, &IRIS_TRAIN_Y),
                test_loss,
                test_correct: correct(&$test_x, &IRIS_TEST_Y),
                steps: trainer.optimizer().steps(),
                fit_us,
                fit_instructions,
            })
        }
    };
}

train_and_evaluate!(
    /// Trains in `f32` (Adam's default ε = 10⁻⁸).
    train_and_evaluate,
    IrisNetF32,
    f32,
    IRIS_TRAIN_X,
    IRIS_TEST_X,
    None
);

train_and_evaluate!(
    /// Trains in Q16.16 ([`I16F16`]): integer arithmetic only, Adam's ε = [`FIXED_EPSILON`].
    train_and_evaluate_fixed,
    IrisNet<I16F16>,
    I16F16,
    IRIS_TRAIN_XQ,
    IRIS_TEST_XQ,
    Some(FIXED_EPSILON)
);

/// The whole program of `train_iris` / `train_iris_fixed`: paints the stack, prints `header`,
/// trains with `train`, prints the stack high-water mark and the [`report`]; returns whether
/// the test accuracy is at least 0.9.
pub fn run_program<T: Printed>(
    header: core::fmt::Arguments<'_>,
    train: fn() -> Result<IrisResult<T>, TrainError>,
) -> bool {
    use crate::outln;
    let probe = crate::stack::paint();
    outln!("{}", header);
    let r = match train() {
        Ok(r) => r,
        Err(e) => {
            outln!("FAIL training stopped: {}", e);
            return false;
        }
    };
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    report(&r)
}

/// Prints what a run measured (`key=value` lines, integers only) and returns whether the test
/// accuracy is at least 0.9.
pub fn report<T: Printed>(r: &IrisResult<T>) -> bool {
    use crate::outln;
    outln!("steps={}", r.steps);
    outln!("last_epoch_loss_x1e6={}", r.last_epoch_loss.micro());
    outln!("train_loss_x1e6={}", r.train_loss.micro());
    outln!("test_loss_x1e6={}", r.test_loss.micro());
    // The exact bits, to see whether the board computed bit-for-bit what the host did.
    outln!(
        "loss_bits={:08x},{:08x},{:08x}",
        r.last_epoch_loss.bits(),
        r.train_loss.bits(),
        r.test_loss.bits()
    );
    outln!("train_correct={}/{}", r.train_correct, IRIS_TRAIN_TOTAL);
    outln!("test_correct={}/{}", r.test_correct, IRIS_TEST_TOTAL);
    if let Some(us) = r.fit_us {
        outln!("fit_us={}", us);
    }
    if let Some(n) = r.fit_instructions {
        // Per optimizer step, shuffling and the epoch's bookkeeping included.
        outln!("instructions_per_step={}", n / r.steps.max(1));
    }
    // At least 0.9 test accuracy: 10 · correct ≥ 9 · total.
    let ok = 10 * r.test_correct >= 9 * IRIS_TEST_TOTAL;
    outln!(
        "{}",
        if ok {
            "PASS"
        } else {
            "FAIL test accuracy below 0.9"
        }
    );
    ok
}

/// Number of training rows (for printing `correct/total`).
pub const IRIS_TRAIN_TOTAL: usize = IRIS_TRAIN_ROWS;
/// Number of test rows.
pub const IRIS_TEST_TOTAL: usize = crate::data::IRIS_TEST_ROWS;
