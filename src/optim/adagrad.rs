//! AdaGrad.

use crate::activation::constant;
use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings};
use crate::{Real, TrainError};

/// AdaGrad (Duchi, Hazan & Singer, 2011): `G ← G + g²`, `w ← w − η·g / (√G + ε)`.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct AdaGrad<P> {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    /// `ε`, added to the denominator (default 1e-10).
    pub epsilon: f64,
    sum_sq: P,
    steps: u64,
}

impl<P> AdaGrad<P> {
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

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for AdaGrad<P> {
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let p = self.settings.prepare::<T, P>(grads, self.steps + 1)?;
        let eps = constant::<T>(self.epsilon);
        params.zip3(grads, &mut self.sum_sq, &mut |w, g, s| {
            for ((w, &g), s) in w.iter_mut().zip(g).zip(s.iter_mut()) {
                let g = p.gradient(g, *w);
                *s = *s + g * g;
                *w = *w - p.learning_rate * g / (s.sqrt() + eps);
            }
        });
        self.steps += 1;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
