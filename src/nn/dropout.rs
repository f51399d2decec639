//! [`Dropout`]: zeroes a random fraction of its inputs while training (inverted scaling), the
//! identity in inference.

use core::marker::PhantomData;

use crate::Real;
use crate::init::Rng;
use crate::nn::{Grads, Layer, NoParameters, Place, Shape, Unplaced};
use crate::shape::{BatchOf, Port};

/// Drops each input with probability `PERCENT / 100` while training and scales the kept ones
/// by `1 / (1 − p)` (inverted dropout, as PyTorch's `nn.Dropout(p)`), so inference is the
/// identity and needs no rescaling: training `y = m ⊙ x / (1 − p)` with `mᵢ ∈ {0, 1}`,
/// `P(mᵢ = 0) = p`; `∂L/∂x = m ⊙ ∂L/∂y / (1 − p)`; inference `y = x`.
///
/// Listed as `Dropout<20>` (p = 0.2) anywhere in a network; it takes the size of the layer
/// before it. `PERCENT` must be below 100 (`Dropout<100>` does not compile). The masks come
/// from a generator seeded with [`seed`](Dropout::seed) (default 0) mixed with the layer's
/// size, kept in the training cache: a trainer made twice from the same network draws the
/// same masks, so training is reproducible bit for bit.
pub struct Dropout<const PERCENT: u32, At = Unplaced> {
    /// Seeds the mask generator of each cache made from this layer.
    pub seed: u64,
    at: PhantomData<fn() -> At>,
}

impl<const PERCENT: u32, At> Dropout<PERCENT, At> {
    /// Dropout with the given mask seed.
    pub const fn with_seed(seed: u64) -> Self {
        Self {
            seed,
            at: PhantomData,
        }
    }

    /// The probability of dropping an input, `PERCENT / 100`.
    pub const RATE: f64 = {
        assert!(PERCENT < 100, "Dropout<PERCENT> needs PERCENT < 100");
        PERCENT as f64 / 100.0
    };
}

impl<const PERCENT: u32, At> Clone for Dropout<PERCENT, At> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<const PERCENT: u32, At> Copy for Dropout<PERCENT, At> {}
impl<const PERCENT: u32, At> Default for Dropout<PERCENT, At> {
    fn default() -> Self {
        Self::with_seed(0)
    }
}
impl<const PERCENT: u32, At> PartialEq for Dropout<PERCENT, At> {
    fn eq(&self, other: &Self) -> bool {
        self.seed == other.seed
    }
}
impl<const PERCENT: u32, At> core::fmt::Debug for Dropout<PERCENT, At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "Dropout<{PERCENT}> {{ seed: {} }}", self.seed)
    }
}
impl<const PERCENT: u32, At> NoParameters for Dropout<PERCENT, At> {}

#[diagnostic::do_not_recommend]
impl<const PERCENT: u32, P: Port> Place<P> for Dropout<PERCENT, Unplaced> {
    type Layer = Dropout<PERCENT, P>;
}

impl<const PERCENT: u32, P: Port> Shape for Dropout<PERCENT, P> {
    type In = P;
    type Out = P;
}

/// What [`Dropout`] keeps for a batch: its output, the scale each input got (`0` or
/// `1 / (1 − p)`) and the mask generator.
pub struct DropoutCache<T: Send + Sync, const B: usize, P: Port> {
    output: BatchOf<T, B, P>,
    scale: BatchOf<T, B, P>,
    rng: Rng,
}

impl<T: Real, const PERCENT: u32, P: Port> Layer<T> for Dropout<PERCENT, P> {
    type Cache<const B: usize> = DropoutCache<T, B, P>;

    fn predict(&self, x: &P::Sample<T>) -> P::Sample<T> {
        let xs = P::sample_slice(x);
        P::sample(|i| xs[i])
    }

    fn forward<const B: usize>(&self, x: &BatchOf<T, B, P>) -> BatchOf<T, B, P> {
        let xs = P::batch_slice(x);
        P::batch(|s, i| xs[s * P::N + i])
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        // Mixed with the layer's size, so that dropout layers of different sizes with the
        // default seed draw different masks.
        let seed = self.seed ^ (P::N as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        DropoutCache {
            output: P::batch(|_, _| T::zero()),
            scale: P::batch(|_, _| T::zero()),
            rng: Rng::new(seed),
        }
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, cache: &mut Self::Cache<B>) {
        let rate = Self::RATE;
        let keep = crate::scalar::constant::<T>(1.0 / (1.0 - rate));
        let DropoutCache { output, scale, rng } = cache;
        let (xs, ys, ss) = (
            P::batch_slice(x),
            P::batch_slice_mut(output),
            P::batch_slice_mut(scale),
        );
        for ((y, s), &v) in ys.iter_mut().zip(ss.iter_mut()).zip(xs) {
            *s = if rng.next_f64() < rate {
                T::zero()
            } else {
                keep
            };
            *y = v * *s;
        }
    }

    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, P> {
        &cache.output
    }

    fn backward<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        cache: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        _: &mut Self,
        _: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        let (ss, dys) = (P::batch_slice(&cache.scale), P::batch_slice(dy));
        for ((d, &s), &g) in P::batch_slice_mut(dx).iter_mut().zip(ss).zip(dys) {
            *d = g * s;
        }
    }

    fn backward_params<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        _: &mut Self::Cache<B>,
        _: &BatchOf<T, B, P>,
        _: &mut Self,
        _: Grads,
    ) {
    }
}
