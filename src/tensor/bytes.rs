//! Tensors as little-endian bytes, in a buffer whose size the type system computes.
//!
//! `Vector<f32, N>::to_le_bytes()` returns exactly `4·N` bytes as a
//! [`GenericArray`](generic_array::GenericArray): the size is computed by typenum
//! (`N × 4`) and needs no `const` name, so it works beyond the 1,024 of
//! [`crate::shape`]'s computed tensor sizes. Useful for sending tensors over a wire or
//! storing them in flash without a heap.

use core::ops::Mul;

use generic_array::{ArrayLength, GenericArray};
use typenum::{Const, Prod, ToUInt, U, U4, U8};

use crate::{LengthError, Matrix, Vector};

/// A scalar with a fixed little-endian byte encoding (`f32`: 4 bytes, `f64`: 8 bytes).
pub trait LeBytes: Copy {
    /// The encoded size as a typenum number.
    type Size: ArrayLength;
    /// A code naming the type in saved files ([`crate::persist`]): `f32` is 1, `f64` is 2.
    const CODE: u8;
    /// The type's name, `"f32"` or `"f64"`, for messages.
    const NAME: &'static str;
    /// Writes `self` into `out` (exactly `Size` bytes).
    fn write_le(self, out: &mut [u8]);
    /// Reads a value from `bytes` (exactly `Size` bytes).
    fn read_le(bytes: &[u8]) -> Self;
}

macro_rules! le_bytes {
    ($t:ty, $n:ty, $len:literal, $code:literal) => {
        impl LeBytes for $t {
            type Size = $n;
            const CODE: u8 = $code;
            const NAME: &'static str = stringify!($t);
            #[inline]
            fn write_le(self, out: &mut [u8]) {
                out.copy_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn read_le(bytes: &[u8]) -> Self {
                let mut raw = [0u8; $len];
                raw.copy_from_slice(bytes);
                <$t>::from_le_bytes(raw)
            }
        }
    };
}
le_bytes!(f32, U4, 4, 1);
le_bytes!(f64, U8, 8, 2);

/// The byte buffer of `n` elements of `T`.
pub type ByteBuffer<T, const N: usize> = GenericArray<u8, Prod<U<N>, <T as LeBytes>::Size>>;

fn encode<T: LeBytes, L: ArrayLength>(xs: &[T]) -> GenericArray<u8, L> {
    let mut out = GenericArray::<u8, L>::default();
    let width = <T::Size as typenum::Unsigned>::USIZE;
    for (x, chunk) in xs.iter().zip(out.chunks_exact_mut(width)) {
        x.write_le(chunk);
    }
    out
}

fn decode<T: LeBytes>(bytes: &[u8], out: &mut [T]) -> Result<(), LengthError> {
    let width = <T::Size as typenum::Unsigned>::USIZE;
    if bytes.len() != out.len() * width {
        return Err(LengthError {
            expected: out.len() * width,
            found: bytes.len(),
        });
    }
    for (x, chunk) in out.iter_mut().zip(bytes.chunks_exact(width)) {
        *x = T::read_le(chunk);
    }
    Ok(())
}

impl<T: LeBytes + crate::Scalar, const N: usize> Vector<T, N>
where
    Const<N>: ToUInt,
    U<N>: Mul<T::Size>,
    Prod<U<N>, T::Size>: ArrayLength,
{
    /// The elements as little-endian bytes: exactly `N × size_of::<T>()` of them.
    ///
    /// ```
    /// use typegrad::Vector;
    /// let bytes = Vector::new([1.0_f32, -2.0]).to_le_bytes();
    /// assert_eq!(bytes.len(), 8);
    /// assert_eq!(Vector::<f32, 2>::try_from_le_bytes(&bytes), Ok(Vector::new([1.0, -2.0])));
    /// ```
    pub fn to_le_bytes(&self) -> ByteBuffer<T, N> {
        encode(self.as_slice())
    }
}

impl<T: LeBytes + crate::Scalar, const N: usize> Vector<T, N> {
    /// Reads a vector from little-endian bytes; the length must be `N × size_of::<T>()`.
    pub fn try_from_le_bytes(bytes: &[u8]) -> Result<Self, LengthError> {
        let mut v = Self::zeros();
        decode(bytes, v.as_mut_slice())?;
        Ok(v)
    }
}

impl<T: LeBytes + crate::Scalar, const R: usize, const C: usize> Matrix<T, R, C>
where
    Const<R>: ToUInt,
    Const<C>: ToUInt,
    U<R>: Mul<U<C>>,
    Prod<U<R>, U<C>>: Mul<T::Size>,
    Prod<Prod<U<R>, U<C>>, T::Size>: ArrayLength,
{
    /// The elements, row by row, as little-endian bytes: exactly `R × C × size_of::<T>()`.
    ///
    /// ```
    /// use typegrad::Matrix;
    /// let m = Matrix::<f64, 40, 30>::from_fn(|r, c| (r * 30 + c) as f64);
    /// let bytes = m.to_le_bytes(); // 9,600 bytes, a size no `const` names
    /// assert_eq!(bytes.len(), 40 * 30 * 8);
    /// assert_eq!(Matrix::<f64, 40, 30>::try_from_le_bytes(&bytes), Ok(m));
    /// ```
    pub fn to_le_bytes(&self) -> GenericArray<u8, Prod<Prod<U<R>, U<C>>, T::Size>> {
        encode(self.as_slice())
    }
}

impl<T: LeBytes + crate::Scalar, const R: usize, const C: usize> Matrix<T, R, C> {
    /// Reads a matrix (row by row) from little-endian bytes; the length must be
    /// `R × C × size_of::<T>()`.
    pub fn try_from_le_bytes(bytes: &[u8]) -> Result<Self, LengthError> {
        let mut m = Self::zeros();
        decode(bytes, m.as_mut_slice())?;
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_little_endian_ieee754() {
        // 1.0f32 = 0x3F800000, −2.0f32 = 0xC0000000, stored lowest byte first.
        let bytes = Vector::new([1.0_f32, -2.0]).to_le_bytes();
        assert_eq!(bytes.as_slice(), &[0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0]);
        // 0.5f64 = 0x3FE0000000000000
        let bytes = Matrix::new([[0.5_f64]]).to_le_bytes();
        assert_eq!(bytes.as_slice(), &[0, 0, 0, 0, 0, 0, 0xE0, 0x3F]);
    }

    #[test]
    fn round_trips_and_rejects_wrong_lengths() {
        let v = Vector::<f64, 5>::from_fn(|i| i as f64 / 3.0 - 1.0);
        assert_eq!(Vector::try_from_le_bytes(&v.to_le_bytes()), Ok(v));
        let m = Matrix::<f32, 3, 7>::from_fn(|r, c| (r as f32 - c as f32) * 0.1);
        let bytes = m.to_le_bytes();
        assert_eq!(bytes.len(), 84);
        assert_eq!(Matrix::try_from_le_bytes(&bytes), Ok(m));
        assert_eq!(
            Matrix::<f32, 3, 7>::try_from_le_bytes(&bytes[..83]),
            Err(LengthError {
                expected: 84,
                found: 83
            })
        );
        assert_eq!(
            Vector::<f64, 2>::try_from_le_bytes(&[0; 17]),
            Err(LengthError {
                expected: 16,
                found: 17
            })
        );
    }
}
