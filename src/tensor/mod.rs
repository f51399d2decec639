//! Tensors whose shapes are part of their types: [`Vector`], [`Matrix`] and [`Batch`].
//!
//! All three store their elements inline (fixed-size arrays, no heap), are `Copy` when the
//! scalar is, and share the same element-wise operations, reductions and operators.
//!
//! # Layout
//! On x86-64 and AArch64 the elements start on a 32-byte boundary, so that SIMD loads of rows
//! never straddle two cache lines (measured: such a load costs about twice as much); a tensor's
//! size is rounded up to a multiple of 32 bytes. Elsewhere (microcontrollers) a tensor is just
//! its array, with no padding.

mod batch;
mod bytes;
pub(crate) mod elementwise;
mod fmt;
mod image;
mod matrix;
mod reshape;
mod signal;
mod vector;

pub use batch::Batch;
pub use bytes::{ByteBuffer, LeBytes};
pub use image::{ImageBatch, Planes};
pub use matrix::Matrix;
pub use signal::SignalBatch;
pub use vector::Vector;
