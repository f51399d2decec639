//! Runtime CPU-feature dispatch (feature `simd-dispatch`, x86-64, needs std).
//!
//! The portable kernels are compiled once more inside functions marked
//! `#[target_feature(enable = "avx2")]`, and used when the CPU running the program has AVX2.
//! No intrinsics and no fused multiply-add: the AVX2 code does the same IEEE operations in the
//! same order as the portable code, so results are identical bit for bit (tested, and run
//! under miri in CI with AVX2 enabled).
//!
//! This is the only module of the crate with `unsafe`: calling a `#[target_feature]`
//! function is unsafe because the CPU must support the feature, which is checked right
//! before the call.
#![allow(unsafe_code)]

use crate::Scalar;
use crate::tensor::slice_ops::matmul_add_blocked;

/// Runs `out += a·b` with the AVX2 build of the kernel if this CPU has AVX2; returns whether
/// it did.
#[inline]
pub(crate) fn matmul_add_avx2<T: Scalar, const K: usize, const N: usize>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) -> bool {
    if !std::is_x86_feature_detected!("avx2") {
        return false;
    }
    // SAFETY: the CPU supports AVX2 (checked on the line above), which is all that
    // `matmul_add_avx2_impl` requires beyond its safe body.
    unsafe { matmul_add_avx2_impl::<T, K, N>(out, a, b) };
    true
}

/// [`matmul_add_blocked`] compiled for AVX2: 16 columns per block (two 8-lane vectors), or 8
/// when the output is narrower than 16 columns.
///
/// # Safety
/// The CPU must support AVX2.
#[target_feature(enable = "avx2")]
unsafe fn matmul_add_avx2_impl<T: Scalar, const K: usize, const N: usize>(
    out: &mut [[T; N]],
    a: &[[T; K]],
    b: &[[T; N]; K],
) {
    if N >= 16 {
        matmul_add_blocked::<T, K, N, 16>(out, a, b);
    } else {
        matmul_add_blocked::<T, K, N, 8>(out, a, b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AVX2 build gives the same bits as the portable build (when the CPU has AVX2).
    #[test]
    fn avx2_kernel_equals_the_portable_kernel() {
        fn check<const R: usize, const K: usize, const N: usize>() {
            let a: [[f32; K]; R] = core::array::from_fn(|i| {
                core::array::from_fn(|k| ((i * 7 + k * 3) % 11) as f32 * 0.37 - 1.5)
            });
            let b: [[f32; N]; K] = core::array::from_fn(|k| {
                core::array::from_fn(|j| ((k * 5 + j * 2) % 13) as f32 * 0.21 - 1.1)
            });
            let mut portable = [[0.25f32; N]; R];
            matmul_add_blocked::<f32, K, N, 8>(&mut portable, &a, &b);
            let mut dispatched = [[0.25f32; N]; R];
            let ran = matmul_add_avx2(&mut dispatched, &a, &b);
            // Built with AVX2 enabled (as CI does under miri), the AVX2 path must run.
            assert!(ran || !cfg!(target_feature = "avx2"));
            if ran {
                for (p, d) in portable.iter().flatten().zip(dispatched.iter().flatten()) {
                    assert_eq!(p.to_bits(), d.to_bits());
                }
            }
        }
        check::<9, 5, 37>();
        check::<16, 16, 16>();
        check::<3, 2, 1>();
    }
}
