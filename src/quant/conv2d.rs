//! int8 layers over images (channels × rows × columns), computed as TFLite's reference kernels
//! do on the same model written NHWC (`[1, H, W, C]`): [`QConv2d`] (`PAD` with the zero point,
//! then `CONV_2D`), [`QRelu2d`] (`RELU`), [`QMaxPool2d`] (`MAX_POOL_2D`) and [`QFlatten2d`]
//! (`RESHAPE`; the next layer's weights are laid out for typegrad's channel-major order).

use super::arith::{Multiplier, QuantParams};
use super::dense::QLayer;
use crate::shape::{Port, VectorOf};
use crate::tensor::Planes;
use core::marker::PhantomData;

/// An int8 2-D convolution with a square `K × K` kernel: for each output channel `o` and
/// position `(r, c)`, `acc = bias[o] + Σ_ch Σ_ky Σ_kx weight[o][ch][ky][kx] · (x[ch][r·S + ky −
/// P][c·S + kx − P] − input_zero_point)` over the taps inside the image (padding is the real
/// value 0: it adds nothing), `y = clamp(rescale[o](acc) + output_zero_point, −128, 127)`, the rescaling in its
/// two-rounding form as the interpreter's `CONV_2D` does it
/// ([`Multiplier::apply_double_rounding`]).
/// `Q` is the output port (`Image<O, H', W'>`, as the float layer computes it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QConv2d<
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const H: usize,
    const W: usize,
    Q,
> {
    /// int8 weights `[out][in][ky][kx]`, symmetric per output channel.
    pub weight: [[[[i8; K]; K]; I]; O],
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
    /// The output port.
    pub port: PhantomData<Q>,
}

impl<
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const H: usize,
    const W: usize,
    Q: Port,
> QLayer for QConv2d<I, O, K, S, P, H, W, Q>
{
    type In = Planes<i8, I, H, W>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.input
    }

    fn output_params(&self) -> QuantParams {
        self.output
    }

    fn predict(&self, x: &Planes<i8, I, H, W>) -> VectorOf<i8, Q> {
        let zin = self.input.zero_point;
        let (rows, cols) = (Q::DIMS[1].max(1), Q::DIMS[2].max(1));
        // Index `k` of a window starting at `start` as a position inside `0..n`, if it is.
        let inside =
            |start: usize, k: usize, n: usize| (start + k).checked_sub(P).filter(|&j| j < n);
        Q::sample(|i| {
            let (o, r, c) = (i / (rows * cols), i / cols % rows, i % cols);
            let mut acc = self.bias[o];
            for ch in 0..I {
                for ky in 0..K {
                    let Some(y) = inside(r * S, ky, H) else {
                        continue;
                    };
                    for kx in 0..K {
                        let Some(xx) = inside(c * S, kx, W) else {
                            continue;
                        };
                        let v = i32::from(x[(ch, y, xx)]) - zin;
                        acc = acc.wrapping_add(i32::from(self.weight[o][ch][ky][kx]) * v);
                    }
                }
            }
            let y = self.rescale[o]
                .apply_double_rounding(acc)
                .saturating_add(self.output.zero_point);
            y.clamp(-128, 127) as i8
        })
    }
}

/// int8 ReLU on images with the same quantization in and out: `y = max(x, zero_point)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QRelu2d<const C: usize, const H: usize, const W: usize> {
    /// The quantization of input and output.
    pub params: QuantParams,
}

impl<const C: usize, const H: usize, const W: usize> QLayer for QRelu2d<C, H, W> {
    type In = Planes<i8, C, H, W>;
    type Out = Planes<i8, C, H, W>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Planes<i8, C, H, W>) -> Planes<i8, C, H, W> {
        let zp = self.params.zero_point.clamp(-128, 127) as i8;
        Planes::from_fn(|c, r, k| x[(c, r, k)].max(zp))
    }
}

/// int8 max pooling over `K × K` windows moved by `S` (no padding), the quantization
/// unchanged: `y[c][r][k] = max x[c][r·S + ky][k·S + kx]`. `Q` is the output port.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QMaxPool2d<
    const K: usize,
    const S: usize,
    const C: usize,
    const H: usize,
    const W: usize,
    Q,
> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The output port.
    pub port: PhantomData<Q>,
}

impl<const K: usize, const S: usize, const C: usize, const H: usize, const W: usize, Q: Port> QLayer
    for QMaxPool2d<K, S, C, H, W, Q>
{
    type In = Planes<i8, C, H, W>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Planes<i8, C, H, W>) -> VectorOf<i8, Q> {
        let (rows, cols) = (Q::DIMS[1].max(1), Q::DIMS[2].max(1));
        Q::sample(|i| {
            let (c, r, k) = (i / (rows * cols), i / cols % rows, i % cols);
            let mut best = i8::MIN;
            for y in (r * S).min(H)..(r * S + K).min(H) {
                for xx in (k * S).min(W)..(k * S + K).min(W) {
                    best = best.max(x[(c, y, xx)]);
                }
            }
            best
        })
    }
}

/// The values of an int8 image in typegrad's order (channel, row, column) as flat features,
/// the quantization unchanged. `Q` is the output port (`Size<C·H·W>`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QFlatten2d<const C: usize, const H: usize, const W: usize, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The output port.
    pub port: PhantomData<Q>,
}

impl<const C: usize, const H: usize, const W: usize, Q: Port> QLayer for QFlatten2d<C, H, W, Q> {
    type In = Planes<i8, C, H, W>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Planes<i8, C, H, W>) -> VectorOf<i8, Q> {
        let xs = x.as_slice();
        Q::sample(|i| xs[i])
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::{QConv2d, QFlatten2d, QMaxPool2d, QRelu2d};
    use crate::quant::tflite::{Activation, Builtin, Describe, Flow, Graph, Options, Padding};
    use crate::shape::Port;
    use std::vec::Vec;

    /// `PAD` (with the input's zero point) then a `K × K` `CONV_2D`, weights `[O, K, K, I]`.
    impl<
        const I: usize,
        const O: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const H: usize,
        const W: usize,
        Q: Port,
    > Describe for QConv2d<I, O, K, S, P, H, W, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let padded = g.pad(&g.name("padded"), &x, [P, P, P, P]);
            let weights: Vec<i8> = (0..O)
                .flat_map(|o| {
                    (0..K).flat_map(move |ky| {
                        (0..K).flat_map(move |kx| (0..I).map(move |i| (o, ky, kx, i)))
                    })
                })
                .map(|(o, ky, kx, i)| self.weight[o][i][ky][kx])
                .collect();
            let shape = [O as i32, K as i32, K as i32, I as i32];
            let w = g.weights(&g.name("weights"), &shape, &weights, &self.weight_scales);
            let scales = self.weight_scales.map(|s| self.input.scale * s);
            let b = g.biases(&g.name("bias"), &self.bias, &scales);
            let out = Flow {
                h: Q::DIMS[1],
                w: Q::DIMS[2],
                c: O,
                ..padded
            };
            let y = g.next(&g.name("conv"), &out, self.output);
            let options = Options::Conv2d {
                padding: Padding::Valid,
                stride: [S as i32, S as i32],
                activation: Activation::None,
            };
            g.operator(
                Builtin::Conv2d,
                &[padded.tensor, w, b],
                &[y.tensor],
                options,
            );
            y
        }
    }

    /// `RELU`.
    impl<const C: usize, const H: usize, const W: usize> Describe for QRelu2d<C, H, W> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.relu(&x, self.params)
        }
    }

    /// `MAX_POOL_2D` over `K × K` windows.
    impl<const K: usize, const S: usize, const C: usize, const H: usize, const W: usize, Q: Port>
        Describe for QMaxPool2d<K, S, C, H, W, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let out = Flow {
                h: Q::DIMS[1],
                w: Q::DIMS[2],
                ..x
            };
            g.pool(Builtin::MaxPool2d, "pool", &x, out, [K, K], [S, S])
        }
    }

    /// `RESHAPE` to `[1, C·H·W]`; the `FULLY_CONNECTED` after it reorders its columns.
    impl<const C: usize, const H: usize, const W: usize, Q: Port> Describe for QFlatten2d<C, H, W, Q> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.flatten(&x, self.params, [C, H, W])
        }
    }
}
