//! [`Vector<T, N>`]: `N` numbers whose length is part of the type.

use crate::kernels;
use crate::tensor::elementwise::elementwise;
use crate::{LengthError, Matrix, Real, Scalar};

/// A column vector of `N` elements of type `T`, stored inline (no heap).
///
/// ```
/// use typegrad::Vector;
/// let v = Vector::new([3.0_f32, 4.0]);
/// assert_eq!(v.norm(), 5.0);
/// assert_eq!(v.dot(&v), 25.0);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
// 32-byte aligned on x86-64 and AArch64 (see "Layout" in the `tensor` module docs).
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(32))
)]
pub struct Vector<T, const N: usize> {
    data: [T; N],
}

impl<T, const N: usize> Vector<T, N> {
    /// Number of elements, `N`.
    pub const LEN: usize = N;

    /// Wraps an array: `Vector::new([1.0, 2.0, 3.0])`.
    #[inline]
    pub const fn new(data: [T; N]) -> Self {
        Self { data }
    }

    /// Builds the vector from a function of the index: `vᵢ = f(i)`.
    #[inline]
    pub fn from_fn<F: FnMut(usize) -> T>(f: F) -> Self {
        Self::new(core::array::from_fn(f))
    }

    #[inline]
    pub(crate) fn from_flat_fn<F: FnMut(usize) -> T>(f: F) -> Self {
        Self::from_fn(f)
    }

    /// The number of elements, `N`.
    #[inline]
    pub const fn len(&self) -> usize {
        N
    }

    /// `true` when `N == 0`.
    #[inline]
    pub const fn is_empty(&self) -> bool {
        N == 0
    }

    /// The elements as an array.
    #[inline]
    pub const fn as_array(&self) -> &[T; N] {
        &self.data
    }

    /// The elements as a mutable array.
    #[inline]
    pub fn as_mut_array(&mut self) -> &mut [T; N] {
        &mut self.data
    }

    /// Unwraps the array.
    #[inline]
    pub fn into_array(self) -> [T; N] {
        self.data
    }

    /// The elements as a slice.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        &self.data
    }

    /// The elements as a mutable slice.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// The element at `i`, or `None` when `i ≥ N`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&T> {
        self.data.get(i)
    }
}

impl<T: Scalar, const N: usize> Vector<T, N> {
    /// All elements zero.
    #[inline]
    pub fn zeros() -> Self {
        Self::filled(T::zero())
    }

    /// Every element equal to `value`.
    #[inline]
    pub fn filled(value: T) -> Self {
        Self::new([value; N])
    }

    /// Copies a runtime slice into a vector, checking its length.
    ///
    /// ```
    /// use typegrad::{LengthError, Vector};
    /// let v = Vector::<f32, 3>::try_from_slice(&[1.0, 2.0, 3.0]).unwrap();
    /// assert_eq!(v[2], 3.0);
    /// let err = Vector::<f32, 3>::try_from_slice(&[1.0, 2.0]).unwrap_err();
    /// assert_eq!(err, LengthError { expected: 3, found: 2 });
    /// ```
    pub fn try_from_slice(values: &[T]) -> Result<Self, LengthError> {
        let data: [T; N] = values.try_into().map_err(|_| LengthError {
            expected: N,
            found: values.len(),
        })?;
        Ok(Self::new(data))
    }

    /// Dot product: `x·y = Σ xᵢ·yᵢ`.
    #[inline]
    pub fn dot(&self, other: &Self) -> T {
        kernels::dot(&self.data, &other.data)
    }

    /// Squared Euclidean norm: `‖x‖² = Σ xᵢ²`.
    #[inline]
    pub fn norm_squared(&self) -> T {
        self.dot(self)
    }

    /// Euclidean (L2) norm: `‖x‖₂ = √(Σ xᵢ²)`.
    #[inline]
    pub fn norm(&self) -> T
    where
        T: Real,
    {
        self.norm_squared().sqrt()
    }

    /// L1 norm: `‖x‖₁ = Σ |xᵢ|`.
    #[inline]
    pub fn norm_l1(&self) -> T {
        self.data.iter().fold(T::zero(), |acc, x| acc + x.abs_val())
    }

    /// Maximum norm: `‖x‖∞ = maxᵢ |xᵢ|` (zero for an empty vector).
    #[inline]
    pub fn norm_inf(&self) -> T {
        self.data.iter().fold(T::zero(), |acc, x| {
            let a = x.abs_val();
            if a > acc || a.is_nan_val() { a } else { acc }
        })
    }

    /// Outer product: `(x ⊗ y)ᵢⱼ = xᵢ·yⱼ`, an `N × M` matrix.
    #[inline]
    pub fn outer<const M: usize>(&self, other: &Vector<T, M>) -> Matrix<T, N, M> {
        Matrix::from_fn(|i, j| self.data[i] * other.data[j])
    }

    /// This vector as an `N × 1` matrix (a column).
    #[inline]
    pub fn into_column(self) -> Matrix<T, N, 1> {
        Matrix::from_fn(|i, _| self.data[i])
    }

    /// This vector as a `1 × N` matrix (a row).
    #[inline]
    pub fn into_row(self) -> Matrix<T, 1, N> {
        Matrix::new([self.data])
    }
}

elementwise!(Vector<N>);

impl<T, const N: usize> From<[T; N]> for Vector<T, N> {
    #[inline]
    fn from(data: [T; N]) -> Self {
        Self::new(data)
    }
}

impl<T, const N: usize> From<Vector<T, N>> for [T; N] {
    #[inline]
    fn from(v: Vector<T, N>) -> Self {
        v.data
    }
}

impl<T: Scalar, const N: usize> TryFrom<&[T]> for Vector<T, N> {
    type Error = LengthError;
    #[inline]
    fn try_from(values: &[T]) -> Result<Self, LengthError> {
        Self::try_from_slice(values)
    }
}

impl<T, const N: usize> core::ops::Index<usize> for Vector<T, N> {
    type Output = T;
    #[inline]
    fn index(&self, i: usize) -> &T {
        &self.data[i]
    }
}

impl<T, const N: usize> core::ops::IndexMut<usize> for Vector<T, N> {
    #[inline]
    fn index_mut(&mut self, i: usize) -> &mut T {
        &mut self.data[i]
    }
}

impl<T, const N: usize> AsRef<[T]> for Vector<T, N> {
    #[inline]
    fn as_ref(&self) -> &[T] {
        &self.data
    }
}
