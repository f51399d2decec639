//! [`Dense`]: a fully connected layer `y = f(W·x + b)`.

use crate::activation::{Activation, Identity};
use crate::init::{Init, Rng};
use crate::kernels;
use crate::nn::{Grads, Layer, Parameters, ScalarOf, Shape, TensorSpec};
use crate::shape::Size;
use crate::{Batch, Matrix, Real, Scalar, Vector};

/// A fully connected layer with `I` inputs, `O` outputs and activation `A`:
/// `z = W·x + b`, `y = A(z)`, with `W: O × I` and `b: O`.
///
/// Backward, for `dy = ∂L/∂y`: `dz = A'(z)ᵀ·dy`, `∂L/∂W += dz·xᵀ`, `∂L/∂b += dz`,
/// `∂L/∂x = Wᵀ·dz` (summed over the samples of a batch).
///
/// Layout: the fields are stored in this order (`repr(C)`); on x86-64 and AArch64 the layer
/// starts on a 64-byte boundary (one cache line), so the weights' rows line up with the
/// vector loads of the kernels (an unaligned 32-byte load that straddles two cache lines
/// costs twice: measured 58 vs 43 ns for a 32 × 64 matrix–vector product). This pads a
/// layer by at most 63 bytes; microcontroller targets keep the plain 4-byte alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
#[repr(C)]
#[cfg_attr(any(target_arch = "x86_64", target_arch = "aarch64"), repr(align(64)))]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        deserialize = "T: serde::Deserialize<'de> + crate::Scalar, A: serde::Deserialize<'de>"
    ))
)]
pub struct Dense<T, const I: usize, const O: usize, A = Identity> {
    /// The weights `W`, one row per output.
    pub weights: Matrix<T, O, I>,
    /// The bias `b`.
    pub bias: Vector<T, O>,
    /// The activation applied to `W·x + b`.
    pub activation: A,
}

impl<T: Scalar, const I: usize, const O: usize, A: Activation + Default> Default
    for Dense<T, I, O, A>
{
    /// Zero weights and biases.
    fn default() -> Self {
        Self::new(Matrix::zeros(), Vector::zeros(), A::default())
    }
}

impl<T: Scalar, const I: usize, const O: usize, A: Activation> Dense<T, I, O, A> {
    /// A layer with the given weights, bias and activation.
    pub const fn new(weights: Matrix<T, O, I>, bias: Vector<T, O>, activation: A) -> Self {
        Self {
            weights,
            bias,
            activation,
        }
    }
}

/// What [`Dense`] keeps from a training forward pass: `z = W·x + b` and `y = A(z)` (the input
/// is passed to [`backward`](Layer::backward) again instead of being copied here).
#[derive(Debug, Clone, Copy)]
pub struct DenseCache<T, const B: usize, const O: usize> {
    /// The pre-activation `z = W·x + b`; after [`backward`](Layer::backward), `∂L/∂z`.
    pub z: Batch<T, B, O>,
    /// The output `y = A(z)`.
    pub output: Batch<T, B, O>,
}

impl<T: Scalar, const I: usize, const O: usize, A> ScalarOf for Dense<T, I, O, A> {
    type Scalar = T;
}

impl<T: Scalar, const I: usize, const O: usize, A: Activation> Parameters<T> for Dense<T, I, O, A> {
    const PARAMS: usize = O * I + O;
    const TENSORS: usize = 2;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        match k {
            0 => Some(TensorSpec::parameter("weight", &[O, I])),
            1 => Some(TensorSpec::parameter("bias", &[O])),
            _ => None,
        }
    }

    fn zeros_like(&self) -> Self {
        Self::new(Matrix::zeros(), Vector::zeros(), self.activation)
    }

    fn visit(&self, f: &mut impl FnMut(&[T])) {
        f(self.weights.as_slice());
        f(self.bias.as_slice());
    }

    fn visit_mut(&mut self, f: &mut impl FnMut(&mut [T])) {
        f(self.weights.as_mut_slice());
        f(self.bias.as_mut_slice());
    }

    fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[T], &[T])) {
        f(self.weights.as_slice(), other.weights.as_slice());
        f(self.bias.as_slice(), other.bias.as_slice());
    }

    fn walk<const K: usize>(
        &mut self,
        grads: &Self,
        mut state: [&mut Self; K],
        f: &mut impl FnMut(&mut [T], &[T], [&mut [T]; K]),
    ) {
        let weights = state.each_mut().map(|s| s.weights.as_mut_slice());
        f(
            self.weights.as_mut_slice(),
            grads.weights.as_slice(),
            weights,
        );
        let bias = state.map(|s| s.bias.as_mut_slice());
        f(self.bias.as_mut_slice(), grads.bias.as_slice(), bias);
    }
}

impl<T: Real, const I: usize, const O: usize, A: Activation> Dense<T, I, O, A> {
    /// `z = X·Wᵀ + b` for a batch (one sample per row), written into `z`: every row starts
    /// from the bias and the products are accumulated into it.
    ///
    /// The blocked matmul kernel wants its right operand row-major, so one side is
    /// transposed: `W` (`O·I` elements) when that is smaller than transposing `X` and the
    /// result (`B·(I + O)`), else `X`, computing `zᵀ = W·Xᵀ + b`. Both give the same sums in
    /// the same order.
    #[inline]
    fn affine_into<const B: usize>(&self, x: &Batch<T, B, I>, z: &mut Batch<T, B, O>) {
        if O * I <= B * (I + O) {
            let mut w_t = Matrix::<T, I, O>::zeros();
            self.weights.transpose_into(&mut w_t);
            for row in z.as_mut_matrix().as_mut_rows() {
                *row = *self.bias.as_array();
            }
            let z = z.as_mut_matrix().as_mut_rows();
            kernels::matmul_add(z, x.as_matrix().as_rows(), w_t.as_rows());
        } else {
            // Written in place (`transpose()` would return it by value: one more copy).
            let mut x_t = Matrix::<T, I, B>::zeros();
            x.as_matrix().transpose_into(&mut x_t);
            let mut z_t = Matrix::<T, O, B>::from_fn(|o, _| self.bias[o]);
            kernels::matmul_add(z_t.as_mut_rows(), self.weights.as_rows(), x_t.as_rows());
            z_t.transpose_into(z.as_mut_matrix());
        }
    }

    /// Turns `cache.z` into `dz = A'(z)ᵀ·dy` and stores `∂L/∂W = dzᵀ·X` and `∂L/∂b = Σₛ dzₛ`
    /// straight into `grads`.
    #[inline]
    fn param_gradients<const B: usize>(
        &self,
        x: &Batch<T, B, I>,
        cache: &mut DenseCache<T, B, O>,
        dy: &Batch<T, B, O>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.activation
            .backward_batch_in_place(&mut cache.z, &cache.output, dy);
        let mut dz_t = Matrix::<T, O, B>::zeros();
        cache.z.as_matrix().transpose_into(&mut dz_t);
        let (dw, x) = (grads.weights.as_mut_rows(), x.as_matrix().as_rows());
        let db = cache.z.sum_over_batch();
        match store {
            Grads::Overwrite => {
                kernels::matmul_set(dw, dz_t.as_rows(), x);
                grads.bias = db;
            }
            Grads::Accumulate => {
                kernels::matmul_add(dw, dz_t.as_rows(), x);
                grads.bias += db;
            }
        }
    }
}

#[diagnostic::do_not_recommend]
impl<T, const I: usize, const O: usize, A> Shape for Dense<T, I, O, A> {
    type In = Size<I>;
    type Out = Size<O>;
}

impl<T: Real, const I: usize, const O: usize, A: Activation> Layer<T> for Dense<T, I, O, A> {
    type Cache<const B: usize> = DenseCache<T, B, O>;

    fn init(&mut self, rng: &mut Rng, init: Init) {
        for w in self.weights.iter_mut() {
            *w = init.sample(rng, I, O);
        }
        self.bias = Vector::zeros();
    }

    #[inline]
    fn predict(&self, x: &Vector<T, I>) -> Vector<T, O> {
        // z = W·x + b, the bias added to each finished dot product.
        let mut z = Vector::zeros();
        let (w, b) = (self.weights.as_rows(), Some(self.bias.as_array()));
        kernels::matvec_rows(w, x.as_array(), b, z.as_mut_array());
        // The activation's loop compiled for AVX2 where the CPU has it (a ReLU of 32 values:
        // four 8-lane instructions instead of SSE2's shuffles), the same operations.
        kernels::vectorized(|| self.activation.forward(&z))
    }

    #[inline]
    fn forward<const B: usize>(&self, x: &Batch<T, B, I>) -> Batch<T, B, O> {
        let mut z = Batch::zeros();
        self.affine_into(x, &mut z);
        self.activation.forward_batch(&z)
    }

    fn new_cache<const B: usize>(&self) -> DenseCache<T, B, O> {
        DenseCache {
            z: Batch::zeros(),
            output: Batch::zeros(),
        }
    }

    #[inline]
    fn forward_train<const B: usize>(&self, x: &Batch<T, B, I>, cache: &mut DenseCache<T, B, O>) {
        self.affine_into(x, &mut cache.z);
        self.activation
            .forward_batch_into(&cache.z, &mut cache.output);
    }

    #[inline]
    fn output<const B: usize>(cache: &DenseCache<T, B, O>) -> &Batch<T, B, O> {
        &cache.output
    }

    #[inline]
    fn backward<const B: usize>(
        &self,
        x: &Batch<T, B, I>,
        cache: &mut DenseCache<T, B, O>,
        dy: &Batch<T, B, O>,
        grads: &mut Self,
        store: Grads,
        dx: &mut Batch<T, B, I>,
    ) {
        self.param_gradients(x, cache, dy, grads, store);
        // ∂L/∂X = dz·W (B × O · O × I)
        kernels::matmul_set(
            dx.as_mut_matrix().as_mut_rows(),
            cache.z.as_matrix().as_rows(),
            self.weights.as_rows(),
        );
    }

    #[inline]
    fn backward_params<const B: usize>(
        &self,
        x: &Batch<T, B, I>,
        cache: &mut DenseCache<T, B, O>,
        dy: &Batch<T, B, O>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.param_gradients(x, cache, dy, grads, store);
    }
}
