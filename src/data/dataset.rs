//! [`Dataset<T, F>`]: rows of `F` features and one target, read from CSV.

use std::format;
use std::path::Path;
use std::string::ToString;
use std::vec;
use std::vec::Vec;

use num_traits::NumCast;

use super::error::DataError;
use super::lines::{is_blank, numbered};
use super::split::Split;
use crate::loss::Class;
use crate::shape::{ProdSize, SameSize, Size, Times};
use crate::{Matrix, Real, Vector};

/// A table of rows, each `F` features and one target: row `i` is
/// `(features[i], targets[i])`.
///
/// For classification the target is a class label (`0`, `1`, ...) stored as a number; turn
/// it into labels with [`class_labels`](Dataset::class_labels) or
/// [`one_hot`](Dataset::one_hot). For regression it is the value to predict.
///
/// `features` and `targets` always have the same length (keep it that way when editing them
/// directly).
///
/// ```
/// use typegrad::data::Dataset;
/// use typegrad::Vector;
/// let csv = "x1,x2,label\n1,2,0\n3.5,-4,1\n";
/// let data = Dataset::<f32, 2>::parse_csv(csv).unwrap();
/// assert_eq!(data.len(), 2);
/// assert_eq!(data.features[1], Vector::new([3.5, -4.0]));
/// assert_eq!(data.targets, [0.0, 1.0]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset<T, const F: usize> {
    /// The feature vector of each row, in file order.
    pub features: Vec<Vector<T, F>>,
    /// The target (label or regression value) of each row, in file order.
    pub targets: Vec<T>,
}

impl<T, const F: usize> Dataset<T, F> {
    /// The number of rows.
    #[inline]
    pub fn len(&self) -> usize {
        self.features.len()
    }

    /// `true` when there are no rows.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }
}

impl<T: Real, const F: usize> Dataset<T, F> {
    /// Reads a CSV text: a header line of `F + 1` column names, then one line per row with
    /// `F` feature values and, last, the target.
    ///
    /// Fields are separated by commas (no quoting); spaces around a field are ignored, and
    /// lines may end in `\n` or `\r\n`. Empty lines are allowed only at the end of the text.
    /// Every value is read as an `f64` and converted to `T`.
    ///
    /// # Errors
    /// [`DataError::Header`] when the header does not have `F + 1` columns,
    /// [`DataError::FieldCount`] for a row with too few or too many fields,
    /// [`DataError::EmptyLine`] for an empty line followed by more data,
    /// [`DataError::Number`] for a field that is not a number,
    /// [`DataError::NonFinite`] for NaN or an infinity, and [`DataError::OutOfRange`] for a
    /// number `T` cannot hold. Each names the line (counting from 1, the header being line 1)
    /// and, for a bad field, the column and the text.
    pub fn parse_csv(text: &str) -> Result<Self, DataError> {
        let expected = F + 1;
        let mut lines = numbered(text);
        let header: Vec<&str> = match lines.next() {
            Some((_, line)) if !is_blank(line) => line.split(',').map(str::trim).collect(),
            _ => Vec::new(),
        };
        if header.len() != expected {
            return Err(DataError::Header {
                found: header.len(),
                expected,
            });
        }

        let mut features = Vec::new();
        let mut targets = Vec::new();
        for (line, content) in lines {
            if is_blank(content) {
                return Err(DataError::EmptyLine { line });
            }
            let found = content.split(',').count();
            if found != expected {
                return Err(DataError::FieldCount {
                    line,
                    found,
                    expected,
                });
            }
            let mut row = [T::zero(); F];
            let mut target = T::zero();
            for (column, field) in content.split(',').enumerate() {
                let value = parse_field(field.trim(), line, column, &header)?;
                match row.get_mut(column) {
                    Some(slot) => *slot = value,
                    None => target = value,
                }
            }
            features.push(Vector::new(row));
            targets.push(target);
        }
        Ok(Self { features, targets })
    }

    /// Reads a CSV file; see [`parse_csv`](Dataset::parse_csv) for the format.
    ///
    /// ```
    /// use typegrad::data::Dataset;
    /// let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/iris.csv");
    /// let iris = Dataset::<f32, 4>::load_csv(path)?;
    /// assert_eq!(iris.len(), 150);
    /// # Ok::<(), typegrad::data::DataError>(())
    /// ```
    ///
    /// # Errors
    /// [`DataError::Io`] when the file cannot be read (with the path and the system's
    /// message), otherwise the errors of [`parse_csv`](Dataset::parse_csv).
    pub fn load_csv(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::parse_csv(&super::read_to_string(path.as_ref())?)
    }

    /// Divides the rows into `(train, test)` by a [`Split`], keeping the file order within
    /// each part.
    ///
    /// # Errors
    /// [`DataError::SplitLength`] when the split does not have one entry per row.
    pub fn split(&self, split: &Split) -> Result<(Self, Self), DataError> {
        if split.len() != self.len() {
            return Err(DataError::SplitLength {
                split: split.len(),
                rows: self.len(),
            });
        }
        let mut train = Self::with_capacity(split.train_count());
        let mut test = Self::with_capacity(split.test_count());
        let rows = self.features.iter().zip(&self.targets);
        for ((x, &t), &is_test) in rows.zip(&split.is_test) {
            let part = if is_test { &mut test } else { &mut train };
            part.features.push(*x);
            part.targets.push(t);
        }
        Ok((train, test))
    }

    /// Carves `rows` rows out of this dataset (the training rows, typically) for validation,
    /// chosen at random with `seed`: `(rest, held_out)`, each keeping the file order. The same
    /// seed gives the same split.
    ///
    /// ```
    /// use typegrad::data::Dataset;
    /// let data = Dataset::<f64, 1>::parse_csv("x,y\n0,0\n1,1\n2,0\n3,1\n4,0\n").unwrap();
    /// let (train, validation) = data.hold_out(2, 7).unwrap();
    /// assert_eq!((train.len(), validation.len()), (3, 2));
    /// assert_eq!(data.hold_out(2, 7).unwrap(), (train, validation)); // reproducible
    /// assert!(data.hold_out(5, 7).is_err()); // nothing left to train on
    /// ```
    ///
    /// # Errors
    /// [`DataError::HoldOut`] unless `1 ≤ rows < len()`.
    pub fn hold_out(&self, rows: usize, seed: u64) -> Result<(Self, Self), DataError> {
        if rows == 0 || rows >= self.len() {
            return Err(DataError::HoldOut {
                rows,
                available: self.len(),
            });
        }
        let mut order: Vec<usize> = (0..self.len()).collect();
        crate::init::Rng::new(seed).shuffle(&mut order);
        let mut held = vec![false; self.len()];
        for &k in &order[..rows] {
            held[k] = true;
        }
        let mut rest = Self::with_capacity(self.len() - rows);
        let mut out = Self::with_capacity(rows);
        for (k, (x, &t)) in self.features.iter().zip(&self.targets).enumerate() {
            let part = if held[k] { &mut out } else { &mut rest };
            part.features.push(*x);
            part.targets.push(t);
        }
        Ok((rest, out))
    }

    /// Each row's `F` features as `C` channels × `L` steps (channel after channel, as
    /// `x[c·L + t]`): the samples of a 1-D network that starts with `Input<Signal<C, L>>`.
    /// `C · L` must be `F` (checked at compile time; up to 1024).
    ///
    /// ```
    /// use typegrad::data::Dataset;
    /// use typegrad::Matrix;
    /// let data = Dataset::<f32, 6>::parse_csv("a,b,c,d,e,f,y\n1,2,3,4,5,6,0\n").unwrap();
    /// let series: Vec<Matrix<f32, 2, 3>> = data.signals();
    /// assert_eq!(series[0], Matrix::new([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    /// ```
    pub fn signals<const C: usize, const L: usize>(&self) -> Vec<Matrix<T, C, L>>
    where
        Size<C>: Times<Size<L>>,
        ProdSize<Size<C>, Size<L>>: SameSize<Size<F>>,
    {
        self.features.iter().map(|x| x.reshape()).collect()
    }

    /// The targets as class labels for `N` classes.
    ///
    /// ```
    /// use typegrad::data::Dataset;
    /// let data = Dataset::<f64, 1>::parse_csv("x,label\n0.5,2\n0.1,0\n").unwrap();
    /// let labels = data.class_labels::<3>().unwrap();
    /// assert_eq!(labels.iter().map(|c| c.index()).collect::<Vec<_>>(), [2, 0]);
    /// assert!(data.class_labels::<2>().is_err());
    /// ```
    ///
    /// # Errors
    /// [`DataError::Label`] for the first target that is not an integer in `0..N`, with its
    /// row index (counting from 0) and value.
    pub fn class_labels<const N: usize>(&self) -> Result<Vec<Class<N>>, DataError> {
        self.targets
            .iter()
            .enumerate()
            .map(|(row, &t)| {
                let value = t.to_f64().unwrap_or(f64::NAN);
                if value >= 0.0 && value.fract() == 0.0 && value < N as f64 {
                    if let Ok(label) = Class::new(value as usize) {
                        return Ok(label);
                    }
                }
                Err(DataError::Label {
                    row,
                    value,
                    classes: N,
                })
            })
            .collect()
    }

    /// The targets as one-hot vectors for `N` classes: `1` at the label, `0` elsewhere.
    ///
    /// # Errors
    /// As [`class_labels`](Dataset::class_labels).
    pub fn one_hot<const N: usize>(&self) -> Result<Vec<Vector<T, N>>, DataError> {
        Ok(self
            .class_labels::<N>()?
            .into_iter()
            .map(Class::one_hot)
            .collect())
    }

    /// Multiplies every feature (not the targets) by `factor`, e.g. `1/16` to bring the
    /// digits' pixel counts into `[0, 1]`.
    pub fn scale(&mut self, factor: T) {
        for x in &mut self.features {
            *x = x.scale(factor);
        }
    }

    fn with_capacity(rows: usize) -> Self {
        Self {
            features: Vec::with_capacity(rows),
            targets: Vec::with_capacity(rows),
        }
    }
}

/// Reads one trimmed field of data line `line` (column `column`, counting from 0).
fn parse_field<T: Real>(
    text: &str,
    line: usize,
    column: usize,
    header: &[&str],
) -> Result<T, DataError> {
    let name = || match header.get(column) {
        Some(name) if !name.is_empty() => (*name).to_string(),
        _ => format!("#{}", column + 1),
    };
    let Ok(value) = text.parse::<f64>() else {
        return Err(DataError::Number {
            line,
            column: name(),
            text: text.to_string(),
        });
    };
    if !value.is_finite() {
        return Err(DataError::NonFinite {
            line,
            column: name(),
            text: text.to_string(),
        });
    }
    <T as NumCast>::from(value)
        .filter(|v| v.is_finite())
        .ok_or_else(|| DataError::OutOfRange {
            line,
            column: name(),
            text: text.to_string(),
        })
}
