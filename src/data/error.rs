//! [`DataError`]: why a dataset, a split file or a preprocessing step was rejected.

use core::fmt;
use std::string::String;

/// A dataset or split file could not be read, or its contents do not fit what was asked.
///
/// Line numbers count from 1 and include the header line, as a text editor shows them.
/// Row indices count from 0 and refer to the rows of the [`Dataset`](super::Dataset)
/// (the index into its `features` and `targets`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DataError {
    /// The file could not be read (missing, unreadable, not UTF-8, ...).
    Io {
        /// The path that was opened, as given.
        path: String,
        /// The operating system's error message.
        message: String,
    },
    /// The header (line 1) does not have one column per feature plus the label column.
    Header {
        /// The number of columns in the header (0 when there is no header line).
        found: usize,
        /// The number of columns the dataset type needs: features + 1.
        expected: usize,
    },
    /// A data line does not have one field per feature plus the label field.
    FieldCount {
        /// The line, counting from 1 (the header is line 1).
        line: usize,
        /// The number of comma-separated fields on the line.
        found: usize,
        /// The number of fields the dataset type needs: features + 1.
        expected: usize,
    },
    /// An empty line comes before more data (empty lines are only allowed at the very end).
    EmptyLine {
        /// The line, counting from 1 (the header is line 1).
        line: usize,
    },
    /// A field is not a number.
    Number {
        /// The line, counting from 1 (the header is line 1).
        line: usize,
        /// The name of the column, from the header.
        column: String,
        /// The field as written.
        text: String,
    },
    /// A field is NaN or infinite (written as such, or too large for an `f64`).
    NonFinite {
        /// The line, counting from 1 (the header is line 1).
        line: usize,
        /// The name of the column, from the header.
        column: String,
        /// The field as written.
        text: String,
    },
    /// A field is a finite number that the element type cannot hold (e.g. `1e300` for `f32`).
    OutOfRange {
        /// The line, counting from 1 (the header is line 1).
        line: usize,
        /// The name of the column, from the header.
        column: String,
        /// The field as written.
        text: String,
    },
    /// A feature value of a dataset built in code (not parsed) is NaN or infinite, so it has
    /// no mean or standard deviation.
    NonFiniteFeature {
        /// The row, counting from 0.
        row: usize,
        /// The feature, counting from 0.
        feature: usize,
    },
    /// A line of a split file is neither `train` nor `test`.
    SplitWord {
        /// The line of the split file, counting from 1.
        line: usize,
        /// The line as written (without its line break).
        text: String,
    },
    /// The split file does not have one line per data row.
    SplitLength {
        /// The number of entries in the split.
        split: usize,
        /// The number of data rows in the dataset.
        rows: usize,
    },
    /// A target is not a class label: not an integer, negative, or not below the class count.
    Label {
        /// The row whose target it is, counting from 0.
        row: usize,
        /// The target value.
        value: f64,
        /// The number of classes; valid labels are the integers `0..classes`.
        classes: usize,
    },
    /// The dataset has no rows, and the operation needs at least one.
    Empty,
    /// A hold-out of `rows` rows from a dataset of `available`: it must leave at least one row
    /// on each side.
    HoldOut {
        /// The rows asked for.
        rows: usize,
        /// The rows of the dataset.
        available: usize,
    },
}

impl fmt::Display for DataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataError::Io { path, message } => write!(f, "cannot read `{path}`: {message}"),
            DataError::Header { found: 0, expected } => write!(
                f,
                "the file has no header line; expected {expected} column names \
                 (the features, then the label)"
            ),
            DataError::Header { found, expected } => write!(
                f,
                "the header (line 1) has {found} {}, expected {expected} \
                 (the features, then the label)",
                plural(*found, "column", "columns")
            ),
            DataError::FieldCount {
                line,
                found,
                expected,
            } => write!(
                f,
                "line {line} has {found} {}, expected {expected}",
                plural(*found, "field", "fields")
            ),
            DataError::EmptyLine { line } => write!(
                f,
                "line {line} is empty; empty lines are only allowed at the end of the file"
            ),
            DataError::Number { line, column, text } => {
                write!(
                    f,
                    "line {line}, column `{column}`: `{text}` is not a number"
                )
            }
            DataError::NonFinite { line, column, text } => write!(
                f,
                "line {line}, column `{column}`: `{text}` is not a finite number \
                 (NaN and infinities are not allowed)"
            ),
            DataError::OutOfRange { line, column, text } => write!(
                f,
                "line {line}, column `{column}`: `{text}` is out of range for the element type"
            ),
            DataError::SplitWord { line, text } => write!(
                f,
                "split line {line}: `{text}` is neither `train` nor `test`"
            ),
            DataError::SplitLength { split, rows } => write!(
                f,
                "the split has {split} {} but the dataset has {rows} {}",
                plural(*split, "entry", "entries"),
                plural(*rows, "row", "rows")
            ),
            DataError::Label {
                row,
                value,
                classes,
            } => write!(
                f,
                "row {row} (counting from 0): the target {value} is not a class label for \
                 {classes} {} (an integer in 0..{classes})",
                plural(*classes, "class", "classes")
            ),
            DataError::Empty => write!(f, "the dataset has no rows"),
            DataError::HoldOut { rows, available } => write!(
                f,
                "cannot hold out {rows} of {available} {}: both parts need at least one row",
                plural(*available, "row", "rows")
            ),
            DataError::NonFiniteFeature { row, feature } => write!(
                f,
                "feature {feature} of row {row} is NaN or infinite: it has no mean or \
                 standard deviation"
            ),
        }
    }
}

impl std::error::Error for DataError {}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}
