//! The exponential linear unit.

use super::{Elementwise, constant};
use crate::Real;

/// The exponential linear unit: `y = x` for `x > 0`, `y = α(e^{x} − 1)` for `x ≤ 0`.
///
/// Derivative: `dy/dx = 1` for `x > 0`, `αe^{x} = y + α` for `x ≤ 0` (the point `0` gets `α`;
/// the derivative is continuous there only for `α = 1`). The default `α` is `1`.
/// `e^{x} − 1` is evaluated with `exp_m1`, accurate near `0`.
///
/// ```
/// use typegrad::activation::{Activation, Elu};
/// use typegrad::Vector;
/// let y = Elu::default().forward(&Vector::new([2.0_f64, 0.0, -1e4]));
/// assert_eq!(y.into_array(), [2.0, 0.0, -1.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Elu {
    /// The scale `α` of the negative part, which tends to `−α` as `x → −∞`.
    #[cfg_attr(
        feature = "serde",
        serde(deserialize_with = "crate::interop::serde_impls::finite")
    )]
    pub alpha: f64,
}

impl Elu {
    /// An ELU with the given `α`.
    #[inline]
    pub const fn new(alpha: f64) -> Self {
        Self { alpha }
    }
}

impl Default for Elu {
    /// `α = 1`.
    #[inline]
    fn default() -> Self {
        Self::new(1.0)
    }
}

impl Elementwise for Elu {
    /// `f(x) = x` for `x > 0`, else `α(e^{x} − 1)`.
    #[inline]
    fn value<T: Real>(&self, x: T) -> T {
        if x > T::zero() {
            x
        } else {
            constant::<T>(self.alpha) * x.exp_m1()
        }
    }

    /// `f'(x) = 1` for `x > 0`, else `αe^{x}`.
    #[inline]
    fn derivative<T: Real>(&self, x: T, _y: T) -> T {
        if x > T::zero() {
            T::one()
        } else {
            constant::<T>(self.alpha) * x.exp()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Vector;
    use crate::activation::Activation;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient, derivatives};
    use approx::assert_relative_eq;

    const X: [f64; 7] = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0];
    // α = 1: e^{x} − 1 for x ≤ 0 (mpmath at 40 digits, rounded to the nearest f64), x for x > 0.
    const Y: [f64; 7] = [
        -0.950212931632136,
        -0.6321205588285577,
        -0.3934693402873666,
        0.0,
        0.5,
        1.0,
        2.0,
    ];
    // α = 1: e^{x} for x ≤ 0 (e⁰ = 1 at x = 0), 1 for x > 0.
    const DYDX: [f64; 7] = [
        0.049787068367863943,
        0.36787944117144232,
        0.6065306597126334,
        1.0,
        1.0,
        1.0,
        1.0,
    ];

    #[test]
    fn values_and_derivatives_f64() {
        let x = Vector::new(X);
        assert_relative_eq!(
            Elu::default().forward(&x).as_slice(),
            &Y[..],
            max_relative = 1e-15
        );
        assert_relative_eq!(
            derivatives(Elu::default(), &x).as_slice(),
            &DYDX[..],
            max_relative = 1e-15
        );
    }

    #[test]
    fn values_and_derivatives_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let (y, d) = (Y.map(|v| v as f32), DYDX.map(|v| v as f32));
        assert_relative_eq!(
            Elu::default().forward(&x).as_slice(),
            &y[..],
            max_relative = 1e-6
        );
        assert_relative_eq!(
            derivatives(Elu::default(), &x).as_slice(),
            &d[..],
            max_relative = 1e-6
        );
    }

    #[test]
    fn other_alpha() {
        // α = 0.5: half of Y and DYDX on the negative side (0.5 at x = 0), unchanged for x > 0.
        let act = Elu::new(0.5);
        let x = Vector::new(X);
        let y: [f64; 7] = core::array::from_fn(|i| if X[i] > 0.0 { Y[i] } else { 0.5 * Y[i] });
        let d: [f64; 7] = core::array::from_fn(|i| if X[i] > 0.0 { 1.0 } else { 0.5 * DYDX[i] });
        assert_relative_eq!(act.forward(&x).as_slice(), &y[..], max_relative = 1e-15);
        assert_relative_eq!(
            derivatives(act, &x).as_slice(),
            &d[..],
            max_relative = 1e-15
        );
    }

    #[test]
    fn default_alpha_is_one() {
        assert_eq!(Elu::default(), Elu::new(1.0));
    }

    #[test]
    fn accurate_near_zero() {
        // e^{−1e-10} − 1 = −9.9999999995e-11 (series: −x + x²/2), lost by a plain exp − 1.
        assert_relative_eq!(
            Elu::default().value(-1e-10_f64),
            -9.9999999995e-11,
            max_relative = 1e-15
        );
    }

    #[test]
    fn gradient_matches_finite_differences() {
        let xg = [-3.0, -1.0, -0.5, -1e-3, 1e-3, 1.0, 2.0];
        let dy = [0.7, -1.3, 2.0, 0.4, -0.9, 1.5, -0.25];
        assert_gradient(Elu::default(), xg, dy);
        assert_gradient(Elu::new(0.5), xg, dy);
        assert_gradient(Elu::new(2.0), xg, dy);
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Elu::default());
        assert_batch_forms(Elu::new(0.5));
    }

    #[test]
    fn extreme_inputs() {
        // x for x > 0; α(e^{x} − 1) → −α once e^{x} underflows; slope 1 or αe^{x} → 0.
        let act = Elu::new(0.5);
        let x = Vector::new([1e4, -1e4, 1e30, -1e30]);
        assert_eq!(act.forward(&x).into_array(), [1e4, -0.5, 1e30, -0.5]);
        assert_eq!(derivatives(act, &x).into_array(), [1.0, 0.0, 1.0, 0.0]);
        let x32 = Vector::new([1e4_f32, -1e4]);
        assert_eq!(act.forward(&x32).into_array(), [1e4, -0.5]);
        assert_eq!(derivatives(act, &x32).into_array(), [1.0, 0.0]);
    }
}
