//! W6 of `benches/WORKLOADS.md`: one SGD training step of MLPerf Tiny's DS-CNN (batch 32,
//! 1 × 49 × 10 inputs, 12 classes) and of its ResNet-8 (batch 32, 3 × 32 × 32 inputs, 10
//! classes), the architectures of `examples/common/mlperf.rs`, with seeded parameters and
//! data. Used by `benches/report.rs` (and `benches/jax_w6.py` does the same in JAX).

#![allow(dead_code)]

#[path = "../../examples/common/mlperf.rs"]
pub mod mlperf;

use typegrad::init::Rng;
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Layer, Parameters};
use typegrad::optim::{Settings, Sgd};
use typegrad::shape::{Image, Size};
use typegrad::tensor::ImageBatch;
use typegrad::train::Trainer;

pub use mlperf::{DsCnn, ResNet8};

/// Samples per step.
pub const BATCH: usize = 32;

/// The network's parameters from seed 42: every layer in order (a residual block's layers
/// before its shortcut's), W = vec(|W|, 1/√fan_in) in PyTorch's layout (`[out][in][kh][kw]`,
/// `[channel][kh][kw]` depthwise, `[out][in]` dense), then b = vec(out, 1/√fan_in), with
/// fan_in = |W| / out.
pub fn w6_init<Net: Parameters<f32> + Default>() -> Box<Net> {
    let mut net = Box::<Net>::default();
    let mut lens = Vec::new();
    net.visit(&mut |t| lens.push(t.len()));
    let mut rng = Rng::new(42);
    let mut k = 0;
    net.visit_mut(&mut |t| {
        let (w, b) = (lens[k - k % 2], lens[k - k % 2 + 1]);
        let s = 1.0 / ((w / b) as f32).sqrt();
        for v in t.iter_mut() {
            *v = rng.next_f32_signed() * s;
        }
        k += 1;
    });
    net
}

/// W6 data: 4 batches of 32 inputs (seed 7), x = vec(128·C·H·W, 1) in [sample][channel][row]
/// [column] order, then 128 labels = next_u64 % K. Step k uses batch k mod 4.
pub struct W6Data<const C: usize, const H: usize, const W: usize, const K: usize> {
    pub batches: Vec<Box<ImageBatch<f32, BATCH, C, H, W>>>,
    pub labels: Vec<[Class<K>; BATCH]>,
}

pub fn w6_data<const C: usize, const H: usize, const W: usize, const K: usize>()
-> W6Data<C, H, W, K> {
    let mut rng = Rng::new(7);
    let n = C * H * W;
    let flat: Vec<f32> = (0..4 * BATCH * n).map(|_| rng.next_f32_signed()).collect();
    let flat_labels: Vec<usize> = (0..4 * BATCH)
        .map(|_| (rng.next_u64() % K as u64) as usize)
        .collect();
    let batches = (0..4)
        .map(|k| {
            Box::new(ImageBatch::from_fn(|s, c, y, x| {
                flat[(k * BATCH + s) * n + (c * H + y) * W + x]
            }))
        })
        .collect();
    let labels = (0..4)
        .map(|k| {
            core::array::from_fn(|s| Class::new(flat_labels[k * BATCH + s]).expect("label < K"))
        })
        .collect();
    W6Data { batches, labels }
}

/// A W6 trainer: plain SGD, lr 0.01, softmax cross-entropy (mean over the batch), batch 32.
pub type W6State<Net> = Trainer<f32, Net, Sgd, SoftmaxCrossEntropy, BATCH>;

pub fn w6_state<Net: Layer<f32>>(net: &Net) -> Box<W6State<Net>> {
    Box::new(Trainer::new(
        net,
        Sgd::new(Settings::new(0.01)),
        SoftmaxCrossEntropy,
    ))
}

/// One W6 step on batch `k mod 4`; returns the loss.
pub fn w6_step<Net, const C: usize, const H: usize, const W: usize, const K: usize>(
    net: &mut Net,
    state: &mut W6State<Net>,
    data: &W6Data<C, H, W, K>,
    k: usize,
) -> f32
where
    Net: Layer<f32, In = Image<C, H, W>, Out = Size<K>>,
{
    let b = k % 4;
    state
        .step(net, &data.batches[b], &data.labels[b])
        .expect("a finite step")
}

/// Multiply-adds of one sample's forward pass through the convolutions and the dense layer
/// (`QLayer::MACS` of the same architectures, as docs/firmware.md counts them); a training
/// step does about three times that per sample (forward, weight and input gradients).
pub const DSCNN_MACS: f64 = 2_656_768.0;
pub const RESNET8_MACS: f64 = 12_501_632.0;
