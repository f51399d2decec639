//! [`Model`]: a `.tflite` file read in place, without a heap: its operators ([`Operator`],
//! with their [`Options`]) and tensors ([`Tensor`]: shape, type, quantization, constant
//! data), every field checked when it is read.

use super::error::{Dims, Problem, TfliteError};
use super::schema::{Activation, Builtin, Options, Padding, TensorType};
use super::table::{Table, Vector, u32_at};
use crate::quant::QuantParams;

type Result<T> = core::result::Result<T, TfliteError>;

/// A `.tflite` file (one subgraph with one input and one output), read in place.
///
/// ```
/// use typegrad::quant::tflite::{Model, Problem};
/// let err = Model::parse(b"not a model").unwrap_err();
/// assert_eq!(err.problem, Problem::NotTflite);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Model<'a> {
    codes: Vector<'a>,
    buffers: Vector<'a>,
    tensors: Vector<'a>,
    operators: Vector<'a>,
    input: i32,
    output: i32,
}

impl<'a> Model<'a> {
    /// Reads the file's header, its subgraph and its lists (operators and tensors are read
    /// and checked when asked for).
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.get(4..8) != Some(b"TFL3".as_slice()) {
            return Err(Problem::NotTflite.into());
        }
        let root = Table::at(bytes, u32_at(bytes, 0, "model")? as usize, "model")?;
        let version = root.u32(0, 0)?;
        if version != 3 {
            return Err(unsupported("schema version", version.into()).into());
        }
        let codes = root.vector(1, 4, "operator_codes")?;
        let subgraphs = root.vector(2, 4, "subgraphs")?;
        if subgraphs.len() != 1 {
            return Err(unsupported("subgraph count", subgraphs.len() as i64).into());
        }
        let buffers = root.vector(4, 4, "buffers")?;
        let graph = subgraphs.table(0)?;
        let tensors = graph.vector(0, 4, "tensors")?;
        let inputs = graph.vector(1, 4, "subgraph inputs")?;
        let outputs = graph.vector(2, 4, "subgraph outputs")?;
        let operators = graph.vector(3, 4, "operators")?;
        for (list, what) in [
            (inputs, "subgraph input count"),
            (outputs, "subgraph output count"),
        ] {
            if list.len() != 1 {
                return Err(unsupported(what, list.len() as i64).into());
            }
        }
        let model = Self {
            codes,
            buffers,
            tensors,
            operators,
            input: inputs.i32(0)?,
            output: outputs.i32(0)?,
        };
        model.tensor(model.input)?;
        model.tensor(model.output)?;
        Ok(model)
    }

    /// The number of operators.
    pub fn operator_count(&self) -> usize {
        self.operators.len()
    }

    /// The number of tensors.
    pub fn tensor_count(&self) -> usize {
        self.tensors.len()
    }

    /// Operator `index` (in the order the interpreter runs them).
    pub fn operator(&self, index: usize) -> Result<Operator<'a>> {
        let at = |problem: Problem| TfliteError {
            operator: Some((index, -1)),
            problem,
        };
        let table = self.operators.table(index).map_err(at)?;
        let code_index = table.u32(0, 0).map_err(at)? as usize;
        let code = self.codes.table(code_index).map_err(at)?;
        // As TFLite's `GetBuiltinCode`: the larger of the deprecated byte and the int.
        let code = i32::from(code.i8(0, 0).map_err(at)?).max(code.i32(3, 0).map_err(at)?);
        let err = |problem: Problem| TfliteError {
            operator: Some((index, code)),
            problem,
        };
        let builtin = Builtin::from_code(code)
            .ok_or_else(|| err(unsupported("builtin operator code", code.into())))?;
        let inputs = table.vector(1, 4, "operator inputs").map_err(err)?;
        let outputs = table.vector(2, 4, "operator outputs").map_err(err)?;
        let options_type = table.u8(3, 0).map_err(err)?;
        let options = table.table(4, "builtin_options").map_err(err)?;
        let op = Operator {
            index,
            builtin,
            inputs,
            outputs,
            options_type,
            options,
        };
        op.options()?;
        Ok(op)
    }

    /// Tensor `index`.
    pub fn tensor(&self, index: i32) -> core::result::Result<Tensor<'a>, Problem> {
        let i = usize::try_from(index).map_err(|_| Problem::Index {
            what: "tensor",
            index: index.into(),
            len: self.tensors.len(),
        })?;
        let table = self.tensors.table(i)?;
        let shape = table.vector(0, 4, "tensor shape")?;
        let code = table.u8(1, 0)?;
        let ty = TensorType::from_code(code).ok_or(unsupported("tensor type code", code.into()))?;
        let buffer = table.u32(2, 0)? as usize;
        let data = if buffer == 0 {
            &[][..]
        } else {
            let b = self.buffers.table(buffer)?;
            if b.u64(1, 0)? != 0 {
                return Err(unsupported(
                    "buffer offset (data outside the flatbuffer)",
                    1,
                ));
            }
            b.vector(0, 1, "buffer data")?.bytes()
        };
        let mut q = Quantization {
            scales: Vector::none(),
            zero_points: Vector::none(),
            dimension: 0,
        };
        if let Some(t) = table.table(4, "quantization")? {
            q.scales = t.vector(2, 4, "quantization scale")?;
            q.zero_points = t.vector(3, 8, "quantization zero_point")?;
            q.dimension = t.i32(6, 0)?;
        }
        let tensor = Tensor {
            index,
            shape,
            ty,
            data,
            quantization: q,
        };
        if !data.is_empty() {
            let expected = tensor.elements()?.saturating_mul(ty.size());
            if expected != data.len() {
                return Err(Problem::DataSize {
                    tensor: index,
                    bytes: data.len(),
                    expected,
                });
            }
        }
        Ok(tensor)
    }

    /// The subgraph's input tensor.
    pub fn input(&self) -> i32 {
        self.input
    }

    /// The subgraph's output tensor.
    pub fn output(&self) -> i32 {
        self.output
    }

    /// The operators that read tensor `t` (in the order they run).
    pub fn readers(&self, t: i32) -> impl Iterator<Item = Result<Operator<'a>>> + '_ {
        (0..self.operator_count()).filter_map(move |i| match self.operator(i) {
            Err(e) => Some(Err(e)),
            Ok(op) => op.reads(t).then_some(Ok(op)),
        })
    }
}

fn unsupported(what: &'static str, value: i64) -> Problem {
    Problem::Unsupported { what, value }
}

impl TensorType {
    /// Bytes per element.
    pub const fn size(self) -> usize {
        match self {
            TensorType::Int8 => 1,
            TensorType::Float32 | TensorType::Int32 => 4,
        }
    }
}

/// An operator of the file.
#[derive(Debug, Clone, Copy)]
pub struct Operator<'a> {
    /// Its index in the subgraph.
    pub index: usize,
    /// What it computes.
    pub builtin: Builtin,
    inputs: Vector<'a>,
    outputs: Vector<'a>,
    options_type: u8,
    options: Option<Table<'a>>,
}

impl<'a> Operator<'a> {
    /// `problem`, located at this operator.
    pub fn error(&self, problem: Problem) -> TfliteError {
        TfliteError {
            operator: Some((self.index, self.builtin.code())),
            problem,
        }
    }

    /// The number of inputs.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// Input `k`'s tensor index (−1: an optional input left out).
    pub fn input(&self, k: usize) -> Result<i32> {
        self.inputs.i32(k).map_err(|p| self.error(p))
    }

    /// Output `k`'s tensor index.
    pub fn output(&self, k: usize) -> Result<i32> {
        self.outputs.i32(k).map_err(|p| self.error(p))
    }

    /// Whether tensor `t` is one of its inputs.
    pub fn reads(&self, t: i32) -> bool {
        (0..self.inputs.len()).any(|k| self.inputs.i32(k) == Ok(t))
    }

    /// Its builtin options, checked: every value one typegrad computes (dilation 1, channel
    /// multiplier 1, a fused activation of none, ReLU or ReLU6, default weights format).
    pub fn options(&self) -> Result<Options> {
        self.read_options().map_err(|p| self.error(p))
    }

    fn read_options(&self) -> core::result::Result<Options, Problem> {
        let expected: u8 = match self.builtin {
            Builtin::Conv2d => 1,
            Builtin::DepthwiseConv2d => 2,
            Builtin::AveragePool2d | Builtin::MaxPool2d => 5,
            Builtin::FullyConnected => 8,
            Builtin::Softmax => 9,
            Builtin::Add => 11,
            Builtin::Reshape => 17,
            Builtin::Pad | Builtin::Relu | Builtin::Relu6 => return Ok(Options::None),
        };
        let t = match self.options {
            Some(t) if self.options_type == expected => t,
            Some(_) => {
                return Err(unsupported(
                    "builtin_options_type",
                    self.options_type.into(),
                ));
            }
            None if self.builtin == Builtin::Reshape => return Ok(Options::Reshape),
            None => {
                return Err(Problem::Missing {
                    what: "builtin_options",
                });
            }
        };
        let activation = |id: usize| -> core::result::Result<Activation, Problem> {
            let code = t.u8(id, 0)?;
            Activation::from_code(code).ok_or(unsupported("fused_activation_function", code.into()))
        };
        let padding = || -> core::result::Result<Padding, Problem> {
            let code = t.u8(0, 0)?;
            Padding::from_code(code).ok_or(unsupported("padding", code.into()))
        };
        let positive = |id: usize, what: &'static str| -> core::result::Result<i32, Problem> {
            let v = t.i32(id, 0)?;
            if v >= 1 {
                Ok(v)
            } else {
                Err(unsupported(what, v.into()))
            }
        };
        let one = |id: usize, what: &'static str| -> core::result::Result<(), Problem> {
            match t.i32(id, 1)? {
                1 => Ok(()),
                v => Err(unsupported(what, v.into())),
            }
        };
        Ok(match self.builtin {
            Builtin::Conv2d => {
                one(4, "dilation_w_factor")?;
                one(5, "dilation_h_factor")?;
                Options::Conv2d {
                    padding: padding()?,
                    stride: [positive(1, "stride_w")?, positive(2, "stride_h")?],
                    activation: activation(3)?,
                }
            }
            Builtin::DepthwiseConv2d => {
                match t.i32(3, 0)? {
                    1 => {}
                    m => return Err(unsupported("depth_multiplier", m.into())),
                }
                one(5, "dilation_w_factor")?;
                one(6, "dilation_h_factor")?;
                Options::DepthwiseConv2d {
                    padding: padding()?,
                    stride: [positive(1, "stride_w")?, positive(2, "stride_h")?],
                    activation: activation(4)?,
                }
            }
            Builtin::AveragePool2d | Builtin::MaxPool2d => Options::Pool2d {
                padding: padding()?,
                stride: [positive(1, "stride_w")?, positive(2, "stride_h")?],
                filter: [positive(3, "filter_width")?, positive(4, "filter_height")?],
                activation: activation(5)?,
            },
            Builtin::FullyConnected => {
                match t.u8(1, 0)? {
                    0 => {}
                    f => return Err(unsupported("weights_format", f.into())),
                }
                if t.has(3)? && t.u8(3, 0)? != 0 {
                    return Err(unsupported("asymmetric_quantize_inputs", 1));
                }
                Options::FullyConnected {
                    activation: activation(0)?,
                }
            }
            Builtin::Softmax => Options::Softmax {
                beta: t.f32(0, 0.0)?,
            },
            Builtin::Add => Options::Add {
                activation: activation(0)?,
            },
            _ => Options::Reshape,
        })
    }
}

/// A tensor of the file.
#[derive(Debug, Clone, Copy)]
pub struct Tensor<'a> {
    /// Its index.
    pub index: i32,
    shape: Vector<'a>,
    /// Its element type.
    pub ty: TensorType,
    /// Its constant data, little-endian (empty for an activation).
    pub data: &'a [u8],
    quantization: Quantization<'a>,
}

#[derive(Debug, Clone, Copy)]
struct Quantization<'a> {
    scales: Vector<'a>,
    zero_points: Vector<'a>,
    dimension: i32,
}

impl<'a> Tensor<'a> {
    /// Its shape.
    pub fn dims(&self) -> core::result::Result<Dims, Problem> {
        let mut d = [0i32; 6];
        let n = self.shape.len();
        if n > 6 {
            return Err(unsupported("tensor rank", n as i64));
        }
        for (k, slot) in d.iter_mut().enumerate().take(n) {
            *slot = self.shape.i32(k)?;
        }
        Ok(Dims::new(&d[..n]))
    }

    /// The number of elements (its dimensions' product; an error for a negative one).
    pub fn elements(&self) -> core::result::Result<usize, Problem> {
        let dims = self.dims()?;
        dims.as_slice().iter().try_fold(1usize, |n, &d| {
            let d = usize::try_from(d).map_err(|_| unsupported("tensor dimension", d.into()))?;
            Ok(n.saturating_mul(d))
        })
    }

    /// The number of scales (1 per tensor, or one per channel).
    pub fn scale_count(&self) -> usize {
        self.quantization.scales.len()
    }

    /// Whether this is the filter of TFLite's hybrid `CONV_2D` (`EvalHybrid`): `INT8`, one
    /// scale, zero point 0 — what a float input quantized per sample, symmetrically, is
    /// multiplied by ([`DynamicQuant`](crate::nn::DynamicQuant)).
    pub fn is_hybrid_filter(&self) -> core::result::Result<bool, Problem> {
        Ok(self.ty == TensorType::Int8 && self.scale_count() == 1 && self.zero_point(0)? == 0)
    }

    /// The channel axis of per-channel scales.
    pub fn quantized_dimension(&self) -> i32 {
        self.quantization.dimension
    }

    /// Scale `k` (the only one, whatever `k`, when the tensor has one).
    pub fn scale(&self, k: usize) -> core::result::Result<f32, Problem> {
        let s = &self.quantization.scales;
        let k = if s.len() == 1 { 0 } else { k };
        s.f32(k)
    }

    /// Zero point `k` (the only one, whatever `k`, when the tensor has one; 0 when none).
    pub fn zero_point(&self, k: usize) -> core::result::Result<i64, Problem> {
        let z = &self.quantization.zero_points;
        match z.len() {
            0 => Ok(0),
            1 => z.i64(0),
            _ => z.i64(k),
        }
    }

    /// Its per-tensor int8 quantization (one positive finite scale, a zero point in
    /// −128..=127).
    pub fn params(&self) -> core::result::Result<QuantParams, Problem> {
        let bad = |what| Problem::Quantization {
            tensor: self.index,
            what,
        };
        if self.ty != TensorType::Int8 {
            return Err(unsupported(
                "activation tensor type code",
                self.ty.code().into(),
            ));
        }
        if self.scale_count() != 1 {
            return Err(bad("an activation needs one scale"));
        }
        let scale = self.scale(0)?;
        if !(scale.is_finite() && scale > 0.0) {
            return Err(bad("the scale is not a positive number"));
        }
        let zero_point = self.zero_point(0)?;
        if !(-128..=127).contains(&zero_point) {
            return Err(bad("the zero point is outside −128..=127"));
        }
        Ok(QuantParams {
            scale,
            zero_point: zero_point as i32,
        })
    }

    /// Element `i` of int8 data.
    pub fn i8(&self, i: usize) -> core::result::Result<i8, Problem> {
        self.element::<1>(i).map(|b| b[0] as i8)
    }

    /// Element `i` of int32 data.
    pub fn i32(&self, i: usize) -> core::result::Result<i32, Problem> {
        self.element::<4>(i).map(i32::from_le_bytes)
    }

    /// Element `i` of float32 data.
    pub fn f32(&self, i: usize) -> core::result::Result<f32, Problem> {
        self.element::<4>(i).map(f32::from_le_bytes)
    }

    fn element<const N: usize>(&self, i: usize) -> core::result::Result<[u8; N], Problem> {
        let missing = Problem::Index {
            what: "tensor data element",
            index: i as i64,
            len: self.data.len() / N.max(1),
        };
        if self.ty.size() != N {
            return Err(unsupported("tensor type code", self.ty.code().into()));
        }
        i.checked_mul(N)
            .and_then(|a| self.data.get(a..a + N))
            .and_then(|s| <[u8; N]>::try_from(s).ok())
            .ok_or(missing)
    }
}
