//! Learning-rate schedules.

use crate::optim::non_negative;
use crate::scalar::constant;
use crate::{Real, TrainError};

/// The learning rate as a function of the step `t` (counting from 0).
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Schedule {
    /// `η(t) = η₀`.
    Constant(f64),
    /// Step decay: `η(t) = η₀ · γ^⌊t / every⌋`.
    Step {
        /// `η₀`.
        initial: f64,
        /// `γ`, the factor applied every `every` steps.
        factor: f64,
        /// Steps between two decays (0 means never).
        every: u64,
    },
    /// Exponential decay: `η(t) = η₀ · γ^t`.
    Exponential {
        /// `η₀`.
        initial: f64,
        /// `γ`, the factor applied every step.
        decay: f64,
    },
    /// Cosine annealing (Loshchilov & Hutter, 2017):
    /// `η(t) = η_min + ½(η₀ − η_min)(1 + cos(π·min(t, T)/T))`.
    Cosine {
        /// `η₀`.
        initial: f64,
        /// `η_min`, reached at step `T` and kept after it.
        min: f64,
        /// `T`, the length of the schedule in steps.
        steps: u64,
    },
}

impl Schedule {
    /// Checks the schedule's numbers in the scalar type `T`: every learning rate and factor
    /// finite and `≥ 0` (a decay factor above 1 is allowed; the learning rate it reaches is
    /// checked at every step).
    ///
    /// # Errors
    /// [`TrainError::InvalidSetting`] naming the broken rule.
    pub fn check<T: Real>(&self) -> Result<(), TrainError> {
        const RATE: &str = "the learning rate must be finite and ≥ 0";
        match *self {
            Schedule::Constant(lr) => non_negative::<T>(lr, RATE),
            Schedule::Step {
                initial, factor, ..
            } => {
                non_negative::<T>(initial, RATE)?;
                non_negative::<T>(factor, "a step decay factor must be finite and ≥ 0")
            }
            Schedule::Exponential { initial, decay } => {
                non_negative::<T>(initial, RATE)?;
                non_negative::<T>(decay, "an exponential decay must be finite and ≥ 0")
            }
            Schedule::Cosine { initial, min, .. } => {
                non_negative::<T>(initial, RATE)?;
                non_negative::<T>(min, "a cosine schedule's minimum must be finite and ≥ 0")
            }
        }
    }

    /// The learning rate at step `t`.
    pub fn at<T: Real>(&self, t: u64) -> T {
        match *self {
            Schedule::Constant(lr) => constant(lr),
            Schedule::Step {
                initial,
                factor,
                every,
            } => {
                let k = t.checked_div(every).unwrap_or(0);
                constant::<T>(initial)
                    * constant::<T>(factor)
                        .powf(T::from_count(usize::try_from(k).unwrap_or(usize::MAX)))
            }
            Schedule::Exponential { initial, decay } => {
                constant::<T>(initial)
                    * constant::<T>(decay)
                        .powf(T::from_count(usize::try_from(t).unwrap_or(usize::MAX)))
            }
            Schedule::Cosine {
                initial,
                min,
                steps,
            } => {
                let progress = if steps == 0 {
                    T::one()
                } else {
                    constant::<T>(crate::scalar::ratio_f64(t.min(steps), steps))
                };
                let pi = constant::<T>(core::f64::consts::PI);
                let half = constant::<T>(0.5);
                let (hi, lo) = (constant::<T>(initial), constant::<T>(min));
                lo + half * (hi - lo) * (T::one() + (pi * progress).cos())
            }
        }
    }
}

impl From<f64> for Schedule {
    /// A constant learning rate.
    fn from(lr: f64) -> Self {
        Schedule::Constant(lr)
    }
}
