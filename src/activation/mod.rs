//! Activation functions: `y = f(x)` with the derivative beside the value.
//!
//! # Using this
//! Every activation implements [`Activation`], which maps a [`Vector`] (or a [`Batch`], sample
//! by sample) and back-propagates an output gradient. Most activations act element by element
//! and implement the simpler [`Elementwise`] instead; softmax couples its elements.
//!
//! # Implementing this
//! Implement [`Elementwise`] (value and derivative of one number) and [`Activation`] comes for
//! free. Test the derivative with [`crate::gradcheck`], as every activation here is.

use core::fmt::Debug;

use crate::{Batch, Real, Vector};

mod elu;
mod gelu;
mod identity;
mod relu;
mod sigmoid;
mod softmax;
mod softplus;
mod tanh;
#[cfg(test)]
mod test_util;

pub use elu::Elu;
pub use gelu::Gelu;
pub use identity::Identity;
pub use relu::{LeakyRelu, Relu, Relu6};
pub use sigmoid::Sigmoid;
pub use softmax::Softmax;
pub use softplus::Softplus;
pub use tanh::Tanh;

/// A (vector) activation function with its vector–Jacobian product.
pub trait Activation: Copy + Debug + Send + Sync {
    /// Whether each output depends only on the input at the same place (true for every
    /// [`Elementwise`] activation; false for softmax, which couples a vector's entries and so
    /// takes flat features only).
    const ELEMENTWISE: bool = false;

    /// `y = f(x)`.
    fn forward<T: Real, const N: usize>(&self, x: &Vector<T, N>) -> Vector<T, N>;

    /// `∂L/∂x = J_f(x)ᵀ · ∂L/∂y`, given the input `x`, the output `y = f(x)` and the output
    /// gradient `dy = ∂L/∂y`.
    fn backward<T: Real, const N: usize>(
        &self,
        x: &Vector<T, N>,
        y: &Vector<T, N>,
        dy: &Vector<T, N>,
    ) -> Vector<T, N>;

    /// [`forward`](Activation::forward) applied to every sample of a batch.
    fn forward_batch<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
    ) -> Batch<T, B, N> {
        let mut y = *x;
        for s in 0..B {
            let out = self.forward(&x.sample(s));
            y.as_mut_slice()[s * N..(s + 1) * N].copy_from_slice(out.as_slice());
        }
        y
    }

    /// [`backward`](Activation::backward) applied to every sample of a batch.
    fn backward_batch<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
        y: &Batch<T, B, N>,
        dy: &Batch<T, B, N>,
    ) -> Batch<T, B, N> {
        let mut dx = *dy;
        for s in 0..B {
            let out = self.backward(&x.sample(s), &y.sample(s), &dy.sample(s));
            dx.as_mut_slice()[s * N..(s + 1) * N].copy_from_slice(out.as_slice());
        }
        dx
    }

    /// [`forward_batch`](Activation::forward_batch) written into `y` (no temporary batch).
    fn forward_batch_into<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
        y: &mut Batch<T, B, N>,
    ) {
        *y = self.forward_batch(x);
    }

    /// [`backward_batch`](Activation::backward_batch) in place: `x_then_dx` holds the input
    /// `x` on entry and `∂L/∂x` on return.
    fn backward_batch_in_place<T: Real, const B: usize, const N: usize>(
        &self,
        x_then_dx: &mut Batch<T, B, N>,
        y: &Batch<T, B, N>,
        dy: &Batch<T, B, N>,
    ) {
        *x_then_dx = self.backward_batch(x_then_dx, y, dy);
    }
}

/// An activation applied to each element independently: `yᵢ = f(xᵢ)`, `∂yᵢ/∂xᵢ = f'(xᵢ)`.
pub trait Elementwise: Copy + Debug + Send + Sync {
    /// `f(x)`.
    fn value<T: Real>(&self, x: T) -> T;
    /// `f'(x)`, given both `x` and `y = f(x)` (use whichever is cheaper).
    fn derivative<T: Real>(&self, x: T, y: T) -> T;
}

impl<E: Elementwise> Activation for E {
    const ELEMENTWISE: bool = true;

    #[inline]
    fn forward<T: Real, const N: usize>(&self, x: &Vector<T, N>) -> Vector<T, N> {
        x.map(|v| self.value(v))
    }

    #[inline]
    fn backward<T: Real, const N: usize>(
        &self,
        x: &Vector<T, N>,
        y: &Vector<T, N>,
        dy: &Vector<T, N>,
    ) -> Vector<T, N> {
        Vector::from_fn(|i| self.derivative(x[i], y[i]) * dy[i])
    }

    #[inline]
    fn forward_batch<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
    ) -> Batch<T, B, N> {
        x.map(|v| self.value(v))
    }

    #[inline]
    fn backward_batch<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
        y: &Batch<T, B, N>,
        dy: &Batch<T, B, N>,
    ) -> Batch<T, B, N> {
        let (xs, ys, dys) = (x.as_slice(), y.as_slice(), dy.as_slice());
        let mut dx = *dy;
        for (k, d) in dx.iter_mut().enumerate() {
            *d = self.derivative(xs[k], ys[k]) * dys[k];
        }
        dx
    }

    /// The loop compiled for AVX2 where the CPU has it (`kernels::vectorized`: the same
    /// operations, so the same bits).
    #[inline]
    fn forward_batch_into<T: Real, const B: usize, const N: usize>(
        &self,
        x: &Batch<T, B, N>,
        y: &mut Batch<T, B, N>,
    ) {
        values(self, x.as_slice(), y.as_mut_slice());
    }

    /// The loop compiled for AVX2 where the CPU has it, as `forward_batch_into`.
    #[inline]
    fn backward_batch_in_place<T: Real, const B: usize, const N: usize>(
        &self,
        x_then_dx: &mut Batch<T, B, N>,
        y: &Batch<T, B, N>,
        dy: &Batch<T, B, N>,
    ) {
        crate::kernels::vectorized(
            #[inline(always)]
            || {
                let elements = x_then_dx.as_mut_slice().iter_mut();
                for ((d, &y), &dy) in elements.zip(y.as_slice()).zip(dy.as_slice()) {
                    *d = self.derivative(*d, y) * dy;
                }
            },
        );
    }
}

pub(crate) use crate::scalar::constant;

/// `y = f(x)` element by element, compiled for AVX2 where the CPU has it
/// (`kernels::vectorized`: the same operations, so the same bits).
#[inline]
pub(crate) fn values<T: Real, E: Elementwise>(activation: &E, x: &[T], y: &mut [T]) {
    crate::kernels::vectorized(
        #[inline(always)]
        || {
            for (o, &v) in y.iter_mut().zip(x) {
                *o = activation.value(v);
            }
        },
    );
}

/// `dx = f'(x, y) · dy` element by element, compiled as [`values`].
#[inline]
pub(crate) fn derivatives<T: Real, E: Elementwise>(
    activation: &E,
    (xs, ys, dys): (&[T], &[T], &[T]),
    dx: &mut [T],
) {
    crate::kernels::vectorized(
        #[inline(always)]
        || {
            for (((d, &x), &y), &dy) in dx.iter_mut().zip(xs).zip(ys).zip(dys) {
                *d = activation.derivative(x, y) * dy;
            }
        },
    );
}
