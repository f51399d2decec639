//! Deserializing optimizer state with serde, then taking one step with it.
//!
//! Byte 0 selects the format (bit 0: 0 postcard, 1 JSON) and the optimizer
//! (`(byte >> 1) % 5`: Sgd, Momentum, AdaGrad, RmsProp, Adam); the rest is the serialized
//! optimizer for `Net`.
//!
//! Invariants on `Ok`:
//! - serialize -> deserialize in the same format gives the same state, bit for bit;
//! - one `Optimizer::step` on a known finite network with gradient 0.25 everywhere either
//!   returns `Err` and changes nothing (network and optimizer bit-identical, step count
//!   unchanged) or returns `Ok` with every parameter finite and the step count one higher.
//!   Never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use typegrad::optim::{AdaGrad, Adam, Momentum, Optimizer, RmsProp, Sgd};
use typegrad_fuzz::{Format, Net, assert_finite, assert_same_bits, bits, exact, filled, known_net};

fn check<O>(format: Format, bytes: &[u8], name: &str)
where
    O: Optimizer<f32, Net> + Serialize + DeserializeOwned,
{
    let Some(mut opt) = format.from_bytes::<O>(bytes) else {
        return;
    };
    let state = exact(&opt);

    let written = format
        .to_bytes(&opt)
        .unwrap_or_else(|| panic!("invariant: {format:?} serializes the {name}"));
    let back: O = format
        .from_bytes(&written)
        .unwrap_or_else(|| panic!("invariant: {format:?} reads back the {name} it wrote"));
    assert!(
        exact(&back) == state,
        "invariant: {format:?} round trip changes the {name}"
    );

    let mut net = known_net(1);
    let before = bits(&net);
    let steps = opt.steps();
    let grads = filled(0.25);
    match opt.step(&mut net, &grads) {
        Err(_) => {
            assert_same_bits(
                &before,
                &bits(&net),
                &format!("a failed {name} step changed the network"),
            );
            assert!(
                exact(&opt) == state,
                "invariant: a failed {name} step changed its state"
            );
            assert_eq!(
                opt.steps(),
                steps,
                "invariant: a failed {name} step counted"
            );
        }
        Ok(()) => {
            assert_finite(&net, &format!("network after an Ok {name} step"));
            assert_eq!(
                Some(opt.steps()),
                steps.checked_add(1),
                "invariant: an Ok {name} step counts one step"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    typegrad_fuzz::run("serde_optimizer", data, || {
        let Some((&selector, rest)) = data.split_first() else {
            return;
        };
        let format = Format::from_selector(selector);
        match (selector >> 1) % 5 {
            0 => check::<Sgd>(format, rest, "Sgd"),
            1 => check::<Momentum<Net>>(format, rest, "Momentum"),
            2 => check::<AdaGrad<Net>>(format, rest, "AdaGrad"),
            3 => check::<RmsProp<Net>>(format, rest, "RmsProp"),
            _ => check::<Adam<Net>>(format, rest, "Adam"),
        }
    })
});
