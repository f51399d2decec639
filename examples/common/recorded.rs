//! Checks of int8 networks against `scripts/tflite_check.py --fixture` records (TFLite
//! Micro's outputs for typegrad's `.tflite` files, `tests/fixtures/`), shared by
//! `examples/mlperf_tiny.rs`, `tests/mlperf.rs` and `tests/mlperf_models.rs`.

use serde_json::Value;
use typegrad::quant::tflite::{Describe, Load, load, to_tflite};
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

/// SplitMix64 of the counter `c`: the seeded inputs of `scripts/reference_fixture.py`.
pub fn splitmix(c: usize) -> u64 {
    let mut z = (c as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Reference input `k` of `n` int8 values in NHWC order: the top byte of SplitMix64 of the
/// counters `k·n …` (as `scripts/reference_fixture.py`).
pub fn reference_input(k: usize, n: usize) -> Vec<i8> {
    (k * n..(k + 1) * n)
        .map(|c| (splitmix(c) >> 56) as u8 as i8)
        .collect()
}

/// Loads the MLPerf Tiny reference file `tests/fixtures/mlperf_tiny/<file>.tflite` into `Q`,
/// runs the first `samples` seeded inputs (by value, in a fixed arena of `ARENA_BYTES`, and
/// written straight into that arena) and compares them with TFLite Micro's outputs recorded
/// beside the file (the rows kept in full; the hash of all when every input ran).
pub fn check_reference_file<Q>(file: &str, samples: usize) -> Result<(), String>
where
    Q: Load + QLayer,
    Q::In: QSample,
    Q::Out: QSample,
{
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlperf_tiny/");
    let read = |name: String| std::fs::read(&name).map_err(|e| format!("{name}: {e}"));
    let bytes = read(format!("{dir}{file}.tflite"))?;
    let text = read(format!("{dir}{file}_outputs.json"))?;
    let record: Value = serde_json::from_slice(&text).map_err(|e| format!("{file}: {e}"))?;
    if record["file_fnv"].as_str() != Some(&fnv(bytes.iter().copied())) {
        return Err(format!(
            "{file}.tflite is not the file the record was made from"
        ));
    }
    let q: Q = load(&bytes).map_err(|e| format!("{file}: {e}"))?;
    let n: usize = Q::In::LEN;
    let kept = record["tflm_outputs"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut arena = vec![0i8; Q::ARENA_BYTES];
    let mut all = Vec::new();
    for k in 0..samples {
        let x = Q::In::from_nhwc(&reference_input(k, n)).ok_or(format!("{file}: input size"))?;
        let y: Vec<i8> = q.predict(&x).values().to_vec();
        let z = q
            .predict_in(&x, &mut arena)
            .map_err(|e| format!("{file}: {e}"))?;
        if z.values() != &y[..] {
            return Err(format!("{file}: input {k} differs in the arena"));
        }
        let r = q
            .run_in(&mut arena, |b| x.write_nhwc(b))
            .map_err(|e| format!("{file}: {e}"))?;
        if Q::Out::read_nhwc(r).values() != &y[..] {
            return Err(format!("{file}: input {k} differs through run_in"));
        }
        if let Some(row) = kept.get(k) {
            let want: Vec<i8> = row
                .as_array()
                .map(|r| {
                    r.iter()
                        .map(|v| v.as_i64().unwrap_or(i64::MAX) as i8)
                        .collect()
                })
                .unwrap_or_default();
            if y != want {
                return Err(format!("{file}: output {k} differs from TFLite Micro's"));
            }
        }
        all.extend(y.iter().map(|&v| v as u8));
    }
    if Some(samples as u64) == record["samples"].as_u64()
        && record["tflm_outputs_fnv"].as_str() != Some(&fnv(all))
    {
        return Err(format!(
            "{file}: the {samples} outputs differ from TFLite Micro's"
        ));
    }
    Ok(())
}
