//! [`BatchNorm1d`]: batch normalization over channels (PyTorch's `nn.BatchNorm1d`), and
//! [`fold_into_dense`](BatchNorm1d::fold_into_dense) / [`fold_into_conv`](BatchNorm1d::fold_into_conv)
//! for deployment.

use core::marker::PhantomData;

use crate::activation::Identity;
use crate::nn::{Dense, Grads, Layer, Parameters, Place, Shape, TensorSpec, Unplaced};
use crate::scalar::constant;
use crate::shape::{BatchOf, Image, Port, Signal, Size};
use crate::{Real, Scalar, Vector};

/// Batch normalization of `C` channels: flat features `Size<C>` (PyTorch's `(N, C)` input),
/// `Signal<C, L>` (`(N, C, L)`) or `Image<C, H, W>` (`(N, C, H, W)`, as `nn.BatchNorm2d`;
/// alias [`BatchNorm2d`]), listed as `BatchNorm1d<f32, C>` and placed at any of them.
///
/// Training (batch statistics over the batch and the steps, `m` values per channel):
/// `μ = Σx / m`, `σ² = Σ(x − μ)² / m`, `x̂ = (x − μ) / √(σ² + ε)`, `y = γ·x̂ + β`;
/// after each successful training step (see [`Layer::update_buffers`]) the running statistics
/// move by the momentum: `running_mean ← (1 − momentum)·running_mean + momentum·μ`,
/// `running_var ← (1 − momentum)·running_var + momentum·σ²·m/(m − 1)` (the unbiased variance,
/// as PyTorch; left as it is when `m = 1`), `num_batches_tracked += 1`.
/// Inference: `y = γ·(x − running_mean) / √(running_var + ε) + β`.
///
/// Gradients (training): `∂L/∂γ = Σ ∂L/∂y·x̂`, `∂L/∂β = Σ ∂L/∂y`, `∂L/∂x = (γ/√(σ² + ε))·(∂L/∂y −
/// mean(∂L/∂y) − x̂·mean(∂L/∂y·x̂))`.
///
/// Tensors as PyTorch names them: parameters `weight [C]` (γ, initially 1) and `bias [C]` (β,
/// 0); buffers `running_mean [C]` (0), `running_var [C]` (1) and `num_batches_tracked []`
/// (stored in the network's scalar type). Defaults: momentum 0.1, ε = 1e-5.
pub struct BatchNorm1d<T, const C: usize, At = Unplaced> {
    /// γ, one per channel.
    pub weight: Vector<T, C>,
    /// β, one per channel.
    pub bias: Vector<T, C>,
    /// The running mean of each channel (a buffer: saved, never trained).
    pub running_mean: Vector<T, C>,
    /// The running (unbiased) variance of each channel (a buffer).
    pub running_var: Vector<T, C>,
    /// How many training steps have updated the running statistics (a buffer).
    pub num_batches_tracked: Vector<T, 1>,
    /// The weight of a batch's statistics in the running ones.
    pub momentum: f64,
    /// Added to the variance before the square root.
    pub eps: f64,
    at: PhantomData<fn() -> At>,
}

impl<T: Scalar, const C: usize, At> BatchNorm1d<T, C, At> {
    /// γ = 1, β = 0, running mean 0, running variance 1, momentum 0.1, ε = 1e-5 (PyTorch's
    /// defaults).
    pub fn new() -> Self {
        Self {
            weight: Vector::from_fn(|_| T::one()),
            bias: Vector::zeros(),
            running_mean: Vector::zeros(),
            running_var: Vector::from_fn(|_| T::one()),
            num_batches_tracked: Vector::zeros(),
            momentum: 0.1,
            eps: 1e-5,
            at: PhantomData,
        }
    }

    /// The same values at another place in a network.
    pub fn placed<At2>(self) -> BatchNorm1d<T, C, At2> {
        BatchNorm1d {
            weight: self.weight,
            bias: self.bias,
            running_mean: self.running_mean,
            running_var: self.running_var,
            num_batches_tracked: self.num_batches_tracked,
            momentum: self.momentum,
            eps: self.eps,
            at: PhantomData,
        }
    }
}

impl<T: Real, const C: usize, At> BatchNorm1d<T, C, At> {
    /// The inference transform per channel as `y = scale·x + shift`: `scale = γ/√(running_var
    /// + ε)`, `shift = β − running_mean·scale`.
    pub fn affine(&self) -> (Vector<T, C>, Vector<T, C>) {
        let eps = constant::<T>(self.eps);
        let scale = Vector::from_fn(|c| self.weight[c] / (self.running_var[c] + eps).sqrt());
        let shift = Vector::from_fn(|c| self.bias[c] - self.running_mean[c] * scale[c]);
        (scale, shift)
    }

    /// The dense layer that computes this batch normalization (inference) applied after
    /// `dense`: `W'ᵢ = scaleᵢ·Wᵢ` (row `i`), `b' = scale·b + shift`, with the activation given
    /// (the one that came after the normalization). For deployment: one layer instead of two.
    pub fn fold_into_dense<const I: usize, A: crate::activation::Activation>(
        &self,
        dense: &Dense<T, I, C, Identity>,
        activation: A,
    ) -> Dense<T, I, C, A> {
        let (scale, shift) = self.affine();
        let mut w = dense.weights;
        for (row, &s) in w.as_mut_rows().iter_mut().zip(scale.iter()) {
            for v in row.iter_mut() {
                *v = *v * s;
            }
        }
        let b = Vector::from_fn(|i| dense.bias[i] * scale[i] + shift[i]);
        Dense::new(w, b, activation)
    }

    /// The convolution — 1-D or 2-D, full or depthwise — that computes this batch
    /// normalization (inference) applied after `conv`: each output channel's filter and bias
    /// scaled and shifted as in [`fold_into_dense`](BatchNorm1d::fold_into_dense).
    pub fn fold_into_conv<const I: usize, K, S, P, A2, G>(
        &self,
        conv: &crate::nn::Conv2d<T, I, C, K, S, P, A2, G>,
    ) -> crate::nn::Conv2d<T, I, C, K, S, P, A2, G>
    where
        K: crate::shape::window::KernelSize,
        G: crate::nn::Connect,
    {
        let (scale, shift) = self.affine();
        let mut folded = *conv;
        for (o, &s) in scale.iter().enumerate() {
            for v in folded.filter_mut(o) {
                *v = *v * s;
            }
        }
        folded.bias = Vector::from_fn(|o| conv.bias[o] * scale[o] + shift[o]);
        folded
    }
}

impl<T: Scalar, const C: usize, At> Default for BatchNorm1d<T, C, At> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Copy, const C: usize, At> Clone for BatchNorm1d<T, C, At> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Copy, const C: usize, At> Copy for BatchNorm1d<T, C, At> {}

impl<T: PartialEq, const C: usize, At> PartialEq for BatchNorm1d<T, C, At> {
    fn eq(&self, o: &Self) -> bool {
        self.weight == o.weight
            && self.bias == o.bias
            && self.running_mean == o.running_mean
            && self.running_var == o.running_var
            && self.num_batches_tracked == o.num_batches_tracked
            && self.momentum == o.momentum
            && self.eps == o.eps
    }
}

impl<T: core::fmt::Debug, const C: usize, At> core::fmt::Debug for BatchNorm1d<T, C, At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("BatchNorm1d")
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .field("running_mean", &self.running_mean)
            .field("running_var", &self.running_var)
            .field("num_batches_tracked", &self.num_batches_tracked)
            .field("momentum", &self.momentum)
            .field("eps", &self.eps)
            .finish()
    }
}

impl<T: Scalar, const C: usize, At> Parameters<T> for BatchNorm1d<T, C, At> {
    const PARAMS: usize = 2 * C;
    const TENSORS: usize = 2;
    const BUFFERS: usize = 2 * C + 1;
    const BUFFER_TENSORS: usize = 3;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        match k {
            0 => Some(TensorSpec::parameter("weight", &[C])),
            1 => Some(TensorSpec::parameter("bias", &[C])),
            _ => None,
        }
    }

    fn buffer_spec(k: usize) -> Option<TensorSpec> {
        match k {
            0 => Some(TensorSpec::buffer("running_mean", &[C])),
            1 => Some(TensorSpec::buffer("running_var", &[C])),
            2 => Some(TensorSpec::buffer("num_batches_tracked", &[])),
            _ => None,
        }
    }

    fn buffer_rule(k: usize) -> crate::nn::BufferRule {
        use crate::nn::BufferRule;
        match k {
            1 => BufferRule::NonNegative,
            2 => BufferRule::Count,
            _ => BufferRule::Finite,
        }
    }

    /// The gradient: γ and β zero; buffers and hyper-parameters as in `self`.
    fn zeros_like(&self) -> Self {
        Self {
            weight: Vector::zeros(),
            bias: Vector::zeros(),
            ..*self
        }
    }

    fn visit(&self, f: &mut impl FnMut(&[T])) {
        f(self.weight.as_slice());
        f(self.bias.as_slice());
    }

    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        f(self.weight.as_mut_slice());
        f(self.bias.as_mut_slice());
    }

    fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[T], &[T])) {
        f(self.weight.as_slice(), other.weight.as_slice());
        f(self.bias.as_slice(), other.bias.as_slice());
    }

    fn walk<const K: usize>(
        &mut self,
        grads: &Self,
        mut state: [&mut Self; K],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    ) {
        let weight = state.each_mut().map(|s| s.weight.as_mut_slice());
        f(self.weight.as_mut_slice(), grads.weight.as_slice(), weight);
        let bias = state.map(|s| s.bias.as_mut_slice());
        f(self.bias.as_mut_slice(), grads.bias.as_slice(), bias);
    }

    fn visit_buffers(&self, f: &mut impl FnMut(&[T])) {
        f(self.running_mean.as_slice());
        f(self.running_var.as_slice());
        f(self.num_batches_tracked.as_slice());
    }

    fn visit_buffers_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        f(self.running_mean.as_mut_slice());
        f(self.running_var.as_mut_slice());
        f(self.num_batches_tracked.as_mut_slice());
    }
}

/// Flat features: each feature is a channel.
#[diagnostic::do_not_recommend]
impl<T, const C: usize, const N: usize> Place<Size<N>> for BatchNorm1d<T, C, Unplaced> {
    type Layer = BatchNorm1d<T, C, Size<C>>;
}

/// Channels × steps: statistics over the batch and the steps.
#[diagnostic::do_not_recommend]
impl<T, const C: usize, const C2: usize, const L: usize> Place<Signal<C2, L>>
    for BatchNorm1d<T, C, Unplaced>
{
    type Layer = BatchNorm1d<T, C, Signal<C, L>>;
}

/// Channels × rows × columns (as `nn.BatchNorm2d`): statistics over the batch and the pixels.
#[diagnostic::do_not_recommend]
impl<T, const C: usize, const C2: usize, const H: usize, const W: usize> Place<Image<C2, H, W>>
    for BatchNorm1d<T, C, Unplaced>
{
    type Layer = BatchNorm1d<T, C, Image<C, H, W>>;
}

impl<T, const C: usize, const H: usize, const W: usize> Shape
    for BatchNorm1d<T, C, Image<C, H, W>>
{
    type In = Image<C, H, W>;
    type Out = Image<C, H, W>;
}

/// PyTorch's `nn.BatchNorm2d`: [`BatchNorm1d`] placed after `Image<C, H, W>` (statistics per
/// channel over the batch and every pixel).
pub type BatchNorm2d<T, const C: usize, At = Unplaced> = BatchNorm1d<T, C, At>;

impl<T, const C: usize> Shape for BatchNorm1d<T, C, Size<C>> {
    type In = Size<C>;
    type Out = Size<C>;
}

impl<T, const C: usize, const L: usize> Shape for BatchNorm1d<T, C, Signal<C, L>> {
    type In = Signal<C, L>;
    type Out = Signal<C, L>;
}

/// What [`BatchNorm1d`] keeps for a batch: the output, the normalized inputs `x̂`, and per
/// channel `1/√(σ² + ε)`, the batch mean and the batch (biased) variance.
pub struct BatchNormCache<T: Send + Sync, const B: usize, P: Port, const C: usize> {
    output: BatchOf<T, B, P>,
    normalized: BatchOf<T, B, P>,
    inv_std: Vector<T, C>,
    mean: Vector<T, C>,
    var: Vector<T, C>,
}

/// A port read as `C` channels of [`STEPS`](Channels::STEPS) steps: `Size<C>` (one step per
/// channel) or `Signal<C, L>` — what [`BatchNorm1d`] normalizes over.
pub trait Channels<const C: usize>: Port {
    /// The steps of each channel.
    const STEPS: usize;
}
impl<const C: usize> Channels<C> for Size<C> {
    const STEPS: usize = 1;
}
impl<const C: usize, const L: usize> Channels<C> for Signal<C, L> {
    const STEPS: usize = L;
}
impl<const C: usize, const H: usize, const W: usize> Channels<C> for Image<C, H, W> {
    const STEPS: usize = H * W;
}

/// The numbers of channel `c` of a batch laid out sample, channel, step.
#[inline]
fn channel<T: Copy, const C: usize>(
    xs: &[T],
    steps: usize,
    c: usize,
) -> impl Iterator<Item = usize> + '_ {
    let per_sample = C * steps;
    let samples = xs.len().checked_div(per_sample).unwrap_or(0);
    (0..samples).flat_map(move |s| {
        let start = s * per_sample + c * steps;
        start..start + steps
    })
}

impl<T: Real, const C: usize, P: Channels<C>> BatchNorm1d<T, C, P> {
    /// `y = scale·x + shift` per channel for one sample (`affine` computed once by the caller).
    fn normalize_sample((scale, shift): &(Vector<T, C>, Vector<T, C>), x: &[T], y: &mut [T]) {
        for c in 0..C {
            for l in 0..P::STEPS {
                let i = c * P::STEPS + l;
                y[i] = x[i] * scale[c] + shift[c];
            }
        }
    }
}

impl<T: Real, const C: usize, P: Channels<C>> Layer<T> for BatchNorm1d<T, C, P>
where
    BatchNorm1d<T, C, P>: Shape<In = P, Out = P>,
{
    type Cache<const B: usize> = BatchNormCache<T, B, P, C>;

    fn predict(&self, x: &P::Sample<T>) -> P::Sample<T> {
        let mut y = P::sample(|_| T::zero());
        Self::normalize_sample(
            &self.affine(),
            P::sample_slice(x),
            P::sample_slice_mut(&mut y),
        );
        y
    }

    fn forward<const B: usize>(&self, x: &BatchOf<T, B, P>) -> BatchOf<T, B, P> {
        let mut y = P::batch(|_, _| T::zero());
        let (xs, ys) = (P::batch_slice(x), P::batch_slice_mut(&mut y));
        let affine = self.affine();
        for s in 0..B {
            let r = s * P::N..(s + 1) * P::N;
            Self::normalize_sample(&affine, &xs[r.clone()], &mut ys[r]);
        }
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        BatchNormCache {
            output: P::batch(|_, _| T::zero()),
            normalized: P::batch(|_, _| T::zero()),
            inv_std: Vector::zeros(),
            mean: Vector::zeros(),
            var: Vector::zeros(),
        }
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, cache: &mut Self::Cache<B>) {
        let xs = P::batch_slice(x);
        let m = T::from_count((B * P::STEPS).max(1));
        let eps = constant::<T>(self.eps);
        let BatchNormCache {
            output,
            normalized,
            inv_std,
            mean,
            var,
        } = cache;
        let (ys, hs) = (P::batch_slice_mut(output), P::batch_slice_mut(normalized));
        for c in 0..C {
            let mu = channel::<T, C>(xs, P::STEPS, c).fold(T::zero(), |a, i| a + xs[i]) / m;
            let v = channel::<T, C>(xs, P::STEPS, c).fold(T::zero(), |a, i| {
                let d = xs[i] - mu;
                a + d * d
            }) / m;
            let inv = T::one() / (v + eps).sqrt();
            for i in channel::<T, C>(xs, P::STEPS, c) {
                let h = (xs[i] - mu) * inv;
                hs[i] = h;
                ys[i] = self.weight[c] * h + self.bias[c];
            }
            (mean[c], var[c], inv_std[c]) = (mu, v, inv);
        }
    }

    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, P> {
        &cache.output
    }

    fn backward<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        self.gradients(cache, dy, grads, store, Some(dx));
    }

    fn backward_params<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.gradients(cache, dy, grads, store, None);
    }

    fn update_buffers<const B: usize>(&mut self, cache: &Self::Cache<B>) {
        let n = B * P::STEPS;
        let mo = constant::<T>(self.momentum);
        let keep = T::one() - mo;
        for c in 0..C {
            self.running_mean[c] = keep * self.running_mean[c] + mo * cache.mean[c];
            if n > 1 {
                let unbiased = cache.var[c] * T::from_count(n) / T::from_count(n - 1);
                self.running_var[c] = keep * self.running_var[c] + mo * unbiased;
            }
        }
        self.num_batches_tracked[0] = self.num_batches_tracked[0] + T::one();
    }
}

impl<T: Real, const C: usize, P: Channels<C>> BatchNorm1d<T, C, P> {
    fn gradients<const B: usize>(
        &self,
        cache: &BatchNormCache<T, B, P, C>,
        dy: &BatchOf<T, B, P>,
        grads: &mut Self,
        store: Grads,
        dx: Option<&mut BatchOf<T, B, P>>,
    ) {
        let (hs, dys) = (P::batch_slice(&cache.normalized), P::batch_slice(dy));
        let m = T::from_count((B * P::STEPS).max(1));
        let mut dxs = dx.map(|d| P::batch_slice_mut(d));
        for c in 0..C {
            let (sum_dy, sum_dy_h) = channel::<T, C>(hs, P::STEPS, c)
                .fold((T::zero(), T::zero()), |(a, b), i| {
                    (a + dys[i], b + dys[i] * hs[i])
                });
            match store {
                Grads::Overwrite => {
                    grads.weight[c] = sum_dy_h;
                    grads.bias[c] = sum_dy;
                }
                Grads::Accumulate => {
                    grads.weight[c] = grads.weight[c] + sum_dy_h;
                    grads.bias[c] = grads.bias[c] + sum_dy;
                }
            }
            if let Some(dxs) = dxs.as_deref_mut() {
                let k = self.weight[c] * cache.inv_std[c];
                let (mean_dy, mean_dy_h) = (sum_dy / m, sum_dy_h / m);
                for i in channel::<T, C>(hs, P::STEPS, c) {
                    dxs[i] = k * (dys[i] - mean_dy - hs[i] * mean_dy_h);
                }
            }
        }
    }
}
