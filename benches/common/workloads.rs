//! The benchmark workloads of `benches/WORKLOADS.md` (W1–W4), built with typegrad:
//! the seeded data and the typegrad side of each workload. Shared by the benchmarks and by
//! `tests/workloads.rs`, which checks the published check values.

#![allow(dead_code)]

use typegrad::activation::{Activation, Relu, Softmax};
use typegrad::init::Rng;
use typegrad::loss::{Class, SoftmaxCrossEntropy};
use typegrad::nn::{Dense, Layer};
use typegrad::optim::{Settings, Sgd};
use typegrad::train::{Network, Trainer};
use typegrad::{Batch, Matrix, Vector};

/// `vec(n, s)`: `n` values `uniform() · s` from the generator.
pub fn vec(rng: &mut Rng, n: usize, s: f32) -> Vec<f32> {
    (0..n).map(|_| rng.next_f32_signed() * s).collect()
}

/// A dense layer with W = vec(out·in, 1/√in) row-major, then b = vec(out, 1/√in).
pub fn layer<const I: usize, const O: usize, A: Activation>(
    rng: &mut Rng,
    a: A,
) -> Dense<f32, I, O, A> {
    let s = 1.0 / (I as f32).sqrt();
    let w = Matrix::try_from_slice(&vec(rng, O * I, s)).expect("O·I values");
    let b = Vector::try_from_slice(&vec(rng, O, s)).expect("O values");
    Dense::new(w, b, a)
}

/// W1: A = vec(N², 1) from seed 1, B = vec(N², 1) from seed 2.
pub fn w1_inputs<const N: usize>() -> (Box<Matrix<f32, N, N>>, Box<Matrix<f32, N, N>>) {
    let a = vec(&mut Rng::new(1), N * N, 1.0);
    let b = vec(&mut Rng::new(2), N * N, 1.0);
    (
        Box::new(Matrix::try_from_slice(&a).expect("N² values")),
        Box::new(Matrix::try_from_slice(&b).expect("N² values")),
    )
}

/// W2: W 128×64, b 128, X 64×32 (samples as columns), all from seed 3.
pub struct W2 {
    pub w: Matrix<f32, 128, 64>,
    pub b: Vector<f32, 128>,
    pub x: Matrix<f32, 64, 32>,
    /// The same layer as a `Dense` (the public API a user calls) ...
    pub dense: Dense<f32, 64, 128>,
    /// ... and the same 32 samples as a batch (one sample per row: Xᵀ).
    pub batch: Batch<f32, 32, 64>,
}

pub fn w2_inputs() -> W2 {
    let mut rng = Rng::new(3);
    let w = Matrix::try_from_slice(&vec(&mut rng, 128 * 64, 0.125)).expect("W");
    let b = Vector::try_from_slice(&vec(&mut rng, 128, 0.125)).expect("b");
    let x: Matrix<f32, 64, 32> = Matrix::try_from_slice(&vec(&mut rng, 64 * 32, 1.0)).expect("X");
    let dense = Dense {
        weights: w,
        bias: b,
        activation: typegrad::activation::Identity,
    };
    let batch = Batch::from_fn(|s, i| x.as_rows()[i][s]);
    W2 {
        w,
        b,
        x,
        dense,
        batch,
    }
}

/// W2 with typegrad's public API, as the workload defines it: a `Dense` layer 64 → 128 on a
/// batch of 32 samples (`Layer::forward`), giving the 32 outputs Yᵀ (one sample per row).
pub fn w2_typegrad(p: &W2) -> Batch<f32, 32, 128> {
    p.dense.forward(&p.batch)
}

typegrad::network! {
    /// W3(a): 64 → 32 (ReLU) → 10.
    pub type MlpA = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>];
}
/// W3(b): 784 → 128 (ReLU) → 64 (ReLU) → 10.
pub type MlpB =
    typegrad::seq![Dense<f32, 784, 128, Relu>, Dense<f32, 128, 64, Relu>, Dense<f32, 64, 10>];

pub fn mlp_a() -> MlpA {
    let mut rng = Rng::new(42);
    let l1 = layer::<64, 32, _>(&mut rng, Relu);
    let l2 = layer::<32, 10, _>(&mut rng, typegrad::activation::Identity);
    typegrad::nn::Chain(l1, l2)
}

pub fn mlp_b() -> Box<MlpB> {
    let mut rng = Rng::new(42);
    let l1 = layer::<784, 128, _>(&mut rng, Relu);
    let l2 = layer::<128, 64, _>(&mut rng, Relu);
    let l3 = layer::<64, 10, _>(&mut rng, typegrad::activation::Identity);
    Box::new(typegrad::nn::Chain(l1, typegrad::nn::Chain(l2, l3)))
}

/// W3 data: 64 batches of 32 samples (seed 7), x sample-major then 2048 labels.
pub struct W3Data<const I: usize> {
    pub batches: Vec<Batch<f32, 32, I>>,
    pub labels: Vec<[Class<10>; 32]>,
    /// The same data as flat slices, for the other libraries.
    pub flat_x: Vec<f32>,
    pub flat_labels: Vec<usize>,
}

pub fn w3_data<const I: usize>() -> W3Data<I> {
    let mut rng = Rng::new(7);
    let flat_x = vec(&mut rng, 2048 * I, 1.0);
    let flat_labels: Vec<usize> = (0..2048).map(|_| (rng.next_u64() % 10) as usize).collect();
    let batches = (0..64)
        .map(|k| Batch::try_from_slice(&flat_x[k * 32 * I..(k + 1) * 32 * I]).expect("32·I values"))
        .collect();
    let labels = (0..64)
        .map(|k| core::array::from_fn(|s| Class::new(flat_labels[k * 32 + s]).expect("label < 10")))
        .collect();
    W3Data {
        batches,
        labels,
        flat_x,
        flat_labels,
    }
}

/// What a W3 run keeps between steps besides the network: a trainer holding its gradient,
/// the forward cache (both on the heap: W3(b)'s gradient is 0.4 MB) and SGD (lr 0.01), made
/// once.
pub type W3State<Net> = Trainer<f32, Net, Sgd, SoftmaxCrossEntropy, 32>;

/// A W3 trainer for `net`.
pub fn w3_state<Net: Layer<f32>>(net: &Net) -> W3State<Net> {
    Trainer::new(net, w3_sgd(), SoftmaxCrossEntropy)
}

/// W3 with typegrad: one SGD step (lr 0.01) on batch `k mod 64`; returns the loss.
pub fn w3_step<Net, const I: usize>(
    net: &mut Net,
    state: &mut W3State<Net>,
    data: &W3Data<I>,
    k: usize,
) -> f32
where
    Net: Network<f32, I, 10>,
{
    let b = k % 64;
    state
        .step(net, &data.batches[b], &data.labels[b])
        .expect("finite")
}

pub fn w3_sgd() -> Sgd {
    Sgd::new(Settings::new(0.01))
}

/// W4: x = vec(64, 1) from seed 5.
pub fn w4_input() -> Vector<f32, 64> {
    Vector::try_from_slice(&vec(&mut Rng::new(5), 64, 1.0)).expect("64 values")
}

/// W4 with typegrad: softmax(MLP(x)).
pub fn w4_typegrad(net: &MlpA, x: &Vector<f32, 64>) -> Vector<f32, 10> {
    Softmax.forward(&net.predict(x))
}

typegrad::network! {
    /// W5: Conv1d 6 → 16 (kernel 5) → ReLU → global average pooling → Linear 16 → 4.
    pub type Cnn1d = [
        typegrad::nn::Input<typegrad::shape::Signal<6, 100>>,
        typegrad::nn::Conv1d<f32, 6, 16, 5>,
        Relu,
        typegrad::nn::GlobalAvgPool1d,
        Dense<f32, 16, 4>,
    ];
}

/// The W5 network from seed 42: conv W = vec(16·6·5, 1/√30) as [out][in][k], conv b =
/// vec(16, 1/√30), linear W = vec(4·16, 1/4), linear b = vec(4, 1/4).
pub fn cnn1d() -> Cnn1d {
    let mut rng = Rng::new(42);
    let s = 1.0 / 30f32.sqrt();
    let w = vec(&mut rng, 16 * 6 * 5, s);
    let b = vec(&mut rng, 16, s);
    let conv: typegrad::nn::Conv1d<f32, 6, 16, 5> = typegrad::nn::Conv1d::new(
        core::array::from_fn(|o| {
            core::array::from_fn(|c| core::array::from_fn(|k| w[(o * 6 + c) * 5 + k]))
        }),
        Vector::try_from_slice(&b).expect("16 values"),
    );
    let linear = layer::<16, 4, _>(&mut rng, typegrad::activation::Identity);
    use typegrad::nn::Chain;
    Chain(
        conv.placed(),
        Chain(Default::default(), Chain(Default::default(), linear)),
    )
}

/// W5 data: 4 batches of 16 series (seed 7), x in [sample][channel][step] order, then 64 labels.
pub struct W5Data {
    pub batches: Vec<typegrad::tensor::SignalBatch<f32, 16, 6, 100>>,
    pub labels: Vec<[Class<4>; 16]>,
    /// The same data as flat slices, for the other libraries.
    pub flat_x: Vec<f32>,
    pub flat_labels: Vec<usize>,
}

pub fn w5_data() -> W5Data {
    let mut rng = Rng::new(7);
    let flat_x = vec(&mut rng, 64 * 600, 1.0);
    let flat_labels: Vec<usize> = (0..64).map(|_| (rng.next_u64() % 4) as usize).collect();
    let batches = (0..4)
        .map(|k| {
            typegrad::tensor::SignalBatch::from_fn(|s, c, t| {
                flat_x[(k * 16 + s) * 600 + c * 100 + t]
            })
        })
        .collect();
    let labels = (0..4)
        .map(|k| core::array::from_fn(|s| Class::new(flat_labels[k * 16 + s]).expect("label < 4")))
        .collect();
    W5Data {
        batches,
        labels,
        flat_x,
        flat_labels,
    }
}

/// A W5 trainer: plain SGD, lr 0.01, batch 16.
pub type W5State = Trainer<f32, Cnn1d, Sgd, SoftmaxCrossEntropy, 16>;

pub fn w5_state(net: &Cnn1d) -> W5State {
    Trainer::new(net, w3_sgd(), SoftmaxCrossEntropy)
}

/// W5 with typegrad: one SGD step on batch `k mod 4`; returns the loss.
pub fn w5_step(net: &mut Cnn1d, state: &mut W5State, data: &W5Data, k: usize) -> f32 {
    let b = k % 4;
    state
        .step(net, &data.batches[b], &data.labels[b])
        .expect("finite")
}
