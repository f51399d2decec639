//! Adam and AdamW.

use crate::activation::constant;
use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings};
use crate::{Real, TrainError};

/// Adam (Kingma & Ba, 2015), with AdamW's decoupled weight decay (Loshchilov & Hutter, 2019):
///
/// `m ← β₁·m + (1 − β₁)·g`, `v ← β₂·v + (1 − β₂)·g²`,
/// `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`,
/// `w ← w − η·(m̂ / (√v̂ + ε) + λ_w·w)`.
///
/// `λ_w` ([`decoupled_weight_decay`](Adam::decoupled_weight_decay)) is AdamW's decay, applied
/// outside the adaptive scaling; the L2 decay of [`Settings`] is added to `g` instead.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    m: P,
    v: P,
    steps: u64,
}

impl<P> Adam<P> {
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

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for Adam<P> {
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let t = self.steps + 1;
        let p = self.settings.prepare::<T, P>(grads, t)?;
        let (b1, b2) = (constant::<T>(self.beta1), constant::<T>(self.beta2));
        let eps = constant::<T>(self.epsilon);
        let decay = constant::<T>(self.decoupled_weight_decay);
        let tt = constant::<T>(t as f64);
        let (c1, c2) = (T::one() - b1.powf(tt), T::one() - b2.powf(tt));
        params.zip4(grads, &mut self.m, &mut self.v, &mut |w, g, m, v| {
            for (((w, &g), m), v) in w.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                let g = p.gradient(g, *w);
                *m = b1 * *m + (T::one() - b1) * g;
                *v = b2 * *v + (T::one() - b2) * g * g;
                let (m_hat, v_hat) = (*m / c1, *v / c2);
                *w = *w - p.learning_rate * (m_hat / (v_hat.sqrt() + eps) + decay * *w);
            }
        });
        self.steps = t;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
