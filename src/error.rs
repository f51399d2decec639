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
