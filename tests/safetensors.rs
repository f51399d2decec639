//! `.safetensors` files: weights written by Python's official `safetensors` package give the
//! outputs numpy computes, files typegrad writes read back in Python and in Rust, and every
//! kind of bad file is refused with a typed error that leaves the network unchanged.
//!
//! The fixtures in `tests/fixtures/` are made by `scripts/safetensors_fixture.py` (committed,
//! so these tests need no Python). The tests that run Python (`python_*`) do so only if
//! `python3 -c "import safetensors, numpy"` succeeds; otherwise they print a note and check
//! the Rust side only, so they pass on a machine without Python or those packages.
#![cfg(feature = "safetensors")]

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Value, json};
use typegrad::activation::{LeakyRelu, Relu};
use typegrad::init::{Init, Rng};
use typegrad::interop::safetensors::{
    SafetensorsError, from_bytes, load_file, save_file, tensor_layout, to_bytes,
};
use typegrad::nn::{Dense, Layer, Parameters};
use typegrad::{Matrix, Vector, seq};

type Net = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
type Net64 = seq![Dense<f64, 4, 8, Relu>, Dense<f64, 8, 3>];
type Wide = seq![Dense<f32, 4, 16, Relu>, Dense<f32, 16, 3>];
type Deep = seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 8, Relu>, Dense<f32, 8, 3>];

/// The names of `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))`.
const NAMES: &[&str] = &["0", "2"];

// ---------------------------------------------------------------------------------------
// Helpers

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures").join(name)
}

/// `tests/fixtures/mlp_4_8_3_expected.json`.
fn expected() -> Value {
    let text = std::fs::read_to_string(fixture("mlp_4_8_3_expected.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn rows<const N: usize>(value: &Value) -> Vec<[f64; N]> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let row = row.as_array().unwrap();
            assert_eq!(row.len(), N);
            std::array::from_fn(|j| row[j].as_f64().unwrap())
        })
        .collect()
}

/// `|got − want| ≤ rel · max(|want|, 1)`: relative for outputs of magnitude 1 and above,
/// absolute below (outputs near 0 have no meaningful relative error).
fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    let tol = rel * want.abs().max(1.0);
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, numpy gives {want} (difference {:e}, tolerance {tol:e})",
        (got - want).abs()
    );
}

/// A network with seeded weights and non-zero biases (so that biases are tested too).
fn net<P: Layer<f32> + Default>(seed: u64) -> P {
    let mut net = P::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    let mut k = 0.0_f32;
    net.visit_mut(&mut |s| {
        if s.len() <= 8 {
            for b in s {
                k += 0.125;
                *b = -k;
            }
        }
    });
    net
}

fn net64(seed: u64) -> Net64 {
    let mut net = Net64::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    net.0.bias = Vector::from_fn(|i| 0.1 * i as f64 - 0.3);
    net.1.bias = Vector::new([0.1, -0.2, 0.3]);
    net
}

fn bits32<P: Parameters<f32>>(p: &P) -> Vec<u32> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

fn bits64<P: Parameters<f64>>(p: &P) -> Vec<u64> {
    let mut out = Vec::new();
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    out
}

/// The JSON header of a safetensors file (after its 8-byte length).
fn header(bytes: &[u8]) -> Value {
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    serde_json::from_slice(&bytes[8..8 + n]).unwrap()
}

/// A safetensors file built by hand, for inputs the library itself would not write:
/// `(name, dtype, shape, data)` per tensor, and an optional `__metadata__`.
fn craft(tensors: &[(&str, &str, &[usize], Vec<u8>)], metadata: Option<Value>) -> Vec<u8> {
    let mut head = serde_json::Map::new();
    if let Some(metadata) = metadata {
        head.insert("__metadata__".into(), metadata);
    }
    let mut data = Vec::new();
    for (name, dtype, shape, bytes) in tensors {
        let start = data.len();
        data.extend_from_slice(bytes);
        head.insert(
            (*name).into(),
            json!({"dtype": dtype, "shape": shape, "data_offsets": [start, data.len()]}),
        );
    }
    let mut head = serde_json::to_vec(&Value::Object(head)).unwrap();
    while head.len() % 8 != 0 {
        head.push(b' ');
    }
    let mut out = (head.len() as u64).to_le_bytes().to_vec();
    out.extend(head);
    out.extend(data);
    out
}

fn le32(xs: &[f32]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn le64(xs: &[f64]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn le16(xs: &[u16]) -> Vec<u8> {
    xs.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// The four tensors of `Net` as F32, with `0.weight` replaced by the given entry.
fn net_file_with(replace: Option<(&str, &str, &[usize], Vec<u8>)>) -> Vec<u8> {
    let w0 = (0..32).map(|i| i as f32 / 8.0).collect::<Vec<_>>();
    let mut tensors: Vec<(&str, &str, &[usize], Vec<u8>)> = vec![
        ("0.weight", "F32", &[8, 4], le32(&w0)),
        ("0.bias", "F32", &[8], le32(&[0.5; 8])),
        ("2.weight", "F32", &[3, 8], le32(&[0.25; 24])),
        ("2.bias", "F32", &[3], le32(&[-1.0; 3])),
    ];
    if let Some(entry) = replace {
        let at = tensors.iter().position(|t| t.0 == entry.0).unwrap();
        tensors[at] = entry;
    }
    craft(&tensors, None)
}

/// A fresh directory under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "typegrad-safetensors-{}-{test}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether `python3` with the `safetensors` and `numpy` packages is available; prints a
/// note when it is not (the calling test then checks the Rust side only and passes).
fn python_available(test: &str) -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import safetensors, numpy"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !ok {
        eprintln!(
            "note: {test}: skipping the Python half (python3 with the `safetensors` and \
             `numpy` packages is not available: pip install safetensors numpy)"
        );
    }
    ok
}

/// Runs a script of `scripts/` with `python3`, returning (success, stdout + stderr).
fn run_python(script: &str, args: &[&Path]) -> (bool, String) {
    let out = Command::new("python3")
        .arg(root().join("scripts").join(script))
        .args(args)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Loads `bytes` into `target` expecting an error, and checks `target` did not change.
fn refuse<P: Parameters<f32> + std::fmt::Debug>(
    target: &mut P,
    names: &[&str],
    bytes: &[u8],
) -> SafetensorsError {
    let before = bits32(target);
    let err = from_bytes(target, names, bytes).expect_err("the load should fail");
    assert_eq!(
        bits32(target),
        before,
        "a failed load changed the network ({err})"
    );
    err
}

// ---------------------------------------------------------------------------------------
// Files written by Python

#[test]
fn pytorch_mlp_f32_gives_numpys_outputs() {
    let expected = expected();
    let inputs = rows::<4>(&expected["inputs"]);
    let outputs = rows::<3>(&expected["outputs"]);
    assert_eq!((inputs.len(), outputs.len()), (5, 5));

    let mut net = Net::default();
    load_file(&mut net, NAMES, fixture("mlp_4_8_3.safetensors")).unwrap();
    for (s, (x, y)) in inputs.iter().zip(&outputs).enumerate() {
        // The inputs are float32 values, exact in the JSON.
        let x = Vector::from_fn(|i| x[i] as f32);
        let got = net.predict(&x);
        for j in 0..3 {
            // numpy's reference is float64 with the same float32 weights; f32 arithmetic
            // over 4 + 8 terms stays well within 1e-5.
            assert_close(
                f64::from(got[j]),
                y[j],
                1e-5,
                &format!("sample {s}, output {j}"),
            );
        }
    }
    // The batch forward pass agrees too.
    let batch = typegrad::Batch::<f32, 5, 4>::from_fn(|s, i| inputs[s][i] as f32);
    let ys = net.forward(&batch);
    for s in 0..5 {
        for j in 0..3 {
            assert_close(f64::from(ys[(s, j)]), outputs[s][j], 1e-5, "batch");
        }
    }
}

#[test]
fn pytorch_mlp_f16_gives_numpys_outputs() {
    let expected = expected();
    let inputs = rows::<4>(&expected["inputs"]);
    let mut net = Net::default();
    load_file(&mut net, NAMES, fixture("mlp_4_8_3_f16.safetensors")).unwrap();

    // Every F16 weight converts exactly to the float32 numpy makes of it.
    let halves = &expected["weights_f16"];
    let mut k = 0;
    let mut check = |name: &str, got: &[f32]| {
        let want: Vec<f64> = halves[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        assert_eq!(got.len(), want.len(), "{name}");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(f64::from(*g), *w, "{name}[{i}]");
        }
        k += 1;
    };
    check("0.weight", net.0.weights.as_slice());
    check("0.bias", net.0.bias.as_slice());
    check("2.weight", net.1.weights.as_slice());
    check("2.bias", net.1.bias.as_slice());
    assert_eq!(k, 4);

    // With those weights, the outputs are numpy's to f32 precision ("outputs_f16" is the
    // float64 forward pass with the F16 weights) ...
    let outputs_f16 = rows::<3>(&expected["outputs_f16"]);
    let outputs = rows::<3>(&expected["outputs"]);
    for (s, x) in inputs.iter().enumerate() {
        let got = net.predict(&Vector::from_fn(|i| x[i] as f32));
        for j in 0..3 {
            assert_close(f64::from(got[j]), outputs_f16[s][j], 1e-5, "f16 weights");
            // ... and within half precision of the F32 model's outputs: each weight is off by
            // at most 2⁻¹¹ of itself (F16 keeps 11 significant bits), and the 4 + 8 terms
            // of each output add up to an error of a few 1e-3 at these magnitudes.
            assert_close(f64::from(got[j]), outputs[s][j], 1e-2, "f16 vs f32");
        }
    }
}

#[test]
fn pytorch_mlp_into_an_f64_network_is_exact() {
    let expected = expected();
    let inputs = rows::<4>(&expected["inputs"]);
    let outputs = rows::<3>(&expected["outputs"]);
    let mut net = Net64::default();
    load_file(&mut net, NAMES, fixture("mlp_4_8_3.safetensors")).unwrap();
    // The F32 weights widen exactly, so an f64 network computes what numpy's float64 does,
    // up to the order of the sums.
    for (x, y) in inputs.iter().zip(&outputs) {
        let got = net.predict(&Vector::new(*x));
        for j in 0..3 {
            assert_close(got[j], y[j], 1e-12, "f64");
        }
    }
    // And agrees with the f32 network loaded from the same file, widened.
    let mut net32 = Net::default();
    load_file(&mut net32, NAMES, fixture("mlp_4_8_3.safetensors")).unwrap();
    let widened: Vec<f64> = bits32(&net32)
        .into_iter()
        .map(|b| f64::from(f32::from_bits(b)))
        .collect();
    let mut mine = Vec::new();
    net.visit(&mut |s| mine.extend_from_slice(s));
    assert_eq!(mine, widened);
}

#[test]
fn pytorch_mlp_with_other_names_lists_the_files_tensors() {
    let mut net = Net::default();
    let before = bits32(&net);
    let err = load_file(&mut net, &["fc1", "fc2"], fixture("mlp_4_8_3.safetensors")).unwrap_err();
    assert_eq!(
        err,
        SafetensorsError::Missing {
            tensor: "fc1.weight".into(),
            expected: vec![8, 4],
            available: vec![
                "0.bias".into(),
                "0.weight".into(),
                "2.bias".into(),
                "2.weight".into()
            ],
        }
    );
    assert_eq!(
        err.to_string(),
        "the file has no tensor \"fc1.weight\" (the network needs one of shape [8, 4]); the \
         file has \"0.bias\", \"0.weight\", \"2.bias\", \"2.weight\""
    );
    assert_eq!(bits32(&net), before);
}

// ---------------------------------------------------------------------------------------
// Round trips and the written format

#[test]
fn f32_round_trip_through_bytes() {
    let net: Net = net(1);
    let bytes = to_bytes(&net, NAMES).unwrap();
    let head = header(&bytes);
    assert_eq!(
        head,
        json!({
            "0.bias": {"dtype": "F32", "shape": [8], "data_offsets": [0, 32]},
            "0.weight": {"dtype": "F32", "shape": [8, 4], "data_offsets": [32, 160]},
            "2.bias": {"dtype": "F32", "shape": [3], "data_offsets": [160, 172]},
            "2.weight": {"dtype": "F32", "shape": [3, 8], "data_offsets": [172, 268]},
        })
    );
    // The data is little-endian, row-major: "0.weight" starts with row 0 of the weights.
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let data = &bytes[8 + n..];
    assert_eq!(data.len(), 268);
    assert_eq!(&data[32..36], &net.0.weights[(0, 0)].to_le_bytes());
    assert_eq!(&data[36..40], &net.0.weights[(0, 1)].to_le_bytes());
    assert_eq!(&data[48..52], &net.0.weights[(1, 0)].to_le_bytes());
    assert_eq!(&data[0..4], &net.0.bias[0].to_le_bytes());

    let mut back = Net::default();
    from_bytes(&mut back, NAMES, &bytes).unwrap();
    assert_eq!(bits32(&back), bits32(&net));
}

#[test]
fn f64_round_trip_through_bytes() {
    let net = net64(2);
    let bytes = to_bytes(&net, &["fc1", "fc2"]).unwrap();
    let head = header(&bytes);
    assert_eq!(head["fc1.weight"]["dtype"], "F64");
    assert_eq!(head["fc1.weight"]["shape"], json!([8, 4]));
    assert_eq!(head["fc2.bias"]["shape"], json!([3]));
    assert_eq!(head.as_object().unwrap().len(), 4);
    let mut back = Net64::default();
    from_bytes(&mut back, &["fc1", "fc2"], &bytes).unwrap();
    assert_eq!(bits64(&back), bits64(&net));
}

#[test]
fn round_trips_through_files() {
    let dir = TempDir::new("files");
    let net32: Net = net(3);
    save_file(&net32, NAMES, dir.path("a.safetensors")).unwrap();
    let mut back32 = Net::default();
    load_file(&mut back32, NAMES, dir.path("a.safetensors")).unwrap();
    assert_eq!(back32, net32);

    let net64 = net64(4);
    save_file(&net64, NAMES, dir.path("b.safetensors")).unwrap();
    let mut back64 = Net64::default();
    load_file(&mut back64, NAMES, dir.path("b.safetensors")).unwrap();
    assert_eq!(back64, net64);

    // The file is the same as the bytes.
    assert_eq!(
        std::fs::read(dir.path("a.safetensors")).unwrap(),
        to_bytes(&net32, NAMES).unwrap()
    );

    // A deeper network with its own names.
    let deep: Deep = net(5);
    let names = ["input", "hidden", "output"];
    save_file(&deep, &names, dir.path("deep.safetensors")).unwrap();
    let mut back = Deep::default();
    load_file(&mut back, &names, dir.path("deep.safetensors")).unwrap();
    assert_eq!(back, deep);
}

#[test]
fn f64_file_into_f32_network_and_back() {
    // f64 → f32 rounds to nearest; f32 → f64 is exact.
    let net = net64(6);
    let bytes = to_bytes(&net, NAMES).unwrap();
    let mut narrow = Net::default();
    from_bytes(&mut narrow, NAMES, &bytes).unwrap();
    let mut wide = Vec::new();
    net.visit(&mut |s| wide.extend_from_slice(s));
    let rounded: Vec<u32> = wide.iter().map(|&x| (x as f32).to_bits()).collect();
    assert_eq!(bits32(&narrow), rounded);

    let mut widened = Net64::default();
    from_bytes(&mut widened, NAMES, &to_bytes(&narrow, NAMES).unwrap()).unwrap();
    let mut got = Vec::new();
    widened.visit(&mut |s| got.extend_from_slice(s));
    let want: Vec<f64> = wide.iter().map(|&x| f64::from(x as f32)).collect();
    assert_eq!(got, want);
}

#[test]
fn loading_keeps_hyper_parameters() {
    let mut saved: Dense<f32, 3, 2, LeakyRelu> = Dense::default();
    saved.init(&mut Rng::new(7), Init::HeUniform);
    saved.activation = LeakyRelu::new(0.2);
    let bytes = to_bytes(&saved, &["layer"]).unwrap();
    let mut target: Dense<f32, 3, 2, LeakyRelu> =
        Dense::new(Matrix::zeros(), Vector::zeros(), LeakyRelu::new(0.3));
    from_bytes(&mut target, &["layer"], &bytes).unwrap();
    assert_eq!(target.weights, saved.weights);
    assert_eq!(target.bias, saved.bias);
    assert_eq!(target.activation, LeakyRelu::new(0.3));
}

#[test]
fn reads_f16_and_bf16_known_values() {
    type Tiny = Dense<f32, 2, 2>;
    let bytes = craft(
        &[
            // f16: 1.0, -2.0, 65504 (largest), 2⁻²⁴ (smallest subnormal)
            (
                "l.weight",
                "F16",
                &[2, 2],
                le16(&[0x3C00, 0xC000, 0x7BFF, 0x0001]),
            ),
            // bf16: 1.0, -0.5
            ("l.bias", "BF16", &[2], le16(&[0x3F80, 0xBF00])),
        ],
        None,
    );
    let mut tiny = Tiny::default();
    from_bytes(&mut tiny, &["l"], &bytes).unwrap();
    assert_eq!(
        tiny.weights,
        Matrix::new([[1.0, -2.0], [65504.0, 2f32.powi(-24)]])
    );
    assert_eq!(tiny.bias, Vector::new([1.0, -0.5]));

    // The same into f64.
    let mut tiny64 = Dense::<f64, 2, 2>::default();
    from_bytes(&mut tiny64, &["l"], &bytes).unwrap();
    assert_eq!(tiny64.weights[(1, 1)], 2f64.powi(-24));
    assert_eq!(tiny64.bias, Vector::new([1.0, -0.5]));

    // Dtypes may differ from tensor to tensor and from the network's.
    let mixed = craft(
        &[
            ("l.weight", "F64", &[2, 2], le64(&[0.1, 0.2, 0.3, 0.4])),
            ("l.bias", "F32", &[2], le32(&[0.5, 0.6])),
        ],
        None,
    );
    from_bytes(&mut tiny, &["l"], &mixed).unwrap();
    assert_eq!(tiny.weights, Matrix::new([[0.1, 0.2], [0.3, 0.4]]));
    assert_eq!(tiny.bias, Vector::new([0.5, 0.6]));
}

#[test]
fn metadata_is_ignored() {
    // transformers writes {"format": "pt"}; the header's metadata is not a tensor.
    let plain = net_file_with(None);
    let mut expected = Net::default();
    from_bytes(&mut expected, NAMES, &plain).unwrap();
    let w0 = (0..32).map(|i| i as f32 / 8.0).collect::<Vec<_>>();
    let with = craft(
        &[
            ("0.weight", "F32", &[8, 4], le32(&w0)),
            ("0.bias", "F32", &[8], le32(&[0.5; 8])),
            ("2.weight", "F32", &[3, 8], le32(&[0.25; 24])),
            ("2.bias", "F32", &[3], le32(&[-1.0; 3])),
        ],
        Some(json!({"format": "pt"})),
    );
    let mut net = Net::default();
    from_bytes(&mut net, NAMES, &with).unwrap();
    assert_eq!(net, expected);
    assert_eq!(net.0.weights[(1, 2)], 6.0 / 8.0);
}

#[test]
fn tensor_layout_lists_names_and_shapes() {
    let layout = tensor_layout::<f32, Deep>(&["a", "b", "c"]).unwrap();
    let names: Vec<&str> = layout.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "a.weight", "a.bias", "b.weight", "b.bias", "c.weight", "c.bias"
        ]
    );
    assert_eq!(layout[2].1, [8, 8]);
    assert_eq!(layout[5].1, [3]);
    assert_eq!(
        tensor_layout::<f32, Deep>(&["a", "b"]),
        Err(SafetensorsError::NameCount {
            names: 2,
            layers: 3
        })
    );
}

// ---------------------------------------------------------------------------------------
// Every error, and the network unchanged after each

#[test]
fn wrong_number_of_names() {
    let mut target: Net = net(8);
    let bytes = to_bytes(&target, NAMES).unwrap();
    for names in [&["0"][..], &["0", "2", "4"], &[]] {
        let err = refuse(&mut target, names, &bytes);
        assert_eq!(
            err,
            SafetensorsError::NameCount {
                names: names.len(),
                layers: 2
            }
        );
        assert_eq!(to_bytes(&target, names), Err(err));
    }
    assert_eq!(
        SafetensorsError::NameCount {
            names: 1,
            layers: 2
        }
        .to_string(),
        "1 layer names were given but the network has 2 layers with tensors, so it needs 2 \
         names: one per layer with parameters or buffers, for its \"<name>.weight\", \
         \"<name>.bias\", …"
    );
}

#[test]
fn duplicate_names() {
    let mut target: Net = net(9);
    let bytes = to_bytes(&target, NAMES).unwrap();
    let err = refuse(&mut target, &["fc", "fc"], &bytes);
    assert_eq!(err, SafetensorsError::DuplicateName { name: "fc".into() });
    assert_eq!(to_bytes(&target, &["fc", "fc"]), Err(err.clone()));
    assert!(err.to_string().contains("\"fc\" is given more than once"));
}

#[test]
fn missing_tensor() {
    // Layer "2" saved as "3": "2.weight" is missing.
    let source: Net = net(10);
    let bytes = to_bytes(&source, &["0", "3"]).unwrap();
    let mut target: Net = net(11);
    let err = refuse(&mut target, NAMES, &bytes);
    assert_eq!(
        err,
        SafetensorsError::Missing {
            tensor: "2.weight".into(),
            expected: vec![3, 8],
            available: vec![
                "0.bias".into(),
                "0.weight".into(),
                "3.bias".into(),
                "3.weight".into()
            ],
        }
    );
    // Only the bias missing.
    let w0 = (0..32).map(|i| i as f32).collect::<Vec<_>>();
    let no_bias = craft(
        &[
            ("0.weight", "F32", &[8, 4], le32(&w0)),
            ("2.weight", "F32", &[3, 8], le32(&[0.25; 24])),
            ("2.bias", "F32", &[3], le32(&[-1.0; 3])),
        ],
        None,
    );
    assert!(matches!(
        refuse(&mut target, NAMES, &no_bias),
        SafetensorsError::Missing { tensor, .. } if tensor == "0.bias"
    ));
    // An empty file.
    let empty = craft(&[], None);
    let err = refuse(&mut target, NAMES, &empty);
    assert!(
        err.to_string().ends_with("the file has no tensors at all"),
        "{err}"
    );
}

#[test]
fn extra_tensor() {
    // A file with three layers into a network with two.
    let deep: Deep = net(12);
    let bytes = to_bytes(&deep, &["0", "2", "4"]).unwrap();
    let mut target: seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 8>] = Default::default();
    target.init(&mut Rng::new(13), Init::HeUniform);
    let before = bits32(&target);
    let err = from_bytes(&mut target, NAMES, &bytes).unwrap_err();
    assert_eq!(bits32(&target), before);
    assert_eq!(
        err,
        SafetensorsError::Unexpected {
            tensor: "4.bias".into(),
            shape: vec![3],
        }
    );
    assert_eq!(
        err.to_string(),
        "the file has a tensor \"4.bias\" of shape [3] that the network does not have; the \
         file must hold exactly the network's tensors"
    );
    // A buffer such as batch-norm statistics, in an otherwise matching file.
    let w0 = (0..32).map(|i| i as f32).collect::<Vec<_>>();
    let with_buffer = craft(
        &[
            ("0.weight", "F32", &[8, 4], le32(&w0)),
            ("0.bias", "F32", &[8], le32(&[0.5; 8])),
            ("2.weight", "F32", &[3, 8], le32(&[0.25; 24])),
            ("2.bias", "F32", &[3], le32(&[-1.0; 3])),
            ("1.num_batches_tracked", "I64", &[], le64(&[0.0])),
        ],
        None,
    );
    let mut net: Net = net(14);
    assert_eq!(
        refuse(&mut net, NAMES, &with_buffer),
        SafetensorsError::Unexpected {
            tensor: "1.num_batches_tracked".into(),
            shape: vec![],
        }
    );
}

#[test]
fn wrong_weight_shape() {
    let wide: Wide = net(15);
    let bytes = to_bytes(&wide, &["fc1", "fc2"]).unwrap();
    let mut target: Net = net(16);
    let err = refuse(&mut target, &["fc1", "fc2"], &bytes);
    assert_eq!(
        err,
        SafetensorsError::Shape {
            tensor: "fc1.weight".into(),
            expected: vec![8, 4],
            found: vec![16, 4],
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor \"fc1.weight\": the file has shape [16, 4], the network needs [8, 4]"
    );
    // Transposed ([in, out], as a Keras kernel would be).
    let t = net_file_with(Some(("0.weight", "F32", &[4, 8], le32(&[0.0; 32]))));
    assert_eq!(
        refuse(&mut target, NAMES, &t),
        SafetensorsError::Shape {
            tensor: "0.weight".into(),
            expected: vec![8, 4],
            found: vec![4, 8],
        }
    );
    // Flattened.
    let flat = net_file_with(Some(("0.weight", "F32", &[32], le32(&[0.0; 32]))));
    assert!(matches!(
        refuse(&mut target, NAMES, &flat),
        SafetensorsError::Shape { found, .. } if found == [32]
    ));
}

#[test]
fn wrong_bias_shape() {
    let mut target: Net = net(17);
    // [out, 1] is not PyTorch's [out].
    let column = net_file_with(Some(("0.bias", "F32", &[8, 1], le32(&[0.0; 8]))));
    let err = refuse(&mut target, NAMES, &column);
    assert_eq!(
        err,
        SafetensorsError::Shape {
            tensor: "0.bias".into(),
            expected: vec![8],
            found: vec![8, 1],
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor \"0.bias\": the file has shape [8, 1], the network needs [8]"
    );
    let short = net_file_with(Some(("2.bias", "F32", &[2], le32(&[0.0; 2]))));
    assert_eq!(
        refuse(&mut target, NAMES, &short),
        SafetensorsError::Shape {
            tensor: "2.bias".into(),
            expected: vec![3],
            found: vec![2],
        }
    );
}

#[test]
fn unsupported_dtype() {
    let mut target: Net = net(18);
    let i8s = net_file_with(Some(("0.weight", "I8", &[8, 4], vec![0; 32])));
    let err = refuse(&mut target, NAMES, &i8s);
    assert_eq!(
        err,
        SafetensorsError::Dtype {
            tensor: "0.weight".into(),
            dtype: "I8".into(),
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor \"0.weight\" is stored as I8, which cannot be loaded: only F32, F64, F16, BF16 \
         and I64 (as PyTorch stores batch counts) can"
    );
    for (dtype, width) in [
        ("I32", 4),
        ("U8", 1),
        ("BOOL", 1),
        ("F8_E4M3", 1),
        ("C64", 8),
    ] {
        let bytes = net_file_with(Some(("2.bias", dtype, &[3], vec![0; 3 * width])));
        assert_eq!(
            refuse(&mut target, NAMES, &bytes),
            SafetensorsError::Dtype {
                tensor: "2.bias".into(),
                dtype: dtype.into(),
            }
        );
    }
}

#[test]
fn corrupt_header() {
    let mut target: Net = net(19);
    let format = |err: SafetensorsError| match err {
        SafetensorsError::Format { message } => message,
        other => panic!("expected a Format error, got {other:?}"),
    };
    // Garbage: the first 8 bytes read as a huge header length.
    let message = format(refuse(
        &mut target,
        NAMES,
        b"this is not a safetensors file at all",
    ));
    assert_eq!(message, "header too large");
    // Fewer than 8 bytes.
    assert_eq!(
        format(refuse(&mut target, NAMES, b"abc")),
        "header too small"
    );
    assert_eq!(format(refuse(&mut target, NAMES, b"")), "header too small");
    // A valid length, then something that is not JSON.
    let mut bytes = 16u64.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"{not json at all");
    let message = format(refuse(&mut target, NAMES, &bytes));
    assert!(message.starts_with("invalid JSON in header"), "{message}");
    // A length beyond the end of the file.
    let mut bytes = 1000u64.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"{}");
    assert_eq!(
        format(refuse(&mut target, NAMES, &bytes)),
        "invalid header length"
    );
    // Invalid UTF-8.
    let mut bytes = 8u64.to_le_bytes().to_vec();
    bytes.extend_from_slice(&[0xff; 8]);
    let message = format(refuse(&mut target, NAMES, &bytes));
    assert!(message.starts_with("invalid UTF-8 in header"), "{message}");
    // JSON, but offsets that do not match the dtype and shape.
    let mut bytes = net_file_with(None);
    let n = u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize;
    let head = String::from_utf8(bytes[8..8 + n].to_vec()).unwrap();
    let broken = head.replacen("[8,4]", "[8,5]", 1);
    assert_eq!(broken.len(), head.len());
    bytes[8..8 + n].copy_from_slice(broken.as_bytes());
    let err = refuse(&mut target, NAMES, &bytes);
    assert!(matches!(err, SafetensorsError::Format { .. }), "{err:?}");
    assert!(
        err.to_string()
            .starts_with("not a valid safetensors file: ")
    );
}

#[test]
fn truncated_or_padded_data() {
    let source: Net = net(20);
    let bytes = to_bytes(&source, NAMES).unwrap();
    let mut target: Net = net(21);
    // Up to all 268 bytes of data missing, the header intact: the last tensor's end offset
    // (268) lies past the data (checked before the `safetensors` crate reads the header).
    for cut in [1, 4, 100, 268] {
        let err = refuse(&mut target, NAMES, &bytes[..bytes.len() - cut]);
        let SafetensorsError::Format { message } = &err else {
            panic!("cut {cut}: {err:?}");
        };
        assert!(
            message.ends_with(&format!(
                "lies past the {} bytes of data after the header",
                268 - cut
            )),
            "cut {cut}: {message}"
        );
    }
    // Cut inside the header.
    assert!(matches!(
        refuse(&mut target, NAMES, &bytes[..20]),
        SafetensorsError::Format { .. }
    ));
    // Bytes after the data.
    let mut longer = bytes.clone();
    longer.extend_from_slice(&[0; 4]);
    assert!(matches!(
        refuse(&mut target, NAMES, &longer),
        SafetensorsError::Format { .. }
    ));
    // The intact file still loads.
    from_bytes(&mut target, NAMES, &bytes).unwrap();
    assert_eq!(target, source);
}

#[test]
fn non_finite_values() {
    let mut target: Net = net(22);
    let mut w2 = [0.25f32; 24];
    w2[13] = f32::NAN; // row 1, column 5 of a 3 × 8 weight
    let nan = net_file_with(Some(("2.weight", "F32", &[3, 8], le32(&w2))));
    let err = refuse(&mut target, NAMES, &nan);
    assert_eq!(
        err,
        SafetensorsError::NonFinite {
            tensor: "2.weight".into(),
            index: 13,
            position: vec![1, 5],
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor \"2.weight\": the value at [1, 5] (element 13 in row-major order) is NaN or \
         infinite"
    );
    let inf = net_file_with(Some((
        "2.bias",
        "F64",
        &[3],
        le64(&[0.0, 0.0, f64::INFINITY]),
    )));
    assert_eq!(
        refuse(&mut target, NAMES, &inf),
        SafetensorsError::NonFinite {
            tensor: "2.bias".into(),
            index: 2,
            position: vec![2],
        }
    );
    // F16 infinity (0x7C00) and NaN (0x7E00).
    for bits in [0x7C00u16, 0xFC00, 0x7E00] {
        let half = net_file_with(Some(("2.bias", "F16", &[3], le16(&[bits, 0, 0]))));
        assert!(matches!(
            refuse(&mut target, NAMES, &half),
            SafetensorsError::NonFinite { index: 0, .. }
        ));
    }

    // Saving a network with a NaN is refused too.
    let mut bad: Net = net(23);
    bad.0.weights[(2, 3)] = f32::INFINITY;
    assert_eq!(
        to_bytes(&bad, NAMES),
        Err(SafetensorsError::NonFinite {
            tensor: "0.weight".into(),
            index: 11,
            position: vec![2, 3],
        })
    );
    let dir = TempDir::new("nonfinite");
    assert!(save_file(&bad, NAMES, dir.path("bad.safetensors")).is_err());
    assert!(!dir.path("bad.safetensors").exists());
}

#[test]
fn f64_value_too_large_for_f32() {
    let mut target: Net = net(24);
    let big = net_file_with(Some((
        "0.bias",
        "F64",
        &[8],
        le64(&[0.0, 1e300, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]),
    )));
    let err = refuse(&mut target, NAMES, &big);
    assert_eq!(
        err,
        SafetensorsError::OutOfRange {
            tensor: "0.bias".into(),
            index: 1,
            value: 1e300,
        }
    );
    assert_eq!(
        err.to_string(),
        "tensor \"0.bias\": the value 1e300 at element 1 (in row-major order) is too large \
         for f32"
    );
    // The same file fits an f64 network.
    let mut wide = Net64::default();
    from_bytes(&mut wide, NAMES, &big).unwrap();
    assert_eq!(wide.0.bias[1], 1e300);
}

#[test]
fn file_errors() {
    let dir = TempDir::new("io");
    let mut target: Net = net(25);
    let before = bits32(&target);
    let err = load_file(&mut target, NAMES, dir.path("missing.safetensors")).unwrap_err();
    assert!(matches!(err, SafetensorsError::Io { .. }));
    assert!(err.to_string().starts_with("could not read "), "{err}");
    assert_eq!(bits32(&target), before);
    let err = save_file(&target, NAMES, dir.path("no/such/dir/x.safetensors")).unwrap_err();
    assert!(err.to_string().starts_with("could not write "), "{err}");
    // A std::error::Error.
    let boxed: Box<dyn std::error::Error> = Box::new(err);
    assert!(!boxed.to_string().is_empty());
}

// ---------------------------------------------------------------------------------------
// Python reads what typegrad writes, and converts F16 the same way

/// `{name: {dtype, shape, values}}` for `scripts/safetensors_roundtrip.py`.
fn expectation<T: typegrad::interop::safetensors::Element + Into<f64>, P: Parameters<T>>(
    p: &P,
    names: &[&str],
    dtype: &str,
) -> Value {
    let layout = tensor_layout::<T, P>(names).unwrap();
    let mut values: Vec<f64> = Vec::new();
    p.visit(&mut |s| values.extend(s.iter().map(|&x| x.into())));
    let mut out = serde_json::Map::new();
    let mut rest = values.as_slice();
    for (name, shape) in layout {
        let (mine, tail) = rest.split_at(shape.iter().product());
        rest = tail;
        out.insert(
            name,
            json!({"dtype": dtype, "shape": shape, "values": mine}),
        );
    }
    Value::Object(out)
}

#[test]
fn python_reads_what_typegrad_writes() {
    let dir = TempDir::new("python");
    let net32: Net = net(26);
    let net64 = net64(27);
    save_file(&net32, NAMES, dir.path("f32.safetensors")).unwrap();
    save_file(&net64, &["fc1", "fc2"], dir.path("f64.safetensors")).unwrap();
    let write = |name: &str, value: &Value| {
        std::fs::write(dir.path(name), serde_json::to_vec(value).unwrap()).unwrap();
    };
    let expect32 = expectation(&net32, NAMES, "F32");
    write("f32.json", &expect32);
    write("f64.json", &expectation(&net64, &["fc1", "fc2"], "F64"));
    // A wrong expectation, to see the script fail: one value off by one ulp.
    let mut wrong = expect32.clone();
    let w = &mut wrong["2.weight"]["values"][5];
    let x = w.as_f64().unwrap() as f32;
    *w = json!(f64::from(f32::from_bits(x.to_bits() + 1)));
    write("wrong.json", &wrong);

    // The Rust side (what Python would be checking) holds without Python too.
    let mut back = Net::default();
    load_file(&mut back, NAMES, dir.path("f32.safetensors")).unwrap();
    assert_eq!(back, net32);

    if !python_available("python_reads_what_typegrad_writes") {
        return;
    }
    let (ok, output) = run_python(
        "safetensors_roundtrip.py",
        &[
            &dir.path("f32.safetensors"),
            &dir.path("f32.json"),
            &dir.path("f64.safetensors"),
            &dir.path("f64.json"),
        ],
    );
    assert!(ok, "safetensors_roundtrip.py failed:\n{output}");
    assert_eq!(
        output.matches("4 tensors as expected").count(),
        2,
        "{output}"
    );

    let (ok, output) = run_python(
        "safetensors_roundtrip.py",
        &[&dir.path("f32.safetensors"), &dir.path("wrong.json")],
    );
    assert!(!ok, "the script accepted a wrong value:\n{output}");
    assert!(output.contains("2.weight: at [0, 5]"), "{output}");
}

#[test]
fn python_f16_conversion_agrees_for_every_finite_half() {
    // 63,488 finite f16 bit patterns as a [248, 256] weight.
    type Table = Dense<f32, 256, 248>;
    if !python_available("python_f16_conversion_agrees_for_every_finite_half") {
        return;
    }
    let dir = TempDir::new("f16table");
    let (ok, output) = run_python(
        "safetensors_fixture.py",
        &[Path::new("--f16-table"), &dir.0],
    );
    assert!(ok, "safetensors_fixture.py --f16-table failed:\n{output}");
    let mut halves = Box::new(Table::default());
    let mut numpy = Box::new(Table::default());
    load_file(&mut *halves, &["t"], dir.path("f16_table_f16.safetensors")).unwrap();
    load_file(&mut *numpy, &["t"], dir.path("f16_table_f32.safetensors")).unwrap();
    let (a, b) = (bits32(&*halves), bits32(&*numpy));
    assert_eq!(a.len(), 248 * 256 + 248);
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            x,
            y,
            "element {i}: typegrad gives {:e}, numpy {:e}",
            f32::from_bits(*x),
            f32::from_bits(*y)
        );
    }
    // Spot checks of the table itself.
    assert_eq!(halves.weights[(0, 1)], 2f32.powi(-24)); // 0x0001
    assert_eq!(halves.weights[(60, 0)], 1.0); // 0x3C00 = 60 · 256
    assert_eq!(halves.weights[(123, 255)], 65504.0); // 0x7BFF, the last positive
    assert_eq!(halves.weights[(124, 0)].to_bits(), (-0.0f32).to_bits()); // 0x8000
}
