//! Checks of int8 networks against `scripts/tflite_check.py --fixture` records (TFLite
//! Micro's outputs for typegrad's `.tflite` files), shared by `tests/mlperf.rs` and
//! `tests/mlperf_models.rs`.

use serde_json::Value;

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
    let path = format!("{}/tests/fixtures/{fixture}", env!("CARGO_MANIFEST_DIR"));
    let f: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let rows = |key: &str| -> Vec<Vec<i8>> {
        let rows = f[key].as_array().unwrap().iter();
        rows.map(|r| {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_i64().unwrap() as i8)
                .collect()
        })
        .collect()
    };
    assert_eq!(fnv(file.iter().copied()), f["tflite_fnv"].as_str().unwrap());
    let (kept_inputs, kept_outputs) = (rows("inputs"), rows("tflm_outputs"));
    assert!(inputs.len() >= kept_inputs.len());
    for (k, (x, y)) in inputs
        .iter()
        .zip(outputs)
        .enumerate()
        .take(kept_inputs.len())
    {
        assert_eq!(x, &kept_inputs[k], "input {k}");
        assert_eq!(y, &kept_outputs[k], "output {k}");
    }
    if Some(inputs.len() as u64) == f["samples"].as_u64() {
        let bytes_of = |v: &[i8]| v.iter().map(|&b| b as u8).collect::<Vec<u8>>();
        let inputs_fnv = fnv(inputs.iter().flat_map(|x| bytes_of(x)));
        assert_eq!(inputs_fnv, f["inputs_fnv"].as_str().unwrap());
        let outputs_fnv = fnv(outputs.iter().flat_map(|y| bytes_of(y)));
        assert_eq!(outputs_fnv, f["tflm_outputs_fnv"].as_str().unwrap());
    }
}
