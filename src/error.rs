//! Errors for wrong input that only shows up at run time.

use core::fmt;

/// A runtime slice had the wrong number of elements for a tensor of a fixed size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthError {
    /// The number of elements the tensor type holds.
    pub expected: usize,
    /// The number of elements the slice had.
    pub found: usize,
}

impl fmt::Display for LengthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "wrong number of elements: expected {}, found {}",
            self.expected, self.found
        )
    }
}

impl core::error::Error for LengthError {}

/// Training stopped because a number became NaN or infinite; nothing was updated with it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrainError {
    /// The loss of this step (counting from 1) was NaN or infinite.
    NonFiniteLoss {
        /// The optimizer step at which it happened, counting from 1.
        step: u64,
    },
    /// A gradient of this step (counting from 1) was NaN or infinite.
    NonFiniteGradient {
        /// The optimizer step at which it happened, counting from 1.
        step: u64,
    },
    /// The inputs, the targets and the shuffling buffer must have the same length.
    Lengths {
        /// Number of inputs.
        inputs: usize,
        /// Number of targets.
        targets: usize,
        /// Length of the index buffer used for shuffling.
        order: usize,
    },
    /// The update rule would make a parameter or an optimizer state value NaN or infinite
    /// (finite inputs whose result overflows); nothing was changed.
    NonFiniteUpdate {
        /// The optimizer step at which it happened, counting from 1.
        step: u64,
    },
    /// An optimizer setting is outside the range its rule needs (in the scalar type the
    /// network uses: a value that rounds to an invalid one there counts as invalid).
    InvalidSetting {
        /// The rule that is broken, e.g. "β₂ must be in [0, 1)".
        rule: &'static str,
    },
    /// The loss grew by more than the divergence guard allows (see
    /// [`Divergence`](crate::train::Divergence)).
    Diverged {
        /// The epoch (counting from 1) whose mean loss tripped the guard.
        epoch: usize,
        /// That epoch's mean loss.
        loss: f64,
        /// The best loss so far (see [`Divergence`](crate::train::Divergence)), which it
        /// exceeded by more than the allowed factor.
        best: f64,
    },
    /// Fewer samples than one batch: an epoch would take no step.
    TooFewSamples {
        /// Number of samples.
        samples: usize,
        /// The batch size.
        batch: usize,
    },
    /// The validation set could not be evaluated after this epoch (counting from 1; `0`:
    /// before training, when its lengths are checked).
    Validation {
        /// The epoch.
        epoch: usize,
        /// Why.
        error: EvalError,
    },
}

impl fmt::Display for TrainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrainError::NonFiniteLoss { step } => write!(
                f,
                "the loss became NaN or infinite at step {step} (try a smaller learning rate)"
            ),
            TrainError::NonFiniteGradient { step } => write!(
                f,
                "a gradient became NaN or infinite at step {step}; the parameters were not updated"
            ),
            TrainError::NonFiniteUpdate { step } => write!(
                f,
                "the update of step {step} would make a parameter or an optimizer state value \
                 NaN or infinite; nothing was updated (try a smaller learning rate)"
            ),
            TrainError::InvalidSetting { rule } => {
                write!(f, "invalid optimizer setting: {rule}; nothing was updated")
            }
            // Without std the losses are left out: formatting floats would add ~13 KB of
            // flash to a microcontroller program that prints this error.
            #[cfg(feature = "std")]
            TrainError::Diverged { epoch, loss, best } => write!(
                f,
                "training diverged: the mean loss of epoch {epoch} is {loss:e}, more than the \
                 divergence guard allows above the best so far, {best:e} (try a smaller \
                 learning rate)"
            ),
            #[cfg(not(feature = "std"))]
            TrainError::Diverged { epoch, .. } => write!(
                f,
                "training diverged: the mean loss of epoch {epoch} grew more than the divergence \
                 guard allows (try a smaller learning rate)"
            ),
            TrainError::Lengths {
                inputs,
                targets,
                order,
            } => write!(
                f,
                "{inputs} inputs, {targets} targets and an index buffer of {order}: \
                 all three must have the same length"
            ),
            TrainError::TooFewSamples { samples, batch } => {
                write!(f, "{samples} samples are fewer than one batch of {batch}")
            }
            TrainError::Validation { epoch: 0, error } => {
                write!(f, "the validation set cannot be used: {error}")
            }
            TrainError::Validation { epoch, error } => {
                write!(f, "the validation set after epoch {epoch}: {error}")
            }
        }
    }
}

impl core::error::Error for TrainError {}

/// Why [`evaluate`](crate::train::evaluate) could not measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvalError {
    /// No samples: a mean over nothing is undefined.
    Empty,
    /// The inputs and the targets differ in length.
    Lengths {
        /// Number of inputs.
        inputs: usize,
        /// Number of targets.
        targets: usize,
    },
    /// The network's output or the loss for this sample (counting from 0) is NaN or infinite
    /// (a NaN input, say).
    NonFinite {
        /// The index of the sample.
        sample: usize,
    },
}

impl fmt::Display for EvalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvalError::Empty => f.write_str("nothing to evaluate: the data set is empty"),
            EvalError::Lengths { inputs, targets } => write!(
                f,
                "{inputs} inputs and {targets} targets: both must have the same length"
            ),
            EvalError::NonFinite { sample } => write!(
                f,
                "the output or the loss of sample {sample} is NaN or infinite"
            ),
        }
    }
}

impl core::error::Error for EvalError {}
