//! Build script of the firmware package.
//!
//! 1. Picks the board for the compilation target (`TARGET`) from [`BOARDS`], writes its
//!    `memory.x` into `OUT_DIR` (and adds `OUT_DIR` to the linker's search path) and writes
//!    `board_gen.rs` with the board's name and RAM size, so the linker script and the
//!    compile-time RAM checks share one table. Other targets (the host) get no `memory.x` and a
//!    nominal `RAM_BYTES` of 1 GiB.
//! 2. Compiles the data sets into the firmware (`data_gen.rs`):
//!    - iris (`../data/iris.csv`, `../data/iris_split.txt`): the 120 training and 30 test rows,
//!      standardized with the training rows' mean and population standard deviation computed
//!      here in f64 (as `typegrad::data::Standardizer` does) and written as f32 literals that
//!      round-trip exactly, so the host and every board train on identical inputs;
//!    - digits (`../data/digits.csv`, `../data/digits_split.txt`): the 450 test images as
//!      `u8` pixels 0..16 (converted to f32 / 16 at run time) and their labels.
//! 3. Reads `weights/digits_mlp.txt`, written by `run_all.sh` from the `mlp` example's output, for the
//!    host's test result that `digits_infer` must reproduce.

#[path = "src/checksum.rs"]
mod checksum;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use typegrad::fixed::I16F16;

#[path = "src/networks.rs"]
mod networks;

// The boards (also read by microflow/build.rs).
include!("boards.rs");

fn read(path: &Path) -> String {
    println!("cargo:rerun-if-changed={}", path.display());
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Data rows of a CSV with a header, features then an integer label in the last column.
fn csv_rows(text: &str) -> Vec<(Vec<f64>, usize)> {
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let cells: Vec<&str> = line.trim().split(',').collect();
            let (label, features) = cells.split_last().expect("empty row");
            let parse = |c: &str| -> f64 {
                c.trim()
                    .parse()
                    .unwrap_or_else(|e| panic!("data row {}: {c:?}: {e}", i + 1))
            };
            (
                features.iter().map(|c| parse(c)).collect(),
                parse(label) as usize,
            )
        })
        .collect()
}

/// `true` for each test row of a split file (`train` / `test` per line).
fn split(text: &str) -> Vec<bool> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| match l.trim() {
            "train" => false,
            "test" => true,
            other => panic!("split word {other:?}"),
        })
        .collect()
}

fn f32_literal(x: f64) -> String {
    // `{:?}` prints the shortest decimal that parses back to the same f32.
    format!("{:?}_f32", x as f32)
}

fn iris(data: &Path, out: &mut String) {
    let rows = csv_rows(&read(&data.join("iris.csv")));
    let is_test = split(&read(&data.join("iris_split.txt")));
    assert_eq!(rows.len(), is_test.len(), "iris rows and split lines");
    let train: Vec<_> = rows
        .iter()
        .zip(&is_test)
        .filter(|(_, t)| !**t)
        .map(|(r, _)| r)
        .collect();
    let test: Vec<_> = rows
        .iter()
        .zip(&is_test)
        .filter(|(_, t)| **t)
        .map(|(r, _)| r)
        .collect();
    let f = rows[0].0.len();
    assert_eq!(f, 4, "iris has 4 features");
    // Mean and population standard deviation over the training rows (f64).
    let n = train.len() as f64;
    let mean: Vec<f64> = (0..f)
        .map(|j| train.iter().map(|r| r.0[j]).sum::<f64>() / n)
        .collect();
    let std: Vec<f64> = (0..f)
        .map(|j| {
            let var = train
                .iter()
                .map(|r| (r.0[j] - mean[j]).powi(2))
                .sum::<f64>()
                / n;
            if var > 0.0 { var.sqrt() } else { 1.0 }
        })
        .collect();
    writeln!(
        out,
        "/// Training rows of iris.\npub const IRIS_TRAIN_ROWS: usize = {};\n\
         /// Test rows of iris.\npub const IRIS_TEST_ROWS: usize = {};",
        train.len(),
        test.len()
    )
    .unwrap();
    for (name, set) in [("TRAIN", &train), ("TEST", &test)] {
        writeln!(
            out,
            "/// Standardized iris features ({name} rows), training statistics.\n\
             pub static IRIS_{name}_X: [Vector<f32, 4>; {}] = [",
            set.len()
        )
        .unwrap();
        for r in set.iter() {
            let v: Vec<String> = (0..f)
                .map(|j| f32_literal((r.0[j] - mean[j]) / std[j]))
                .collect();
            writeln!(out, "    Vector::new([{}]),", v.join(", ")).unwrap();
        }
        // The same features as Q16.16 (each f32 above, rounded to the nearest 2⁻¹⁶).
        writeln!(
            out,
            "];\n/// The {name} features as `I16F16` (the `f32` values rounded to 2⁻¹⁶).\n\
             pub static IRIS_{name}_XQ: [Vector<I16F16, 4>; {}] = [",
            set.len()
        )
        .unwrap();
        for r in set.iter() {
            let v: Vec<String> = (0..f)
                .map(|j| {
                    let x = ((r.0[j] - mean[j]) / std[j]) as f32;
                    format!("I16F16::from_bits({})", I16F16::from_f32(x).to_bits())
                })
                .collect();
            writeln!(out, "    Vector::new([{}]),", v.join(", ")).unwrap();
        }
        writeln!(
            out,
            "];\n/// Iris species (0, 1, 2) of the {name} rows.\n\
             pub static IRIS_{name}_Y: [Class<3>; {}] = [",
            set.len()
        )
        .unwrap();
        for r in set.iter() {
            assert!(r.1 < 3, "iris label {}", r.1);
            writeln!(out, "    class3({}),", r.1).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
}

fn digits(data: &Path, out: &mut String) {
    let rows = csv_rows(&read(&data.join("digits.csv")));
    let is_test = split(&read(&data.join("digits_split.txt")));
    assert_eq!(rows.len(), is_test.len(), "digits rows and split lines");
    let test: Vec<_> = rows
        .iter()
        .zip(&is_test)
        .filter(|(_, t)| **t)
        .map(|(r, _)| r)
        .collect();
    writeln!(
        out,
        "/// Test images of digits.\npub const DIGITS_TEST_ROWS: usize = {};\n\
         /// 8×8 test images, pixels 0..=16, row by row.\n\
         pub static DIGITS_TEST_PIXELS: [[u8; 64]; {0}] = [",
        test.len()
    )
    .unwrap();
    for r in &test {
        assert_eq!(r.0.len(), 64, "digits has 64 pixels");
        let px: Vec<String> =
            r.0.iter()
                .map(|&p| {
                    assert!((0.0..=16.0).contains(&p) && p.fract() == 0.0, "pixel {p}");
                    (p as u8).to_string()
                })
                .collect();
        writeln!(out, "    [{}],", px.join(",")).unwrap();
    }
    let labels: Vec<String> = test
        .iter()
        .map(|r| {
            assert!(r.1 < 10, "digit label {}", r.1);
            r.1.to_string()
        })
        .collect();
    writeln!(
        out,
        "];\n/// Digit (0..=9) of each test image.\npub static DIGITS_TEST_LABELS: [u8; {}] = [{}];",
        test.len(),
        labels.join(",")
    )
    .unwrap();
}

/// The smartwatch recordings (`../data/basic_motions.csv`, 6 channels × 100 steps, the
/// archive's 40/40 split), standardized per channel exactly as the main crate's
/// `conv1d_motions` example does: values read as `f32`, each channel's mean and population
/// standard deviation over the 40 training recordings accumulated in f64 in the same order
/// (`std` at least 1e-6), both rounded to f32, then `(x − mean) / std` in f32 — so the boards
/// see the very inputs the host model was trained and tested on.
/// Standardized recordings (6 × 100, channel after channel) and their labels.
type Recordings = Vec<(Vec<f32>, usize)>;

fn motions(data: &Path, out: &mut String) -> (Recordings, Recordings) {
    const CHANNELS: usize = 6;
    const STEPS: usize = 100;
    let text = read(&data.join("basic_motions.csv"));
    let rows: Vec<(Vec<f32>, usize)> = text
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.trim().split(',').collect();
            let (label, features) = cells.split_last().expect("empty row");
            // As typegrad::data reads them: parsed as f64, then rounded to f32.
            let x: Vec<f32> = features
                .iter()
                .map(|c| c.trim().parse::<f64>().expect("a number") as f32)
                .collect();
            assert_eq!(
                x.len(),
                CHANNELS * STEPS,
                "basic_motions has 600 values per row"
            );
            (x, label.trim().parse::<f64>().expect("a label") as usize)
        })
        .collect();
    let is_test = split(&read(&data.join("basic_motions_split.txt")));
    assert_eq!(
        rows.len(),
        is_test.len(),
        "basic_motions rows and split lines"
    );
    let pick = |test: bool| -> Vec<&(Vec<f32>, usize)> {
        rows.iter()
            .zip(&is_test)
            .filter(|(_, t)| **t == test)
            .map(|(r, _)| r)
            .collect()
    };
    let (train, test) = (pick(false), pick(true));
    let stats: Vec<(f32, f32)> = (0..CHANNELS)
        .map(|c| {
            let values = || {
                train
                    .iter()
                    .flat_map(move |r| r.0[c * STEPS..(c + 1) * STEPS].iter())
            };
            let n = (train.len() * STEPS) as f64;
            let mean = values().map(|&v| v as f64).sum::<f64>() / n;
            let var = values().map(|&v| (v as f64 - mean).powi(2)).sum::<f64>() / n;
            (mean as f32, var.sqrt().max(1e-6) as f32)
        })
        .collect();
    writeln!(
        out,
        "/// Training recordings of basic_motions.\npub const MOTIONS_TRAIN_ROWS: usize = {};\n\
         /// Test recordings of basic_motions.\npub const MOTIONS_TEST_ROWS: usize = {};",
        train.len(),
        test.len()
    )
    .unwrap();
    for (name, set) in [("TRAIN", &train), ("TEST", &test)] {
        writeln!(
            out,
            "/// Standardized recordings ({name}), 6 channels × 100 steps.\n\
             pub static MOTIONS_{name}_X: [Matrix<f32, 6, 100>; {}] = [",
            set.len()
        )
        .unwrap();
        for r in set.iter() {
            out.push_str("    Matrix::new([");
            for (c, &(mean, std)) in stats.iter().enumerate() {
                let v: Vec<String> = r.0[c * STEPS..(c + 1) * STEPS]
                    .iter()
                    .map(|&x| format!("{:?}_f32", (x - mean) / std))
                    .collect();
                write!(out, "[{}],", v.join(",")).unwrap();
            }
            out.push_str("]),\n");
        }
        writeln!(
            out,
            "];\n/// Activity (0 standing, 1 running, 2 walking, 3 badminton) of the {name} rows.\n\
             pub static MOTIONS_{name}_Y: [Class<4>; {}] = [",
            set.len()
        )
        .unwrap();
        for r in set.iter() {
            assert!(r.1 < 4, "activity label {}", r.1);
            writeln!(out, "    class4({}),", r.1).unwrap();
        }
        writeln!(out, "];").unwrap();
    }
    let standardize = |set: &[&(Vec<f32>, usize)]| -> Recordings {
        set.iter()
            .map(|r| {
                let x = (0..CHANNELS * STEPS)
                    .map(|i| (r.0[i] - stats[i / STEPS].0) / stats[i / STEPS].1)
                    .collect();
                (x, r.1)
            })
            .collect()
    };
    (standardize(&train), standardize(&test))
}

/// The int8 CNN: typegrad's quantization of weights/motions_cnn.tgrd calibrated on the 40
/// standardized training recordings (as the int8_motions example does), written as Rust
/// statics (`MOTIONS_INT8`), the 40 test recordings quantized (`MOTIONS_TEST_Q`), and the
/// host's result (`MOTIONS_INT8_HOST`: correct count, FNV-1a of every output).
fn motions_int8(manifest: &Path, train: &Recordings, test: &Recordings, out: &mut String) {
    use typegrad::Matrix;
    use typegrad::quant::{QLayer, quantize};
    let weights = manifest.join("weights").join("motions_cnn.tgrd");
    println!("cargo:rerun-if-changed={}", weights.display());
    let mut net = networks::MotionsCnn::default();
    if typegrad::persist::load_file(&mut net, &weights).is_err() {
        panic!("cannot load {}", weights.display());
    }
    let matrix = |x: &[f32]| Matrix::<f32, 6, 100>::from_fn(|c, t| x[c * 100 + t]);
    let train_x: Vec<_> = train.iter().map(|r| matrix(&r.0)).collect();
    let q = quantize(&net, &train_x);
    int8_static(
        &q,
        "MOTIONS_INT8",
        "MotionsInt8",
        "motions_int8.tflite",
        out,
    );
    let input = q.input_params();
    let (mut correct, mut hash) = (0usize, 0x811c_9dc5u32);
    writeln!(out, "/// The 40 test recordings as int8 inputs of MOTIONS_INT8.\npub static MOTIONS_TEST_Q: [Matrix<i8, 6, 100>; {}] = [", test.len()).unwrap();
    for (x, label) in test {
        let xq = Matrix::<i8, 6, 100>::from_fn(|c, t| input.quantize(x[c * 100 + t]));
        let rows: Vec<String> = xq
            .as_rows()
            .iter()
            .map(|r| {
                format!(
                    "[{}]",
                    r.iter()
                        .map(|v| v.to_string())
                        .collect::<Vec<_>>()
                        .join(",")
                )
            })
            .collect();
        writeln!(out, "    Matrix::new([{}]),", rows.join(",")).unwrap();
        let y = q.predict(&xq);
        let best = checksum::argmax_and_hash(y.as_slice(), &mut hash);
        correct += usize::from(best == *label);
    }
    writeln!(
        out,
        "];\n/// The host's int8 result (build.rs): correct test recordings and the outputs' FNV-1a.\n\
         pub const MOTIONS_INT8_HOST: (usize, u32) = ({correct}, {hash:#010x});"
    )
    .unwrap();
}

/// `MOTIONS_HOST_CORRECT` from `weights/motions_cnn.txt` (written by `run_all.sh` from the
/// `conv1d_motions` example's output), or `None` when the file is missing.
fn motions_host_result(manifest: &Path, out: &mut String) {
    let path = manifest.join("weights").join("motions_cnn.txt");
    println!("cargo:rerun-if-changed={}", path.display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("weights").join("motions_cnn.tgrd").display()
    );
    let text = fs::read_to_string(&path).unwrap_or_default();
    let correct = text
        .lines()
        .find_map(|l| l.strip_prefix("test_correct="))
        .map(|v| v.trim().parse::<usize>().expect("an integer"));
    writeln!(
        out,
        "/// The host's correct test predictions with weights/motions_cnn.tgrd (None: run \
         embedded/run_all.sh first).\npub const MOTIONS_HOST_CORRECT: Option<usize> = {correct:?};"
    )
    .unwrap();
}

/// `DIGITS_HOST_CORRECT` / `DIGITS_HOST_TOTAL` from `weights/digits_mlp.txt` (written by
/// `run_all.sh` from the `mlp` example's output), or `None` when the file is missing.
fn digits_host_result(manifest: &Path, out: &mut String) {
    let path = manifest.join("weights").join("digits_mlp.txt");
    println!("cargo:rerun-if-changed={}", path.display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("weights").join("digits_mlp.tgrd").display()
    );
    let text = fs::read_to_string(&path).unwrap_or_default();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key).and_then(|v| v.strip_prefix('=')))
            .map(|v| v.trim().parse::<usize>().expect("an integer"))
    };
    match (value("test_correct"), value("test_total")) {
        (Some(c), Some(t)) => writeln!(
            out,
            "/// The host's correct test predictions with the same weights (from \
             weights/digits_mlp.txt).\npub const DIGITS_HOST_CORRECT: Option<usize> = Some({c});\n\
             /// The host's number of test images.\npub const DIGITS_HOST_TOTAL: usize = {t};"
        ),
        _ => writeln!(
            out,
            "/// weights/digits_mlp.txt is missing: run embedded/run_all.sh (or the mlp example) first.\n\
             pub const DIGITS_HOST_CORRECT: Option<usize> = None;\n\
             /// Unknown without weights/digits_mlp.txt.\npub const DIGITS_HOST_TOTAL: usize = 0;"
        ),
    }
    .unwrap();
}

/// The int8 digits network: typegrad's quantization (calibrated on the 1,347 training images)
/// of the f32 MLP in `weights/digits_mlp.tgrd`, written as Rust statics (`DIGITS_INT8`), and
/// a table from pixel (0..=16) to the int8 input, so the firmware does no float operation.
fn digits_int8(manifest: &Path, data: &Path, out: &mut String) {
    use typegrad::quant::{QLayer, quantize};
    let weights = manifest.join("weights").join("digits_mlp.tgrd");
    let mut net = networks::DigitsMlp::default();
    if typegrad::persist::load_file(&mut net, &weights).is_err() {
        panic!("cannot load {}", weights.display());
    }
    let mut digits =
        typegrad::data::Dataset::<f32, 64>::load_csv(data.join("digits.csv")).expect("digits.csv");
    digits.scale(1.0 / 16.0);
    let splits =
        typegrad::data::Split::load(data.join("digits_split.txt")).expect("digits_split.txt");
    let (train, _) = digits.split(&splits).expect("the split fits");
    let q = quantize(&net, &train.features);
    int8_static(&q, "DIGITS_INT8", "DigitsInt8", "digits_int8.tflite", out);
    let input = q.input_params();
    let lut: Vec<i8> = (0..=16u8)
        .map(|p| input.quantize(f32::from(p) / 16.0))
        .collect();
    let table: Vec<String> = lut.iter().map(|v| v.to_string()).collect();
    // What the host computes on the test images: the firmware must give the same.
    let rows = csv_rows(&read(&data.join("digits.csv")));
    let is_test = split(&read(&data.join("digits_split.txt")));
    let (mut correct, mut hash) = (0usize, 0x811c_9dc5u32);
    for (row, _) in rows.iter().zip(&is_test).filter(|(_, t)| **t) {
        let x = typegrad::Vector::<i8, 64>::from_fn(|i| lut[row.0[i] as usize]);
        let y = q.predict(&x);
        let best = checksum::argmax_and_hash(y.as_slice(), &mut hash);
        correct += usize::from(best == row.1);
    }
    writeln!(
        out,
        "/// The host's int8 result (build.rs): correct test images and the outputs' FNV-1a.\n\
         pub const DIGITS_INT8_HOST: (usize, u32) = ({correct}, {hash:#010x});"
    )
    .unwrap();
    writeln!(
        out,
        "/// The int8 input for each pixel value 0..=16 (its quantization of pixel / 16).\n\
         pub static DIGITS_INT8_PIXEL: [i8; 17] = [{}];",
        table.join(", ")
    )
    .unwrap();
}

/// The int8 network `q` as the firmware's `pub static NAME: TY`: written as a `.tflite` file
/// (`OUT_DIR/FILE`, the file TFLite Micro or any other runtime could run), read back from it
/// with typegrad's no_std reader (`quant::tflite::load`, which checks every operator against
/// the type) and written as Rust source (`quant::source`): the firmware runs what the file
/// says, its weights a `static` in flash.
fn int8_static<Q>(q: &Q, name: &str, ty: &str, file: &str, out: &mut String)
where
    Q: typegrad::quant::tflite::Describe
        + typegrad::quant::tflite::Load
        + typegrad::quant::source::Literal
        + PartialEq
        + std::fmt::Debug,
    Q::In: typegrad::quant::QSample,
{
    let bytes = typegrad::quant::tflite::to_tflite(q);
    let path = PathBuf::from(env::var("OUT_DIR").unwrap()).join(file);
    fs::write(&path, &bytes).unwrap();
    let loaded: Q =
        typegrad::quant::tflite::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(
        loaded == *q,
        "{file} does not load back into the same network"
    );
    writeln!(
        out,
        "/// The int8 network of `{file}` (build.rs: typegrad's quantization, written as \
         `.tflite`, loaded back)."
    )
    .unwrap();
    out.push_str(&typegrad::quant::source::static_item(name, ty, &loaded));
}

/// The seeded inputs each MLPerf Tiny model runs on the boards (instructions are per inference).
const MLPERF_INPUTS: usize = 4;

/// TFLite Micro's outputs recorded in a `tests/fixtures/mlperf_tiny/*_outputs.json` (the rows
/// kept in full).
fn recorded_rows(json: &str) -> Vec<Vec<i8>> {
    let start = json.find("\"tflm_outputs\": [[").expect("tflm_outputs") + 17;
    let end = start + json[start..].find("]]").expect("the end of tflm_outputs");
    json[start + 1..end]
        .split("], [")
        .map(|row| {
            row.split(',')
                .map(|v| v.trim().parse::<i8>().expect("an int8 output"))
                .collect()
        })
        .collect()
}

/// MLPerf Tiny's reference model `file` (`tests/fixtures/mlperf_tiny/`, as published) loaded
/// into the int8 type `Q` (every operator checked against it), written as `pub static NAME:
/// TY` to `OUT_DIR/FILE.rs` (the program that runs it includes it), and `NAME_HOST` (into
/// `out`): the FNV-1a of the host's outputs on the seeded inputs, each checked here against
/// TFLite Micro's recorded output.
fn mlperf_model<Q>(dir: &Path, file: &str, name: &str, ty: &str, out: &mut String)
where
    Q: typegrad::quant::tflite::Load + typegrad::quant::source::Literal,
    Q::In: typegrad::quant::QSample,
    Q::Out: typegrad::quant::QSample,
{
    use typegrad::quant::QSample;
    let path = dir.join(format!("{file}.tflite"));
    println!("cargo:rerun-if-changed={}", path.display());
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let q: Q =
        typegrad::quant::tflite::load(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The network goes into a file of its own, which only its program includes: the
    // library (and every other program's link) stays free of the large static.
    let mut model = format!(
        "// Generated by build.rs from tests/fixtures/mlperf_tiny/{file}.tflite.\n\
         /// MLPerf Tiny's `{file}.tflite`, loaded by build.rs into its typegrad type.\n"
    );
    model.push_str(&typegrad::quant::source::static_item(name, ty, &q));
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    fs::write(out_dir.join(format!("{file}.rs")), model).unwrap();
    let recorded = recorded_rows(&read(&dir.join(format!("{file}_outputs.json"))));
    let n: usize = Q::In::LEN;
    let mut hash = 0x811c_9dc5u32;
    for (k, want) in recorded.iter().enumerate().take(MLPERF_INPUTS) {
        let mut x = Q::In::zeros();
        for (i, v) in x.values_mut().iter_mut().enumerate() {
            *v = checksum::seeded_input(k, Q::In::nhwc_index(i), n);
        }
        let y = q.predict(&x);
        assert_eq!(
            y.values(),
            &want[..],
            "{file}: input {k}: the host differs from TFLite Micro"
        );
        checksum::argmax_and_hash(y.values(), &mut hash);
    }
    writeln!(
        out,
        "/// The FNV-1a of the host's outputs of `{name}` on the seeded inputs (= TFLite Micro's).\n\
         pub const {name}_HOST: u32 = {hash:#010x};"
    )
    .unwrap();
}

/// The MLPerf Tiny reference models the boards run (on a thread with a large stack: the
/// build script is unoptimized, and the networks are large values).
fn mlperf(manifest: &Path) -> String {
    use typegrad::quant::Quantize;
    let dir = manifest
        .join("..")
        .join("tests")
        .join("fixtures")
        .join("mlperf_tiny");
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(move || {
            let mut out = format!(
                "/// Seeded inputs each MLPerf Tiny model runs.\npub const MLPERF_INPUTS: usize = {MLPERF_INPUTS};\n"
            );
            mlperf_model::<<networks::Kws as Quantize>::Quantized>(
                &dir, "kws_ref_model", "KWS_INT8", "KwsInt8", &mut out,
            );
            mlperf_model::<<networks::Ad01 as Quantize>::Quantized>(
                &dir, "ad01_int8", "AD01_INT8", "Ad01Int8", &mut out,
            );
            mlperf_model::<<networks::ResNet8 as Quantize>::Quantized>(
                &dir,
                "pretrainedResnet_quant",
                "RESNET8_INT8",
                "ResNet8Int8",
                &mut out,
            );
            mlperf_model::<<networks::Vww as Quantize>::Quantized>(
                &dir, "vww_96_int8", "VWW_INT8", "VwwInt8", &mut out,
            );
            out
        })
        .unwrap()
        .join()
        .unwrap()
}

/// CMSIS-NN's int8 kernels (cmsis-nn/, v7.0.0) compiled for the Cortex-M target with
/// arm-none-eabi-gcc `-O2` (the DSP path on the Cortex-M4F, pure C on the Cortex-M0).
#[cfg(feature = "cmsis-nn")]
fn cmsis_nn(manifest: &std::path::Path, target: &str) {
    let cpu = match target {
        "thumbv7em-none-eabihf" => "cortex-m4",
        "thumbv6m-none-eabi" => "cortex-m0",
        _ => return, // not an Arm board: no CMSIS-NN programs
    };
    let root = manifest.join("cmsis-nn");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut build = cc::Build::new();
    build
        .compiler("arm-none-eabi-gcc")
        .archiver("arm-none-eabi-ar")
        .opt_level(2)
        .debug(false)
        .flag(format!("-mcpu={cpu}"))
        .include(root.join("Include"))
        .warnings(false);
    let mut files: Vec<PathBuf> = fs::read_dir(root.join("Source"))
        .unwrap()
        .flat_map(|d| fs::read_dir(d.unwrap().path()).unwrap())
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "c"))
        .collect();
    files.sort();
    build.files(files).compile("cmsisnn");
}

fn main() {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(env::var("OUT_DIR").unwrap());
    let target = env::var("TARGET").unwrap();
    println!("cargo:rerun-if-changed=build.rs");
    #[cfg(feature = "cmsis-nn")]
    cmsis_nn(&manifest, &target);

    let board = BOARDS.iter().find(|b| b.target == target);
    let mut board_src = String::from("// Generated by build.rs.\n");
    match board {
        Some(b) => {
            fs::write(out_dir.join("memory.x"), memory_x(b)).unwrap();
            println!("cargo:rustc-link-search={}", out_dir.display());
            writeln!(
                board_src,
                "/// The emulated board.\npub const BOARD: &str = {:?};\n\
                 /// RAM of the board in bytes (memory.x).\npub const RAM_BYTES: usize = {};\n\
                 /// Flash of the board in bytes (RAM where the program is loaded into RAM).\n\
                 #[allow(dead_code)]\npub const FLASH_BYTES: usize = {};\n\
                 /// The CPU clock QEMU gives the board, in Hz.\n\
                 #[allow(dead_code)]\npub const CPU_HZ: u32 = {};",
                b.name,
                b.ram.1,
                b.flash.map_or(b.ram.1, |f| f.1),
                b.cpu_hz
            )
            .unwrap();
        }
        None => writeln!(
            board_src,
            "/// Not a board: the host ({target}).\npub const BOARD: &str = \"host ({target})\";\n\
             /// The host has no board limit; a nominal 1 GiB for the compile-time checks.\n\
             pub const RAM_BYTES: usize = 1 << 30;\n\
             /// The host has no flash limit; a nominal 1 GiB.\n#[allow(dead_code)]\n\
             pub const FLASH_BYTES: usize = 1 << 30;"
        )
        .unwrap(),
    }
    fs::write(out_dir.join("board_gen.rs"), board_src).unwrap();

    let data = manifest.join("..").join("data");
    let mut out = String::from("// Generated by build.rs from ../data.\n");
    iris(&data, &mut out);
    digits(&data, &mut out);
    digits_host_result(&manifest, &mut out);
    let (motions_train, motions_test) = motions(&data, &mut out);
    motions_int8(&manifest, &motions_train, &motions_test, &mut out);
    digits_int8(&manifest, &data, &mut out);
    motions_host_result(&manifest, &mut out);
    out.push_str(&mlperf(&manifest));
    fs::write(out_dir.join("data_gen.rs"), out).unwrap();
}
