//! Sizes as types, and the sizes the type system computes.
//!
//! # Using this
//! Tensors take their sizes as plain `const` numbers: `Matrix<f32, 3, 4>`. Operations whose
//! output size is *computed* from their inputs — [`flatten`](crate::Matrix::flatten),
//! [`concat`](crate::Vector::concat), [`vstack`](crate::Matrix::vstack),
//! [`split`](crate::Vector::split) — do the arithmetic with [`typenum`] and map the result
//! back to a plain number, so `Matrix<f32, 3, 4>::flatten()` has the type `Vector<f32, 12>`
//! and a mismatch reads `expected Vector<f32, 10>, found Vector<f32, 12>`.
//!
//! Computed sizes cover every result in `0..=1024` (the numbers typenum names). Tensors that
//! are only *written* with a size, never computed, may have any size.
//!
//! # Implementing this
//! [`Size<N>`] is a zero-sized type standing for the number `N`. [`Times`], [`Plus`] and
//! [`Minus`] are implemented between `Size`s whose operands and result are in range; the
//! aliases [`ProdSize`], [`SumSize`] and [`DiffSize`] name their results. [`Known`] turns a
//! `Size<N>` back into the tensor types of that size.

mod size_table;
pub mod window;

pub use window::{Kernel, Kernel1d, Pad, Same, Stride, Windowed2};

use core::ops::{Add, Div, Mul, Sub};
use typenum::{Const, Diff, Max, Maximum, NonZero, Quot, Sum, ToUInt, U, U1};

use crate::tensor::{ImageBatch, Planes, SignalBatch};
use crate::{Batch, Matrix, Vector};

/// The number `N` as a type.
///
/// Used where a size must be a type: as the result of size arithmetic ([`ProdSize`],
/// [`SumSize`], [`DiffSize`]) and in bounds that compare sizes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Size<const N: usize>;

/// Maps a typenum number back to [`Size<N>`] (implemented for `U0 ..= U1024`).
#[diagnostic::on_unimplemented(
    message = "this computed size is larger than typegrad can name (results must be at most 1024)",
    label = "size out of range"
)]
pub trait ToSize {
    /// The [`Size<N>`] equal to `Self`.
    type Size: Known;
}

/// What flows between two layers: a flat [`Size<N>`] of features, or a
/// [`Signal<C, L>`](Signal) of `C` channels × `L` steps. A port says how many numbers one
/// sample has ([`N`](Port::N)) and which tensor types hold a sample and a batch.
///
/// Layers that do not care about the layout (activations, dropout) work on any port through
/// the slices; layers that do (convolutions, pooling, flatten) name the port they take.
pub trait Port: Send + Sync + 'static {
    /// The numbers in one sample.
    const N: usize;
    /// The number of dimensions of a sample: 1 for `Size<N>`, 2 for `Signal<C, L>`.
    const RANK: usize;
    /// The dimensions, outermost first, padded with 1: `[N, 1, 1]`, `[C, L, 1]`.
    const DIMS: [usize; 3];
    /// One sample: `Vector<T, N>` for `Size<N>`, `Matrix<T, C, L>` for `Signal<C, L>`.
    type Sample<T>: SampleData<T>;
    /// `B` samples (plain data: `Send` and `Sync` when the scalars are).
    type Batch<T: Send + Sync, const B: usize>: Send + Sync;
    /// What a 1-D layer of `C` input channels takes when placed after this port: `C`
    /// channels of this port's steps for a [`Signal`], a stand-in of one step otherwise (the
    /// network's wiring check then reports the mismatch of kinds).
    #[doc(hidden)]
    type AsSignal<const C: usize>: Port;
    /// What a windowed layer (convolution, pooling) of `C` input channels takes when placed
    /// after this port: `C` channels of this port's rows and columns for an [`Image`] or a
    /// [`Signal`] (one row), a stand-in image of 1 × 1 otherwise.
    #[doc(hidden)]
    type AsPlane<const C: usize>: Port;
    /// [`AsPlane`](Port::AsPlane) with this port's own channels (for pooling).
    #[doc(hidden)]
    type OwnPlane: Port;
    /// [`AsSignal`](Port::AsSignal) with this port's own channels (for pooling).
    #[doc(hidden)]
    type OwnSignal: Port;
    /// This port's channels as an image (global pooling over rows × columns), a stand-in
    /// for other kinds.
    #[doc(hidden)]
    type OwnImage: Port;

    /// Builds a sample from a function of the flat (row-major) index.
    fn sample<T, F: FnMut(usize) -> T>(f: F) -> Self::Sample<T>;
    /// Builds a batch from a function of (sample, flat index within the sample).
    fn batch<T: Send + Sync, const B: usize, F: FnMut(usize, usize) -> T>(
        f: F,
    ) -> Self::Batch<T, B>;
    /// A sample's numbers, row-major.
    fn sample_slice<T>(x: &Self::Sample<T>) -> &[T];
    /// A sample's numbers, row-major, mutable.
    fn sample_slice_mut<T>(x: &mut Self::Sample<T>) -> &mut [T];
    /// A batch's numbers: sample after sample, each row-major (`B·N` numbers).
    fn batch_slice<T: Send + Sync, const B: usize>(x: &Self::Batch<T, B>) -> &[T];
    /// A batch's numbers, mutable.
    fn batch_slice_mut<T: Send + Sync, const B: usize>(x: &mut Self::Batch<T, B>) -> &mut [T];
}

/// A [`Port`]'s sample as plain numbers: its values in typegrad's order (channel, then row,
/// then column) and its layout in a `.tflite` file.
pub trait SampleData<T>: Sized {
    /// Rows, columns, channels in a `.tflite` file (`[1, 1, N]` for flat features, `[1, L,
    /// C]` for `C` channels of `L` steps, `[H, W, C]` for an image).
    const NHWC: [usize; 3];
    /// Whether it is flat features (`[1, N]` in a `.tflite` file) rather than NHWC.
    const FLAT: bool = false;
    /// The sample of the same shape with numbers of type `U`.
    type Same<U>: SampleData<U>;
    /// The values in typegrad's order.
    fn data(&self) -> &[T];
    /// The values in typegrad's order, to write.
    fn data_mut(&mut self) -> &mut [T];
    /// The sample whose value `i` (typegrad's order) is `f(i)`.
    fn from_index(f: impl FnMut(usize) -> T) -> Self;
}

impl<T, const N: usize> SampleData<T> for Vector<T, N> {
    const NHWC: [usize; 3] = [1, 1, N];
    const FLAT: bool = true;
    type Same<U> = Vector<U, N>;
    fn data(&self) -> &[T] {
        self.as_slice()
    }
    fn data_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
    fn from_index(f: impl FnMut(usize) -> T) -> Self {
        Vector::from_fn(f)
    }
}

impl<T, const C: usize, const L: usize> SampleData<T> for Matrix<T, C, L> {
    const NHWC: [usize; 3] = [1, L, C];
    type Same<U> = Matrix<U, C, L>;
    fn data(&self) -> &[T] {
        self.as_slice()
    }
    fn data_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
    fn from_index(mut f: impl FnMut(usize) -> T) -> Self {
        Matrix::from_fn(|c, l| f(c * L + l))
    }
}

impl<T, const C: usize, const H: usize, const W: usize> SampleData<T> for Planes<T, C, H, W> {
    const NHWC: [usize; 3] = [H, W, C];
    type Same<U> = Planes<U, C, H, W>;
    fn data(&self) -> &[T] {
        self.as_slice()
    }
    fn data_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
    fn from_index(mut f: impl FnMut(usize) -> T) -> Self {
        Planes::from_fn(|c, y, x| f((c * H + y) * W + x))
    }
}

impl<const N: usize> Port for Size<N> {
    const N: usize = N;
    const RANK: usize = 1;
    const DIMS: [usize; 3] = [N, 1, 1];
    type Sample<T> = Vector<T, N>;
    type Batch<T: Send + Sync, const B: usize> = Batch<T, B, N>;
    type AsSignal<const C: usize> = Signal<C, 1>;
    type AsPlane<const C: usize> = Image<C, 1, 1>;
    type OwnPlane = Image<1, 1, 1>;
    type OwnSignal = Signal<1, 1>;
    type OwnImage = Image<1, 1, 1>;

    #[inline]
    fn sample<T, F: FnMut(usize) -> T>(f: F) -> Vector<T, N> {
        Vector::from_fn(f)
    }
    #[inline]
    fn batch<T: Send + Sync, const B: usize, F: FnMut(usize, usize) -> T>(f: F) -> Batch<T, B, N> {
        Batch::from_fn(f)
    }
    #[inline]
    fn sample_slice<T>(x: &Vector<T, N>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn sample_slice_mut<T>(x: &mut Vector<T, N>) -> &mut [T] {
        x.as_mut_slice()
    }
    #[inline]
    fn batch_slice<T: Send + Sync, const B: usize>(x: &Batch<T, B, N>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn batch_slice_mut<T: Send + Sync, const B: usize>(x: &mut Batch<T, B, N>) -> &mut [T] {
        x.as_mut_slice()
    }
}

/// `C` channels of `L` steps each (PyTorch's NCL layout for one sample): a port for 1-D
/// convolutions and pooling. A sample is a `Matrix<T, C, L>` (one row per channel), a batch a
/// [`SignalBatch<T, B, C, L>`](crate::tensor::SignalBatch); both store channel after channel,
/// so the flat index of step `l` of channel `c` is `c·L + l`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Signal<const C: usize, const L: usize>;

impl<const C: usize, const L: usize> Port for Signal<C, L> {
    const N: usize = C * L;
    const RANK: usize = 2;
    const DIMS: [usize; 3] = [C, L, 1];
    type Sample<T> = Matrix<T, C, L>;
    type Batch<T: Send + Sync, const B: usize> = SignalBatch<T, B, C, L>;
    type AsSignal<const C2: usize> = Signal<C2, L>;
    type AsPlane<const C2: usize> = Signal<C2, L>;
    type OwnPlane = Self;
    type OwnSignal = Self;
    type OwnImage = Image<C, 1, 1>;

    #[inline]
    fn sample<T, F: FnMut(usize) -> T>(mut f: F) -> Matrix<T, C, L> {
        Matrix::from_fn(|c, l| f(c * L + l))
    }
    #[inline]
    fn batch<T: Send + Sync, const B: usize, F: FnMut(usize, usize) -> T>(
        mut f: F,
    ) -> SignalBatch<T, B, C, L> {
        SignalBatch::from_fn(|s, c, l| f(s, c * L + l))
    }
    #[inline]
    fn sample_slice<T>(x: &Matrix<T, C, L>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn sample_slice_mut<T>(x: &mut Matrix<T, C, L>) -> &mut [T] {
        x.as_mut_slice()
    }
    #[inline]
    fn batch_slice<T: Send + Sync, const B: usize>(x: &SignalBatch<T, B, C, L>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn batch_slice_mut<T: Send + Sync, const B: usize>(
        x: &mut SignalBatch<T, B, C, L>,
    ) -> &mut [T] {
        x.as_mut_slice()
    }
}

/// `C` channels of `H × W` values (an image, NCHW): samples are
/// [`Planes<T, C, H, W>`](crate::tensor::Planes), batches
/// [`ImageBatch<T, B, C, H, W>`](crate::tensor::ImageBatch).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Image<const C: usize, const H: usize, const W: usize>;

impl<const C: usize, const H: usize, const W: usize> Port for Image<C, H, W> {
    const N: usize = C * H * W;
    const RANK: usize = 3;
    const DIMS: [usize; 3] = [C, H, W];
    type Sample<T> = Planes<T, C, H, W>;
    type Batch<T: Send + Sync, const B: usize> = ImageBatch<T, B, C, H, W>;
    type AsSignal<const C2: usize> = Signal<C2, 1>;
    type AsPlane<const C2: usize> = Image<C2, H, W>;
    type OwnPlane = Self;
    type OwnSignal = Signal<C, 1>;
    type OwnImage = Self;

    #[inline]
    fn sample<T, F: FnMut(usize) -> T>(mut f: F) -> Planes<T, C, H, W> {
        Planes::from_fn(|c, y, x| f((c * H + y) * W + x))
    }
    #[inline]
    fn batch<T: Send + Sync, const B: usize, F: FnMut(usize, usize) -> T>(
        mut f: F,
    ) -> ImageBatch<T, B, C, H, W> {
        ImageBatch::from_fn(|s, c, y, x| f(s, (c * H + y) * W + x))
    }
    #[inline]
    fn sample_slice<T>(x: &Planes<T, C, H, W>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn sample_slice_mut<T>(x: &mut Planes<T, C, H, W>) -> &mut [T] {
        x.as_mut_slice()
    }
    #[inline]
    fn batch_slice<T: Send + Sync, const B: usize>(x: &ImageBatch<T, B, C, H, W>) -> &[T] {
        x.as_slice()
    }
    #[inline]
    fn batch_slice_mut<T: Send + Sync, const B: usize>(
        x: &mut ImageBatch<T, B, C, H, W>,
    ) -> &mut [T] {
        x.as_mut_slice()
    }
}

/// A port a window slides over, as rows × columns: an [`Image<C, H, W>`](Image), or a
/// [`Signal<C, L>`](Signal) as one row of `L` columns (a 1-D layer is the `1 × K` case of
/// the 2-D one).
pub trait Plane: Port {
    /// Channels.
    const C: usize;
    /// Rows and columns: `[H, W]`, `[1, L]` for a signal.
    const HW: [usize; 2];
    /// The rows: `Size<H>`, `Size<1>` for a signal.
    type Rows: Known;
    /// The columns: `Size<W>`, `Size<L>`.
    type Cols: Known;
    /// `C2` channels of `R` rows × `Cl` columns, of this port's kind: an image, or a signal
    /// of `Cl` steps (a signal's row count stays 1; the layers' wiring check refuses windows
    /// that would change it).
    type Remade<const C2: usize, R: Known, Cl: Known>: Plane;
    /// [`Remade`](Plane::Remade) with this port's own channels.
    type Kept<R: Known, Cl: Known>: Plane;
}

/// A [`Plane`] of exactly `C` channels: what a convolution taking `C` channels is placed on.
pub trait Planar<const C: usize>: Plane {}

impl<const C: usize, const L: usize> Plane for Signal<C, L> {
    const C: usize = C;
    const HW: [usize; 2] = [1, L];
    type Rows = Size<1>;
    type Cols = Size<L>;
    type Remade<const C2: usize, R: Known, Cl: Known> = <Cl as Known>::Steps<C2>;
    type Kept<R: Known, Cl: Known> = <Cl as Known>::Steps<C>;
}

impl<const C: usize, const L: usize> Planar<C> for Signal<C, L> {}

impl<const C: usize, const H: usize, const W: usize> Plane for Image<C, H, W> {
    const C: usize = C;
    const HW: [usize; 2] = [H, W];
    type Rows = Size<H>;
    type Cols = Size<W>;
    type Remade<const C2: usize, R: Known, Cl: Known> = <R as Known>::ImageOf<C2, Cl>;
    type Kept<R: Known, Cl: Known> = <R as Known>::ImageOf<C, Cl>;
}

impl<const C: usize, const H: usize, const W: usize> Planar<C> for Image<C, H, W> {}

/// A [`Size<N>`] turned back into the tensor types of that size (its [`Port`] gives the
/// vector and batch types).
///
/// Implemented for every `Size<N>`; this is how a computed size becomes a tensor type.
pub trait Known: Port {
    /// `C` channels of this many steps: `Signal<C, N>` (what a convolution or pooling layer
    /// whose output length is computed gives).
    type Steps<const C: usize>: Plane;
    /// `C` channels of `H` rows of this many columns: `Image<C, H, N>`.
    type ImageRows<const C: usize, const H: usize>: Plane;
    /// `C` channels of this many rows of `Wd` columns: `Image<C, N, Wd's N>`.
    type ImageOf<const C: usize, Wd: Known>: Plane;

    /// `Matrix<T, N, C>`: `N` rows.
    type Rows<T, const C: usize>;
    /// `Matrix<T, R, N>`: `N` columns.
    type Cols<T, const R: usize>;

    /// Builds `Matrix<T, N, C>` from a function of (row, column).
    fn rows<T, const C: usize, F: FnMut(usize, usize) -> T>(f: F) -> Self::Rows<T, C>;
    /// Builds `Matrix<T, R, N>` from a function of (row, column).
    fn cols<T, const R: usize, F: FnMut(usize, usize) -> T>(f: F) -> Self::Cols<T, R>;
}

impl<const N: usize> Known for Size<N> {
    type Steps<const C: usize> = Signal<C, N>;
    type ImageRows<const C: usize, const H: usize> = Image<C, H, N>;
    type ImageOf<const C: usize, Wd: Known> = <Wd as Known>::ImageRows<C, N>;
    type Rows<T, const C: usize> = Matrix<T, N, C>;
    type Cols<T, const R: usize> = Matrix<T, R, N>;

    #[inline]
    fn rows<T, const C: usize, F: FnMut(usize, usize) -> T>(f: F) -> Matrix<T, N, C> {
        Matrix::from_fn(f)
    }
    #[inline]
    fn cols<T, const R: usize, F: FnMut(usize, usize) -> T>(f: F) -> Matrix<T, R, N> {
        Matrix::from_fn(f)
    }
}

/// `Size<A> × Size<B>`, computed with typenum and mapped back to a [`Size`].
#[diagnostic::on_unimplemented(
    message = "typegrad cannot compute `{Self} × {Rhs}`: computed sizes must be at most 1024",
    label = "size product out of range"
)]
pub trait Times<Rhs> {
    /// The product as a [`Size`].
    type Output: Known;
}

/// `Size<A> + Size<B>`, computed with typenum and mapped back to a [`Size`].
#[diagnostic::on_unimplemented(
    message = "typegrad cannot compute `{Self} + {Rhs}`: computed sizes must be at most 1024",
    label = "size sum out of range"
)]
pub trait Plus<Rhs> {
    /// The sum as a [`Size`].
    type Output: Known;
}

/// `Size<A> − Size<B>` for `A ≥ B`, computed with typenum and mapped back to a [`Size`].
#[diagnostic::on_unimplemented(
    message = "cannot take `{Rhs}` out of `{Self}`: the part must not be larger than the whole",
    label = "split larger than the tensor"
)]
pub trait Minus<Rhs> {
    /// The difference as a [`Size`].
    type Output: Known;
}

#[diagnostic::do_not_recommend]
impl<const A: usize, const B: usize> Times<Size<B>> for Size<A>
where
    Const<A>: ToUInt,
    Const<B>: ToUInt,
    U<A>: Mul<U<B>>,
    <U<A> as Mul<U<B>>>::Output: ToSize,
{
    type Output = <<U<A> as Mul<U<B>>>::Output as ToSize>::Size;
}

#[diagnostic::do_not_recommend]
impl<const A: usize, const B: usize> Plus<Size<B>> for Size<A>
where
    Const<A>: ToUInt,
    Const<B>: ToUInt,
    U<A>: Add<U<B>>,
    <U<A> as Add<U<B>>>::Output: ToSize,
{
    type Output = <<U<A> as Add<U<B>>>::Output as ToSize>::Size;
}

#[diagnostic::do_not_recommend]
impl<const A: usize, const B: usize> Minus<Size<B>> for Size<A>
where
    Const<A>: ToUInt,
    Const<B>: ToUInt,
    U<A>: Sub<U<B>>,
    <U<A> as Sub<U<B>>>::Output: ToSize,
{
    type Output = <<U<A> as Sub<U<B>>>::Output as ToSize>::Size;
}

/// `Self` and `S` are the same size (used to check that a reshape keeps the element count).
#[diagnostic::on_unimplemented(
    message = "the element counts differ: `{Self}` elements where `{S}` are expected",
    label = "a reshape must keep the number of elements"
)]
pub trait SameSize<S> {}

impl<const N: usize> SameSize<Size<N>> for Size<N> {}

/// How many positions a window of `K` steps takes in `Size<L>` with stride `S` after `P`
/// zeros on each side: `(L + 2P − K) / S + 1`, rounded down (PyTorch's `Conv1d`/`MaxPool1d`
/// output length, dilation 1), as a `Size` ([`Output`](Window::Output)).
///
/// Defined for every window, so that a network can be walked and a window that does not fit
/// reported in words where the network is written ([`Mistake::window`](crate::nn::wiring::Mistake::window)): where `K > L + 2P`
/// (or `S = 0`) it gives 1, and [`Fits`] does not hold — layers require it before they run.
/// Results must be at most 1024.
pub trait Window<const K: usize, const S: usize, const P: usize> {
    /// `Size<(max(L + 2P, K) − K) / max(S, 1) + 1>`.
    type Output: Known;
}

#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize, const P: usize> Window<K, S, P> for Size<L>
where
    Const<L>: ToUInt,
    Const<K>: ToUInt,
    Const<S>: ToUInt,
    Const<P>: ToUInt,
    U<P>: Add<U<P>>,
    U<L>: Add<Sum<U<P>, U<P>>>,
    Sum<U<L>, Sum<U<P>, U<P>>>: Max<U<K>>,
    Maximum<Sum<U<L>, Sum<U<P>, U<P>>>, U<K>>: Sub<U<K>>,
    U<S>: Max<U1>,
    Diff<Maximum<Sum<U<L>, Sum<U<P>, U<P>>>, U<K>>, U<K>>: Div<Maximum<U<S>, U1>>,
    Quot<Diff<Maximum<Sum<U<L>, Sum<U<P>, U<P>>>, U<K>>, U<K>>, Maximum<U<S>, U1>>: Add<U1>,
    Sum<Quot<Diff<Maximum<Sum<U<L>, Sum<U<P>, U<P>>>, U<K>>, U<K>>, Maximum<U<S>, U1>>, U1>: ToSize,
{
    type Output = <Sum<
        Quot<Diff<Maximum<Sum<U<L>, Sum<U<P>, U<P>>>, U<K>>, U<K>>, Maximum<U<S>, U1>>,
        U1,
    > as ToSize>::Size;
}

/// A window of `K` steps with stride `S` fits `Size<L>` padded by `P` on each side:
/// `1 ≤ K ≤ L + 2P` and `S ≥ 1`. Convolution and pooling layers require it to run.
#[diagnostic::on_unimplemented(
    message = "a window of {K} steps (stride {S}) does not fit `{Self}` padded by {P} on each side",
    label = "window larger than its padded input",
    note = "a convolution or pooling layer of kernel K over L steps padded by P needs \
            1 ≤ K ≤ L + 2·P and a stride of at least 1"
)]
pub trait Fits<const K: usize, const S: usize, const P: usize> {}

#[diagnostic::do_not_recommend]
impl<const L: usize, const K: usize, const S: usize, const P: usize> Fits<K, S, P> for Size<L>
where
    Const<L>: ToUInt,
    Const<K>: ToUInt,
    Const<S>: ToUInt,
    Const<P>: ToUInt,
    U<K>: NonZero,
    U<S>: NonZero,
    U<P>: Add<U<P>>,
    U<L>: Add<Sum<U<P>, U<P>>>,
    Sum<U<L>, Sum<U<P>, U<P>>>: Sub<U<K>>,
{
}

/// `C` channels of the length a window gives in `L` steps ([`Window`]): the output port of a
/// convolution or pooling layer.
pub type Windowed<const C: usize, const L: usize, const K: usize, const S: usize, const P: usize> =
    <<Size<L> as Window<K, S, P>>::Output as Known>::Steps<C>;

/// `Size<A·B>`: the product of two sizes.
pub type ProdSize<A, B> = <A as Times<B>>::Output;
/// `Size<A+B>`: the sum of two sizes.
pub type SumSize<A, B> = <A as Plus<B>>::Output;
/// `Size<A−B>`: the difference of two sizes.
pub type DiffSize<A, B> = <A as Minus<B>>::Output;

/// The type of one sample of the [`Port`] `S` (the vector type whose length is the
/// [`Size`] `S`).
pub type VectorOf<T, S> = <S as Port>::Sample<T>;
/// The batch type with `B` samples of the [`Port`] `S`.
pub type BatchOf<T, const B: usize, S> = <S as Port>::Batch<T, B>;
/// The matrix type with `S` rows and `C` columns.
pub type RowsOf<T, S, const C: usize> = <S as Known>::Rows<T, C>;
/// The matrix type with `R` rows and `S` columns.
pub type ColsOf<T, S, const R: usize> = <S as Known>::Cols<T, R>;
