//! int8 layers over channels × steps, computed as TFLite's reference kernels do on the same
//! model written NHWC (`[1, 1, L, C]`): [`QConv1d`] (`PAD` with the zero point, then
//! `CONV_2D` with a `1 × K` filter), [`QRelu`] (`RELU`), [`QMaxPool1d`] (`MAX_POOL_2D`) and
//! [`QGlobalAvgPool1d`] (`AVERAGE_POOL_2D` over all steps).

use super::arith::{Multiplier, QuantParams};
use super::dense::QLayer;
use crate::shape::{Port, VectorOf};
use crate::{Matrix, Vector};
use core::marker::PhantomData;

/// An int8 1-D convolution: for each output channel `o` and step `t`,
/// `acc = bias[o] + Σ_c Σ_k weight[o][c][k] · (x[c][t·S + k − P] − input_zero_point)` over the
/// taps inside the input (padding is the real value 0, i.e. the zero point: it adds nothing),
/// `y = clamp(rescale[o](acc) + output_zero_point, −128, 127)`, the rescaling in its
/// two-rounding form as the interpreter's `CONV_2D` does it
/// ([`Multiplier::apply_double_rounding`]). `Q` is the output port
/// (`Signal<O, M>`, as the float layer computes it).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QConv1d<
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const L: usize,
    Q,
> {
    /// int8 weights `[out][in][k]`, symmetric per output channel.
    pub weight: [[[i8; K]; I]; O],
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
    const L: usize,
    Q: Port,
> QLayer for QConv1d<I, O, K, S, P, L, Q>
{
    type In = Matrix<i8, I, L>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.input
    }

    fn output_params(&self) -> QuantParams {
        self.output
    }

    fn predict(&self, x: &Matrix<i8, I, L>) -> VectorOf<i8, Q> {
        let zin = self.input.zero_point;
        let rows = x.as_rows();
        let m = Q::DIMS[1].max(1);
        Q::sample(|i| {
            let (o, t) = (i / m, i % m);
            let mut acc = self.bias[o];
            for (c, row) in rows.iter().enumerate() {
                for k in 0..K {
                    let j = (t * S + k) as isize - P as isize;
                    if let Some(&v) = usize::try_from(j).ok().and_then(|j| row.get(j)) {
                        acc = acc
                            .wrapping_add(i32::from(self.weight[o][c][k]) * (i32::from(v) - zin));
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

/// int8 ReLU with the same quantization in and out: `y = max(x, zero_point)` (TFLite's `RELU`
/// rescales by exactly 1 then clamps at the zero point).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QRelu<const C: usize, const L: usize> {
    /// The quantization of input and output.
    pub params: QuantParams,
}

impl<const C: usize, const L: usize> QLayer for QRelu<C, L> {
    type In = Matrix<i8, C, L>;
    type Out = Matrix<i8, C, L>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Matrix<i8, C, L>) -> Matrix<i8, C, L> {
        let zp = self.params.zero_point.clamp(-128, 127) as i8;
        x.map(|v| v.max(zp))
    }
}

/// int8 max pooling over windows of `K` steps moved by `S` (no padding), the quantization
/// unchanged: `y[c][t] = max_k x[c][t·S + k]`. `Q` is the output port (`Signal<C, M>`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QMaxPool1d<const K: usize, const S: usize, const C: usize, const L: usize, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The output port.
    pub port: PhantomData<Q>,
}

impl<const K: usize, const S: usize, const C: usize, const L: usize, Q: Port> QLayer
    for QMaxPool1d<K, S, C, L, Q>
{
    type In = Matrix<i8, C, L>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Matrix<i8, C, L>) -> VectorOf<i8, Q> {
        let rows = x.as_rows();
        let m = Q::DIMS[1].max(1);
        Q::sample(|i| {
            let (c, t) = (i / m, i % m);
            let w = &rows[c][(t * S).min(L)..(t * S + K).min(L)];
            w.iter().copied().max().unwrap_or(i8::MIN)
        })
    }
}

/// int8 mean of each channel over its `L` steps, the quantization unchanged (TFLite's
/// `AVERAGE_POOL_2D` over the whole signal): `y[c] = round(Σ_t x[c][t] / L)` on the raw
/// int8 values, halves away from zero (integer division).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QGlobalAvgPool1d<const C: usize, const L: usize> {
    /// The quantization of input and output.
    pub params: QuantParams,
}

impl<const C: usize, const L: usize> QLayer for QGlobalAvgPool1d<C, L> {
    type In = Matrix<i8, C, L>;
    type Out = Vector<i8, C>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Matrix<i8, C, L>) -> Vector<i8, C> {
        let n = L.max(1) as i32;
        Vector::from_fn(|c| {
            let acc: i32 = x.as_rows()[c].iter().map(|&v| i32::from(v)).sum();
            let avg = if acc > 0 {
                (acc + n / 2) / n
            } else {
                (acc - n / 2) / n
            };
            avg.clamp(-128, 127) as i8
        })
    }
}

/// int8 ReLU on flat features with the same quantization in and out: `y = max(x, zero_point)`
/// (a `Relu` listed after a `Dense` as a layer of its own; TFLite's `RELU`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QReluFlat<const N: usize> {
    /// The quantization of input and output.
    pub params: QuantParams,
}

impl<const N: usize> QLayer for QReluFlat<N> {
    type In = Vector<i8, N>;
    type Out = Vector<i8, N>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Vector<i8, N>) -> Vector<i8, N> {
        let zp = self.params.zero_point.clamp(-128, 127) as i8;
        x.map(|v| v.max(zp))
    }
}

/// The values of int8 channels × steps in typegrad's order (channel after channel) as flat
/// features, the quantization unchanged. `Q` is the output port (`Size<C·L>`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QFlatten1d<const C: usize, const L: usize, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The output port.
    pub port: PhantomData<Q>,
}

impl<const C: usize, const L: usize, Q: Port> QLayer for QFlatten1d<C, L, Q> {
    type In = Matrix<i8, C, L>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn predict(&self, x: &Matrix<i8, C, L>) -> VectorOf<i8, Q> {
        let xs = x.as_slice();
        Q::sample(|i| xs[i])
    }
}

mod load {
    use super::{QConv1d, QFlatten1d, QGlobalAvgPool1d, QMaxPool1d, QRelu, QReluFlat};
    use crate::nn::Full;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{
        Activation, At, Builtin, Dims, Load, Model, Problem, TfliteError, channels, clamp_op,
        dims_of, params_at, reshape,
    };
    use crate::quant::{conv2d_index, conv2d_layer};
    use crate::shape::window::{Kernel, Pad, Stride};
    use crate::shape::{Port, VectorOf};

    /// A `1 × K` `CONV_2D` (after a `PAD`, or padding `SAME` to the same zeros), weights
    /// `[O, 1, K, I]`, no fused activation.
    impl<
        const I: usize,
        const O: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const L: usize,
        Q: Port,
    > Load for QConv1d<I, O, K, S, P, L, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            // The 2-D search on a one-row image: `1 × K` windows, `PAD` only left and right.
            let input = params_at(file, at)?;
            let out = dims_of::<VectorOf<i8, Q>>();
            conv2d_layer::<_, Kernel<1, K>, Stride<1, S>, Pad<0, P>, Full, I, O, 1, L>(
                file,
                at,
                &out,
                |step, filter, activation| {
                    if activation != Activation::None {
                        return Err(step.error(Problem::Unsupported {
                            what: "a 1-D convolution's fused_activation_function",
                            value: activation.code().into(),
                        }));
                    }
                    let output = step.output_params()?;
                    let (weight_scales, bias, rescale) =
                        channels::<O>(step, file, filter, 0, input, output)?;
                    let mut weight = [[[0i8; K]; I]; O];
                    let flat = weight.as_flattened_mut().as_flattened_mut();
                    for n in 0..flat.len() {
                        let at = conv2d_index::<Kernel<1, K>, Full, I, O>(n);
                        if let Some(w) = flat.get_mut(at) {
                            *w = filter.i8(n).map_err(|p| step.error(p))?;
                        }
                    }
                    Ok(QConv1d {
                        weight,
                        bias,
                        weight_scales,
                        rescale,
                        input,
                        output,
                        port: core::marker::PhantomData,
                    })
                },
            )
        }
    }

    /// `RELU`, or nothing when it clamps nothing.
    impl<const C: usize, const L: usize> Load for QRelu<C, L> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let params = params_at(file, at)?;
            let next = clamp_op(file, at, Builtin::Relu, params.zero_point <= -128)?;
            Ok((QRelu { params }, next))
        }
    }

    /// `RELU`, or nothing when it clamps nothing.
    impl<const N: usize> Load for QReluFlat<N> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let params = params_at(file, at)?;
            let next = clamp_op(file, at, Builtin::Relu, params.zero_point <= -128)?;
            Ok((QReluFlat { params }, next))
        }
    }

    /// `MAX_POOL_2D` over `1 × K` windows.
    impl<const K: usize, const S: usize, const C: usize, const L: usize, Q: Port> Load
        for QMaxPool1d<K, S, C, L, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = dims_of::<VectorOf<i8, Q>>();
            let (params, next) = crate::quant::tflite::int8_pool(
                file,
                at,
                Builtin::MaxPool2d,
                crate::quant::tflite::PoolWindow::steps(K, S),
                [1, L],
                &out,
            )?;
            let port = core::marker::PhantomData;
            Ok((QMaxPool1d { params, port }, next))
        }
    }

    /// `AVERAGE_POOL_2D` over all `L` steps.
    impl<const C: usize, const L: usize> Load for QGlobalAvgPool1d<C, L> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = Dims::new(&[1, 1, 1, C as i32]);
            let (params, next) = crate::quant::tflite::int8_pool(
                file,
                at,
                Builtin::AveragePool2d,
                crate::quant::tflite::PoolWindow::steps(L, 1),
                [1, L],
                &out,
            )?;
            Ok((QGlobalAvgPool1d { params }, next))
        }
    }

    /// `RESHAPE` to `[1, C·L]`: the next `FULLY_CONNECTED` reads TFLite's column order.
    impl<const C: usize, const L: usize, Q: Port> Load for QFlatten1d<C, L, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = dims_of::<VectorOf<i8, Q>>();
            let params = params_at(file, at)?;
            let mut next = reshape(file, at, &out)?;
            next.flattened_from = Some([C, 1, L]);
            let port = core::marker::PhantomData;
            Ok((QFlatten1d { params, port }, next))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::{QConv1d, QFlatten1d, QGlobalAvgPool1d, QMaxPool1d, QRelu, QReluFlat};
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<
        const I: usize,
        const O: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const L: usize,
        Q,
    > Literal for QConv1d<I, O, K, S, P, L, Q>
    {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QConv1d",
                fields {
                    weight,
                    bias,
                    weight_scales,
                    rescale,
                    input,
                    output,
                    port
                }
            );
        }
    }

    impl<const C: usize, const L: usize> Literal for QRelu<C, L> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QRelu", fields { params });
        }
    }

    impl<const N: usize> Literal for QReluFlat<N> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QReluFlat", fields { params });
        }
    }

    impl<const K: usize, const S: usize, const C: usize, const L: usize, Q> Literal
        for QMaxPool1d<K, S, C, L, Q>
    {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QMaxPool1d", fields { params, port });
        }
    }

    impl<const C: usize, const L: usize> Literal for QGlobalAvgPool1d<C, L> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QGlobalAvgPool1d", fields { params });
        }
    }

    impl<const C: usize, const L: usize, Q> Literal for QFlatten1d<C, L, Q> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QFlatten1d", fields { params, port });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::{QConv1d, QFlatten1d, QGlobalAvgPool1d, QMaxPool1d, QRelu, QReluFlat};
    use crate::quant::tflite::{Activation, Builtin, Describe, Flow, Graph, Options, Padding};
    use crate::shape::Port;
    use std::vec::Vec;

    /// `PAD` (with the input's zero point) then a `1 × K` `CONV_2D`, weights `[O, 1, K, I]`.
    impl<
        const I: usize,
        const O: usize,
        const K: usize,
        const S: usize,
        const P: usize,
        const L: usize,
        Q: Port,
    > Describe for QConv1d<I, O, K, S, P, L, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let padded = g.pad(&g.name("padded"), &x, [0, 0, P, P]);
            let weights: Vec<i8> = (0..O)
                .flat_map(|o| (0..K).flat_map(move |k| (0..I).map(move |i| (o, k, i))))
                .map(|(o, k, i)| self.weight[o][i][k])
                .collect();
            let shape = [O as i32, 1, K as i32, I as i32];
            let w = g.weights(&g.name("weights"), &shape, &weights, &self.weight_scales);
            let scales = self.weight_scales.map(|s| self.input.scale * s);
            let b = g.biases(&g.name("bias"), &self.bias, &scales);
            let out = Flow {
                w: Q::DIMS[1],
                c: O,
                ..padded
            };
            let y = g.next(&g.name("conv"), &out, self.output);
            let options = Options::Conv2d {
                padding: Padding::Valid,
                stride: [S as i32, 1],
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
    impl<const C: usize, const L: usize> Describe for QRelu<C, L> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.relu(&x, self.params)
        }
    }

    /// `MAX_POOL_2D` over `1 × K` windows.
    impl<const K: usize, const S: usize, const C: usize, const L: usize, Q: Port> Describe
        for QMaxPool1d<K, S, C, L, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let out = Flow { w: Q::DIMS[1], ..x };
            g.pool(
                Builtin::MaxPool2d,
                "pool",
                &x,
                out,
                crate::quant::tflite::PoolWindow::steps(K, S),
            )
        }
    }

    /// `AVERAGE_POOL_2D` over all `L` steps.
    impl<const C: usize, const L: usize> Describe for QGlobalAvgPool1d<C, L> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let out = Flow { w: 1, ..x };
            g.pool(
                Builtin::AveragePool2d,
                "mean",
                &x,
                out,
                crate::quant::tflite::PoolWindow::steps(L, 1),
            )
        }
    }

    /// `RELU`.
    impl<const N: usize> Describe for QReluFlat<N> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.relu(&x, self.params)
        }
    }

    /// `RESHAPE` to `[1, C·L]`; the `FULLY_CONNECTED` after it reorders its columns.
    impl<const C: usize, const L: usize, Q: Port> Describe for QFlatten1d<C, L, Q> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.flatten(&x, self.params, [C, 1, L])
        }
    }
}
