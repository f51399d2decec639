//! Float `.tflite` files into float typegrad networks: [`load_float`] and the per-layer
//! [`LoadFloat`]. The same operators and checks as the int8 [`load`](super::load) (windows,
//! paddings, shapes, found by data flow), with `FLOAT32` weights: a model trained in Keras or
//! PyTorch and converted without quantization becomes a typegrad network that predicts as the
//! interpreter does and trains further (fine-tuning, then typegrad's own int8 quantization).

use super::error::{Dims, Problem, TfliteError};
use super::load::{At, Step, clamp_op, expect_dims, find, reshape};
use super::model::{Model, Tensor};
use super::schema::{Activation, Builtin, Options, TensorType};
use crate::activation::{Relu, Relu6, Softmax};
use crate::nn::{
    ActivationLayer, AvgPool2d, Chain, Connect, Conv2d, Dense, DynamicQuant, Flatten,
    GlobalAvgPool, Layer, MaxPool2d, Projected, Residual,
};
use crate::quant::Fused;
use crate::shape::window::{KernelSize, Padding as Pads, Strides};
use crate::shape::{Image, Port, Size};
use crate::{Matrix, Vector};

type Result<T> = core::result::Result<T, TfliteError>;

/// A float layer or network that can be read from a float `.tflite` file.
pub trait LoadFloat: Sized {
    /// This layer as the file's operators reading `at.tensor` compute it, checked against the
    /// type, and where the next layer reads (`at.fused`: a fused activation of the file's
    /// operator that the type has as its next layer).
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)>;
}

/// The float network `N` of a float `.tflite` file, every operator and shape checked against
/// the type.
pub fn load_float<N>(bytes: &[u8]) -> Result<N>
where
    N: LoadFloat + Layer<f32>,
{
    let file = Model::parse(bytes)?;
    let input = file.tensor(file.input())?;
    expect_dims(None, &input, "input", &float_dims::<N::In>())?;
    let start = At {
        tensor: file.input(),
        layer: 0,
        flattened_from: None,
        fused: Activation::None,
        dynamic: false,
    };
    let (net, end) = N::load_float(&file, start)?;
    if end.tensor != file.output() || end.fused != Activation::None || end.dynamic {
        return Err(Problem::Output {
            file: file.output(),
            network: end.tensor,
        }
        .into());
    }
    Ok(net)
}

/// The shape TFLite gives a sample of port `P`: `[1, n]`, `[1, 1, steps, channels]` or
/// `[1, rows, columns, channels]`.
pub fn float_dims<P: Port>() -> Dims {
    let [a, b, c] = P::DIMS.map(|d| d as i32);
    match P::RANK {
        1 => Dims::new(&[1, a]),
        2 => Dims::new(&[1, 1, b, a]),
        _ => Dims::new(&[1, b, c, a]),
    }
}

/// Value `i` of a weight tensor: `FLOAT32`, or `INT8` dequantized (`scale · (q − zero
/// point)`, per channel along its `quantized_dimension`: the weights of a "hybrid" file,
/// whose activations are float).
fn value(step: &Step, t: &Tensor, i: usize) -> Result<f32> {
    let err = |p| step.error(p);
    match t.ty {
        TensorType::Float32 => t.f32(i).map_err(err),
        TensorType::Int8 => {
            let dims = t.dims().map_err(err)?;
            let d = dims.as_slice();
            let axis = usize::try_from(t.quantized_dimension()).unwrap_or(usize::MAX);
            let channel = match d.get(axis) {
                Some(&n) if t.scale_count() > 1 => {
                    let inner = d[axis + 1..]
                        .iter()
                        .fold(1usize, |a, &x| a.saturating_mul(x.max(1) as usize));
                    (i / inner.max(1)) % (n.max(1) as usize)
                }
                _ => 0,
            };
            let q = f64::from(t.i8(i).map_err(err)?);
            let zero = t.zero_point(channel).map_err(err)? as f64;
            let scale = f64::from(t.scale(channel).map_err(err)?);
            Ok((scale * (q - zero)) as f32)
        }
        TensorType::Int32 => Err(step.error(Problem::Unsupported {
            what: "a float network's weight tensor type code",
            value: t.ty.code().into(),
        })),
    }
}

/// The `O` biases (input 2), 0 when the operator has none.
fn biases<const O: usize>(step: &Step, file: &Model<'_>) -> Result<Vector<f32, O>> {
    let mut b = [0f32; O];
    if let Some(t) = step.input(file, 2)? {
        expect_dims(Some(&step.op), &t, "bias", &Dims::new(&[O as i32]))?;
        for (o, v) in b.iter_mut().enumerate() {
            *v = value(step, &t, o)?;
        }
    }
    Ok(Vector::new(b))
}

/// The activation a layer type `A` applies itself (`Dense`'s), as TFLite's fused one.
fn own_activation<A: Fused>() -> Activation {
    match (A::RELU, A::CAP) {
        (false, _) => Activation::None,
        (true, None) => Activation::Relu,
        (true, Some(_)) => Activation::Relu6,
    }
}

/// What of an operator's `fused` activation is left for the next layer when its layer
/// applies `own` itself: nothing when they agree, all of it when the layer applies none.
fn left_over(step: &Step, fused: Activation, own: Activation) -> Result<Activation> {
    match (fused, own) {
        (f, o) if f == o => Ok(Activation::None),
        (f, Activation::None) => Ok(f),
        (f, _) => Err(step.error(Problem::Unsupported {
            what: "a fused activation other than the layer's own: code",
            value: f.code().into(),
        })),
    }
}

/// A fused activation the layer before left for this one, if it is `a`: then this layer is
/// that activation and reads on.
fn take_fused(at: At, a: Activation) -> Option<At> {
    (at.fused == a).then_some(At {
        layer: at.layer + 1,
        fused: Activation::None,
        ..at
    })
}

fn no_pending(at: At, layer: &'static str) -> Result<()> {
    if at.dynamic {
        return Err(Problem::NoOperator {
            layer: at.layer,
            expects: "a hybrid CONV_2D (int8 filter) after DynamicQuant",
            tensor: at.tensor,
        }
        .into());
    }
    if at.fused == Activation::None {
        Ok(())
    } else {
        Err(Problem::NoOperator {
            layer: at.layer,
            expects: layer,
            tensor: at.tensor,
        }
        .into())
    }
}

/// Checks that `step` is TFLite's hybrid `CONV_2D`, whose input a [`DynamicQuant`] quantizes
/// ([`Tensor::is_hybrid_filter`]; per-channel or depthwise hybrid kernels quantize their input
/// differently).
fn hybrid_filter(step: &Step, filter: &Tensor) -> Result<()> {
    let fits = step.op.builtin == Builtin::Conv2d
        && filter.is_hybrid_filter().map_err(|p| step.error(p))?;
    if fits {
        Ok(())
    } else {
        Err(step.error(Problem::Invalid {
            what: "DynamicQuant before a convolution that is not TFLite's hybrid CONV_2D \
                   (INT8 filter, one scale, zero point 0)",
        }))
    }
}

/// Before a hybrid `CONV_2D`: the layer the file's operator computes on its input first.
impl<P: Port> LoadFloat for DynamicQuant<P> {
    fn load_float(_: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(at, "DynamicQuant")?;
        Ok((
            DynamicQuant::default(),
            At {
                layer: at.layer + 1,
                dynamic: true,
                ..at
            },
        ))
    }
}

impl<A: LoadFloat, B: LoadFloat> LoadFloat for Chain<A, B> {
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        let (a, mid) = A::load_float(file, at)?;
        let (b, end) = B::load_float(file, mid)?;
        Ok((Chain(a, b), end))
    }
}

/// `FULLY_CONNECTED`, weights `[O, I]` (after an image flattened in TFLite's order, its
/// columns reordered to typegrad's).
impl<const I: usize, const O: usize, A> LoadFloat for Dense<f32, I, O, A>
where
    A: crate::activation::Activation + Fused + Default,
{
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(at, "Dense")?;
        let mut fused = Activation::None;
        let (dense, next) =
            crate::quant::dense_layer::<_, I, O>(file, at, |step, filter, activation, column| {
                let mut w = [[0f32; I]; O];
                for (o, row) in w.iter_mut().enumerate() {
                    for j in 0..I {
                        if let Some(slot) = row.get_mut(column(j)) {
                            *slot = value(step, filter, o * I + j)?;
                        }
                    }
                }
                fused = left_over(step, activation, own_activation::<A>())?;
                Ok(Dense {
                    weights: Matrix::new(w),
                    bias: biases::<O>(step, file)?,
                    activation: A::default(),
                })
            })?;
        Ok((dense, At { fused, ..next }))
    }
}

/// `CONV_2D` or `DEPTHWISE_CONV_2D` (after a `PAD`, or `SAME`), filter `[O, kh, kw, I]` /
/// `[1, kh, kw, C]`; a fused activation is the next layer's.
impl<const I: usize, const O: usize, K, S, P, G, X> LoadFloat for Conv2d<f32, I, O, K, S, P, X, G>
where
    K: KernelSize,
    S: Strides,
    P: Pads,
    G: Connect,
    X: crate::shape::Plane,
    Conv2d<f32, I, O, K, S, P, X, G>: Layer<f32>,
{
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(
            At {
                dynamic: false,
                ..at
            },
            G::NAME,
        )?;
        let out = float_dims::<<Self as crate::nn::Shape>::Out>();
        let mut fused = Activation::None;
        let (conv, next) = crate::quant::conv2d_layer::<_, K, S, P, G, I, O>(
            file,
            at,
            X::HW,
            &out,
            |step, filter, activation| {
                if at.dynamic {
                    hybrid_filter(step, filter)?;
                }
                let mut weight = G::weight::<f32, K, I, O>(0.0);
                let flat = G::flat_mut::<f32, K, I, O>(&mut weight);
                for n in 0..flat.len() {
                    let v = value(step, filter, n)?;
                    if let Some(w) = flat.get_mut(crate::quant::conv2d_index::<K, G, I, O>(n)) {
                        *w = v;
                    }
                }
                fused = activation;
                Ok(Conv2d::new(weight, biases::<O>(step, file)?))
            },
        )?;
        Ok((conv, At { fused, ..next }))
    }
}

macro_rules! clamp_layer {
    ($act:ty, $fused:expr, $op:expr, $name:literal) => {
        /// The fused activation of the operator before, or a standalone operator.
        impl<P: Port> LoadFloat for ActivationLayer<$act, P> {
            fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
                if let Some(next) = take_fused(at, $fused) {
                    return Ok((ActivationLayer::new(<$act>::default()), next));
                }
                no_pending(at, $name)?;
                let next = clamp_op(file, at, $op, false)?;
                Ok((ActivationLayer::new(<$act>::default()), next))
            }
        }
    };
}

clamp_layer!(Relu, Activation::Relu, Builtin::Relu, "Relu");
clamp_layer!(Relu6, Activation::Relu6, Builtin::Relu6, "Relu6");

/// `SOFTMAX` with β = 1.
impl<const N: usize> LoadFloat for ActivationLayer<Softmax, Size<N>> {
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(at, "Softmax")?;
        find(file, at, &[Builtin::Softmax], "SOFTMAX", |step| {
            match step.options {
                Options::Softmax { beta: 1.0 } => {}
                _ => {
                    return Err(step.error(Problem::Invalid {
                        what: "the float Softmax is a SOFTMAX with beta 1",
                    }));
                }
            }
            step.gives(at.layer, &Dims::new(&[1, N as i32]))?;
            step.keeps(None)?;
            Ok((ActivationLayer::new(Softmax), at.then(step.output.index)))
        })
    }
}

macro_rules! pool_layer {
    ($pool:ident, $op:expr) => {
        /// The pooling operator over windows `K` moved by `S`, `VALID`.
        impl<K, S, P, const C: usize, const H: usize, const W: usize> LoadFloat
            for $pool<K, S, P, Image<C, H, W>>
        where
            K: KernelSize,
            S: Strides,
            P: crate::shape::window::PoolPadding,
            $pool<K, S, P, Image<C, H, W>>: Layer<f32>,
        {
            fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
                no_pending(at, stringify!($pool))?;
                let out = float_dims::<<Self as crate::nn::Shape>::Out>();
                let next = super::load::pool(
                    file,
                    at,
                    $op,
                    crate::quant::tflite::PoolWindow::of::<K, S, P>(),
                    [H, W],
                    &out,
                )?;
                Ok((Self::default(), next))
            }
        }
    };
}

pool_layer!(AvgPool2d, Builtin::AveragePool2d);
pool_layer!(MaxPool2d, Builtin::MaxPool2d);

/// `AVERAGE_POOL_2D` over the whole image or signal.
impl<X: crate::shape::Plane> LoadFloat for GlobalAvgPool<X>
where
    GlobalAvgPool<X>: Layer<f32>,
{
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(at, "GlobalAvgPool")?;
        let out = Dims::new(&[1, 1, 1, X::C as i32]);
        let [h, w] = X::HW;
        let next = super::load::pool(
            file,
            at,
            Builtin::AveragePool2d,
            crate::quant::tflite::PoolWindow::whole(h, w),
            X::HW,
            &out,
        )?;
        Ok((Self::default(), next))
    }
}

/// `RESHAPE` to `[1, C·H·W]`: the next `FULLY_CONNECTED` reads TFLite's column order.
impl<const C: usize, const H: usize, const W: usize> LoadFloat for Flatten<Image<C, H, W>> {
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        no_pending(at, "Flatten")?;
        let mut next = reshape(file, at, &Dims::new(&[1, (C * H * W) as i32]))?;
        next.flattened_from = Some([C, H, W]);
        Ok((Self::default(), next))
    }
}

/// The two branches from one tensor and the `ADD` of their outputs (a fused activation is
/// the next layer's).
fn sum<F: LoadFloat, S: LoadFloat>(
    file: &Model<'_>,
    at: At,
    shortcut: impl FnOnce(At) -> Result<(S, At)>,
) -> Result<(F, S, At)> {
    no_pending(at, "Residual")?;
    let (block, a) = F::load_float(file, at)?;
    no_pending(a, "Residual's ADD")?;
    let (short, b) = shortcut(At {
        layer: a.layer,
        ..at
    })?;
    no_pending(b, "Projected's ADD")?;
    let join = At {
        layer: b.layer,
        ..a
    };
    let next = find(file, join, &[Builtin::Add], "ADD", |step| {
        let (x0, x1) = (step.op.input(0)?, step.op.input(1)?);
        if !((x0, x1) == (a.tensor, b.tensor) || (x0, x1) == (b.tensor, a.tensor)) {
            return Err(step.error(Problem::NoOperator {
                layer: join.layer,
                expects: "ADD of the block's and the shortcut's outputs",
                tensor: b.tensor,
            }));
        }
        let Options::Add { activation } = step.options else {
            return Err(step.error(Problem::Missing {
                what: "builtin_options",
            }));
        };
        step.keeps(None)?;
        let fused = left_over(&step, activation, Activation::None)?;
        Ok(At {
            fused,
            ..join.then(step.output.index)
        })
    })?;
    Ok((block, short, next))
}

/// `x + F(x)`: the block, then the `ADD` of its output and the block's input.
impl<F: LoadFloat, P> LoadFloat for Residual<F, P> {
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        let (block, (), next) = sum::<F, ()>(file, at, |x| Ok(((), x)))?;
        Ok((Residual::new(block), next))
    }
}

impl LoadFloat for () {
    fn load_float(_: &Model<'_>, at: At) -> Result<(Self, At)> {
        Ok(((), at))
    }
}

/// `F(x) + S(x)`: both branches, then the `ADD` of their outputs.
impl<F: LoadFloat, S: LoadFloat, P> LoadFloat for Projected<F, S, P> {
    fn load_float(file: &Model<'_>, at: At) -> Result<(Self, At)> {
        let (block, short, next) = sum::<F, S>(file, at, |x| S::load_float(file, x))?;
        Ok((Projected::new(block, short), next))
    }
}
