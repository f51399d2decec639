//! [`ActivationLayer`]: an activation written as a layer of its own, `seq![Dense<f32, 4, 8>,
//! Relu, Dense<f32, 8, 3>]`.

use crate::activation::{
    Activation, Elementwise, Elu, Gelu, Identity, LeakyRelu, Relu, Relu6, Sigmoid, Softmax,
    Softplus, Tanh, derivatives, values,
};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, NoParameters, Place, Shape};
use crate::shape::{Image, Port, Signal, Size};
use crate::tensor::{ImageBatch, Planes, SignalBatch};
use crate::{Batch, Matrix, Real, Vector};

/// The activation `A` as a layer on the port `P`: `y = A(x)`, `∂L/∂x = J_A(x)ᵀ·∂L/∂y`. What
/// an activation such as `Relu` becomes when a network lists it between two layers (it takes
/// the size of the layer before it). Every activation works on flat features (`Size<N>`);
/// element-wise ones also on channels × steps (`Signal<C, L>`).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound = "A: serde::Serialize + serde::de::DeserializeOwned")
)]
pub struct ActivationLayer<A, P> {
    /// The activation (with its hyper-parameters, e.g. a leaky ReLU's slope).
    pub activation: A,
    #[cfg_attr(feature = "serde", serde(skip))]
    port: core::marker::PhantomData<P>,
}

impl<A, P> ActivationLayer<A, P> {
    /// The layer applying `activation`.
    pub const fn new(activation: A) -> Self {
        Self {
            activation,
            port: core::marker::PhantomData,
        }
    }
}

impl<A: Copy, P: Port + Copy> NoParameters for ActivationLayer<A, P> {}

impl<A: Activation, P: Port> Shape for ActivationLayer<A, P> {
    type In = P;
    type Out = P;
    /// Softmax (not element-wise) after channels × steps or an image.
    const MISTAKE: Mistake = Mistake::coupled::<P>(A::ELEMENTWISE);
}

macro_rules! place_activation {
    ($($act:ty),*) => {$(
        #[diagnostic::do_not_recommend]
        impl<P: Port> Place<P> for $act {
            type Layer = ActivationLayer<$act, P>;
        }
    )*};
}

place_activation!(
    Relu, Relu6, LeakyRelu, Sigmoid, Tanh, Elu, Gelu, Softplus, Identity, Softmax
);

impl<T: Real, A: Activation, const N: usize> Layer<T> for ActivationLayer<A, Size<N>> {
    type Cache<const B: usize> = Batch<T, B, N>;
    fn predict(&self, x: &Vector<T, N>) -> Vector<T, N> {
        self.activation.forward(x)
    }
    fn forward<const B: usize>(&self, x: &Batch<T, B, N>) -> Batch<T, B, N> {
        self.activation.forward_batch(x)
    }
    fn new_cache<const B: usize>(&self) -> Batch<T, B, N> {
        Batch::zeros()
    }
    fn forward_train<const B: usize>(&self, x: &Batch<T, B, N>, y: &mut Batch<T, B, N>) {
        self.activation.forward_batch_into(x, y);
    }
    fn output<const B: usize>(y: &Batch<T, B, N>) -> &Batch<T, B, N> {
        y
    }
    fn backward<const B: usize>(
        &self,
        x: &Batch<T, B, N>,
        y: &mut Batch<T, B, N>,
        dy: &Batch<T, B, N>,
        _: &mut Self,
        _: Grads,
        dx: &mut Batch<T, B, N>,
    ) {
        *dx = *x;
        self.activation.backward_batch_in_place(dx, y, dy);
    }
}

impl<T: Real, E: Elementwise, const C: usize, const L: usize> Layer<T>
    for ActivationLayer<E, Signal<C, L>>
{
    type Cache<const B: usize> = SignalBatch<T, B, C, L>;
    fn predict(&self, x: &Matrix<T, C, L>) -> Matrix<T, C, L> {
        x.map(|v| self.activation.value(v))
    }
    fn new_cache<const B: usize>(&self) -> SignalBatch<T, B, C, L> {
        SignalBatch::zeros()
    }
    fn forward_train<const B: usize>(
        &self,
        x: &SignalBatch<T, B, C, L>,
        y: &mut SignalBatch<T, B, C, L>,
    ) {
        values(&self.activation, x.as_slice(), y.as_mut_slice());
    }
    fn output<const B: usize>(y: &SignalBatch<T, B, C, L>) -> &SignalBatch<T, B, C, L> {
        y
    }
    fn backward<const B: usize>(
        &self,
        x: &SignalBatch<T, B, C, L>,
        y: &mut SignalBatch<T, B, C, L>,
        dy: &SignalBatch<T, B, C, L>,
        _: &mut Self,
        _: Grads,
        dx: &mut SignalBatch<T, B, C, L>,
    ) {
        let (xs, ys, dys) = (x.as_slice(), y.as_slice(), dy.as_slice());
        derivatives(&self.activation, (xs, ys, dys), dx.as_mut_slice());
    }
}

impl<T: Real, E: Elementwise, const C: usize, const H: usize, const W: usize> Layer<T>
    for ActivationLayer<E, Image<C, H, W>>
{
    type Cache<const B: usize> = ImageBatch<T, B, C, H, W>;
    fn predict(&self, x: &Planes<T, C, H, W>) -> Planes<T, C, H, W> {
        let mut y = *x;
        for v in y.as_mut_slice() {
            *v = self.activation.value(*v);
        }
        y
    }
    fn new_cache<const B: usize>(&self) -> ImageBatch<T, B, C, H, W> {
        ImageBatch::zeros()
    }
    fn forward_train<const B: usize>(
        &self,
        x: &ImageBatch<T, B, C, H, W>,
        y: &mut ImageBatch<T, B, C, H, W>,
    ) {
        values(&self.activation, x.as_slice(), y.as_mut_slice());
    }
    fn output<const B: usize>(y: &ImageBatch<T, B, C, H, W>) -> &ImageBatch<T, B, C, H, W> {
        y
    }
    fn backward<const B: usize>(
        &self,
        x: &ImageBatch<T, B, C, H, W>,
        y: &mut ImageBatch<T, B, C, H, W>,
        dy: &ImageBatch<T, B, C, H, W>,
        _: &mut Self,
        _: Grads,
        dx: &mut ImageBatch<T, B, C, H, W>,
    ) {
        let (xs, ys, dys) = (x.as_slice(), y.as_slice(), dy.as_slice());
        derivatives(&self.activation, (xs, ys, dys), dx.as_mut_slice());
    }
}
