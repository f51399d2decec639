//! [`SignalBatch<T, B, C, L>`]: `B` samples of `C` channels × `L` steps.

use crate::{Matrix, Scalar};

/// `B` samples of `C` channels × `L` steps, stored inline sample after sample, each channel
/// after channel (PyTorch's NCL layout): the batch of the [`Signal<C, L>`](crate::shape::Signal)
/// port.
///
/// ```
/// use typegrad::tensor::SignalBatch;
/// let x = SignalBatch::<f32, 2, 3, 4>::from_fn(|s, c, l| (100 * s + 10 * c + l) as f32);
/// assert_eq!(x[(1, 2, 3)], 123.0);
/// assert_eq!(x.as_slice()[12 + 4 * 2 + 3], 123.0); // sample·C·L + channel·L + step
/// assert_eq!(x.sample(1)[(2, 3)], 123.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
// 32-byte aligned on x86-64 and AArch64, as `Batch`.
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(32))
)]
pub struct SignalBatch<T, const B: usize, const C: usize, const L: usize> {
    data: [[[T; L]; C]; B],
}

impl<T, const B: usize, const C: usize, const L: usize> SignalBatch<T, B, C, L> {
    /// Builds the batch from a function of (sample, channel, step).
    #[inline]
    pub fn from_fn<F: FnMut(usize, usize, usize) -> T>(mut f: F) -> Self {
        Self {
            data: core::array::from_fn(|s| {
                core::array::from_fn(|c| core::array::from_fn(|l| f(s, c, l)))
            }),
        }
    }

    /// Every number: sample after sample, channel after channel (`B·C·L` of them).
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.data.as_flattened().as_flattened()
    }

    /// Every number, mutable.
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.data.as_flattened_mut().as_flattened_mut()
    }
}

impl<T: Scalar, const B: usize, const C: usize, const L: usize> SignalBatch<T, B, C, L> {
    /// A batch of zeros.
    #[inline]
    pub fn zeros() -> Self {
        Self::from_fn(|_, _, _| T::zero())
    }

    /// Sample `s` as a `C × L` matrix (one row per channel).
    ///
    /// # Panics
    /// If `s ≥ B`.
    #[inline]
    pub fn sample(&self, s: usize) -> Matrix<T, C, L> {
        Matrix::new(self.data[s])
    }

    /// The batch made of `B` samples.
    #[inline]
    pub fn from_samples(samples: [Matrix<T, C, L>; B]) -> Self {
        Self {
            data: samples.map(Matrix::into_rows),
        }
    }
}

impl<T, const B: usize, const C: usize, const L: usize> core::ops::Index<(usize, usize, usize)>
    for SignalBatch<T, B, C, L>
{
    type Output = T;
    /// The number at (sample, channel, step).
    #[inline]
    fn index(&self, (s, c, l): (usize, usize, usize)) -> &T {
        &self.data[s][c][l]
    }
}

impl<T, const B: usize, const C: usize, const L: usize> core::ops::IndexMut<(usize, usize, usize)>
    for SignalBatch<T, B, C, L>
{
    #[inline]
    fn index_mut(&mut self, (s, c, l): (usize, usize, usize)) -> &mut T {
        &mut self.data[s][c][l]
    }
}
