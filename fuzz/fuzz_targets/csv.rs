//! `data::Dataset::<f32, 4>::parse_csv`, `data::Split::parse`, `Dataset::split` and
//! `Standardizer::fit` on arbitrary text.
//!
//! The input is read as UTF-8 (lossily). If it has a NUL character, the text before it is the
//! CSV and the text after it the split file; otherwise both are read from the whole text.
//!
//! Invariants:
//! - `parse_csv` `Ok`: one row per line after the header (trailing blank lines dropped),
//!   as many targets as feature rows, every value finite;
//! - `Split::parse` `Ok`: one entry per line (trailing blank lines dropped), train + test
//!   counts add up;
//! - `split`: `Err` exactly when the lengths differ; else each row lands, unchanged and in
//!   order, in the part the split names (also checked with a split made from the input bytes
//!   that always has the right length);
//! - `Standardizer::fit`: `Err` exactly for no rows; on `Ok` every mean and std is finite,
//!   every std > 0, and the fitted rows standardize to finite values.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typegrad::data::{DataError, Dataset, Split, Standardizer};
use typegrad_fuzz::run;

const F: usize = 4;

/// The number of lines the readers see: `\n`-separated, trailing blank lines dropped.
fn content_lines(text: &str) -> usize {
    let lines: Vec<&str> = text.split('\n').collect();
    lines
        .iter()
        .rposition(|line| !line.trim().is_empty())
        .map_or(0, |i| i + 1)
}

fn bits(data: &Dataset<f32, F>, row: usize) -> ([u32; F], u32) {
    (
        data.features[row].as_array().map(f32::to_bits),
        data.targets[row].to_bits(),
    )
}

fn check_split(data: &Dataset<f32, F>, split: &Split) {
    match data.split(split) {
        Err(DataError::SplitLength { split: s, rows }) => {
            assert_eq!((s, rows), (split.len(), data.len()));
            assert_ne!(s, rows, "invariant: split refused matching lengths");
        }
        Err(e) => panic!("invariant: split failed with {e:?}"),
        Ok((train, test)) => {
            assert_eq!(
                split.len(),
                data.len(),
                "invariant: split accepted a wrong length"
            );
            assert_eq!(train.len(), split.train_count());
            assert_eq!(test.len(), split.test_count());
            assert_eq!(train.features.len(), train.targets.len());
            assert_eq!(test.features.len(), test.targets.len());
            let (mut i, mut j) = (0, 0);
            for (row, &is_test) in split.is_test.iter().enumerate() {
                let got = if is_test {
                    j += 1;
                    bits(&test, j - 1)
                } else {
                    i += 1;
                    bits(&train, i - 1)
                };
                assert_eq!(
                    got,
                    bits(data, row),
                    "invariant: row {row} changed in the split"
                );
            }
            check_fit(&train);
            check_fit(&test);
        }
    }
}

fn check_fit(data: &Dataset<f32, F>) {
    match Standardizer::fit(data) {
        Err(DataError::Empty) => assert!(data.is_empty(), "invariant: fit said Empty"),
        Err(e) => panic!("invariant: fit failed with {e:?}"),
        Ok(s) => {
            assert!(!data.is_empty(), "invariant: fit of no rows is Ok");
            for j in 0..F {
                let (mean, std) = (s.mean[j], s.std[j]);
                assert!(
                    mean.is_finite() && std.is_finite() && std > 0.0,
                    "invariant: feature {j} of {} rows: mean {mean}, std {std}",
                    data.len()
                );
            }
            for (row, x) in data.features.iter().enumerate() {
                let z = s.transform(x);
                assert!(
                    z.as_array().iter().all(|v| v.is_finite()),
                    "invariant: fitted row {row} standardizes to {:?} (mean {:?}, std {:?})",
                    z.as_array(),
                    s.mean.as_array(),
                    s.std.as_array()
                );
            }
        }
    }
}

fuzz_target!(|bytes: &[u8]| {
    run("csv", bytes, || {
        let text = String::from_utf8_lossy(bytes);
        let (csv, split_text) = match text.split_once('\0') {
            Some((csv, split)) => (csv, split),
            None => (&*text, &*text),
        };

        let data = Dataset::<f32, F>::parse_csv(csv);
        if let Ok(data) = &data {
            assert_eq!(data.features.len(), data.targets.len());
            assert_eq!(
                data.len(),
                content_lines(csv) - 1,
                "invariant: one row per data line"
            );
            for row in 0..data.len() {
                let x = data.features[row];
                assert!(
                    x.as_array().iter().all(|v| v.is_finite()) && data.targets[row].is_finite(),
                    "invariant: row {row} has a non-finite value"
                );
            }
            check_fit(data);
            // A split of the right length, from the input bytes.
            let split = Split {
                is_test: (0..data.len())
                    .map(|i| bytes.get(i).is_some_and(|b| b & 1 == 1))
                    .collect(),
            };
            check_split(data, &split);
        }

        let split = Split::parse(split_text);
        if let Ok(split) = &split {
            assert_eq!(
                split.len(),
                content_lines(split_text),
                "invariant: one entry per line"
            );
            assert_eq!(split.train_count() + split.test_count(), split.len());
            if let Ok(data) = &data {
                check_split(data, split);
            }
        }
    })
});
