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
