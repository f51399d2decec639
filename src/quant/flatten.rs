//! [`QFlatten`]: an int8 image or signal as flat features (TFLite's `RESHAPE`; the dense
//! layer after it reads TFLite's channel-last order).

use super::arith::QuantParams;
use super::layer::QLayer;
use crate::shape::{Plane, Port, VectorOf};

/// The values of an int8 image or signal (`X`) in typegrad's order (channel, row, column) as
/// flat features, the quantization unchanged. `Q` is the output port (`Size<C·H·W>`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QFlatten<X, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The ports.
    pub port: crate::shape::window::Types<(X, Q)>,
}

impl<X: Plane, Q: Port> QLayer for QFlatten<X, Q> {
    type In = VectorOf<i8, X>;
    type Out = VectorOf<i8, Q>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    /// `y[c·H·W + p] = x[p·C + c]`: typegrad's column order from the NHWC activation.
    fn apply(&self, x: &[i8], y: &mut [i8]) {
        let c = X::C.max(1);
        for (ch, out) in y.chunks_mut((X::HW[0] * X::HW[1]).max(1)).enumerate() {
            let column = x.get(ch..).unwrap_or(&[]).iter().step_by(c);
            for (o, &v) in out.iter_mut().zip(column) {
                *o = v;
            }
        }
    }
}

/// `[C, H, W]` of a plane.
const fn chw<X: Plane>() -> [usize; 3] {
    [X::C, X::HW[0], X::HW[1]]
}

mod load {
    use super::QFlatten;
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{At, Load, Model, TfliteError, dims_of, params_at, reshape};
    use crate::shape::{Plane, Port, VectorOf};

    /// `RESHAPE` to `[1, C·H·W]`: the next `FULLY_CONNECTED` reads TFLite's column order.
    impl<X: Plane, Q: Port> Load for QFlatten<X, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = dims_of::<VectorOf<i8, Q>>();
            let params = params_at(file, at)?;
            let mut next = reshape(file, at, &out)?;
            next.flattened_from = Some(super::chw::<X>());
            let port = crate::shape::window::Types::default();
            Ok((QFlatten { params, port }, next))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::QFlatten;
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<X, Q> Literal for QFlatten<X, Q> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QFlatten", fields { params, port });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::QFlatten;
    use crate::quant::tflite::{Describe, Flow, Graph};
    use crate::shape::{Plane, Port};

    /// `RESHAPE` to `[1, C·H·W]`; the `FULLY_CONNECTED` after it reorders its columns.
    impl<X: Plane, Q: Port> Describe for QFlatten<X, Q> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.flatten(&x, self.params, super::chw::<X>())
        }
    }
}
