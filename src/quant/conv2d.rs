//! int8 layers over images (channels × rows × columns), computed as TFLite's reference kernels
//! do on the same model written NHWC (`[1, H, W, C]`): [`QConv2d`] (`PAD` with the zero point,
//! then `CONV_2D`; `DEPTHWISE_CONV_2D`) and [`QMaxPool2d`] (`MAX_POOL_2D`), over an image or
//! a signal's one row (`[1, 1, L, C]`).

use super::arith::{Multiplier, OutputStage, QuantParams, Rounding};
use super::layer::QLayer;
use crate::kernels::{self, Window2d};
use crate::nn::Connect;
use crate::shape::window::{KernelSize, Padding, PoolPadding, Strides};
use crate::shape::{Plane, VectorOf};

/// An int8 2-D convolution, full or depthwise (`G`, as the float [`Conv2d`](crate::nn::Conv2d)),
/// with the float layer's window (`K`, `S`, `P`): for each output channel `o` and position
/// `(r, c)`, `acc = bias[o] + Σ weight[o][ky][kx][ch] · (x[r·Sh + ky − Ph][c·Sw + kx − Pw][ch] −
/// input_zero_point)` over the taps inside the image (padding is the real value 0: it adds
/// nothing; over the input channels `ch`, or only `ch = o` depthwise), in wrapping int32 as
/// TFLite Micro's `CONV_2D` / `DEPTHWISE_CONV_2D`, then `y = clamp(rescale[o](acc) +
/// output_zero_point, act_min, act_max)` with TFLite Micro's two-step rescaling
/// ([`Multiplier::apply_double_rounding`]). `Q` is the output port (`Image<O, H', W'>`).
pub struct QConv2d<const I: usize, const O: usize, K, S, P, G, X, Q>
where
    K: KernelSize,
    G: Connect,
{
    /// int8 weights in TFLite's order, `[out][ky][kx][in]` (`[ky][kx][channel]` depthwise),
    /// held in the float layer's weight type (`[out][in][ky][kx]`, whose element count is the
    /// same: read it flat), symmetric per output channel.
    pub weight: G::Weight<i8, K, I, O>,
    /// int32 biases in units of `input_scale · weight_scale[o]`.
    pub bias: [i32; O],
    /// The scale of each output channel's weights.
    pub weight_scales: [f32; O],
    /// The fixed-point rescaling of each output channel.
    pub rescale: [Multiplier; O],
    /// The input's quantization.
    pub input: QuantParams,
    /// The output's quantization.
    pub output: QuantParams,
    /// The smallest output (a fused ReLU's zero point, else −128).
    pub act_min: i8,
    /// The largest output (a fused ReLU6's cap, else 127).
    pub act_max: i8,
    /// The window and the output port.
    pub port: crate::shape::window::Types<(S, P, X, Q)>,
}

impl<const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, X, Q> Clone
    for QConv2d<I, O, K, S, P, G, X, Q>
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, X, Q> Copy
    for QConv2d<I, O, K, S, P, G, X, Q>
{
}

impl<const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, X, Q> PartialEq
    for QConv2d<I, O, K, S, P, G, X, Q>
{
    fn eq(&self, o: &Self) -> bool {
        self.weight == o.weight
            && self.bias == o.bias
            && self.weight_scales == o.weight_scales
            && self.rescale == o.rescale
            && (self.input, self.output, self.act_min, self.act_max)
                == (o.input, o.output, o.act_min, o.act_max)
    }
}

impl<const I: usize, const O: usize, K: KernelSize, S, P, G: Connect, X, Q> core::fmt::Debug
    for QConv2d<I, O, K, S, P, G, X, Q>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct(if G::DEPTHWISE {
            "QDepthwiseConv2d"
        } else {
            "QConv2d"
        })
        .field("weight", &self.weight)
        .field("bias", &self.bias)
        .field("weight_scales", &self.weight_scales)
        .field("input", &self.input)
        .field("output", &self.output)
        .finish()
    }
}

impl<const I: usize, const O: usize, K, S, P, G, X, Q> QLayer for QConv2d<I, O, K, S, P, G, X, Q>
where
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: Connect,
    X: Plane,
    Q: Plane,
{
    type In = VectorOf<i8, X>;
    type Out = VectorOf<i8, Q>;
    const MACS: usize = Q::N * K::H * K::W * if G::DEPTHWISE { 1 } else { I };

    fn input_params(&self) -> QuantParams {
        self.input
    }

    fn output_params(&self) -> QuantParams {
        self.output
    }

    /// On NHWC activations.
    #[inline(never)]
    fn apply(&self, x: &[i8], y: &mut [i8]) {
        // Exactly the input's and the output's lengths: constants to the kernel.
        let (Some(x), Some(y)) = (x.get(..X::N), y.get_mut(..Q::N)) else {
            return;
        };
        let window = Window2d::of(crate::shape::window::spec::<K, S, P>(), I, O, X::HW, Q::HW);
        let (lo, hi) = (i32::from(self.act_min), i32::from(self.act_max));
        let zout = self.output.zero_point;
        kernels::conv2d_i8(
            &window,
            G::DEPTHWISE,
            x,
            self.input.zero_point,
            G::flat::<i8, K, I, O>(&self.weight),
            &self.bias,
            &mut OutputStage {
                rescale: &self.rescale,
                rounding: Rounding::Micro,
                zero_point: zout,
                lo,
                hi,
            },
            y,
        );
    }
}

/// int8 max pooling over windows `K` moved by `S` (no padding), the quantization unchanged:
/// `y[c][r][k] = max x[c][r·Sh + ky][k·Sw + kx]`. `Q` is the output port.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QMaxPool2d<K, S, P, X, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The window and the ports.
    pub port: crate::shape::window::Types<(K, S, P, X, Q)>,
}

impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> QLayer
    for QMaxPool2d<K, S, P, X, Q>
{
    type In = VectorOf<i8, X>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    /// On NHWC activations: each output pixel's channels side by side.
    fn apply(&self, x: &[i8], y: &mut [i8]) {
        let spec = crate::shape::window::spec::<K, S, P>();
        let window = Window2d::of(spec, X::C, X::C, X::HW, Q::HW);
        kernels::pool_i8_nhwc(&window, x, y, i8::MIN, i8::max, |v| v);
    }
}

/// The index in typegrad's weight `[o][i][ky][kx]` (depthwise `[c][ky][kx]`) of element `n`
/// of TFLite's filter `[o][ky][kx][i]` (depthwise `[0][ky][kx][c]`).
#[cfg(any(feature = "std", feature = "libm"))]
pub(crate) fn typegrad_index<K: KernelSize, G: Connect, const I: usize, const O: usize>(
    n: usize,
) -> usize {
    let (o, i, ky, kx) = if G::DEPTHWISE {
        (n % O, 0, n / O / K::W, n / O % K::W)
    } else {
        let per = K::H * K::W * I;
        let r = n % per;
        (n / per, r % I, r / I / K::W, r / I % K::W)
    };
    let fan = if G::DEPTHWISE { 1 } else { I };
    ((o * fan + i) * K::H + ky) * K::W + kx
}

pub(crate) mod load {
    use super::{QConv2d, QMaxPool2d};
    use crate::nn::Connect;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{
        Activation, At, Builtin, Dims, Load, Model, Padding, Problem, Step, Tensor, TfliteError,
        channels, clamp, dims_of, expect_dims, expect_stride, find, padded, params_at, window_pads,
    };
    use crate::shape::window::{KernelSize, Padding as Pads, PoolPadding, Strides};
    use crate::shape::{Plane, VectorOf};

    /// `CONV_2D` or `DEPTHWISE_CONV_2D` (after a `PAD` for explicit padding), its window,
    /// filter shape and fused activation checked against the type.
    impl<const I: usize, const O: usize, K, S, P, G, X, Q> Load for QConv2d<I, O, K, S, P, G, X, Q>
    where
        K: KernelSize,
        S: Strides,
        P: Pads,
        G: Connect,
        X: Plane,
        Q: Plane,
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let input = params_at(file, at)?;
            let out = dims_of::<VectorOf<i8, Q>>();
            conv_layer::<_, K, S, P, G, I, O>(file, at, X::HW, &out, |step, filter, activation| {
                let axis = if G::DEPTHWISE { 3 } else { 0 };
                let output = step.output_params()?;
                let (weight_scales, bias, rescale) =
                    channels::<O>(step, file, filter, axis, input, output)?;
                let mut weight = G::weight::<i8, K, I, O>(0);
                let flat = G::flat_mut::<i8, K, I, O>(&mut weight);
                for (n, w) in flat.iter_mut().enumerate() {
                    *w = filter.i8(n).map_err(|p| step.error(p))?;
                }
                let (act_min, act_max) = clamp(activation, output);
                Ok(QConv2d {
                    weight,
                    bias,
                    weight_scales,
                    rescale,
                    input,
                    output,
                    act_min,
                    act_max,
                    port: crate::shape::window::Types::default(),
                })
            })
        }
    }

    /// The `CONV_2D` (`DEPTHWISE_CONV_2D` for `G = Depthwise`) of window `K`, `S`, `P` from `I`
    /// channels of `H × W` to `O` channels of `out` reading `at.tensor` (after a `PAD` for
    /// explicit padding, or padding `SAME` to the same zeros), its window and filter shape
    /// checked; `build` makes the layer from the operator, its filter and its fused
    /// activation (int8 or float). The layer and where the next one reads.
    pub(crate) fn conv_layer<'a, T, K, S, P, G, const I: usize, const O: usize>(
        file: &Model<'a>,
        at: At,
        [h, w]: [usize; 2],
        out: &Dims,
        mut build: impl FnMut(&Step<'a>, &Tensor<'a>, Activation) -> Result<T, TfliteError>,
    ) -> Result<(T, At), TfliteError>
    where
        K: KernelSize,
        S: Strides,
        P: Pads,
        G: Connect,
    {
        let (kernel, strides) = ([K::H, K::W], [S::H, S::W]);
        // The zeros around the image: the window's own (`SAME`), or explicit.
        let pads = if P::SAME {
            window_pads(Padding::Same, [h, w], kernel, strides)
        } else {
            [P::H, P::H, P::W, P::W]
        };
        let (op, name) = if G::DEPTHWISE {
            (Builtin::DepthwiseConv2d, "DEPTHWISE_CONV_2D")
        } else {
            (Builtin::Conv2d, "CONV_2D")
        };
        // The convolution reading `x` (`at`, or it padded), padding `own` zeros itself.
        let mut conv = |x: At, own: [usize; 4]| {
            let rows = h + if x == at { 0 } else { P::H * 2 };
            let cols = w + if x == at { 0 } else { P::W * 2 };
            find(file, x, &[op], name, |step| {
                let Some((padding, stride, activation)) = step.options.conv_window() else {
                    return Err(step.error(Problem::Missing {
                        what: "builtin_options",
                    }));
                };
                expect_stride(&step, [S::W, S::H], stride)?;
                let file_pads = window_pads(padding, [rows, cols], kernel, strides);
                if file_pads != own {
                    return Err(step.error(Problem::Shape {
                        what: "zeros around the image (top, bottom, left, right)",
                        file: Dims::new(&file_pads.map(|p| p as i32)),
                        needed: Dims::new(&own.map(|p| p as i32)),
                    }));
                }
                step.gives(at.layer, out)?;
                let filter = step.needs(file, 1, "filter")?;
                let (kh, kw) = (K::H as i32, K::W as i32);
                let shape = if G::DEPTHWISE {
                    [1, kh, kw, O as i32]
                } else {
                    [O as i32, kh, kw, I as i32]
                };
                expect_dims(Some(&step.op), &filter, "filter", &Dims::new(&shape))?;
                let layer = build(&step, &filter, activation)?;
                Ok((layer, at.then(step.output.index)))
            })
        };
        // Either the convolution pads (`SAME` that comes to these zeros, or `VALID` for
        // none), or a `PAD` does and the convolution is `VALID`.
        match conv(at, pads) {
            Err(e) if pads != [0; 4] => match padded(file, at, pads) {
                Ok(x) => conv(x, [0; 4]),
                Err(_) => Err(e),
            },
            other => other,
        }
    }

    /// `MAX_POOL_2D` over windows `K` moved by `S`, `VALID`.
    impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> Load
        for QMaxPool2d<K, S, P, X, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = dims_of::<VectorOf<i8, Q>>();
            let (params, next) = crate::quant::tflite::int8_pool(
                file,
                at,
                Builtin::MaxPool2d,
                crate::quant::tflite::PoolWindow::of::<K, S, P>(),
                X::HW,
                &out,
            )?;
            let port = crate::shape::window::Types::default();
            Ok((QMaxPool2d { params, port }, next))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::{QConv2d, QMaxPool2d};
    use crate::nn::Connect;
    use crate::quant::source::{Literal, fields_literal};
    use crate::shape::window::KernelSize;
    use std::string::String;

    impl<const I: usize, const O: usize, K, S, P, G, X, Q> Literal for QConv2d<I, O, K, S, P, G, X, Q>
    where
        K: KernelSize,
        G: Connect,
        G::Weight<i8, K, I, O>: Literal,
    {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QConv2d",
                fields {
                    weight,
                    bias,
                    weight_scales,
                    rescale,
                    input,
                    output,
                    act_min,
                    act_max,
                    port
                }
            );
        }
    }

    impl<K, S, P, X, Q> Literal for QMaxPool2d<K, S, P, X, Q> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QMaxPool2d", fields { params, port });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::{QConv2d, QMaxPool2d};
    use crate::nn::Connect;
    use crate::quant::tflite::{Activation, Builtin, Describe, Flow, Graph, Options, Padding};
    use crate::shape::Plane;
    use crate::shape::window::{KernelSize, Padding as Pads, PoolPadding, Strides};
    use std::vec::Vec;

    /// `CONV_2D` (weights `[O, kh, kw, I]`) or `DEPTHWISE_CONV_2D` (weights `[1, kh, kw, C]`,
    /// quantized along axis 3), `SAME` or `VALID`; explicit padding is a `PAD` (with the
    /// input's zero point) before a `VALID` one. A fused clamp is TFLite's fused `RELU` /
    /// `RELU6`.
    impl<const I: usize, const O: usize, K, S, P, G, X, Q> Describe for QConv2d<I, O, K, S, P, G, X, Q>
    where
        X: Plane,
        K: KernelSize,
        S: Strides,
        P: Pads,
        G: Connect,
        Q: Plane,
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let x = g.pad(&g.name("padded"), &x, [P::H, P::H, P::W, P::W]);
            let flat = G::flat::<i8, K, I, O>(&self.weight);
            let (kh, kw) = (K::H as i32, K::W as i32);
            let (shape, axis) = if G::DEPTHWISE {
                ([1, kh, kw, O as i32], 3)
            } else {
                ([O as i32, kh, kw, I as i32], 0)
            };
            let weights: Vec<i8> = flat.to_vec();
            let w = g.weights_along(
                &g.name("weights"),
                &shape,
                &weights,
                &self.weight_scales,
                axis,
            );
            let scales = self.weight_scales.map(|s| self.input.scale * s);
            let b = g.biases(&g.name("bias"), &self.bias, &scales);
            let [oh, ow] = Q::HW;
            let out = Flow {
                h: oh,
                w: ow,
                c: O,
                ..x
            };
            let y = g.next(&g.name("conv"), &out, self.output);
            let padding = if P::SAME {
                Padding::Same
            } else {
                Padding::Valid
            };
            let stride = [S::W as i32, S::H as i32];
            let activation = Activation::of_clamp(self.act_min, self.act_max);
            let (op, options) = if G::DEPTHWISE {
                let o = Options::DepthwiseConv2d {
                    padding,
                    stride,
                    activation,
                };
                (Builtin::DepthwiseConv2d, o)
            } else {
                (
                    Builtin::Conv2d,
                    Options::Conv2d {
                        padding,
                        stride,
                        activation,
                    },
                )
            };
            g.operator(op, &[x.tensor, w, b], &[y.tensor], options);
            y
        }
    }

    /// `MAX_POOL_2D` over windows `K`.
    impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> Describe
        for QMaxPool2d<K, S, P, X, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let [h, w] = Q::HW;
            let out = Flow { h, w, ..x };
            g.pool(
                Builtin::MaxPool2d,
                "pool",
                &x,
                out,
                crate::quant::tflite::PoolWindow::of::<K, S, P>(),
            )
        }
    }
}
