//! Reshaping, concatenation and splitting: sizes the type system computes.
//!
//! The result sizes are computed with typenum and mapped back to plain numbers (see
//! [`crate::shape`]), so the results are ordinary `Vector<T, 12>` / `Matrix<T, 5, 3>` types.
//! A reshape that changes the element count, or a split larger than the tensor, does not
//! compile.

use crate::shape::{
    ColsOf, DiffSize, Known, Minus, Plus, Port, ProdSize, RowsOf, SameSize, Size, SumSize, Times,
    VectorOf,
};
use crate::{Matrix, Scalar, Vector};

impl<T: Scalar, const R: usize, const C: usize> Matrix<T, R, C> {
    /// Flattens row by row into a vector of `R·C` elements.
    ///
    /// ```
    /// use typegrad::{Matrix, Vector};
    /// let m = Matrix::new([[1, 2, 3], [4, 5, 6]]);
    /// let v: Vector<i32, 6> = m.flatten();
    /// assert_eq!(v, Vector::new([1, 2, 3, 4, 5, 6]));
    /// ```
    ///
    /// `S` is the computed size `Size<R·C>`; it is always inferred, never written.
    #[inline]
    pub fn flatten<S: Known>(self) -> VectorOf<T, S>
    where
        Size<R>: Times<Size<C>, Output = S>,
    {
        let xs = self.as_slice();
        S::sample(|i| xs[i])
    }

    /// Reinterprets the elements (row-major) as an `R2 × C2` matrix; `R2·C2` must equal `R·C`
    /// or it does not compile.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let m = Matrix::new([[1, 2, 3], [4, 5, 6]]);
    /// let t: Matrix<i32, 3, 2> = m.reshape();
    /// assert_eq!(t, Matrix::new([[1, 2], [3, 4], [5, 6]]));
    /// ```
    #[inline]
    pub fn reshape<const R2: usize, const C2: usize>(self) -> Matrix<T, R2, C2>
    where
        Size<R>: Times<Size<C>>,
        Size<R2>: Times<Size<C2>>,
        ProdSize<Size<R2>, Size<C2>>: SameSize<ProdSize<Size<R>, Size<C>>>,
    {
        let xs = self.as_slice();
        Matrix::from_flat_fn(|k| xs[k])
    }

    /// Stacks `other` below `self`: an `(R + R2) × C` matrix.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let top = Matrix::new([[1, 2]]);
    /// let bottom = Matrix::new([[3, 4], [5, 6]]);
    /// let m: Matrix<i32, 3, 2> = top.vstack(&bottom);
    /// assert_eq!(m, Matrix::new([[1, 2], [3, 4], [5, 6]]));
    /// ```
    #[inline]
    pub fn vstack<const R2: usize>(
        &self,
        other: &Matrix<T, R2, C>,
    ) -> RowsOf<T, SumSize<Size<R>, Size<R2>>, C>
    where
        Size<R>: Plus<Size<R2>>,
    {
        <SumSize<Size<R>, Size<R2>> as Known>::rows(|i, j| {
            if i < R {
                self[(i, j)]
            } else {
                other[(i - R, j)]
            }
        })
    }

    /// Places `other` to the right of `self`: an `R × (C + C2)` matrix.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let m: Matrix<i32, 2, 3> = Matrix::new([[1], [4]]).hstack(&Matrix::new([[2, 3], [5, 6]]));
    /// assert_eq!(m, Matrix::new([[1, 2, 3], [4, 5, 6]]));
    /// ```
    #[inline]
    pub fn hstack<const C2: usize>(
        &self,
        other: &Matrix<T, R, C2>,
    ) -> ColsOf<T, SumSize<Size<C>, Size<C2>>, R>
    where
        Size<C>: Plus<Size<C2>>,
    {
        <SumSize<Size<C>, Size<C2>> as Known>::cols(|i, j| {
            if j < C {
                self[(i, j)]
            } else {
                other[(i, j - C)]
            }
        })
    }

    /// Splits off the first `K` rows: `(K × C, (R − K) × C)`. `K > R` does not compile.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let (top, rest) = Matrix::new([[1, 2], [3, 4], [5, 6]]).split_rows::<1>();
    /// assert_eq!(top, Matrix::new([[1, 2]]));
    /// assert_eq!(rest, Matrix::new([[3, 4], [5, 6]]));
    /// ```
    #[inline]
    pub fn split_rows<const K: usize>(
        &self,
    ) -> (Matrix<T, K, C>, RowsOf<T, DiffSize<Size<R>, Size<K>>, C>)
    where
        Size<R>: Minus<Size<K>>,
    {
        (
            Matrix::from_fn(|i, j| self[(i, j)]),
            <DiffSize<Size<R>, Size<K>> as Known>::rows(|i, j| self[(K + i, j)]),
        )
    }

    /// Splits off the first `K` columns: `(R × K, R × (C − K))`. `K > C` does not compile.
    #[inline]
    pub fn split_columns<const K: usize>(
        &self,
    ) -> (Matrix<T, R, K>, ColsOf<T, DiffSize<Size<C>, Size<K>>, R>)
    where
        Size<C>: Minus<Size<K>>,
    {
        (
            Matrix::from_fn(|i, j| self[(i, j)]),
            <DiffSize<Size<C>, Size<K>> as Known>::cols(|i, j| self[(i, K + j)]),
        )
    }
}

impl<T: Scalar, const N: usize> Vector<T, N> {
    /// Reinterprets the elements as an `R × C` matrix, row by row; `R·C` must equal `N` or it
    /// does not compile.
    ///
    /// ```
    /// use typegrad::{Matrix, Vector};
    /// let m: Matrix<i32, 2, 2> = Vector::new([1, 2, 3, 4]).reshape();
    /// assert_eq!(m, Matrix::new([[1, 2], [3, 4]]));
    /// ```
    #[inline]
    pub fn reshape<const R: usize, const C: usize>(self) -> Matrix<T, R, C>
    where
        Size<R>: Times<Size<C>>,
        ProdSize<Size<R>, Size<C>>: SameSize<Size<N>>,
    {
        let xs = self.as_slice();
        Matrix::from_flat_fn(|k| xs[k])
    }

    /// Appends `other`: a vector of `N + M` elements.
    ///
    /// ```
    /// use typegrad::Vector;
    /// let v: Vector<i32, 5> = Vector::new([1, 2]).concat(&Vector::new([3, 4, 5]));
    /// assert_eq!(v, Vector::new([1, 2, 3, 4, 5]));
    /// ```
    #[inline]
    pub fn concat<const M: usize>(
        &self,
        other: &Vector<T, M>,
    ) -> VectorOf<T, SumSize<Size<N>, Size<M>>>
    where
        Size<N>: Plus<Size<M>>,
    {
        <SumSize<Size<N>, Size<M>> as Port>::sample(|i| if i < N { self[i] } else { other[i - N] })
    }

    /// Splits off the first `K` elements: `(K, N − K)`. `K > N` does not compile.
    ///
    /// ```
    /// use typegrad::Vector;
    /// let (head, tail) = Vector::new([1, 2, 3, 4, 5]).split::<2>();
    /// assert_eq!(head, Vector::new([1, 2]));
    /// assert_eq!(tail, Vector::new([3, 4, 5]));
    /// ```
    #[inline]
    pub fn split<const K: usize>(&self) -> (Vector<T, K>, VectorOf<T, DiffSize<Size<N>, Size<K>>>)
    where
        Size<N>: Minus<Size<K>>,
    {
        (
            Vector::from_fn(|i| self[i]),
            <DiffSize<Size<N>, Size<K>> as Port>::sample(|i| self[K + i]),
        )
    }
}
