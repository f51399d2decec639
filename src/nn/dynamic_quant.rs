//! [`DynamicQuant`]: each sample rounded to int8 with its own symmetric scale and back, as
//! TFLite's "hybrid" kernels (int8 weights, float activations) quantize their input.

use core::marker::PhantomData;

use crate::Real;
use crate::nn::{Grads, Layer, NoParameters, Place, Shape, Unplaced};
use crate::shape::{BatchOf, Port};

/// The largest int8 magnitude of the symmetric quantization, `127`.
const LEVELS: f64 = 127.0;

/// Rounds each sample to 255 levels of its own scale, as TFLite's hybrid `CONV_2D` quantizes
/// its float input before multiplying it by int8 weights (`SymmetricQuantizeFloats`): with
/// `r = maxᵢ |xᵢ|`, `yᵢ = clamp(round(xᵢ · (127 / r)), −127, 127) · (r / 127)`, rounding
/// halves away from zero, computed in `T` as TFLite computes it in `f32` (`y = 0` when
/// `r = 0`). Before a `Conv2d` whose weights are the file's int8 ones, the pair gives the
/// hybrid kernel's outputs (its integer sums times `r / 127 · weight_scale`) up to float
/// rounding. `declare` writes it before each hybrid `CONV_2D` of a float `.tflite` file.
///
/// Training passes the gradient straight through (`∂L/∂x = ∂L/∂y`, the straight-through
/// estimator of quantization-aware training). In an int8 network the layer is nothing: the
/// int8 layers quantize every activation already.
pub struct DynamicQuant<At = Unplaced> {
    at: PhantomData<fn() -> At>,
}

impl<At> Clone for DynamicQuant<At> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<At> Copy for DynamicQuant<At> {}
impl<At> Default for DynamicQuant<At> {
    fn default() -> Self {
        Self { at: PhantomData }
    }
}
impl<At> PartialEq for DynamicQuant<At> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
impl<At> core::fmt::Debug for DynamicQuant<At> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("DynamicQuant")
    }
}
impl<At> NoParameters for DynamicQuant<At> {}

#[diagnostic::do_not_recommend]
impl<P: Port> Place<P> for DynamicQuant<Unplaced> {
    type Layer = DynamicQuant<P>;
}

impl<P: Port> Shape for DynamicQuant<P> {
    type In = P;
    type Out = P;
}

/// One sample `x` rounded into `y` (same length): see [`DynamicQuant`].
fn round_sample<T: Real>(x: &[T], y: &mut [T]) {
    let range = x.iter().fold(T::zero(), |m, &v| m.max(v.abs()));
    if range == T::zero() || !range.is_finite() {
        // All zeros stay zeros; a NaN or an infinity stays one (the training guard sees it).
        for (y, &v) in y.iter_mut().zip(x) {
            *y = if range == T::zero() { T::zero() } else { v };
        }
        return;
    }
    let levels = T::from_f64(LEVELS);
    let (inverse, step) = (levels / range, range / levels);
    for (y, &v) in y.iter_mut().zip(x) {
        let scaled = (v * inverse).to_f64().unwrap_or(0.0);
        let q = crate::quant::arith::round_half_away(scaled).clamp(-LEVELS, LEVELS);
        *y = T::from_f64(q) * step;
    }
}

impl<T: Real, P: Port> Layer<T> for DynamicQuant<P> {
    type Cache<const B: usize> = BatchOf<T, B, P>;

    fn predict(&self, x: &P::Sample<T>) -> P::Sample<T> {
        let mut y = P::sample(|_| T::zero());
        round_sample(P::sample_slice(x), P::sample_slice_mut(&mut y));
        y
    }

    fn forward<const B: usize>(&self, x: &BatchOf<T, B, P>) -> BatchOf<T, B, P> {
        // The training cache is the output itself.
        let mut y = self.new_cache::<B>();
        self.forward_train(x, &mut y);
        y
    }

    fn new_cache<const B: usize>(&self) -> Self::Cache<B> {
        P::batch(|_, _| T::zero())
    }

    fn forward_train<const B: usize>(&self, x: &BatchOf<T, B, P>, cache: &mut Self::Cache<B>) {
        let ys = P::batch_slice_mut(cache);
        for (x, y) in P::batch_slice(x).chunks(P::N).zip(ys.chunks_mut(P::N)) {
            round_sample(x, y);
        }
    }

    fn output<const B: usize>(cache: &Self::Cache<B>) -> &BatchOf<T, B, P> {
        cache
    }

    fn backward<const B: usize>(
        &self,
        _: &BatchOf<T, B, P>,
        _: &mut Self::Cache<B>,
        dy: &BatchOf<T, B, P>,
        _: &mut Self,
        _: Grads,
        dx: &mut BatchOf<T, B, P>,
    ) {
        P::batch_slice_mut(dx).copy_from_slice(P::batch_slice(dy));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shape::Size;

    #[test]
    fn samples_round_to_their_own_scale() {
        let layer = DynamicQuant::<Size<4>>::default();
        // r = 2: steps of 2/127; 1.0 → 63.5 → 64 (half away from zero), −0.5 → −31.75 → −32.
        let y = layer.predict(&crate::Vector::new([2.0f32, 1.0, -0.5, -2.0]));
        let step = 2.0f32 / 127.0;
        assert_eq!(
            y.as_slice(),
            &[127.0 * step, 64.0 * step, -32.0 * step, -127.0 * step]
        );
        let zero = layer.predict(&crate::Vector::new([0.0f32; 4]));
        assert_eq!(zero.as_slice(), &[0.0; 4]);
    }

    #[test]
    fn each_sample_of_a_batch_has_its_own_scale_and_the_gradient_passes_through() {
        use crate::tensor::Batch;
        let layer = DynamicQuant::<Size<2>>::default();
        let rows = [[1.0f64, 0.3], [100.0, 30.0]];
        let x = Batch::<f64, 2, 2>::from_fn(|s, i| rows[s][i]);
        let y = layer.forward(&x);
        for (s, row) in rows.iter().enumerate() {
            let one = layer.predict(&crate::Vector::new(*row));
            assert_eq!(&y.as_slice()[s * 2..s * 2 + 2], one.as_slice());
        }
        // 0.3 · 127 = 38.1 → 38 at either scale.
        approx::assert_relative_eq!(y.as_slice()[1], 38.0 / 127.0, epsilon = 1e-12);
        approx::assert_relative_eq!(y.as_slice()[3], 3800.0 / 127.0, epsilon = 1e-12);
        let mut cache = layer.new_cache::<2>();
        layer.forward_train(&x, &mut cache);
        assert_eq!(cache.as_slice(), y.as_slice());
        let dy = Batch::<f64, 2, 2>::from_fn(|s, i| [[0.5, -1.0], [2.0, 3.0]][s][i]);
        let mut dx = Batch::<f64, 2, 2>::from_fn(|_, _| 0.0);
        let mut grads = layer;
        layer.backward(&x, &mut cache, &dy, &mut grads, Grads::Overwrite, &mut dx);
        assert_eq!(dx.as_slice(), dy.as_slice());
    }
}
