//! [`Batch<T, B, N>`]: a mini-batch of `B` samples with `N` features each, both sizes in the type.

use crate::tensor::elementwise::elementwise;
use crate::{LengthError, Matrix, Scalar, Vector};

/// `B` samples of `N` features each, stored inline, one sample per row.
///
/// The batch size is part of the type, so a batch of 32 cannot be passed where a batch of 16
/// is expected, and the feature count must match the layer it feeds.
///
/// ```
/// use typegrad::{Batch, Matrix, Vector};
/// let x = Batch::from_samples([Vector::new([1.0_f32, 2.0]), Vector::new([3.0, 4.0])]);
/// let w = Matrix::new([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]]); // 3 outputs × 2 inputs
/// let b = Vector::new([0.5, 0.5, 0.5]);
/// let y = w.apply_batch(&x).add_bias(&b); // y_s = W·x_s + b for each sample s
/// assert_eq!(y.sample(1), Vector::new([3.5, 8.5, 7.5]));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
// 32-byte aligned on x86-64 and AArch64 (see "Layout" in the `tensor` module docs).
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(32))
)]
pub struct Batch<T, const B: usize, const N: usize> {
    samples: Matrix<T, B, N>,
}

impl<T, const B: usize, const N: usize> Batch<T, B, N> {
    /// Number of samples, `B`.
    pub const SIZE: usize = B;
    /// Number of features per sample, `N`.
    pub const FEATURES: usize = N;
    /// Number of elements, `B·N`.
    pub const LEN: usize = B * N;

    /// Views a `B × N` matrix (one sample per row) as a batch.
    #[inline]
    pub const fn from_matrix(samples: Matrix<T, B, N>) -> Self {
        Self { samples }
    }

    /// Builds the batch from a function of (sample, feature).
    #[inline]
    pub fn from_fn<F: FnMut(usize, usize) -> T>(f: F) -> Self {
        Self::from_matrix(Matrix::from_fn(f))
    }

    #[inline]
    pub(crate) fn from_flat_fn<F: FnMut(usize) -> T>(f: F) -> Self {
        Self::from_matrix(Matrix::from_flat_fn(f))
    }

    /// The samples as a `B × N` matrix (one sample per row).
    #[inline]
    pub const fn as_matrix(&self) -> &Matrix<T, B, N> {
        &self.samples
    }

    /// The samples as a mutable `B × N` matrix (one sample per row).
    #[inline]
    pub fn as_mut_matrix(&mut self) -> &mut Matrix<T, B, N> {
        &mut self.samples
    }

    /// Unwraps the `B × N` matrix (one sample per row).
    #[inline]
    pub fn into_matrix(self) -> Matrix<T, B, N> {
        self.samples
    }

    /// All elements, sample after sample.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.samples.as_slice()
    }

    /// All elements, sample after sample, mutable.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.samples.as_mut_slice()
    }

    /// The features of sample `s` as an array reference. Panics if `s ≥ B`.
    #[inline]
    pub fn sample_array(&self, s: usize) -> &[T; N] {
        &self.samples.as_rows()[s]
    }

    /// Iterates over the samples as arrays.
    #[inline]
    pub fn samples(&self) -> core::slice::Iter<'_, [T; N]> {
        self.samples.as_rows().iter()
    }
}

impl<T: Scalar, const B: usize, const N: usize> Batch<T, B, N> {
    /// All elements zero.
    #[inline]
    pub fn zeros() -> Self {
        Self::from_matrix(Matrix::zeros())
    }

    /// Every element equal to `value`.
    #[inline]
    pub fn filled(value: T) -> Self {
        Self::from_matrix(Matrix::filled(value))
    }

    /// Collects `B` sample vectors into a batch.
    #[inline]
    pub fn from_samples(samples: [Vector<T, N>; B]) -> Self {
        Self::from_matrix(Matrix::from_rows(samples))
    }

    /// Copies `B·N` values (sample after sample) into a batch, checking the length.
    pub fn try_from_slice(values: &[T]) -> Result<Self, LengthError> {
        Matrix::try_from_slice(values).map(Self::from_matrix)
    }

    /// Sample `s` as a vector. Panics if `s ≥ B`.
    #[inline]
    pub fn sample(&self, s: usize) -> Vector<T, N> {
        self.samples.row(s)
    }

    /// Broadcast add of a bias to every sample: `yₛ = xₛ + b`.
    ///
    /// `b` must have one element per feature or it does not compile.
    #[inline]
    pub fn add_bias(&self, b: &Vector<T, N>) -> Self {
        Self::from_matrix(self.samples.add_row(b))
    }

    /// Sum over the batch, per feature: `Σₛ xₛ`.
    #[inline]
    pub fn sum_over_batch(&self) -> Vector<T, N> {
        self.samples.column_sums()
    }

    /// Mean over the batch, per feature: `Σₛ xₛ / B`.
    #[inline]
    pub fn mean_over_batch(&self) -> Vector<T, N> {
        self.samples.column_means()
    }

    /// The index of the largest feature of each sample (e.g. the predicted class).
    #[inline]
    pub fn argmax_per_sample(&self) -> [usize; B] {
        self.samples.row_argmax()
    }
}

impl<T: Scalar, const O: usize, const I: usize> Matrix<T, O, I> {
    /// Applies this `O × I` matrix to every sample of a batch: `yₛ = W·xₛ`
    /// (equivalently `Y = X·Wᵀ` with samples as rows).
    ///
    /// The batch's feature count must equal the matrix's column count or it does not compile.
    #[inline]
    pub fn apply_batch<const B: usize>(&self, x: &Batch<T, B, I>) -> Batch<T, B, O> {
        Batch::from_matrix(x.as_matrix().matmul(&self.transpose()))
    }
}

elementwise!(Batch<B, N>);

impl<T, const B: usize, const N: usize> From<Matrix<T, B, N>> for Batch<T, B, N> {
    #[inline]
    fn from(m: Matrix<T, B, N>) -> Self {
        Self::from_matrix(m)
    }
}

impl<T, const B: usize, const N: usize> core::ops::Index<(usize, usize)> for Batch<T, B, N> {
    type Output = T;
    /// The element at (sample, feature).
    #[inline]
    fn index(&self, idx: (usize, usize)) -> &T {
        &self.samples[idx]
    }
}

impl<T, const B: usize, const N: usize> core::ops::IndexMut<(usize, usize)> for Batch<T, B, N> {
    #[inline]
    fn index_mut(&mut self, idx: (usize, usize)) -> &mut T {
        &mut self.samples[idx]
    }
}
