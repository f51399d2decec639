//! [`QSample`]: an int8 sample and the float sample it stands for, and [`evaluate`]: the
//! accuracy of an int8 classifier on a data set.

use super::arith::QuantParams;
use super::layer::QLayer;
use crate::EvalError;
use crate::Vector;
use crate::loss::Class;
use crate::shape::SampleData;

/// An int8 sample (`Vector<i8, N>`, `Matrix<i8, C, L>`, `Planes<i8, C, H, W>`) and the `f32`
/// sample of the same shape it quantizes: what a [`QLayer`] takes and gives. Implemented for
/// every port's sample of `i8` ([`SampleData<i8>`]).
pub trait QSample: SampleData<i8> {
    /// The `f32` sample of the same shape.
    type Real;
    /// Every value of `x` quantized with `params` ([`QuantParams::quantize`]).
    fn quantize(x: &Self::Real, params: QuantParams) -> Self;
    /// Every value dequantized with `params` ([`QuantParams::dequantize`]).
    fn dequantize(&self, params: QuantParams) -> Self::Real;
    /// Whether every value of `x` is finite (a NaN has no int8 value).
    fn all_finite(x: &Self::Real) -> bool;
    /// The int8 values in typegrad's order (channel, then row, then column).
    fn values(&self) -> &[i8] {
        self.data()
    }
    /// The int8 values, to write.
    fn values_mut(&mut self) -> &mut [i8] {
        self.data_mut()
    }
    /// Every value 0.
    fn zeros() -> Self {
        Self::from_index(|_| 0)
    }

    /// Values in all: `H·W·C`.
    const LEN: usize = Self::NHWC[0] * Self::NHWC[1] * Self::NHWC[2];

    /// The position in TFLite's NHWC order (row, then column, then channel) of value `i` in
    /// typegrad's order (channel, then row, then column).
    fn nhwc_index(i: usize) -> usize {
        let [h, w, c] = Self::NHWC;
        let (ch, rest) = ((i / (h * w)).min(c), i % (h * w));
        rest * c + ch
    }

    /// Writes the values into `out` in NHWC order (as many as `out` holds).
    fn write_nhwc(&self, out: &mut [i8]) {
        let [h, w, c] = Self::NHWC;
        let (plane, v) = (h * w, self.values());
        if Self::FLAT || c == 1 || plane == 1 {
            for (o, &x) in out.iter_mut().zip(v) {
                *o = x;
            }
            return;
        }
        for (ch, values) in v.chunks_exact(plane).enumerate() {
            let column = out.get_mut(ch..).unwrap_or(&mut []);
            for (o, &x) in column.iter_mut().step_by(c).zip(values) {
                *o = x;
            }
        }
    }

    /// The sample whose values `values` holds in NHWC order (zeros where it is short).
    fn read_nhwc(values: &[i8]) -> Self {
        let mut x = Self::zeros();
        let [h, w, c] = Self::NHWC;
        let plane = h * w;
        if Self::FLAT || c == 1 || plane == 1 {
            for (o, &v) in x.values_mut().iter_mut().zip(values) {
                *o = v;
            }
            return x;
        }
        for (ch, out) in x.values_mut().chunks_exact_mut(plane).enumerate() {
            let column = values.get(ch..).unwrap_or(&[]);
            for (o, &v) in out.iter_mut().zip(column.iter().step_by(c)) {
                *o = v;
            }
        }
        x
    }

    /// The same sample with its values held in NHWC order (how layers inside a network hold
    /// them; [`QLayer::forward`] takes and gives such samples).
    fn to_nhwc(&self) -> Self {
        let mut x = Self::zeros();
        self.write_nhwc(x.values_mut());
        x
    }

    /// A sample whose values are `values` in the order they are (zeros where it is short).
    fn copied(values: &[i8]) -> Self {
        let mut x = Self::zeros();
        for (o, &v) in x.values_mut().iter_mut().zip(values) {
            *o = v;
        }
        x
    }

    /// A sample from values in TFLite's NHWC order (what a `.tflite` model's input tensor
    /// holds: a camera's RGB rows, a sensor's interleaved axes); `None` for another count.
    fn from_nhwc(values: &[i8]) -> Option<Self> {
        (values.len() == Self::LEN).then(|| Self::read_nhwc(values))
    }
}

impl<S: SampleData<i8>> QSample for S {
    type Real = S::Same<f32>;
    fn quantize(x: &S::Same<f32>, params: QuantParams) -> Self {
        let xs = x.data();
        S::from_index(|i| xs.get(i).map_or(0, |&v| params.quantize(v)))
    }
    fn dequantize(&self, params: QuantParams) -> S::Same<f32> {
        let qs = self.data();
        S::Same::<f32>::from_index(|i| qs.get(i).map_or(0.0, |&v| params.dequantize(v)))
    }
    fn all_finite(x: &S::Same<f32>) -> bool {
        x.data().iter().all(|v| v.is_finite())
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
