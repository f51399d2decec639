//! W6 of `benches/WORKLOADS.md`: one SGD training step of MLPerf Tiny's DS-CNN (batch 32,
//! 1 × 49 × 10 inputs, 12 classes) and of its ResNet-8 (batch 32, 3 × 32 × 32 inputs, 10
//! classes), the architectures of `examples/common/mlperf.rs`, with seeded parameters and
//! data. Used by `benches/report.rs` (and `benches/jax_w6.py` does the same in JAX).

#![allow(dead_code)]

#[path = "../../examples/common/mlperf.rs"]
pub mod mlperf;

use typegrad::init::Rng;
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Grads, Layer, Parameters};
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

/// Seconds per call, one entry per run, of one layer's forward pass and gradients
/// (`forward_train`, then `backward` with the input gradient, or `backward_params` without
/// it for a model's first layer, as a training step does) on a batch of 32: `runs` runs of
/// `reps` calls after one warm-up call. The convolution layers of the W6 models timed one by
/// one, without the activations, pooling, loss and update around them.
pub fn layer_seconds<L>(first: bool, runs: usize, reps: usize) -> Vec<f64>
where
    L: Layer<f32> + Parameters<f32> + Default + Clone,
{
    use typegrad::shape::Port;
    let mut layer = Box::<L>::default();
    let mut rng = Rng::new(3);
    layer.visit_mut(&mut |t| {
        for v in t.iter_mut() {
            *v = rng.next_f32_signed() * 0.2;
        }
    });
    let value = |i: usize| ((i * 7919 % 1009) as f32) * 0.002 - 1.0;
    let x = Box::new(<L::In as Port>::batch::<f32, BATCH, _>(|s, i| {
        value(s * 31 + i)
    }));
    let dy = Box::new(<L::Out as Port>::batch::<f32, BATCH, _>(|s, i| {
        value(s * 17 + i + 5)
    }));
    let mut dx = Box::new(<L::In as Port>::batch::<f32, BATCH, _>(|_, _| 0.0));
    let mut cache = Box::new(layer.new_cache::<BATCH>());
    let mut grads = layer.clone();
    let mut call = || {
        layer.forward_train(&x, &mut cache);
        if first {
            layer.backward_params(&x, &mut cache, &dy, &mut grads, Grads::Overwrite);
        } else {
            layer.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
        }
        std::hint::black_box((&*dx, &*grads));
    };
    call();
    (0..runs)
        .map(|_| {
            let t = std::time::Instant::now();
            for _ in 0..reps {
                call();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect()
}

/// `[(seconds per run, count, multiply-adds per sample); _]` of the layers listed as
/// `(type, first, count, multiply-adds)`.
macro_rules! parts {
    ($runs:expr, $reps:expr; $(($layer:ty, $first:expr, $count:expr, $macs:expr)),* $(,)?) => {
        [$((layer_seconds::<$layer>($first, $runs, $reps), $count, $macs)),*]
    };
}

/// The convolution layers of DS-CNN (with how many of each): seconds per call of each,
/// summed per run, and their multiply-adds per sample (the first layer's counted two thirds:
/// it has no input gradient, so two products where the others have three).
pub fn dscnn_conv_seconds(runs: usize, reps: usize) -> (Vec<f64>, f64) {
    use typegrad::nn::{Conv2d, DepthwiseConv2d, Kernel, Pad, Same, Stride};
    type First = Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same, Image<1, 49, 10>>;
    type Depthwise = DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same, Image<64, 25, 5>>;
    type Pointwise = Conv2d<f32, 64, 64, Kernel<1>, Stride<1>, Pad<0, 0>, Image<64, 25, 5>>;
    sum_parts(&parts![runs, reps;
        (First, true, 1.0, 64.0 * 125.0 * 40.0 * 2.0 / 3.0),
        (Depthwise, false, 4.0, 64.0 * 125.0 * 9.0),
        (Pointwise, false, 4.0, 64.0 * 125.0 * 64.0),
    ])
}

/// [`dscnn_conv_seconds`] for ResNet-8.
pub fn resnet8_conv_seconds(runs: usize, reps: usize) -> (Vec<f64>, f64) {
    use typegrad::nn::{Conv2d, Kernel, Pad, Same, Stride};
    type C3<const I: usize, const O: usize, const S: usize, const H: usize> =
        Conv2d<f32, I, O, Kernel<3>, Stride<S>, Same, Image<I, H, H>>;
    type C1<const I: usize, const O: usize, const H: usize> =
        Conv2d<f32, I, O, Kernel<1>, Stride<2>, Pad<0, 0>, Image<I, H, H>>;
    sum_parts(&parts![runs, reps;
        (C3<3, 16, 1, 32>, true, 1.0, 16.0 * 1024.0 * 27.0 * 2.0 / 3.0),
        (C3<16, 16, 1, 32>, false, 2.0, 16.0 * 1024.0 * 144.0),
        (C3<16, 32, 2, 32>, false, 1.0, 32.0 * 256.0 * 144.0),
        (C3<32, 32, 1, 16>, false, 1.0, 32.0 * 256.0 * 288.0),
        (C1<16, 32, 32>, false, 1.0, 32.0 * 256.0 * 16.0),
        (C3<32, 64, 2, 16>, false, 1.0, 64.0 * 64.0 * 288.0),
        (C3<64, 64, 1, 8>, false, 1.0, 64.0 * 64.0 * 576.0),
        (C1<32, 64, 16>, false, 1.0, 64.0 * 64.0 * 32.0),
    ])
}

/// Per run, `Σ count · seconds`; and `Σ count · multiply-adds`. With `W6C_PARTS` set, each
/// part's median time and rate on stderr.
fn sum_parts(parts: &[(Vec<f64>, f64, f64)]) -> (Vec<f64>, f64) {
    if std::env::var_os("W6C_PARTS").is_some() {
        for (t, count, macs) in parts {
            let mut t = t.clone();
            t.sort_by(f64::total_cmp);
            let m = t[t.len() / 2];
            eprintln!(
                "  ×{count}: {:.1} µs, {:.1} GFLOP/s",
                m * 1e6,
                6.0 * macs * 32.0 / m / 1e9
            );
        }
    }
    let runs = parts.iter().map(|p| p.0.len()).min().unwrap_or(0);
    let seconds = (0..runs)
        .map(|r| parts.iter().map(|(t, count, _)| count * t[r]).sum())
        .collect();
    (
        seconds,
        parts.iter().map(|(_, count, macs)| count * macs).sum(),
    )
}
