//! Deserialization that validates (the `serde` feature): restored settings and optimizer state
//! must be state a run can reach, or the load fails with the broken rule.
//!
//! Tensors already refuse NaN and ±∞ when deserialized. On top of that:
//! - [`Settings`]: every learning rate, factor, weight decay and clipping bound finite and
//!   `≥ 0` (checked in `f64`; each step checks again in the network's scalar type).
//! - [`Momentum`], [`AdaGrad`], [`RmsProp`], [`Adam`]: their settings in the network's scalar
//!   type (`β₁, β₂, ρ, μ ∈ [0, 1)`, `ε > 0`: see their `check`), and the state values a rule
//!   needs non-negative (AdaGrad's sum of squares, RMSprop's mean square, Adam's second
//!   moment), since a negative one would put the square root of a negative number into a step.
//! - Step counters take any value: they saturate at `u64::MAX` instead of wrapping.
//!
//! Each type deserializes as a mirror of its fields (`*Fields` here, `serde(try_from)` on the
//! type) that is checked on the way to the real type, so no path skips the check.

use serde::Deserialize;

use crate::nn::{Parameters, ScalarOf};
use crate::optim::{AdaGrad, Adam, Clip, Momentum, RmsProp, Schedule, Settings};
use crate::{Real, TrainError};

/// A network whose optimizer state can be restored with serde: its scalar type is known
/// ([`ScalarOf`]) and real, so the state can be checked in it. Every network of the crate's
/// layers is one.
pub trait Restorable: ScalarOf<Scalar: Real> + Parameters<<Self as ScalarOf>::Scalar> {}

impl<P: ScalarOf<Scalar: Real> + Parameters<<P as ScalarOf>::Scalar>> Restorable for P {}

/// Why a restored value was refused: the broken rule, as text.
pub struct Refused(&'static str);

impl core::fmt::Display for Refused {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.0)
    }
}

impl From<TrainError> for Refused {
    fn from(e: TrainError) -> Self {
        match e {
            TrainError::InvalidSetting { rule } => Refused(rule),
            _ => Refused("invalid optimizer state"),
        }
    }
}

/// `Err` with `what` unless every value of `state` is `≥ 0`.
fn non_negative<P: Restorable>(state: &P, what: &'static str) -> Result<(), Refused> {
    let mut ok = true;
    state.visit(&mut |s| {
        ok &= s
            .iter()
            .all(|&x| x >= <P::Scalar as num_traits::Zero>::zero())
    });
    if ok { Ok(()) } else { Err(Refused(what)) }
}

/// The fields of [`Settings`].
#[derive(Deserialize)]
pub struct SettingsFields {
    learning_rate: Schedule,
    weight_decay: f64,
    clip: Clip,
}

#[doc(hidden)]
impl TryFrom<SettingsFields> for Settings {
    type Error = Refused;

    fn try_from(f: SettingsFields) -> Result<Self, Refused> {
        let settings = Settings {
            learning_rate: f.learning_rate,
            weight_decay: f.weight_decay,
            clip: f.clip,
        };
        settings.check::<f64>()?;
        Ok(settings)
    }
}

/// The fields of [`Momentum`].
#[derive(Deserialize)]
pub struct MomentumFields<P> {
    settings: Settings,
    momentum: f64,
    nesterov: bool,
    velocity: P,
    steps: u64,
}

#[doc(hidden)]
impl<P: Restorable> TryFrom<MomentumFields<P>> for Momentum<P> {
    type Error = Refused;

    fn try_from(f: MomentumFields<P>) -> Result<Self, Refused> {
        let optimizer = Momentum {
            settings: f.settings,
            momentum: f.momentum,
            nesterov: f.nesterov,
            velocity: f.velocity,
            steps: f.steps,
        };
        optimizer.check::<P::Scalar>()?;
        Ok(optimizer)
    }
}

/// The fields of [`AdaGrad`].
#[derive(Deserialize)]
pub struct AdaGradFields<P> {
    settings: Settings,
    epsilon: f64,
    sum_sq: P,
    steps: u64,
}

#[doc(hidden)]
impl<P: Restorable> TryFrom<AdaGradFields<P>> for AdaGrad<P> {
    type Error = Refused;

    fn try_from(f: AdaGradFields<P>) -> Result<Self, Refused> {
        let optimizer = AdaGrad {
            settings: f.settings,
            epsilon: f.epsilon,
            sum_sq: f.sum_sq,
            steps: f.steps,
        };
        optimizer.check::<P::Scalar>()?;
        non_negative(
            &optimizer.sum_sq,
            "AdaGrad's sum of squared gradients has a negative value; a sum of squares cannot",
        )?;
        Ok(optimizer)
    }
}

/// The fields of [`RmsProp`].
#[derive(Deserialize)]
pub struct RmsPropFields<P> {
    settings: Settings,
    rho: f64,
    epsilon: f64,
    mean_sq: P,
    steps: u64,
}

#[doc(hidden)]
impl<P: Restorable> TryFrom<RmsPropFields<P>> for RmsProp<P> {
    type Error = Refused;

    fn try_from(f: RmsPropFields<P>) -> Result<Self, Refused> {
        let optimizer = RmsProp {
            settings: f.settings,
            rho: f.rho,
            epsilon: f.epsilon,
            mean_sq: f.mean_sq,
            steps: f.steps,
        };
        optimizer.check::<P::Scalar>()?;
        non_negative(
            &optimizer.mean_sq,
            "RMSprop's mean square of the gradients has a negative value; a mean of squares \
             cannot",
        )?;
        Ok(optimizer)
    }
}

/// The fields of [`Adam`].
#[derive(Deserialize)]
pub struct AdamFields<P> {
    settings: Settings,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    decoupled_weight_decay: f64,
    m: P,
    v: P,
    steps: u64,
}

#[doc(hidden)]
impl<P: Restorable> TryFrom<AdamFields<P>> for Adam<P> {
    type Error = Refused;

    fn try_from(f: AdamFields<P>) -> Result<Self, Refused> {
        let optimizer = Adam {
            settings: f.settings,
            beta1: f.beta1,
            beta2: f.beta2,
            epsilon: f.epsilon,
            decoupled_weight_decay: f.decoupled_weight_decay,
            m: f.m,
            v: f.v,
            steps: f.steps,
        };
        optimizer.check::<P::Scalar>()?;
        non_negative(
            &optimizer.v,
            "Adam's second moment estimate has a negative value; a mean of squares cannot",
        )?;
        Ok(optimizer)
    }
}
