//! Plain stochastic gradient descent.

use crate::Real;
use crate::TrainError;
use crate::nn::Parameters;
use crate::optim::{Optimizer, Settings};

/// Stochastic gradient descent (Robbins & Monro, 1951): `w ← w − η·g`.
///
/// Stateless: it needs no memory beyond the network and its gradient.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Sgd {
    /// Learning rate, weight decay and clipping.
    pub settings: Settings,
    steps: u64,
}

impl Sgd {
    /// SGD with the given settings.
    pub const fn new(settings: Settings) -> Self {
        Self { settings, steps: 0 }
    }
}

impl<T: Real, P: Parameters<T>> Optimizer<T, P> for Sgd {
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError> {
        let p = self.settings.prepare::<T, P>(grads, self.steps + 1)?;
        params.zip2(grads, &mut |w, g| {
            for (w, &g) in w.iter_mut().zip(g) {
                *w = *w - p.learning_rate * p.gradient(g, *w);
            }
        });
        self.steps += 1;
        Ok(())
    }

    fn steps(&self) -> u64 {
        self.steps
    }
}
