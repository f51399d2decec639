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
//! Implement [`Optimizer`] with [`Settings::prepare`] (settings and gradients checked, this
//! step's learning rate) and [`update`] (an element-wise rule with any number of state values,
//! applied all or nothing), counting steps with `saturating_add`.

mod adagrad;
mod adam;
mod momentum;
#[cfg(feature = "serde")]
mod restore;
mod rmsprop;
mod schedule;
mod sgd;

pub use adagrad::AdaGrad;
pub use adam::Adam;
pub use momentum::Momentum;
#[cfg(feature = "serde")]
pub use restore::Restorable;
pub use rmsprop::RmsProp;
pub use schedule::Schedule;
pub use sgd::Sgd;

use crate::kernels;
use crate::nn::Parameters;
use crate::scalar::constant;
use crate::{Real, TrainError};

/// Updates parameters of type `P` from their gradient.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot train `{P}`: it was made for another network",
    label = "an optimizer made for another network",
    note = "an optimizer's state has the type of the network given to its `new`: make it from \
            the network you train"
)]
pub trait Optimizer<T: Real, P: Parameters<T>> {
    /// One update `w ← rule(w, ∂L/∂w)`. Returns an error, and changes nothing, if a gradient
    /// is NaN or infinite.
    fn step(&mut self, params: &mut P, grads: &P) -> Result<(), TrainError>;

    /// The number of successful steps taken so far (saturating at `u64::MAX`). Every
    /// optimizer also has it as an inherent method, `adam.steps()`.
    fn steps(&self) -> u64;

    /// How many values of the network's size the optimizer keeps as state (0 for SGD, 1 for
    /// momentum, AdaGrad and RMSprop, 2 for Adam): what
    /// [`Memory::training_bytes_for`](crate::nn::Memory::training_bytes_for) counts.
    const STATE_COPIES: usize;
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
#[cfg_attr(
    feature = "serde",
    derive(serde::Serialize, serde::Deserialize),
    serde(try_from = "crate::optim::restore::SettingsFields")
)]
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

    /// Checks every setting in the scalar type `T`: each learning rate of the schedule,
    /// the weight decay and the clipping bound finite and `≥ 0`.
    ///
    /// # Errors
    /// [`TrainError::InvalidSetting`] naming the first broken rule.
    pub fn check<T: Real>(&self) -> Result<(), TrainError> {
        self.learning_rate.check::<T>()?;
        non_negative::<T>(
            self.weight_decay,
            "the L2 weight decay must be finite and ≥ 0",
        )?;
        match self.clip {
            Clip::None => Ok(()),
            Clip::Value(c) | Clip::Norm(c) => {
                non_negative::<T>(c, "the clipping bound must be finite and ≥ 0")
            }
        }
    }

    /// Checks the settings ([`check`](Settings::check)) and returns the learning rate of step
    /// `step` (counting from 1; the schedule sees `step − 1`).
    ///
    /// # Errors
    /// [`TrainError::InvalidSetting`] for a setting outside its range or a learning rate that
    /// is not finite and `≥ 0` at this step.
    pub fn learning_rate_at<T: Real>(&self, step: u64) -> Result<T, TrainError> {
        self.check::<T>()?;
        let learning_rate: T = self.learning_rate.at(step.saturating_sub(1));
        require(
            learning_rate.is_finite() && learning_rate >= T::zero(),
            "the learning rate must be finite and ≥ 0 at every step",
        )?;
        Ok(learning_rate)
    }

    /// Checks the settings and the gradients and computes this step's learning rate and
    /// clipping factor. `step` counts from 1 (it is reported in errors); the schedule sees
    /// `step − 1`.
    ///
    /// # Errors
    /// [`TrainError::InvalidSetting`] for a setting outside its range (see
    /// [`check`](Settings::check)) or a learning rate that is not finite and `≥ 0` at this
    /// step; [`TrainError::NonFiniteGradient`] for a NaN or infinite gradient.
    pub fn prepare<T: Real, P: Parameters<T>>(
        &self,
        grads: &P,
        step: u64,
    ) -> Result<Prepared<T>, TrainError> {
        let learning_rate = self.learning_rate_at::<T>(step)?;
        // One pass over the gradient finds both whether it is finite (the largest magnitude is
        // `+∞` exactly when a value is NaN or ±∞) and the `max|g|` that `update` needs.
        let grad_max = max_abs(grads);
        if !grad_max.is_finite() {
            return Err(TrainError::NonFiniteGradient { step });
        }
        let (scale, limit) = match self.clip {
            Clip::None => (T::one(), None),
            Clip::Value(c) => (T::one(), Some(constant::<T>(c))),
            Clip::Norm(c) => {
                let mut norm_sq = T::zero();
                grads.visit(&mut |g| norm_sq = norm_sq + kernels::sum_of_squares(g));
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
            learning_rate,
            scale,
            limit,
            weight_decay: constant(self.weight_decay),
            grad_max,
        })
    }
}

/// `Ok` if `ok`, else [`TrainError::InvalidSetting`] with `rule`.
pub(crate) fn require(ok: bool, rule: &'static str) -> Result<(), TrainError> {
    if ok {
        Ok(())
    } else {
        Err(TrainError::InvalidSetting { rule })
    }
}

/// `x` in `T` is finite and `≥ 0`.
pub(crate) fn non_negative<T: Real>(x: f64, rule: &'static str) -> Result<(), TrainError> {
    let x = constant::<T>(x);
    require(x.is_finite() && x >= T::zero(), rule)
}

/// `x` in `T` is finite and `> 0`.
pub(crate) fn positive<T: Real>(x: f64, rule: &'static str) -> Result<(), TrainError> {
    let x = constant::<T>(x);
    require(x.is_finite() && x > T::zero(), rule)
}

/// `x` in `T` is in `[0, 1)` (a decay rate: `1` would never forget, or divide by `1 − 1`).
pub(crate) fn decay_rate<T: Real>(x: f64, rule: &'static str) -> Result<(), TrainError> {
    let x = constant::<T>(x);
    require(x >= T::zero() && x < T::one(), rule)
}

/// `x` is neither NaN nor ±∞ (`x − x` is exactly `0` then, NaN otherwise).
#[inline(always)]
#[allow(clippy::eq_op)]
fn finite<T: Real>(x: T) -> bool {
    (x - x) == T::zero()
}

/// Applies the element-wise rule `(w, s₁…s_K) ← rule(w, g, [s₁…s_K])` to every parameter
/// and its `K` state values, all or nothing: only if every new value is finite are they
/// stored. Otherwise [`TrainError::NonFiniteUpdate`] for `step`, and nothing changes.
///
/// `K = 0` for SGD (`state` is `[]`), `1` for momentum, AdaGrad and RMSprop, `2` for Adam.
///
/// `bound` gets the largest magnitudes in the parameters, the gradient and each state value
/// (`max|w|`, `max|g|`, `[max|sₖ|]`, found by cheap read-only passes) and returns a bound on
/// the magnitude of every value the rule can produce from them (or of any intermediate
/// result). When that bound is at most `T::MAX / 16`, nothing can overflow and the rule is
/// applied in one pass; otherwise a first pass computes every new value without writing it,
/// and only if all are finite does a second pass store them. Return `T::infinity()` to always
/// check exactly.
pub fn update<T: Real, P: Parameters<T>, const K: usize>(
    params: &mut P,
    grads: &P,
    state: [&mut P; K],
    step: u64,
    bound: impl FnOnce(T, T, [T; K]) -> T,
    rule: impl Fn(T, T, [T; K]) -> (T, [T; K]),
) -> Result<(), TrainError> {
    update_with_grad_max(params, grads, max_abs(grads), state, step, bound, rule)
}

/// [`update`] after [`Settings::prepare`] checked `grads`: the `max|g|` found by that scan,
/// instead of a scan of its own (the built-in optimizers).
pub(crate) fn update_prepared<T: Real, P: Parameters<T>, const K: usize>(
    prepared: &Prepared<T>,
    params: &mut P,
    grads: &P,
    state: [&mut P; K],
    step: u64,
    bound: impl FnOnce(T, T, [T; K]) -> T,
    rule: impl Fn(T, T, [T; K]) -> (T, [T; K]),
) -> Result<(), TrainError> {
    update_with_grad_max(params, grads, prepared.grad_max, state, step, bound, rule)
}

/// [`update`] with `max|g|` given.
fn update_with_grad_max<T: Real, P: Parameters<T>, const K: usize>(
    params: &mut P,
    grads: &P,
    grad_max: T,
    mut state: [&mut P; K],
    step: u64,
    bound: impl FnOnce(T, T, [T; K]) -> T,
    rule: impl Fn(T, T, [T; K]) -> (T, [T; K]),
) -> Result<(), TrainError> {
    let state_max = core::array::from_fn(|k| max_abs(&*state[k]));
    let largest = bound(max_abs(params), grad_max, state_max);
    if largest <= <T as num_traits::Bounded>::max_value() * constant::<T>(1.0 / 16.0) {
        params.walk(grads, state, &mut |w, g, mut s| {
            lanes(w, g, &mut s, &rule, true);
        });
        return Ok(());
    }
    let mut ok = true;
    let check = state.each_mut().map(|s| &mut **s);
    params.walk(grads, check, &mut |w, g, mut s| {
        ok &= lanes(w, g, &mut s, &rule, false);
    });
    if !ok {
        return Err(TrainError::NonFiniteUpdate { step });
    }
    params.walk(grads, state, &mut |w, g, mut s| {
        lanes(w, g, &mut s, &rule, true);
    });
    Ok(())
}

/// `max |x|` over the values of `p`, or `+∞` if one is NaN or infinite.
fn max_abs<T: Real, P: Parameters<T>>(p: &P) -> T {
    let mut max = T::zero();
    p.visit(&mut |s| {
        let m = kernels::max_abs(s);
        max = if m > max || m.is_nan() { m } else { max };
    });
    max
}

/// One slice of [`update`]: applies `rule` to every element and returns whether every new
/// value is finite; stores them only if `write`. For `K ≤ 2` the slices go to a kernel
/// ([`kernels::apply2`] and its kin, AVX2 code when the CPU has it) as separate `&mut`
/// parameters: the compiler then knows they do not overlap and vectorizes the loops (through
/// an array of slices it does not, and the update ran 5× slower).
#[inline(always)]
fn lanes<T: Real, const K: usize>(
    w: &mut [T],
    g: &[T],
    s: &mut [&mut [T]; K],
    rule: &impl Fn(T, T, [T; K]) -> (T, [T; K]),
    write: bool,
) -> bool {
    match &mut s[..] {
        [] => kernels::apply0(w, g, |w, g| rule(w, g, [T::zero(); K]).0, write),
        [a] => kernels::apply1(
            w,
            g,
            a,
            |w, g, a| {
                let (w, s) = rule(w, g, [a; K]);
                (w, s[0])
            },
            write,
        ),
        [a, b] => kernels::apply2(
            w,
            g,
            a,
            b,
            |w, g, a, b| {
                let (w, s) = rule(w, g, core::array::from_fn(|k| if k == 0 { a } else { b }));
                (w, s[0], s[K - 1])
            },
            write,
        ),
        more => {
            let mut ok = true;
            for (i, (w, &g)) in w.iter_mut().zip(g).enumerate() {
                let (new, out) = rule(*w, g, core::array::from_fn(|k| more[k][i]));
                ok &= out.iter().fold(finite(new), |ok, &s| ok & finite(s));
                if write {
                    *w = new;
                    for (s, v) in more.iter_mut().zip(out) {
                        s[i] = v;
                    }
                }
            }
            ok
        }
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
    /// `max|g|` over the gradient `prepare` checked (finite).
    grad_max: T,
}

impl<T: Real> Prepared<T> {
    /// `true` when [`gradient`](Prepared::gradient) returns `g` unchanged: no scaling, no
    /// clipping, no weight decay (then an update rule may skip it).
    #[inline]
    pub fn is_identity(&self) -> bool {
        self.scale == T::one() && self.limit.is_none() && self.weight_decay == T::zero()
    }

    /// A bound on `|gradient(g, w)|` for `|g| ≤ g_max` and `|w| ≤ w_max`.
    #[inline]
    pub fn gradient_bound(&self, g_max: T, w_max: T) -> T {
        let g = g_max * self.scale;
        let g = match self.limit {
            Some(c) => g.min(c),
            None => g,
        };
        g + self.weight_decay * w_max
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Identity;
    use crate::nn::Dense;
    use crate::{Matrix, Vector};

    type Net = Dense<f32, 3, 2, Identity>;

    fn net(w: [f32; 6], b: [f32; 2]) -> Net {
        Dense::new(
            Matrix::try_from_slice(&w).unwrap(),
            Vector::new(b),
            Identity,
        )
    }

    /// `prepare`'s one scan of the gradient: `max|g|` for finite gradients (biases included),
    /// `NonFiniteGradient` for a NaN or ±∞ anywhere.
    #[test]
    fn prepare_finds_the_largest_gradient_or_a_non_finite_one() {
        let settings = Settings::new(0.1);
        let g = net([0.5, -2.0, 1.0, 0.0, -0.0, 1.5], [0.25, -3.5]);
        let p = settings.prepare::<f32, Net>(&g, 4).unwrap();
        assert_eq!(p.grad_max, 3.5);
        for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
            for i in 0..8 {
                let mut v = [0.5f32; 8];
                v[i] = bad;
                let g = net(v[..6].try_into().unwrap(), [v[6], v[7]]);
                let err = settings.prepare::<f32, Net>(&g, 4).unwrap_err();
                assert_eq!(
                    err,
                    TrainError::NonFiniteGradient { step: 4 },
                    "{bad} at {i}"
                );
            }
        }
    }

    /// The built-in path (`max|g|` from `prepare`) and the public `update` (a scan of its own)
    /// agree: the same bits, and the same error when an update overflows.
    #[test]
    fn update_after_prepare_equals_update() {
        let settings = Settings::new(0.5).with_weight_decay(0.1);
        let rule = |p: Prepared<f32>| {
            move |w: f32, g: f32, [m]: [f32; 1]| {
                let m = 0.9 * m + p.gradient(g, w);
                (w - p.learning_rate * m, [m])
            }
        };
        let bound = |p: Prepared<f32>| {
            move |w: f32, g: f32, [m]: [f32; 1]| w + p.learning_rate * (m + p.gradient_bound(g, w))
        };
        for big in [1.0f32, 3.0e38] {
            let params = net([1.0, -2.0, big, 0.5, -0.0, 4.0], [0.25, -1.0]);
            let grads = net([0.5, 1.0, -big, 2.0, 0.0, -1.5], [1.0, 0.125]);
            let state = net([0.1, 0.0, -0.3, big, 0.0, 1.0], [0.0, 2.0]);
            let p = settings.prepare::<f32, Net>(&grads, 1).unwrap();
            let (mut w1, mut s1) = (params, state);
            let r1 = update_prepared(&p, &mut w1, &grads, [&mut s1], 1, bound(p), rule(p));
            let (mut w2, mut s2) = (params, state);
            let r2 = update(&mut w2, &grads, [&mut s2], 1, bound(p), rule(p));
            assert_eq!(r1, r2);
            assert_eq!(r1.is_err(), big > 1.0);
            let bits = |n: &Net| {
                n.weights
                    .as_slice()
                    .iter()
                    .map(|v| v.to_bits())
                    .collect::<std::vec::Vec<_>>()
            };
            assert_eq!(bits(&w1), bits(&w2));
            assert_eq!(bits(&s1), bits(&s2));
            assert_eq!(w1.bias.map(f32::to_bits), w2.bias.map(f32::to_bits));
        }
    }
}
