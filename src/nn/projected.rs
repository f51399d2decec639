//! [`Projected`]: a residual block whose shortcut is a layer, `y = F(x) + S(x)`.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::nn::wiring::Mistake;
use crate::nn::{Chain, Grads, Layer, Parameters, Place, Shape, TensorSpec, Unplaced};
use crate::shape::{BatchOf, Port, VectorOf};
use crate::{Real, Scalar};

/// Two branches from one input, added: `y = F(x) + S(x)` — ResNet's residual block with a
/// projection shortcut (He et al. 2016), where `S` (a 1 × 1 strided convolution) reshapes `x`
/// to what the block `F` gives. `∂L/∂x = (∂F/∂x)ᵀ·∂L/∂y + (∂S/∂x)ᵀ·∂L/∂y`; each branch's
/// parameter gradients are its own, fed `∂L/∂y`.
///
/// Listed as `Projected<block![Conv2d<f32, 16, 32, Kernel<3>, Stride<2>, Same>, Relu,
/// Conv2d<f32, 32, 32, Kernel<3>, Stride<1>, Same>], Conv2d<f32, 16, 32, Kernel<1>,
/// Stride<2>>>`. Both branches take what reaches the layer; their outputs must agree, else
/// `network!` says so where the network is written, naming both shapes. Quantized, the sum is
/// TFLite's int8 `ADD` (a `Relu` after it fused into the `ADD`).
///
/// Its tensors are `F`'s, then `S`'s (numbered after `F`'s layers).
pub struct Projected<F, S, At = Unplaced>(pub Chain<F, S>, PhantomData<fn() -> At>);

impl<F, S, At> Projected<F, S, At> {
    /// The block `f` with the shortcut `s` beside it.
    pub const fn new(f: F, s: S) -> Self {
        Self(Chain(f, s), PhantomData)
    }

    /// The block `F`.
    pub fn block(&self) -> &F {
        &self.0.0
    }

    /// The shortcut `S`.
    pub fn shortcut(&self) -> &S {
        &self.0.1
    }
}

impl<F: Clone, S: Clone, At> Clone for Projected<F, S, At> {
    fn clone(&self) -> Self {
        Self(self.0.clone(), PhantomData)
    }
}
impl<F: Copy, S: Copy, At> Copy for Projected<F, S, At> {}
impl<F: Default, S: Default, At> Default for Projected<F, S, At> {
    fn default() -> Self {
        Self(Chain::default(), PhantomData)
    }
}
impl<F: PartialEq, S: PartialEq, At> PartialEq for Projected<F, S, At> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<F: core::fmt::Debug, S: core::fmt::Debug, At> core::fmt::Debug for Projected<F, S, At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Projected")
            .field(&self.0.0)
            .field(&self.0.1)
            .finish()
    }
}

#[diagnostic::do_not_recommend]
impl<F: Place<P>, S: Place<P>, P: Port> Place<P> for Projected<F, S, Unplaced> {
    type Layer = Projected<F::Layer, S::Layer, P>;
}

impl<F: Shape, S: Shape, P: Port> Shape for Projected<F, S, P> {
    type In = P;
    type Out = F::Out;
    /// A mistake inside the block (what reaches its first layer included), else one in the
    /// shortcut, else branches that give differently shaped outputs.
    const MISTAKE: Mistake = Mistake::junction::<P, F::In>(1)
        .or(F::MISTAKE)
        .inside()
        .or(Mistake::shortcut::<P, S::In>(S::MISTAKE.is_some()))
        .or(Mistake::branches::<F::Out, S::Out>());
}

impl<T: Scalar, F: Parameters<T> + Shape, S: Parameters<T> + Shape, At> Parameters<T>
    for Projected<F, S, At>
{
    const PARAMS: usize = <Chain<F, S> as Parameters<T>>::PARAMS;
    const TENSORS: usize = <Chain<F, S> as Parameters<T>>::TENSORS;
    const LAYERS: usize = <Chain<F, S> as Parameters<T>>::LAYERS;
    const BUFFERS: usize = <Chain<F, S> as Parameters<T>>::BUFFERS;
    const BUFFER_TENSORS: usize = <Chain<F, S> as Parameters<T>>::BUFFER_TENSORS;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        <Chain<F, S> as Parameters<T>>::param_spec(k)
    }
    fn buffer_spec(k: usize) -> Option<TensorSpec> {
        <Chain<F, S> as Parameters<T>>::buffer_spec(k)
    }
    fn buffer_rule(k: usize) -> crate::nn::BufferRule {
        <Chain<F, S> as Parameters<T>>::buffer_rule(k)
    }
    fn zeros_like(&self) -> Self {
        Self(self.0.zeros_like(), PhantomData)
    }
    fn visit(&self, f: &mut impl FnMut(&[T])) {
        self.0.visit(f);
    }
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        self.0.visit_mut(f);
    }
    fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[T], &[T])) {
        self.0.visit_with(&other.0, f);
    }
    fn walk<const K: usize>(
        &mut self,
        grads: &Self,
        state: [&mut Self; K],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    ) {
        self.0.walk(&grads.0, state.map(|s| &mut s.0), f);
    }
    fn visit_buffers(&self, f: &mut impl FnMut(&[T])) {
        self.0.visit_buffers(f);
    }
    fn visit_buffers_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        self.0.visit_buffers_mut(f);
    }
}

/// What [`Projected`] keeps for a batch: both branches' caches, the sum, and room for the
/// shortcut's input gradient.
pub struct ProjectedCache<CF, CS, Y, X>(pub CF, pub CS, pub Y, pub X);

impl<T, P, F, S> Layer<T> for Projected<F, S, P>
where
    T: Real,
    P: Port,
    F: Layer<T, In = P> + Shape,
    S: Layer<T, In = P, Out = F::Out> + Shape,
{
    type Cache<const B: usize> =
        ProjectedCache<F::Cache<B>, S::Cache<B>, BatchOf<T, B, F::Out>, BatchOf<T, B, P>>;

    fn init(&mut self, rng: &mut Rng, init: Init) {
        self.0.0.init(rng, init);
        self.0.1.init(rng, init);
    }

    fn update_buffers<const B: usize>(&mut self, cache: &Self::Cache<B>) {
        self.0.0.update_buffers(&cache.0);
        self.0.1.update_buffers(&cache.1);
    }

    fn predict(&self, x: &VectorOf<T, P>) -> VectorOf<T, F::Out> {
        let mut y = self.0.0.predict(x);
        let s = self.0.1.predict(x);
        let ss = <F::Out as Port>::sample_slice(&s);
        for (v, &u) in <F::Out as Port>::sample_slice_mut(&mut y)
            .iter_mut()
            .zip(ss)
        {
            *v = *v + u;
        }
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        ProjectedCache(
            self.0.0.new_cache(),
            self.0.1.new_cache(),
            <F::Out as Port>::batch(|_, _| T::zero()),
            P::batch(|_, _| T::zero()),
        )
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, cache: &mut Self::Cache<B>) {
        self.0.0.forward_train(x, &mut cache.0);
        self.0.1.forward_train(x, &mut cache.1);
        let (f, s) = (F::output(&cache.0), S::output(&cache.1));
        let (f, s) = (
            <F::Out as Port>::batch_slice(f),
            <F::Out as Port>::batch_slice(s),
        );
        let y = <F::Out as Port>::batch_slice_mut(&mut cache.2);
        for ((o, &u), &v) in y.iter_mut().zip(f).zip(s) {
            *o = u + v;
        }
    }

    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, F::Out> {
        &cache.2
    }

    fn backward<const B: usize>(
        &self,
        x: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, F::Out>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        let ProjectedCache(cf, cs, _, dxs) = cache;
        self.0.0.backward(x, cf, dy, &mut grads.0.0, store, dx);
        self.0.1.backward(x, cs, dy, &mut grads.0.1, store, dxs);
        for (d, &g) in P::batch_slice_mut(dx).iter_mut().zip(P::batch_slice(dxs)) {
            *d = *d + g;
        }
    }

    fn backward_params<const B: usize>(
        &self,
        x: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, F::Out>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.0
            .0
            .backward_params(x, &mut cache.0, dy, &mut grads.0.0, store);
        self.0
            .1
            .backward_params(x, &mut cache.1, dy, &mut grads.0.1, store);
    }
}
