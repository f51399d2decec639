//! `typegrad::data`: loading the bundled CSV datasets and split files, labels, one-hot
//! targets, standardization, and an error with the right line for every malformed input.
#![cfg(feature = "std")]

use approx::{assert_abs_diff_eq, assert_relative_eq};
use typegrad::data::{DataError, Dataset, Split, Standardizer};
use typegrad::loss::Class;
use typegrad::{Real, Vector};

macro_rules! data_file {
    ($name:literal) => {
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/", $name)
    };
}

fn load<T: Real, const F: usize>(csv: &str, split: &str) -> (Dataset<T, F>, Split) {
    let data = Dataset::load_csv(csv).unwrap_or_else(|e| panic!("{csv}: {e}"));
    let split = Split::load(split).unwrap_or_else(|e| panic!("{split}: {e}"));
    (data, split)
}

fn f<T: Real>(x: f64) -> T {
    T::from(x).unwrap()
}

/// How many targets of each class `0..N` there are.
fn class_counts<T: Real, const F: usize, const N: usize>(data: &Dataset<T, F>) -> [usize; N] {
    let mut counts = [0; N];
    for c in data.class_labels::<N>().unwrap() {
        counts[c.index()] += 1;
    }
    counts
}

// ---------------------------------------------------------------- the bundled datasets

fn iris<T: Real>() {
    let (iris, split) = load::<T, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"));
    assert_eq!(iris.len(), 150);
    assert_eq!(iris.targets.len(), 150);
    assert!(!iris.is_empty());
    assert_eq!(
        iris.features[0],
        Vector::new([5.1, 3.5, 1.4, 0.2].map(f::<T>))
    );
    assert_eq!(iris.targets[0], T::zero());
    assert_eq!(
        iris.features[149],
        Vector::new([5.9, 3.0, 5.1, 1.8].map(f::<T>))
    );
    assert_eq!(iris.targets[149], f(2.0));
    assert_eq!(class_counts::<T, 4, 3>(&iris), [50, 50, 50]);

    assert_eq!(split.len(), 150);
    assert_eq!((split.train_count(), split.test_count()), (120, 30));
    let (train, test) = iris.split(&split).unwrap();
    assert_eq!((train.len(), test.len()), (120, 30));
    assert_eq!(class_counts::<T, 4, 3>(&test), [10, 10, 10]);
    assert_eq!(class_counts::<T, 4, 3>(&train), [40, 40, 40]);
    // CSV order is kept within each part.
    assert_eq!(
        train.features[0],
        Vector::new([5.1, 3.5, 1.4, 0.2].map(f::<T>))
    );
    assert_eq!(
        test.features[0],
        Vector::new([5.0, 3.4, 1.5, 0.2].map(f::<T>))
    );
    assert_eq!(
        test.features[29],
        Vector::new([6.5, 3.0, 5.2, 2.0].map(f::<T>))
    );
    let train_rows = split.is_test.iter().enumerate().filter(|(_, t)| !**t);
    for (k, (i, _)) in train_rows.enumerate() {
        assert_eq!(train.features[k], iris.features[i]);
        assert_eq!(train.targets[k], iris.targets[i]);
    }
}

#[test]
fn iris_f32() {
    iris::<f32>();
}

#[test]
fn iris_f64() {
    iris::<f64>();
}

fn digits<T: Real>() {
    let (mut digits, split) =
        load::<T, 64>(data_file!("digits.csv"), data_file!("digits_split.txt"));
    assert_eq!(digits.len(), 1797);
    assert_eq!(digits.features[0].len(), 64);
    let max = |d: &Dataset<T, 64>| {
        d.features
            .iter()
            .map(|x| x.max())
            .fold(T::zero(), |a, b| a.max(b))
    };
    let min = |d: &Dataset<T, 64>| {
        d.features
            .iter()
            .map(|x| x.min())
            .fold(T::infinity(), |a, b| a.min(b))
    };
    assert_eq!(max(&digits), f(16.0));
    assert_eq!(min(&digits), T::zero());
    assert!(
        digits
            .features
            .iter()
            .flat_map(|x| x.as_slice())
            .all(|p| *p % T::one() == T::zero())
    );
    let counts = class_counts::<T, 64, 10>(&digits);
    assert_eq!(counts.iter().sum::<usize>(), 1797);
    assert!(
        counts.iter().all(|&c| (170..=190).contains(&c)),
        "{counts:?}"
    );

    let (train, test) = digits.split(&split).unwrap();
    assert_eq!((train.len(), test.len()), (1347, 450));
    assert_eq!(
        class_counts::<T, 64, 10>(&test),
        [45, 46, 44, 46, 45, 46, 45, 45, 43, 45]
    );

    let targets = digits.targets.clone();
    digits.scale(f(1.0 / 16.0));
    assert_eq!(max(&digits), T::one());
    assert_eq!(min(&digits), T::zero());
    assert_eq!(digits.targets, targets, "scale leaves the targets alone");
    assert_eq!(digits.features[0][2], f(5.0 / 16.0));
}

#[test]
fn digits_f32() {
    digits::<f32>();
}

#[test]
fn digits_f64() {
    digits::<f64>();
}

fn diabetes<T: Real>() {
    let (diabetes, split) =
        load::<T, 10>(data_file!("diabetes.csv"), data_file!("diabetes_split.txt"));
    assert_eq!(diabetes.len(), 442);
    assert_eq!(
        diabetes.features[0],
        Vector::new([59.0, 2.0, 32.1, 101.0, 157.0, 93.2, 38.0, 4.0, 4.8598, 87.0].map(f::<T>))
    );
    assert_eq!(diabetes.targets[0], f(151.0));
    assert_eq!(diabetes.targets[441], f(57.0));
    let (train, test) = diabetes.split(&split).unwrap();
    assert_eq!((train.len(), test.len()), (353, 89));
    assert!(matches!(
        diabetes.class_labels::<10>(),
        Err(DataError::Label {
            row: 0,
            classes: 10,
            ..
        })
    ));
    // The same file cannot be read with the wrong number of features.
    assert_eq!(
        Dataset::<T, 9>::load_csv(data_file!("diabetes.csv")).unwrap_err(),
        DataError::Header {
            found: 11,
            expected: 10
        }
    );
}

#[test]
fn diabetes_f32() {
    diabetes::<f32>();
}

#[test]
fn diabetes_f64() {
    diabetes::<f64>();
}

#[test]
fn linear_toy_exact_values() {
    let toy = Dataset::<f64, 1>::load_csv(data_file!("linear_toy.csv")).unwrap();
    assert_eq!(toy.len(), 100);
    assert_eq!(toy.features[0][0], 1.0976270078546495);
    assert_eq!(toy.targets[0], 6.127731182780592);
    assert_eq!(toy.features[99][0], 0.009390952385094131);
    assert_eq!(toy.targets[99], 4.045652016180339);

    let toy32 = Dataset::<f32, 1>::load_csv(data_file!("linear_toy.csv")).unwrap();
    assert_eq!(toy32.len(), 100);
    for (x32, x64) in toy32.features.iter().zip(&toy.features) {
        assert_eq!(x32[0], x64[0] as f32);
    }
    for (t32, t64) in toy32.targets.iter().zip(&toy.targets) {
        assert_eq!(*t32, *t64 as f32);
    }
}

// ---------------------------------------------------------------- CSV format

#[test]
fn csv_line_endings_spaces_and_trailing_lines() {
    let expected = Dataset::<f64, 2> {
        features: vec![Vector::new([1.0, 2.0]), Vector::new([3.0, -0.5])],
        targets: vec![0.0, 1.0],
    };
    for text in [
        "a,b,y\n1,2,0\n3,-0.5,1",
        "a,b,y\n1,2,0\n3,-0.5,1\n",
        "a,b,y\r\n1,2,0\r\n3,-0.5,1\r\n",
        "a,b,y\n1,2,0\n3,-0.5,1\n\n\n",
        " a , b , y \n 1, 2 ,0\n3 ,-5e-1, 1.0\n",
    ] {
        assert_eq!(Dataset::parse_csv(text).as_ref(), Ok(&expected), "{text:?}");
    }
    // A header with no rows is an empty dataset.
    let empty = Dataset::<f32, 2>::parse_csv("a,b,y\n").unwrap();
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
}

#[test]
fn wrong_header_count() {
    let too_few = Dataset::<f32, 4>::parse_csv("a,b,c,label\n1,2,3,4,0\n").unwrap_err();
    assert_eq!(
        too_few,
        DataError::Header {
            found: 4,
            expected: 5
        }
    );
    assert_eq!(
        too_few.to_string(),
        "the header (line 1) has 4 columns, expected 5 (the features, then the label)"
    );
    let too_many = Dataset::<f32, 2>::parse_csv("a,b,c,label\n1,2,3,0\n").unwrap_err();
    assert_eq!(
        too_many,
        DataError::Header {
            found: 4,
            expected: 3
        }
    );
    for text in ["", "\n", "\n1,2,0\n"] {
        assert_eq!(
            Dataset::<f32, 2>::parse_csv(text),
            Err(DataError::Header {
                found: 0,
                expected: 3
            }),
            "{text:?}"
        );
    }
}

#[test]
fn short_and_long_rows() {
    let csv = "a,b,y\n1,2,0\n3,4\n";
    let err = Dataset::<f64, 2>::parse_csv(csv).unwrap_err();
    assert_eq!(
        err,
        DataError::FieldCount {
            line: 3,
            found: 2,
            expected: 3
        }
    );
    assert_eq!(err.to_string(), "line 3 has 2 fields, expected 3");

    let csv = "a,b,y\n1,2,0\n3,4,1\n5,6,7,1\n";
    assert_eq!(
        Dataset::<f32, 2>::parse_csv(csv),
        Err(DataError::FieldCount {
            line: 4,
            found: 4,
            expected: 3
        })
    );
    // A trailing comma is one field too many.
    assert_eq!(
        Dataset::<f32, 2>::parse_csv("a,b,y\n1,2,0,\n"),
        Err(DataError::FieldCount {
            line: 2,
            found: 4,
            expected: 3
        })
    );
}

#[test]
fn bad_number() {
    let mut lines = vec!["sepal_length,sepal_width,petal_length,petal_width,label"];
    lines.extend(std::iter::repeat_n("5.1,3.5,1.4,0.2,0", 15));
    lines.push("5.1,3.5,1.4,abc,0");
    let csv = lines.join("\n");
    let err = Dataset::<f64, 4>::parse_csv(&csv).unwrap_err();
    assert_eq!(
        err,
        DataError::Number {
            line: 17,
            column: "petal_width".into(),
            text: "abc".into()
        }
    );
    assert_eq!(
        err.to_string(),
        "line 17, column `petal_width`: `abc` is not a number"
    );

    for field in ["", "1.2.3", "0x10", "1_000", "five", "--1", "1e"] {
        let csv = format!("a,b,y\n1,2,0\n7,{field},1\n");
        assert_eq!(
            Dataset::<f32, 2>::parse_csv(&csv),
            Err(DataError::Number {
                line: 3,
                column: "b".into(),
                text: field.into()
            }),
            "{field:?}"
        );
    }
    // The label column is checked too, and a nameless column is named by its number.
    assert_eq!(
        Dataset::<f32, 1>::parse_csv("x,\n1,one\n"),
        Err(DataError::Number {
            line: 2,
            column: "#2".into(),
            text: "one".into()
        })
    );
}

#[test]
fn non_finite_numbers() {
    for text in ["NaN", "nan", "inf", "-inf", "infinity", "1e400", "-1e999"] {
        let csv = format!("a,b,label\n1,2,0\n3,{text},1\n");
        let err = Dataset::<f64, 2>::parse_csv(&csv).unwrap_err();
        assert_eq!(
            err,
            DataError::NonFinite {
                line: 3,
                column: "b".into(),
                text: text.into()
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "line 3, column `b`: `{text}` is not a finite number \
                 (NaN and infinities are not allowed)"
            )
        );
        assert!(matches!(
            Dataset::<f32, 2>::parse_csv(&csv),
            Err(DataError::NonFinite { line: 3, .. })
        ));
    }
    // Finite as f64 but too large for f32.
    let csv = "a,label\n1e300,0\n";
    assert!(Dataset::<f64, 1>::parse_csv(csv).is_ok());
    assert_eq!(
        Dataset::<f32, 1>::parse_csv(csv),
        Err(DataError::OutOfRange {
            line: 2,
            column: "a".into(),
            text: "1e300".into()
        })
    );
}

#[test]
fn empty_line_in_the_middle() {
    for csv in [
        "a,y\n1,0\n\n2,1\n",
        "a,y\n1,0\r\n\r\n2,1\r\n",
        "a,y\n1,0\n  \n2,1",
    ] {
        let err = Dataset::<f32, 1>::parse_csv(csv).unwrap_err();
        assert_eq!(err, DataError::EmptyLine { line: 3 }, "{csv:?}");
        assert_eq!(
            err.to_string(),
            "line 3 is empty; empty lines are only allowed at the end of the file"
        );
    }
    assert_eq!(
        Dataset::<f32, 1>::parse_csv("a,y\n\n1,0\n"),
        Err(DataError::EmptyLine { line: 2 })
    );
}

#[test]
fn missing_file_is_an_io_error() {
    let path = data_file!("no_such_file.csv");
    match Dataset::<f32, 4>::load_csv(path) {
        Err(DataError::Io { path: p, message }) => {
            assert_eq!(p, path);
            assert!(!message.is_empty());
            let err = DataError::Io {
                path: p,
                message: message.clone(),
            };
            assert_eq!(err.to_string(), format!("cannot read `{path}`: {message}"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        Split::load(data_file!("no_such_split.txt")),
        Err(DataError::Io { .. })
    ));
    // The error is a std error.
    let err: Box<dyn std::error::Error> = Box::new(DataError::Empty);
    assert_eq!(err.to_string(), "the dataset has no rows");
}

// ---------------------------------------------------------------- splits

#[test]
fn split_parsing() {
    let split = Split::parse("train\r\ntest\n train \ntest\n\n").unwrap();
    assert_eq!(split.is_test, [false, true, false, true]);
    assert_eq!(split.len(), 4);
    assert!(!split.is_empty());
    assert_eq!((split.train_count(), split.test_count()), (2, 2));
    let empty = Split::parse("").unwrap();
    assert!(empty.is_empty());
    assert_eq!((empty.train_count(), empty.test_count()), (0, 0));
}

#[test]
fn bad_split_word() {
    for (text, line, word) in [
        ("train\ntest\nvalid\n", 3, "valid"),
        ("Train\n", 1, "Train"),
        ("train\n\ntest\n", 2, ""),
        ("train,test\n", 1, "train,test"),
    ] {
        let err = Split::parse(text).unwrap_err();
        assert_eq!(
            err,
            DataError::SplitWord {
                line,
                text: word.into()
            },
            "{text:?}"
        );
    }
    assert_eq!(
        Split::parse("train\nvalid\n").unwrap_err().to_string(),
        "split line 2: `valid` is neither `train` nor `test`"
    );
}

#[test]
fn split_length_mismatch() {
    let data = Dataset::<f64, 1>::parse_csv("x,y\n1,0\n2,1\n3,0\n").unwrap();
    let err = data
        .split(&Split::parse("train\ntest\n").unwrap())
        .unwrap_err();
    assert_eq!(err, DataError::SplitLength { split: 2, rows: 3 });
    assert_eq!(
        err.to_string(),
        "the split has 2 entries but the dataset has 3 rows"
    );
    assert_eq!(
        data.split(&Split {
            is_test: vec![true; 4]
        }),
        Err(DataError::SplitLength { split: 4, rows: 3 })
    );
    let (iris, _) = load::<f32, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"));
    let digits_split = Split::load(data_file!("digits_split.txt")).unwrap();
    assert_eq!(
        iris.split(&digits_split),
        Err(DataError::SplitLength {
            split: 1797,
            rows: 150
        })
    );

    let (train, test) = data
        .split(&Split {
            is_test: vec![false, true, false],
        })
        .unwrap();
    assert_eq!(train.features, [Vector::new([1.0]), Vector::new([3.0])]);
    assert_eq!(train.targets, [0.0, 0.0]);
    assert_eq!(test.features, [Vector::new([2.0])]);
    assert_eq!(test.targets, [1.0]);
}

// ---------------------------------------------------------------- labels

fn labels<T: Real>() {
    let data = Dataset::<T, 1>::parse_csv("x,label\n0.5,2\n0.25,0\n1,1\n-0,0\n").unwrap();
    let labels = data.class_labels::<3>().unwrap();
    assert_eq!(labels, [2, 0, 1, 0].map(|i| Class::<3>::new(i).unwrap()));
    let one_hot = data.one_hot::<3>().unwrap();
    assert_eq!(
        one_hot,
        [
            Vector::new([0.0, 0.0, 1.0].map(f::<T>)),
            Vector::new([1.0, 0.0, 0.0].map(f::<T>)),
            Vector::new([0.0, 1.0, 0.0].map(f::<T>)),
            Vector::new([1.0, 0.0, 0.0].map(f::<T>)),
        ]
    );
    assert_eq!(
        data.class_labels::<2>(),
        Err(DataError::Label {
            row: 0,
            value: 2.0,
            classes: 2
        })
    );
    assert!(matches!(
        data.one_hot::<2>(),
        Err(DataError::Label { row: 0, .. })
    ));

    for (target, value) in [("-1", -1.0), ("1.5", 1.5), ("3", 3.0), ("1e9", 1e9)] {
        let csv = format!("x,label\n0,0\n0,1\n0,{target}\n");
        let data = Dataset::<T, 1>::parse_csv(&csv).unwrap();
        let expected = DataError::Label {
            row: 2,
            value,
            classes: 3,
        };
        assert_eq!(data.class_labels::<3>(), Err(expected.clone()), "{target}");
        assert_eq!(data.one_hot::<3>(), Err(expected), "{target}");
    }
    assert_eq!(
        DataError::Label {
            row: 2,
            value: 1.5,
            classes: 3
        }
        .to_string(),
        "row 2 (counting from 0): the target 1.5 is not a class label for 3 classes \
         (an integer in 0..3)"
    );
}

#[test]
fn labels_f32() {
    labels::<f32>();
}

#[test]
fn labels_f64() {
    labels::<f64>();
}

// ---------------------------------------------------------------- standardization

fn column_mean_std<T: Real, const F: usize>(data: &Dataset<T, F>, j: usize) -> (f64, f64) {
    let n = data.len() as f64;
    let col = || data.features.iter().map(|x| x[j].to_f64().unwrap());
    let mean = col().sum::<f64>() / n;
    let var = col().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (mean, var.sqrt())
}

fn standardize_check<T: Real, const F: usize>(csv: &str, split: &str, eps: f64) {
    let (data, split) = load::<T, F>(csv, split);
    let (mut train, mut test) = data.split(&split).unwrap();
    let raw_test = test.clone();
    let scaler = Standardizer::fit(&train).unwrap();
    for j in 0..F {
        let (mean, std) = column_mean_std(&train, j);
        assert_relative_eq!(scaler.mean[j].to_f64().unwrap(), mean, max_relative = eps);
        if std > 0.0 {
            assert_relative_eq!(scaler.std[j].to_f64().unwrap(), std, max_relative = eps);
        }
    }
    scaler.transform_dataset(&mut train);
    scaler.transform_dataset(&mut test);
    for j in 0..F {
        let (mean, std) = column_mean_std(&train, j);
        assert_abs_diff_eq!(mean, 0.0, epsilon = eps);
        if train.features.iter().all(|x| x[j] == T::zero()) {
            // A constant training column (some digit pixels) maps to 0 instead.
            assert_eq!(scaler.std[j], T::one());
        } else {
            assert_relative_eq!(std, 1.0, max_relative = eps);
        }
    }
    // Test rows use the training statistics, not their own.
    for (x, raw) in test.features.iter().zip(&raw_test.features) {
        assert_eq!(*x, scaler.transform(raw));
        for j in 0..F {
            assert_eq!(x[j], (raw[j] - scaler.mean[j]) / scaler.std[j]);
        }
    }
    assert_eq!(test.targets, raw_test.targets, "targets are unchanged");
}

#[test]
fn standardize_train_statistics() {
    standardize_check::<f64, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"), 1e-12);
    standardize_check::<f32, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"), 1e-5);
    standardize_check::<f64, 10>(
        data_file!("diabetes.csv"),
        data_file!("diabetes_split.txt"),
        1e-12,
    );
    standardize_check::<f64, 64>(
        data_file!("digits.csv"),
        data_file!("digits_split.txt"),
        1e-12,
    );
}

#[test]
fn standardize_iris_test_row_by_hand() {
    let (iris, split) = load::<f64, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"));
    let (train, test) = iris.split(&split).unwrap();
    let scaler = Standardizer::fit(&train).unwrap();
    // numpy: train[:, 0].mean() and .std() (ddof=0) of the 120 training rows.
    assert_relative_eq!(scaler.mean[0], 5.841666666666668, max_relative = 1e-14);
    assert_relative_eq!(scaler.std[0], 0.837415003978845, max_relative = 1e-14);
    // First test row (CSV row 8: 5.0, 3.4, 1.5, 0.2).
    let z = scaler.transform(&test.features[0]);
    let expected = [
        -1.0050771274309889,
        0.7873408385268714,
        -1.2889407767718724,
        -1.3232755820436317,
    ];
    for j in 0..4 {
        assert_relative_eq!(z[j], expected[j], max_relative = 1e-12);
    }
}

fn standardize_small<T: Real>() {
    // Column 0: 1, 2, 3, 4 → mean 2.5, population std √1.25. Column 1 is constant 0.1 (its
    // computed mean would be off by a rounding error). Column 2 is constant 0.
    let csv = "a,b,c,y\n1,0.1,0,0\n2,0.1,0,1\n3,0.1,0,0\n4,0.1,0,1\n";
    let mut train = Dataset::<T, 3>::parse_csv(csv).unwrap();
    let scaler = Standardizer::fit(&train).unwrap();
    assert_eq!(scaler.mean, Vector::new([2.5, 0.1, 0.0].map(f::<T>)));
    assert_relative_eq!(
        scaler.std[0].to_f64().unwrap(),
        1.25_f64.sqrt(),
        max_relative = 1e-6
    );
    assert_eq!(scaler.std[1], T::one());
    assert_eq!(scaler.std[2], T::one());
    scaler.transform_dataset(&mut train);
    for x in &train.features {
        assert_eq!(x[1], T::zero(), "constant column maps to 0");
        assert_eq!(x[2], T::zero(), "constant column maps to 0");
    }
    assert_eq!(train.targets, [0.0, 1.0, 0.0, 1.0].map(f::<T>));
    // A test row: (5 − 2.5) / √1.25 = √5; (0.6 − 0.1) / 1; (−2 − 0) / 1.
    let z = scaler.transform(&Vector::new([5.0, 0.6, -2.0].map(f::<T>)));
    assert_relative_eq!(z[0].to_f64().unwrap(), 5.0_f64.sqrt(), max_relative = 1e-6);
    assert_relative_eq!(z[1].to_f64().unwrap(), 0.5, max_relative = 1e-6);
    assert_eq!(z[2], f(-2.0));

    // One row: every column is constant.
    let one = Dataset::<T, 3>::parse_csv("a,b,c,y\n7,-1,0.3,0\n").unwrap();
    let scaler = Standardizer::fit(&one).unwrap();
    assert_eq!(scaler.std, Vector::filled(T::one()));
    assert_eq!(scaler.transform(&one.features[0]), Vector::zeros());

    let empty = Dataset::<T, 3>::parse_csv("a,b,c,y\n").unwrap();
    assert_eq!(Standardizer::fit(&empty), Err(DataError::Empty));
}

#[test]
fn standardize_small_f32() {
    standardize_small::<f32>();
}

#[test]
fn standardize_small_f64() {
    standardize_small::<f64>();
}

#[test]
fn hold_out_carves_a_reproducible_validation_set_from_the_training_rows() {
    let (iris, split) = load::<f32, 4>(data_file!("iris.csv"), data_file!("iris_split.txt"));
    let (train, _) = iris.split(&split).unwrap();
    let (rest, validation) = train.hold_out(20, 3).unwrap();
    assert_eq!((rest.len(), validation.len()), (100, 20));
    // Same seed, same split; another seed, another split.
    assert_eq!(
        train.hold_out(20, 3).unwrap(),
        (rest.clone(), validation.clone())
    );
    assert_ne!(train.hold_out(20, 4).unwrap().1, validation);
    // Every training row is in exactly one part, each part in file order (rows tagged by
    // their index as the target, since iris repeats some rows).
    let mut tagged = train.clone();
    tagged.targets = (0..train.len()).map(|k| k as f32).collect();
    let (rest_tagged, validation_tagged) = tagged.hold_out(20, 3).unwrap();
    assert_eq!(rest_tagged.features, rest.features);
    for part in [&rest_tagged, &validation_tagged] {
        assert!(
            part.targets.windows(2).all(|w| w[0] < w[1]),
            "file order kept"
        );
        for (x, &k) in part.features.iter().zip(&part.targets) {
            assert_eq!(*x, train.features[k as usize]);
        }
    }
    let mut all: Vec<f32> = rest_tagged.targets.clone();
    all.extend(&validation_tagged.targets);
    all.sort_by(f32::total_cmp);
    assert_eq!(all, (0..120).map(|k| k as f32).collect::<Vec<_>>());
    // Nothing left on one side is an error that says so.
    for rows in [0, 120, 121] {
        let e = train.hold_out(rows, 3).unwrap_err();
        assert_eq!(
            e,
            DataError::HoldOut {
                rows,
                available: 120
            }
        );
        assert!(e.to_string().contains("both parts need at least one row"));
    }
}

#[test]
fn signals_and_per_channel_standardization_of_the_motion_recordings() {
    use typegrad::Matrix;
    use typegrad::data::ChannelStandardizer;
    let (motions, split) = load::<f32, 600>(
        data_file!("basic_motions.csv"),
        data_file!("basic_motions_split.txt"),
    );
    let (train, test) = motions.split(&split).unwrap();
    let series = train.signals::<6, 100>();
    assert_eq!(series.len(), 40);
    // Channel c, step t is feature c·100 + t (the CSV stores channel after channel).
    for (x, m) in train.features.iter().zip(&series) {
        for c in 0..6 {
            for t in 0..100 {
                assert_eq!(m.as_rows()[c][t], x[c * 100 + t]);
            }
        }
    }
    let scaler = ChannelStandardizer::fit(&series).unwrap();
    // Statistics against a direct two-pass computation in f64.
    for c in 0..6 {
        let values: Vec<f64> = series
            .iter()
            .flat_map(|m| m.as_rows()[c].iter().map(|&v| f64::from(v)))
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        assert_eq!(scaler.mean[c], mean as f32);
        assert_eq!(scaler.std[c], std as f32);
    }
    // Standardized training channels have mean 0 and standard deviation 1.
    let standardized = scaler.transformed(&series);
    for c in 0..6 {
        let values: Vec<f64> = standardized
            .iter()
            .flat_map(|m| m.as_rows()[c].iter().map(|&v| f64::from(v)))
            .collect();
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        assert!(mean.abs() < 1e-5, "channel {c}: mean {mean}");
        assert!(
            (var.sqrt() - 1.0).abs() < 1e-5,
            "channel {c}: std {}",
            var.sqrt()
        );
    }
    // transform_all does what transform does, series by series (test rows: training stats).
    let mut test_series = test.signals::<6, 100>();
    let one = scaler.transform(&test_series[3]);
    scaler.transform_all(&mut test_series);
    assert_eq!(test_series[3], one);

    // A constant channel gets std 1; empty and non-finite data are errors.
    let flat = [Matrix::new([[2.0_f32, 2.0], [1.0, 3.0]])];
    let s = ChannelStandardizer::fit(&flat).unwrap();
    assert_eq!((s.std[0], s.std[1]), (1.0, 1.0));
    assert_eq!(
        ChannelStandardizer::<f32, 2>::fit::<2>(&[]),
        Err(DataError::Empty)
    );
    let bad = [flat[0], Matrix::new([[0.0, f32::NAN], [0.0, 0.0]])];
    assert_eq!(
        ChannelStandardizer::fit(&bad),
        Err(DataError::NonFiniteFeature { row: 1, feature: 1 })
    );
}
