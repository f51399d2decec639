//! Layers and networks whose wiring the compiler checks.
//!
//! # Using this
//! A network is a chain of layers written as a type, e.g.
//! `network! { type Mlp = [Dense<f32, 64, 32, Relu>, Dense<f32, 32, 10>]; }` (or the type
//! alone, `seq![…]`). Adjacent layers must agree — the outputs of one are the inputs of the
//! next — or it does not compile, with an error that names the sizes where the network is
//! written (see [`wiring`]). Everything is a
//! fixed-size value: the network, its gradient (a value of the *same* type), the optimizer
//! state (values of the same type again) and the activations kept for back-propagation.
//!
//! # Implementing this
//! A layer implements [`Shape`] (its input and output sizes), [`Parameters`] (how to visit
//! its numbers) and [`Layer`] (forward, forward with a cache for training, backward).
//! [`Layer::backward`] receives the input of the forward pass again, the cache that pass
//! filled and `∂L/∂output`; it stores the parameter gradients into `grads` as its [`Grads`]
//! argument says — [`Grads::Overwrite`] replaces what `grads` held (one batch per step, no
//! zeroing pass), [`Grads::Accumulate`] adds to it (several batches) — and writes `∂L/∂input`
//! into `dx`. [`Layer::backward_params`] does the same without `∂L/∂input` (training calls it
//! on the whole network, whose input gradient nobody needs). Check both with
//! [`crate::gradcheck`].

mod activation_layer;
mod batch_norm;
mod chain;
mod conv2d;
mod dense;
mod dropout;
mod dynamic_quant;
mod flatten;
mod pool;
mod projected;
mod residual;
mod tensors;
pub mod wiring;

pub use crate::shape::{Kernel, Pad, Same, Stride};
pub use activation_layer::ActivationLayer;
pub use batch_norm::{BatchNorm1d, BatchNorm2d, BatchNormCache, Channels};
pub use chain::Chain;
pub use conv2d::{Connect, Conv1d, Conv2d, Depthwise, DepthwiseConv2d, Full};
pub use dense::{Dense, DenseCache};
pub use dropout::{Dropout, DropoutCache};
pub use dynamic_quant::DynamicQuant;
pub use flatten::{Flatten, Reshape, Unplaced};
pub use pool::{
    AvgPool1d, AvgPool2d, GlobalAvgPool, GlobalAvgPool1d, GlobalAvgPool2d, MaxPool1d, MaxPool2d,
};
pub use projected::{Projected, ProjectedCache};
pub use residual::{Residual, ResidualCache};
pub use tensors::{BufferRule, Dims, MAX_RANK, TensorKind, TensorSpec};
pub use wiring::{Begin, Input, Place, Shape};

/// What a backward pass does with the parameter gradients it computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grads {
    /// `grads = ∂L/∂θ`: the previous contents are ignored (one batch per step; no pass to
    /// zero them first, and no reading them back).
    Overwrite,
    /// `grads += ∂L/∂θ`: the gradients of several batches add up.
    Accumulate,
}

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::shape::{BatchOf, Port, VectorOf};
use crate::{Real, Scalar};

/// A value made of parameters: a layer, a network, its gradient or its optimizer state.
///
/// The visitors walk the parameters as slices, always in the same order, so that several
/// values of the same type can be updated in lockstep (parameters, gradients, state). A layer
/// without parameters implements [`NoParameters`] instead and gets this trait for free.
pub trait Parameters<T: Scalar>: Copy {
    /// The number of scalar parameters (trained values).
    const PARAMS: usize;

    /// The number of parameter tensors (a dense layer has two: `weight` and `bias`).
    const TENSORS: usize;

    /// The number of layers this value is made of (1 for a layer, the sum for a chain):
    /// how [`TensorSpec::layer`] is numbered.
    const LAYERS: usize = 1;

    /// The number of buffer scalars: state saved with the network but never trained.
    const BUFFERS: usize = 0;

    /// The number of buffer tensors.
    const BUFFER_TENSORS: usize = 0;

    /// The name and shape of parameter tensor `k` (in [`visit`](Parameters::visit) order),
    /// or `None` for `k ≥ TENSORS`. Files that describe a network use it.
    fn param_spec(k: usize) -> Option<TensorSpec>;

    /// The name and shape of buffer tensor `k` (in
    /// [`visit_buffers`](Parameters::visit_buffers) order), or `None` for
    /// `k ≥ BUFFER_TENSORS`.
    fn buffer_spec(_k: usize) -> Option<TensorSpec> {
        None
    }

    /// What values buffer tensor `k` may hold ([`BufferRule::Finite`] unless a layer says
    /// otherwise); files are checked against it when loaded.
    fn buffer_rule(_k: usize) -> BufferRule {
        BufferRule::Finite
    }

    /// Tensor `k` of `TENSORS + BUFFER_TENSORS`: the parameter tensors, then the buffer
    /// tensors, each with its [`TensorKind`] set by the list it comes from. The order in which
    /// files store them.
    fn tensor_spec(k: usize) -> Option<TensorSpec> {
        match k.checked_sub(Self::TENSORS) {
            None => Self::param_spec(k).map(|s| TensorSpec {
                kind: TensorKind::Parameter,
                ..s
            }),
            Some(j) => Self::buffer_spec(j).map(|s| TensorSpec {
                kind: TensorKind::Buffer,
                ..s
            }),
        }
    }

    /// A value of the same type with every parameter zero (e.g. a gradient accumulator).
    /// Hyper-parameters that are not trained (such as an activation's slope) and buffers are
    /// kept.
    fn zeros_like(&self) -> Self;

    /// Visits the parameters as slices.
    fn visit(&self, f: &mut impl FnMut(&[T]));

    /// Visits the parameters as mutable slices.
    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T]));

    /// Visits matching slices of `self` and `other` together, read-only: `f(mine, theirs)`.
    fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[T], &[T]));

    /// The lockstep walk: visits matching slices of `self`, a gradient and `K` state values
    /// of the same type, `f(param, grad, [state₁, …, state_K])`. Optimizers use it with
    /// `K = 0` (SGD), `1` (momentum, AdaGrad, RMSprop) and `2` (Adam). Buffers are not
    /// visited.
    fn walk<const K: usize>(
        &mut self,
        grads: &Self,
        state: [&mut Self; K],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    );

    /// Visits the buffers as slices (none by default).
    fn visit_buffers(&self, _f: &mut impl FnMut(&[T])) {}

    /// Visits the buffers as mutable slices (none by default).
    fn visit_buffers_mut(&mut self, _f: &mut impl FnMut(&mut [T])) {}
}

/// A layer without parameters (an activation, a reshape): `impl NoParameters for MyLayer {}`
/// gives it [`Parameters`] for every scalar type — nothing to count, visit or save.
pub trait NoParameters: Copy {}

impl<T: Scalar, L: NoParameters> Parameters<T> for L {
    const PARAMS: usize = 0;
    const TENSORS: usize = 0;

    fn param_spec(_: usize) -> Option<TensorSpec> {
        None
    }

    fn zeros_like(&self) -> Self {
        *self
    }

    fn visit(&self, _: &mut impl FnMut(&[T])) {}

    fn visit_mut(&mut self, _: &mut impl FnMut(&mut [T])) {}

    fn visit_with(&self, _: &Self, _: &mut impl FnMut(&[T], &[T])) {}

    fn walk<const K: usize>(
        &mut self,
        _: &Self,
        _: [&mut Self; K],
        _: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    ) {
    }
}

/// The scalar type a parameter value holds: `f32` for `Dense<f32, ..>` and for a chain of
/// such layers. Lets code that is generic over a network name its scalar (the validating
/// deserialization of optimizer state checks the state in it).
pub trait ScalarOf {
    /// The scalar type.
    type Scalar: Scalar;
}

/// A differentiable layer (or a whole network) mapping `In` features to `Out` features (the
/// [`Shape`] it has, whatever its scalar type).
///
/// `In` and `Out` are [`Size`](crate::shape::Size)s; the batch size `B` is chosen per call, so
/// one network serves single samples, mini-batches and full batches.
///
/// Training passes work in place: [`forward_train`](Layer::forward_train) fills a cache the
/// caller owns (make one with [`new_cache`](Layer::new_cache) and reuse it for every step),
/// and [`backward`](Layer::backward) gets the same input batch again instead of a copy kept in
/// the cache. Nothing large is returned by value, so nothing large is copied.
///
/// Layers and their caches are plain data (`Send + Sync`): with `std`, a
/// [`Trainer`](crate::train::Trainer) builds a large cache on a thread of its own.
pub trait Layer<T: Real>: Parameters<T> + Shape + Send + Sync {
    /// What a training forward pass keeps for the backward pass, the output included (a
    /// fixed-size value).
    type Cache<const B: usize>: Send;

    /// Initializes the parameters from a seeded generator. Layers without parameters keep
    /// the default, which does nothing.
    fn init(&mut self, _rng: &mut Rng, _init: Init) {}

    /// Inference on one sample.
    fn predict(&self, x: &VectorOf<T, Self::In>) -> VectorOf<T, Self::Out>;

    /// Inference on a batch. The default runs [`predict`](Layer::predict) on each sample;
    /// layers override it where a batch is faster as a whole.
    fn forward<const B: usize>(&self, x: &BatchOf<T, B, Self::In>) -> BatchOf<T, B, Self::Out> {
        let (n, m) = (<Self::In as Port>::N, <Self::Out as Port>::N);
        let xs = <Self::In as Port>::batch_slice(x);
        let mut y = <Self::Out as Port>::batch(|_, _| T::zero());
        let ys = <Self::Out as Port>::batch_slice_mut(&mut y);
        for s in 0..B {
            let out = self.predict(&<Self::In as Port>::sample(|i| xs[s * n + i]));
            ys[s * m..(s + 1) * m].copy_from_slice(<Self::Out as Port>::sample_slice(&out));
        }
        y
    }

    /// A cache for batches of `B` samples, all zeros, ready for
    /// [`forward_train`](Layer::forward_train).
    fn new_cache<const B: usize>(&self) -> Self::Cache<B>;

    /// Forward pass that keeps in `cache` what [`backward`](Layer::backward) needs, and the
    /// output (read it with [`output`](Layer::output)).
    fn forward_train<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
    );

    /// The output of the [`forward_train`](Layer::forward_train) that filled `cache`.
    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, Self::Out>;

    /// Back-propagates `dy = ∂L/∂output`: stores `∂L/∂parameters` into `grads` (overwriting
    /// or adding, as `store` says) and writes `∂L/∂input` into `dx`. `x` is the input of the
    /// forward pass that filled `cache`.
    ///
    /// The cache is spent: intermediate gradients are written over it (the output stays), so
    /// run [`forward_train`](Layer::forward_train) again before another `backward`.
    fn backward<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, Self::Out>,
        grads: &mut Self,
        store: Grads,
        dx: &mut BatchOf<T, B, Self::In>,
    );

    /// [`backward`](Layer::backward) without `∂L/∂input`: only stores `∂L/∂parameters` into
    /// `grads`. Training calls this on the whole network, whose input gradient nobody needs,
    /// so the first layer can skip that product. Override it when skipping saves work.
    fn backward_params<const B: usize>(
        &self,
        x: &BatchOf<T, B, Self::In>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, Self::Out>,
        grads: &mut Self,
        store: Grads,
    ) {
        let mut dx = <Self::In as Port>::batch(|_, _| T::zero());
        self.backward(x, cache, dy, grads, store, &mut dx);
    }
    /// After a successful training step on the batch whose forward pass filled `cache`:
    /// fold what the batch measured into the layer's buffers (a batch normalization's running
    /// statistics). [`Trainer::step`](crate::train::Trainer::step) calls it after the
    /// optimizer's update; layers without such state keep the default, which does nothing.
    fn update_buffers<const B: usize>(&mut self, _cache: &Self::Cache<B>) {}
}

/// Memory a network needs, known at compile time.
///
/// ```
/// use typegrad::nn::{Dense, Memory};
/// use typegrad::activation::Relu;
/// type Net = typegrad::seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
/// assert_eq!(Memory::<f32, Net, 16>::PARAMS, 4 * 8 + 8 + 8 * 3 + 3);
/// // Training with an optimizer that keeps two state values per parameter (Adam):
/// const NEEDED: usize = Memory::<f32, Net, 16>::training_bytes(2);
/// const _: () = assert!(NEEDED < 16 * 1024, "does not fit a 16 KiB microcontroller");
/// // The same, from the optimizer's type.
/// use typegrad::optim::{Adam, Sgd};
/// assert_eq!(Memory::<f32, Net, 16>::training_bytes_for::<Adam<Net>>(), NEEDED);
/// assert_eq!(
///     Memory::<f32, Net, 16>::training_bytes_for::<Sgd>(),
///     Memory::<f32, Net, 16>::training_bytes(0)
/// );
/// ```
pub struct Memory<T, Net, const B: usize>(PhantomData<(T, Net)>);

impl<T: Real, Net: Layer<T>, const B: usize> Memory<T, Net, B> {
    /// Number of trainable scalars.
    pub const PARAMS: usize = Net::PARAMS;
    /// Bytes of the network value (its parameters).
    pub const NETWORK_BYTES: usize = core::mem::size_of::<Net>();
    /// Bytes of one batch of inputs and of outputs.
    pub const IO_BYTES: usize = core::mem::size_of::<BatchOf<T, B, Net::In>>()
        + core::mem::size_of::<BatchOf<T, B, Net::Out>>();
    /// Bytes for inference on a batch of `B`: network, input and output batches, and the
    /// activations of the forward pass (bounded by the training cache).
    pub const INFERENCE_BYTES: usize =
        Self::NETWORK_BYTES + Self::IO_BYTES + core::mem::size_of::<Net::Cache<B>>();
    /// Bytes of the cache a training step keeps: what the forward pass leaves for the backward
    /// pass, and room for the gradients between layers.
    pub const CACHE_BYTES: usize = core::mem::size_of::<Net::Cache<B>>();

    /// Bytes for one training step with an optimizer that keeps `state_copies` values of the
    /// network's size (0 for SGD, 1 for momentum, 2 for Adam): network, gradient, optimizer
    /// state, cache (with the gradients between layers), inputs, outputs and their gradients.
    /// Kernels add small temporaries on the stack (a transposed operand, at most the size of
    /// one layer's weights or of its input batch).
    pub const fn training_bytes(state_copies: usize) -> usize {
        Self::NETWORK_BYTES * (2 + state_copies) + Self::CACHE_BYTES + 2 * Self::IO_BYTES
    }

    /// [`training_bytes`](Memory::training_bytes) for the optimizer `O`, which says how many
    /// state copies it keeps: `Memory::<f32, Net, 32>::training_bytes_for::<Adam<Net>>()`.
    pub const fn training_bytes_for<O: crate::optim::Optimizer<T, Net>>() -> usize {
        Self::training_bytes(O::STATE_COPIES)
    }
}
