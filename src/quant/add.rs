//! int8 sums of two branches, as TFLite Micro's `ADD` computes them: [`QSum`] (a residual
//! block, `y = F(x) + S(x)`, with [`QIdentity`] as `S` for `y = x + F(x)`).

use super::arena::{ArenaError, Buffers};
use super::arith::{Multiplier, QuantParams};
use super::layer::{QLayer, max};
use super::sample::QSample;
use core::marker::PhantomData;

/// TFLite's `ADD` of two int8 tensors with their own quantization (`add_common.cc`): both
/// inputs, offset by their zero points, are shifted left by 20 bits and rescaled to twice the
/// larger input scale, added, and rescaled to the output (each step TFLite Micro's two-step
/// `MultiplyByQuantizedMultiplier`), then offset and clamped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QAddParams {
    /// The first input's quantization.
    pub a: QuantParams,
    /// The second input's quantization.
    pub b: QuantParams,
    /// The output's quantization.
    pub output: QuantParams,
    /// `scale_a / (2·max(scale_a, scale_b))`.
    pub rescale_a: Multiplier,
    /// `scale_b / (2·max(scale_a, scale_b))`.
    pub rescale_b: Multiplier,
    /// `2·max(scale_a, scale_b) / (2²⁰·scale_out)`.
    pub rescale_out: Multiplier,
    /// The smallest output (a fused ReLU's zero point, else −128).
    pub act_min: i8,
    /// The largest output.
    pub act_max: i8,
}

/// The left shift of both inputs (TFLite's, for int8).
const LEFT_SHIFT: i32 = 20;

impl QAddParams {
    /// The `ADD` of inputs quantized as `a` and `b` into `output`, clamped to
    /// `[act_min, act_max]`.
    pub fn new(
        a: QuantParams,
        b: QuantParams,
        output: QuantParams,
        act_min: i8,
        act_max: i8,
    ) -> Self {
        let twice_max = 2.0 * f64::from(a.scale.max(b.scale));
        Self {
            a,
            b,
            output,
            rescale_a: Multiplier::from_real(f64::from(a.scale) / twice_max),
            rescale_b: Multiplier::from_real(f64::from(b.scale) / twice_max),
            rescale_out: Multiplier::from_real(
                twice_max / (f64::from(1u32 << LEFT_SHIFT) * f64::from(output.scale)),
            ),
            act_min,
            act_max,
        }
    }

    /// One sum (TFLite's `AddFunc`).
    #[inline]
    pub fn add(&self, x: i8, y: i8) -> i8 {
        self.finish(
            self.scaled(x, self.a, self.rescale_a),
            self.scaled(y, self.b, self.rescale_b),
        )
    }

    /// An input offset by its zero point, shifted left by 20 and rescaled to the common scale.
    #[inline(always)]
    fn scaled(&self, v: i8, p: QuantParams, m: Multiplier) -> i32 {
        let shifted = i32::from(v)
            .wrapping_sub(p.zero_point)
            .wrapping_shl(LEFT_SHIFT as u32);
        m.apply_double_rounding(shifted)
    }

    /// The sum of two scaled inputs rescaled to the output, offset and clamped.
    #[inline(always)]
    fn finish(&self, a: i32, b: i32) -> i8 {
        let out = self
            .rescale_out
            .apply_double_rounding(a.wrapping_add(b))
            .saturating_add(self.output.zero_point);
        out.clamp(i32::from(self.act_min), i32::from(self.act_max)) as i8
    }

    /// `y[i] = add(y[i], s[i])` for every pair. Each input's scaled value depends on its int8
    /// value alone, so a long slice looks both up in two 256-entry tables computed once
    /// (measured on the Cortex-M4F: ResNet-8's three residual `ADD`s, 28,672 sums, took
    /// 3.4 M instructions one rescale after another, 119 per sum).
    pub fn add_into(&self, y: &mut [i8], s: &[i8]) {
        if y.len() < 1024 {
            for (v, &u) in y.iter_mut().zip(s) {
                *v = self.add(*v, u);
            }
            return;
        }
        let (mut ta, mut tb) = ([0i32; 256], [0i32; 256]);
        for (k, (a, b)) in ta.iter_mut().zip(tb.iter_mut()).enumerate() {
            let v = k as u8 as i8;
            *a = self.scaled(v, self.a, self.rescale_a);
            *b = self.scaled(v, self.b, self.rescale_b);
        }
        for (v, &u) in y.iter_mut().zip(s) {
            *v = self.finish(ta[usize::from(*v as u8)], tb[usize::from(u as u8)]);
        }
    }
}

/// Two int8 branches from one input, added with TFLite's `ADD`: `y = A(x) + B(x)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QSum<A, B> {
    /// The block.
    pub block: A,
    /// The shortcut.
    pub shortcut: B,
    /// The addition.
    pub add: QAddParams,
}

impl<A, B> QLayer for QSum<A, B>
where
    A: QLayer,
    B: QLayer<In = A::In, Out = A::Out>,
{
    type In = A::In;
    type Out = A::Out;
    const BUFFER_BYTES: usize = max(A::BUFFER_BYTES, B::BUFFER_BYTES);
    /// One more than the branches: the input stays while the block runs.
    const BUFFERS: usize = max(A::BUFFERS, B::BUFFERS) + 1;
    const MACS: usize = A::MACS + B::MACS;

    fn input_params(&self) -> QuantParams {
        self.block.input_params()
    }

    fn output_params(&self) -> QuantParams {
        self.add.output
    }

    fn apply(&self, x: &[i8], y: &mut [i8]) {
        let s = self.shortcut.forward(&A::In::copied(x));
        self.block.apply(x, y);
        self.add.add_into(y, s.values());
    }

    fn forward(&self, x: &A::In) -> A::Out {
        let mut y = self.block.forward(x);
        let s = self.shortcut.forward(x);
        self.add.add_into(y.values_mut(), s.values());
        y
    }

    /// The block runs with its input kept, the shortcut with the input and the block's
    /// output kept; the sum is written over the block's output.
    fn run(&self, bufs: &mut Buffers<'_>, from: usize, keep: u32) -> Result<usize, ArenaError> {
        let inner = keep | 1 << from;
        let a = self.block.run(bufs, from, inner)?;
        let s = self.shortcut.run(bufs, from, inner | 1 << a)?;
        let n = core::mem::size_of::<A::Out>();
        if a != from && a != s {
            let (short, y) = bufs.pair(s, n, a, n);
            self.add.add_into(y, short);
            return Ok(a);
        }
        // A block that computes nothing: the sum goes to a free buffer.
        let to = bufs.free(from, keep | 1 << s)?;
        for i in 0..n {
            let (u, v) = (bufs.get(a).get(i), bufs.get(s).get(i));
            if let (Some(&u), Some(&v)) = (u, v) {
                let sum = self.add.add(u, v);
                if let Some(o) = bufs.get_mut(to).get_mut(i) {
                    *o = sum;
                }
            }
        }
        Ok(to)
    }
}

/// The identity shortcut of a residual block `y = x + F(x)`: its input unchanged. `X` is the
/// int8 sample type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QIdentity<X> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The sample type.
    pub sample: PhantomData<fn() -> X>,
}

super::layer::computes_nothing!(QIdentity);

mod load {
    use super::{QAddParams, QIdentity, QSum};
    use crate::quant::layer::QLayer;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{
        At, Builtin, Load, Model, Options, Problem, TfliteError, clamp, dims_of, find, params_at,
    };

    /// Both branches from the same tensor (in any order in the file), then the `ADD` of their
    /// outputs (in either order), its fused activation as the clamp.
    impl<A, B> Load for QSum<A, B>
    where
        A: Load,
        B: Load + QLayer<In = A::In, Out = A::Out>,
        A::Out: QSample,
        QSum<A, B>: QLayer,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let (block, a) = A::load(file, at)?;
            let (shortcut, b) = B::load(
                file,
                At {
                    layer: a.layer,
                    ..at
                },
            )?;
            let sum = At {
                layer: b.layer,
                ..a
            };
            let (pa, pb) = (params_at(file, a)?, params_at(file, b)?);
            let (add, end) = find(file, sum, &[Builtin::Add], "ADD", |step| {
                let (x0, x1) = (step.op.input(0)?, step.op.input(1)?);
                if !((x0, x1) == (a.tensor, b.tensor) || (x0, x1) == (b.tensor, a.tensor)) {
                    return Err(step.error(Problem::NoOperator {
                        layer: sum.layer,
                        expects: "ADD of the block's and the shortcut's outputs",
                        tensor: b.tensor,
                    }));
                }
                let Options::Add { activation } = step.options else {
                    return Err(step.error(Problem::Missing {
                        what: "builtin_options",
                    }));
                };
                step.gives(sum.layer, &dims_of::<A::Out>())?;
                let output = step.output_params()?;
                let (act_min, act_max) = clamp(activation, output);
                let add = QAddParams::new(pa, pb, output, act_min, act_max);
                let factors = [add.rescale_a, add.rescale_b, add.rescale_out];
                if !factors.iter().all(|m| m.in_range()) {
                    return Err(step.error(crate::quant::tflite::OUT_OF_RANGE));
                }
                Ok((add, sum.then(step.output.index)))
            })?;
            let q = QSum {
                block,
                shortcut,
                add,
            };
            Ok((q, end))
        }
    }

    /// Nothing: the shortcut is the input tensor itself.
    impl<X: QSample> Load for QIdentity<X> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let params = params_at(file, at)?;
            let sample = core::marker::PhantomData;
            Ok((QIdentity { params, sample }, at))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::{QAddParams, QIdentity, QSum};
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl Literal for QAddParams {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QAddParams",
                fields {
                    a,
                    b,
                    output,
                    rescale_a,
                    rescale_b,
                    rescale_out,
                    act_min,
                    act_max
                }
            );
        }
    }

    impl<A: Literal, B: Literal> Literal for QSum<A, B> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QSum",
                fields {
                    block,
                    shortcut,
                    add
                }
            );
        }
    }

    impl<X> Literal for QIdentity<X> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QIdentity", fields { params, sample });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::{QIdentity, QSum};
    use crate::quant::layer::QLayer;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{Activation, Builtin, Describe, Flow, Graph, Options};

    /// Both branches from the same tensor, then `ADD` (a fused ReLU as its activation).
    impl<A, B> Describe for QSum<A, B>
    where
        A: Describe + QLayer,
        A::Out: QSample,
        B: Describe + QLayer<In = A::In, Out = A::Out>,
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let a = self.block.describe(g, x);
            let b = self.shortcut.describe(g, x);
            let y = g.next(&g.name("add"), &a, self.add.output);
            let activation = Activation::of_clamp(self.add.act_min, self.add.act_max);
            g.operator(
                Builtin::Add,
                &[a.tensor, b.tensor],
                &[y.tensor],
                Options::Add { activation },
            );
            y
        }
    }

    /// Nothing: the shortcut is the input tensor itself.
    impl<X: QSample> Describe for QIdentity<X> {
        fn describe(&self, _: &mut Graph, x: Flow) -> Flow {
            x
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{QAddParams, QuantParams};

    /// The table form of a long slice's sums equals the sums one by one, for inputs of
    /// different scales and zero points, every pair of int8 values covered.
    #[test]
    fn sums_through_the_tables_equal_sums_one_by_one() {
        let p = |scale: f32, zero_point: i32| QuantParams { scale, zero_point };
        for (a, b, out, lo) in [
            (p(0.05, -3), p(0.11, 7), p(0.13, -128), -128),
            (p(0.2, 127), p(0.2, -128), p(0.05, 0), 0),
        ] {
            let add = QAddParams::new(a, b, out, lo, 127);
            let x: std::vec::Vec<i8> = (0..65536).map(|k| (k % 256) as u8 as i8).collect();
            let y: std::vec::Vec<i8> = (0..65536).map(|k| (k / 256) as u8 as i8).collect();
            let mut z = x.clone();
            add.add_into(&mut z, &y);
            for ((&zv, &xv), &yv) in z.iter().zip(&x).zip(&y) {
                assert_eq!(zv, add.add(xv, yv), "{xv} + {yv}");
            }
        }
    }
}
