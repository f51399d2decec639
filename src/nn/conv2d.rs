//! [`Conv2d`] and [`DepthwiseConv2d`]: 2-D convolutions over channels × rows × columns
//! (PyTorch's `nn.Conv2d`, dilation 1, one group or one group per channel), their window —
//! kernel, stride and padding per axis ([`shape::window`](crate::shape::window)) — and
//! output size in the type.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::kernels::{self, Window2d};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, Place, ScalarOf, Shape, TensorSpec, Unplaced};
use crate::shape::window::Kernel1d;
use crate::shape::window::{
    FitCols, FitRows, KernelSize, Padding, Slid, SlideCols, SlideRows, Strides,
};
use crate::shape::{BatchOf, Image, Pad, Planar, Plane, Port, Signal, Stride, VectorOf};
use crate::{Real, Scalar, Vector};

/// The walks of [`Parameters`] for a layer whose tensors are a `weight` (seen through its
/// `weight_slice` / `weight_slice_mut` methods) and a `bias` vector, in that order.
macro_rules! weight_bias_walks {
    ($t:ident) => {
        fn visit(&self, f: &mut impl FnMut(&[$t])) {
            f(self.weight_slice());
            f(self.bias.as_slice());
        }

        fn visit_mut(&mut self, f: &mut impl FnMut(&mut [$t])) {
            f(self.weight_slice_mut());
            f(self.bias.as_mut_slice());
        }

        fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[$t], &[$t])) {
            f(self.weight_slice(), other.weight_slice());
            f(self.bias.as_slice(), other.bias.as_slice());
        }

        fn walk<const N: usize>(
            &mut self,
            grads: &Self,
            mut state: [&mut Self; N],
            f: &mut impl FnMut(&mut [$t], &[$t], [&mut [$t]; N]),
        ) {
            let weight = state.each_mut().map(|s| s.weight_slice_mut());
            f(self.weight_slice_mut(), grads.weight_slice(), weight);
            let bias = state.map(|s| s.bias.as_mut_slice());
            f(self.bias.as_mut_slice(), grads.bias.as_slice(), bias);
        }
    };
}

/// A 1-D convolution from `I` channels to `O` channels with a kernel of `K` steps, stride `S`
/// (default 1) and `P` zeros of padding on each side (default 0): the `1 × K` [`Conv2d`]
/// over a signal's one row,
///
/// `y[o][t] = bias[o] + Σ_c Σ_k weight[o][c][k] · x[c][t·S + k − P]`
///
/// over `L` input steps, giving `(L + 2P − K) / S + 1` output steps. Listed in a network as
/// `Conv1d<f32, 6, 16, 5>` after a layer with `Signal<6, L>` outputs (or
/// [`Input<Signal<6, L>>`](crate::nn::Input)); its output length is computed by the type
/// system, so the `Flatten`/`Dense` after it must take exactly what it gives, and a kernel
/// longer than its padded input is reported where the network is written.
///
/// The weight is laid out as PyTorch's (`weight [out, in, k]`, NCL inputs), so weights move
/// between the two unchanged. Gradients: `∂L/∂weight[o][c][k] = Σ_t ∂L/∂y[o][t] · x[c][t·S +
/// k − P]`, `∂L/∂bias[o] = Σ_t ∂L/∂y[o][t]`, `∂L/∂x[c][j] = Σ ∂L/∂y[o][t] · weight[o][c][k]`
/// over the `(o, t, k)` with `t·S + k − P = j`. No activation: put one after it (`Relu`).
/// The 2-D layer runs it with register-blocked 1-D kernels.
pub type Conv1d<
    T,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize = 1,
    const P: usize = 0,
    At = Unplaced,
> = Conv2d<T, I, O, Kernel1d<K>, Stride<1, S>, Pad<0, P>, At>;

/// A 2-D convolution from `I` channels to `O` channels with a kernel `K`
/// ([`Kernel<H, W>`](crate::shape::Kernel)), stride `S` (default `Stride<1>`) and padding `P`
/// (default `Pad<0>`; [`Same`](crate::shape::Same) for TensorFlow's):
///
/// `y[o][i][j] = bias[o] + Σ_c Σ_ky Σ_kx weight[o][c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`
///
/// (zeros outside the input). Listed as `Conv2d<f32, 1, 8, Kernel<3>>` after `Image<1, H, W>`
/// outputs (or [`Input`](crate::nn::Input)); `Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>,
/// Same>` is DS-CNN's first layer. Placed, its last parameter is its input port. A kernel
/// larger than its padded input is reported by `network!` where the network is written.
///
/// Weight laid out as PyTorch's (`weight [out, in, kh, kw]`, NCHW inputs). Gradients:
/// `∂L/∂weight[o][c][ky][kx] = Σ_ij ∂L/∂y[o][i][j] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`,
/// `∂L/∂bias[o] = Σ_ij ∂L/∂y[o][i][j]`, `∂L/∂x` the transposed convolution of `∂L/∂y`. No
/// activation: put one after it.
///
/// `G` says how channels connect: [`Full`] (every input to every output) here,
/// [`Depthwise`] for [`DepthwiseConv2d`].
pub struct Conv2d<
    T: Scalar,
    const I: usize,
    const O: usize,
    K: KernelSize,
    S = Stride<1>,
    P = Pad<0>,
    At = Unplaced,
    G: Connect = Full,
> {
    /// `weight[o][c][ky][kx]` (PyTorch's `[out, in, kh, kw]`; `[channels, 1, kh, kw]` for a
    /// depthwise convolution).
    pub weight: G::Weight<T, K, I, O>,
    /// One bias per output channel.
    pub bias: Vector<T, O>,
    at: crate::shape::window::Types<(S, P, At)>,
}

/// A depthwise convolution (TFLite's `DEPTHWISE_CONV_2D` with channel multiplier 1, PyTorch's
/// `nn.Conv2d(C, C, k, groups=C)`): one `K` filter per channel, no mixing between channels,
///
/// `y[c][i][j] = bias[c] + Σ_ky Σ_kx weight[c][ky][kx] · x[c][i·Sh + ky − Ph][j·Sw + kx − Pw]`.
///
/// The first half of MobileNet's and DS-CNN's depthwise-separable blocks (a 1 × 1 [`Conv2d`]
/// is the second). Listed as `DepthwiseConv2d<f32, 64, Kernel<3>, Stride<1>, Same>`.
/// Gradients as [`Conv2d`]'s, channel by channel.
pub type DepthwiseConv2d<T, const C: usize, K, S = Stride<1>, P = Pad<0>, At = Unplaced> =
    Conv2d<T, C, C, K, S, P, At, Depthwise>;

/// How a 2-D convolution connects input to output channels: its weight's type, its kernel.
pub trait Connect: Send + Sync + 'static {
    /// The weight of a convolution of kernel `K` from `I` to `O` channels.
    type Weight<T: Scalar, K: KernelSize, const I: usize, const O: usize>: Copy
        + core::fmt::Debug
        + PartialEq
        + Send
        + Sync;
    /// `true` for [`Depthwise`].
    const DEPTHWISE: bool;
    /// The layer's name in messages.
    const NAME: &'static str;
    /// Every weight `v`.
    fn weight<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        v: T,
    ) -> Self::Weight<T, K, I, O>;
    /// The weight as one slice, row-major.
    fn flat<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        w: &Self::Weight<T, K, I, O>,
    ) -> &[T];
    /// The weight as one mutable slice, row-major.
    fn flat_mut<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        w: &mut Self::Weight<T, K, I, O>,
    ) -> &mut [T];
}

/// Every input channel feeds every output channel: weight `[O][I][kh][kw]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Full;

/// Each channel has its own filter: weight `[C][kh][kw]` (`I = O = C`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Depthwise;

impl Connect for Full {
    type Weight<T: Scalar, K: KernelSize, const I: usize, const O: usize> = [[K::Taps<T>; I]; O];
    const DEPTHWISE: bool = false;
    const NAME: &'static str = "Conv2d";

    fn weight<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        v: T,
    ) -> [[K::Taps<T>; I]; O] {
        [[K::taps(v); I]; O]
    }

    fn flat<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        w: &[[K::Taps<T>; I]; O],
    ) -> &[T] {
        K::flat(w.as_flattened())
    }

    fn flat_mut<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        w: &mut [[K::Taps<T>; I]; O],
    ) -> &mut [T] {
        K::flat_mut(w.as_flattened_mut())
    }
}

impl Connect for Depthwise {
    type Weight<T: Scalar, K: KernelSize, const I: usize, const O: usize> = [K::Taps<T>; O];
    const DEPTHWISE: bool = true;
    const NAME: &'static str = "DepthwiseConv2d";

    fn weight<T: Scalar, K: KernelSize, const I: usize, const O: usize>(v: T) -> [K::Taps<T>; O] {
        [K::taps(v); O]
    }

    fn flat<T: Scalar, K: KernelSize, const I: usize, const O: usize>(w: &[K::Taps<T>; O]) -> &[T] {
        K::flat(w)
    }

    fn flat_mut<T: Scalar, K: KernelSize, const I: usize, const O: usize>(
        w: &mut [K::Taps<T>; O],
    ) -> &mut [T] {
        K::flat_mut(w)
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect>
    Conv2d<T, I, O, K, S, P, At, G>
{
    /// Input channels feeding one output channel.
    const FAN: usize = if G::DEPTHWISE { 1 } else { I };

    /// A convolution with the given weight (`[out][in][kh][kw]`, or `[channels][kh][kw]`
    /// depthwise) and bias.
    pub const fn new(weight: G::Weight<T, K, I, O>, bias: Vector<T, O>) -> Self {
        Self {
            weight,
            bias,
            at: PhantomData,
        }
    }

    /// The weight as one slice, `[out, in, kh, kw]` row-major.
    pub fn weight_slice(&self) -> &[T] {
        G::flat::<T, K, I, O>(&self.weight)
    }

    /// The weight as one mutable slice.
    pub fn weight_slice_mut(&mut self) -> &mut [T] {
        G::flat_mut::<T, K, I, O>(&mut self.weight)
    }

    /// The weights of output channel `o` (`in · kh · kw` values, `kh · kw` depthwise).
    pub fn filter_mut(&mut self, o: usize) -> &mut [T] {
        let n = Self::FAN * K::H * K::W;
        &mut self.weight_slice_mut()[o * n..(o + 1) * n]
    }

    /// The same weights at another place in a network.
    pub const fn placed<At2>(self) -> Conv2d<T, I, O, K, S, P, At2, G> {
        Conv2d::new(self.weight, self.bias)
    }

    /// The tensors' shapes: `weight [O, I, kh, kw]` (`[C, 1, kh, kw]` depthwise; `[O, I, k]`
    /// for a [`Kernel1d`]), `bias [O]`.
    fn spec(k: usize) -> Option<TensorSpec> {
        match k {
            0 if K::ONE_ROW => Some(TensorSpec::parameter("weight", &[O, Self::FAN, K::W])),
            0 => Some(TensorSpec::parameter("weight", &[O, Self::FAN, K::H, K::W])),
            1 => Some(TensorSpec::parameter("bias", &[O])),
            _ => None,
        }
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Clone
    for Conv2d<T, I, O, K, S, P, At, G>
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Copy
    for Conv2d<T, I, O, K, S, P, At, G>
{
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> PartialEq
    for Conv2d<T, I, O, K, S, P, At, G>
{
    fn eq(&self, other: &Self) -> bool {
        self.weight == other.weight && self.bias == other.bias
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect>
    core::fmt::Debug for Conv2d<T, I, O, K, S, P, At, G>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct(G::NAME)
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Default
    for Conv2d<T, I, O, K, S, P, At, G>
{
    fn default() -> Self {
        Self::new(G::weight::<T, K, I, O>(T::zero()), Vector::zeros())
    }
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> ScalarOf
    for Conv2d<T, I, O, K, S, P, At, G>
{
    type Scalar = T;
}

impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, At, G: Connect> Parameters<T>
    for Conv2d<T, I, O, K, S, P, At, G>
{
    const PARAMS: usize = O * Self::FAN * K::H * K::W + O;
    const TENSORS: usize = 2;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        Self::spec(k)
    }

    fn zeros_like(&self) -> Self {
        Self::default()
    }

    weight_bias_walks!(T);
}

/// Placed after `C` channels of `H × W`, the convolution takes `I` channels of `H × W`
/// (after another kind of port, a stand-in that the wiring check reports).
#[diagnostic::do_not_recommend]
/// Placed after `C` channels of rows × columns (an image, or a signal: one row), the
/// convolution takes `I` channels of them (the wiring check compares `C` with `I`); after
/// flat features, a stand-in that the check reports.
impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, In: Port> Place<In>
    for Conv2d<T, I, O, K, S, P, Unplaced, G>
where
    Conv2d<T, I, O, K, S, P, In::AsPlane<I>, G>: Shape,
{
    type Layer = Conv2d<T, I, O, K, S, P, In::AsPlane<I>, G>;
}

/// The output port of a convolution over `X`: [`Shape`] for each kind of plane (an impl per
/// kind, not one over every `X`, so that an unplaced convolution reads as "not placed").
macro_rules! conv_shape {
    ($($c:ident),* => $x:ty) => {
        impl<T, const I: usize, const O: usize, K, S, P, G, $(const $c: usize),*> Shape
            for Conv2d<T, I, O, K, S, P, $x, G>
        where
            T: Scalar,
            K: KernelSize,
            S: Strides,
            P: Padding,
            G: Connect,
            <$x as Plane>::Rows: SlideRows<K, S, P>,
            <$x as Plane>::Cols: SlideCols<K, S, P>,
        {
            type In = $x;
            type Out = Slid<$x, O, K, S, P>;
            const MISTAKE: Mistake = misfit2::<K, S, P, $x>();
        }
    };
}

conv_shape!(L => Signal<I, L>);
conv_shape!(H, W => Image<I, H, W>);

impl<T, const I: usize, const O: usize, K, S, P, G, X> Conv2d<T, I, O, K, S, P, X, G>
where
    T: Real,
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    X: Planar<I>,
    X::Rows: FitRows<K, S, P>,
    X::Cols: FitCols<K, S, P>,
{
    const WINDOW: Window2d = Window2d::of(
        crate::shape::window::spec::<K, S, P>(),
        I,
        O,
        X::HW,
        <Slid<X, O, K, S, P> as Plane>::HW,
    );
    /// On the microcontrollers, a convolution of one row runs in direct loops (the same bits).
    const ROW: Option<(usize, usize, kernels::Window1d)> = kernels::as_row(&Self::WINDOW);
    const SIZES: (usize, usize) = (X::N, <Slid<X, O, K, S, P> as Port>::N);

    /// Samples forward (`x` and `y` hold as many).
    fn run(&self, x: &[T], y: &mut [T]) {
        let (w, b) = (self.weight_slice(), self.bias.as_slice());
        let (n_in, n_out) = Self::SIZES;
        let samples = x.chunks_exact(n_in).zip(y.chunks_exact_mut(n_out));
        if let (Some((ci, co, row)), false) = (&Self::ROW, G::DEPTHWISE) {
            for (x, y) in samples {
                kernels::conv1d((*ci, *co, row), x, w, b, y);
            }
        } else if G::DEPTHWISE {
            kernels::vectorized(
                #[inline(always)]
                || {
                    for (x, y) in samples {
                        kernels::depthwise2d(&Self::WINDOW, x, w, b, y);
                    }
                },
            );
        } else {
            // The whole batch at once: the kernel makes its copies once.
            kernels::vectorized(
                #[inline(always)]
                || kernels::conv2d(&Self::WINDOW, x, w, b, y),
            );
        }
    }

    fn backward_samples<const B: usize>(
        &self,
        x: &BatchOf<T, B, X>,
        dy: &BatchOf<T, B, Slid<X, O, K, S, P>>,
        grads: &mut Self,
        store: Grads,
        mut dx: Option<&mut BatchOf<T, B, X>>,
    ) {
        if store == Grads::Overwrite {
            *grads = Self::default();
        }
        let (n_in, n_out) = Self::SIZES;
        let (xs, dys) = (
            X::batch_slice(x),
            <Slid<X, O, K, S, P> as Port>::batch_slice(dy),
        );
        let db = grads.bias.as_mut_slice();
        let dw = G::flat_mut::<T, K, I, O>(&mut grads.weight);
        let w = self.weight_slice();
        if let (Some((ci, co, row)), false) = (&Self::ROW, G::DEPTHWISE) {
            for s in 0..B {
                let dx_s = dx
                    .as_deref_mut()
                    .map(|dx| &mut X::batch_slice_mut(dx)[s * n_in..(s + 1) * n_in]);
                let (x_s, dy_s) = (
                    &xs[s * n_in..(s + 1) * n_in],
                    &dys[s * n_out..(s + 1) * n_out],
                );
                kernels::conv1d_backward((*ci, *co, row), x_s, w, dy_s, dw, db, dx_s);
            }
            return;
        }
        // The whole batch at once: the kernels make their copies once (the samples' terms are
        // added in the same order).
        let dx = dx.map(|dx| X::batch_slice_mut(dx));
        // The window named inside the closure, so its numbers are constants in the AVX2 build
        // (a captured reference would be read at run time there).
        kernels::vectorized(
            #[inline(always)]
            || {
                if G::DEPTHWISE {
                    kernels::depthwise2d_backward(&Self::WINDOW, xs, w, dys, dw, db, dx);
                } else {
                    kernels::conv2d_backward(&Self::WINDOW, xs, w, dys, dw, db, dx);
                }
            },
        );
    }
}

impl<T, const I: usize, const O: usize, K, S, P, G, X> Layer<T> for Conv2d<T, I, O, K, S, P, X, G>
where
    T: Real,
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    X: Planar<I>,
    X::Rows: FitRows<K, S, P>,
    X::Cols: FitCols<K, S, P>,
    Self: Shape<In = X, Out = Slid<X, O, K, S, P>>,
{
    type Cache<const B: usize> = BatchOf<T, B, Slid<X, O, K, S, P>>;

    /// Weights drawn with fan-in `in·kh·kw` and fan-out `out·kh·kw` (per group); biases zero.
    fn init(&mut self, rng: &mut Rng, init: Init) {
        let taps = K::H * K::W;
        let fan_out = if G::DEPTHWISE { 1 } else { O };
        for w in self.weight_slice_mut() {
            *w = init.sample(rng, Self::FAN * taps, fan_out * taps);
        }
        self.bias = Vector::zeros();
    }

    fn predict(&self, x: &VectorOf<T, X>) -> VectorOf<T, Self::Out> {
        let mut y = <Self::Out as Port>::sample(|_| T::zero());
        self.run(
            X::sample_slice(x),
            <Self::Out as Port>::sample_slice_mut(&mut y),
        );
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, X>, y: &mut Self::Cache<B>) {
        self.run(X::batch_slice(x), <Self::Out as Port>::batch_slice_mut(y));
    }

    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }

    fn backward<const B: usize>(
        &self,
        x: &BatchOf<T, B, X>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, X>,
    ) {
        self.backward_samples(x, dy, grads, store, Some(dx));
    }

    fn backward_params<const B: usize>(
        &self,
        x: &BatchOf<T, B, X>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.backward_samples(x, dy, grads, store, None);
    }
}

/// [`Shape::MISTAKE`] of the window `K`, `S`, `P` over the plane `X`: the rows, then the
/// columns (`SAME` fits any kernel of at least one tap). Over a signal (one row) the window
/// must keep the one row: one tap high, no rows of padding; its columns are steps.
pub(crate) const fn misfit2<K: KernelSize, S: Strides, P: Padding, X: Plane>() -> Mistake {
    let [h, w] = X::HW;
    let (ph, pw) = if P::SAME { (K::H, K::W) } else { (P::H, P::W) };
    if X::RANK == 2 {
        return Mistake::window(K::H + 2 * P::H, S::H, 1, 0, 3).or(Mistake::window(
            K::W,
            S::W,
            w,
            pw,
            0,
        ));
    }
    Mistake::window(K::H, S::H, h, ph, 1).or(Mistake::window(K::W, S::W, w, pw, 2))
}
