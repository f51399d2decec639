//! ARM's CMSIS-NN (C, `cmsis-nn/`, v7.0.0) called on typegrad's int8 layers: the same weights,
//! biases and rescaling, handed to CMSIS-NN's kernels, for the side-by-side comparison of
//! instructions per inference (the `*_cmsis` programs). Only with the `cmsis-nn` feature, on
//! the Cortex-M boards (build.rs compiles the C with arm-none-eabi-gcc `-O2`).
//!
//! The kernels are C functions taking raw pointers; each wrapper here checks the sizes through
//! its types and is the only place that calls into C.
#![allow(unsafe_code)]

use core::ffi::c_void;
use typegrad::quant::QDense;

/// `cmsis_nn_context`: a scratch buffer (none needed by the kernels used here).
#[repr(C)]
struct Context {
    buf: *mut c_void,
    size: i32,
}

/// `cmsis_nn_activation`.
#[repr(C)]
struct Activation {
    min: i32,
    max: i32,
}

/// `cmsis_nn_fc_params`.
#[repr(C)]
struct FcParams {
    input_offset: i32,
    filter_offset: i32,
    output_offset: i32,
    activation: Activation,
}

/// `cmsis_nn_per_channel_quant_params`.
#[repr(C)]
struct PerChannel {
    multiplier: *const i32,
    shift: *const i32,
}

/// `cmsis_nn_dims`.
#[repr(C)]
struct Dims {
    n: i32,
    h: i32,
    w: i32,
    c: i32,
}

unsafe extern "C" {
    fn arm_fully_connected_per_channel_s8(
        ctx: *const Context,
        fc_params: *const FcParams,
        quant_params: *const PerChannel,
        input_dims: *const Dims,
        input: *const i8,
        filter_dims: *const Dims,
        filter: *const i8,
        bias_dims: *const Dims,
        bias: *const i32,
        output_dims: *const Dims,
        output: *mut i8,
    ) -> i32;
}

/// A layer's per-channel rescaling as CMSIS-NN takes it: multipliers and shifts in two arrays
/// (typegrad keeps them as pairs). Made once, before inference (TFLite Micro does the same in
/// its operators' `Prepare`).
pub struct ChannelQuant<const O: usize> {
    multiplier: [i32; O],
    shift: [i32; O],
}

impl<const O: usize> ChannelQuant<O> {
    /// The rescaling of a dense layer's outputs.
    pub fn of_dense<const I: usize>(layer: &QDense<I, O>) -> Self {
        Self {
            multiplier: core::array::from_fn(|o| layer.rescale[o].multiplier),
            shift: core::array::from_fn(|o| layer.rescale[o].shift),
        }
    }
}

/// `arm_fully_connected_per_channel_s8` on `layer`'s weights: `y = layer(x)`, bit for bit what
/// typegrad's `QDense::predict` gives (both follow TFLite Micro's arithmetic). Returns false if
/// CMSIS-NN reports an argument error.
pub fn dense<const I: usize, const O: usize>(
    layer: &QDense<I, O>,
    quant: &ChannelQuant<O>,
    x: &[i8; I],
    y: &mut [i8; O],
) -> bool {
    let params = FcParams {
        input_offset: -layer.input.zero_point,
        filter_offset: 0,
        output_offset: layer.output.zero_point,
        activation: Activation {
            min: i32::from(layer.act_min),
            max: i32::from(layer.act_max),
        },
    };
    let ctx = Context {
        buf: core::ptr::null_mut(),
        size: 0,
    };
    let q = PerChannel {
        multiplier: quant.multiplier.as_ptr(),
        shift: quant.shift.as_ptr(),
    };
    let dims = |n: usize, c: usize| Dims {
        n: n as i32,
        h: 1,
        w: 1,
        c: c as i32,
    };
    let (input, filter, bias, output) = (dims(1, I), dims(I, O), dims(1, O), dims(1, O));
    // SAFETY: every pointer is to a live value of the size the dims give (input I, filter
    // O × I row-major as CMSIS-NN reads it, bias O, output O; the multipliers and shifts O
    // each); CMSIS-NN reads them and writes only `y`; no buffer is needed without MVE.
    let status = unsafe {
        arm_fully_connected_per_channel_s8(
            &ctx,
            &params,
            &q,
            &input,
            x.as_ptr(),
            &filter,
            layer.weights.as_ptr().cast(),
            &bias,
            layer.bias.as_ptr(),
            &output,
            y.as_mut_ptr(),
        )
    };
    status == 0
}
