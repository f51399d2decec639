//! Post-training quantization: [`Quantize`] names the int8 type of a float network
//! ([`Quantize::Quantized`], also without `std`, so firmware can name the network it runs);
//! [`quantize`] and the trait's calibration methods (with `std`: calibration keeps the float
//! activations of the calibration set) compute it from samples.

#[cfg(feature = "std")]
use std::vec::Vec;

#[cfg(feature = "std")]
use super::arith::{Multiplier, QuantParams, Rounding, clamp_of, round_half_away};
use super::dense::QDense;
use super::layer::{QChain, QLayer};
use crate::activation::{Identity, Relu};
use crate::nn::{Chain, Dense, Layer};
use crate::shape::window::{FitCols, FitRows, KernelSize, Padding, Strides};
use crate::shape::{Port, VectorOf};

/// An activation that TFLite fuses into the layer before it: the identity (no clamp), ReLU
/// (outputs clamped at the real value 0) or ReLU6 (clamped to [0, 6]).
pub trait Fused {
    /// Whether outputs below 0 are cut.
    const RELU: bool;
    /// The largest real output, if the activation caps it (6 for ReLU6).
    const CAP: Option<f32> = None;
}

/// A ReLU fused into the layer before it, capped (ReLU6: 6) or not.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FusedRelu {
    /// The largest real output, if capped.
    pub cap: Option<f32>,
}

#[cfg(feature = "std")]
impl FusedRelu {
    /// The output quantization of a layer whose float outputs are `outputs`, with this ReLU
    /// (when `Some`) applied: calibrated from 0 up to the smaller of their largest value and
    /// the cap.
    fn output<P: Port>(relu: Option<FusedRelu>, outputs: &[VectorOf<f32, P>]) -> QuantParams {
        let (lo, hi) = range_of::<P>(outputs);
        match relu {
            None => QuantParams::from_range(lo, hi),
            Some(r) => QuantParams::from_range(0.0, r.cap.map_or(hi, |c| hi.min(c))),
        }
    }

    /// The output clamp with this ReLU (when `Some`): [`clamp_of`].
    fn clamp(relu: Option<FusedRelu>, output: QuantParams) -> (i8, i8) {
        clamp_of(output, relu.is_some(), relu.and_then(|r| r.cap))
    }
}

impl Fused for crate::activation::Relu6 {
    const RELU: bool = true;
    const CAP: Option<f32> = Some(6.0);
}

impl Fused for Identity {
    const RELU: bool = false;
}

impl Fused for Relu {
    const RELU: bool = true;
}

/// A float network whose int8 counterpart is [`Quantized`](Quantize::Quantized): a `Dense`
/// with no activation or ReLU becomes a [`QDense`], a [`Chain`] a [`QChain`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no int8 form",
    label = "this network contains a layer that cannot be quantized",
    note = "int8 layers: `Dense` (no activation, ReLU or ReLU6), `Conv1d`, `Conv2d` and \
            `DepthwiseConv2d` (any window), `Relu` and `Relu6` (standalone or fused), `MaxPool1d`, \
            `MaxPool2d`, `AvgPool1d`, `AvgPool2d`, `GlobalAvgPool1d`, `GlobalAvgPool2d`, `Flatten`, \
            `Residual`, `Projected`, `Softmax` (on flat features). Fold a `BatchNorm1d` into the \
            layer before it first (`fold_into_dense`, `fold_into_conv`); remove \
            `Dropout` (it only acts in training)"
)]
pub trait Quantize: Layer<f32> {
    /// The int8 network: a type derived from this one.
    type Quantized: QLayer;

    /// Quantizes this layer for inputs quantized as `input`, calibrating its output on the
    /// float `samples` of its input; returns the quantized layer and the float outputs (the
    /// next layer's calibration samples).
    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, Self::In>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, Self::Out>>);

    /// The standalone `Relu` or `Relu6` this network starts with, which the layer before
    /// takes as its fused clamp (as TFLite's converter fuses it).
    const LEADING_RELU: Option<FusedRelu> = None;

    /// [`quantize_with`](Quantize::quantize_with) when a standalone `Relu` (or `Relu6`)
    /// follows: a layer that can fuse it (`Dense`, `Conv2d`, `DepthwiseConv2d`, `Residual`,
    /// `Projected`) calibrates its output from 0 (up to the cap) and clamps there, so the
    /// activation after it clamps nothing (zero point −128, nothing above the cap) and is not
    /// written to a `.tflite` file; others quantize as usual.
    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, Self::In>],
        relu: FusedRelu,
    ) -> (Self::Quantized, Vec<VectorOf<f32, Self::Out>>) {
        let _ = relu;
        self.quantize_with(input, samples)
    }
}

/// Calibrates and quantizes `net` on `samples` (representative inputs, e.g. the training
/// set): the input's and every layer's output quantization from the min/max of the float
/// values (per tensor, asymmetric), weights symmetric per output channel (`scale = max|w| /
/// 127`), biases int32 in units of `input_scale · weight_scale`.
#[cfg(feature = "std")]
pub fn quantize<Net: Quantize>(net: &Net, samples: &[VectorOf<f32, Net::In>]) -> Net::Quantized {
    let (lo, hi) = samples
        .iter()
        .flat_map(|x| <Net::In as Port>::sample_slice(x).iter().copied())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    net.quantize_with(QuantParams::from_range(lo, hi), samples)
        .0
}

impl<const I: usize, const O: usize, A> Quantize for Dense<f32, I, O, A>
where
    A: crate::activation::Activation + Fused,
{
    type Quantized = QDense<I, O>;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[crate::Vector<f32, I>],
    ) -> (QDense<I, O>, Vec<crate::Vector<f32, O>>) {
        let own = A::RELU.then_some(FusedRelu { cap: A::CAP });
        self.quantize_dense(input, samples, own)
    }

    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[crate::Vector<f32, I>],
        relu: FusedRelu,
    ) -> (QDense<I, O>, Vec<crate::Vector<f32, O>>) {
        let cap = match (A::CAP, relu.cap) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.quantize_dense(input, samples, Some(FusedRelu { cap }))
    }
}

impl<const I: usize, const O: usize, A> Dense<f32, I, O, A>
where
    A: crate::activation::Activation + Fused,
{
    #[cfg(feature = "std")]
    /// The int8 dense layer, its outputs clamped by `relu` (its own activation or a
    /// standalone `Relu` after it).
    fn quantize_dense(
        &self,
        input: QuantParams,
        samples: &[crate::Vector<f32, I>],
        relu: Option<FusedRelu>,
    ) -> (QDense<I, O>, Vec<crate::Vector<f32, O>>) {
        let outputs: Vec<crate::Vector<f32, O>> = samples.iter().map(|x| self.predict(x)).collect();
        let output = FusedRelu::output::<crate::shape::Size<O>>(relu, &outputs);
        let rows = self.weights.as_rows();
        // The rescaling as TFLite's kernels derive it from the scales stored in the file.
        let (weight_scales, bias, rescale) =
            channel_parameters(|o| &rows[o][..], &self.bias, input, output);
        let weights =
            core::array::from_fn(|o| rows[o].map(|w| quantize_weight(w, weight_scales[o])));
        let (act_min, act_max) = FusedRelu::clamp(relu, output);
        let q = QDense {
            weights,
            bias,
            weight_scales,
            rescale,
            input,
            output,
            act_min,
            act_max,
            rounding: Rounding::Micro,
        };
        (q, outputs)
    }
}

impl<First, Second> Quantize for Chain<First, Second>
where
    First: Quantize,
    Second: Quantize<In = First::Out>,
    Chain<First, Second>: Layer<f32, In = First::In, Out = Second::Out>,
    Second::Quantized: QLayer<In = <First::Quantized as QLayer>::Out>,
{
    type Quantized = QChain<First::Quantized, Second::Quantized>;

    const LEADING_RELU: Option<FusedRelu> = First::LEADING_RELU;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, First::In>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, Second::Out>>) {
        let (a, hidden) = self.first(input, samples);
        let (b, outputs) = self.1.quantize_with(a.output_params(), &hidden);
        (QChain(a, b), outputs)
    }

    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, First::In>],
        relu: FusedRelu,
    ) -> (Self::Quantized, Vec<VectorOf<f32, Second::Out>>) {
        let (a, hidden) = self.first(input, samples);
        let (b, outputs) = self
            .1
            .quantize_before_relu(a.output_params(), &hidden, relu);
        (QChain(a, b), outputs)
    }
}

impl<First, Second> Chain<First, Second>
where
    First: Quantize,
    Second: Quantize<In = First::Out>,
{
    #[cfg(feature = "std")]
    /// The first layer, fusing the `Relu` the second part starts with.
    #[allow(clippy::type_complexity)]
    fn first(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, First::In>],
    ) -> (First::Quantized, Vec<VectorOf<f32, First::Out>>) {
        match Second::LEADING_RELU {
            Some(relu) => self.0.quantize_before_relu(input, samples, relu),
            None => self.0.quantize_with(input, samples),
        }
    }
}

#[cfg(feature = "std")]
/// The min/max of a set of float samples of port `P` (0 and 0 for none).
fn range_of<P: Port>(samples: &[VectorOf<f32, P>]) -> (f32, f32) {
    let (lo, hi) = samples
        .iter()
        .flat_map(|y| P::sample_slice(y).iter().copied())
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo.is_finite() { (lo, hi) } else { (0.0, 0.0) }
}

#[cfg(feature = "std")]
/// Symmetric int8 per output channel: `scale = max|w| / 127` (1 for an all-zero channel).
fn channel_scale(ws: &[f32]) -> f32 {
    let max = ws.iter().fold(0f32, |m, w| m.max(w.abs()));
    if max > 0.0 { max / 127.0 } else { 1.0 }
}

#[cfg(feature = "std")]
fn quantize_weight(w: f32, scale: f32) -> i8 {
    round_half_away(f64::from(w) / f64::from(scale)).clamp(-127.0, 127.0) as i8
}

#[cfg(feature = "std")]
fn quantize_bias(b: f32, input_scale: f32, weight_scale: f32) -> i32 {
    let q = round_half_away(f64::from(b) / f64::from(input_scale * weight_scale));
    q.clamp(f64::from(i32::MIN), f64::from(i32::MAX)) as i32
}

/// A `Softmax` over flat features: TFLite Micro's int8 `SOFTMAX` (output scale 1/256, zero
/// point −128).
impl<const N: usize> Quantize
    for crate::nn::ActivationLayer<crate::activation::Softmax, crate::shape::Size<N>>
{
    type Quantized = super::QSoftmax<N>;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[crate::Vector<f32, N>],
    ) -> (Self::Quantized, Vec<crate::Vector<f32, N>>) {
        let outputs = samples.iter().map(|x| self.predict(x)).collect();
        (super::QSoftmax::new(input, 1.0), outputs)
    }
}

/// The layers that keep the quantization and only need their ports in the int8 type:
/// `Quantize` for `$layer` as `$q`, given the input quantization.
macro_rules! pass_through {
    ($(#[$doc:meta])* [$($g:tt)*] $layer:ty => $q:ty, $make:expr $(; where $($w:tt)*)?) => {
        $(#[$doc])*
        impl<$($g)*> Quantize for $layer
        where
            $layer: Layer<f32>,
            $($($w)*)?
        {
            type Quantized = $q;

            #[cfg(feature = "std")]
            fn quantize_with(
                &self,
                input: QuantParams,
                samples: &[VectorOf<f32, Self::In>],
            ) -> (Self::Quantized, Vec<VectorOf<f32, Self::Out>>) {
                let outputs = samples.iter().map(|x| self.predict(x)).collect();
                let make: fn(QuantParams) -> $q = $make;
                (make(input), outputs)
            }
        }
    };
}

pass_through!(
    /// A `Flatten` of an image or a signal: TFLite's `RESHAPE`.
    [X: crate::shape::Plane] crate::nn::Flatten<X>
        => super::QFlatten<X, <Self as crate::nn::Shape>::Out>,
    |params| super::QFlatten { params, port: core::marker::PhantomData }
);
pass_through!(
    /// The mean of each channel of a signal: `AVERAGE_POOL_2D` over all its steps.
    [const C: usize, const L: usize] crate::nn::GlobalAvgPool1d<crate::shape::Signal<C, L>>
        => super::QGlobalAvgPool<C, crate::shape::Signal<C, L>>,
    |params| super::QGlobalAvgPool { params, port: core::marker::PhantomData }
);
pass_through!(
    /// The mean of each channel of an image: `AVERAGE_POOL_2D` over all its pixels.
    [const C: usize, const H: usize, const W: usize]
        crate::nn::GlobalAvgPool2d<crate::shape::Image<C, H, W>>
        => super::QGlobalAvgPool<C, crate::shape::Image<C, H, W>>,
    |params| super::QGlobalAvgPool { params, port: core::marker::PhantomData }
);
pass_through!(
    /// The per-sample int8 rounding of TFLite's hybrid kernels: nothing in an int8 network,
    /// whose layers quantize every activation.
    [P: Port] crate::nn::DynamicQuant<P> => super::QSkip<VectorOf<i8, P>>,
    |params| super::QSkip { params, sample: core::marker::PhantomData };
    where VectorOf<i8, P>: Clone
);

#[cfg(feature = "std")]
/// The per-output-channel parameters of a quantized dense or convolution layer: symmetric weight scales, int32
/// biases and the fixed-point rescaling `input_scale · weight_scale[o] / output_scale`, from
/// each channel's float weights (as one slice) and biases.
fn channel_parameters<'w, const O: usize>(
    channel: impl Fn(usize) -> &'w [f32],
    bias: &crate::Vector<f32, O>,
    input: QuantParams,
    output: QuantParams,
) -> ([f32; O], [i32; O], [Multiplier; O]) {
    let scales: [f32; O] = core::array::from_fn(|o| channel_scale(channel(o)));
    let biases = core::array::from_fn(|o| quantize_bias(bias[o], input.scale, scales[o]));
    let rescale =
        core::array::from_fn(|o| Multiplier::of_scales(input.scale, scales[o], output.scale));
    (scales, biases, rescale)
}

/// A convolution over an image or a signal (`X`), a `Relu` after it fused.
impl<const I: usize, const O: usize, K, S, P, G, X> Quantize
    for crate::nn::Conv2d<f32, I, O, K, S, P, X, G>
where
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: crate::nn::Connect,
    X: crate::shape::Planar<I>,
    X::Rows: FitRows<K, S, P>,
    X::Cols: FitCols<K, S, P>,
    Self: Layer<f32, In = X, Out = crate::shape::window::Slid<X, O, K, S, P>>,
{
    type Quantized = super::QConv2d<I, O, K, S, P, G, X, crate::shape::window::Slid<X, O, K, S, P>>;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, X>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, Self::Out>>) {
        self.quantize_conv(input, samples, None)
    }

    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, X>],
        relu: FusedRelu,
    ) -> (Self::Quantized, Vec<VectorOf<f32, Self::Out>>) {
        self.quantize_conv(input, samples, Some(relu))
    }
}

impl<const I: usize, const O: usize, K, S, P, G, X> crate::nn::Conv2d<f32, I, O, K, S, P, X, G>
where
    K: KernelSize,
    S: Strides,
    P: Padding,
    G: crate::nn::Connect,
    X: crate::shape::Planar<I>,
    X::Rows: FitRows<K, S, P>,
    X::Cols: FitCols<K, S, P>,
    Self: Layer<f32, In = X, Out = crate::shape::window::Slid<X, O, K, S, P>>,
{
    #[cfg(feature = "std")]
    /// The int8 convolution, its outputs clamped by the `Relu` that follows (if one does).
    #[allow(clippy::type_complexity)]
    fn quantize_conv(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, X>],
        relu: Option<FusedRelu>,
    ) -> (
        <Self as Quantize>::Quantized,
        Vec<VectorOf<f32, <Self as crate::nn::Shape>::Out>>,
    ) {
        let outputs: Vec<_> = samples.iter().map(|x| self.predict(x)).collect();
        let output = FusedRelu::output::<<Self as crate::nn::Shape>::Out>(relu, &outputs);
        let taps = self.weight_slice().len() / O;
        let (weight_scales, bias, rescale) = channel_parameters(
            |o| &self.weight_slice()[o * taps..(o + 1) * taps],
            &self.bias,
            input,
            output,
        );
        let mut weight = G::weight::<i8, K, I, O>(0);
        let flat = G::flat_mut::<i8, K, I, O>(&mut weight);
        // TFLite's order ([out][ky][kx][in]; [ky][kx][channel] depthwise) from typegrad's.
        let ws = self.weight_slice();
        for (n, q) in flat.iter_mut().enumerate() {
            let m = super::conv2d_index::<K, G, I, O>(n);
            if let (Some(&w), Some(&s)) = (ws.get(m), weight_scales.get(m / taps.max(1))) {
                *q = quantize_weight(w, s);
            }
        }
        let (act_min, act_max) = FusedRelu::clamp(relu, output);
        let q = super::QConv2d {
            weight,
            bias,
            weight_scales,
            rescale,
            input,
            output,
            act_min,
            act_max,
            port: core::marker::PhantomData,
        };
        (q, outputs)
    }
}

pass_through!(
    /// Max pooling keeps the quantization: TFLite's `MAX_POOL_2D`.
    [K: KernelSize, S: Strides, P: crate::shape::window::PoolPadding, X: crate::shape::Plane]
        crate::nn::MaxPool2d<K, S, P, X>
        => super::QMaxPool2d<K, S, P, X, crate::shape::window::Pooled<X, K, S, P>>,
    |params| super::QMaxPool2d { params, port: core::marker::PhantomData };
    where X::Rows: FitRows<K, S, P>, X::Cols: FitCols<K, S, P>,
);
pass_through!(
    /// Average pooling keeps the quantization (TFLite's `AVERAGE_POOL_2D` requires it).
    [K: KernelSize, S: Strides, P: crate::shape::window::PoolPadding, X: crate::shape::Plane]
        crate::nn::AvgPool2d<K, S, P, X>
        => super::QAvgPool2d<K, S, P, X, crate::shape::window::Pooled<X, K, S, P>>,
    |params| super::QAvgPool2d { params, port: core::marker::PhantomData };
    where X::Rows: FitRows<K, S, P>, X::Cols: FitCols<K, S, P>,
);

/// A residual block `x + F(x)`: `F` quantized, the sum TFLite's int8 `ADD` of `F`'s output
/// and the block's input (a `Relu` after the block fused into the `ADD`).
impl<F, P> Quantize for crate::nn::Residual<F, P>
where
    P: Port,
    F: Quantize<In = P, Out = P>,
    F::Quantized: QLayer<In = VectorOf<i8, P>, Out = VectorOf<i8, P>>,
    VectorOf<i8, P>: super::QSample + Clone,
    crate::nn::Residual<F, P>: Layer<f32, In = P, Out = P>,
{
    type Quantized = super::QSum<F::Quantized, super::QIdentity<VectorOf<i8, P>>>;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, P>>) {
        self.quantize_sum(input, samples, None)
    }

    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
        relu: FusedRelu,
    ) -> (Self::Quantized, Vec<VectorOf<f32, P>>) {
        self.quantize_sum(input, samples, Some(relu))
    }
}

impl<F, P> crate::nn::Residual<F, P>
where
    P: Port,
    F: Quantize<In = P, Out = P>,
    F::Quantized: QLayer<In = VectorOf<i8, P>, Out = VectorOf<i8, P>>,
    VectorOf<i8, P>: super::QSample + Clone,
    crate::nn::Residual<F, P>: Layer<f32, In = P, Out = P>,
{
    #[cfg(feature = "std")]
    #[allow(clippy::type_complexity)]
    fn quantize_sum(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
        relu: Option<FusedRelu>,
    ) -> (
        super::QSum<F::Quantized, super::QIdentity<VectorOf<i8, P>>>,
        Vec<VectorOf<f32, P>>,
    ) {
        let (block, _) = self.0.quantize_with(input, samples);
        let shortcut = super::QIdentity {
            params: input,
            sample: core::marker::PhantomData,
        };
        let outputs: Vec<_> = samples.iter().map(|x| self.predict(x)).collect();
        let add = add_params::<P>(block.output_params(), input, &outputs, relu);
        (
            super::QSum {
                block,
                shortcut,
                add,
            },
            outputs,
        )
    }
}

/// A block with a projection shortcut `F(x) + S(x)`: both branches quantized, the sum
/// TFLite's int8 `ADD` (a `Relu` after it fused into the `ADD`).
impl<F, S, P> Quantize for crate::nn::Projected<F, S, P>
where
    P: Port,
    F: Quantize<In = P>,
    S: Quantize<In = P, Out = F::Out>,
    F::Quantized: QLayer<Out = VectorOf<i8, F::Out>>,
    S::Quantized: QLayer<In = <F::Quantized as QLayer>::In, Out = VectorOf<i8, F::Out>>,
    VectorOf<i8, F::Out>: super::QSample,
    crate::nn::Projected<F, S, P>: Layer<f32, In = P, Out = F::Out>,
{
    type Quantized = super::QSum<F::Quantized, S::Quantized>;

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, F::Out>>) {
        self.quantize_sum(input, samples, None)
    }

    #[cfg(feature = "std")]
    fn quantize_before_relu(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
        relu: FusedRelu,
    ) -> (Self::Quantized, Vec<VectorOf<f32, F::Out>>) {
        self.quantize_sum(input, samples, Some(relu))
    }
}

impl<F, S, P> crate::nn::Projected<F, S, P>
where
    P: Port,
    F: Quantize<In = P>,
    S: Quantize<In = P, Out = F::Out>,
    F::Quantized: QLayer<Out = VectorOf<i8, F::Out>>,
    S::Quantized: QLayer<In = <F::Quantized as QLayer>::In, Out = VectorOf<i8, F::Out>>,
    VectorOf<i8, F::Out>: super::QSample,
    crate::nn::Projected<F, S, P>: Layer<f32, In = P, Out = F::Out>,
{
    #[cfg(feature = "std")]
    #[allow(clippy::type_complexity)]
    fn quantize_sum(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
        relu: Option<FusedRelu>,
    ) -> (
        super::QSum<F::Quantized, S::Quantized>,
        Vec<VectorOf<f32, F::Out>>,
    ) {
        let (block, _) = self.block().quantize_with(input, samples);
        let (shortcut, _) = self.shortcut().quantize_with(input, samples);
        let outputs: Vec<_> = samples.iter().map(|x| self.predict(x)).collect();
        let add = add_params::<F::Out>(
            block.output_params(),
            shortcut.output_params(),
            &outputs,
            relu,
        );
        (
            super::QSum {
                block,
                shortcut,
                add,
            },
            outputs,
        )
    }
}

#[cfg(feature = "std")]
/// The `ADD` of `a` and `b` into an output calibrated on the float sums (clamped by a fused
/// `relu`).
fn add_params<P: Port>(
    a: QuantParams,
    b: QuantParams,
    outputs: &[VectorOf<f32, P>],
    relu: Option<FusedRelu>,
) -> super::QAddParams {
    let output = FusedRelu::output::<P>(relu, outputs);
    let (act_min, act_max) = FusedRelu::clamp(relu, output);
    super::QAddParams::new(a, b, output, act_min, act_max)
}

/// A standalone `Relu` on any port: fused into the layer before it when that layer can take
/// it (see [`Quantize::quantize_before_relu`]; then it clamps nothing and is not written),
/// else TFLite Micro's int8 `RELU` (`QClamp` from the zero point).
impl<P: Port> Quantize for crate::nn::ActivationLayer<Relu, P>
where
    crate::nn::ActivationLayer<Relu, P>: Layer<f32, In = P, Out = P>,
    VectorOf<i8, P>: super::QSample + Clone,
{
    type Quantized = super::QClamp<VectorOf<i8, P>, Relu>;

    const LEADING_RELU: Option<FusedRelu> = Some(FusedRelu { cap: None });

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, P>>) {
        let outputs = samples.iter().map(|x| self.predict(x)).collect();
        (standalone_clamp(input, None), outputs)
    }
}

/// A standalone `Relu6` on any port, as a `Relu` (TFLite Micro's int8 `RELU6`: `QClamp`
/// between the zero point and `zero_point + round(6 / scale)`).
impl<P: Port> Quantize for crate::nn::ActivationLayer<crate::activation::Relu6, P>
where
    crate::nn::ActivationLayer<crate::activation::Relu6, P>: Layer<f32, In = P, Out = P>,
    VectorOf<i8, P>: super::QSample + Clone,
{
    type Quantized = super::QClamp<VectorOf<i8, P>, crate::activation::Relu6>;

    const LEADING_RELU: Option<FusedRelu> = Some(FusedRelu { cap: Some(6.0) });

    #[cfg(feature = "std")]
    fn quantize_with(
        &self,
        input: QuantParams,
        samples: &[VectorOf<f32, P>],
    ) -> (Self::Quantized, Vec<VectorOf<f32, P>>) {
        let outputs = samples.iter().map(|x| self.predict(x)).collect();
        (standalone_clamp(input, Some(6.0)), outputs)
    }
}

#[cfg(feature = "std")]
/// The int8 clamp of a standalone ReLU (capped at `cap`) whose input is quantized as `input`.
fn standalone_clamp<X, A>(input: QuantParams, cap: Option<f32>) -> super::QClamp<X, A> {
    let (lo, hi) = clamp_of(input, true, cap);
    super::QClamp {
        params: input,
        lo,
        hi,
        sample: core::marker::PhantomData,
    }
}
