//! SGD with momentum, classical or Nesterov.

use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings, decay_rate, update_prepared};
use crate::scalar::constant;
use crate::{Real, TrainError};

/// SGD with momentum `μ` (Polyak, 1964; in the form PyTorch uses):
/// `v ← μ·v + g`, then `w ← w − η·v`; with Nesterov's correction (Sutskever et al., 2013):
/// `w ← w − η·(g + μ·v)`.
///
/// The velocity `v` is a value of the network's own type.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::optim::restore::MomentumFields<P>"),
    serde(bound(deserialize = "P: serde::Deserialize<'de> + crate::optim::restore::Restorable"))
)]
pub struct Momentum<P> {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    /// `μ`, typically 0.9.
    pub momentum: f64,
    /// Use Nesterov's look-ahead form.
    pub nesterov: bool,
    pub(super) velocity: P,
    pub(super) steps: u64,
}

impl<P> Momentum<P> {
    /// The number of successful steps taken so far (saturating at `u64::MAX`).
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// Classical momentum for `network`.
    pub fn new<T: Real>(network: &P, settings: Settings, momentum: f64) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            settings,
            momentum,
            nesterov: false,
            velocity: network.zeros_like(),
            steps: 0,
        }
    }

    /// Nesterov momentum for `network`.
    pub fn nesterov<T: Real>(network: &P, settings: Settings, momentum: f64) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            nesterov: true,
            ..Self::new(network, settings, momentum)
        }
    }

    /// Checks `μ` in the scalar type `T` (and [`Settings::check`]).
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
        decay_rate::<T>(self.momentum, "the momentum μ must be in [0, 1)")
    }

    /// The velocity `v`.
    pub fn velocity(&self) -> &P {
        &self.velocity
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for Momentum<P> {
    const STATE_COPIES: usize = 1;

    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let step = self.steps.saturating_add(1);
        self.check_own::<T>()?;
        let p = self.settings.prepare::<T, P>(grads, step)?;
        let mu = constant::<T>(self.momentum);
        let nesterov = self.nesterov;
        // |v'| ≤ μ·max|v| + |g'| and the step |d| ≤ |g'| + μ·|v'| (Nesterov) ≥ |v'|.
        let bound = |w: T, g: T, [v]: [T; 1]| {
            let g = p.gradient_bound(g, w);
            let v = mu * v + g;
            v.max(w + p.learning_rate * (g + mu * v))
        };
        update_prepared(
            &p,
            params,
            grads,
            [&mut self.velocity],
            step,
            bound,
            |w, g, [v]| {
                let g = p.gradient(g, w);
                let v = mu * v + g;
                let d = if nesterov { g + mu * v } else { v };
                (w - p.learning_rate * d, [v])
            },
        )?;
        self.steps = step;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
