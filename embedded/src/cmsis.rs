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

/// `cmsis_nn_tile`.
#[repr(C)]
struct Tile {
    w: i32,
    h: i32,
}

/// `cmsis_nn_conv_params`.
#[repr(C)]
struct ConvParams {
    input_offset: i32,
    output_offset: i32,
    stride: Tile,
    padding: Tile,
    dilation: Tile,
    activation: Activation,
}

/// `cmsis_nn_dw_conv_params`.
#[repr(C)]
struct DwConvParams {
    input_offset: i32,
    output_offset: i32,
    ch_mult: i32,
    stride: Tile,
    padding: Tile,
    dilation: Tile,
    activation: Activation,
}

/// `cmsis_nn_pool_params`.
#[repr(C)]
struct PoolParams {
    stride: Tile,
    padding: Tile,
    activation: Activation,
}

unsafe extern "C" {
    fn arm_convolve_wrapper_s8(
        ctx: *const Context,
        conv_params: *const ConvParams,
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
    fn arm_convolve_wrapper_s8_get_buffer_size(
        conv_params: *const ConvParams,
        input_dims: *const Dims,
        filter_dims: *const Dims,
        output_dims: *const Dims,
    ) -> i32;
    fn arm_depthwise_conv_wrapper_s8(
        ctx: *const Context,
        dw_conv_params: *const DwConvParams,
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
    fn arm_depthwise_conv_wrapper_s8_get_buffer_size(
        dw_conv_params: *const DwConvParams,
        input_dims: *const Dims,
        filter_dims: *const Dims,
        output_dims: *const Dims,
    ) -> i32;
    fn arm_avgpool_s8(
        ctx: *const Context,
        pool_params: *const PoolParams,
        input_dims: *const Dims,
        input: *const i8,
        filter_dims: *const Dims,
        output_dims: *const Dims,
        output: *mut i8,
    ) -> i32;
    fn arm_avgpool_s8_get_buffer_size(dim_dst_width: i32, ch_src: i32) -> i32;
    fn arm_max_pool_s8(
        ctx: *const Context,
        pool_params: *const PoolParams,
        input_dims: *const Dims,
        input: *const i8,
        filter_dims: *const Dims,
        output_dims: *const Dims,
        output: *mut i8,
    ) -> i32;
    fn arm_elementwise_add_s8(
        input_1: *const i8,
        input_2: *const i8,
        input_1_offset: i32,
        input_1_mult: i32,
        input_1_shift: i32,
        input_2_offset: i32,
        input_2_mult: i32,
        input_2_shift: i32,
        left_shift: i32,
        output: *mut i8,
        out_offset: i32,
        out_mult: i32,
        out_shift: i32,
        out_activation_min: i32,
        out_activation_max: i32,
        block_size: i32,
    ) -> i32;
    fn arm_softmax_s8(
        input: *const i8,
        num_rows: i32,
        row_size: i32,
        mult: i32,
        shift: i32,
        diff_min: i32,
        output: *mut i8,
    );
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
    /// A layer's per-channel rescaling.
    pub fn of(rescale: &[typegrad::quant::Multiplier; O]) -> Self {
        Self {
            multiplier: rescale.map(|m| m.multiplier),
            shift: rescale.map(|m| m.shift),
        }
    }

    /// The rescaling of a dense layer's outputs.
    pub fn of_dense<const I: usize>(layer: &QDense<I, O>) -> Self {
        Self::of(&layer.rescale)
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

/// Why a network could not run on CMSIS-NN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// CMSIS-NN returned an argument error.
    Arguments,
    /// A buffer is smaller than the layer needs (activations or scratch).
    Buffer,
    /// A layer this harness does not map (e.g. a flatten of more than one pixel, whose order
    /// differs between typegrad and TFLite).
    Layer,
}

/// An int8 layer (or network) run by CMSIS-NN on NHWC activations (TFLite's layout).
pub trait CmsisLayer {
    /// What [`prepare`](CmsisLayer::prepare) makes once, before inference (TFLite Micro does
    /// it in its operators' `Prepare`): weights in CMSIS-NN's order, rescaling arrays.
    type Prepared;
    /// The weights in CMSIS-NN's order and the rescaling as its arrays.
    fn prepare(&self) -> Self::Prepared;
    /// Bytes of the scratch buffer the CMSIS-NN kernels ask for (the largest of the layers;
    /// none by default).
    fn scratch_bytes(&self) -> usize {
        0
    }
    /// Whether it holds a residual block (then it needs a third activation buffer).
    const RESIDUAL: bool = false;
    /// Runs the layer on buffer `from` (NHWC) and returns the buffer that holds its output:
    /// another one, never one whose bit is set in `keep` (an input a later layer still reads),
    /// or `from` itself for a layer that computes nothing.
    fn cmsis_run(
        &self,
        p: &Self::Prepared,
        bufs: &mut Bufs<'_>,
        from: usize,
        keep: u8,
        scratch: &mut [i32],
    ) -> Result<usize, Refused>;
}

/// The three activation buffers a network runs through (two would do for a chain; the
/// residual blocks keep their input while the block runs).
pub struct Bufs<'a>(pub [&'a mut [i8]; 3]);

impl Bufs<'_> {
    /// Buffer `from` to read and the first other buffer not in `keep` to write, and its index.
    fn io(&mut self, from: usize, keep: u8) -> Result<(&[i8], &mut [i8], usize), Refused> {
        let to = (0..3)
            .find(|&k| k != from && keep & (1 << k) == 0)
            .ok_or(Refused::Buffer)?;
        let [a, b, c] = &mut self.0;
        let (x, y): (&[i8], &mut [i8]) = match (from, to) {
            (0, 1) => (a, b),
            (0, 2) => (a, c),
            (1, 0) => (b, a),
            (1, 2) => (b, c),
            (2, 0) => (c, a),
            (2, 1) => (c, b),
            _ => return Err(Refused::Buffer),
        };
        Ok((x, y, to))
    }
}

/// `cmsis_nn_dims` of an `h × w × c` activation.
fn nhwc(h: usize, w: usize, c: usize) -> Dims {
    Dims {
        n: 1,
        h: h as i32,
        w: w as i32,
        c: c as i32,
    }
}

/// The zeros before the first row (or column) TFLite Micro passes CMSIS-NN: `SAME`'s half of
/// the total (the smaller half), or the explicit padding.
fn before(same: bool, explicit: usize, len: usize, out: usize, k: usize, s: usize) -> i32 {
    if same {
        (((out.saturating_sub(1)) * s + k).saturating_sub(len) / 2) as i32
    } else {
        explicit as i32
    }
}

fn context(scratch: &mut [i32]) -> Context {
    Context {
        buf: scratch.as_mut_ptr().cast(),
        size: (scratch.len() * 4) as i32,
    }
}

fn status(s: i32) -> Result<(), Refused> {
    if s == 0 {
        Ok(())
    } else {
        Err(Refused::Arguments)
    }
}

mod conv {
    use super::*;
    use typegrad::nn::Connect;
    use typegrad::quant::QConv2d;
    use typegrad::shape::Plane;
    use typegrad::shape::window::{KernelSize, Padding, Strides};

    impl<const I: usize, const O: usize, K, S, P, G, X, Q> CmsisLayer
        for QConv2d<I, O, K, S, P, G, X, Q>
    where
        K: KernelSize,
        S: Strides,
        P: Padding,
        G: Connect,
        X: Plane,
        Q: Plane,
    {
        /// The rescaling as CMSIS-NN reads it (the weights are in its order already:
        /// `[O][kh][kw][I]`, `[1][kh][kw][C]` depthwise, TFLite's).
        type Prepared = ChannelQuant<O>;

        fn prepare(&self) -> ChannelQuant<O> {
            ChannelQuant::of(&self.rescale)
        }

        fn scratch_bytes(&self) -> usize {
            let (input, filter, output, conv, dw) = self.params();
            // SAFETY: the functions read the four structs, which live for the call.
            let n = unsafe {
                if G::DEPTHWISE {
                    arm_depthwise_conv_wrapper_s8_get_buffer_size(&dw, &input, &filter, &output)
                } else {
                    arm_convolve_wrapper_s8_get_buffer_size(&conv, &input, &filter, &output)
                }
            };
            n.max(0) as usize
        }

        fn cmsis_run(
            &self,
            p: &Self::Prepared,
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            scratch: &mut [i32],
        ) -> Result<usize, Refused> {
            let (x, y, to) = bufs.io(from, keep)?;
            let [h, w] = X::HW;
            let [oh, ow] = Q::HW;
            if x.len() < h * w * X::C
                || y.len() < oh * ow * O
                || self.scratch_bytes() > scratch.len() * 4
            {
                return Err(Refused::Buffer);
            }
            let (input, filter, output, conv, dw) = self.params();
            let bias = nhwc(1, 1, O);
            let q = PerChannel {
                multiplier: p.multiplier.as_ptr(),
                shift: p.shift.as_ptr(),
            };
            let ctx = context(scratch);
            let weight = G::flat::<i8, K, I, O>(&self.weight).as_ptr();
            // SAFETY: `x` holds the input's h·w·C values and `y` room for the output's
            // oh·ow·O (checked above); the weights are the layer's (in CMSIS-NN's order) of the filter
            // dims' size, bias and rescaling O values each; the scratch buffer is at least the size
            // CMSIS-NN asked for (checked above). CMSIS-NN writes only `y` and the scratch.
            let s = unsafe {
                if G::DEPTHWISE {
                    arm_depthwise_conv_wrapper_s8(
                        &ctx,
                        &dw,
                        &q,
                        &input,
                        x.as_ptr(),
                        &filter,
                        weight,
                        &bias,
                        self.bias.as_ptr(),
                        &output,
                        y.as_mut_ptr(),
                    )
                } else {
                    arm_convolve_wrapper_s8(
                        &ctx,
                        &conv,
                        &q,
                        &input,
                        x.as_ptr(),
                        &filter,
                        weight,
                        &bias,
                        self.bias.as_ptr(),
                        &output,
                        y.as_mut_ptr(),
                    )
                }
            };
            status(s).map(|()| to)
        }
    }

    /// The CMSIS-NN descriptions of a convolution: input, filter and output dims, and its
    /// parameters as a convolution and as a depthwise one.
    trait Described {
        fn params(&self) -> (Dims, Dims, Dims, ConvParams, DwConvParams);
    }

    impl<const I: usize, const O: usize, K, S, P, G, X, Q> Described for QConv2d<I, O, K, S, P, G, X, Q>
    where
        K: KernelSize,
        S: Strides,
        P: Padding,
        G: Connect,
        X: Plane,
        Q: Plane,
    {
        fn params(&self) -> (Dims, Dims, Dims, ConvParams, DwConvParams) {
            let [h, w] = X::HW;
            let [oh, ow] = Q::HW;
            let input = nhwc(h, w, X::C);
            let filter = if G::DEPTHWISE {
                nhwc(K::H, K::W, O)
            } else {
                Dims {
                    n: O as i32,
                    h: K::H as i32,
                    w: K::W as i32,
                    c: I as i32,
                }
            };
            let output = nhwc(oh, ow, O);
            let stride = || Tile {
                w: S::W as i32,
                h: S::H as i32,
            };
            let padding = || Tile {
                w: before(P::SAME, P::W, w, ow, K::W, S::W),
                h: before(P::SAME, P::H, h, oh, K::H, S::H),
            };
            let act = || Activation {
                min: i32::from(self.act_min),
                max: i32::from(self.act_max),
            };
            let conv = ConvParams {
                input_offset: -self.input.zero_point,
                output_offset: self.output.zero_point,
                stride: stride(),
                padding: padding(),
                dilation: Tile { w: 1, h: 1 },
                activation: act(),
            };
            let dw = DwConvParams {
                input_offset: -self.input.zero_point,
                output_offset: self.output.zero_point,
                ch_mult: 1,
                stride: stride(),
                padding: padding(),
                dilation: Tile { w: 1, h: 1 },
                activation: act(),
            };
            (input, filter, output, conv, dw)
        }
    }
}

mod others {
    use super::*;
    use typegrad::quant::{
        QAvgPool2d, QChain, QClamp, QFlatten, QGlobalAvgPool, QIdentity, QLayer, QMaxPool2d,
        QSample, QSkip, QSoftmax, QSum,
    };
    use typegrad::shape::Plane;
    use typegrad::shape::window::{KernelSize, Padding, Strides};

    impl<const I: usize, const O: usize> CmsisLayer for QDense<I, O> {
        type Prepared = ChannelQuant<O>;

        fn prepare(&self) -> ChannelQuant<O> {
            ChannelQuant::of_dense(self)
        }

        fn cmsis_run(
            &self,
            p: &ChannelQuant<O>,
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            _: &mut [i32],
        ) -> Result<usize, Refused> {
            let (x, y, to) = bufs.io(from, keep)?;
            let (Some(x), Some(y)) = (x.first_chunk::<I>(), y.first_chunk_mut::<O>()) else {
                return Err(Refused::Buffer);
            };
            if dense(self, p, x, y) {
                Ok(to)
            } else {
                Err(Refused::Arguments)
            }
        }
    }

    /// A clamp that clamps nothing (a ReLU fused into the layer before) is nothing; another
    /// is a copy clamped.
    impl<X: QSample, A> CmsisLayer for QClamp<X, A> {
        type Prepared = ();

        fn prepare(&self) {}

        fn cmsis_run(
            &self,
            _: &(),
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            _: &mut [i32],
        ) -> Result<usize, Refused> {
            if (self.lo, self.hi) == (i8::MIN, i8::MAX) {
                return Ok(from);
            }
            let (x, y, to) = bufs.io(from, keep)?;
            let n = X::LEN;
            let (Some(x), Some(y)) = (x.get(..n), y.get_mut(..n)) else {
                return Err(Refused::Buffer);
            };
            for (v, &u) in y.iter_mut().zip(x) {
                *v = u.clamp(self.lo, self.hi);
            }
            Ok(to)
        }
    }

    /// Layers that compute nothing here: the shortcut of a residual block (its input
    /// itself), the int8 form of `DynamicQuant`.
    macro_rules! nothing {
        ($($t:ty),*) => {$(
            impl<X: QSample> CmsisLayer for $t {
                type Prepared = ();

                fn prepare(&self) {}


                fn cmsis_run(&self, _: &(), _: &mut Bufs<'_>, from: usize, _: u8, _: &mut [i32]) -> Result<usize, Refused> {
                    Ok(from)
                }
            }
        )*};
    }
    nothing!(QSkip<X>, QIdentity<X>);

    /// Flattening one pixel's channels is nothing in NHWC; more pixels are in another order
    /// than typegrad's dense weights expect (not mapped).
    impl<X: Plane, Q> CmsisLayer for QFlatten<X, Q> {
        type Prepared = ();

        fn prepare(&self) {}

        fn cmsis_run(
            &self,
            _: &(),
            _: &mut Bufs<'_>,
            from: usize,
            _: u8,
            _: &mut [i32],
        ) -> Result<usize, Refused> {
            if X::HW == [1, 1] {
                Ok(from)
            } else {
                Err(Refused::Layer)
            }
        }
    }

    /// A pooling window of CMSIS-NN over `c` channels: `[h, w]` in, `[oh, ow]` out, window
    /// `[kh, kw]` moved by `[sh, sw]`, zeros before `[ph, pw]`.
    struct Pool {
        max: bool,
        c: usize,
        hw: [usize; 2],
        out: [usize; 2],
        kernel: [usize; 2],
        stride: [usize; 2],
        pad: [i32; 2],
    }

    impl Pool {
        fn scratch_bytes(&self) -> usize {
            if self.max {
                return 0;
            }
            // SAFETY: a pure size computation.
            unsafe { arm_avgpool_s8_get_buffer_size(self.out[1] as i32, self.c as i32) }.max(0)
                as usize
        }

        fn run(
            &self,
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            scratch: &mut [i32],
        ) -> Result<usize, Refused> {
            let (x, y, to) = bufs.io(from, keep)?;
            let ([h, w], [oh, ow], c) = (self.hw, self.out, self.c);
            if x.len() < h * w * c
                || y.len() < oh * ow * c
                || self.scratch_bytes() > scratch.len() * 4
            {
                return Err(Refused::Buffer);
            }
            let params = PoolParams {
                stride: Tile {
                    w: self.stride[1] as i32,
                    h: self.stride[0] as i32,
                },
                padding: Tile {
                    w: self.pad[1],
                    h: self.pad[0],
                },
                activation: Activation {
                    min: -128,
                    max: 127,
                },
            };
            let (input, output) = (nhwc(h, w, c), nhwc(oh, ow, c));
            let filter = nhwc(self.kernel[0], self.kernel[1], 1);
            let ctx = context(scratch);
            // SAFETY: `x` and `y` hold the dims' values (checked), the scratch buffer the size
            // CMSIS-NN asked for; it writes only `y` and the scratch.
            let s = unsafe {
                if self.max {
                    arm_max_pool_s8(
                        &ctx,
                        &params,
                        &input,
                        x.as_ptr(),
                        &filter,
                        &output,
                        y.as_mut_ptr(),
                    )
                } else {
                    arm_avgpool_s8(
                        &ctx,
                        &params,
                        &input,
                        x.as_ptr(),
                        &filter,
                        &output,
                        y.as_mut_ptr(),
                    )
                }
            };
            status(s).map(|()| to)
        }
    }

    fn window<K: KernelSize, S: Strides, P: Padding, X: Plane, Q: Plane>(max: bool) -> Pool {
        let ([h, w], [oh, ow]) = (X::HW, Q::HW);
        Pool {
            max,
            c: X::C,
            hw: X::HW,
            out: Q::HW,
            kernel: [K::H, K::W],
            stride: [S::H, S::W],
            pad: [
                before(P::SAME, P::H, h, oh, K::H, S::H),
                before(P::SAME, P::W, w, ow, K::W, S::W),
            ],
        }
    }

    macro_rules! pooling {
        ($($layer:ident => $max:expr),*) => {$(
            impl<K: KernelSize, S: Strides, P: Padding, X: Plane, Q: Plane> CmsisLayer
                for $layer<K, S, P, X, Q>
            {
                type Prepared = ();

                fn prepare(&self) {}

                fn scratch_bytes(&self) -> usize {
                    window::<K, S, P, X, Q>($max).scratch_bytes()
                }

                fn cmsis_run(
                    &self,
                    _: &(),
                    bufs: &mut Bufs<'_>,
                    from: usize,
                    keep: u8,
                    scratch: &mut [i32],
                ) -> Result<usize, Refused> {
                    window::<K, S, P, X, Q>($max).run(bufs, from, keep, scratch)
                }
            }
        )*};
    }
    pooling!(QAvgPool2d => false, QMaxPool2d => true);

    /// The mean of each channel: one window over the whole image or signal.
    impl<const C: usize, X: Plane> CmsisLayer for QGlobalAvgPool<C, X> {
        type Prepared = ();

        fn prepare(&self) {}

        fn scratch_bytes(&self) -> usize {
            whole::<X>().scratch_bytes()
        }

        fn cmsis_run(
            &self,
            _: &(),
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            scratch: &mut [i32],
        ) -> Result<usize, Refused> {
            whole::<X>().run(bufs, from, keep, scratch)
        }
    }

    fn whole<X: Plane>() -> Pool {
        Pool {
            max: false,
            c: X::C,
            hw: X::HW,
            out: [1, 1],
            kernel: X::HW,
            stride: X::HW,
            pad: [0, 0],
        }
    }

    impl<const N: usize> CmsisLayer for QSoftmax<N> {
        type Prepared = ();

        fn prepare(&self) {}

        fn cmsis_run(
            &self,
            _: &(),
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            _: &mut [i32],
        ) -> Result<usize, Refused> {
            let (x, y, to) = bufs.io(from, keep)?;
            if x.len() < N || y.len() < N {
                return Err(Refused::Buffer);
            }
            let m = self.multiplier;
            // SAFETY: `x` and `y` hold N values each (checked); CMSIS-NN writes only `y`.
            unsafe {
                arm_softmax_s8(
                    x.as_ptr(),
                    1,
                    N as i32,
                    m.multiplier,
                    m.shift,
                    self.diff_min,
                    y.as_mut_ptr(),
                )
            };
            Ok(to)
        }
    }

    impl<A: CmsisLayer + QLayer, B: CmsisLayer + QLayer<In = A::Out>> CmsisLayer for QChain<A, B> {
        type Prepared = (A::Prepared, B::Prepared);
        const RESIDUAL: bool = A::RESIDUAL || B::RESIDUAL;

        fn prepare(&self) -> Self::Prepared {
            (self.0.prepare(), self.1.prepare())
        }

        fn scratch_bytes(&self) -> usize {
            self.0.scratch_bytes().max(self.1.scratch_bytes())
        }

        fn cmsis_run(
            &self,
            p: &Self::Prepared,
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            scratch: &mut [i32],
        ) -> Result<usize, Refused> {
            let mid = self.0.cmsis_run(&p.0, bufs, from, keep, scratch)?;
            self.1.cmsis_run(&p.1, bufs, mid, keep, scratch)
        }
    }

    /// A residual block: the block keeps its input for the shortcut, then
    /// `arm_elementwise_add_s8` adds the two into the block's output buffer.
    impl<A, B> CmsisLayer for QSum<A, B>
    where
        A: CmsisLayer + QLayer,
        A::Out: QSample,
        B: CmsisLayer + QLayer<In = A::In, Out = A::Out>,
    {
        type Prepared = (A::Prepared, B::Prepared);
        const RESIDUAL: bool = true;

        fn prepare(&self) -> Self::Prepared {
            (self.block.prepare(), self.shortcut.prepare())
        }

        fn scratch_bytes(&self) -> usize {
            self.block
                .scratch_bytes()
                .max(self.shortcut.scratch_bytes())
        }

        fn cmsis_run(
            &self,
            p: &Self::Prepared,
            bufs: &mut Bufs<'_>,
            from: usize,
            keep: u8,
            scratch: &mut [i32],
        ) -> Result<usize, Refused> {
            let inner = keep | 1 << from;
            let a = self.block.cmsis_run(&p.0, bufs, from, inner, scratch)?;
            let b = self
                .shortcut
                .cmsis_run(&p.1, bufs, from, inner | 1 << a, scratch)?;
            let n = A::Out::LEN;
            if a == b || a == from || bufs.0[a].len() < n || bufs.0[b].len() < n {
                return Err(Refused::Buffer);
            }
            let (y, s) = (bufs.0[a].as_mut_ptr(), bufs.0[b].as_ptr());
            let add = &self.add;
            let m = |r: typegrad::quant::Multiplier| (r.multiplier, r.shift);
            let ((ma, sa), (mb, sb), (mo, so)) =
                (m(add.rescale_a), m(add.rescale_b), m(add.rescale_out));
            // SAFETY: buffers `a` and `b` are distinct and hold n values each (checked); the
            // sum is written over the block's output, which CMSIS-NN reads element by element
            // before writing it (in place, as TFLite Micro allows).
            status(unsafe {
                arm_elementwise_add_s8(
                    y,
                    s,
                    -add.a.zero_point,
                    ma,
                    sa,
                    -add.b.zero_point,
                    mb,
                    sb,
                    20,
                    y,
                    add.output.zero_point,
                    mo,
                    so,
                    i32::from(add.act_min),
                    i32::from(add.act_max),
                    n as i32,
                )
            })
            .map(|()| a)
        }
    }
}

/// Runs the int8 network `q` with CMSIS-NN on `inputs` seeded inputs (the ones
/// [`crate::mlperf_task::run`] gives typegrad, in NHWC order) through three activation
/// buffers of `N` bytes (the third only for residual blocks), and passes when the outputs'
/// checksum equals `host` (typegrad's outputs, equal to TFLite Micro's). Prints instructions
/// per inference and the RAM CMSIS-NN needed: the buffers used and its scratch buffer.
pub fn run_network<Q, const N: usize>(name: &str, q: &Q, inputs: usize, host: u32) -> bool
where
    Q: CmsisLayer + typegrad::quant::QLayer,
    Q::In: typegrad::quant::QSample,
    Q::Out: typegrad::quant::QSample,
{
    use crate::{board, outln, stack};
    use typegrad::quant::QSample;
    let probe = stack::paint();
    outln!("{} on {}", name, board::BOARD);
    let prepared = q.prepare();
    let scratch_bytes = q.scratch_bytes();
    let mut scratch = [0i32; 1024];
    let (mut a, mut b, mut c) = ([0i8; N], [0i8; N], [0i8; N]);
    let mut bufs = Bufs([&mut a, &mut b, &mut c]);
    let n = Q::In::LEN;
    let m = Q::Out::LEN;
    let mut hash = 0x811c_9dc5u32;
    let (mut instructions, mut counted) = (0u64, true);
    for k in 0..inputs {
        for (j, v) in bufs.0[0].iter_mut().take(n).enumerate() {
            *v = crate::checksum::seeded_input(k, j, n);
        }
        let before = board::instructions();
        let wrote = q.cmsis_run(&prepared, &mut bufs, 0, 0, &mut scratch);
        match (before, board::instructions()) {
            (Some(x), Some(y)) => instructions += y.saturating_sub(x),
            _ => counted = false,
        }
        let y = match wrote {
            Ok(out) => &bufs.0[out][..m],
            Err(e) => {
                outln!("FAIL CMSIS-NN refused the network: {:?}", e);
                return false;
            }
        };
        crate::argmax_and_hash(y, &mut hash);
    }
    if counted && inputs > 0 {
        outln!("instructions={}", instructions / inputs as u64);
    }
    outln!("macs={}", Q::MACS);
    outln!("inputs={}", inputs);
    outln!("outputs_fnv={:08x}", hash);
    outln!(
        "cmsis_buffers_bytes={} scratch_bytes={}",
        (if Q::RESIDUAL { 3 } else { 2 }) * N,
        scratch_bytes
    );
    if let Some(p) = probe {
        outln!(
            "stack_used_bytes={} (of {} painted)",
            p.used_bytes(),
            p.measurable_bytes()
        );
    }
    outln!("host_fnv={:08x}", host);
    if hash == host {
        outln!("PASS");
        true
    } else {
        outln!("FAIL CMSIS-NN's outputs differ from typegrad's");
        false
    }
}
