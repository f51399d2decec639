//! Integer deployment: int8 networks computed with TFLite's arithmetic.
//!
//! * [`arith`]: quantization parameters (`real = scale · (q − zero_point)`), the fixed-point
//!   rescaling of an int32 accumulator and its rounding, as TFLite's reference kernels do them;
//! * [`QDense`], [`QConv2d`], [`QClamp`], [`QMaxPool2d`], [`QAvgPool2d`], [`QGlobalAvgPool`],
//!   [`QFlatten`], [`QSoftmax`], [`QSum`], [`QChain`]: int8 layers and
//!   networks ([`QLayer`]), heap-free, integer operations only (no float operation in
//!   `predict`);
//! * [`quantize`] (with `std`): post-training quantization of a trained float network into
//!   its int8 type ([`Quantize::Quantized`]), calibrated on samples;
//! * [`QLayer::quantize_input`] turns an `f32` sample into the network's int8 input
//!   ([`QSample`]), and [`evaluate`] measures an int8 classifier's accuracy on a data set.
//!
//! The outputs equal those of TFLite's interpreter (reference kernels) on the same model bit
//! for bit: `scripts/tflite_check.py` writes the quantized network as a `.tflite` file and runs
//! it (tested in `tests/quant.rs` against outputs the interpreter produced).

mod add;
pub mod arena;
pub mod arith;
mod avg_pool;
#[cfg(any(feature = "std", feature = "libm"))]
mod calibrate;
mod clamp;
mod conv2d;
mod dense;
mod flatten;
mod layer;
mod sample;
mod skip;
mod softmax;
#[cfg(feature = "std")]
pub mod source;
pub mod tflite;

pub use crate::shape::SampleData;
pub use add::{QAddParams, QIdentity, QSum};
pub use arena::{ArenaError, Buffers};
pub use arith::{Multiplier, QuantParams, Rounding};
pub use avg_pool::{QAvgPool2d, QGlobalAvgPool};
#[cfg(feature = "std")]
pub use calibrate::quantize;
#[cfg(any(feature = "std", feature = "libm"))]
pub use calibrate::{Fused, FusedRelu, Quantize};
pub use clamp::QClamp;
#[cfg(any(feature = "std", feature = "libm"))]
pub(crate) use conv2d::load::conv_layer as conv2d_layer;
#[cfg(any(feature = "std", feature = "libm"))]
pub(crate) use conv2d::typegrad_index as conv2d_index;
pub use conv2d::{QConv2d, QMaxPool2d};
pub use dense::QDense;
#[cfg(any(feature = "std", feature = "libm"))]
pub(crate) use dense::load::dense_layer;
pub use flatten::QFlatten;
pub use layer::{QChain, QLayer};
pub use sample::{QEvaluation, QSample, evaluate};
pub use skip::QSkip;
pub use softmax::QSoftmax;
