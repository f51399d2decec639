//! [`QSample`]: an int8 sample and the float sample it stands for, and [`evaluate`]: the
//! accuracy of an int8 classifier on a data set.

use super::arith::QuantParams;
use super::dense::QLayer;
use crate::EvalError;
use crate::loss::Class;
use crate::tensor::Planes;
use crate::{Matrix, Vector};

/// An int8 sample (`Vector<i8, N>`, `Matrix<i8, C, L>`, `Planes<i8, C, H, W>`) and the `f32`
/// sample of the same shape it quantizes: what a [`QLayer`] takes and gives.
pub trait QSample: Sized {
    /// The `f32` sample of the same shape.
    type Real;
    /// Its layout in a `.tflite` file: rows, columns, channels (`[1, L, C]` for channels ×
    /// steps; `[1, 1, N]` for flat features).
    const NHWC: [usize; 3];
    /// Whether it is flat features (`[1, N]` in a `.tflite` file) rather than NHWC.
    const FLAT: bool = false;
    /// Every value of `x` quantized with `params` ([`QuantParams::quantize`]).
    fn quantize(x: &Self::Real, params: QuantParams) -> Self;
    /// Every value dequantized with `params` ([`QuantParams::dequantize`]).
    fn dequantize(&self, params: QuantParams) -> Self::Real;
    /// Whether every value of `x` is finite (a NaN has no int8 value).
    fn all_finite(x: &Self::Real) -> bool;
    /// The int8 values in typegrad's order (channel, then row, then column).
    fn values(&self) -> &[i8];
    /// The int8 values, to write.
    fn values_mut(&mut self) -> &mut [i8];
    /// Every value 0.
    fn zeros() -> Self;

    /// The position in TFLite's NHWC order (row, then column, then channel) of value `i` in
    /// typegrad's order (channel, then row, then column).
    fn nhwc_index(i: usize) -> usize {
        let [h, w, c] = Self::NHWC;
        let (ch, rest) = ((i / (h * w)).min(c), i % (h * w));
        rest * c + ch
    }

    /// A sample from values in TFLite's NHWC order (what a `.tflite` model's input tensor
    /// holds: a camera's RGB rows, a sensor's interleaved axes); `None` for another count.
    fn from_nhwc(values: &[i8]) -> Option<Self> {
        let mut x = Self::zeros();
        if values.len() != x.values().len() {
            return None;
        }
        for (i, v) in x.values_mut().iter_mut().enumerate() {
            *v = *values.get(Self::nhwc_index(i))?;
        }
        Some(x)
    }
}

impl<const N: usize> QSample for Vector<i8, N> {
    fn zeros() -> Self {
        Vector::from_fn(|_| 0)
    }

    type Real = Vector<f32, N>;
    const NHWC: [usize; 3] = [1, 1, N];
    const FLAT: bool = true;
    fn quantize(x: &Vector<f32, N>, params: QuantParams) -> Self {
        Vector::from_fn(|i| params.quantize(x[i]))
    }
    fn dequantize(&self, params: QuantParams) -> Vector<f32, N> {
        Vector::from_fn(|i| params.dequantize(self[i]))
    }
    fn all_finite(x: &Vector<f32, N>) -> bool {
        x.as_slice().iter().all(|v| v.is_finite())
    }
    fn values(&self) -> &[i8] {
        self.as_slice()
    }
    fn values_mut(&mut self) -> &mut [i8] {
        self.as_mut_slice()
    }
}

impl<const C: usize, const L: usize> QSample for Matrix<i8, C, L> {
    fn zeros() -> Self {
        Matrix::from_fn(|_, _| 0)
    }

    type Real = Matrix<f32, C, L>;
    const NHWC: [usize; 3] = [1, L, C];
    fn quantize(x: &Matrix<f32, C, L>, params: QuantParams) -> Self {
        let xs = x.as_slice();
        Matrix::from_fn(|c, t| params.quantize(xs[c * L + t]))
    }
    fn dequantize(&self, params: QuantParams) -> Matrix<f32, C, L> {
        let qs = self.as_slice();
        Matrix::from_fn(|c, t| params.dequantize(qs[c * L + t]))
    }
    fn all_finite(x: &Matrix<f32, C, L>) -> bool {
        x.as_slice().iter().all(|v| v.is_finite())
    }
    fn values(&self) -> &[i8] {
        self.as_slice()
    }
    fn values_mut(&mut self) -> &mut [i8] {
        self.as_mut_slice()
    }
}

impl<const C: usize, const H: usize, const W: usize> QSample for Planes<i8, C, H, W> {
    fn zeros() -> Self {
        Planes::from_fn(|_, _, _| 0)
    }

    type Real = Planes<f32, C, H, W>;
    const NHWC: [usize; 3] = [H, W, C];
    fn quantize(x: &Planes<f32, C, H, W>, params: QuantParams) -> Self {
        let xs = x.as_slice();
        Planes::from_fn(|c, y, z| params.quantize(xs[(c * H + y) * W + z]))
    }
    fn dequantize(&self, params: QuantParams) -> Planes<f32, C, H, W> {
        let qs = self.as_slice();
        Planes::from_fn(|c, y, z| params.dequantize(qs[(c * H + y) * W + z]))
    }
    fn all_finite(x: &Planes<f32, C, H, W>) -> bool {
        x.as_slice().iter().all(|v| v.is_finite())
    }
    fn values(&self) -> &[i8] {
        self.as_slice()
    }
    fn values_mut(&mut self) -> &mut [i8] {
        self.as_mut_slice()
    }
}

/// How an int8 classifier did on a data set ([`evaluate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QEvaluation {
    /// Samples whose largest int8 output is at their label.
    pub correct: usize,
    /// Samples evaluated.
    pub samples: usize,
}

impl QEvaluation {
    /// `correct / samples`.
    pub fn accuracy(&self) -> f64 {
        crate::scalar::ratio_f64(self.correct as u64, self.samples as u64)
    }
}

/// The index of the largest value (the first of equal ones).
pub(crate) fn argmax_i8(y: &[i8]) -> usize {
    let mut best = 0;
    for (i, &v) in y.iter().enumerate() {
        if v > y[best] {
            best = i;
        }
    }
    best
}

/// Quantizes each float input with `q`'s input parameters ([`QLayer::quantize_input`]), runs
/// the int8 network and counts the samples whose largest output (the first of equal ones) is
/// at their label.
///
/// # Errors
/// [`EvalError::Empty`] for no samples, [`EvalError::Lengths`] when inputs and labels differ
/// in number, [`EvalError::NonFinite`] for an input with a NaN or infinite value.
pub fn evaluate<Q, const K: usize>(
    q: &Q,
    inputs: &[<Q::In as QSample>::Real],
    labels: &[Class<K>],
) -> Result<QEvaluation, EvalError>
where
    Q: QLayer<Out = Vector<i8, K>>,
    Q::In: QSample,
{
    if inputs.len() != labels.len() {
        return Err(EvalError::Lengths {
            inputs: inputs.len(),
            targets: labels.len(),
        });
    }
    if inputs.is_empty() {
        return Err(EvalError::Empty);
    }
    let mut correct = 0;
    for (sample, (x, label)) in inputs.iter().zip(labels).enumerate() {
        if !Q::In::all_finite(x) {
            return Err(EvalError::NonFinite { sample });
        }
        let y = q.predict(&q.quantize_input(x));
        correct += usize::from(argmax_i8(y.as_slice()) == label.index());
    }
    Ok(QEvaluation {
        correct,
        samples: inputs.len(),
    })
}
