//! [`Residual`]: a skip connection around a block, `y = x + F(x)`.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, Place, Shape, TensorSpec, Unplaced};
use crate::shape::{BatchOf, Port, VectorOf};
use crate::{Real, Scalar};

/// A block with a skip connection: `y = x + F(x)` (the residual block of ResNet, He et al.
/// 2016), for any block `F` whose output has the shape of its input. `∂L/∂x = ∂L/∂y +
/// (∂F/∂x)ᵀ·∂L/∂y`; `F`'s parameter gradients are those of `F` fed `∂L/∂y`.
///
/// Listed in a network as `Residual<F>` where `F` is a layer or a [`block!`](crate::block) of
/// layers, placed like any other layer: `Residual<block![Conv1d<f32, 16, 16, 3, 1, 1>, Relu,
/// Conv1d<f32, 16, 16, 3, 1, 1>]>` after 16 channels keeps them. A block that changes the
/// shape does not compile: `layer 2 (`Residual<block![…]>`) is a residual block whose block
/// takes 16 channels × 50 steps but gives 16 channels × 48 steps`; a mistake between the
/// block's own layers names the block, then the layers inside it.
///
/// Its tensors are `F`'s, numbered as `F`'s layers.
pub struct Residual<F, At = Unplaced>(pub F, PhantomData<fn() -> At>);

impl<F, At> Residual<F, At> {
    /// The block `f` with a skip connection around it.
    pub const fn new(f: F) -> Self {
        Self(f, PhantomData)
    }
}

impl<F: Clone, At> Clone for Residual<F, At> {
    fn clone(&self) -> Self {
        Self::new(self.0.clone())
    }
}
impl<F: Copy, At> Copy for Residual<F, At> {}
impl<F: Default, At> Default for Residual<F, At> {
    fn default() -> Self {
        Self::new(F::default())
    }
}
impl<F: PartialEq, At> PartialEq for Residual<F, At> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<F: core::fmt::Debug, At> core::fmt::Debug for Residual<F, At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Residual").field(&self.0).finish()
    }
}

#[diagnostic::do_not_recommend]
impl<F: Place<P>, P: Port> Place<P> for Residual<F, Unplaced> {
    type Layer = Residual<F::Layer, P>;
}

impl<F: Shape, P: Port> Shape for Residual<F, P> {
    type In = P;
    type Out = P;
    /// A mistake inside the block (what reaches its first layer included), else a block
    /// that does not give what it takes.
    const MISTAKE: Mistake = Mistake::junction::<P, F::In>(1)
        .or(F::MISTAKE)
        .inside()
        .or(Mistake::residual::<P, F::Out>());
}

impl<T: Scalar, F: Parameters<T>, At> Parameters<T> for Residual<F, At> {
    const PARAMS: usize = F::PARAMS;
    const TENSORS: usize = F::TENSORS;
    const LAYERS: usize = F::LAYERS;
    const BUFFERS: usize = F::BUFFERS;
    const BUFFER_TENSORS: usize = F::BUFFER_TENSORS;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        F::param_spec(k)
    }
    fn buffer_spec(k: usize) -> Option<TensorSpec> {
        F::buffer_spec(k)
    }
    fn buffer_rule(k: usize) -> crate::nn::BufferRule {
        F::buffer_rule(k)
    }
    fn zeros_like(&self) -> Self {
        Self::new(self.0.zeros_like())
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

/// What [`Residual`] keeps for a batch: the block's cache and the sum `x + F(x)`.
pub struct ResidualCache<C, Y>(pub C, pub Y);

/// `a + b`, element by element, into `out`.
fn add_into<T: Real>(out: &mut [T], a: &[T], b: &[T]) {
    for ((o, &u), &v) in out.iter_mut().zip(a).zip(b) {
        *o = u + v;
    }
}

impl<T: Real, P: Port, F: Layer<T, In = P, Out = P>> Layer<T> for Residual<F, P> {
    type Cache<const B: usize> = ResidualCache<F::Cache<B>, BatchOf<T, B, P>>;

    fn init(&mut self, rng: &mut Rng, init: Init) {
        self.0.init(rng, init);
    }

    fn update_buffers<const B: usize>(&mut self, cache: &Self::Cache<B>) {
        self.0.update_buffers(&cache.0);
    }

    fn predict(&self, x: &VectorOf<T, P>) -> VectorOf<T, P> {
        let mut y = self.0.predict(x);
        let xs = P::sample_slice(x);
        for (v, &u) in P::sample_slice_mut(&mut y).iter_mut().zip(xs) {
            *v = u + *v;
        }
        y
    }

    fn forward<const B: usize>(&self, x: &BatchOf<T, B, P>) -> BatchOf<T, B, P> {
        let fx = self.0.forward(x);
        let mut y = P::batch(|_, _| T::zero());
        add_into(
            P::batch_slice_mut(&mut y),
            P::batch_slice(x),
            P::batch_slice(&fx),
        );
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        ResidualCache(self.0.new_cache(), P::batch(|_, _| T::zero()))
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, cache: &mut Self::Cache<B>) {
        self.0.forward_train(x, &mut cache.0);
        let fx = P::batch_slice(F::output(&cache.0));
        add_into(P::batch_slice_mut(&mut cache.1), P::batch_slice(x), fx);
    }

    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, P> {
        &cache.1
    }

    fn backward<const B: usize>(
        &self,
        x: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        self.0
            .backward(x, &mut cache.0, dy, &mut grads.0, store, dx);
        for (d, &g) in P::batch_slice_mut(dx).iter_mut().zip(P::batch_slice(dy)) {
            *d = *d + g;
        }
    }

    fn backward_params<const B: usize>(
        &self,
        x: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.0
            .backward_params(x, &mut cache.0, dy, &mut grads.0, store);
    }
}
