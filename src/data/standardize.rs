//! [`Standardizer`]: per-feature mean and standard deviation, to give features mean 0 and
//! standard deviation 1.

use super::dataset::Dataset;
use super::error::DataError;
use crate::{Real, Vector};

/// Maps each feature `xⱼ` to `(xⱼ − meanⱼ) / stdⱼ`, with the mean and the population standard
/// deviation of the data it was fitted on.
///
/// **Fit it on the training rows only**, then transform both the training and the test rows
/// with it. Statistics that include the test rows leak information about them into the
/// model and make the test score look better than it is.
///
/// A column that is constant in the training rows gets `std = 1`, so it maps to `0`
/// (and test values to their difference from that constant).
///
/// ```
/// use typegrad::data::{Dataset, Standardizer};
/// use typegrad::Vector;
/// let mut train = Dataset::<f64, 2>::parse_csv("a,b,y\n1,5,0\n3,5,1\n").unwrap();
/// let scaler = Standardizer::fit(&train).unwrap();
/// assert_eq!(scaler.mean, Vector::new([2.0, 5.0]));
/// assert_eq!(scaler.std, Vector::new([1.0, 1.0])); // column b is constant
/// scaler.transform_dataset(&mut train);
/// assert_eq!(train.features, [Vector::new([-1.0, 0.0]), Vector::new([1.0, 0.0])]);
/// // A test row uses the training statistics.
/// assert_eq!(scaler.transform(&Vector::new([6.0, 7.0])), Vector::new([4.0, 2.0]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Standardizer<T, const F: usize> {
    /// The mean of each feature over the fitted rows.
    pub mean: Vector<T, F>,
    /// The population standard deviation of each feature over the fitted rows, or `1` for a
    /// feature that is constant there.
    pub std: Vector<T, F>,
}

impl<T: Real, const F: usize> Standardizer<T, F> {
    /// Computes the per-feature mean and population standard deviation
    /// `√(Σ (xⱼ − meanⱼ)² / n)` of the rows of `train`.
    ///
    /// Features whose sum or squares overflow `T` (a spread beyond about `1.8e19` in `f32`,
    /// `1e154` in `f64`) are measured on the column divided by its largest magnitude, so the
    /// statistics stay finite for any finite data.
    ///
    /// # Errors
    /// [`DataError::Empty`] when `train` has no rows, [`DataError::NonFiniteFeature`] when a
    /// feature value is NaN or infinite (possible for a dataset built in code; parsed ones
    /// refuse such values).
    pub fn fit(train: &Dataset<T, F>) -> Result<Self, DataError> {
        let Some(first) = train.features.first() else {
            return Err(DataError::Empty);
        };
        for (row, x) in train.features.iter().enumerate() {
            if let Some(feature) = x.iter().position(|v| !v.is_finite()) {
                return Err(DataError::NonFiniteFeature { row, feature });
            }
        }
        let n = T::from_count(train.len());
        let (mut mean, mut std) = (Vector::<T, F>::zeros(), Vector::<T, F>::zeros());
        for j in 0..F {
            let column = train.features.iter().map(|x| x[j]);
            let (m, s) = moments(column.clone(), n);
            (mean[j], std[j]) = if m.is_finite() && s.is_finite() {
                (m, s)
            } else {
                // The sum or the squares overflowed (a spread beyond ~1.8e19 in f32): the
                // same on the column divided by its largest magnitude `a`, scaled back.
                let a = column.clone().fold(T::zero(), |a, v| a.max(v.abs()));
                let (m, s) = moments(column.map(|v| v / a), n);
                (m * a, (s * a).min(<T as num_traits::Bounded>::max_value()))
            };
        }
        for j in 0..F {
            // Checked exactly: for a constant column the computed mean can differ from the
            // constant by a rounding error, which would blow up after dividing by a tiny std.
            if train.features.iter().all(|x| x[j] == first[j]) {
                mean[j] = first[j];
                std[j] = T::one();
            } else if std[j] == T::zero() {
                // Spread too small for `T` (the squares underflowed): leave the scale alone.
                std[j] = T::one();
            }
        }
        Ok(Self { mean, std })
    }

    /// `(xⱼ − meanⱼ) / stdⱼ` for each feature (as `xⱼ/stdⱼ − meanⱼ/stdⱼ` where `xⱼ − meanⱼ`
    /// overflows, so finite data standardizes to finite values).
    #[inline]
    pub fn transform(&self, x: &Vector<T, F>) -> Vector<T, F> {
        Vector::from_fn(|j| {
            let d = x[j] - self.mean[j];
            if d.is_finite() {
                d / self.std[j]
            } else {
                // `x − mean` overflowed (both near ±3.4e38 in f32, opposite signs): the same
                // quotient, divided first. A non-finite `x` stays non-finite.
                x[j] / self.std[j] - self.mean[j] / self.std[j]
            }
        })
    }

    /// Transforms the features of every row of `data` in place (the targets are unchanged).
    pub fn transform_dataset(&self, data: &mut Dataset<T, F>) {
        for x in &mut data.features {
            *x = self.transform(x);
        }
    }
}

/// The mean `m = Σ v / n` and the population standard deviation `√(Σ (v − m)² / n)` of a
/// column, in that order of operations.
fn moments<T: Real>(column: impl Iterator<Item = T> + Clone, n: T) -> (T, T) {
    let mean = column.clone().fold(T::zero(), |acc, v| acc + v) / n;
    let var = column.fold(T::zero(), |acc, v| {
        let d = v - mean;
        acc + d * d
    }) / n;
    (mean, var.sqrt())
}
