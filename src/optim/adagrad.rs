//! AdaGrad.

use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings, positive, update_prepared};
use crate::scalar::constant;
use crate::{Real, TrainError};

/// AdaGrad (Duchi, Hazan & Singer, 2011): `G ← G + g²`, `w ← w − η·g / (√G + ε)`.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::optim::restore::AdaGradFields<P>"),
    serde(bound(deserialize = "P: serde::Deserialize<'de> + crate::optim::restore::Restorable"))
)]
pub struct AdaGrad<P> {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    /// `ε`, added to the denominator (default 1e-10).
    pub epsilon: f64,
    pub(super) sum_sq: P,
    pub(super) steps: u64,
}

impl<P> AdaGrad<P> {
    /// The number of successful steps taken so far (saturating at `u64::MAX`).
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// AdaGrad for `network`, `ε = 1e-10`.
    pub fn new<T: Real>(network: &P, settings: Settings) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            settings,
            epsilon: 1e-10,
            sum_sq: network.zeros_like(),
            steps: 0,
        }
    }
}

impl<P> AdaGrad<P> {
    /// Checks `ε` in the scalar type `T` (and [`Settings::check`]).
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
        positive::<T>(self.epsilon, "AdaGrad's ε must be finite and > 0")
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for AdaGrad<P> {
    const STATE_COPIES: usize = 1;

    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let step = self.steps.saturating_add(1);
        self.check_own::<T>()?;
        let p = self.settings.prepare::<T, P>(grads, step)?;
        let eps = constant::<T>(self.epsilon);
        // |g'/(√s + ε)| ≤ |g'|/ε; the sum of squares grows by at most g'².
        let bound = |w: T, g: T, [s]: [T; 1]| {
            let g = p.gradient_bound(g, w);
            (s + g * g).max(w + p.learning_rate * g / eps)
        };
        update_prepared(
            &p,
            params,
            grads,
            [&mut self.sum_sq],
            step,
            bound,
            |w, g, [s]| {
                let g = p.gradient(g, w);
                let s = s + g * g;
                (w - p.learning_rate * g / (s.sqrt() + eps), [s])
            },
        )?;
        self.steps = step;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
