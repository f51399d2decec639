//! int8 layers over channels × steps, computed as TFLite's reference kernels do on the same
//! model written NHWC (`[1, 1, L, C]`): [`QConv1d`] (`PAD` with the zero point, then
//! `CONV_2D` with a `1 × K` filter), [`QRelu`] (`RELU`), [`QMaxPool1d`] (`MAX_POOL_2D`) and
//! [`QGlobalAvgPool1d`] (`AVERAGE_POOL_2D` over all steps).

use super::arith::QuantParams;
use super::dense::QLayer;
use crate::shape::{Port, VectorOf};
use crate::{Matrix, Vector};
use core::marker::PhantomData;

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
    use super::{QFlatten1d, QGlobalAvgPool1d, QRelu, QReluFlat};

    use crate::quant::sample::QSample;
    use crate::quant::tflite::{
        At, Builtin, Dims, Load, Model, TfliteError, clamp_op, dims_of, params_at, reshape,
    };

    use crate::shape::{Port, VectorOf};

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
    use super::{QFlatten1d, QGlobalAvgPool1d, QRelu, QReluFlat};
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

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
    use super::{QFlatten1d, QGlobalAvgPool1d, QRelu, QReluFlat};
    use crate::quant::tflite::{Builtin, Describe, Flow, Graph};
    use crate::shape::Port;

    /// `RELU`.
    impl<const C: usize, const L: usize> Describe for QRelu<C, L> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            g.relu(&x, self.params)
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
