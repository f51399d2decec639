#![doc = include_str!("../README.md")]
#![no_std]
#![cfg_attr(
    not(any(feature = "simd-dispatch", target_arch = "arm")),
    forbid(unsafe_code)
)]
// Allowed in src/kernels/x86.rs (AVX2), src/kernels/arm.rs (Arm assembly) and
// src/kernels/unchecked.rs (window reads checked once per window) only.
#![cfg_attr(any(feature = "simd-dispatch", target_arch = "arm"), deny(unsafe_code))]
#![deny(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

pub mod activation;
#[cfg(feature = "std")]
pub mod data;
mod error;
pub mod fixed;
pub mod gradcheck;
pub mod init;
pub mod interop;
mod kernels;
pub mod loss;
pub mod nn;
pub mod optim;
pub mod persist;
pub mod quant;
mod scalar;
pub mod shape;
pub mod tensor;
pub mod train;

pub use error::{EvalError, LengthError, TrainError};
pub use scalar::{Real, Scalar};
pub use tensor::{Batch, Matrix, Vector};

// The guides in docs/, whose Rust code blocks are compiled and run as doc tests (as the
// README is, through the crate documentation above). `docs/pytorch.md` is included by
// `interop::safetensors`, `docs/reliability.md` by `train`.
#[cfg(doctest)]
#[doc = include_str!("../docs/networks.md")]
mod guide_networks {}

#[cfg(doctest)]
#[doc = include_str!("../docs/weights.md")]
mod guide_weights {}

#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../docs/int8.md")]
mod guide_int8 {}

#[cfg(all(doctest, feature = "std"))]
#[doc = include_str!("../docs/tflite.md")]
mod guide_tflite {}

#[cfg(doctest)]
#[doc = include_str!("../docs/fixed-point.md")]
mod guide_fixed_point {}
