//! RMSprop.

use crate::activation::constant;
use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings};
use crate::{Real, TrainError};

/// RMSprop (Hinton, Coursera lecture 6e, 2012):
/// `E ← ρ·E + (1 − ρ)·g²`, `w ← w − η·g / (√E + ε)`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RmsProp<P> {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    /// `ρ`, the decay of the running mean square (default 0.9).
    pub rho: f64,
    /// `ε` (default 1e-8).
    pub epsilon: f64,
    mean_sq: P,
    steps: u64,
}

impl<P> RmsProp<P> {
    /// RMSprop for `network` with `ρ = 0.9`, `ε = 1e-8`.
    pub fn new<T: Real>(network: &P, settings: Settings) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            settings,
            rho: 0.9,
            epsilon: 1e-8,
            mean_sq: network.zeros_like(),
            steps: 0,
        }
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for RmsProp<P> {
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let p = self.settings.prepare::<T, P>(grads, self.steps + 1)?;
        let (rho, eps) = (constant::<T>(self.rho), constant::<T>(self.epsilon));
        params.zip3(grads, &mut self.mean_sq, &mut |w, g, e| {
            for ((w, &g), e) in w.iter_mut().zip(g).zip(e.iter_mut()) {
                let g = p.gradient(g, *w);
                *e = rho * *e + (T::one() - rho) * g * g;
                *w = *w - p.learning_rate * g / (e.sqrt() + eps);
            }
        });
        self.steps += 1;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
