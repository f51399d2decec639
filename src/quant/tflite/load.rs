//! Loading a `.tflite` file into an int8 network type the user wrote, checking every operator,
//! shape and quantization parameter against the type first: [`load`] and the per-layer
//! [`Load`].
//!
//! Layers find their operators by data flow, not by position: a layer takes the first
//! operator of its kind that reads the tensor the layer before gave and that fits it (kernel,
//! stride, padding, shapes), so the two branches of a residual block may come in any order in
//! the file. What the writer leaves out loads as well: a `RELU` or `RELU6` that clamps nothing
//! (the layer before took it as its fused clamp) is absent from the file.

use super::error::{Dims, Problem, TfliteError};
use super::model::{Model, Operator, Tensor};
use super::schema::{Activation, Builtin, Options, Padding, PoolWindow};
use crate::quant::arith::{Multiplier, QuantParams, clamp_of};
use crate::quant::layer::QLayer;
use crate::quant::sample::QSample;

type Result<T> = core::result::Result<T, TfliteError>;

/// Where loading stands: the tensor the next layer reads and what the network knows of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct At {
    /// The tensor the next layer reads.
    pub tensor: i32,
    /// The next layer's index in the network (counted from 0, in reading order).
    pub layer: usize,
    /// When the tensor is an image flattened in typegrad's (channel, row, column) order, its
    /// `[channels, rows, columns]` (the `FULLY_CONNECTED` after it reads its weight columns in
    /// TFLite's (row, column, channel) order).
    pub flattened_from: Option<[usize; 3]>,
    /// A fused activation of the operator before that the network has as its next layer
    /// (float networks: `Conv2d` then `Relu`).
    pub fused: Activation,
    /// The layer before is a [`DynamicQuant`](crate::nn::DynamicQuant): the next operator
    /// must be a hybrid one (int8 weights, float activations) that quantizes its input.
    pub dynamic: bool,
}

impl At {
    /// The next layer reads `tensor`.
    pub fn then(self, tensor: i32) -> At {
        At {
            tensor,
            layer: self.layer + 1,
            flattened_from: None,
            fused: Activation::None,
            dynamic: false,
        }
    }
}

/// An int8 layer or network that can be read from a `.tflite` file.
pub trait Load: QLayer + Sized {
    /// This layer as the file's operators reading `at.tensor` compute it, checked against the
    /// type, and where the next layer reads.
    fn load(file: &Model<'_>, at: At) -> Result<(Self, At)>;
}

/// The int8 network `Q` of a `.tflite` file, every operator, shape and quantization parameter
/// checked against the type before it is returned: a file of another architecture is an
/// error naming the operator and what differs. No heap: the file is read in place.
pub fn load<Q>(bytes: &[u8]) -> Result<Q>
where
    Q: Load,
    Q::In: QSample,
{
    let file = Model::parse(bytes)?;
    let input = file.tensor(file.input())?;
    expect_dims(None, &input, "input", &dims_of::<Q::In>())?;
    let start = At {
        tensor: file.input(),
        layer: 0,
        flattened_from: None,
        fused: Activation::None,
        dynamic: false,
    };
    let (q, end) = Q::load(&file, start)?;
    if end.tensor != file.output() {
        return Err(Problem::Output {
            file: file.output(),
            network: end.tensor,
        }
        .into());
    }
    Ok(q)
}

/// The shape TFLite gives an int8 sample `X`: `[1, n]` flat, else NHWC.
pub fn dims_of<X: QSample>() -> Dims {
    let [h, w, c] = X::NHWC;
    if X::FLAT {
        Dims::new(&[1, c as i32])
    } else {
        Dims::new(&[1, h as i32, w as i32, c as i32])
    }
}

/// The dimensions without leading 1s (`[1, 1, 1, 64]` and `[1, 64]` hold the same values in
/// the same order).
fn trimmed(d: &[i32]) -> &[i32] {
    let skip = d.iter().take_while(|&&n| n == 1).count();
    &d[skip.min(d.len().saturating_sub(1))..]
}

/// Checks that tensor `t` (the `what` of `op`) has the shape `needed` (leading 1s aside).
pub fn expect_dims(
    op: Option<&Operator>,
    t: &Tensor,
    what: &'static str,
    needed: &Dims,
) -> Result<()> {
    let file = t.dims().map_err(|p| at_op(op, p))?;
    if trimmed(file.as_slice()) == trimmed(needed.as_slice()) {
        Ok(())
    } else {
        Err(at_op(
            op,
            Problem::Shape {
                what,
                file,
                needed: *needed,
            },
        ))
    }
}

fn at_op(op: Option<&Operator>, p: Problem) -> TfliteError {
    match op {
        Some(op) => op.error(p),
        None => p.into(),
    }
}

/// One operator of a layer, read: the operator, its options and its output tensor.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The operator.
    pub op: Operator<'a>,
    /// Its options.
    pub options: Options,
    /// Its (first) output.
    pub output: Tensor<'a>,
}

impl<'a> Step<'a> {
    /// `problem` at this operator.
    pub fn error(&self, problem: Problem) -> TfliteError {
        self.op.error(problem)
    }

    /// Input `k` of the operator (`None` for an optional input left out).
    pub fn input(&self, file: &Model<'a>, k: usize) -> Result<Option<Tensor<'a>>> {
        if k >= self.op.input_count() {
            return Ok(None);
        }
        match self.op.input(k)? {
            t if t < 0 => Ok(None),
            t => file.tensor(t).map(Some).map_err(|p| self.error(p)),
        }
    }

    /// Input `k`, which the operator needs.
    pub fn needs(&self, file: &Model<'a>, k: usize, what: &'static str) -> Result<Tensor<'a>> {
        self.input(file, k)?
            .ok_or_else(|| self.error(Problem::Missing { what }))
    }

    /// Checks the output's shape against the layer's (`Gives` error).
    pub fn gives(&self, layer: usize, needed: &Dims) -> Result<()> {
        let file = self.output.dims().map_err(|p| self.error(p))?;
        if trimmed(file.as_slice()) == trimmed(needed.as_slice()) {
            Ok(())
        } else {
            Err(self.error(Problem::Gives {
                op: self.op.builtin,
                file,
                layer,
                network: *needed,
            }))
        }
    }

    /// The output's quantization.
    pub fn output_params(&self) -> Result<QuantParams> {
        self.output.params().map_err(|p| self.error(p))
    }

    /// Checks that the output keeps the input's element type and quantization (`input`:
    /// `None` for float).
    pub fn keeps(&self, input: Option<QuantParams>) -> Result<()> {
        match input {
            Some(p) => self.same_params(p).map(|_| ()),
            None if self.output.ty == super::schema::TensorType::Float32 => Ok(()),
            None => Err(self.error(Problem::Invalid {
                what: "a float input gives a quantized output",
            })),
        }
    }

    /// The output's quantization, which must equal `input`'s (pooling, reshaping, clamping).
    pub fn same_params(&self, input: QuantParams) -> Result<QuantParams> {
        let out = self.output_params()?;
        if out == input {
            Ok(out)
        } else {
            Err(self.error(Problem::Quantization {
                tensor: self.output.index,
                what: "its output's scale and zero point differ from its input's",
            }))
        }
    }
}

/// The first operator of kind `ops` reading `at.tensor` on which `fit` succeeds (the error of
/// the first that does not when none does; `NoOperator` when there is none).
pub fn find<'a, T>(
    file: &Model<'a>,
    at: At,
    ops: &[Builtin],
    expects: &'static str,
    mut fit: impl FnMut(Step<'a>) -> Result<T>,
) -> Result<T> {
    let mut first = None;
    for op in file.readers(at.tensor) {
        let op = op?;
        // An `ADD` reads its two inputs in either order; the others read their data first.
        if !ops.contains(&op.builtin) || (op.builtin != Builtin::Add && op.input(0)? != at.tensor) {
            continue;
        }
        let output = file.tensor(op.output(0)?).map_err(|p| op.error(p))?;
        let step = Step {
            op,
            options: op.options()?,
            output,
        };
        match fit(step) {
            Ok(t) => return Ok(t),
            Err(e) => {
                first.get_or_insert(e);
            }
        }
    }
    Err(first.unwrap_or_else(|| {
        Problem::NoOperator {
            layer: at.layer,
            expects,
            tensor: at.tensor,
        }
        .into()
    }))
}

/// The error of a rescaling factor TFLite Micro cannot compute.
pub const OUT_OF_RANGE: Problem = Problem::Invalid {
    what: "the scales give a rescaling factor of 2^31 or more",
};

/// The quantization of tensor `at.tensor`.
pub fn params_at(file: &Model<'_>, at: At) -> Result<QuantParams> {
    let t = file.tensor(at.tensor)?;
    Ok(t.params()?)
}

/// The output clamp `[act_min, act_max]` of a fused `activation` on outputs quantized as
/// `output` (TFLite's `CalculateActivationRangeQuantized`).
pub fn clamp(activation: Activation, output: QuantParams) -> (i8, i8) {
    match activation {
        Activation::None => (-128, 127),
        Activation::Relu => clamp_of(output, true, None),
        Activation::Relu6 => clamp_of(output, true, Some(6.0)),
    }
}

/// Checks a window's stride `[w, h]` against the file's.
pub fn expect_stride(step: &Step, stride: [usize; 2], got: [i32; 2]) -> Result<()> {
    let want = stride.map(|s| s as i32);
    if got != want {
        return Err(step.error(Problem::Shape {
            what: "stride (width, height)",
            file: Dims::new(&got),
            needed: Dims::new(&want),
        }));
    }
    Ok(())
}

/// The zeros `[top, bottom, left, right]` a window of `kernel` `[h, w]` moved by `stride`
/// `[h, w]` adds around `hw` rows and columns with `padding` (`SAME`'s, or none).
pub fn window_pads(
    padding: Padding,
    hw: [usize; 2],
    kernel: [usize; 2],
    stride: [usize; 2],
) -> [usize; 4] {
    match padding {
        Padding::Valid => [0; 4],
        Padding::Same => {
            let [t, b] = same_pads(hw[0], kernel[0], stride[0]);
            let [l, r] = same_pads(hw[1], kernel[1], stride[1]);
            [t, b, l, r]
        }
    }
}

/// Per-channel weights: their `O` scales (one per tensor repeated), the biases (0 when the
/// operator has none) and each channel's rescaling `input · weight / output` as TFLite
/// derives it.
pub fn channels<'a, const O: usize>(
    step: &Step<'a>,
    file: &Model<'a>,
    filter: &Tensor<'a>,
    axis: i32,
    input: QuantParams,
    output: QuantParams,
) -> Result<([f32; O], [i32; O], [Multiplier; O])> {
    let err = |p| step.error(p);
    let n = filter.scale_count();
    if n != 1 && (n != O || filter.quantized_dimension() != axis) {
        return Err(err(Problem::Quantization {
            tensor: filter.index,
            what: "the filter's scales are neither one per tensor nor one per output channel",
        }));
    }
    let mut scales = [0f32; O];
    for (o, s) in scales.iter_mut().enumerate() {
        *s = filter.scale(o).map_err(err)?;
        if !(s.is_finite() && *s > 0.0) || filter.zero_point(o).map_err(err)? != 0 {
            return Err(err(Problem::Quantization {
                tensor: filter.index,
                what: "filter scales must be positive and zero points 0",
            }));
        }
    }
    let mut bias = [0i32; O];
    if let Some(b) = step.input(file, 2)? {
        expect_dims(Some(&step.op), &b, "bias", &Dims::new(&[O as i32]))?;
        for (o, v) in bias.iter_mut().enumerate() {
            *v = b.i32(o).map_err(err)?;
        }
    }
    let rescale = scales.map(|s| Multiplier::of_scales(input.scale, s, output.scale));
    if !rescale.iter().all(|m| m.in_range()) {
        return Err(err(OUT_OF_RANGE));
    }
    Ok((scales, bias, rescale))
}

/// A pooling `op` over `window` on an input of `in_hw` rows and columns, reading `at.tensor`
/// and giving `out` (the quantization unchanged): where the next layer reads.
pub fn pool(
    file: &Model<'_>,
    at: At,
    op: Builtin,
    window: PoolWindow,
    in_hw: [usize; 2],
    out: &Dims,
) -> Result<At> {
    let PoolWindow { filter, stride, .. } = window;
    let input = quantization_at(file, at)?;
    find(file, at, &[op], op.name(), |step| {
        let Options::Pool2d {
            padding,
            stride: s,
            filter: f,
            activation,
        } = step.options
        else {
            return Err(step.error(Problem::Missing {
                what: "builtin_options",
            }));
        };
        expect_stride(&step, stride, s)?;
        // `SAME` that comes to no padding is `VALID`.
        let network = window.padding();
        let pads = |p| window_pads(p, in_hw, [filter[1], filter[0]], [stride[1], stride[0]]);
        if pads(padding) != pads(network) {
            return Err(step.error(Problem::Padding {
                file: padding,
                network,
            }));
        }
        let want = filter.map(|k| k as i32);
        if f != want {
            return Err(step.error(Problem::Shape {
                what: "window (width, height)",
                file: Dims::new(&f),
                needed: Dims::new(&want),
            }));
        }
        if activation != Activation::None {
            return Err(step.error(Problem::Unsupported {
                what: "pooling's fused_activation_function",
                value: activation.code().into(),
            }));
        }
        step.gives(at.layer, out)?;
        step.keeps(input)?;
        Ok(at.then(step.output.index))
    })
}

/// A `RESHAPE` of `at.tensor` to `out`, the quantization unchanged.
pub fn reshape(file: &Model<'_>, at: At, out: &Dims) -> Result<At> {
    let input = quantization_at(file, at)?;
    find(file, at, &[Builtin::Reshape], "RESHAPE", |step| {
        step.gives(at.layer, out)?;
        step.keeps(input)?;
        Ok(at.then(step.output.index))
    })
}

/// An element-wise clamp `op` (`RELU`, `RELU6`) of `at.tensor`, the quantization unchanged —
/// or nothing, when the file has none and `absent_ok` (the clamp clamps nothing: the layer
/// before took it as its fused clamp). Where the next layer reads.
pub fn clamp_op(file: &Model<'_>, at: At, op: Builtin, absent_ok: bool) -> Result<At> {
    let input = quantization_at(file, at)?;
    let found = find(file, at, &[op], op.name(), |step| {
        step.keeps(input)?;
        Ok(at.then(step.output.index))
    });
    match found {
        Err(TfliteError {
            problem: Problem::NoOperator { .. },
            ..
        }) if absent_ok => Ok(At {
            layer: at.layer + 1,
            ..at
        }),
        other => other,
    }
}

/// The quantization of tensor `at.tensor`: `Some` for int8, `None` for a float tensor.
pub fn quantization_at(file: &Model<'_>, at: At) -> Result<Option<QuantParams>> {
    let t = file.tensor(at.tensor)?;
    match t.ty {
        super::schema::TensorType::Float32 => Ok(None),
        _ => Ok(Some(t.params()?)),
    }
}

/// The `PAD` of `at.tensor` by `[top, bottom, left, right]` zeros (its zero point), or
/// nothing for none: where the convolution reads.
pub fn padded(file: &Model<'_>, at: At, pads: [usize; 4]) -> Result<At> {
    if pads == [0; 4] {
        return Ok(at);
    }
    let input = quantization_at(file, at)?;
    find(file, at, &[Builtin::Pad], "PAD", |step: Step<'_>| {
        let p = step.needs(file, 1, "paddings")?;
        expect_dims(Some(&step.op), &p, "paddings", &Dims::new(&[4, 2]))?;
        let [t, b, l, r] = pads.map(|v| v as i32);
        let want = [0, 0, t, b, l, r, 0, 0];
        let mut got = [0i32; 8];
        for (k, g) in got.iter_mut().enumerate() {
            *g = p.i32(k).map_err(|e| step.error(e))?;
        }
        if got != want {
            return Err(step.error(Problem::Shape {
                what: "paddings (top, bottom, left, right)",
                file: Dims::new(&got[2..6]),
                needed: Dims::new(&want[2..6]),
            }));
        }
        step.keeps(input)?;
        Ok(At {
            tensor: step.output.index,
            ..at
        })
    })
}

/// An int8 pooling `op` (see [`pool`]): the quantization it keeps, and where the next layer
/// reads.
pub fn int8_pool(
    file: &Model<'_>,
    at: At,
    op: Builtin,
    window: PoolWindow,
    in_hw: [usize; 2],
    out: &Dims,
) -> Result<(QuantParams, At)> {
    let params = params_at(file, at)?;
    Ok((params, pool(file, at, op, window, in_hw, out)?))
}

/// The zeros before and after `len` values that TFLite's `SAME` adds for a window `k`
/// moved by `s`: `max(0, (⌈len/s⌉ − 1)·s + k − len)`, the odd one after.
pub fn same_pads(len: usize, k: usize, s: usize) -> [usize; 2] {
    let total = (len.div_ceil(s).saturating_sub(1) * s + k).saturating_sub(len);
    [total / 2, total - total / 2]
}
