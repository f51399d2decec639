//! Optimizer state through serde, and optimizer steps.
//!
//! Byte 0 selects the format (bit 0: 0 postcard, 1 JSON), the optimizer
//! (`((byte >> 1) & 7) % 5`: Sgd, Momentum, AdaGrad, RmsProp, Adam) and the mode (bit 7).
//!
//! Mode 0 (bit 7 clear): the rest is a serialized optimizer for `Net`. Invariants when it
//! deserializes:
//! - serialize -> deserialize in the same format gives the same state, bit for bit;
//! - one `Optimizer::step` on a known finite network with gradient 0.25 everywhere either
//!   returns `Err` and changes nothing (network and optimizer bit-identical, step count
//!   unchanged) or returns `Ok` with every parameter finite and the step count one higher.
//!   Never a panic.
//!
//! Mode 1 (bit 7 set): the rest chooses valid hyper-parameters (learning rates and schedule
//! values in (0, 1], clipping thresholds in (0, 10], weight decay in [0, 0.1], momentum,
//! rho and betas in [0, 1), epsilon in [1e-12, 1e-3]) and up to four gradients with entries
//! in [-32, 32]. The optimizer, built with its constructors, takes those steps, goes through
//! the selected format and takes one more step with gradient 0.25. Invariants: every step
//! is `Ok` and leaves every parameter finite, and the round trip is bit-exact — unless a value
//! rounds to an invalid one in `f32` (the optimizer's `check::<f32>()` fails): then the first
//! step must refuse with `InvalidSetting` and change nothing.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use typegrad::nn::Parameters;
use typegrad::TrainError;
use typegrad::optim::{AdaGrad, Adam, Clip, Momentum, Optimizer, RmsProp, Schedule, Settings, Sgd};
use typegrad_fuzz::{
    Format, Net, assert_finite, assert_same_bits, bits, exact, filled, first_non_finite, known_net,
    run,
};

/// Mode 0: a deserialized optimizer.
fn deserialized<O>(format: Format, bytes: &[u8], name: &str)
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
                opt.steps(),
                steps.saturating_add(1),
                "invariant: an Ok {name} step counts one step (saturating at u64::MAX)"
            );
        }
    }
}

/// Reads values from the fuzz input; zeros once it is used up.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn take<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0; N];
        let n = N.min(self.0.len());
        out[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        out
    }
    fn u8(&mut self) -> u8 {
        self.take::<1>()[0]
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes(self.take())
    }
    /// In [0, 1), often just below 1 (1 − 2⁻ᵏ).
    fn unit(&mut self) -> f64 {
        let x = u32::from_le_bytes(self.take());
        if x & 1 == 0 {
            f64::from(x) / 4_294_967_296.0
        } else {
            1.0 - 2f64.powi(-(((x >> 1) % 40) as i32 + 1))
        }
    }
    /// In (0, 1].
    fn positive(&mut self) -> f64 {
        (f64::from(self.u16()) + 1.0) / 65536.0
    }
    fn epsilon(&mut self) -> f64 {
        10f64.powi(-3 - i32::from(self.u8() % 10))
    }
    fn settings(&mut self) -> Settings {
        let lr = self.positive();
        let schedule = match self.u8() % 4 {
            0 => Schedule::Constant(lr),
            1 => Schedule::Step {
                initial: lr,
                factor: 1.0 - self.unit(),
                every: u64::from(self.u8()),
            },
            2 => Schedule::Exponential {
                initial: lr,
                decay: 1.0 - self.unit(),
            },
            _ => Schedule::Cosine {
                initial: lr,
                min: lr * self.unit(),
                steps: u64::from(self.u16()),
            },
        };
        let weight_decay = f64::from(self.u16()) / 65536.0 * 0.1;
        let clip = match self.u8() % 3 {
            0 => Clip::None,
            1 => Clip::Value(self.positive() * 10.0),
            _ => Clip::Norm(self.positive() * 10.0),
        };
        Settings::new(lr)
            .with_schedule(schedule)
            .with_weight_decay(weight_decay)
            .with_clip(clip)
    }
    /// A gradient with entries in [-32, 32].
    fn gradient(&mut self) -> Net {
        let mut g = Net::default();
        g.visit_mut(&mut |s| {
            for x in s {
                *x = f32::from(i16::from_le_bytes(self.take())) / 1024.0;
            }
        });
        g
    }
}

/// Mode 1: an optimizer with valid hyper-parameters, trained on finite gradients. `detail`
/// (the hyper-parameters) ends each message after a ` | `, which triage leaves out of the
/// crash class.
///
/// `valid` is the optimizer's own `check::<f32>()`: values valid in `f64` can round to an
/// invalid one in `f32` (a β of `1 − 2⁻³⁰` becomes `1`). Then the first step must refuse with
/// `InvalidSetting` and change nothing; otherwise every step must succeed.
fn trained<O>(
    format: Format,
    bytes: &mut Bytes,
    name: &str,
    detail: String,
    mut opt: O,
    valid: Result<(), TrainError>,
) where
    O: Optimizer<f32, Net> + Serialize + DeserializeOwned,
{
    if let Err(e) = valid {
        assert!(matches!(e, TrainError::InvalidSetting { .. }), "{e:?} | {detail}");
        let mut net = known_net(1);
        let before = bits(&net);
        assert_eq!(
            opt.step(&mut net, &bytes.gradient()),
            Err(e),
            "invariant: a {name} whose check fails refuses to step | {detail}"
        );
        assert_same_bits(&before, &bits(&net), "a refused step changed the network");
        return;
    }
    let finite = |net: &Net, when: &str| {
        if let Some((index, x)) = first_non_finite(net) {
            panic!("invariant: {when} of a valid {name}: parameter {index} is {x} | {detail}");
        }
    };
    let mut net = known_net(1);
    let steps = bytes.u8() % 5;
    for step in 0..steps {
        let grads = bytes.gradient();
        if let Err(e) = opt.step(&mut net, &grads) {
            panic!("invariant: step {step} of a valid {name} failed: {e:?} | {detail}");
        }
        finite(&net, &format!("after step {step}"));
    }
    assert_eq!(opt.steps(), u64::from(steps));

    let written = format
        .to_bytes(&opt)
        .unwrap_or_else(|| panic!("invariant: {format:?} serializes a valid {name} | {detail}"));
    let mut back: O = format
        .from_bytes(&written)
        .unwrap_or_else(|| panic!("invariant: {format:?} reads back a valid {name} | {detail}"));
    assert!(
        exact(&back) == exact(&opt),
        "invariant: {format:?} round trip changes a valid {name} | {detail}"
    );
    if let Err(e) = back.step(&mut net, &filled(0.25)) {
        panic!("invariant: last step of a valid {name} failed: {e:?} | {detail}");
    }
    finite(&net, "after the last step");
}

fuzz_target!(|data: &[u8]| {
    run("serde_optimizer", data, || {
        let Some((&selector, rest)) = data.split_first() else {
            return;
        };
        let format = Format::from_selector(selector);
        let kind = ((selector >> 1) & 7) % 5;
        if selector & 0x80 == 0 {
            match kind {
                0 => deserialized::<Sgd>(format, rest, "Sgd"),
                1 => deserialized::<Momentum<Net>>(format, rest, "Momentum"),
                2 => deserialized::<AdaGrad<Net>>(format, rest, "AdaGrad"),
                3 => deserialized::<RmsProp<Net>>(format, rest, "RmsProp"),
                _ => deserialized::<Adam<Net>>(format, rest, "Adam"),
            }
            return;
        }
        let b = &mut Bytes(rest);
        let settings = b.settings();
        let net = known_net(1);
        match kind {
            0 => trained(
                format,
                b,
                "Sgd",
                format!("{settings:?}"),
                Sgd::new(settings),
                settings.check::<f32>(),
            ),
            1 => {
                let (mu, nesterov) = (b.unit(), b.u8() & 1 == 1);
                let opt = if nesterov {
                    Momentum::nesterov(&net, settings, mu)
                } else {
                    Momentum::new(&net, settings, mu)
                };
                let what = format!("{settings:?} momentum {mu} nesterov {nesterov}");
                let valid = opt.check::<f32>();
                trained(format, b, "Momentum", what, opt, valid);
            }
            2 => {
                let mut opt = AdaGrad::new(&net, settings);
                opt.epsilon = b.epsilon();
                let what = format!("{settings:?} epsilon {}", opt.epsilon);
                let valid = opt.check::<f32>();
                trained(format, b, "AdaGrad", what, opt, valid);
            }
            3 => {
                let mut opt = RmsProp::new(&net, settings);
                (opt.rho, opt.epsilon) = (b.unit(), b.epsilon());
                let what = format!("{settings:?} rho {} epsilon {}", opt.rho, opt.epsilon);
                let valid = opt.check::<f32>();
                trained(format, b, "RmsProp", what, opt, valid);
            }
            _ => {
                let mut opt = Adam::adamw(&net, settings, f64::from(b.u16()) / 65536.0 * 0.1);
                (opt.beta1, opt.beta2, opt.epsilon) = (b.unit(), b.unit(), b.epsilon());
                let what = format!(
                    "{settings:?} beta1 {} beta2 {} epsilon {} decoupled decay {}",
                    opt.beta1, opt.beta2, opt.epsilon, opt.decoupled_weight_decay
                );
                let valid = opt.check::<f32>();
                trained(format, b, "Adam", what, opt, valid);
            }
        }
    })
});
