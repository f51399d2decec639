//! [`Chain`]: two layers in sequence, and the [`seq!`](crate::seq) macro for any depth.

use crate::init::{Init, Rng};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, ScalarOf, Shape, TensorSpec};
use crate::shape::{BatchOf, Port, VectorOf};
use crate::{Real, Scalar};

/// `First` then `Second`: the outputs of `First` are the inputs of `Second`.
///
/// The sizes must agree — `Second::In == First::Out` — for the chain to be a [`Layer`]; write
/// networks with [`network!`](crate::network) (or [`seq!`](crate::seq)), which check every
/// junction where the network is written and say which layers disagree. Depth is not
/// limited.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Chain<First, Second>(pub First, pub Second);

#[diagnostic::do_not_recommend]
impl<First, Second> Shape for Chain<First, Second>
where
    First: Shape,
    Second: Shape,
{
    type In = First::In;
    type Out = Second::Out;
    const LISTED: usize = First::LISTED + Second::LISTED;
    /// `First`'s mistake, else the junction between the two, else `Second`'s.
    const MISTAKE: Mistake = First::MISTAKE
        .or(Mistake::junction::<First::Out, Second::In>(
            First::LISTED + 1,
        ))
        .or(Second::MISTAKE.shifted(First::LISTED));
}

impl<First: ScalarOf + Shape, Second: Shape> ScalarOf for Chain<First, Second> {
    type Scalar = First::Scalar;
}

impl<T: Scalar, First: Parameters<T> + Shape, Second: Parameters<T> + Shape> Parameters<T>
    for Chain<First, Second>
{
    const PARAMS: usize = First::PARAMS + Second::PARAMS;
    const TENSORS: usize = First::TENSORS + Second::TENSORS;
    const LAYERS: usize = First::LAYERS + Second::LAYERS;
    const BUFFERS: usize = First::BUFFERS + Second::BUFFERS;
    const BUFFER_TENSORS: usize = First::BUFFER_TENSORS + Second::BUFFER_TENSORS;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        match k.checked_sub(First::TENSORS) {
            None => First::param_spec(k),
            Some(k) => Second::param_spec(k).map(|s| s.after(First::LAYERS)),
        }
    }

    fn buffer_spec(k: usize) -> Option<TensorSpec> {
        match k.checked_sub(First::BUFFER_TENSORS) {
            None => First::buffer_spec(k),
            Some(k) => Second::buffer_spec(k).map(|s| s.after(First::LAYERS)),
        }
    }

    fn buffer_rule(k: usize) -> crate::nn::BufferRule {
        match k.checked_sub(First::BUFFER_TENSORS) {
            None => First::buffer_rule(k),
            Some(k) => Second::buffer_rule(k),
        }
    }

    fn zeros_like(&self) -> Self {
        Chain(self.0.zeros_like(), self.1.zeros_like())
    }

    fn visit(&self, f: &mut impl FnMut(&[T])) {
        self.0.visit(f);
        self.1.visit(f);
    }

    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        self.0.visit_mut(f);
        self.1.visit_mut(f);
    }

    fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[T], &[T])) {
        self.0.visit_with(&other.0, f);
        self.1.visit_with(&other.1, f);
    }

    fn walk<const K: usize>(
        &mut self,
        grads: &Self,
        mut state: [&mut Self; K],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    ) {
        self.0.walk(&grads.0, state.each_mut().map(|s| &mut s.0), f);
        self.1.walk(&grads.1, state.map(|s| &mut s.1), f);
    }

    fn visit_buffers(&self, f: &mut impl FnMut(&[T])) {
        self.0.visit_buffers(f);
        self.1.visit_buffers(f);
    }

    fn visit_buffers_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        self.0.visit_buffers_mut(f);
        self.1.visit_buffers_mut(f);
    }
}

/// The cache of a [`Chain`]: both layers' caches, and room for the gradient between them
/// (`∂L/∂h` for the first layer's output `h`), written by the backward pass — kept here rather
/// than made on the stack at every step (the same memory at the peak, one pass less).
#[derive(Debug, Clone, Copy)]
pub struct ChainCache<A, B, D>(pub A, pub B, pub D);

impl<T, First, Second> Layer<T> for Chain<First, Second>
where
    T: Real,
    First: Layer<T>,
    Second: Layer<T, In = First::Out>,
{
    type Cache<const B: usize> =
        ChainCache<First::Cache<B>, Second::Cache<B>, BatchOf<T, B, First::Out>>;

    fn init(&mut self, rng: &mut Rng, init: Init) {
        self.0.init(rng, init);
        self.1.init(rng, init);
    }

    fn update_buffers<const B: usize>(&mut self, cache: &Self::Cache<B>) {
        self.0.update_buffers(&cache.0);
        self.1.update_buffers(&cache.1);
    }

    #[inline]
    fn predict(&self, x: &VectorOf<T, Self::In>) -> VectorOf<T, Self::Out> {
        self.1.predict(&self.0.predict(x))
    }

    #[inline]
    fn forward<const B: usize>(&self, x: &BatchOf<T, B, Self::In>) -> BatchOf<T, B, Self::Out> {
        self.1.forward(&self.0.forward(x))
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        let dh = <First::Out as Port>::batch(|_, _| T::zero());
        ChainCache(self.0.new_cache(), self.1.new_cache(), dh)
    }

    #[inline]
    fn forward_train<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
    ) {
        self.0.forward_train(x, &mut cache.0);
        self.1.forward_train(First::output(&cache.0), &mut cache.1);
    }

    #[inline]
    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, Self::Out> {
        Second::output(&cache.1)
    }

    #[inline]
    fn backward<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, Self::Out>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, Self::In>,
    ) {
        let h = First::output(&cache.0);
        self.1
            .backward(h, &mut cache.1, dy, &mut grads.1, store, &mut cache.2);
        self.0
            .backward(x, &mut cache.0, &cache.2, &mut grads.0, store, dx);
    }

    #[inline]
    fn backward_params<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, Self::Out>,
        grads: &mut Self,
        store: Grads,
    ) {
        let h = First::output(&cache.0);
        self.1
            .backward(h, &mut cache.1, dy, &mut grads.1, store, &mut cache.2);
        self.0
            .backward_params(x, &mut cache.0, &cache.2, &mut grads.0, store);
    }
}

/// The type of a network of any depth: `seq![L1, L2, L3]` is `Chain<L1, Chain<L2, L3>>`, each
/// layer [placed](crate::nn::Place) after the one before it (so that an activation such as
/// `Relu` between two layers takes the size of the first), its wiring checked where it is
/// written as [`network!`](crate::network) checks it. Prefer `network!` for a named network:
/// it reports a mistake once, where `seq!` reports it at every place the macro is written, and
/// it accepts a scalar parameter (`seq!` needs concrete types).
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::nn::Dense;
/// type Mlp = typegrad::seq![Dense<f32, 64, 32, Relu>, Dense<f32, 32, 16, Relu>, Dense<f32, 16, 10>];
/// ```
#[macro_export]
macro_rules! seq {
    // Entries not yet placed.
    (@spec $last:ty) => { $crate::nn::wiring::Last<$last> };
    (@spec $first:ty, $($rest:ty),+) => {
        $crate::nn::wiring::Then<$first, $crate::seq!(@spec $($rest),+)>
    };
    // The whole list, not yet placed.
    (@whole $only:ty) => { $crate::nn::wiring::Only<$only> };
    (@whole $first:ty, $($rest:ty),+) => {
        $crate::nn::wiring::Whole<$first, $crate::seq!(@spec $($rest),+)>
    };
    // The check: 0, or a compile error that reports the first mistake.
    (@check $($layer:ty),+) => {{
        let report = $crate::nn::wiring::check(
            <$crate::seq!(@whole $($layer),+) as $crate::nn::wiring::List>::FOUND,
            &[$(::core::stringify!($layer)),+],
        );
        if !report.is_empty() {
            ::core::panic!("{}", report.as_str())
        }
        0
    }};
    ($($layer:ty),+ $(,)?) => {
        <$crate::nn::wiring::Checked<{ $crate::seq!(@check $($layer),+) }>
            as $crate::nn::wiring::Resolve<$crate::seq!(@whole $($layer),+)>>::Net
    };
}

/// Layers to be placed together as one block, for a layer that wraps a block (a
/// [`Residual`](crate::nn::Residual)): `Residual<block![Conv1d<f32, 8, 8, 3, 1, 1>, Relu]>`.
/// Placed after a layer, a block becomes the [`Chain`] of its layers, as [`seq!`] does
/// with the input the block is placed at; the network around it checks the block's wiring.
#[macro_export]
macro_rules! block {
    ($($layer:ty),+ $(,)?) => { $crate::seq!(@spec $($layer),+) };
}
