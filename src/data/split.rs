//! [`Split`]: which rows of a dataset are for training and which for testing.

use std::path::Path;
use std::string::ToString;
use std::vec::Vec;

use super::error::DataError;
use super::lines::numbered;

/// A fixed train/test assignment: entry `i` says whether data row `i` is a test row.
///
/// Read it from a split file with one word per data row, `train` or `test`, and apply it
/// with [`Dataset::split`](super::Dataset::split).
///
/// ```
/// use typegrad::data::Split;
/// let split = Split::parse("train\ntest\ntrain\n").unwrap();
/// assert_eq!(split.is_test, [false, true, false]);
/// assert_eq!((split.train_count(), split.test_count()), (2, 1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Split {
    /// `true` for each test row, `false` for each training row, in data-row order.
    pub is_test: Vec<bool>,
}

impl Split {
    /// Reads a split text: one line per data row, `train` or `test`.
    ///
    /// Spaces around the word are ignored, lines may end in `\n` or `\r\n`, and empty lines
    /// are allowed only at the end.
    ///
    /// # Errors
    /// [`DataError::SplitWord`] for the first line that is something else (including an
    /// empty line followed by more lines), with its line number counting from 1.
    pub fn parse(text: &str) -> Result<Self, DataError> {
        let is_test = numbered(text)
            .map(|(line, word)| match word.trim() {
                "train" => Ok(false),
                "test" => Ok(true),
                _ => Err(DataError::SplitWord {
                    line,
                    text: word.to_string(),
                }),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { is_test })
    }

    /// Reads a split file; see [`parse`](Split::parse) for the format.
    ///
    /// # Errors
    /// [`DataError::Io`] when the file cannot be read (with the path and the system's
    /// message), otherwise the errors of [`parse`](Split::parse).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, DataError> {
        Self::parse(&super::read_to_string(path.as_ref())?)
    }

    /// The number of entries (data rows).
    #[inline]
    pub fn len(&self) -> usize {
        self.is_test.len()
    }

    /// `true` when there are no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.is_test.is_empty()
    }

    /// The number of training rows.
    pub fn train_count(&self) -> usize {
        self.len() - self.test_count()
    }

    /// The number of test rows.
    pub fn test_count(&self) -> usize {
        self.is_test.iter().filter(|&&t| t).count()
    }
}
