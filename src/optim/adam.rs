//! Adam and AdamW.

use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings, decay_rate, non_negative, positive, update_prepared};
use crate::scalar::constant;
use crate::{Real, TrainError};

/// Adam (Kingma & Ba, 2015), with AdamW's decoupled weight decay (Loshchilov & Hutter, 2019):
///
/// `m ← β₁·m + (1 − β₁)·g`, `v ← β₂·v + (1 − β₂)·g²`,
/// `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`,
/// `w ← w − η·(m̂ / (√v̂ + ε) + λ_w·w)`.
///
/// `λ_w` ([`decoupled_weight_decay`](Adam::decoupled_weight_decay)) is AdamW's decay, applied
/// outside the adaptive scaling; the L2 decay of [`Settings`] is added to `g` instead.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::optim::restore::AdamFields<P>"),
    serde(bound(deserialize = "P: serde::Deserialize<'de> + crate::optim::restore::Restorable"))
)]
pub struct Adam<P> {
    /// Learning rate, L2 weight decay and clipping.
    pub settings: Settings,
    /// `β₁` (default 0.9).
    pub beta1: f64,
    /// `β₂` (default 0.999).
    pub beta2: f64,
    /// `ε` (default 1e-8).
    pub epsilon: f64,
    /// AdamW's decoupled weight decay `λ_w` (default 0).
    pub decoupled_weight_decay: f64,
    pub(super) m: P,
    pub(super) v: P,
    pub(super) steps: u64,
}

impl<P> Adam<P> {
    /// The number of successful steps taken so far (saturating at `u64::MAX`).
    pub const fn steps(&self) -> u64 {
        self.steps
    }

    /// Adam for `network` with `β₁ = 0.9`, `β₂ = 0.999`, `ε = 1e-8`.
    pub fn new<T: Real>(network: &P, settings: Settings) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            settings,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            decoupled_weight_decay: 0.0,
            m: network.zeros_like(),
            v: network.zeros_like(),
            steps: 0,
        }
    }

    /// AdamW: Adam with decoupled weight decay `λ_w`.
    pub fn adamw<T: Real>(network: &P, settings: Settings, decoupled_weight_decay: f64) -> Self
    where
        P: Parameters<T>,
    {
        Self {
            decoupled_weight_decay,
            ..Self::new(network, settings)
        }
    }
}

impl<P> Adam<P> {
    /// Checks `β₁`, `β₂`, `ε` and the decoupled weight decay in the scalar type `T` (and
    /// [`Settings::check`]).
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
        decay_rate::<T>(self.beta1, "Adam's β₁ must be in [0, 1)")?;
        decay_rate::<T>(self.beta2, "Adam's β₂ must be in [0, 1)")?;
        positive::<T>(self.epsilon, "Adam's ε must be finite and > 0")?;
        non_negative::<T>(
            self.decoupled_weight_decay,
            "AdamW's decoupled weight decay must be finite and ≥ 0",
        )
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for Adam<P> {
    const STATE_COPIES: usize = 2;

    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let t = self.steps.saturating_add(1);
        self.check_own::<T>()?;
        let p = self.settings.prepare::<T, P>(grads, t)?;
        let (b1, b2) = (constant::<T>(self.beta1), constant::<T>(self.beta2));
        let eps = constant::<T>(self.epsilon);
        let decay = constant::<T>(self.decoupled_weight_decay);
        let tt = T::from_count(usize::try_from(t).unwrap_or(usize::MAX));
        let (c1, c2) = (T::one() - b1.powf(tt), T::one() - b2.powf(tt));
        let state = [&mut self.m, &mut self.v];
        // |m'| ≤ β₁·max|m| + |g'|, v' ≤ max v + g'², and |m̂/(√v̂ + ε)| ≤ |m'|/(c₁·ε).
        let bound = |w: T, g: T, [m, v]: [T; 2]| {
            let g = p.gradient_bound(g, w);
            let m = b1 * m + g;
            let q = m / c1 / eps;
            (v + g * g)
                .max(q)
                .max(w + p.learning_rate * (q + decay * w))
        };
        update_prepared(&p, params, grads, state, t, bound, |w, g, [m, v]| {
            let g = p.gradient(g, w);
            let m = b1 * m + (T::one() - b1) * g;
            let v = b2 * v + (T::one() - b2) * g * g;
            let (m_hat, v_hat) = (m / c1, v / c2);
            let w = w - p.learning_rate * (m_hat / (v_hat.sqrt() + eps) + decay * w);
            (w, [m, v])
        })?;
        self.steps = t;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
