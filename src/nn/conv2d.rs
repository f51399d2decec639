//! [`Conv2d`] and [`DepthwiseConv2d`]: 2-D convolutions over channels × rows × columns
//! (PyTorch's `nn.Conv2d`, dilation 1, one group or one group per channel), their window —
//! kernel, stride and padding per axis ([`shape::window`](crate::shape::window)) — and
//! output size in the type.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::kernels::{self, Window2d};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, Place, ScalarOf, Shape, TensorSpec, Unplaced};
use crate::shape::window::{FitCols, FitRows, KernelSize, Padding, SlideCols, SlideRows, Strides};
use crate::shape::{BatchOf, Image, Pad, Port, Stride, VectorOf, Windowed2};
use crate::tensor::{ImageBatch, Planes};
use crate::{Real, Scalar, Vector};

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

    /// The tensors' shapes: `weight [O, I, kh, kw]` (`[C, 1, kh, kw]` depthwise), `bias [O]`.
    fn spec(k: usize) -> Option<TensorSpec> {
        match k {
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

    super::conv::weight_bias_walks!(T);
}

/// Placed after `C` channels of `H × W`, the convolution takes `I` channels of `H × W`
/// (after another kind of port, a stand-in that the wiring check reports).
#[diagnostic::do_not_recommend]
impl<T: Scalar, const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, In: Port> Place<In>
    for Conv2d<T, I, O, K, S, P, Unplaced, G>
where
    Conv2d<T, I, O, K, S, P, In::AsImage<I>, G>: Shape,
{
    type Layer = Conv2d<T, I, O, K, S, P, In::AsImage<I>, G>;
}

impl<T, const I: usize, const O: usize, K, S, P, G, const H: usize, const W: usize> Shape
    for Conv2d<T, I, O, K, S, P, Image<I, H, W>, G>
where
    T: Scalar,
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    crate::shape::Size<H>: SlideRows<K, S, P>,
    crate::shape::Size<W>: SlideCols<K, S, P>,
{
    type In = Image<I, H, W>;
    type Out = Windowed2<O, H, W, K, S, P>;
    const MISTAKE: Mistake = misfit2::<K, S, P>(H, W);
}

impl<T, const I: usize, const O: usize, K, S, P, G, const H: usize, const W: usize>
    Conv2d<T, I, O, K, S, P, Image<I, H, W>, G>
where
    T: Real,
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    crate::shape::Size<H>: FitRows<K, S, P>,
    crate::shape::Size<W>: FitCols<K, S, P>,
{
    const WINDOW: Window2d = Window2d::of(
        crate::shape::window::spec::<K, S, P>(),
        I,
        O,
        [H, W],
        [
            <Windowed2<O, H, W, K, S, P> as Port>::DIMS[1],
            <Windowed2<O, H, W, K, S, P> as Port>::DIMS[2],
        ],
    );
    const SIZES: (usize, usize) = (I * H * W, <Windowed2<O, H, W, K, S, P> as Port>::N);

    /// One sample forward.
    fn run(&self, x: &[T], y: &mut [T]) {
        let (w, b) = (self.weight_slice(), self.bias.as_slice());
        if G::DEPTHWISE {
            kernels::depthwise2d(&Self::WINDOW, x, w, b, y);
        } else {
            kernels::conv2d(&Self::WINDOW, x, w, b, y);
        }
    }

    fn backward_samples<const B: usize>(
        &self,
        x: &ImageBatch<T, B, I, H, W>,
        dy: &BatchOf<T, B, Windowed2<O, H, W, K, S, P>>,
        grads: &mut Self,
        store: Grads,
        mut dx: Option<&mut ImageBatch<T, B, I, H, W>>,
    ) {
        if store == Grads::Overwrite {
            *grads = Self::default();
        }
        let (n_in, n_out) = Self::SIZES;
        let (xs, dys) = (
            x.as_slice(),
            <Windowed2<O, H, W, K, S, P> as Port>::batch_slice(dy),
        );
        let db = grads.bias.as_mut_slice();
        let dw = G::flat_mut::<T, K, I, O>(&mut grads.weight);
        let backward = if G::DEPTHWISE {
            kernels::depthwise2d_backward::<T>
        } else {
            kernels::conv2d_backward::<T>
        };
        for s in 0..B {
            let dx_s = dx
                .as_deref_mut()
                .map(|dx| &mut dx.as_mut_slice()[s * n_in..(s + 1) * n_in]);
            backward(
                &Self::WINDOW,
                &xs[s * n_in..(s + 1) * n_in],
                self.weight_slice(),
                &dys[s * n_out..(s + 1) * n_out],
                dw,
                db,
                dx_s,
            );
        }
    }
}

impl<T, const I: usize, const O: usize, K, S, P, G, const H: usize, const W: usize> Layer<T>
    for Conv2d<T, I, O, K, S, P, Image<I, H, W>, G>
where
    T: Real,
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    crate::shape::Size<H>: FitRows<K, S, P>,
    crate::shape::Size<W>: FitCols<K, S, P>,
{
    type Cache<const B: usize> = BatchOf<T, B, Windowed2<O, H, W, K, S, P>>;

    /// Weights drawn with fan-in `in·kh·kw` and fan-out `out·kh·kw` (per group); biases zero.
    fn init(&mut self, rng: &mut Rng, init: Init) {
        let taps = K::H * K::W;
        let fan_out = if G::DEPTHWISE { 1 } else { O };
        for w in self.weight_slice_mut() {
            *w = init.sample(rng, Self::FAN * taps, fan_out * taps);
        }
        self.bias = Vector::zeros();
    }

    fn predict(&self, x: &Planes<T, I, H, W>) -> VectorOf<T, Self::Out> {
        let mut y = <Self::Out as Port>::sample(|_| T::zero());
        self.run(x.as_slice(), <Self::Out as Port>::sample_slice_mut(&mut y));
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }

    fn forward_train<const B: usize>(&self, x: &ImageBatch<T, B, I, H, W>, y: &mut Self::Cache<B>) {
        let (n_in, n_out) = Self::SIZES;
        let (xs, ys) = (x.as_slice(), <Self::Out as Port>::batch_slice_mut(y));
        for s in 0..B {
            self.run(
                &xs[s * n_in..(s + 1) * n_in],
                &mut ys[s * n_out..(s + 1) * n_out],
            );
        }
    }

    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }

    fn backward<const B: usize>(
        &self,
        x: &ImageBatch<T, B, I, H, W>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
        dx: &mut ImageBatch<T, B, I, H, W>,
    ) {
        self.backward_samples(x, dy, grads, store, Some(dx));
    }

    fn backward_params<const B: usize>(
        &self,
        x: &ImageBatch<T, B, I, H, W>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.backward_samples(x, dy, grads, store, None);
    }
}

/// [`Shape::MISTAKE`] of the window `K`, `S`, `P` over `H × W`: the rows, then the columns
/// (`SAME` fits any kernel of at least one tap).
pub(crate) const fn misfit2<K: KernelSize, S: Strides, P: Padding>(h: usize, w: usize) -> Mistake {
    let (ph, pw) = if P::SAME { (K::H, K::W) } else { (P::H, P::W) };
    Mistake::window(K::H, S::H, h, ph, 1).or(Mistake::window(K::W, S::W, w, pw, 2))
}
