//! [`Conv1d`]: a 1-D convolution over channels × steps (PyTorch's `nn.Conv1d` with dilation 1
//! and one group), its output length computed by the type system.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::kernels::{self, Window1d};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, Place, ScalarOf, Shape, TensorSpec, Unplaced};
use crate::shape::{BatchOf, Fits, Port, Signal, Size, VectorOf, Window, Windowed};
use crate::tensor::SignalBatch;
use crate::{Matrix, Real, Scalar, Vector};

/// The walks of [`Parameters`] for a layer whose tensors are a `weight` (seen through its
/// `weight_slice` / `weight_slice_mut` methods) and a `bias` vector, in that order.
macro_rules! weight_bias_walks {
    ($t:ident) => {
        fn visit(&self, f: &mut impl FnMut(&[$t])) {
            f(self.weight_slice());
            f(self.bias.as_slice());
        }

        fn visit_mut(&mut self, f: &mut impl FnMut(&mut [$t])) {
            f(self.weight_slice_mut());
            f(self.bias.as_mut_slice());
        }

        fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[$t], &[$t])) {
            f(self.weight_slice(), other.weight_slice());
            f(self.bias.as_slice(), other.bias.as_slice());
        }

        fn walk<const N: usize>(
            &mut self,
            grads: &Self,
            mut state: [&mut Self; N],
            f: &mut impl FnMut(&mut [$t], &[$t], [&mut [$t]; N]),
        ) {
            let weight = state.each_mut().map(|s| s.weight_slice_mut());
            f(self.weight_slice_mut(), grads.weight_slice(), weight);
            let bias = state.map(|s| s.bias.as_mut_slice());
            f(self.bias.as_mut_slice(), grads.bias.as_slice(), bias);
        }
    };
}
pub(crate) use weight_bias_walks;

/// A 1-D convolution from `I` channels to `O` channels with a kernel of `K` steps, stride `S`
/// (default 1) and `P` zeros of padding on each side (default 0):
///
/// `y[o][t] = bias[o] + Σ_c Σ_k weight[o][c][k] · x[c][t·S + k − P]`
///
/// over `L` input steps, giving `(L + 2P − K) / S + 1` output steps. Listed in a network as
/// `Conv1d<f32, 6, 16, 5>` (after a layer with `Signal<6, L>` outputs, or after
/// [`Input<Signal<6, L>>`](crate::nn::Input)); placed there it is
/// `Conv1d<f32, 6, 16, 5, 1, 0, Signal<6, L>>` and its output length is computed by the type
/// system, so the `Flatten`/`Dense` after it must take exactly what it gives. A kernel longer
/// than its padded input does not compile (`a window of 7 steps (stride 1) does not fit
/// Size<5> padded by 0 on each side`).
///
/// The weight is laid out as PyTorch's (`weight [out, in, k]`, NCL inputs), so weights move
/// between the two unchanged. Gradients: `∂L/∂weight[o][c][k] = Σ_t ∂L/∂y[o][t] · x[c][t·S +
/// k − P]`, `∂L/∂bias[o] = Σ_t ∂L/∂y[o][t]`, `∂L/∂x[c][j] = Σ ∂L/∂y[o][t] · weight[o][c][k]`
/// over the `(o, t, k)` with `t·S + k − P = j`. No activation: put one after it (`Relu`).
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de> + crate::Scalar"
    ))
)]
pub struct Conv1d<
    T,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize = 1,
    const P: usize = 0,
    At = Unplaced,
> {
    /// `weight[o][c][k]`: output channel, input channel, tap (PyTorch's `[out, in, k]`).
    #[cfg_attr(
        feature = "serde",
        serde(with = "crate::interop::serde_impls::weight3")
    )]
    pub weight: [[[T; K]; I]; O],
    /// One bias per output channel.
    pub bias: Vector<T, O>,
    #[cfg_attr(feature = "serde", serde(skip))]
    at: PhantomData<fn() -> At>,
}

impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    Conv1d<T, I, O, K, S, P, At>
{
    /// A convolution with the given weight (`[out][in][k]`) and bias.
    pub const fn new(weight: [[[T; K]; I]; O], bias: Vector<T, O>) -> Self {
        Self {
            weight,
            bias,
            at: PhantomData,
        }
    }

    /// The weight as one slice, `[out, in, k]` row-major.
    pub fn weight_slice(&self) -> &[T] {
        self.weight.as_flattened().as_flattened()
    }

    fn weight_slice_mut(&mut self) -> &mut [T] {
        self.weight.as_flattened_mut().as_flattened_mut()
    }

    /// The same weights at another place in a network.
    pub const fn placed<At2>(self) -> Conv1d<T, I, O, K, S, P, At2> {
        Conv1d::new(self.weight, self.bias)
    }
}

impl<T: Copy, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    Clone for Conv1d<T, I, O, K, S, P, At>
{
    fn clone(&self) -> Self {
        *self
    }
}

impl<T: Copy, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    Copy for Conv1d<T, I, O, K, S, P, At>
{
}

impl<
    T: PartialEq,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    At,
> PartialEq for Conv1d<T, I, O, K, S, P, At>
{
    fn eq(&self, other: &Self) -> bool {
        self.weight == other.weight && self.bias == other.bias
    }
}

impl<
    T: core::fmt::Debug,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    At,
> core::fmt::Debug for Conv1d<T, I, O, K, S, P, At>
{
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Conv1d")
            .field("weight", &self.weight)
            .field("bias", &self.bias)
            .finish()
    }
}

impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    Default for Conv1d<T, I, O, K, S, P, At>
{
    fn default() -> Self {
        Self::new([[[T::zero(); K]; I]; O], Vector::zeros())
    }
}

impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    ScalarOf for Conv1d<T, I, O, K, S, P, At>
{
    type Scalar = T;
}

impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
    Parameters<T> for Conv1d<T, I, O, K, S, P, At>
{
    const PARAMS: usize = O * I * K + O;
    const TENSORS: usize = 2;

    fn param_spec(k: usize) -> Option<TensorSpec> {
        match k {
            0 => Some(TensorSpec::parameter("weight", &[O, I, K])),
            1 => Some(TensorSpec::parameter("bias", &[O])),
            _ => None,
        }
    }

    fn zeros_like(&self) -> Self {
        Self::default()
    }

    weight_bias_walks!(T);
}

/// Placed after `C` channels of `L` steps, the convolution takes `I` channels of `L` steps
/// (the wiring check compares `C` with `I`); after another kind of port, a stand-in that the
/// check reports.
#[diagnostic::do_not_recommend]
impl<T, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, In: Port>
    Place<In> for Conv1d<T, I, O, K, S, P, Unplaced>
where
    Conv1d<T, I, O, K, S, P, In::AsSignal<I>>: Shape,
{
    type Layer = Conv1d<T, I, O, K, S, P, In::AsSignal<I>>;
}

impl<
    T,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const L: usize,
> Shape for Conv1d<T, I, O, K, S, P, Signal<I, L>>
where
    Size<L>: Window<K, S, P>,
{
    type In = Signal<I, L>;
    type Out = Windowed<O, L, K, S, P>;
    const MISTAKE: Mistake = Mistake::window(K, S, L, P, 0);
}

impl<
    T: Real,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const L: usize,
> Conv1d<T, I, O, K, S, P, Signal<I, L>>
where
    Size<L>: Window<K, S, P> + Fits<K, S, P>,
{
    /// The sizes the kernels work with.
    const WINDOW: Window1d = Window1d {
        channels_in: I,
        channels_out: O,
        length: L,
        kernel: K,
        stride: S,
        padding: P,
        out_len: <Windowed<O, L, K, S, P> as Port>::DIMS[1],
    };
    /// Numbers per output sample.
    const OUT: usize = <Windowed<O, L, K, S, P> as Port>::N;

    fn backward_samples<const B: usize>(
        &self,
        x: &SignalBatch<T, B, I, L>,
        dy: &BatchOf<T, B, Windowed<O, L, K, S, P>>,
        grads: &mut Self,
        store: Grads,
        mut dx: Option<&mut SignalBatch<T, B, I, L>>,
    ) {
        if store == Grads::Overwrite {
            *grads = Self::default();
        }
        let (n_in, n_out) = (I * L, Self::OUT);
        let (xs, dys) = (
            x.as_slice(),
            <Windowed<O, L, K, S, P> as Port>::batch_slice(dy),
        );
        let Self { weight, bias, .. } = grads;
        let (dw, db) = (
            weight.as_flattened_mut().as_flattened_mut(),
            bias.as_mut_slice(),
        );
        for s in 0..B {
            let dx_s = dx
                .as_deref_mut()
                .map(|dx| &mut dx.as_mut_slice()[s * n_in..(s + 1) * n_in]);
            kernels::conv1d_backward(
                &Self::WINDOW,
                &xs[s * n_in..(s + 1) * n_in],
                self.weight_slice(),
                &dys[s * n_out..(s + 1) * n_out],
                dw,
                db,
                dx_s,
            );
        }
    }
}

impl<
    T: Real,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize,
    const P: usize,
    const L: usize,
> Layer<T> for Conv1d<T, I, O, K, S, P, Signal<I, L>>
where
    Size<L>: Window<K, S, P> + Fits<K, S, P>,
{
    type Cache<const B: usize> = BatchOf<T, B, Windowed<O, L, K, S, P>>;

    /// Weights drawn with fan-in `I·K` and fan-out `O·K` (PyTorch's fans for a convolution);
    /// biases zero.
    fn init(&mut self, rng: &mut Rng, init: Init) {
        for w in self.weight_slice_mut() {
            *w = init.sample(rng, I * K, O * K);
        }
        self.bias = Vector::zeros();
    }

    fn predict(&self, x: &Matrix<T, I, L>) -> VectorOf<T, Self::Out> {
        let mut y = <Self::Out as Port>::sample(|_| T::zero());
        kernels::conv1d(
            &Self::WINDOW,
            x.as_slice(),
            self.weight_slice(),
            self.bias.as_slice(),
            <Self::Out as Port>::sample_slice_mut(&mut y),
        );
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        <Self::Out as Port>::batch(|_, _| T::zero())
    }

    fn forward_train<const B: usize>(&self, x: &SignalBatch<T, B, I, L>, y: &mut Self::Cache<B>) {
        let (n_in, n_out) = (I * L, Self::OUT);
        let (xs, ys) = (x.as_slice(), <Self::Out as Port>::batch_slice_mut(y));
        for s in 0..B {
            kernels::conv1d(
                &Self::WINDOW,
                &xs[s * n_in..(s + 1) * n_in],
                self.weight_slice(),
                self.bias.as_slice(),
                &mut ys[s * n_out..(s + 1) * n_out],
            );
        }
    }

    fn output<const B: usize>(y: &Self::Cache<B>) -> &Self::Cache<B> {
        y
    }

    fn backward<const B: usize>(
        &self,
        x: &SignalBatch<T, B, I, L>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
        dx: &mut SignalBatch<T, B, I, L>,
    ) {
        self.backward_samples(x, dy, grads, store, Some(dx));
    }

    fn backward_params<const B: usize>(
        &self,
        x: &SignalBatch<T, B, I, L>,
        _: &mut Self::Cache<B>,
        dy: &Self::Cache<B>,
        grads: &mut Self,
        store: Grads,
    ) {
        self.backward_samples(x, dy, grads, store, None);
    }
}
