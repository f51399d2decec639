//! The MLPerf Tiny anomaly-detection autoencoder (AD01) as a typegrad network, and the short
//! seeded training both `examples/mlperf_tiny.rs` and `tests/mlperf.rs` run, so the two
//! quantize the same weights.

use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::loss::Mse;
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Adam, Settings};
use typegrad::train::Trainer;
use typegrad::{Batch, Vector};

typegrad::network! {
    /// MLPerf Tiny's AD01 (`ad01_int8.tflite`): ten fully connected layers 640 → 128 → 128 →
    /// 128 → 128 → 8 → 128 → 128 → 128 → 128 → 640, ReLU on all but the last (266 k
    /// parameters), trained to reproduce its input (the anomaly score is the reconstruction
    /// error).
    pub type Autoencoder = [
        Dense<f32, 640, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 8, Relu>,
        Dense<f32, 8, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 128, Relu>,
        Dense<f32, 128, 640>,
    ];
}

/// Synthetic "spectrogram" rows: `n` vectors of 640 values in [0, 1), seeded.
pub fn synthetic_rows(n: usize, seed: u64) -> Vec<Vector<f32, 640>> {
    let mut rng = Rng::new(seed);
    (0..n)
        .map(|_| {
            let level: f32 = rng.uniform(0.2, 0.8);
            Vector::from_fn(|i| level * ((i % 32) as f32 / 32.0) + rng.uniform(0.0, 0.2))
        })
        .collect()
}

/// The autoencoder, He-initialised (seed 1) and trained `steps` Adam steps (lr 1e-3) on
/// batches of 8 of `rows`; returns it with the first and last batch losses.
pub fn trained(rows: &[Vector<f32, 640>], steps: usize) -> (Autoencoder, f32, f32) {
    let mut net = Autoencoder::default();
    net.init(&mut Rng::new(1), Init::HeUniform);
    let adam = Adam::new(&net, Settings::new(1e-3));
    let mut trainer = Trainer::<f32, Autoencoder, _, _, 8>::new(&net, adam, Mse);
    let (mut first, mut last) = (f32::NAN, f32::NAN);
    for step in 0..steps {
        let batch: [Vector<f32, 640>; 8] =
            core::array::from_fn(|k| rows[(step * 8 + k) % rows.len()]);
        let x = Batch::<f32, 8, 640>::from_fn(|s, i| batch[s][i]);
        let loss = trainer
            .step(&mut net, &x, &batch)
            .expect("a finite training step");
        if step == 0 {
            first = loss;
        }
        last = loss;
    }
    (net, first, last)
}
