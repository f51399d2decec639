//! Deserialization that validates (the `serde` feature): restored settings and optimizer state
//! must be state a run can reach, or the load fails with the broken rule.
//!
//! Tensors already refuse NaN and ±∞ when deserialized. On top of that:
//! - [`Settings`]: every learning rate, factor, weight decay and clipping bound finite and
//!   `≥ 0` (checked in `f64`; the step checks again in the network's scalar type).
//! - [`Momentum`], [`AdaGrad`], [`RmsProp`], [`Adam`]: their own settings in the network's
//!   scalar type (`β₁, β₂, ρ, μ ∈ [0, 1)`, `ε > 0`, see their `check`), and the state values a
//!   rule needs non-negative (AdaGrad's sum of squares, RMSprop's mean square, Adam's second
//!   moment) — a negative one would put the square root of a negative number into the step.
//! - Step counters accept any value: they saturate at `u64::MAX` instead of wrapping.
//!
//! Each type derives its fields' impls with `serde(remote = "Self")` (inherent functions) and
//! the trait impls here call them, then check.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::nn::{Parameters, ScalarOf};
use crate::optim::{AdaGrad, Adam, Momentum, RmsProp, Settings};
use crate::{Real, TrainError};

/// The rule of an [`TrainError::InvalidSetting`], as a deserialization error.
fn invalid<E: serde::de::Error>(e: TrainError) -> E {
    match e {
        TrainError::InvalidSetting { rule } => E::custom(rule),
        other => E::custom(other),
    }
}

/// `true` when every value of `state` is `≥ 0`.
fn non_negative<T: Real, P: Parameters<T>>(state: &P) -> bool {
    let mut ok = true;
    state.visit(&mut |s| ok &= s.iter().all(|&x| x >= T::zero()));
    ok
}

impl Serialize for Settings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Settings::serialize(self, serializer)
    }
}

impl<'de> Deserialize<'de> for Settings {
    /// The fields, then [`Settings::check`] in `f64`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let settings = Settings::deserialize(deserializer)?;
        settings.check::<f64>().map_err(invalid)?;
        Ok(settings)
    }
}

/// `Serialize` through the derived inherent function, and `Deserialize` through it followed by
/// the type's `check` in the network's scalar type and, for the named state, a check that
/// every value is `≥ 0`.
macro_rules! validated {
    ($name:ident $(, $state:ident: $what:literal)?) => {
        impl<P: Serialize> Serialize for $name<P> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                $name::serialize(self, serializer)
            }
        }

        impl<'de, P> Deserialize<'de> for $name<P>
        where
            P: Deserialize<'de> + ScalarOf + Parameters<<P as ScalarOf>::Scalar>,
            <P as ScalarOf>::Scalar: Real,
        {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let optimizer = $name::deserialize(deserializer)?;
                optimizer
                    .check::<<P as ScalarOf>::Scalar>()
                    .map_err(invalid)?;
                $(
                    if !non_negative(&optimizer.$state) {
                        return Err(D::Error::custom(concat!(
                            $what,
                            " has a negative value; it is a sum of squares and cannot be"
                        )));
                    }
                )?
                Ok(optimizer)
            }
        }
    };
}

validated!(Momentum);
validated!(AdaGrad, sum_sq: "AdaGrad's sum of squared gradients");
validated!(RmsProp, mean_sq: "RMSprop's mean square of the gradients");
validated!(Adam, v: "Adam's second moment estimate");
