//! [`QSkip`]: a float layer that is nothing in int8 (a [`DynamicQuant`](crate::nn::DynamicQuant):
//! int8 layers quantize every activation already).

use super::arith::QuantParams;
use core::marker::PhantomData;

/// Its input unchanged: no operator in a `.tflite` file, no memory of its own. `X` is the
/// int8 sample type.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QSkip<X> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The sample type.
    pub sample: PhantomData<fn() -> X>,
}

super::layer::computes_nothing!(QSkip);

mod load {
    use super::QSkip;
    use crate::quant::tflite::{At, Load, Model, TfliteError, params_at};

    /// No operator: the next layer reads the same tensor.
    use crate::quant::QSample;

    impl<X: QSample> Load for QSkip<X> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let params = params_at(file, at)?;
            let sample = core::marker::PhantomData;
            let next = At {
                layer: at.layer + 1,
                ..at
            };
            Ok((QSkip { params, sample }, next))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::QSkip;
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<X> Literal for QSkip<X> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QSkip", fields { params, sample });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::QSkip;
    use crate::quant::tflite::{Describe, Flow, Graph};

    /// Nothing.
    use crate::quant::QSample;

    impl<X: QSample> Describe for QSkip<X> {
        fn describe(&self, _: &mut Graph, x: Flow) -> Flow {
            x
        }
    }
}
