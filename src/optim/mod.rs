//! Optimizers: how parameters move along their gradients.
//!
//! # Using this
//! Build an optimizer for your network (`Adam::new(&net, settings)`), then after each
//! backward pass call [`Optimizer::step`] with the network and its gradient. The optimizer's
//! state (velocities, moment estimates) is made of values of the network's own type, so an
//! optimizer built for one network does not compile with another.
//!
//! Every optimizer shares [`Settings`]: a learning-rate [`Schedule`], L2 weight decay and
//! gradient [`Clip`]ping. A step first checks that every gradient is finite (else it returns
//! [`TrainError::NonFiniteGradient`] and changes nothing), then clips, then adds the L2 term
//! `λ·w`, then applies the update rule.
//!
//! # Implementing this
//! Implement [`Optimizer`] with [`Settings::prepare`] and the `zip` visitors of
//! [`Parameters`].

mod adagrad;
mod adam;
mod momentum;
mod rmsprop;
mod schedule;
mod sgd;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use momentum::Momentum;
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::Sgd;

use crate::activation::constant;
use crate::nn::Parameters;
use crate::tensor::slice_ops;
use crate::{Real, TrainError};

/// Updates parameters of type `P` from their gradient.
pub trait Optimizer<T: Real, P: Parameters<T>> {
    /// One update `w ← rule(w, ∂L/∂w)`. Returns an error, and changes nothing, if a gradient
    /// is NaN or infinite.
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError>;

    /// The number of successful steps taken so far.
    fn steps(&self) -> u64;
}

/// Gradient clipping, applied before weight decay and the update rule.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Clip {
    /// No clipping.
    #[default]
    None,
    /// Clip each gradient element to `[−c, c]`.
    Value(f64),
    /// Scale all gradients by `min(1, c / ‖g‖₂)`, `‖g‖₂` over every parameter of the network
    /// (Pascanu et al., 2013).
    Norm(f64),
}

/// What every optimizer shares: learning rate, weight decay and clipping.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Settings {
    /// The learning rate `η` per step.
    pub learning_rate: Schedule,
    /// L2 weight decay `λ`, added to the gradient as `g + λ·w` (0 for none).
    pub weight_decay: f64,
    /// Gradient clipping.
    pub clip: Clip,
}

impl Settings {
    /// A constant learning rate, no weight decay, no clipping.
    pub const fn new(learning_rate: f64) -> Self {
        Self {
            learning_rate: Schedule::Constant(learning_rate),
            weight_decay: 0.0,
            clip: Clip::None,
        }
    }

    /// With a learning-rate schedule.
    pub const fn with_schedule(mut self, schedule: Schedule) -> Self {
        self.learning_rate = schedule;
        self
    }

    /// With L2 weight decay `λ` (`g ← g + λ·w`).
    pub const fn with_weight_decay(mut self, lambda: f64) -> Self {
        self.weight_decay = lambda;
        self
    }

    /// With gradient clipping.
    pub const fn with_clip(mut self, clip: Clip) -> Self {
        self.clip = clip;
        self
    }

    /// Checks the gradients and computes this step's learning rate and clipping factor.
    /// `step` counts from 1 (it is reported in errors); the schedule sees `step − 1`.
    pub fn prepare<T: Real, P: Parameters<T>>(
        &self,
        grads: &P,
        step: u64,
    ) -> Result<Prepared<T>, TrainError> {
        let mut finite = true;
        grads.visit(&mut |g| finite &= slice_ops::all_finite(g));
        if !finite {
            return Err(TrainError::NonFiniteGradient { step });
        }
        let (scale, limit) = match self.clip {
            Clip::None => (T::one(), None),
            Clip::Value(c) => (T::one(), Some(constant::<T>(c))),
            Clip::Norm(c) => {
                let mut norm_sq = T::zero();
                grads.visit(&mut |g| norm_sq = norm_sq + slice_ops::sum_of_squares(g));
                let norm = norm_sq.sqrt();
                if !norm.is_finite() {
                    // Finite gradients whose squares overflow: no meaningful direction.
                    return Err(TrainError::NonFiniteGradient { step });
                }
                let c = constant::<T>(c);
                (if norm > c { c / norm } else { T::one() }, None)
            }
        };
        Ok(Prepared {
            learning_rate: self.learning_rate.at(step.saturating_sub(1)),
            scale,
            limit,
            weight_decay: constant(self.weight_decay),
        })
    }
}

/// One step's learning rate and gradient transformation, from [`Settings::prepare`].
#[derive(Debug, Clone, Copy)]
pub struct Prepared<T> {
    /// This step's learning rate.
    pub learning_rate: T,
    scale: T,
    limit: Option<T>,
    weight_decay: T,
}

impl<T: Real> Prepared<T> {
    /// `true` when [`gradient`](Prepared::gradient) returns `g` unchanged: no scaling, no
    /// clipping, no weight decay (then an update rule may skip it).
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.scale == T::one() && self.limit.is_none() && self.weight_decay == T::zero()
    }

    /// The gradient the update rule sees: clipped, then `+ λ·w`.
    #[inline]
    pub fn gradient(&self, g: T, w: T) -> T {
        let mut g = g * self.scale;
        if let Some(c) = self.limit {
            g = g.max(-c).min(c);
        }
        g + self.weight_decay * w
    }
}
