//! int8 average pooling, as TFLite Micro's `AVERAGE_POOL_2D` computes it: the sum of a window
//! divided by its size, rounded to nearest with halves away from zero, the quantization
//! unchanged. [`QAvgPool2d`] (any window, over an image or a signal's one row) and
//! [`QGlobalAvgPool`] (all values of each channel).

use super::arith::QuantParams;
use super::layer::QLayer;
use crate::Vector;
use crate::shape::window::{KernelSize, PoolPadding, Strides};
use crate::shape::{Planar, Plane, VectorOf};

/// `round(acc / n)`, halves away from zero, with C's truncating division (TFLite's
/// `AveragePool`).
pub(crate) fn rounded_mean(acc: i32, n: i32) -> i8 {
    let avg = if acc > 0 {
        (acc + n / 2) / n
    } else {
        (acc - n / 2) / n
    };
    avg.clamp(-128, 127) as i8
}

/// int8 average over windows `K` moved by `S` (no padding), the quantization unchanged.
/// `Q` is the output port (`Image<C, H', W'>`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QAvgPool2d<K, S, P, X, Q> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The window and the ports.
    pub port: crate::shape::window::Types<(K, S, P, X, Q)>,
}

impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> QLayer
    for QAvgPool2d<K, S, P, X, Q>
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
        let window = crate::kernels::Window2d::of(spec, X::C, X::C, X::HW, Q::HW);
        crate::kernels::pool_i8_nhwc(
            &window,
            x,
            y,
            (0i32, 0i32),
            |(acc, n), v| (acc + i32::from(v), n + 1),
            |(acc, n)| rounded_mean(acc, n.max(1)),
        );
    }
}

/// int8 mean of each of the `C` channels of an image or signal (`X`) over its `H × W`
/// values, the quantization unchanged (TFLite's `AVERAGE_POOL_2D` over the whole plane):
/// `y[c] = round(Σ x[c] / (H·W))` on the raw int8 values, halves away from zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QGlobalAvgPool<const C: usize, X> {
    /// The quantization of input and output.
    pub params: QuantParams,
    /// The input port.
    pub port: crate::shape::window::Types<X>,
}

impl<const C: usize, X: Planar<C>> QLayer for QGlobalAvgPool<C, X> {
    type In = VectorOf<i8, X>;
    type Out = Vector<i8, C>;

    fn input_params(&self) -> QuantParams {
        self.params
    }

    fn output_params(&self) -> QuantParams {
        self.params
    }

    /// On NHWC activations: channel `c` is every `C`-th value from `c`.
    fn apply(&self, x: &[i8], y: &mut [i8]) {
        let n = X::HW[0] * X::HW[1];
        for (c, out) in y.iter_mut().enumerate().take(C) {
            let column = x.get(c..).unwrap_or(&[]).iter().step_by(C.max(1));
            let acc: i32 = column.take(n).map(|&v| i32::from(v)).sum();
            *out = rounded_mean(acc, n.max(1) as i32);
        }
    }
}

mod load {
    use super::{QAvgPool2d, QGlobalAvgPool};
    use crate::quant::sample::QSample;
    use crate::quant::tflite::{At, Builtin, Dims, Load, Model, TfliteError, dims_of};
    use crate::shape::window::{KernelSize, PoolPadding, Strides};
    use crate::shape::{Planar, Plane, VectorOf};

    /// `AVERAGE_POOL_2D` over windows `K` moved by `S`, `VALID`.
    impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> Load
        for QAvgPool2d<K, S, P, X, Q>
    where
        VectorOf<i8, Q>: QSample,
    {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = dims_of::<VectorOf<i8, Q>>();
            let (params, next) = crate::quant::tflite::int8_pool(
                file,
                at,
                Builtin::AveragePool2d,
                crate::quant::tflite::PoolWindow::of::<K, S, P>(),
                X::HW,
                &out,
            )?;
            let port = crate::shape::window::Types::default();
            Ok((QAvgPool2d { params, port }, next))
        }
    }

    /// `AVERAGE_POOL_2D` over the whole `H × W` plane.
    impl<const C: usize, X: Planar<C>> Load for QGlobalAvgPool<C, X> {
        fn load(file: &Model<'_>, at: At) -> Result<(Self, At), TfliteError> {
            let out = Dims::new(&[1, 1, 1, C as i32]);
            let [h, w] = X::HW;
            let (params, next) = crate::quant::tflite::int8_pool(
                file,
                at,
                Builtin::AveragePool2d,
                crate::quant::tflite::PoolWindow::whole(h, w),
                X::HW,
                &out,
            )?;
            let port = crate::shape::window::Types::default();
            Ok((QGlobalAvgPool { params, port }, next))
        }
    }
}

#[cfg(feature = "std")]
mod source {
    use super::{QAvgPool2d, QGlobalAvgPool};
    use crate::quant::source::{Literal, fields_literal};
    use std::string::String;

    impl<K, S, P, X, Q> Literal for QAvgPool2d<K, S, P, X, Q> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QAvgPool2d", fields { params, port });
        }
    }

    impl<const C: usize, X> Literal for QGlobalAvgPool<C, X> {
        fn literal(&self, out: &mut String) {
            let fields = self;
            fields_literal!(out, "QGlobalAvgPool", fields { params, port });
        }
    }
}

#[cfg(feature = "std")]
mod describe {
    use super::{QAvgPool2d, QGlobalAvgPool};
    use crate::quant::tflite::{Builtin, Describe, Flow, Graph};
    use crate::shape::window::{KernelSize, PoolPadding, Strides};
    use crate::shape::{Planar, Plane};

    impl<K: KernelSize, S: Strides, P: PoolPadding, X: Plane, Q: Plane> Describe
        for QAvgPool2d<K, S, P, X, Q>
    {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let [h, w] = Q::HW;
            let out = Flow { h, w, ..x };
            g.pool(
                Builtin::AveragePool2d,
                "mean",
                &x,
                out,
                crate::quant::tflite::PoolWindow::of::<K, S, P>(),
            )
        }
    }

    impl<const C: usize, X: Planar<C>> Describe for QGlobalAvgPool<C, X> {
        fn describe(&self, g: &mut Graph, x: Flow) -> Flow {
            let out = Flow { h: 1, w: 1, ..x };
            let [h, w] = X::HW;
            g.pool(
                Builtin::AveragePool2d,
                "mean",
                &x,
                out,
                crate::quant::tflite::PoolWindow::whole(h, w),
            )
        }
    }
}
