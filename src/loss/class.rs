//! [`Class<N>`]: a class label checked to be one of `N` classes.

use core::fmt;

use crate::{Scalar, Vector};

/// A class label `c` with `c < N`, checked once when it is made.
///
/// The number of classes is part of the type, so a label for 10 classes cannot be compared
/// with a prediction of 3 logits.
///
/// ```
/// use typegrad::loss::{Class, ClassError};
/// use typegrad::Vector;
/// let c = Class::<4>::new(2).unwrap();
/// assert_eq!(c.index(), 2);
/// assert_eq!(c.one_hot::<f32>(), Vector::new([0.0, 0.0, 1.0, 0.0]));
/// assert_eq!(Class::<4>::new(4), Err(ClassError { label: 4, classes: 4 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "usize", into = "usize"))]
pub struct Class<const N: usize> {
    index: usize,
}

impl<const N: usize> Class<N> {
    /// Number of classes, `N`.
    pub const CLASSES: usize = N;

    /// The label `index`, or a [`ClassError`] when `index ≥ N`.
    #[inline]
    pub const fn new(index: usize) -> Result<Self, ClassError> {
        if index < N {
            Ok(Self { index })
        } else {
            Err(ClassError {
                label: index,
                classes: N,
            })
        }
    }

    /// The label as a number in `0..N`.
    #[inline]
    pub const fn index(self) -> usize {
        self.index
    }

    /// The one-hot encoding: `1` at [`index`](Class::index), `0` elsewhere.
    #[inline]
    pub fn one_hot<T: Scalar>(self) -> Vector<T, N> {
        Vector::from_fn(|i| if i == self.index { T::one() } else { T::zero() })
    }
}

impl<const N: usize> TryFrom<usize> for Class<N> {
    type Error = ClassError;
    #[inline]
    fn try_from(index: usize) -> Result<Self, ClassError> {
        Self::new(index)
    }
}

impl<const N: usize> From<Class<N>> for usize {
    #[inline]
    fn from(c: Class<N>) -> usize {
        c.index
    }
}

/// A class label was not below the number of classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClassError {
    /// The label that was given.
    pub label: usize,
    /// The number of classes; valid labels are `0..classes`.
    pub classes: usize,
}

impl fmt::Display for ClassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.classes == 1 {
            "class"
        } else {
            "classes"
        };
        write!(
            f,
            "class label {} is out of range for {} {noun}",
            self.label, self.classes
        )
    }
}

impl core::error::Error for ClassError {}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    #[test]
    fn labels_below_n_are_accepted() {
        for i in 0..10 {
            let c = Class::<10>::new(i).unwrap();
            assert_eq!(c.index(), i);
            assert_eq!(usize::from(c), i);
            assert_eq!(Class::<10>::try_from(i), Ok(c));
        }
    }

    #[test]
    fn labels_at_or_above_n_are_errors() {
        assert_eq!(
            Class::<10>::new(10),
            Err(ClassError {
                label: 10,
                classes: 10
            })
        );
        assert_eq!(
            Class::<10>::new(12),
            Err(ClassError {
                label: 12,
                classes: 10
            })
        );
        assert_eq!(
            Class::<10>::try_from(usize::MAX).unwrap_err().label,
            usize::MAX
        );
        // No label fits zero classes.
        assert!(Class::<0>::new(0).is_err());
    }

    #[test]
    fn error_message() {
        let err = Class::<10>::new(12).unwrap_err();
        assert_eq!(
            err.to_string(),
            "class label 12 is out of range for 10 classes"
        );
        assert_eq!(
            Class::<1>::new(3).unwrap_err().to_string(),
            "class label 3 is out of range for 1 class"
        );
        let _: &dyn core::error::Error = &err;
    }

    #[test]
    fn one_hot() {
        let c = Class::<3>::new(1).unwrap();
        assert_eq!(c.one_hot::<f64>(), Vector::new([0.0, 1.0, 0.0]));
        assert_eq!(c.one_hot::<i32>(), Vector::new([0, 1, 0]));
    }
}
