//! Checks of int8 networks against `scripts/tflite_check.py --fixture` records (TFLite
//! Micro's outputs for typegrad's `.tflite` files, `tests/fixtures/`), shared by
//! `examples/mlperf_tiny.rs`, `tests/mlperf.rs` and `tests/mlperf_models.rs`.

use serde_json::Value;
use typegrad::quant::tflite::{Describe, to_tflite};
use typegrad::quant::{QLayer, QSample};

/// FNV-1a (64-bit) of int8 values, as `scripts/tflite_check.py` computes it.
pub fn fnv(rows: impl IntoIterator<Item = u8>) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for v in rows {
        h ^= u64::from(v);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Runs `f` on a thread with a 256 MiB stack: the float network is a 1 MB value, Adam's state
/// 2 MB, and a debug build keeps several copies.
pub fn on_a_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(256 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

/// A `scripts/tflite_check.py --fixture` record: typegrad's `.tflite` bytes hash to the file
/// TFLite Micro ran; the int8 inputs and typegrad's outputs equal the rows kept in full (TFLite
/// Micro's outputs), and when all `samples` are given, hash as all of them did.
pub fn assert_recorded(fixture: &str, file: &[u8], inputs: &[Vec<i8>], outputs: &[Vec<i8>]) {
    if let Err(e) = check_recorded(fixture, file, inputs, outputs) {
        panic!("{e}");
    }
}

/// [`assert_recorded`] as a `Result`: what differs, in words.
pub fn check_recorded(
    fixture: &str,
    file: &[u8],
    inputs: &[Vec<i8>],
    outputs: &[Vec<i8>],
) -> Result<(), String> {
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let f: Value = serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))?;
    let rows = |key: &str| -> Vec<Vec<i8>> {
        let rows = f[key].as_array().map(|r| r.iter()).into_iter().flatten();
        rows.map(|r| {
            let values = r.as_array().map(|v| v.iter()).into_iter().flatten();
            values
                .map(|v| v.as_i64().unwrap_or(i64::MAX) as i8)
                .collect()
        })
        .collect()
    };
    let text_of = |key: &str| f[key].as_str().unwrap_or("").to_string();
    if fnv(file.iter().copied()) != text_of("tflite_fnv") {
        return Err(format!(
            "{fixture}: typegrad's .tflite file is not the one TFLite Micro ran"
        ));
    }
    let (kept_inputs, kept_outputs) = (rows("inputs"), rows("tflm_outputs"));
    for (k, (x, y)) in inputs
        .iter()
        .zip(outputs)
        .enumerate()
        .take(kept_inputs.len())
    {
        if *x != kept_inputs[k] {
            return Err(format!(
                "{fixture}: input {k} differs from the recorded one"
            ));
        }
        if kept_outputs.get(k) != Some(y) {
            return Err(format!("{fixture}: output {k} differs from TFLite Micro's"));
        }
    }
    if Some(inputs.len() as u64) == f["samples"].as_u64() {
        let bytes_of = |v: &[i8]| v.iter().map(|&b| b as u8).collect::<Vec<u8>>();
        if fnv(inputs.iter().flat_map(|x| bytes_of(x))) != text_of("inputs_fnv") {
            return Err(format!(
                "{fixture}: the inputs differ from the recorded ones"
            ));
        }
        if fnv(outputs.iter().flat_map(|y| bytes_of(y))) != text_of("tflm_outputs_fnv") {
            return Err(format!("{fixture}: the outputs differ from TFLite Micro's"));
        }
    }
    Ok(())
}

/// [`assert_recorded`] for the int8 network `q` on the float inputs `tests` (quantized as `q`
/// takes them).
pub fn assert_int8_recorded<Q>(fixture: &str, q: &Q, tests: &[<Q::In as QSample>::Real])
where
    Q: QLayer + Describe,
    Q::In: QSample,
    Q::Out: QSample,
{
    if let Err(e) = check_int8_recorded(fixture, q, tests) {
        panic!("{e}");
    }
}

/// [`assert_int8_recorded`] as a `Result`.
pub fn check_int8_recorded<Q>(
    fixture: &str,
    q: &Q,
    tests: &[<Q::In as QSample>::Real],
) -> Result<(), String>
where
    Q: QLayer + Describe,
    Q::In: QSample,
    Q::Out: QSample,
{
    let inputs: Vec<Q::In> = tests.iter().map(|x| q.quantize_input(x)).collect();
    let outputs: Vec<Vec<i8>> = inputs
        .iter()
        .map(|x| q.predict(x).values().to_vec())
        .collect();
    let inputs: Vec<Vec<i8>> = inputs.iter().map(|x| x.values().to_vec()).collect();
    check_recorded(fixture, &to_tflite(q), &inputs, &outputs)
}
