//! One description of a 2-D window — its kernel, its stride and its padding, each per axis —
//! for every layer that slides one over rows × columns: [`Conv2d`](crate::nn::Conv2d),
//! [`DepthwiseConv2d`](crate::nn::DepthwiseConv2d), [`MaxPool2d`](crate::nn::MaxPool2d),
//! [`AvgPool2d`](crate::nn::AvgPool2d) and their int8 forms.
//!
//! Written with named types, so a reader sees which number is which:
//! `Conv2d<f32, 1, 64, Kernel<10, 4>, Stride<2>, Same>` is a 10 × 4 kernel (rows × columns)
//! moved 2 along both axes with TFLite's `SAME` padding; `Kernel<3>` is 3 × 3, `Stride<2, 1>`
//! is 2 along the rows and 1 along the columns, `Pad<1>` one zero on every side.
//!
//! Along an axis of `L` positions, a window of `K` taps with stride `S` gives
//! - with `Pad<P>` (zeros on both sides): `(L + 2P − K) / S + 1` positions (PyTorch's rule);
//! - with [`Same`]: `⌈L / S⌉` positions, padded by `max(0, (⌈L/S⌉ − 1)·S + K − L)` zeros, half
//!   (rounded down) before and the rest after (TensorFlow's rule).

use core::ops::{Add, Div, Sub};
use typenum::{Const, Max, Maximum, NonZero, Quot, Sum, ToUInt, U, U1};

use super::{Fits, Known, Plane, Size, ToSize, Window};
use crate::Scalar;

/// A kernel of `H` rows × `W` columns (`Kernel<3>` is 3 × 3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kernel<const H: usize, const W: usize = H>;

/// A 1-D kernel of `K` taps: the `1 × K` window of [`Conv1d`](crate::nn::Conv1d) and the 1-D
/// pools, its taps one row (`[T; K]`, a filter `[in][k]` as PyTorch's `Conv1d` stores it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Kernel1d<const K: usize>;

/// A stride of `H` rows and `W` columns (`Stride<2>` moves 2 along both axes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Stride<const H: usize, const W: usize = H>;

/// `H` zeros above and below, `W` left and right (`Pad<0>`, the default, pads nothing: TFLite's
/// `VALID`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Pad<const H: usize, const W: usize = H>;

/// TensorFlow's `SAME` padding: `⌈L / S⌉` outputs along each axis, the input padded with as
/// many zeros as that takes, the odd one at the end.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Same;

/// The size of a kernel: [`Kernel<H, W>`], or [`Kernel1d<K>`] (one row of `K`).
pub trait KernelSize: Send + Sync + 'static {
    /// `true` for [`Kernel1d`]: a filter is one row (`[T; K]`, weights `[out, in, k]`).
    const ONE_ROW: bool = false;
    /// Rows.
    const H: usize;
    /// Columns.
    const W: usize;
    /// The rows as a type.
    type Rows;
    /// The columns as a type.
    type Cols;
    /// One filter's taps, `[[T; W]; H]`.
    type Taps<T: Scalar>: Copy + core::fmt::Debug + PartialEq + Send + Sync;

    /// Every tap `v`.
    fn taps<T: Scalar>(v: T) -> Self::Taps<T>;
    /// Filters as one slice, row-major.
    fn flat<T: Scalar>(taps: &[Self::Taps<T>]) -> &[T];
    /// Filters as one mutable slice, row-major.
    fn flat_mut<T: Scalar>(taps: &mut [Self::Taps<T>]) -> &mut [T];
}

impl<const H: usize, const W: usize> KernelSize for Kernel<H, W> {
    const H: usize = H;
    const W: usize = W;
    type Rows = Size<H>;
    type Cols = Size<W>;
    type Taps<T: Scalar> = [[T; W]; H];

    fn taps<T: Scalar>(v: T) -> [[T; W]; H] {
        [[v; W]; H]
    }

    fn flat<T: Scalar>(taps: &[[[T; W]; H]]) -> &[T] {
        taps.as_flattened().as_flattened()
    }

    fn flat_mut<T: Scalar>(taps: &mut [[[T; W]; H]]) -> &mut [T] {
        taps.as_flattened_mut().as_flattened_mut()
    }
}

impl<const K: usize> KernelSize for Kernel1d<K> {
    const ONE_ROW: bool = true;
    const H: usize = 1;
    const W: usize = K;
    type Rows = Size<1>;
    type Cols = Size<K>;
    type Taps<T: Scalar> = [T; K];

    fn taps<T: Scalar>(v: T) -> [T; K] {
        [v; K]
    }

    fn flat<T: Scalar>(taps: &[[T; K]]) -> &[T] {
        taps.as_flattened()
    }

    fn flat_mut<T: Scalar>(taps: &mut [[T; K]]) -> &mut [T] {
        taps.as_flattened_mut()
    }
}

/// The stride of a window: [`Stride<H, W>`], or a [`Kernel`] (pooling's default: windows side
/// by side).
pub trait Strides: Send + Sync + 'static {
    /// Along the rows.
    const H: usize;
    /// Along the columns.
    const W: usize;
    /// The row stride as a type.
    type Rows;
    /// The column stride as a type.
    type Cols;
}

impl<const H: usize, const W: usize> Strides for Stride<H, W> {
    const H: usize = H;
    const W: usize = W;
    type Rows = Size<H>;
    type Cols = Size<W>;
}

/// A pooling window moves by its own size unless told otherwise.
impl<const H: usize, const W: usize> Strides for Kernel<H, W> {
    const H: usize = H;
    const W: usize = W;
    type Rows = Size<H>;
    type Cols = Size<W>;
}

/// A 1-D pooling window moves by its own length unless told otherwise.
impl<const K: usize> Strides for Kernel1d<K> {
    const H: usize = 1;
    const W: usize = K;
    type Rows = Size<1>;
    type Cols = Size<K>;
}

/// The padding of a window: [`Pad<H, W>`] or [`Same`].
pub trait Padding: Send + Sync + 'static {
    /// `true` for [`Same`].
    const SAME: bool;
    /// Explicit zeros above (and below) — 0 for `Same`, whose padding depends on the input.
    const H: usize;
    /// Explicit zeros left (and right).
    const W: usize;
    /// The row padding as a type: `Size<H>` or `Same`.
    type Rows;
    /// The column padding as a type.
    type Cols;
}

impl<const H: usize, const W: usize> Padding for Pad<H, W> {
    const SAME: bool = false;
    const H: usize = H;
    const W: usize = W;
    type Rows = Size<H>;
    type Cols = Size<W>;
}

impl Padding for Same {
    const SAME: bool = true;
    const H: usize = 0;
    const W: usize = 0;
    type Rows = Same;
    type Cols = Same;
}

/// The padding a pool takes: none ([`Pad<0>`]) or TensorFlow's [`Same`] (TFLite's pools have
/// no explicit padding; a `SAME` window leaves the padding out of its maximum or mean).
#[diagnostic::on_unimplemented(
    message = "a pool pads with `Same` or not at all, not with `{Self}`",
    label = "pooling padding",
    note = "write `Same` (TensorFlow's `SAME`) or leave the padding out"
)]
pub trait PoolPadding: Padding {}

impl PoolPadding for Pad<0, 0> {}
impl PoolPadding for Same {}

/// The positions a window of `K` taps (a `Size`) with stride `S` (a `Size`) and padding `P`
/// (`Size<p>` or [`Same`]) takes along an axis of `Self` positions, as a `Size`. Defined for
/// every window (a window that does not fit gives 1; [`FitsAlong`] does not hold).
pub trait Along<K, S, P> {
    /// The number of output positions.
    type Output: Known;
}

#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize, const P: usize>
    Along<Size<K>, Size<S>, Size<P>> for Size<L>
where
    Size<L>: Window<K, S, P>,
{
    type Output = <Size<L> as Window<K, S, P>>::Output;
}

/// `⌈L / max(S, 1)⌉` (at least 1).
#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize> Along<Size<K>, Size<S>, Same> for Size<L>
where
    Const<L>: ToUInt,
    Const<S>: ToUInt,
    U<S>: Max<U1>,
    U<L>: Max<U1>,
    Maximum<U<L>, U1>: Add<Maximum<U<S>, U1>>,
    Sum<Maximum<U<L>, U1>, Maximum<U<S>, U1>>: Sub<U1>,
    <Sum<Maximum<U<L>, U1>, Maximum<U<S>, U1>> as Sub<U1>>::Output: Div<Maximum<U<S>, U1>>,
    Quot<<Sum<Maximum<U<L>, U1>, Maximum<U<S>, U1>> as Sub<U1>>::Output, Maximum<U<S>, U1>>: ToSize,
{
    type Output = <Quot<
        <Sum<Maximum<U<L>, U1>, Maximum<U<S>, U1>> as Sub<U1>>::Output,
        Maximum<U<S>, U1>,
    > as ToSize>::Size;
}

/// The window fits its axis: for explicit padding `1 ≤ K ≤ L + 2P` and `S ≥ 1` ([`Fits`]),
/// for `Same` `K ≥ 1` and `S ≥ 1`. Layers require it to run.
#[diagnostic::on_unimplemented(
    message = "this window does not fit its input",
    label = "window larger than its padded input",
    note = "a window of K taps over L positions padded by P needs 1 ≤ K ≤ L + 2·P and a \
            stride of at least 1"
)]
pub trait FitsAlong<K, S, P> {}

#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize, const P: usize>
    FitsAlong<Size<K>, Size<S>, Size<P>> for Size<L>
where
    Size<L>: Fits<K, S, P>,
{
}

#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize> FitsAlong<Size<K>, Size<S>, Same> for Size<L>
where
    Const<K>: ToUInt,
    Const<S>: ToUInt,
    U<K>: NonZero,
    U<S>: NonZero,
{
}

/// The rows a window `K`, `S`, `P` gives over `H` rows.
pub type RowsOut<const H: usize, K, S, P> =
    <Size<H> as Along<<K as KernelSize>::Rows, <S as Strides>::Rows, <P as Padding>::Rows>>::Output;

/// The columns a window `K`, `S`, `P` gives over `W` columns.
pub type ColsOut<const W: usize, K, S, P> =
    <Size<W> as Along<<K as KernelSize>::Cols, <S as Strides>::Cols, <P as Padding>::Cols>>::Output;

/// `C` channels of the rows × columns the window `K`, `S`, `P` gives over `H × W`: the output
/// port of a 2-D convolution or pooling layer.
pub type Windowed2<const C: usize, const H: usize, const W: usize, K, S, P> =
    <RowsOut<H, K, S, P> as Known>::ImageOf<C, ColsOut<W, K, S, P>>;

/// Along the rows of `Self` (a `Size`), the window `K`, `S`, `P` gives [`Along::Output`]
/// positions. A bound layers write as `Size<H>: SlideRows<K, S, P>` (the `Along` it stands for
/// comes with it).
pub trait SlideRows<K: KernelSize, S: Strides, P: Padding>:
    Along<K::Rows, S::Rows, P::Rows>
{
}

impl<L, K: KernelSize, S: Strides, P: Padding> SlideRows<K, S, P> for L where
    L: Along<K::Rows, S::Rows, P::Rows>
{
}

/// The rows the window `K`, `S`, `P` gives over the [`Plane`] `X`.
pub type PlaneRows<X, K, S, P> = <<X as Plane>::Rows as Along<
    <K as KernelSize>::Rows,
    <S as Strides>::Rows,
    <P as Padding>::Rows,
>>::Output;

/// The columns the window `K`, `S`, `P` gives over the [`Plane`] `X`.
pub type PlaneCols<X, K, S, P> = <<X as Plane>::Cols as Along<
    <K as KernelSize>::Cols,
    <S as Strides>::Cols,
    <P as Padding>::Cols,
>>::Output;

/// `O` channels of what the window `K`, `S`, `P` gives over the [`Plane`] `X` (its own
/// kind: an image, or a signal of one row): a convolution's output port.
pub type Slid<X, const O: usize, K, S, P> =
    <X as Plane>::Remade<O, PlaneRows<X, K, S, P>, PlaneCols<X, K, S, P>>;

/// `X`'s channels over what the window `K`, `S`, `P` gives: a pool's output port.
pub type Pooled<X, K, S, P> = <X as Plane>::Kept<PlaneRows<X, K, S, P>, PlaneCols<X, K, S, P>>;

/// [`SlideRows`] along the columns.
pub trait SlideCols<K: KernelSize, S: Strides, P: Padding>:
    Along<K::Cols, S::Cols, P::Cols>
{
}

impl<L, K: KernelSize, S: Strides, P: Padding> SlideCols<K, S, P> for L where
    L: Along<K::Cols, S::Cols, P::Cols>
{
}

/// [`SlideRows`], and the window fits the rows ([`FitsAlong`]): what a layer needs to run.
pub trait FitRows<K: KernelSize, S: Strides, P: Padding>:
    SlideRows<K, S, P> + FitsAlong<K::Rows, S::Rows, P::Rows>
{
}

impl<L, K: KernelSize, S: Strides, P: Padding> FitRows<K, S, P> for L where
    L: SlideRows<K, S, P> + FitsAlong<K::Rows, S::Rows, P::Rows>
{
}

/// [`FitRows`] along the columns.
pub trait FitCols<K: KernelSize, S: Strides, P: Padding>:
    SlideCols<K, S, P> + FitsAlong<K::Cols, S::Cols, P::Cols>
{
}

impl<L, K: KernelSize, S: Strides, P: Padding> FitCols<K, S, P> for L where
    L: SlideCols<K, S, P> + FitsAlong<K::Cols, S::Cols, P::Cols>
{
}

/// The zeros before the first position of an axis of `length` positions from which a window
/// of `kernel` taps and `stride` gives `out` positions: `pad` if explicit, for `SAME` half of
/// `max(0, (out − 1)·stride + kernel − length)`, rounded down (the rest goes after the last).
pub const fn pad_before(
    same: bool,
    pad: usize,
    length: usize,
    kernel: usize,
    stride: usize,
    out: usize,
) -> usize {
    crate::kernels::pad_before(same, pad, length, kernel, stride, out)
}

/// The window `K`, `S`, `P` as the numbers the kernels take.
pub(crate) const fn spec<K: KernelSize, S: Strides, P: Padding>() -> crate::kernels::WindowSpec {
    crate::kernels::WindowSpec {
        kernel: [K::H, K::W],
        stride: [S::H, S::W],
        pad: [P::H, P::W],
        same: P::SAME,
    }
}

/// A zero-sized mention of the types `A` (a window's, a port's) in a layer that holds no value
/// of them: `PhantomData<fn() -> A>`, so the layer is `Send`, `Sync` and `Copy` whatever `A` is.
pub type Types<A> = core::marker::PhantomData<fn() -> A>;
