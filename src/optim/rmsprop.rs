//! RMSprop.

use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings, decay_rate, positive, update_prepared};
use crate::scalar::constant;
use crate::{Real, TrainError};

/// RMSprop (Hinton, Coursera lecture 6e, 2012):
/// `E ← ρ·E + (1 − ρ)·g²`, `w ← w − η·g / (√E + ε)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::optim::restore::RmsPropFields<P>"),
    serde(bound(deserialize = "P: serde::Deserialize<'de> + crate::optim::restore::Restorable"))
)]
pub struct RmsProp<P> {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    /// `ρ`, the decay of the running mean square (default 0.9).
    pub rho: f64,
    /// `ε` (default 1e-8).
    pub epsilon: f64,
    pub(super) mean_sq: P,
    pub(super) steps: u64,
}

impl<P> RmsProp<P> {
    /// The number of successful steps taken so far (saturating at `u64::MAX`).
    pub const fn steps(&self) -> u64 {
        self.steps
    }

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

impl<P> RmsProp<P> {
    /// Checks `ρ` and `ε` in the scalar type `T` (and [`Settings::check`]).
    ///
    /// # Errors
    /// [`TrainError::InvalidSetting`] naming the broken rule.
    pub fn check<T: Real>(&self) -> Result<(), TrainError> {
        self.settings.check::<T>()?;
        self.check_own::<T>()
    }

    /// The checks of [`check`](Self::check) beyond [`Settings::check`] (which a step
    /// runs as part of [`Settings::prepare`]).
    fn check_own<T: Real>(&self) -> Result<(), TrainError> {
        decay_rate::<T>(self.rho, "RMSprop's ρ must be in [0, 1)")?;
        positive::<T>(self.epsilon, "RMSprop's ε must be finite and > 0")
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for RmsProp<P> {
    const STATE_COPIES: usize = 1;

    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let step = self.steps.saturating_add(1);
        self.check_own::<T>()?;
        let p = self.settings.prepare::<T, P>(grads, step)?;
        let (rho, eps) = (constant::<T>(self.rho), constant::<T>(self.epsilon));
        // |g'/(√E + ε)| ≤ |g'|/ε; the mean square is at most max(E, g'²) ≤ E + g'².
        let bound = |w: T, g: T, [e]: [T; 1]| {
            let g = p.gradient_bound(g, w);
            (e + g * g).max(w + p.learning_rate * g / eps)
        };
        update_prepared(
            &p,
            params,
            grads,
            [&mut self.mean_sq],
            step,
            bound,
            |w, g, [e]| {
                let g = p.gradient(g, w);
                let e = rho * e + (T::one() - rho) * g * g;
                (w - p.learning_rate * g / (e.sqrt() + eps), [e])
            },
        )?;
        self.steps = step;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
