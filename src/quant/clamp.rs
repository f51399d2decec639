//! [`QClamp`]: an int8 ReLU or ReLU6 on any port, the quantization unchanged.

use super::arena::{ArenaError, Buffers};
use super::arith::QuantParams;
use super::layer::QLayer;
use super::sample::QSample;
use crate::activation::{Relu, Relu6};
use core::marker::PhantomData;

/// int8 `y = min(max(x, lo), hi)`, the quantization unchanged: TFLite Micro's `RELU6` with
/// `lo` the zero point and `hi = zero_point + round(6 / scale)` (`A = Relu6`), or its `RELU`
/// (`A = Relu`: `hi = 127`). `X` is the int8 sample type.
#[derive(Debug, PartialEq)]
pub struct QClamp<X, A = Relu6> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The smallest output.
    pub lo: i8,
    /// The largest output.
    pub hi: i8,
    /// The sample type and the activation.
    pub sample: PhantomData<fn() -> (X, A)>,
}

impl<X, A> Clone for QClamp<X, A> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<X, A> Copy for QClamp<X, A> {}

impl<X: QSample, A> QLayer for QClamp<X, A> {
    type In = X;
    type Out = X;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    fn apply(&self, x: &[i8], y: &mut [i8]) {
        for (out, &v) in y.iter_mut().zip(x) {
            *out = v.clamp(self.lo, self.hi);
        }
    }

    /// A clamp to the whole int8 range (the layer before clamped already) leaves its input
    /// where it is.
    fn run(&self, bufs: &mut Buffers<'_>, from: usize, keep: u32) -> Result<usize, ArenaError> {
        if (self.lo, self.hi) == (i8::MIN, i8::MAX) {
            return Ok(from);
        }
        let to = bufs.free(from, keep)?;
        let (x, y) = bufs.pair(from, X::LEN, to, X::LEN);
        self.apply(x, y);
        Ok(to)
    }
}

mod load {
    use super::{QClamp, Relu, Relu6};
    use crate::quant::arith::clamp_of;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{At, Builtin, Load, Model, TfliteError, clamp_op, params_at};

    /// `RELU6` (or `RELU`), or nothing when the input cannot leave `[0, 6]` (zero point −128,
    /// the cap at 127 or above: the layer before clamped it).
    impl<X: QSample + Clone> Load for QClamp<X, Relu6> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let input = params_at(file, at)?;
            let (lo6, hi6) = clamp_of(input, true, Some(6.0));
            let absent_ok = lo6 == i8::MIN && hi6 == i8::MAX;
            let sample = core::marker::PhantomData;
            let params = input;
            match clamp_op(file, at, Builtin::Relu6, absent_ok) {
                Ok(next) => Ok((
                    QClamp {
                        params,
                        lo: lo6,
                        hi: hi6,
                        sample,
                    },
                    next,
                )),
                Err(e) => match clamp_op(file, at, Builtin::Relu, false) {
                    Ok(next) => {
                        let lo = lo6;
                        Ok((
                            QClamp {
                                params,
                                lo,
                                hi: i8::MAX,
                                sample,
                            },
                            next,
                        ))
                    }
                    Err(_) => Err(e),
                },
            }
        }
    }

    /// `RELU`, or nothing when it clamps nothing (zero point −128: fused into the layer
    /// before).
    impl<X: QSample + Clone> Load for QClamp<X, Relu> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let params = params_at(file, at)?;
            let (lo, hi) = clamp_of(params, true, None);
            let next = clamp_op(file, at, Builtin::Relu, lo == i8::MIN)?;
            let sample = core::marker::PhantomData;
            Ok((
                QClamp {
                    params,
                    lo,
                    hi,
                    sample,
                },
                next,
            ))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::QClamp;
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<X, A> Literal for QClamp<X, A> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(
                out,
                "QClamp",
                fields {
                    params,
                    lo,
                    hi,
                    sample
                }
            );
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::QClamp;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{Builtin, Describe, Flow, Graph, Options};

    /// `RELU6` (`RELU` without a cap); nothing when it clamps nothing (fused into the layer
    /// before it).
    impl<X: QSample + Clone, A> Describe for QClamp<X, A> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            if self.lo == i8::MIN && self.hi == i8::MAX {
                return x;
            }
            if self.hi == i8::MAX {
                return g.relu(&x, self.params);
            }
            let op = if self.hi == i8::MAX {
                Builtin::Relu
            } else {
                Builtin::Relu6
            };
            let y = g.next(&g.name("relu6"), &x, self.params);
            g.operator(op, &[x.tensor], &[y.tensor], Options::None);
            y
        }
    }
}
