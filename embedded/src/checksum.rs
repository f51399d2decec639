//! The checksum of int8 outputs, shared by the firmware and by `build.rs` (which includes
//! this file with `#[path]`), so the host's reference and the boards compute it alike.

/// The class an int8 output picks (the first largest value) and the output folded into the
/// FNV-1a checksum `hash` (start it at `0x811c_9dc5`): equal checksums on two machines mean
/// bit-identical outputs. The int8 programs and `build.rs` (for the host's reference) use it.
pub fn argmax_and_hash(y: &[i8], hash: &mut u32) -> usize {
    let mut best = 0;
    for (i, &v) in y.iter().enumerate() {
        *hash = (*hash ^ u32::from(v as u8)).wrapping_mul(0x0100_0193);
        if v > y[best] {
            best = i;
        }
    }
    best
}

/// Value `i` of the seeded input `k` of a model with `n` input values (in the file's NHWC
/// order): the top byte of SplitMix64 of the counter `k·n + i` — the inputs
/// `scripts/reference_fixture.py` gave TFLite Micro and `tests/tflite/import.rs` gives typegrad.
pub fn seeded_input(k: usize, i: usize, n: usize) -> i8 {
    let c = (k * n + i) as u64;
    let mut z = c
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 56) as u8 as i8
}
