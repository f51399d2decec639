//! [`QDense`]: an int8 fully connected layer with TFLite's arithmetic.

use super::arith::{Multiplier, OutputStage, QuantParams, Rounding};
use super::layer::QLayer;
use crate::Vector;

/// An int8 fully connected layer, computed as TFLite's reference `FULLY_CONNECTED` kernel with
/// per-channel weights: for each output `o`,
///
/// `acc = bias[o] + Σᵢ weight[o][i] · (x[i] − input_zero_point)` (int32),
/// `y[o] = clamp(rescale[o](acc) + output_zero_point, act_min, act_max)`
///
/// where `rescale[o]` multiplies by `input_scale · weight_scale[o] / output_scale` in fixed
/// point, rounded as TFLite Micro does ([`Rounding::Micro`], the default) or as the desktop
/// interpreter does ([`Rounding::Reference`]; [`QLayer::with_rounding`] switches a network).
/// Weights are symmetric (zero point 0) per output channel; a fused ReLU is
/// `act_min = output_zero_point`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QDense<const I: usize, const O: usize> {
    /// int8 weights `[out][in]`.
    pub weights: [[i8; I]; O],
    /// int32 biases, in units of `input_scale · weight_scale[o]`.
    pub bias: [i32; O],
    /// The scale of each output channel's weights.
    pub weight_scales: [f32; O],
    /// The fixed-point rescaling of each output channel.
    pub rescale: [Multiplier; O],
    /// The input's quantization.
    pub input: QuantParams,
    /// The output's quantization.
    pub output: QuantParams,
    /// The smallest output (−128, or the zero point for a fused ReLU).
    pub act_min: i8,
    /// The largest output (127).
    pub act_max: i8,
    /// Whose rescaling it reproduces.
    pub rounding: Rounding,
}

impl<const I: usize, const O: usize> QLayer for QDense<I, O> {
    type In = Vector<i8, I>;
    type Out = Vector<i8, O>;
    const MACS: usize = I * O;

    fn input_params(&self) -> QuantParams {
        self.input
    }

    fn output_params(&self) -> QuantParams {
        self.output
    }

    fn with_rounding(self, rounding: Rounding) -> Self {
        Self { rounding, ..self }
    }

    #[inline(never)]
    fn apply(&self, x: &[i8], y: &mut [i8]) {
        // Exactly `I` inputs and `O` outputs: lengths the kernel knows at compile time.
        let (Some(x), Some(y)) = (x.first_chunk::<I>(), y.first_chunk_mut::<O>()) else {
            return;
        };
        let (lo, hi) = (i32::from(self.act_min), i32::from(self.act_max));
        crate::kernels::dense_i8(
            self.weights.as_flattened(),
            x,
            self.input.zero_point,
            &self.bias,
            &mut OutputStage {
                rescale: &self.rescale,
                rounding: self.rounding,
                zero_point: self.output.zero_point,
                lo,
                hi,
            },
            y,
        );
    }
}

/// The typegrad weight column of TFLite's column `j`: the same after a flat input; after an
/// image `[c, h, w]` flattened in typegrad's (channel, row, column) order, TFLite's column
/// runs in (row, column, channel) order.
pub(crate) fn typegrad_column(flattened_from: Option<[usize; 3]>, j: usize) -> usize {
    match flattened_from {
        Some([c, h, w]) => {
            let (row, rest) = (j / (w * c), j % (w * c));
            (rest % c) * h * w + row * w + rest / c
        }
        None => j,
    }
}

pub(crate) mod load {
    use super::QDense;
    use crate::quant::Rounding;
    use crate::quant::layer::{QChain, QLayer};
    use crate::quant::tflite::{
        Activation, At, Builtin, Dims, Load, Model, Options, Problem, Step, Tensor, TfliteError,
        channels, clamp, expect_dims, find,
    };

    /// The `FULLY_CONNECTED` from `I` to `O` features reading `at.tensor`, its filter shape
    /// checked; `build` makes the layer from the operator, its filter, its fused activation
    /// and the order of the filter's columns (`column(j)`: typegrad's column of the file's
    /// column `j`). The layer and where the next one reads.
    pub(crate) fn dense_layer<'a, T, const I: usize, const O: usize>(
        file: &Model<'a>,
        at: At,
        mut build: impl FnMut(
            &Step<'a>,
            &Tensor<'a>,
            Activation,
            &dyn Fn(usize) -> usize,
        ) -> Result<T, TfliteError>,
    ) -> Result<(T, At), TfliteError> {
        let column = |j: usize| super::typegrad_column(at.flattened_from, j);
        find(
            file,
            at,
            &[Builtin::FullyConnected],
            "FULLY_CONNECTED",
            |step| {
                let Options::FullyConnected { activation } = step.options else {
                    return Err(step.error(Problem::Missing {
                        what: "builtin_options",
                    }));
                };
                step.gives(at.layer, &Dims::new(&[1, O as i32]))?;
                let filter = step.needs(file, 1, "filter")?;
                let op = Some(&step.op);
                expect_dims(op, &filter, "filter", &Dims::new(&[O as i32, I as i32]))?;
                let layer = build(&step, &filter, activation, &column)?;
                Ok((layer, at.then(step.output.index)))
            },
        )
    }

    /// `FULLY_CONNECTED` with weights `[O, I]`, per tensor or per output channel, its fused
    /// activation as the output clamp (TFLite Micro's rounding).
    impl<const I: usize, const O: usize> Load for QDense<I, O> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let input = crate::quant::tflite::params_at(file, at)?;
            dense_layer::<_, I, O>(file, at, |step, filter, activation, column| {
                let output = step.output_params()?;
                let (weight_scales, bias, rescale) =
                    channels::<O>(step, file, filter, 0, input, output)?;
                let mut weights = [[0i8; I]; O];
                for (o, row) in weights.iter_mut().enumerate() {
                    for j in 0..I {
                        if let Some(w) = row.get_mut(column(j)) {
                            *w = filter.i8(o * I + j).map_err(|p| step.error(p))?;
                        }
                    }
                }
                let (act_min, act_max) = clamp(activation, output);
                Ok(QDense {
                    weights,
                    bias,
                    weight_scales,
                    rescale,
                    input,
                    output,
                    act_min,
                    act_max,
                    rounding: Rounding::Micro,
                })
            })
        }
    }

    impl<A: Load, B: Load + QLayer<In = A::Out>> Load for QChain<A, B> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let (a, mid) = A::load(file, at)?;
            let (b, end) = B::load(file, mid)?;
            Ok((QChain(a, b), end))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::QDense;
    use crate::quant::layer::QChain;
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<const I: usize, const O: usize> Literal for QDense<I, O> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QDense",
                fields {
                    weights,
                    bias,
                    weight_scales,
                    rescale,
                    input,
                    output,
                    act_min,
                    act_max,
                    rounding
                }
            );
        }
    }

    impl<A: Literal, B: Literal> Literal for QChain<A, B> {
        fn literal(&self, out: &mut String) {
            out.push_str("::typegrad::quant::QChain(\n");
            self.0.literal(out);
            out.push_str(",\n");
            self.1.literal(out);
            out.push(')');
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::QDense;
    use crate::quant::layer::{QChain, QLayer};
    use crate::quant::tflite::{Activation, Builtin, Describe, Flow, Graph, Options};
    use std::vec::Vec;

    /// `FULLY_CONNECTED` with per-channel weights `[O, I]` and a fused ReLU when `act_min` is
    /// above −128. After an image flattened in typegrad's order, the weight columns are
    /// permuted to TFLite's (row, column, channel).
    impl<const I: usize, const O: usize> Describe for QDense<I, O> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let column = |j: usize| super::typegrad_column(x.flattened_from, j);
            let weights: Vec<i8> = (0..O)
                .flat_map(|o| (0..I).map(move |j| (o, j)))
                .map(|(o, j)| self.weights[o][column(j)])
                .collect();
            let w = g.weights(
                &g.name("weights"),
                &[O as i32, I as i32],
                &weights,
                &self.weight_scales,
            );
            let scales = self.weight_scales.map(|s| self.input.scale * s);
            let b = g.biases(&g.name("bias"), &self.bias, &scales);
            let y = g.activation(&g.name("dense"), &[1, O as i32], self.output);
            let activation = Activation::of_clamp(self.act_min, self.act_max);
            g.operator(
                Builtin::FullyConnected,
                &[x.tensor, w, b],
                &[y],
                Options::FullyConnected { activation },
            );
            Flow {
                tensor: y,
                h: 1,
                w: 1,
                c: O,
                flat: true,
                params: self.output,
                flattened_from: None,
            }
        }
    }

    impl<A: Describe, B: Describe + QLayer<In = A::Out>> Describe for QChain<A, B> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let h = self.0.describe(g, x);
            self.1.describe(g, h)
        }
    }
}
