//! [`Flatten`]: channels × steps into flat features, with the count computed by the type
//! system.

use core::marker::PhantomData;

use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, NoParameters, Place, Shape};
use crate::shape::{BatchOf, Image, Port, Signal, Size, Times, VectorOf};
use crate::tensor::{ImageBatch, Planes, SignalBatch};
use crate::{Matrix, Real};

/// What a layer that takes whatever comes is before a network places it (see
/// [`Place`]): `Flatten` is `Flatten<Unplaced>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unplaced;

/// Flattens `Signal<C, L>` (channels × steps) into `Size<C·L>` flat features, channel after
/// channel (as PyTorch's `nn.Flatten` on NCL). Listed in a network as `Flatten`; it becomes
/// `Flatten<Signal<C, L>>` after a layer with `Signal<C, L>` outputs. The product `C·L` is
/// computed by the type system, so the next layer's input size is checked:
/// `Flatten` of 12 × 49 before `Dense<f32, 600, 4>` does not compile (`gives 588 outputs but
/// … takes 600 inputs`). Computed sizes go up to 1024.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(bound = ""))]
pub struct Flatten<P = Unplaced>(#[cfg_attr(feature = "serde", serde(skip))] PhantomData<P>);

impl<P: Copy> NoParameters for Flatten<P> {}

#[diagnostic::do_not_recommend]
impl<const C: usize, const L: usize> Place<Signal<C, L>> for Flatten
where
    Size<C>: Times<Size<L>>,
{
    type Layer = Flatten<Signal<C, L>>;
}

/// Flat features stay as they are.
#[diagnostic::do_not_recommend]
impl<const N: usize> Place<Size<N>> for Flatten {
    type Layer = Flatten<Size<N>>;
}

impl<const C: usize, const L: usize> Shape for Flatten<Signal<C, L>>
where
    Size<C>: Times<Size<L>>,
{
    type In = Signal<C, L>;
    type Out = <Size<C> as Times<Size<L>>>::Output;
}

impl<const N: usize> Shape for Flatten<Size<N>> {
    type In = Size<N>;
    type Out = Size<N>;
}

/// Copies the numbers of one port's value into another's of the same count.
fn copy<T: Copy + Send + Sync, const B: usize, P: Port, Q: Port>(
    x: &BatchOf<T, B, P>,
    y: &mut BatchOf<T, B, Q>,
) {
    Q::batch_slice_mut(y).copy_from_slice(P::batch_slice(x));
}

impl<T: Real, const C: usize, const L: usize> Layer<T> for Flatten<Signal<C, L>>
where
    Size<C>: Times<Size<L>>,
{
    type Cache<const B: usize> = BatchOf<T, B, Self::Out>;
    fn predict(&self, x: &Matrix<T, C, L>) -> VectorOf<T, Self::Out> {
        let xs = x.as_slice();
        <Self::Out as Port>::sample(|i| xs[i])
    }
    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }
    fn forward_train<const B: usize>(&self, x: &SignalBatch<T, B, C, L>, y: &mut Self::Cache<B>) {
        copy::<T, B, Signal<C, L>, Self::Out>(x, y);
    }
    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }
    fn backward<const B: usize>(
        &self,
        _: &SignalBatch<T, B, C, L>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
        dx: &mut SignalBatch<T, B, C, L>,
    ) {
        copy::<T, B, Self::Out, Signal<C, L>>(dy, dx);
    }
}

impl<T: Real, const N: usize> Layer<T> for Flatten<Size<N>> {
    type Cache<const B: usize> = crate::Batch<T, B, N>;
    fn predict(&self, x: &crate::Vector<T, N>) -> crate::Vector<T, N> {
        *x
    }
    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        crate::Batch::zeros()
    }
    fn forward_train<const B: usize>(&self, x: &crate::Batch<T, B, N>, y: &mut Self::Cache<B>) {
        *y = *x;
    }
    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }
    fn backward<const B: usize>(
        &self,
        _: &crate::Batch<T, B, N>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
        dx: &mut crate::Batch<T, B, N>,
    ) {
        *dx = *dy;
    }
}

/// `C·H·W` for an image, computed by the type system (`C·H` first, then `·W`).
type ImageCount<const C: usize, const H: usize, const W: usize> =
    <<Size<C> as Times<Size<H>>>::Output as Times<Size<W>>>::Output;

/// Flattens `Image<C, H, W>` into `Size<C·H·W>` (channel after channel, row by row, as
/// PyTorch's `nn.Flatten` on NCHW).
#[diagnostic::do_not_recommend]
impl<const C: usize, const H: usize, const W: usize> Place<Image<C, H, W>> for Flatten
where
    Size<C>: Times<Size<H>>,
    <Size<C> as Times<Size<H>>>::Output: Times<Size<W>>,
{
    type Layer = Flatten<Image<C, H, W>>;
}

impl<const C: usize, const H: usize, const W: usize> Shape for Flatten<Image<C, H, W>>
where
    Size<C>: Times<Size<H>>,
    <Size<C> as Times<Size<H>>>::Output: Times<Size<W>>,
{
    type In = Image<C, H, W>;
    type Out = ImageCount<C, H, W>;
}

impl<T: Real, const C: usize, const H: usize, const W: usize> Layer<T> for Flatten<Image<C, H, W>>
where
    Size<C>: Times<Size<H>>,
    <Size<C> as Times<Size<H>>>::Output: Times<Size<W>>,
{
    type Cache<const B: usize> = BatchOf<T, B, Self::Out>;
    fn predict(&self, x: &Planes<T, C, H, W>) -> VectorOf<T, Self::Out> {
        let xs = x.as_slice();
        <Self::Out as Port>::sample(|i| xs[i])
    }
    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }
    fn forward_train<const B: usize>(&self, x: &ImageBatch<T, B, C, H, W>, y: &mut Self::Cache<B>) {
        copy::<T, B, Image<C, H, W>, Self::Out>(x, y);
    }
    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }
    fn backward<const B: usize>(
        &self,
        _: &ImageBatch<T, B, C, H, W>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
        dx: &mut ImageBatch<T, B, C, H, W>,
    ) {
        copy::<T, B, Self::Out, Image<C, H, W>>(dy, dx);
    }
}

/// Rearranges the values of whatever comes into the port `Q` — as many values, in the same
/// order (PyTorch's `reshape`/`view` on NCL/NCHW): `Reshape<Signal<6, 100>>` after 600 flat
/// features, `Reshape<Image<1, 8, 8>>` after 64. `network!` rejects a target of another
/// element count where the network is written (`layer 1 reshapes 64 values into a shape of
/// 60`). Gradient: `∂L/∂x` is `∂L/∂y` rearranged back.
pub struct Reshape<Q, At = Unplaced>(PhantomData<fn() -> (Q, At)>);

impl<Q, At> Clone for Reshape<Q, At> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<Q, At> Copy for Reshape<Q, At> {}
impl<Q, At> Default for Reshape<Q, At> {
    fn default() -> Self {
        Self(PhantomData)
    }
}
impl<Q, At> PartialEq for Reshape<Q, At> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<Q, At> core::fmt::Debug for Reshape<Q, At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Reshape")
    }
}
impl<Q, At> NoParameters for Reshape<Q, At> {}

#[diagnostic::do_not_recommend]
impl<Q: Port, P: Port> Place<P> for Reshape<Q, Unplaced> {
    type Layer = Reshape<Q, P>;
}

impl<Q: Port, P: Port> Shape for Reshape<Q, P> {
    type In = P;
    type Out = Q;
    const MISTAKE: Mistake = Mistake::recount::<P, Q>();
}

impl<T: Real, Q: Port, P: Port> Layer<T> for Reshape<Q, P> {
    type Cache<const B: usize> = BatchOf<T, B, Q>;
    fn predict(&self, x: &VectorOf<T, P>) -> VectorOf<T, Q> {
        const { assert!(P::N == Q::N, "a reshape must keep the number of values") };
        let xs = P::sample_slice(x);
        Q::sample(|i| xs[i])
    }
    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        Q::batch(|_, _| T::zero())
    }
    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, y: &mut Self::Cache<B>) {
        const { assert!(P::N == Q::N, "a reshape must keep the number of values") };
        copy::<T, B, P, Q>(x, y);
    }
    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }
    fn backward<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        _: &mut Self,
        _: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        copy::<T, B, Q, P>(dy, dx);
    }
}
