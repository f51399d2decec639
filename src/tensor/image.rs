//! [`Planes<T, C, H, W>`]: one image sample of `C` channels × `H` rows × `W` columns, and
//! [`ImageBatch<T, B, C, H, W>`]: `B` of them (NCHW, as PyTorch lays out images).

use crate::Scalar;

/// `C` channels of `H × W` values, channel after channel, each row by row (PyTorch's CHW).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Planes<T, const C: usize, const H: usize, const W: usize> {
    data: [[[T; W]; H]; C],
}

/// `B` images of `C × H × W` (NCHW).
#[derive(Debug, Clone, Copy, PartialEq)]
// 32-byte aligned on x86-64 and AArch64, as `Batch`.
#[cfg_attr(
    any(target_arch = "x86_64", target_arch = "aarch64"),
    repr(C, align(32))
)]
pub struct ImageBatch<T, const B: usize, const C: usize, const H: usize, const W: usize> {
    data: [[[[T; W]; H]; C]; B],
}

impl<T, const C: usize, const H: usize, const W: usize> Planes<T, C, H, W> {
    /// The image whose value at (channel, row, column) is `f(c, y, x)`.
    #[inline]
    pub fn from_fn<F: FnMut(usize, usize, usize) -> T>(mut f: F) -> Self {
        Self {
            data: core::array::from_fn(|c| {
                core::array::from_fn(|y| core::array::from_fn(|x| f(c, y, x)))
            }),
        }
    }

    /// The image with the given values, `[channel][row][column]`.
    #[inline]
    pub const fn new(data: [[[T; W]; H]; C]) -> Self {
        Self { data }
    }

    /// All values, channel after channel, row by row.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.data.as_flattened().as_flattened()
    }

    /// All values, mutable, in the order of [`as_slice`](Planes::as_slice).
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.data.as_flattened_mut().as_flattened_mut()
    }
}

impl<T: Scalar, const C: usize, const H: usize, const W: usize> Planes<T, C, H, W> {
    /// All zeros.
    #[inline]
    pub fn zeros() -> Self {
        Self::from_fn(|_, _, _| T::zero())
    }
}

impl<T, const C: usize, const H: usize, const W: usize> core::ops::Index<(usize, usize, usize)>
    for Planes<T, C, H, W>
{
    type Output = T;
    /// The value at (channel, row, column).
    #[inline]
    fn index(&self, (c, y, x): (usize, usize, usize)) -> &T {
        &self.data[c][y][x]
    }
}

impl<T, const B: usize, const C: usize, const H: usize, const W: usize> ImageBatch<T, B, C, H, W> {
    /// The batch whose value at (sample, channel, row, column) is `f(s, c, y, x)`.
    #[inline]
    pub fn from_fn<F: FnMut(usize, usize, usize, usize) -> T>(mut f: F) -> Self {
        Self {
            data: core::array::from_fn(|s| {
                core::array::from_fn(|c| {
                    core::array::from_fn(|y| core::array::from_fn(|x| f(s, c, y, x)))
                })
            }),
        }
    }

    /// All values, sample after sample, each NCHW.
    #[inline]
    pub fn as_slice(&self) -> &[T] {
        self.data.as_flattened().as_flattened().as_flattened()
    }

    /// All values, mutable, in the order of [`as_slice`](ImageBatch::as_slice).
    #[inline]
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        self.data
            .as_flattened_mut()
            .as_flattened_mut()
            .as_flattened_mut()
    }
}

impl<T: Copy, const B: usize, const C: usize, const H: usize, const W: usize>
    ImageBatch<T, B, C, H, W>
{
    /// Sample `s`.
    ///
    /// # Panics
    /// If `s ≥ B`.
    #[inline]
    pub fn sample(&self, s: usize) -> Planes<T, C, H, W> {
        Planes::new(self.data[s])
    }
}

impl<T: Scalar, const B: usize, const C: usize, const H: usize, const W: usize>
    ImageBatch<T, B, C, H, W>
{
    /// All zeros.
    #[inline]
    pub fn zeros() -> Self {
        Self::from_fn(|_, _, _, _| T::zero())
    }
}
