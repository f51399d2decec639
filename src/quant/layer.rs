//! [`QLayer`]: an int8 network or layer, and [`QChain`]: two in a row.
//!
//! Inside a network, int8 activations are held in TFLite's NHWC order (row, column, channel:
//! a pixel's channels side by side, as TFLite Micro and CMSIS-NN hold them, so the kernels
//! load them a word at a time); the samples a caller hands [`QLayer::predict`] and gets back
//! are in typegrad's order (channel, row, column), converted once at each end.

use super::arena::{ArenaError, Buffers};
use super::arith::{QuantParams, Rounding};
use super::sample::QSample;

/// A quantized network or layer: int8 in, int8 out, integer arithmetic only.
pub trait QLayer {
    /// What it takes: the float network's sample type with `i8` values (`Vector<i8, I>`,
    /// `Matrix<i8, C, L>`, `Planes<i8, C, H, W>`).
    type In: QSample;
    /// What it gives.
    type Out: QSample;
    /// The quantization of its input.
    fn input_params(&self) -> QuantParams;
    /// The quantization of its output.
    fn output_params(&self) -> QuantParams;

    /// The layer on activations in NHWC order: `x` holds the input's
    /// [`LEN`](QSample::LEN) values, `y` receives the output's (slices of other lengths
    /// compute on what is there).
    fn apply(&self, x: &[i8], y: &mut [i8]);

    /// The output for one input, both with values in NHWC order (the order inside a
    /// network; [`predict`](QLayer::predict) converts from and to typegrad's).
    fn forward(&self, x: &Self::In) -> Self::Out {
        let mut y = Self::Out::zeros();
        self.apply(x.values(), y.values_mut());
        y
    }

    /// The output for one input, with integer operations only. Every layer's output lives
    /// until the last layer is done (on the host's stack); firmware runs in a fixed arena
    /// with [`predict_in`](QLayer::predict_in).
    fn predict(&self, x: &Self::In) -> Self::Out {
        Self::Out::read_nhwc(self.forward(&x.to_nhwc()).values())
    }

    /// Runs on the input in buffer `from` (NHWC) and returns the buffer holding the output:
    /// another one, never one marked in `keep` (bit `k` for buffer `k`: an input a later
    /// layer still reads), or `from` itself for a layer that computes nothing.
    ///
    /// # Errors
    /// [`ArenaError::NoFreeBuffer`] when every other buffer is kept.
    fn run(&self, bufs: &mut Buffers<'_>, from: usize, keep: u32) -> Result<usize, ArenaError> {
        let to = bufs.free(from, keep)?;
        let (x, y) = bufs.pair(from, Self::In::LEN, to, Self::Out::LEN);
        self.apply(x, y);
        Ok(to)
    }

    /// [`predict`](QLayer::predict) in the caller's `arena` (at least
    /// [`ARENA_BYTES`](QLayer::ARENA_BYTES), e.g. a `static` `[i8; <Net as
    /// QLayer>::ARENA_BYTES]`): the activations live there, nothing else but the input and
    /// the output is kept.
    ///
    /// # Errors
    /// [`ArenaError::TooSmall`] for a shorter arena, [`ArenaError::TooDeep`] for residual
    /// blocks nested beyond [`MAX_BUFFERS`](super::arena::MAX_BUFFERS).
    fn predict_in(&self, x: &Self::In, arena: &mut [i8]) -> Result<Self::Out, ArenaError> {
        let mut bufs = Buffers::for_network::<Self>(arena)?;
        x.write_nhwc(bufs.get_mut(0));
        let k = self.run(&mut bufs, 0, 0)?;
        Ok(Self::Out::read_nhwc(bufs.get(k)))
    }

    /// One inference in the caller's `arena` with no copy at either end: `fill` writes the
    /// input's [`LEN`](QSample::LEN) values in NHWC order straight into the arena, and the
    /// output's NHWC values are returned where the last layer wrote them (firmware reads a
    /// sensor into the first and takes the argmax of the second).
    ///
    /// # Errors
    /// As [`predict_in`](QLayer::predict_in).
    fn run_in<'a>(
        &self,
        arena: &'a mut [i8],
        fill: impl FnOnce(&mut [i8]),
    ) -> Result<&'a [i8], ArenaError> {
        let mut bufs = Buffers::for_network::<Self>(arena)?;
        fill(bufs.get_mut(0).get_mut(..Self::In::LEN).unwrap_or(&mut []));
        let k = self.run(&mut bufs, 0, 0)?;
        let y = bufs.into_buffer(k);
        Ok(y.get(..Self::Out::LEN).unwrap_or(y))
    }

    /// The same network with its layers' rescaling as `rounding`'s runtime does it (only
    /// [`QDense`](super::QDense) depends on it; see [`Rounding`]).
    fn with_rounding(self, rounding: Rounding) -> Self
    where
        Self: Sized,
    {
        let _ = rounding;
        self
    }

    /// A float sample quantized as this network takes it (with its
    /// [`input_params`](QLayer::input_params)): `q.predict(&q.quantize_input(&x))` runs an
    /// `f32` sample.
    fn quantize_input(&self, x: &<Self::In as QSample>::Real) -> Self::In {
        Self::In::quantize(x, self.input_params())
    }

    /// An output as the real values it stands for (with its
    /// [`output_params`](QLayer::output_params)).
    fn dequantize_output(&self, y: &Self::Out) -> <Self::Out as QSample>::Real {
        y.dequantize(self.output_params())
    }

    /// Bytes of one activation buffer: the largest activation of the network, its input
    /// and output included.
    const BUFFER_BYTES: usize = max(Self::In::LEN, Self::Out::LEN);

    /// Activation buffers [`run`](QLayer::run) needs when its input is one of them: 2 for a
    /// layer or a chain (one read, one written), one more for each level of residual
    /// blocks (their input is kept for the shortcut), 1 for a layer that computes nothing.
    const BUFFERS: usize = 2;

    /// Bytes of the arena [`predict_in`](QLayer::predict_in) needs: `BUFFERS ·
    /// BUFFER_BYTES`, known at compile time. With `size_of::<Self>()` (the weights and
    /// parameters, which can live in flash) this is the memory an int8 inference needs.
    const ARENA_BYTES: usize = Self::BUFFERS * Self::BUFFER_BYTES;

    /// Multiply-accumulates of one inference (the weights' products: a dense layer's `I·O`, a
    /// convolution's `outputs · fan-in · taps`, counting padded taps; 0 for layers without
    /// weights): the denominator of "instructions per MAC".
    const MACS: usize = 0;
}

/// The larger of `a` and `b`, in constants.
pub(crate) const fn max(a: usize, b: usize) -> usize {
    if a > b { a } else { b }
}

/// Two quantized layers in a row: the output of `A` is the input of `B`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QChain<A, B>(pub A, pub B);

impl<A: QLayer, B: QLayer<In = A::Out>> QLayer for QChain<A, B> {
    type In = A::In;
    type Out = B::Out;
    const BUFFER_BYTES: usize = max(A::BUFFER_BYTES, B::BUFFER_BYTES);
    const BUFFERS: usize = max(A::BUFFERS, B::BUFFERS);
    const MACS: usize = A::MACS + B::MACS;

    fn input_params(&self) -> QuantParams {
        self.0.input_params()
    }

    fn output_params(&self) -> QuantParams {
        self.1.output_params()
    }

    fn with_rounding(self, rounding: Rounding) -> Self {
        QChain(
            self.0.with_rounding(rounding),
            self.1.with_rounding(rounding),
        )
    }

    fn apply(&self, x: &[i8], y: &mut [i8]) {
        let h = self.0.forward(&A::In::copied(x));
        self.1.apply(h.values(), y);
    }

    fn forward(&self, x: &A::In) -> B::Out {
        self.1.forward(&self.0.forward(x))
    }

    fn run(&self, bufs: &mut Buffers<'_>, from: usize, keep: u32) -> Result<usize, ArenaError> {
        let mid = self.0.run(bufs, from, keep)?;
        self.1.run(bufs, mid, keep)
    }
}

/// `QLayer` for a layer that computes nothing (its `params` are its input's and its output's
/// quantization; its output is its input): [`QSkip`](super::QSkip) and
/// [`QIdentity`](super::QIdentity). In an arena it leaves its input where it is.
macro_rules! computes_nothing {
    ($layer:ident) => {
        impl<X: $crate::quant::QSample> $crate::quant::QLayer for $layer<X> {
            type In = X;
            type Out = X;
            const BUFFERS: usize = 1;

            fn input_params(&self) -> $crate::quant::QuantParams {
                self.params
            }

            fn output_params(&self) -> $crate::quant::QuantParams {
                self.params
            }

            fn apply(&self, x: &[i8], y: &mut [i8]) {
                for (out, &v) in y.iter_mut().zip(x) {
                    *out = v;
                }
            }

            fn forward(&self, x: &X) -> X {
                X::copied(x.values())
            }

            /// Nothing to compute: the output is the input's buffer.
            fn run(
                &self,
                _: &mut $crate::quant::Buffers<'_>,
                from: usize,
                _: u32,
            ) -> Result<usize, $crate::quant::ArenaError> {
                Ok(from)
            }
        }
    };
}
pub(crate) use computes_nothing;
