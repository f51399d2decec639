//! Conversions between typegrad's tensors and nalgebra's statically sized matrices
//! (feature `nalgebra`, no_std).
//!
//! | typegrad | nalgebra | by value | by reference |
//! |---|---|---|---|
//! | [`Matrix<T, R, C>`] | [`SMatrix<T, R, C>`] | `From` both ways | [`Matrix::to_nalgebra`], [`Matrix::from_nalgebra`] |
//! | [`Vector<T, N>`] | [`SVector<T, N>`] | `From` both ways | [`Vector::to_nalgebra`], [`Vector::from_nalgebra`] |
//!
//! Sizes are checked by the type system: `R`, `C` and `N` are the same const parameters on
//! both sides, so only a conversion between equal shapes compiles.
//!
//! typegrad stores a matrix row by row (`[[T; C]; R]`), nalgebra column by column
//! (`[[T; R]; C]`). A matrix conversion therefore copies the `R·C` elements into the other
//! layout; element `(i, j)` stays element `(i, j)`. A vector has one column, which is laid
//! out the same way in both libraries, so a vector conversion only moves the array.

use ::nalgebra::{ArrayStorage, SMatrix, SVector};

use crate::{Matrix, Vector};

/// The `R × C` array of `rows` in nalgebra's column-major storage.
fn column_major<T: Copy, const R: usize, const C: usize>(rows: &[[T; C]; R]) -> SMatrix<T, R, C> {
    SMatrix::from_array_storage(ArrayStorage(core::array::from_fn(|j| {
        core::array::from_fn(|i| rows[i][j])
    })))
}

/// The `R × C` matrix `m` in typegrad's row-major storage.
fn row_major<T: Copy, const R: usize, const C: usize>(m: &SMatrix<T, R, C>) -> Matrix<T, R, C> {
    let columns = &m.data.0;
    Matrix::from_fn(|i, j| columns[j][i])
}

impl<T: Copy, const R: usize, const C: usize> Matrix<T, R, C> {
    /// A copy as a nalgebra [`SMatrix`] (feature `nalgebra`): element `(i, j)` stays element
    /// `(i, j)`.
    ///
    /// nalgebra stores matrices column by column and typegrad row by row, so this copies the
    /// `R·C` elements into the other layout.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let m = Matrix::new([[1.0_f32, 2.0, 3.0], [4.0, 5.0, 6.0]]); // 2 × 3
    /// let n: nalgebra::SMatrix<f32, 2, 3> = m.to_nalgebra();
    /// assert_eq!(n, nalgebra::SMatrix::<f32, 2, 3>::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
    /// assert_eq!(n[(1, 0)], m[(1, 0)]);
    /// assert_eq!(Matrix::from_nalgebra(&n), m);
    /// ```
    #[inline]
    pub fn to_nalgebra(&self) -> SMatrix<T, R, C> {
        column_major(self.as_rows())
    }

    /// A copy of a nalgebra [`SMatrix`] (feature `nalgebra`): element `(i, j)` stays element
    /// `(i, j)`.
    ///
    /// Copies the `R·C` elements from nalgebra's column-major layout into typegrad's row-major
    /// one. The shapes are checked by the type system: an `SMatrix<f32, 3, 4>` cannot become a
    /// `Matrix<f32, 4, 3>`.
    ///
    /// ```compile_fail,E0308
    /// use typegrad::Matrix;
    /// let n = nalgebra::SMatrix::<f32, 3, 4>::zeros();
    /// let m: Matrix<f32, 4, 3> = Matrix::from_nalgebra(&n); // 3 × 4 is not 4 × 3
    /// ```
    ///
    /// Transpose on either side first to mean it: `Matrix::from_nalgebra(&n.transpose())`.
    #[inline]
    pub fn from_nalgebra(m: &SMatrix<T, R, C>) -> Self {
        row_major(m)
    }
}

/// Copies the `R·C` elements into nalgebra's column-major layout; element `(i, j)` stays
/// element `(i, j)`.
///
/// ```
/// use typegrad::Matrix;
/// let n: nalgebra::SMatrix<f64, 2, 2> = Matrix::new([[1.0, 2.0], [3.0, 4.0]]).into();
/// assert_eq!(n, nalgebra::SMatrix::<f64, 2, 2>::from_row_slice(&[1.0, 2.0, 3.0, 4.0]));
/// ```
///
/// Shapes must agree, which the compiler checks:
///
/// ```compile_fail,E0277
/// use typegrad::Matrix;
/// let n: nalgebra::SMatrix<f32, 4, 3> = Matrix::<f32, 3, 4>::zeros().into();
/// ```
impl<T: Copy, const R: usize, const C: usize> From<Matrix<T, R, C>> for SMatrix<T, R, C> {
    #[inline]
    fn from(m: Matrix<T, R, C>) -> Self {
        column_major(m.as_rows())
    }
}

/// Copies the `R·C` elements into nalgebra's column-major layout (as
/// [`Matrix::to_nalgebra`]).
impl<T: Copy, const R: usize, const C: usize> From<&Matrix<T, R, C>> for SMatrix<T, R, C> {
    #[inline]
    fn from(m: &Matrix<T, R, C>) -> Self {
        column_major(m.as_rows())
    }
}

/// Copies the `R·C` elements into typegrad's row-major layout; element `(i, j)` stays
/// element `(i, j)`.
///
/// ```
/// use typegrad::Matrix;
/// let n = nalgebra::SMatrix::<f64, 2, 3>::from_row_slice(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
/// let m: Matrix<f64, 2, 3> = n.into();
/// assert_eq!(m.as_rows(), &[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]);
/// ```
///
/// An `SMatrix<f32, 3, 4>` cannot become a `Matrix<f32, 4, 3>`:
///
/// ```compile_fail,E0277
/// use typegrad::Matrix;
/// let m: Matrix<f32, 4, 3> = nalgebra::SMatrix::<f32, 3, 4>::zeros().into();
/// ```
impl<T: Copy, const R: usize, const C: usize> From<SMatrix<T, R, C>> for Matrix<T, R, C> {
    #[inline]
    fn from(m: SMatrix<T, R, C>) -> Self {
        row_major(&m)
    }
}

/// Copies the `R·C` elements into typegrad's row-major layout (as [`Matrix::from_nalgebra`]).
impl<T: Copy, const R: usize, const C: usize> From<&SMatrix<T, R, C>> for Matrix<T, R, C> {
    #[inline]
    fn from(m: &SMatrix<T, R, C>) -> Self {
        row_major(m)
    }
}

impl<T: Copy, const N: usize> Vector<T, N> {
    /// A copy as a nalgebra [`SVector`] (a column vector, feature `nalgebra`): element `i`
    /// stays element `i`.
    ///
    /// ```
    /// use typegrad::Vector;
    /// let v = Vector::new([1.0_f32, -2.0, 3.0]);
    /// let n = v.to_nalgebra();
    /// assert_eq!(n, nalgebra::SVector::<f32, 3>::from_column_slice(&[1.0, -2.0, 3.0]));
    /// assert_eq!(Vector::from_nalgebra(&n), v);
    /// ```
    #[inline]
    pub fn to_nalgebra(&self) -> SVector<T, N> {
        SVector::from_array_storage(ArrayStorage([*self.as_array()]))
    }

    /// A copy of a nalgebra [`SVector`] (feature `nalgebra`): element `i` stays element `i`.
    /// The length is checked by the type system.
    ///
    /// ```compile_fail,E0308
    /// use typegrad::Vector;
    /// let v: Vector<f32, 4> = Vector::from_nalgebra(&nalgebra::SVector::<f32, 3>::zeros());
    /// ```
    #[inline]
    pub fn from_nalgebra(v: &SVector<T, N>) -> Self {
        Vector::new(v.data.0[0])
    }
}

/// Moves the `N` elements into a nalgebra column vector (the layout is the same).
///
/// ```
/// use typegrad::Vector;
/// let n: nalgebra::SVector<f64, 2> = Vector::new([1.0, 2.0]).into();
/// assert_eq!(n, nalgebra::SVector::<f64, 2>::from_column_slice(&[1.0, 2.0]));
/// ```
impl<T, const N: usize> From<Vector<T, N>> for SVector<T, N> {
    #[inline]
    fn from(v: Vector<T, N>) -> Self {
        SVector::from_array_storage(ArrayStorage([v.into_array()]))
    }
}

/// Moves the `N` elements of a nalgebra column vector into a [`Vector`] (the layout is the
/// same).
///
/// ```
/// use typegrad::Vector;
/// let v: Vector<f64, 2> = nalgebra::SVector::<f64, 2>::from_column_slice(&[1.0, 2.0]).into();
/// assert_eq!(v, Vector::new([1.0, 2.0]));
/// ```
impl<T, const N: usize> From<SVector<T, N>> for Vector<T, N> {
    #[inline]
    fn from(v: SVector<T, N>) -> Self {
        let ArrayStorage([column]) = v.data;
        Vector::new(column)
    }
}
