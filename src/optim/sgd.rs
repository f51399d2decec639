//! Plain stochastic gradient descent.

use crate::Real;
use crate::TrainError;
use crate::kernels;
use crate::nn::Parameters;
use crate::optim::{Clip, Optimizer, Settings, update_prepared};

/// Stochastic gradient descent (Robbins & Monro, 1951): `w ← w − η·g`.
///
/// Stateless: it needs no memory beyond the network and its gradient.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sgd {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    steps: u64,
}

impl Sgd {
    /// The number of successful steps taken so far (saturating at `u64::MAX`).
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// SGD with the given settings.
    pub const fn new(settings: Settings) -> Self {
        Self { settings, steps: 0 }
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for Sgd {
    const STATE_COPIES: usize = 0;

    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let step = self.steps.saturating_add(1);
        if self.settings.clip == Clip::None && self.settings.weight_decay == 0.0 {
            // `gradient(g, w)` would be `g·1 + 0·w`, which equals `g` for finite gradients
            // (zeros' signs included): the plain, vectorized update `w − η·g`, once every
            // result is known to be finite. That one check also covers the gradient (a NaN or
            // ±∞ in `g` makes its `w − η·g` non-finite), so `g` is scanned only to name the
            // error.
            let lr = self.settings.learning_rate_at::<T>(step)?;
            let mut ok = true;
            params.walk(grads, [], &mut |w, g, []| {
                ok &= kernels::sub_scaled_is_finite(w, g, lr)
            });
            if !ok {
                let mut finite = true;
                grads.visit(&mut |g| finite &= kernels::all_finite(g));
                return Err(if finite {
                    TrainError::NonFiniteUpdate { step }
                } else {
                    TrainError::NonFiniteGradient { step }
                });
            }
            params.walk(grads, [], &mut |w, g, []| kernels::sub_scaled(w, g, lr));
        } else {
            let p = self.settings.prepare::<T, P>(grads, step)?;
            let lr = p.learning_rate;
            let bound = |w: T, g: T, []: [T; 0]| w + lr * p.gradient_bound(g, w);
            update_prepared(&p, params, grads, [], step, bound, |w, g, []| {
                (w - lr * p.gradient(g, w), [])
            })?;
        }
        self.steps = step;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Identity;
    use crate::nn::Dense;
    use crate::optim::Settings;

    /// The plain update (no clipping, no decay) gives the bits of the general rule
    /// `w − η·(g·1 + 0·w)`, signed zeros included.
    #[test]
    fn plain_update_equals_the_general_rule() {
        let w: [f32; 12] = [
            0.0, -0.0, 0.0, -0.0, 1.5, -2.25, 3.0e-30, -7.0e20, 0.1, -0.3, 9.0, 1.0e-42,
        ];
        let g: [f32; 12] = [
            0.0, 0.0, -0.0, -0.0, -0.5, 4.0, -1.0e-30, 3.0e19, 0.7, 0.0, -0.0, 2.0,
        ];
        let net = |v: [f32; 12]| {
            let m = crate::Matrix::<f32, 3, 4>::try_from_slice(&v).unwrap();
            Dense::<f32, 4, 3, Identity>::new(m, Vector::new([v[0], v[1], v[2]]), Identity)
        };
        let (mut fast, grads) = (net(w), net(g));
        Sgd::new(Settings::new(0.3))
            .step(&mut fast, &grads)
            .unwrap();
        let lr = 0.3f32;
        for (i, (&w, &g)) in w.iter().zip(&g).enumerate() {
            let general = w - lr * ((g * 1.0) + 0.0 * w);
            assert_eq!(
                fast.weights.as_slice()[i].to_bits(),
                general.to_bits(),
                "{w} {g}"
            );
        }
    }
}
