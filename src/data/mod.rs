//! Loading small tabular datasets: CSV files, fixed train/test splits, labels and
//! standardization (needs the `std` feature).
//!
//! A [`Dataset<T, F>`] holds rows of `F` features and one target, read from a CSV file whose
//! header has `F + 1` columns with the target last. A [`Split`] file marks each row `train` or
//! `test`; [`Dataset::split`] applies it. Classification targets become [`Class<N>`] labels
//! or one-hot vectors with [`Dataset::class_labels`] and [`Dataset::one_hot`]; a
//! [`Standardizer`] fitted on the training rows rescales the features. [`Dataset::hold_out`]
//! carves a validation set out of the training rows; [`Dataset::signals`] reads each row as
//! channels × steps for a 1-D network, and a [`ChannelStandardizer`] rescales such series per
//! channel. Every malformed input is a [`DataError`] that names the line (and column) at
//! fault.
//!
//! The crate's `data/` folder has real datasets in this format (Iris, handwritten digits,
//! diabetes, and a linear toy set) with their licenses in `data/README.md`.
//!
//! ```
//! use typegrad::data::{Dataset, Split, Standardizer};
//! # fn main() -> Result<(), typegrad::data::DataError> {
//! let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
//! let iris = Dataset::<f32, 4>::load_csv(format!("{dir}/iris.csv"))?;
//! let split = Split::load(format!("{dir}/iris_split.txt"))?;
//! let (mut train, mut test) = iris.split(&split)?;
//! assert_eq!((train.len(), test.len()), (120, 30));
//!
//! let scaler = Standardizer::fit(&train)?; // training rows only
//! scaler.transform_dataset(&mut train);
//! scaler.transform_dataset(&mut test);
//! let labels = train.class_labels::<3>()?; // Vec<Class<3>>
//! assert_eq!(labels[0].index(), 0);
//! # Ok(())
//! # }
//! ```
//!
//! [`Class<N>`]: crate::loss::Class

mod channels;
mod dataset;
mod error;
mod lines;
mod split;
mod standardize;

pub use channels::ChannelStandardizer;
pub use dataset::Dataset;
pub use error::DataError;
pub use split::Split;
pub use standardize::Standardizer;

use std::path::Path;
use std::string::{String, ToString};

/// Reads a whole file as UTF-8 text, turning a failure into [`DataError::Io`].
fn read_to_string(path: &Path) -> Result<String, DataError> {
    std::fs::read_to_string(path).map_err(|e| DataError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}
