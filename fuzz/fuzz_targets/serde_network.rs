//! Deserializing the network type with serde. Byte 0 selects the format (bit 0: 0 postcard,
//! 1 JSON); the rest is the serialized network.
//!
//! Invariants on `Ok`:
//! - every parameter is finite (a network never holds NaN or infinity);
//! - serialize -> deserialize round trips bit-identically, in both formats;
//! - postcard has one encoding per network (raw f32s, no lengths), so re-serializing gives
//!   back exactly the bytes that were read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use typegrad_fuzz::{Format, Net, assert_finite, assert_same_bits, bits, run};

fuzz_target!(|data: &[u8]| {
    run("serde_network", data, || {
        let Some((&selector, rest)) = data.split_first() else {
            return;
        };
        let format = Format::from_selector(selector);
        let Some(net) = format.from_bytes::<Net>(rest) else {
            return;
        };
        assert_finite(&net, &format!("network deserialized from {format:?}"));

        if format == Format::Postcard {
            let (_, tail) = postcard::take_from_bytes::<Net>(rest).unwrap();
            let read = &rest[..rest.len() - tail.len()];
            let written = postcard::to_allocvec(&net).unwrap();
            assert!(
                written == read,
                "invariant: postcard re-encoding differs from the input"
            );
        }
        for f in [Format::Postcard, Format::Json] {
            let bytes = f
                .to_bytes(&net)
                .unwrap_or_else(|| panic!("invariant: {f:?} serializes the network"));
            let back: Net = f
                .from_bytes(&bytes)
                .unwrap_or_else(|| panic!("invariant: {f:?} reads back what it wrote"));
            assert_same_bits(&bits(&net), &bits(&back), &format!("{f:?} round trip"));
        }
    })
});
