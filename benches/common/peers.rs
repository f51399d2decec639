//! The same workloads written with nalgebra (static `SMatrix`) and ndarray, the libraries a
//! Rust user would pick instead of typegrad. Each function computes exactly what the
//! typegrad version in `workloads.rs` computes (the check values are asserted at start-up of
//! the report).

#![allow(dead_code)]

use nalgebra::{SMatrix, SVector};
use ndarray::{Array1, Array2, Axis};

// ---------------------------------------------------------------- nalgebra ----------------

/// Row-major values into a static matrix.
pub fn na_matrix<const R: usize, const C: usize>(values: &[f32]) -> SMatrix<f32, R, C> {
    SMatrix::from_row_slice(values)
}

/// A dense layer for nalgebra: W (out × in), b (out).
#[derive(Clone)]
pub struct NaDense<const I: usize, const O: usize> {
    pub w: SMatrix<f32, O, I>,
    pub b: SVector<f32, O>,
}

impl<const I: usize, const O: usize> NaDense<I, O> {
    pub fn from_typegrad<A>(d: &typegrad::nn::Dense<f32, I, O, A>) -> Self {
        Self {
            w: SMatrix::from_row_slice(d.weights.as_slice()),
            b: SVector::from_column_slice(d.bias.as_slice()),
        }
    }
    /// Z = W·X + b, samples as columns.
    fn forward<const B: usize>(&self, x: &SMatrix<f32, I, B>) -> SMatrix<f32, O, B> {
        let mut z = self.w * x;
        for mut col in z.column_iter_mut() {
            col += &self.b;
        }
        z
    }
}

fn relu_in_place<const R: usize, const C: usize>(m: &mut SMatrix<f32, R, C>) {
    m.iter_mut().for_each(|v| *v = v.max(0.0));
}

/// Softmax cross-entropy (mean over the batch) and its gradient dZ = (softmax − onehot)/B.
fn na_softmax_ce<const K: usize, const B: usize>(
    z: &SMatrix<f32, K, B>,
    labels: &[usize],
) -> (f32, SMatrix<f32, K, B>) {
    let mut dz = *z;
    let mut loss = 0.0;
    for (j, mut col) in dz.column_iter_mut().enumerate() {
        let max = col.max();
        let mut sum = 0.0;
        col.iter_mut().for_each(|v| {
            *v = (*v - max).exp();
            sum += *v;
        });
        loss += sum.ln() - (z[(labels[j], j)] - max);
        col.iter_mut().for_each(|v| *v /= sum * B as f32);
        col[labels[j]] -= 1.0 / B as f32;
    }
    (loss / B as f32, dz)
}

/// W3(a) with nalgebra: 64 → 32 (ReLU) → 10.
#[derive(Clone)]
pub struct NaMlpA {
    pub l1: NaDense<64, 32>,
    pub l2: NaDense<32, 10>,
}

type Layer<const I: usize, const O: usize, A> = typegrad::nn::Dense<f32, I, O, A>;

impl NaMlpA {
    /// The same parameters as a typegrad 64-32-10 network.
    pub fn from_typegrad<A, B>(
        net: &typegrad::nn::Chain<Layer<64, 32, A>, Layer<32, 10, B>>,
    ) -> Self {
        Self {
            l1: NaDense::from_typegrad(&net.0),
            l2: NaDense::from_typegrad(&net.1),
        }
    }

    pub fn step(&mut self, x: &SMatrix<f32, 64, 32>, labels: &[usize], lr: f32) -> f32 {
        let mut a1 = self.l1.forward(x);
        relu_in_place(&mut a1);
        let z2 = self.l2.forward(&a1);
        let (loss, dz2) = na_softmax_ce(&z2, labels);
        let dw2 = dz2 * a1.transpose();
        let db2 = dz2.column_sum();
        let mut da1 = self.l2.w.transpose() * dz2;
        da1.zip_apply(&a1, |d, a| {
            if a <= 0.0 {
                *d = 0.0
            }
        });
        let dw1 = da1 * x.transpose();
        let db1 = da1.column_sum();
        self.l2.w -= dw2 * lr;
        self.l2.b -= db2 * lr;
        self.l1.w -= dw1 * lr;
        self.l1.b -= db1 * lr;
        loss
    }

    /// W4: softmax(MLP(x)).
    pub fn infer(&self, x: &SVector<f32, 64>) -> SVector<f32, 10> {
        let a1 = (self.l1.w * x + self.l1.b).map(|v| v.max(0.0));
        let z = self.l2.w * a1 + self.l2.b;
        let m = z.max();
        let e = z.map(|v| (v - m).exp());
        e / e.sum()
    }
}

/// W3(b) with nalgebra: 784 → 128 (ReLU) → 64 (ReLU) → 10. Boxed: 0.4 MB of weights.
#[derive(Clone)]
pub struct NaMlpB {
    pub l1: NaDense<784, 128>,
    pub l2: NaDense<128, 64>,
    pub l3: NaDense<64, 10>,
}

impl NaMlpB {
    /// The same parameters as a typegrad 784-128-64-10 network.
    pub fn from_typegrad<A, B, C>(
        net: &typegrad::nn::Chain<
            Layer<784, 128, A>,
            typegrad::nn::Chain<Layer<128, 64, B>, Layer<64, 10, C>>,
        >,
    ) -> Self {
        Self {
            l1: NaDense::from_typegrad(&net.0),
            l2: NaDense::from_typegrad(&net.1.0),
            l3: NaDense::from_typegrad(&net.1.1),
        }
    }

    pub fn step(&mut self, x: &SMatrix<f32, 784, 32>, labels: &[usize], lr: f32) -> f32 {
        let mut a1 = self.l1.forward(x);
        relu_in_place(&mut a1);
        let mut a2 = self.l2.forward(&a1);
        relu_in_place(&mut a2);
        let z3 = self.l3.forward(&a2);
        let (loss, dz3) = na_softmax_ce(&z3, labels);
        let dw3 = dz3 * a2.transpose();
        let db3 = dz3.column_sum();
        let mut da2 = self.l3.w.transpose() * dz3;
        da2.zip_apply(&a2, |d, a| {
            if a <= 0.0 {
                *d = 0.0
            }
        });
        let dw2 = da2 * a1.transpose();
        let db2 = da2.column_sum();
        let mut da1 = self.l2.w.transpose() * da2;
        da1.zip_apply(&a1, |d, a| {
            if a <= 0.0 {
                *d = 0.0
            }
        });
        let dw1 = da1 * x.transpose();
        let db1 = da1.column_sum();
        self.l3.w -= dw3 * lr;
        self.l3.b -= db3 * lr;
        self.l2.w -= dw2 * lr;
        self.l2.b -= db2 * lr;
        self.l1.w -= dw1 * lr;
        self.l1.b -= db1 * lr;
        loss
    }
}

/// A batch for nalgebra: samples as columns.
pub fn na_batch<const I: usize>(flat_x: &[f32], k: usize) -> SMatrix<f32, I, 32> {
    SMatrix::from_column_slice(&flat_x[k * 32 * I..(k + 1) * 32 * I])
}

// ---------------------------------------------------------------- ndarray -----------------

pub fn nd_matrix(values: &[f32], r: usize, c: usize) -> Array2<f32> {
    Array2::from_shape_vec((r, c), values.to_vec()).expect("r·c values")
}

/// A dense layer for ndarray, batch-major: Y = X·Wᵀ + b.
#[derive(Clone)]
pub struct NdDense {
    pub w: Array2<f32>,
    pub b: Array1<f32>,
}

impl NdDense {
    pub fn from_typegrad<const I: usize, const O: usize, A>(
        d: &typegrad::nn::Dense<f32, I, O, A>,
    ) -> Self {
        Self {
            w: nd_matrix(d.weights.as_slice(), O, I),
            b: Array1::from(d.bias.as_slice().to_vec()),
        }
    }
    fn forward(&self, x: &Array2<f32>) -> Array2<f32> {
        x.dot(&self.w.t()) + &self.b
    }
}

fn nd_softmax_ce(z: &Array2<f32>, labels: &[usize]) -> (f32, Array2<f32>) {
    let b = z.nrows() as f32;
    let mut dz = z.clone();
    let mut loss = 0.0;
    for (s, mut row) in dz.axis_iter_mut(Axis(0)).enumerate() {
        let max = row.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        row.mapv_inplace(|v| (v - max).exp());
        let sum = row.sum();
        loss += sum.ln() - (z[(s, labels[s])] - max);
        row.mapv_inplace(|v| v / (sum * b));
        row[labels[s]] -= 1.0 / b;
    }
    (loss / b, dz)
}

/// A multi-layer perceptron with ReLU hidden layers for ndarray (W3 a and b).
#[derive(Clone)]
pub struct NdMlp {
    pub layers: Vec<NdDense>,
}

impl NdMlp {
    /// The same parameters as a typegrad 64-32-10 network.
    pub fn from_typegrad_a<A, B>(
        net: &typegrad::nn::Chain<Layer<64, 32, A>, Layer<32, 10, B>>,
    ) -> Self {
        Self {
            layers: vec![
                NdDense::from_typegrad(&net.0),
                NdDense::from_typegrad(&net.1),
            ],
        }
    }

    /// The same parameters as a typegrad 784-128-64-10 network.
    pub fn from_typegrad_b<A, B, C>(
        net: &typegrad::nn::Chain<
            Layer<784, 128, A>,
            typegrad::nn::Chain<Layer<128, 64, B>, Layer<64, 10, C>>,
        >,
    ) -> Self {
        Self {
            layers: vec![
                NdDense::from_typegrad(&net.0),
                NdDense::from_typegrad(&net.1.0),
                NdDense::from_typegrad(&net.1.1),
            ],
        }
    }

    pub fn step(&mut self, x: &Array2<f32>, labels: &[usize], lr: f32) -> f32 {
        let n = self.layers.len();
        let mut acts = vec![x.clone()];
        for (i, l) in self.layers.iter().enumerate() {
            let mut z = l.forward(acts.last().expect("input"));
            if i + 1 < n {
                z.mapv_inplace(|v| v.max(0.0));
            }
            acts.push(z);
        }
        let (loss, mut dz) = nd_softmax_ce(acts.last().expect("output"), labels);
        for i in (0..n).rev() {
            let dw = dz.t().dot(&acts[i]);
            let db = dz.sum_axis(Axis(0));
            let next = if i > 0 {
                let mut da = dz.dot(&self.layers[i].w);
                da.zip_mut_with(&acts[i], |d, &a| {
                    if a <= 0.0 {
                        *d = 0.0
                    }
                });
                Some(da)
            } else {
                None
            };
            self.layers[i].w.scaled_add(-lr, &dw);
            self.layers[i].b.scaled_add(-lr, &db);
            if let Some(da) = next {
                dz = da;
            }
        }
        loss
    }

    /// W4: softmax(MLP(x)) for one sample.
    pub fn infer(&self, x: &Array1<f32>) -> Array1<f32> {
        let n = self.layers.len();
        let mut a = x.clone();
        for (i, l) in self.layers.iter().enumerate() {
            a = l.w.dot(&a) + &l.b;
            if i + 1 < n {
                a.mapv_inplace(|v| v.max(0.0));
            }
        }
        let m = a.fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        a.mapv_inplace(|v| (v - m).exp());
        let s = a.sum();
        a / s
    }
}

/// A batch for ndarray: 32 × I, sample-major.
pub fn nd_batch(flat_x: &[f32], i: usize, k: usize) -> Array2<f32> {
    nd_matrix(&flat_x[k * 32 * i..(k + 1) * 32 * i], 32, i)
}

/// W5 with ndarray as its users write a 1-D convolution: im2col (each output step's 6 × 5
/// window as a row of 30) and `dot` for the convolution and its weight gradient.
#[derive(Clone)]
pub struct NdCnn1d {
    /// Conv weight as 16 × 30 (`[out][in·k]`, PyTorch's layout flattened), bias 16.
    w: Array2<f32>,
    b: Array1<f32>,
    /// Linear 4 × 16 and 4.
    w2: Array2<f32>,
    b2: Array1<f32>,
}

impl NdCnn1d {
    pub fn from_typegrad(net: &crate::workloads::Cnn1d) -> Self {
        let conv = &net.0;
        let linear = &net.1.1.1;
        Self {
            w: nd_matrix(conv.weight_slice(), 16, 30),
            b: Array1::from(conv.bias.as_slice().to_vec()),
            w2: nd_matrix(linear.weights.as_slice(), 4, 16),
            b2: Array1::from(linear.bias.as_slice().to_vec()),
        }
    }

    /// One SGD step on a batch of 16 series (`x`: 16 · 6 · 100 values, sample, channel, step).
    pub fn step(&mut self, x: &[f32], labels: &[usize], lr: f32) -> f32 {
        const B: usize = 16;
        const T: usize = 96;
        let cols = Array2::from_shape_fn((B * T, 30), |(r, j)| {
            let (s, t, c, k) = (r / T, r % T, j / 5, j % 5);
            x[s * 600 + c * 100 + t + k]
        });
        let z = cols.dot(&self.w.t()) + &self.b; // (B·96) × 16
        let a = z.mapv(|v| v.max(0.0));
        let h = a
            .to_shape((B, T, 16))
            .expect("contiguous")
            .mean_axis(Axis(1))
            .expect("96 steps"); // B × 16
        let logits = h.dot(&self.w2.t()) + &self.b2;
        let (loss, dlogits) = nd_softmax_ce(&logits, labels);
        let dw2 = dlogits.t().dot(&h);
        let db2 = dlogits.sum_axis(Axis(0));
        let dh = dlogits.dot(&self.w2); // B × 16
        let mut dz = Array2::from_shape_fn((B * T, 16), |(r, o)| dh[[r / T, o]] / T as f32);
        dz.zip_mut_with(&z, |d, &v| {
            if v <= 0.0 {
                *d = 0.0
            }
        });
        let dw = dz.t().dot(&cols); // 16 × 30
        let db = dz.sum_axis(Axis(0));
        self.w.scaled_add(-lr, &dw);
        self.b.scaled_add(-lr, &db);
        self.w2.scaled_add(-lr, &dw2);
        self.b2.scaled_add(-lr, &db2);
        loss
    }
}
