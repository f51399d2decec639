//! [`Matrix<T, R, C>`]: `R × C` numbers whose shape is part of the type.

use crate::kernels;
use crate::tensor::elementwise::elementwise;
use crate::{LengthError, Real, Scalar, Vector};

/// An `R × C` matrix of `T`, stored inline in row-major order (no heap).
///
/// ```
/// use typegrad::{Matrix, Vector};
/// let w = Matrix::new([[1.0_f32, 2.0], [3.0, 4.0], [5.0, 6.0]]); // 3 × 2
/// let x = Vector::new([1.0, -1.0]);
/// assert_eq!(w.matvec(&x), Vector::new([-1.0, -1.0, -1.0]));
/// assert_eq!(w.transpose().matmul(&w), Matrix::new([[35.0, 44.0], [44.0, 56.0]]));
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
// 32-byte aligned on x86-64 and AArch64 (see "Layout" in the `tensor` module docs).
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(32))
)]
pub struct Matrix<T, const R: usize, const C: usize> {
    data: [[T; C]; R],
}

impl<T, const R: usize, const C: usize> Matrix<T, R, C> {
    /// Number of rows, `R`.
    pub const ROWS: usize = R;
    /// Number of columns, `C`.
    pub const COLS: usize = C;
    /// Number of elements, `R·C`.
    pub const LEN: usize = R * C;

    /// Wraps nested arrays, one inner array per row: `Matrix::new([[1, 2], [3, 4]])`.
    #[inline]
    pub const fn new(rows: [[T; C]; R]) -> Self {
        Self { data: rows }
    }

    /// Builds the matrix from a function of (row, column): `mᵢⱼ = f(i, j)`.
    #[inline]
    pub fn from_fn<F: FnMut(usize, usize) -> T>(mut f: F) -> Self {
        Self::new(core::array::from_fn(|i| core::array::from_fn(|j| f(i, j))))
    }

    #[inline]
    pub(crate) fn from_flat_fn<F: FnMut(usize) -> T>(mut f: F) -> Self {
        Self::from_fn(|i, j| f(i * C + j))
    }

    /// The shape `(R, C)`.
    #[inline]
    pub const fn shape(&self) -> (usize, usize) {
        (R, C)
    }

    /// The rows as nested arrays.
    #[inline]
    pub const fn as_rows(&self) -> &[[T; C]; R] {
        &self.data
    }

    /// The rows as mutable nested arrays.
    #[inline]
    pub fn as_mut_rows(&mut self) -> &mut [[T; C]; R] {
        &mut self.data
    }

    /// Unwraps the nested arrays.
    #[inline]
    pub fn into_rows(self) -> [[T; C]; R] {
        self.data
    }

    /// All elements in row-major order.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.data.as_flattened()
    }

    /// All elements in row-major order, mutable.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.data.as_flattened_mut()
    }

    /// The element at row `i`, column `j`, or `None` when out of range.
    #[inline]
    pub fn get(&self, i: usize, j: usize) -> Option<&T> {
        self.data.get(i).and_then(|row| row.get(j))
    }
}

impl<T: Scalar, const R: usize, const C: usize> Matrix<T, R, C> {
    /// All elements zero.
    #[inline]
    pub fn zeros() -> Self {
        Self::filled(T::zero())
    }

    /// Every element equal to `value`.
    #[inline]
    pub fn filled(value: T) -> Self {
        Self::new([[value; C]; R])
    }

    /// Copies a runtime slice of `R·C` elements (row-major) into a matrix, checking its length.
    ///
    /// ```
    /// use typegrad::{LengthError, Matrix};
    /// let m = Matrix::<f64, 2, 2>::try_from_slice(&[1.0, 2.0, 3.0, 4.0]).unwrap();
    /// assert_eq!(m[(1, 0)], 3.0);
    /// assert_eq!(
    ///     Matrix::<f64, 2, 2>::try_from_slice(&[1.0; 5]),
    ///     Err(LengthError { expected: 4, found: 5 })
    /// );
    /// ```
    pub fn try_from_slice(values: &[T]) -> Result<Self, LengthError> {
        if values.len() != R * C {
            return Err(LengthError {
                expected: R * C,
                found: values.len(),
            });
        }
        Ok(Self::from_flat_fn(|k| values[k]))
    }

    /// Stacks `R` vectors as the rows of a matrix.
    #[inline]
    pub fn from_rows(rows: [Vector<T, C>; R]) -> Self {
        Self::new(rows.map(Vector::into_array))
    }

    /// Places `C` vectors side by side as the columns of a matrix: `mᵢⱼ = colsⱼ[i]`.
    #[inline]
    pub fn from_columns(cols: [Vector<T, R>; C]) -> Self {
        Self::from_fn(|i, j| cols[j][i])
    }

    /// Row `i` as a vector. Panics if `i ≥ R` (like slice indexing).
    #[inline]
    pub fn row(&self, i: usize) -> Vector<T, C> {
        Vector::new(self.data[i])
    }

    /// Column `j` as a vector. Panics if `j ≥ C` (like slice indexing).
    #[inline]
    pub fn column(&self, j: usize) -> Vector<T, R> {
        Vector::from_fn(|i| self.data[i][j])
    }

    /// Transpose: `(Mᵀ)ᵢⱼ = Mⱼᵢ`.
    #[inline]
    pub fn transpose(&self) -> Matrix<T, C, R> {
        let mut out = Matrix::<T, C, R>::zeros();
        self.transpose_into(&mut out);
        out
    }

    /// Writes the transpose into `out` (`outⱼᵢ = Mᵢⱼ`), without a temporary.
    #[inline]
    pub fn transpose_into(&self, out: &mut Matrix<T, C, R>) {
        kernels::transpose(&self.data, &mut out.data);
    }

    /// Matrix product `(R × C) · (C × K) → R × K`: `(AB)ᵢⱼ = Σₖ Aᵢₖ·Bₖⱼ`.
    ///
    /// The inner sizes must agree or it does not compile.
    #[inline]
    pub fn matmul<const K: usize>(&self, rhs: &Matrix<T, C, K>) -> Matrix<T, R, K> {
        let mut out = Matrix::<T, R, K>::zeros();
        kernels::matmul_set(&mut out.data, &self.data, &rhs.data);
        out
    }

    /// Matrix–vector product `(R × C) · C → R`: `(Mx)ᵢ = Σⱼ Mᵢⱼ·xⱼ`.
    #[inline]
    pub fn matvec(&self, x: &Vector<T, C>) -> Vector<T, R> {
        let mut out = Vector::<T, R>::zeros();
        kernels::matvec_rows(&self.data, x.as_array(), None, out.as_mut_array());
        out
    }

    /// Transposed matrix–vector product `(C × R) · R → C`: `(Mᵀy)ⱼ = Σᵢ Mᵢⱼ·yᵢ`,
    /// without building `Mᵀ`.
    #[inline]
    pub fn transpose_matvec(&self, y: &Vector<T, R>) -> Vector<T, C> {
        let mut out = Vector::<T, C>::zeros();
        for (row, &yi) in self.data.iter().zip(y.as_array()) {
            for (o, &m) in out.iter_mut().zip(row) {
                *o = *o + m * yi;
            }
        }
        out
    }

    /// Adds `v` to every column (broadcast over columns): `(M + v)ᵢⱼ = Mᵢⱼ + vᵢ`.
    ///
    /// This is the `+ b` of `Z = W·A + b` when the samples of `A` are its columns;
    /// `v` must have one element per row or it does not compile.
    #[inline]
    pub fn add_column(&self, v: &Vector<T, R>) -> Self {
        Self::from_fn(|i, j| self.data[i][j] + v[i])
    }

    /// Adds `v` to every row (broadcast over rows): `(M + v)ᵢⱼ = Mᵢⱼ + vⱼ`.
    #[inline]
    pub fn add_row(&self, v: &Vector<T, C>) -> Self {
        Self::from_fn(|i, j| self.data[i][j] + v[j])
    }

    /// Sum of each row: `sᵢ = Σⱼ Mᵢⱼ` (reduces along the columns).
    #[inline]
    pub fn row_sums(&self) -> Vector<T, R> {
        Vector::from_fn(|i| kernels::sum(&self.data[i]))
    }

    /// Sum of each column: `sⱼ = Σᵢ Mᵢⱼ` (reduces along the rows).
    #[inline]
    pub fn column_sums(&self) -> Vector<T, C> {
        let mut out = Vector::<T, C>::zeros();
        for row in &self.data {
            out += &Vector::new(*row);
        }
        out
    }

    /// Mean of each row: `Σⱼ Mᵢⱼ / C`.
    #[inline]
    pub fn row_means(&self) -> Vector<T, R> {
        self.row_sums() / T::from_count(C)
    }

    /// Mean of each column: `Σᵢ Mᵢⱼ / R`.
    #[inline]
    pub fn column_means(&self) -> Vector<T, C> {
        self.column_sums() / T::from_count(R)
    }

    /// Largest element of each row. Does not compile when `C == 0`.
    #[inline]
    pub fn row_max(&self) -> Vector<T, R> {
        let idx = self.row_argmax();
        Vector::from_fn(|i| self.data[i][idx[i]])
    }

    /// Largest element of each column. Does not compile when `R == 0`.
    #[inline]
    pub fn column_max(&self) -> Vector<T, C> {
        let idx = self.column_argmax();
        Vector::from_fn(|j| self.data[idx[j]][j])
    }

    /// Column index of the largest element of each row (first on ties; a NaN wins).
    /// Does not compile when `C == 0`.
    #[inline]
    pub fn row_argmax(&self) -> [usize; R] {
        const { assert!(C > 0, "a row with no columns has no largest element") };
        core::array::from_fn(|i| kernels::argmax(&self.data[i]).unwrap_or(0))
    }

    /// Row index of the largest element of each column (first on ties; a NaN wins).
    /// Does not compile when `R == 0`.
    #[inline]
    pub fn column_argmax(&self) -> [usize; C] {
        const { assert!(R > 0, "a column with no rows has no largest element") };
        core::array::from_fn(|j| self.column(j).argmax())
    }

    /// Frobenius norm: `‖M‖_F = √(Σᵢⱼ Mᵢⱼ²)`.
    #[inline]
    pub fn norm(&self) -> T
    where
        T: Real,
    {
        kernels::dot(self.as_slice(), self.as_slice()).sqrt()
    }
}

impl<T: Scalar, const N: usize> Matrix<T, N, N> {
    /// The identity matrix: ones on the diagonal, zeros elsewhere.
    #[inline]
    pub fn identity() -> Self {
        Self::from_fn(|i, j| if i == j { T::one() } else { T::zero() })
    }

    /// Sum of the diagonal: `tr(M) = Σᵢ Mᵢᵢ`.
    #[inline]
    pub fn trace(&self) -> T {
        (0..N).fold(T::zero(), |acc, i| acc + self.data[i][i])
    }
}

elementwise!(Matrix<R, C>);

impl<T: Scalar, const R: usize, const C: usize, const K: usize> core::ops::Mul<Matrix<T, C, K>>
    for Matrix<T, R, C>
{
    type Output = Matrix<T, R, K>;
    /// Matrix product, see [`Matrix::matmul`].
    #[inline]
    fn mul(self, rhs: Matrix<T, C, K>) -> Matrix<T, R, K> {
        self.matmul(&rhs)
    }
}

impl<T: Scalar, const R: usize, const C: usize> core::ops::Mul<Vector<T, C>> for Matrix<T, R, C> {
    type Output = Vector<T, R>;
    /// Matrix–vector product, see [`Matrix::matvec`].
    #[inline]
    fn mul(self, x: Vector<T, C>) -> Vector<T, R> {
        self.matvec(&x)
    }
}

impl<T, const R: usize, const C: usize> From<[[T; C]; R]> for Matrix<T, R, C> {
    #[inline]
    fn from(rows: [[T; C]; R]) -> Self {
        Self::new(rows)
    }
}

impl<T: Scalar, const R: usize, const C: usize> TryFrom<&[T]> for Matrix<T, R, C> {
    type Error = LengthError;
    #[inline]
    fn try_from(values: &[T]) -> Result<Self, LengthError> {
        Self::try_from_slice(values)
    }
}

impl<T, const R: usize, const C: usize> core::ops::Index<(usize, usize)> for Matrix<T, R, C> {
    type Output = T;
    #[inline]
    fn index(&self, (i, j): (usize, usize)) -> &T {
        &self.data[i][j]
    }
}

impl<T, const R: usize, const C: usize> core::ops::IndexMut<(usize, usize)> for Matrix<T, R, C> {
    #[inline]
    fn index_mut(&mut self, (i, j): (usize, usize)) -> &mut T {
        &mut self.data[i][j]
    }
}
