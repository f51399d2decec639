//! The 1-D CNN of the main crate's `conv1d_motions` example on the smartwatch recordings:
//! its type (shared by `motions_infer`, which runs the host-trained weights, and
//! `train_motions`, which trains it on the device) and on-device training with Adam.

use typegrad::Matrix;
use typegrad::TrainError;
use typegrad::init::{Init, Rng};
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::Layer;
use typegrad::optim::{Adam, Settings};
use typegrad::train::{Data, FitConfig, Trainer};

use crate::data::{MOTIONS_TRAIN_ROWS, MOTIONS_TRAIN_X, MOTIONS_TRAIN_Y};

pub use crate::networks::MotionsCnn;

/// Mini-batch size of on-device training.
pub const BATCH: usize = 8;
/// Passes over the 40 training recordings (5 steps each).
pub const EPOCHS: usize = 30;

/// Correct predictions and a checksum of every output's bits (FNV-1a over the logits in
/// order), on a labeled set: equal checksums on two machines mean bit-identical outputs.
pub fn score(net: &MotionsCnn, xs: &[Matrix<f32, 6, 100>], ys: &[Class<4>]) -> (usize, u32) {
    let mut hash: u32 = 0x811c_9dc5;
    let mut correct = 0;
    for (x, y) in xs.iter().zip(ys) {
        let logits = net.predict(x);
        for v in logits.iter() {
            for b in v.to_bits().to_le_bytes() {
                hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
            }
        }
        correct += usize::from(logits.argmax() == y.index());
    }
    (correct, hash)
}

/// What on-device training measured.
pub struct MotionsTraining {
    /// The trained network.
    pub net: MotionsCnn,
    /// Mean batch loss of the last epoch.
    pub last_epoch_loss: f32,
    /// Optimizer steps taken.
    pub steps: u64,
}

/// Trains the CNN from seeded initial weights on the 40 training recordings (Adam, lr 0.003,
/// batches of 8, shuffled with a fixed seed), as the example does but for [`EPOCHS`] epochs.
pub fn train() -> Result<MotionsTraining, TrainError> {
    let mut net = MotionsCnn::default();
    net.init(&mut Rng::new(7), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(0.003));
    let mut order = [0usize; MOTIONS_TRAIN_ROWS];
    let config = FitConfig::<BATCH> {
        epochs: EPOCHS,
        shuffle: true,
        seed: 7,
        divergence: None,
    };
    let mut last_epoch_loss = f32::NAN;
    let mut trainer = Trainer::new(&net, adam, SoftmaxCrossEntropy);
    trainer.fit(
        &mut net,
        Data::new(&MOTIONS_TRAIN_X, &MOTIONS_TRAIN_Y),
        None,
        &mut order,
        config,
        |r, _| last_epoch_loss = r.loss,
    )?;
    Ok(MotionsTraining {
        net,
        last_epoch_loss,
        steps: trainer.optimizer().steps(),
    })
}
