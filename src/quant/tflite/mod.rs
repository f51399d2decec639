//! `.tflite` files written in Rust: every int8 layer [describes](Describe) itself — TFLite's
//! builtin operator, its tensors with their shapes and per-channel quantization, its options —
//! into a [`Graph`], and [`to_tflite`] writes the graph as a TFLite flatbuffer (schema
//! `TFL3`), the file TFLite Micro, the desktop interpreter or any other runtime loads.
//!
//! Layouts: flat features are `[1, N]`; channels × steps are NHWC `[1, 1, steps, channels]`
//! (a 1-D convolution is a `1 × K` `CONV_2D`); images are `[1, rows, columns, channels]`. A
//! padded convolution is a `PAD` (with the input's zero point, the real value 0) then a
//! `VALID` `CONV_2D`, as typegrad computes it. A `FULLY_CONNECTED` after an image flattened
//! in typegrad's (channel, row, column) order takes its weight columns permuted to TFLite's
//! (row, column, channel).
//!
//! ```
//! use typegrad::activation::Relu;
//! use typegrad::init::{Init, Rng};
//! use typegrad::nn::{Dense, Layer};
//! use typegrad::quant::{quantize, tflite};
//! use typegrad::Vector;
//! typegrad::network! { type Mlp = [Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>]; }
//! let mut net = Mlp::default();
//! net.init(&mut Rng::new(1), Init::HeUniform);
//! let samples: Vec<Vector<f32, 4>> = (0..16).map(|k| Vector::from_fn(|i| (k + i) as f32 / 20.0)).collect();
//! let bytes = tflite::to_tflite(&quantize(&net, &samples));
//! assert_eq!(&bytes[4..8], b"TFL3");
//! ```

#[cfg(feature = "std")]
mod declare;
mod error;
#[cfg(feature = "std")]
mod flatbuffer;
#[cfg(any(feature = "std", feature = "libm"))]
mod float;
#[cfg(feature = "std")]
mod graph;
mod load;
mod model;
mod schema;
mod table;

#[cfg(feature = "std")]
pub use declare::declare;
pub use error::{Dims, Problem, TfliteError};
#[cfg(any(feature = "std", feature = "libm"))]
pub use float::{LoadFloat, float_dims, load_float};
#[cfg(feature = "std")]
pub use graph::{Flow, Graph};
pub use load::{
    At, Load, OUT_OF_RANGE, Step, channels, clamp, clamp_op, dims_of, expect_dims, expect_stride,
    find, int8_pool, load, padded, params_at, pool, quantization_at, reshape, same_pads,
    window_pads,
};
pub use model::{Model, Operator, Tensor};
pub use schema::{Activation, Builtin, Options, Padding, PoolWindow, TensorType};

#[cfg(feature = "std")]
use super::layer::QLayer;
#[cfg(feature = "std")]
use super::sample::QSample;
#[cfg(feature = "std")]
use std::vec::Vec;

/// An int8 layer or network that can describe itself as TFLite operators.
#[cfg(feature = "std")]
pub trait Describe: QLayer {
    /// Adds this layer's operators (and their constant tensors) to `g`, reading the tensor
    /// `x` (what the layer before gave), and returns what it gives.
    fn describe(&self, g: &mut Graph, x: Flow) -> Flow;
}

#[cfg(feature = "std")]
/// The `.tflite` file of the int8 network `q`: its input tensor is `q`'s input (shape and
/// quantization), its output tensor `q`'s output.
pub fn to_tflite<Q>(q: &Q) -> Vec<u8>
where
    Q: Describe,
    Q::In: QSample,
{
    let mut g = Graph::new();
    let [h, w, c] = <Q::In as crate::shape::SampleData<i8>>::NHWC;
    let x = g.input(
        <Q::In as crate::shape::SampleData<i8>>::FLAT,
        h,
        w,
        c,
        q.input_params(),
    );
    let y = q.describe(&mut g, x);
    g.to_bytes(x, y)
}
