//! Softmax: a probability distribution from a vector of scores.

use super::Activation;
use crate::{Real, Vector};

/// Softmax: `yᵢ = e^{xᵢ} / Σⱼ e^{xⱼ}`, non-negative and summing to `1`.
///
/// Derivative (Jacobian): `∂yᵢ/∂xⱼ = yᵢ(δᵢⱼ − yⱼ)`, so the backward pass is
/// `dx = y ⊙ (dy − (dy·y))`. Softmax couples its elements, so it implements [`Activation`]
/// directly rather than through [`Elementwise`](super::Elementwise).
///
/// Numerically stable: the largest input is subtracted before exponentiating (softmax does
/// not change under a common shift), so every exponent is `≤ 0` and nothing overflows for
/// finite inputs; the largest input contributes `e⁰ = 1`, so the sum is at least `1`. A NaN
/// input makes every output NaN; an infinite input gives NaN.
///
/// ```
/// use typegrad::activation::{Activation, Softmax};
/// use typegrad::Vector;
/// let y = Softmax.forward(&Vector::new([1e4_f32, -1e4, 1e4]));
/// assert_eq!(y, Vector::new([0.5, 0.0, 0.5]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Softmax;

impl Activation for Softmax {
    /// `yᵢ = e^{xᵢ − m} / Σⱼ e^{xⱼ − m}` with `m = maxⱼ xⱼ`.
    fn forward<T: Real, const N: usize>(&self, x: &Vector<T, N>) -> Vector<T, N> {
        let mut y = Vector::zeros();
        crate::kernels::softmax(x.as_array(), y.as_mut_array());
        y
    }

    /// `dx = y ⊙ (dy − (dy·y))`.
    fn backward<T: Real, const N: usize>(
        &self,
        _x: &Vector<T, N>,
        y: &Vector<T, N>,
        dy: &Vector<T, N>,
    ) -> Vector<T, N> {
        let dot = dy.dot(y);
        y.zip_map(dy, |yi, dyi| yi * (dyi - dot))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::test_util::{assert_batch_forms, assert_gradient};
    use approx::{assert_abs_diff_eq, assert_relative_eq};

    const X: [f64; 4] = [1.0, 2.0, 3.0, -1.0];
    // e^{xᵢ} / (e + e² + e³ + e^{−1}) (mpmath at 40 digits, rounded to the nearest f64).
    const Y: [f64; 4] = [
        0.0889468172974043,
        0.24178251715880078,
        0.6572330228318555,
        0.012037642711939451,
    ];
    const DY: [f64; 4] = [0.5, -1.0, 2.0, 0.25];
    // yᵢ(dyᵢ − Σⱼ dyⱼyⱼ) with Y above, dy·y = 1.1201663... (mpmath).
    const DX: [f64; 4] = [
        -0.055161822834575556,
        -0.5126191563741052,
        0.5782557308038306,
        -0.010474751595149995,
    ];

    #[test]
    fn values_and_backward_f64() {
        let x = Vector::new(X);
        let y = Softmax.forward(&x);
        assert_relative_eq!(y.as_slice(), &Y[..], max_relative = 1e-15);
        assert_relative_eq!(y.sum(), 1.0, max_relative = 1e-15);
        let dx = Softmax.backward(&x, &y, &Vector::new(DY));
        assert_relative_eq!(dx.as_slice(), &DX[..], max_relative = 1e-14);
    }

    #[test]
    fn values_and_backward_f32() {
        let x = Vector::new(X.map(|v| v as f32));
        let y = Softmax.forward(&x);
        assert_relative_eq!(y.as_slice(), &Y.map(|v| v as f32)[..], max_relative = 1e-6);
        assert_relative_eq!(y.sum(), 1.0, max_relative = 1e-6);
        let dx = Softmax.backward(&x, &y, &Vector::new(DY.map(|v| v as f32)));
        assert_relative_eq!(
            dx.as_slice(),
            &DX.map(|v| v as f32)[..],
            max_relative = 1e-5
        );
    }

    #[test]
    fn shift_invariant() {
        // softmax(x + c) = softmax(x): x + 1000 has the same probabilities Y.
        let y = Softmax.forward(&Vector::new(X.map(|v| v + 1000.0)));
        assert_relative_eq!(y.as_slice(), &Y[..], max_relative = 1e-15);
    }

    #[test]
    fn uniform_and_single_inputs() {
        // Equal scores: 1/N each. One element: always 1.
        let y = Softmax.forward(&Vector::new([0.3_f64; 5]));
        assert_relative_eq!(y.as_slice(), &[0.2; 5][..], max_relative = 1e-15);
        assert_eq!(
            Softmax.forward(&Vector::new([-7.5_f32])).into_array(),
            [1.0]
        );
        assert_eq!(
            Softmax.forward(&Vector::<f64, 0>::new([])).into_array(),
            [0.0; 0]
        );
    }

    #[test]
    fn backward_of_a_constant_gradient_is_zero() {
        // Σᵢ yᵢ = 1 whatever x is, so a gradient along (1, …, 1) has no effect on x.
        let x = Vector::new(X);
        let dx = Softmax.backward(&x, &Softmax.forward(&x), &Vector::filled(2.5));
        assert_abs_diff_eq!(dx.as_slice(), &[0.0; 4][..], epsilon = 1e-15);
    }

    #[test]
    fn gradient_matches_finite_differences() {
        assert_gradient(Softmax, X, DY);
        assert_gradient(
            Softmax,
            [-2.5, 0.3, 1.7, 0.9, -0.4],
            [1.0, -2.0, 0.5, 3.0, -0.7],
        );
        assert_gradient(Softmax, [0.0, 0.0, 0.0], [1.0, 0.0, -1.5]);
    }

    #[test]
    fn batch_matches_samples() {
        assert_batch_forms(Softmax);
    }

    #[test]
    fn extreme_inputs_f64() {
        let dy = Vector::new([1.0, -2.0, 0.5, 3.0]);
        for big in [1e4, 1e30] {
            let x = Vector::new([big, -big, 0.0, big]);
            let y = Softmax.forward(&x);
            // The two maxima share the mass; e^{−big} underflows to 0 for the others.
            assert!(y.is_finite());
            assert_eq!(y.into_array(), [0.5, 0.0, 0.0, 0.5]);
            assert_eq!(y.sum(), 1.0);
            // dy·y = (1 + 3)/2 = 2: dx = (0.5·(1 − 2), 0, 0, 0.5·(3 − 2)).
            let dx = Softmax.backward(&x, &y, &dy);
            assert_eq!(dx.into_array(), [-0.5, 0.0, 0.0, 0.5]);
        }
        let y = Softmax.forward(&Vector::new([-1e30, -1e30, -1e4]));
        assert_eq!(y.into_array(), [0.0, 0.0, 1.0]);
    }

    #[test]
    fn extreme_inputs_f32() {
        let x = Vector::new([1e4_f32, -1e4, 0.0, 1e4]);
        let y = Softmax.forward(&x);
        assert!(y.is_finite());
        assert_eq!(y.into_array(), [0.5, 0.0, 0.0, 0.5]);
        assert_eq!(y.sum(), 1.0);
        let dx = Softmax.backward(&x, &y, &Vector::new([1.0, -2.0, 0.5, 3.0]));
        assert_eq!(dx.into_array(), [-0.5, 0.0, 0.0, 0.5]);
    }

    #[test]
    fn nan_propagates() {
        let y = Softmax.forward(&Vector::new([1.0, f64::NAN, 2.0]));
        assert!(y.iter().all(|v| v.is_nan()));
        // f32 (the padded, vectorized path): NaN, +∞, and all −∞ give NaN everywhere; one −∞
        // among finite values gives 0 there.
        let nan = |v: Vector<f32, 10>| Softmax.forward(&v).iter().all(|y| y.is_nan());
        let mut x = Vector::<f32, 10>::from_fn(|i| i as f32 * 0.5);
        x[7] = f32::NAN;
        assert!(nan(x));
        x[7] = f32::INFINITY;
        assert!(nan(x));
        assert!(nan(Vector::filled(f32::NEG_INFINITY)));
        x[7] = f32::NEG_INFINITY;
        let y = Softmax.forward(&x);
        assert_eq!(y[7], 0.0);
        assert_relative_eq!(y.sum(), 1.0, max_relative = 1e-6);
    }

    /// Every length up to and past the sixteen values kept in registers: a distribution, and
    /// the same as in f64 to f32 precision.
    #[test]
    fn every_length_f32() {
        fn check<const N: usize>() {
            let x = Vector::<f32, N>::from_fn(|i| (i as f32 * 1.3).sin() * 4.0);
            let y = Softmax.forward(&x);
            let y64 = Softmax.forward(&x.map(f64::from));
            assert_relative_eq!(y.sum(), 1.0, max_relative = 1e-6);
            for (a, b) in y.iter().zip(y64.iter()) {
                assert_relative_eq!(f64::from(*a), *b, max_relative = 1e-6);
            }
        }
        check::<1>();
        check::<2>();
        check::<7>();
        check::<8>();
        check::<9>();
        check::<10>();
        check::<15>();
        check::<16>();
        check::<17>();
        check::<40>();
    }
}
