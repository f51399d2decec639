//! [`Conv2d`]: a 2-D convolution over channels × rows × columns (PyTorch's `nn.Conv2d` with a
//! square kernel, the same stride and padding on both axes, dilation 1, one group), its output
//! size computed by the type system.

use core::marker::PhantomData;

use crate::init::{Init, Rng};
use crate::kernels::{self, Window2d};
use crate::nn::wiring::Mistake;
use crate::nn::{Grads, Layer, Parameters, Place, ScalarOf, Shape, TensorSpec, Unplaced};
use crate::shape::{BatchOf, Fits, Image, Port, Size, VectorOf, Window, Windowed2};
use crate::tensor::{ImageBatch, Planes};
use crate::{Real, Scalar, Vector};

/// A 2-D convolution from `I` channels to `O` channels with a `K × K` kernel, stride `S`
/// (default 1) and `P` zeros of padding on every side (default 0):
///
/// `y[o][i][j] = bias[o] + Σ_c Σ_ky Σ_kx weight[o][c][ky][kx] · x[c][i·S + ky − P][j·S + kx − P]`
///
/// over an `H × W` input, giving `(H + 2P − K) / S + 1` rows and `(W + 2P − K) / S + 1`
/// columns. Listed as `Conv2d<f32, 1, 8, 3, 1, 1>` after `Image<1, H, W>` outputs (or
/// [`Input`](crate::nn::Input)); placed there it is `Conv2d<f32, 1, 8, 3, 1, 1, Image<1, H, W>>`.
/// A kernel larger than its padded input is reported by `network!` as for [`Conv1d`](super::Conv1d).
///
/// Weight laid out as PyTorch's (`weight [out, in, kh, kw]`, NCHW inputs). Gradients as for
/// `Conv1d`, summed over both axes. No activation: put one after it.
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(
    feature = "serde",
    serde(bound(
        serialize = "T: serde::Serialize",
        deserialize = "T: serde::Deserialize<'de> + crate::Scalar"
    ))
)]
pub struct Conv2d<
    T,
    const I: usize,
    const O: usize,
    const K: usize,
    const S: usize = 1,
    const P: usize = 0,
    At = Unplaced,
> {
    /// `weight[o][c][ky][kx]` (PyTorch's `[out, in, kh, kw]`).
    #[cfg_attr(
        feature = "serde",
        serde(with = "crate::interop::serde_impls::weight3::four")
    )]
    pub weight: [[[[T; K]; K]; I]; O],
    /// One bias per output channel.
    pub bias: Vector<T, O>,
    #[cfg_attr(feature = "serde", serde(skip))]
    at: PhantomData<fn() -> At>,
}

macro_rules! conv2d_generics {
    ($($item:item)*) => {$(
        $item
    )*};
}

conv2d_generics! {
    impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        Conv2d<T, I, O, K, S, P, At>
    {
        /// A convolution with the given weight (`[out][in][kh][kw]`) and bias.
        pub const fn new(weight: [[[[T; K]; K]; I]; O], bias: Vector<T, O>) -> Self {
            Self { weight, bias, at: PhantomData }
        }

        /// The weight as one slice, `[out, in, kh, kw]` row-major.
        pub fn weight_slice(&self) -> &[T] {
            self.weight.as_flattened().as_flattened().as_flattened()
        }

        fn weight_slice_mut(&mut self) -> &mut [T] {
            self.weight.as_flattened_mut().as_flattened_mut().as_flattened_mut()
        }

        /// The same weights at another place in a network.
        pub const fn placed<At2>(self) -> Conv2d<T, I, O, K, S, P, At2> {
            Conv2d::new(self.weight, self.bias)
        }
    }

    impl<T: Copy, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        Clone for Conv2d<T, I, O, K, S, P, At>
    {
        fn clone(&self) -> Self {
            *self
        }
    }

    impl<T: Copy, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        Copy for Conv2d<T, I, O, K, S, P, At>
    {
    }

    impl<T: PartialEq, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        PartialEq for Conv2d<T, I, O, K, S, P, At>
    {
        fn eq(&self, other: &Self) -> bool {
            self.weight == other.weight && self.bias == other.bias
        }
    }

    impl<T: core::fmt::Debug, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        core::fmt::Debug for Conv2d<T, I, O, K, S, P, At>
    {
        fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
            f.debug_struct("Conv2d").field("weight", &self.weight).field("bias", &self.bias).finish()
        }
    }

    impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        Default for Conv2d<T, I, O, K, S, P, At>
    {
        fn default() -> Self {
            Self::new([[[[T::zero(); K]; K]; I]; O], Vector::zeros())
        }
    }

    impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        ScalarOf for Conv2d<T, I, O, K, S, P, At>
    {
        type Scalar = T;
    }

    impl<T: Scalar, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, At>
        Parameters<T> for Conv2d<T, I, O, K, S, P, At>
    {
        const PARAMS: usize = O * I * K * K + O;
        const TENSORS: usize = 2;

        fn param_spec(k: usize) -> Option<TensorSpec> {
            match k {
                0 => Some(TensorSpec::parameter("weight", &[O, I, K, K])),
                1 => Some(TensorSpec::parameter("bias", &[O])),
                _ => None,
            }
        }

        fn zeros_like(&self) -> Self {
            Self::default()
        }

        super::conv::weight_bias_walks!(T);
    }

    /// Placed after `C` channels of `H × W`, the convolution takes `I` channels of `H × W`
    /// (after another kind of port, a stand-in that the wiring check reports).
    #[diagnostic::do_not_recommend]
    impl<T, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, In: Port>
        Place<In> for Conv2d<T, I, O, K, S, P, Unplaced>
    where
        Conv2d<T, I, O, K, S, P, In::AsImage<I>>: Shape,
    {
        type Layer = Conv2d<T, I, O, K, S, P, In::AsImage<I>>;
    }

    impl<T, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, const H: usize, const W: usize>
        Shape for Conv2d<T, I, O, K, S, P, Image<I, H, W>>
    where
        Size<H>: Window<K, S, P>,
        Size<W>: Window<K, S, P>,
    {
        type In = Image<I, H, W>;
        type Out = Windowed2<O, H, W, K, S, P>;
        const MISTAKE: Mistake = misfit2(K, S, H, W, P);
    }

    impl<T: Real, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, const H: usize, const W: usize>
        Conv2d<T, I, O, K, S, P, Image<I, H, W>>
    where
        Size<H>: Window<K, S, P> + Fits<K, S, P>,
        Size<W>: Window<K, S, P> + Fits<K, S, P>,
    {
        const WINDOW: Window2d = Window2d {
            channels_in: I,
            channels_out: O,
            height: H,
            width: W,
            kernel: K,
            stride: S,
            padding: P,
            out_h: <Windowed2<O, H, W, K, S, P> as Port>::DIMS[1],
            out_w: <Windowed2<O, H, W, K, S, P> as Port>::DIMS[2],
        };
        const OUT: usize = <Windowed2<O, H, W, K, S, P> as Port>::N;

        fn backward_samples<const B: usize>(
            &self,
            x: &ImageBatch<T, B, I, H, W>,
            dy: &BatchOf<T, B, Windowed2<O, H, W, K, S, P>>,
            grads: &mut Self,
            store: Grads,
            mut dx: Option<&mut ImageBatch<T, B, I, H, W>>,
        ) {
            if store == Grads::Overwrite {
                *grads = Self::default();
            }
            let (n_in, n_out) = (I * H * W, Self::OUT);
            let (xs, dys) = (x.as_slice(), <Windowed2<O, H, W, K, S, P> as Port>::batch_slice(dy));
            let Self { weight, bias, .. } = grads;
            let dw = weight.as_flattened_mut().as_flattened_mut().as_flattened_mut();
            let db = bias.as_mut_slice();
            for s in 0..B {
                let dx_s = dx.as_deref_mut().map(|dx| &mut dx.as_mut_slice()[s * n_in..(s + 1) * n_in]);
                kernels::conv2d_backward(
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

    impl<T: Real, const I: usize, const O: usize, const K: usize, const S: usize, const P: usize, const H: usize, const W: usize>
        Layer<T> for Conv2d<T, I, O, K, S, P, Image<I, H, W>>
    where
        Size<H>: Window<K, S, P> + Fits<K, S, P>,
        Size<W>: Window<K, S, P> + Fits<K, S, P>,
    {
        type Cache<const B: usize> = BatchOf<T, B, Windowed2<O, H, W, K, S, P>>;

        /// Weights drawn with fan-in `I·K²` and fan-out `O·K²`; biases zero.
        fn init(&mut self, rng: &mut Rng, init: Init) {
            for w in self.weight_slice_mut() {
                *w = init.sample(rng, I * K * K, O * K * K);
            }
            self.bias = Vector::zeros();
        }

        fn predict(&self, x: &Planes<T, I, H, W>) -> VectorOf<T, Self::Out> {
            let mut y = <Self::Out as Port>::sample(|_| T::zero());
            kernels::conv2d(
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

        fn forward_train<const B: usize>(&self, x: &ImageBatch<T, B, I, H, W>, y: &mut Self::Cache<B>) {
            let (n_in, n_out) = (I * H * W, Self::OUT);
            let (xs, ys) = (x.as_slice(), <Self::Out as Port>::batch_slice_mut(y));
            for s in 0..B {
                kernels::conv2d(
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
            x: &ImageBatch<T, B, I, H, W>,
            _: &mut Self::Cache<B>,
            dy: &Self::Cache<B>,
            grads: &mut Self,
            store: Grads,
            dx: &mut ImageBatch<T, B, I, H, W>,
        ) {
            self.backward_samples(x, dy, grads, store, Some(dx));
        }

        fn backward_params<const B: usize>(
            &self,
            x: &ImageBatch<T, B, I, H, W>,
            _: &mut Self::Cache<B>,
            dy: &Self::Cache<B>,
            grads: &mut Self,
            store: Grads,
        ) {
            self.backward_samples(x, dy, grads, store, None);
        }
    }
}

/// [`Shape::MISTAKE`] of a square window over `H × W`: the rows, then the columns.
pub(crate) const fn misfit2(k: usize, s: usize, h: usize, w: usize, p: usize) -> Mistake {
    Mistake::window(k, s, h, p, 1).or(Mistake::window(k, s, w, p, 2))
}
