//! Element-wise operations and whole-tensor reductions, the same for every tensor type.
//!
//! Each tensor type provides `as_slice`, `as_mut_slice`, `from_flat_fn` and a `LEN`
//! constant; [`elementwise!`](macro@elementwise) adds the rest on top.

/// Implements element-wise operations, reductions and operators for a tensor type.
macro_rules! elementwise {
    ($name:ident < $($c:ident),+ >) => {
        impl<T: $crate::Scalar, $(const $c: usize),+> $name<T, $($c),+> {
            /// Applies `f` to every element: `yᵢ = f(xᵢ)`.
            #[inline]
            pub fn map<U, F: FnMut(T) -> U>(&self, mut f: F) -> $name<U, $($c),+> {
                let xs = self.as_slice();
                $name::from_flat_fn(|i| f(xs[i]))
            }

            /// Combines two tensors of the same shape element by element: `zᵢ = f(xᵢ, yᵢ)`.
            #[inline]
            pub fn zip_map<U: Copy, V, F: FnMut(T, U) -> V>(
                &self,
                other: &$name<U, $($c),+>,
                mut f: F,
            ) -> $name<V, $($c),+> {
                let (xs, ys) = (self.as_slice(), other.as_slice());
                $name::from_flat_fn(|i| f(xs[i], ys[i]))
            }

            /// Hadamard (element-wise) product: `zᵢ = xᵢ·yᵢ`.
            #[inline]
            pub fn hadamard(&self, other: &Self) -> Self {
                self.zip_map(other, |x, y| x * y)
            }

            /// Multiplies every element by `k`: `yᵢ = k·xᵢ`.
            #[inline]
            pub fn scale(&self, k: T) -> Self {
                self.map(|x| x * k)
            }

            /// Sum of all elements: `Σ xᵢ`.
            #[inline]
            pub fn sum(&self) -> T {
                $crate::kernels::sum(self.as_slice())
            }

            /// Mean of all elements: `Σ xᵢ / n`. Does not compile for an empty tensor.
            #[inline]
            pub fn mean(&self) -> T {
                const { assert!(Self::LEN > 0, "the mean of an empty tensor is undefined") };
                self.sum() / T::from_count(Self::LEN)
            }

            /// Largest element (a NaN, if any, is returned). Does not compile for an empty tensor.
            #[inline]
            pub fn max(&self) -> T {
                self.as_slice()[self.argmax()]
            }

            /// Smallest element (a NaN, if any, is returned). Does not compile for an empty tensor.
            #[inline]
            pub fn min(&self) -> T {
                self.as_slice()[self.argmin()]
            }

            /// Row-major index of the largest element (first on ties; a NaN wins).
            /// Does not compile for an empty tensor.
            #[inline]
            pub fn argmax(&self) -> usize {
                const { assert!(Self::LEN > 0, "an empty tensor has no largest element") };
                $crate::kernels::argmax(self.as_slice()).unwrap_or(0)
            }

            /// Row-major index of the smallest element (first on ties; a NaN wins).
            /// Does not compile for an empty tensor.
            #[inline]
            pub fn argmin(&self) -> usize {
                const { assert!(Self::LEN > 0, "an empty tensor has no smallest element") };
                $crate::kernels::argmin(self.as_slice()).unwrap_or(0)
            }

            /// `true` when every element is a finite number (no NaN, no ±∞).
            #[inline]
            pub fn is_finite(&self) -> bool
            where
                T: $crate::Real,
            {
                self.as_slice().iter().all(|x| x.is_finite())
            }

            /// Iterates over the elements in row-major order.
            #[inline]
            pub fn iter(&self) -> core::slice::Iter<'_, T> {
                self.as_slice().iter()
            }

            /// Iterates mutably over the elements in row-major order.
            #[inline]
            pub fn iter_mut(&mut self) -> core::slice::IterMut<'_, T> {
                self.as_mut_slice().iter_mut()
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> Default for $name<T, $($c),+> {
            /// All zeros.
            fn default() -> Self {
                Self::from_flat_fn(|_| T::zero())
            }
        }

        $crate::tensor::elementwise::elementwise!(@binop $name<$($c),+>, Add, add, AddAssign, add_assign, +);
        $crate::tensor::elementwise::elementwise!(@binop $name<$($c),+>, Sub, sub, SubAssign, sub_assign, -);

        impl<T: $crate::Scalar + core::ops::Neg<Output = T>, $(const $c: usize),+> core::ops::Neg
            for $name<T, $($c),+>
        {
            type Output = Self;
            /// Negates every element.
            #[inline]
            fn neg(self) -> Self {
                self.map(|x| -x)
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::Mul<T> for $name<T, $($c),+> {
            type Output = Self;
            /// Multiplies every element by a scalar.
            #[inline]
            fn mul(self, k: T) -> Self {
                self.scale(k)
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::Div<T> for $name<T, $($c),+> {
            type Output = Self;
            /// Divides every element by a scalar.
            #[inline]
            fn div(self, k: T) -> Self {
                self.map(|x| x / k)
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::MulAssign<T> for $name<T, $($c),+> {
            #[inline]
            fn mul_assign(&mut self, k: T) {
                self.iter_mut().for_each(|x| *x = *x * k);
            }
        }

        $crate::tensor::elementwise::elementwise!(@lhs_scalar $name<$($c),+>, f32);
        $crate::tensor::elementwise::elementwise!(@lhs_scalar $name<$($c),+>, f64);
    };

    (@binop $name:ident < $($c:ident),+ >, $tr:ident, $f:ident, $tra:ident, $fa:ident, $op:tt) => {
        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::$tr for $name<T, $($c),+> {
            type Output = Self;
            /// Element-wise operation on two tensors of the same shape.
            #[inline]
            fn $f(self, rhs: Self) -> Self {
                self.zip_map(&rhs, |x, y| x $op y)
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::$tr<&$name<T, $($c),+>>
            for &$name<T, $($c),+>
        {
            type Output = $name<T, $($c),+>;
            /// Element-wise operation on two tensors of the same shape.
            #[inline]
            fn $f(self, rhs: &$name<T, $($c),+>) -> $name<T, $($c),+> {
                self.zip_map(rhs, |x, y| x $op y)
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::$tra for $name<T, $($c),+> {
            #[inline]
            fn $fa(&mut self, rhs: Self) {
                for (x, &y) in self.iter_mut().zip(rhs.iter()) {
                    *x = *x $op y;
                }
            }
        }

        impl<T: $crate::Scalar, $(const $c: usize),+> core::ops::$tra<&$name<T, $($c),+>>
            for $name<T, $($c),+>
        {
            #[inline]
            fn $fa(&mut self, rhs: &Self) {
                for (x, &y) in self.iter_mut().zip(rhs.iter()) {
                    *x = *x $op y;
                }
            }
        }
    };

    (@lhs_scalar $name:ident < $($c:ident),+ >, $t:ty) => {
        impl<$(const $c: usize),+> core::ops::Mul<$name<$t, $($c),+>> for $t {
            type Output = $name<$t, $($c),+>;
            /// `k · tensor`.
            #[inline]
            fn mul(self, rhs: $name<$t, $($c),+>) -> $name<$t, $($c),+> {
                rhs.scale(self)
            }
        }
    };
}

pub(crate) use elementwise;
