//! [`Graph`]: the tensors and operators of an int8 network as TFLite describes them, and its
//! serialization (the subset of `tensorflow/lite/schema/schema.fbs` the ops here need).

use std::format;
use std::string::String;
use std::vec;
use std::vec::Vec;

use super::flatbuffer::{Builder, Field, Written};
use super::schema::{Activation, Builtin, Options, PoolWindow, TensorType};
use crate::quant::QuantParams;

/// A tensor's quantization: `real = scale · (q − zero_point)`, per channel along
/// `dimension` when there are several scales.
#[derive(Debug, Clone, PartialEq)]
struct Quantization {
    scale: Vec<f32>,
    zero_point: Vec<i64>,
    dimension: i32,
}

#[derive(Debug, Clone, PartialEq)]
struct Tensor {
    name: String,
    shape: Vec<i32>,
    ty: TensorType,
    /// Constant data (little-endian), or none for an activation.
    data: Option<Vec<u8>>,
    quantization: Option<Quantization>,
}

#[derive(Debug, Clone, PartialEq)]
struct Operator {
    op: Builtin,
    inputs: Vec<i32>,
    outputs: Vec<i32>,
    options: Options,
}

/// What flows between two layers while a network is described: the tensor, its logical
/// shape (rows × columns × channels, or `flat` features `[1, channels]`) and its
/// quantization.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow {
    /// The tensor's index in the graph.
    pub tensor: i32,
    /// Rows (1 for channels × steps).
    pub h: usize,
    /// Columns (the steps of channels × steps).
    pub w: usize,
    /// Channels (the features of a flat tensor).
    pub c: usize,
    /// Flat features `[1, c]` rather than NHWC.
    pub flat: bool,
    /// Its quantization.
    pub params: QuantParams,
    /// When this is an image flattened in typegrad's (channel, row, column) order: its
    /// `[channels, rows, columns]`, so that the `FULLY_CONNECTED` after it permutes its weight
    /// columns to TFLite's (row, column, channel) order.
    pub flattened_from: Option<[usize; 3]>,
}

impl Flow {
    /// The tensor's shape as TFLite writes it.
    pub fn shape(&self) -> Vec<i32> {
        if self.flat {
            vec![1, self.c as i32]
        } else {
            vec![1, self.h as i32, self.w as i32, self.c as i32]
        }
    }
}

/// The tensors and operators of a network, in the order they run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Graph {
    tensors: Vec<Tensor>,
    operators: Vec<Operator>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    fn push(&mut self, t: Tensor) -> i32 {
        self.tensors.push(t);
        (self.tensors.len() - 1) as i32
    }

    /// The network's input: an int8 activation of that shape and quantization.
    pub fn input(&mut self, flat: bool, h: usize, w: usize, c: usize, params: QuantParams) -> Flow {
        let mut f = Flow {
            tensor: 0,
            h,
            w,
            c,
            flat,
            params,
            flattened_from: None,
        };
        f.tensor = self.activation("input", &f.shape(), params);
        f
    }

    /// A new int8 activation tensor (no data) with one scale and zero point.
    pub fn activation(&mut self, name: &str, shape: &[i32], params: QuantParams) -> i32 {
        self.push(Tensor {
            name: name.into(),
            shape: shape.to_vec(),
            ty: TensorType::Int8,
            data: None,
            quantization: Some(Quantization {
                scale: vec![params.scale],
                zero_point: vec![i64::from(params.zero_point)],
                dimension: 0,
            }),
        })
    }

    /// A name for the next tensor: `stem` and the tensor's index.
    pub fn name(&self, stem: &str) -> String {
        format!("{stem}{}", self.tensors.len())
    }

    /// A new activation shaped like `from`: the output of a layer that keeps the shape, with
    /// quantization `params`.
    pub fn next(&mut self, name: &str, from: &Flow, params: QuantParams) -> Flow {
        let tensor = self.activation(name, &from.shape(), params);
        Flow {
            tensor,
            params,
            flattened_from: None,
            ..*from
        }
    }

    /// Constant int8 weights quantized per channel along dimension 0 (`scales[o]`, zero point
    /// 0), in the given shape (`data` in row-major order of that shape).
    pub fn weights(&mut self, name: &str, shape: &[i32], data: &[i8], scales: &[f32]) -> i32 {
        self.weights_along(name, shape, data, scales, 0)
    }

    /// [`weights`](Graph::weights) quantized per channel along dimension `axis` (3 for a
    /// `DEPTHWISE_CONV_2D`'s `[1, h, w, channels]`).
    pub fn weights_along(
        &mut self,
        name: &str,
        shape: &[i32],
        data: &[i8],
        scales: &[f32],
        axis: i32,
    ) -> i32 {
        self.push(Tensor {
            name: name.into(),
            shape: shape.to_vec(),
            ty: TensorType::Int8,
            data: Some(data.iter().map(|&v| v as u8).collect()),
            quantization: Some(Quantization {
                scale: scales.to_vec(),
                zero_point: vec![0; scales.len()],
                dimension: axis,
            }),
        })
    }

    /// Constant int32 biases with per-channel `scales` (zero point 0).
    pub fn biases(&mut self, name: &str, data: &[i32], scales: &[f32]) -> i32 {
        self.push(Tensor {
            name: name.into(),
            shape: vec![data.len() as i32],
            ty: TensorType::Int32,
            data: Some(data.iter().flat_map(|v| v.to_le_bytes()).collect()),
            quantization: Some(Quantization {
                scale: scales.to_vec(),
                zero_point: vec![0; scales.len()],
                dimension: 0,
            }),
        })
    }

    /// A constant int32 tensor without quantization (a `PAD`'s paddings, a `RESHAPE`'s shape).
    pub fn int32s(&mut self, name: &str, shape: &[i32], data: &[i32]) -> i32 {
        self.push(Tensor {
            name: name.into(),
            shape: shape.to_vec(),
            ty: TensorType::Int32,
            data: Some(data.iter().flat_map(|v| v.to_le_bytes()).collect()),
            quantization: None,
        })
    }

    /// An operator reading `inputs` and writing `outputs`.
    pub fn operator(&mut self, op: Builtin, inputs: &[i32], outputs: &[i32], options: Options) {
        self.operators.push(Operator {
            op,
            inputs: inputs.to_vec(),
            outputs: outputs.to_vec(),
            options,
        });
    }

    /// `RELU` of `x`, its quantization `params` kept.
    /// Not written when the zero point is −128: the ReLU clamps nothing (the layer before
    /// took it as its fused clamp).
    pub fn relu(&mut self, x: &Flow, params: QuantParams) -> Flow {
        if params.zero_point <= -128 {
            return *x;
        }
        let y = self.next(&self.name("relu"), x, params);
        self.operator(Builtin::Relu, &[x.tensor], &[y.tensor], Options::None);
        y
    }

    /// A pooling `op` (`MAX_POOL_2D`, `AVERAGE_POOL_2D`) over `window`, giving `out` (named
    /// `stem` and its index), the quantization of `x` kept.
    pub fn pool(
        &mut self,
        op: Builtin,
        stem: &str,
        x: &Flow,
        out: Flow,
        window: PoolWindow,
    ) -> Flow {
        let y = self.next(&self.name(stem), &out, x.params);
        let options = Options::Pool2d {
            padding: window.padding(),
            stride: window.stride.map(|s| s as i32),
            filter: window.filter.map(|f| f as i32),
            activation: Activation::None,
        };
        self.operator(op, &[x.tensor], &[y.tensor], options);
        y
    }

    /// `RESHAPE` of `x`, typegrad's `[channels, rows, columns]` values, to flat features
    /// `[1, c·h·w]`; the `FULLY_CONNECTED` after it reorders its columns.
    pub fn flatten(&mut self, x: &Flow, params: QuantParams, from: [usize; 3]) -> Flow {
        let n = from[0] * from[1] * from[2];
        let shape = self.int32s(&self.name("shape"), &[2], &[1, n as i32]);
        let out = Flow {
            h: 1,
            w: 1,
            c: n,
            flat: true,
            ..*x
        };
        let mut y = self.next(&self.name("flat"), &out, params);
        self.operator(
            Builtin::Reshape,
            &[x.tensor, shape],
            &[y.tensor],
            Options::Reshape,
        );
        y.flattened_from = Some(from);
        y
    }

    /// `x` padded by `[top, bottom, left, right]` with its zero point (the real value 0):
    /// a `PAD`, or `x` itself for no padding.
    pub fn pad(&mut self, name: &str, x: &Flow, pads: [usize; 4]) -> Flow {
        if pads == [0; 4] {
            return *x;
        }
        let [t, b, l, r] = pads.map(|p| p as i32);
        let paddings = self.int32s(
            &format!("{name}_paddings"),
            &[4, 2],
            &[0, 0, t, b, l, r, 0, 0],
        );
        let padded = Flow {
            h: x.h + pads[0] + pads[1],
            w: x.w + pads[2] + pads[3],
            ..*x
        };
        let tensor = self.activation(name, &padded.shape(), x.params);
        self.operator(
            Builtin::Pad,
            &[x.tensor, paddings],
            &[tensor],
            Options::None,
        );
        Flow { tensor, ..padded }
    }

    /// The `.tflite` bytes of this graph, fed `input` and giving `output`.
    pub fn to_bytes(&self, input: Flow, output: Flow) -> Vec<u8> {
        let mut f = Builder::new();
        // Buffers: 0 is the empty buffer every activation points to.
        let mut buffers = vec![f.table(&[])];
        let mut tensors = Vec::with_capacity(self.tensors.len());
        for t in &self.tensors {
            let buffer = match &t.data {
                None => 0,
                Some(data) => {
                    let blob = f.blob(data);
                    buffers.push(f.table(&[(0, Field::Offset(blob))]));
                    (buffers.len() - 1) as u32
                }
            };
            let quantization = t.quantization.as_ref().map(|q| {
                let scale = f.vec_f32(&q.scale);
                let zero_point = f.vec_i64(&q.zero_point);
                f.table(&[
                    (2, Field::Offset(scale)),
                    (3, Field::Offset(zero_point)),
                    (6, Field::I32(q.dimension)),
                ])
            });
            let name = f.string(&t.name);
            let shape = f.vec_i32(&t.shape);
            let mut fields = vec![
                (0, Field::Offset(shape)),
                (1, Field::U8(t.ty.code())),
                (2, Field::U32(buffer)),
                (3, Field::Offset(name)),
            ];
            if let Some(q) = quantization {
                fields.push((4, Field::Offset(q)));
            }
            tensors.push(f.table(&fields));
        }
        let mut codes: Vec<Builtin> = Vec::new();
        let mut operators = Vec::with_capacity(self.operators.len());
        for op in &self.operators {
            let index = match codes.iter().position(|&c| c == op.op) {
                Some(i) => i,
                None => {
                    codes.push(op.op);
                    codes.len() - 1
                }
            };
            let options = options(&mut f, op.options);
            let inputs = f.vec_i32(&op.inputs);
            let outputs = f.vec_i32(&op.outputs);
            let mut fields = vec![
                (0, Field::U32(index as u32)),
                (1, Field::Offset(inputs)),
                (2, Field::Offset(outputs)),
            ];
            if let Some((ty, table)) = options {
                fields.push((3, Field::U8(ty)));
                fields.push((4, Field::Offset(table)));
            }
            operators.push(f.table(&fields));
        }
        let tensors = f.vec_offsets(&tensors);
        let inputs = f.vec_i32(&[input.tensor]);
        let outputs = f.vec_i32(&[output.tensor]);
        let operators = f.vec_offsets(&operators);
        let subgraph = f.table(&[
            (0, Field::Offset(tensors)),
            (1, Field::Offset(inputs)),
            (2, Field::Offset(outputs)),
            (3, Field::Offset(operators)),
        ]);
        let codes: Vec<Written> = codes
            .iter()
            .map(|c| {
                // Both fields: readers of files before 2.3 see only the deprecated one.
                f.table(&[
                    (0, Field::I8(c.code().min(127) as i8)),
                    (2, Field::I32(c.version())),
                    (3, Field::I32(c.code())),
                ])
            })
            .collect();
        let codes = f.vec_offsets(&codes);
        let subgraphs = f.vec_offsets(&[subgraph]);
        let buffers = f.vec_offsets(&buffers);
        let description = f.string("typegrad int8");
        let model = f.table(&[
            (0, Field::U32(3)),
            (1, Field::Offset(codes)),
            (2, Field::Offset(subgraphs)),
            (3, Field::Offset(description)),
            (4, Field::Offset(buffers)),
        ]);
        f.finish(model, b"TFL3")
    }
}

/// The options table of an operator and its union type, if it has one.
fn options(f: &mut Builder, options: Options) -> Option<(u8, Written)> {
    Some(match options {
        Options::None => return None,
        Options::Conv2d {
            padding,
            stride,
            activation,
        } => (
            1,
            f.table(&[
                (0, Field::U8(padding.code())),
                (1, Field::I32(stride[0])),
                (2, Field::I32(stride[1])),
                (3, Field::U8(activation.code())),
                (4, Field::I32(1)),
                (5, Field::I32(1)),
            ]),
        ),
        Options::DepthwiseConv2d {
            padding,
            stride,
            activation,
        } => (
            2,
            f.table(&[
                (0, Field::U8(padding.code())),
                (1, Field::I32(stride[0])),
                (2, Field::I32(stride[1])),
                (3, Field::I32(1)),
                (4, Field::U8(activation.code())),
                (5, Field::I32(1)),
                (6, Field::I32(1)),
            ]),
        ),
        Options::Pool2d {
            padding,
            stride,
            filter,
            activation,
        } => (
            5,
            f.table(&[
                (0, Field::U8(padding.code())),
                (1, Field::I32(stride[0])),
                (2, Field::I32(stride[1])),
                (3, Field::I32(filter[0])),
                (4, Field::I32(filter[1])),
                (5, Field::U8(activation.code())),
            ]),
        ),
        Options::Add { activation } => (11, f.table(&[(0, Field::U8(activation.code()))])),
        Options::FullyConnected { activation } => {
            (8, f.table(&[(0, Field::U8(activation.code()))]))
        }
        Options::Reshape => (17, f.table(&[])),
        Options::Softmax { beta } => (9, f.table(&[(0, Field::F32(beta))])),
    })
}
