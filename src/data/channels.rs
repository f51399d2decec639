//! [`ChannelStandardizer`]: per-channel mean and standard deviation of channels × steps
//! series, to give each channel mean 0 and standard deviation 1.

use std::vec::Vec;

use super::error::DataError;
use crate::{Matrix, Real, Vector};

/// Maps each value `x[c][t]` of a `C` channels × `L` steps series to
/// `(x[c][t] − mean_c) / std_c`, with the mean and the population standard deviation of
/// channel `c` over every step of every series it was fitted on (sums in `f64`).
///
/// As with [`Standardizer`](super::Standardizer), **fit it on the training series only**. A
/// channel that is constant there gets `std = 1`.
///
/// ```
/// use typegrad::data::ChannelStandardizer;
/// use typegrad::{Matrix, Vector};
/// let train = [Matrix::new([[1.0_f32, 3.0], [10.0, 10.0]])];
/// let scaler = ChannelStandardizer::fit(&train).unwrap();
/// assert_eq!(scaler.mean, Vector::new([2.0, 10.0]));
/// assert_eq!(scaler.std, Vector::new([1.0, 1.0])); // channel 1 is constant
/// assert_eq!(scaler.transform(&train[0]), Matrix::new([[-1.0, 1.0], [0.0, 0.0]]));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelStandardizer<T, const C: usize> {
    /// The mean of each channel.
    pub mean: Vector<T, C>,
    /// The population standard deviation of each channel, or `1` for a constant channel.
    pub std: Vector<T, C>,
}

impl<T: Real, const C: usize> ChannelStandardizer<T, C> {
    /// Computes each channel's mean and population standard deviation over every step of
    /// `train` (two passes, in `f64`).
    ///
    /// # Errors
    /// [`DataError::Empty`] when `train` is empty, [`DataError::NonFiniteFeature`] (row =
    /// series, feature = `c·L + t`) for a NaN or infinite value.
    pub fn fit<const L: usize>(train: &[Matrix<T, C, L>]) -> Result<Self, DataError> {
        if train.is_empty() || L == 0 {
            return Err(DataError::Empty);
        }
        for (row, x) in train.iter().enumerate() {
            if let Some(feature) = x.as_slice().iter().position(|v| !v.is_finite()) {
                return Err(DataError::NonFiniteFeature { row, feature });
            }
        }
        let n = (train.len() * L) as f64;
        let wide = |v: T| v.to_f64().unwrap_or(f64::NAN);
        let channel = |c: usize| train.iter().flat_map(move |x| x.as_rows()[c].iter());
        let mut mean = Vector::zeros();
        let mut std = Vector::zeros();
        for c in 0..C {
            let m = channel(c).map(|&v| wide(v)).sum::<f64>() / n;
            let var = channel(c).map(|&v| (wide(v) - m).powi(2)).sum::<f64>() / n;
            let s = var.sqrt();
            mean[c] = T::from_f64(m);
            std[c] = if s > 0.0 && s.is_finite() {
                T::from_f64(s)
            } else {
                T::one()
            };
        }
        Ok(Self { mean, std })
    }

    /// `x` standardized with the fitted statistics.
    pub fn transform<const L: usize>(&self, x: &Matrix<T, C, L>) -> Matrix<T, C, L> {
        Matrix::from_fn(|c, t| (x.as_rows()[c][t] - self.mean[c]) / self.std[c])
    }

    /// Every series of `data` standardized (each replaced by its
    /// [`transform`](Self::transform)).
    pub fn transform_all<const L: usize>(&self, data: &mut [Matrix<T, C, L>]) {
        for x in data {
            *x = self.transform(x);
        }
    }

    /// The standardized copies of `data`.
    pub fn transformed<const L: usize>(&self, data: &[Matrix<T, C, L>]) -> Vec<Matrix<T, C, L>> {
        data.iter().map(|x| self.transform(x)).collect()
    }
}
