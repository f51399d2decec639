//! What the fuzz targets share: the network type, a network with known weights, and
//! bit-level comparisons.

use typegrad::activation::Relu;
use typegrad::init::{Init, Rng};
use typegrad::nn::{Dense, Layer, Parameters};

/// The network every target loads into.
pub type Net = typegrad::seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];

/// The layer names of `Net` in safetensors files (those of
/// `nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))`, as in tests/fixtures).
pub const NAMES: &[&str] = &["0", "2"];

/// A network with known, finite weights (He-uniform from `seed`, biases 0.125, 0.25, ...).
pub fn known_net(seed: u64) -> Net {
    let mut net = Net::default();
    net.init(&mut Rng::new(seed), Init::HeUniform);
    let mut k = 0.0_f32;
    net.visit_mut(&mut |s| {
        if s.len() <= 8 {
            for b in s {
                k += 0.125;
                *b = k;
            }
        }
    });
    assert!(all_finite(&net));
    net
}

/// A network whose every parameter is `value` (e.g. a gradient).
pub fn filled(value: f32) -> Net {
    let mut net = Net::default();
    net.visit_mut(&mut |s| s.fill(value));
    net
}

/// Every parameter's bit pattern, in visiting order.
pub fn bits<P: Parameters<f32>>(p: &P) -> Vec<u32> {
    let mut out = Vec::with_capacity(P::PARAMS);
    p.visit(&mut |s| out.extend(s.iter().map(|x| x.to_bits())));
    assert_eq!(out.len(), P::PARAMS);
    out
}

/// The index and value of the first NaN or infinite parameter.
pub fn first_non_finite<P: Parameters<f32>>(p: &P) -> Option<(usize, f32)> {
    let mut index = 0usize;
    let mut found = None;
    p.visit(&mut |s| {
        for &x in s {
            if found.is_none() && !x.is_finite() {
                found = Some((index, x));
            }
            index += 1;
        }
    });
    found
}

pub fn all_finite<P: Parameters<f32>>(p: &P) -> bool {
    first_non_finite(p).is_none()
}

/// Panics, naming `what`, if a parameter of `p` is NaN or infinite.
#[track_caller]
pub fn assert_finite<P: Parameters<f32>>(p: &P, what: &str) {
    if let Some((index, x)) = first_non_finite(p) {
        panic!("invariant: {what}: parameter {index} is {x}");
    }
}

/// Panics if two networks differ in any parameter bit; the message names the first one.
#[track_caller]
pub fn assert_same_bits(a: &[u32], b: &[u32], what: &str) {
    assert_eq!(
        a.len(),
        b.len(),
        "invariant: {what}: parameter counts differ"
    );
    if let Some(i) = a.iter().zip(b).position(|(x, y)| x != y) {
        panic!(
            "invariant: {what}: parameter {i} is {} ({:#010x}) instead of {} ({:#010x})",
            f32::from_bits(b[i]),
            b[i],
            f32::from_bits(a[i]),
            a[i]
        );
    }
}

/// The serde formats the serde targets read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Postcard,
    Json,
}

impl Format {
    /// Bit 0 of the selector byte: 0 postcard, 1 JSON.
    pub fn from_selector(byte: u8) -> Self {
        if byte & 1 == 0 {
            Format::Postcard
        } else {
            Format::Json
        }
    }

    /// The selector byte that chooses this format (the other bits are the caller's).
    pub fn bit(self) -> u8 {
        match self {
            Format::Postcard => 0,
            Format::Json => 1,
        }
    }

    /// Reads a `V` from `bytes`; for postcard trailing bytes are ignored, for JSON only
    /// whitespace may follow.
    pub fn from_bytes<V: serde::de::DeserializeOwned>(self, bytes: &[u8]) -> Option<V> {
        match self {
            Format::Postcard => postcard::take_from_bytes::<V>(bytes).ok().map(|(v, _)| v),
            Format::Json => serde_json::from_slice(bytes).ok(),
        }
    }

    /// Writes `value`; `None` when the serializer refuses it.
    pub fn to_bytes<V: serde::Serialize>(self, value: &V) -> Option<Vec<u8>> {
        match self {
            Format::Postcard => postcard::to_allocvec(value).ok(),
            Format::Json => serde_json::to_vec(value).ok(),
        }
    }
}

/// The postcard bytes of `value`: every float as its exact bits, so two values with equal
/// bytes are identical bit for bit (NaNs included, unlike `==`).
pub fn exact<V: serde::Serialize>(value: &V) -> Vec<u8> {
    postcard::to_allocvec(value).expect("postcard serializes every value")
}

/// Runs one fuzz input's checks.
///
/// Normally a failed check panics and libFuzzer stops with the input saved as a crash. With
/// `TYPEGRAD_FUZZ_TRIAGE=DIR` set, panics are caught instead and fuzzing goes on: each
/// distinct panic (its location and message up to any ` | `, with numbers replaced by `N`)
/// is reported once
/// on stderr, and its first 20 inputs are written to `DIR/<target>/<class>-<k>` with the
/// message in `DIR/<target>/<class>.txt`. Meant for finding every distinct bug in one run.
pub fn run(target: &str, data: &[u8], check: impl FnOnce()) {
    use std::cell::RefCell;
    use std::collections::HashMap;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};

    thread_local! {
        static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
    }
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    static SEEN: Mutex<Option<HashMap<String, usize>>> = Mutex::new(None);

    let dir = DIR.get_or_init(|| {
        let dir = PathBuf::from(std::env::var_os("TYPEGRAD_FUZZ_TRIAGE")?);
        std::panic::set_hook(Box::new(|info| {
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let location = info.location().map(|l| l.to_string()).unwrap_or_default();
            LAST.with(|last| *last.borrow_mut() = Some(format!("{location}: {message}")));
        }));
        Some(dir)
    });
    let Some(dir) = dir else {
        return check();
    };
    if catch_unwind(AssertUnwindSafe(check)).is_ok() {
        return;
    }
    let message = LAST
        .with(|last| last.borrow_mut().take())
        .unwrap_or_default();
    // The class: the message up to any ` | `, with every number (`12`, `-0.5`, `1e-12`, `0x7fc00000`) as `N`.
    let mut class = String::new();
    let head = message.split(" | ").next().unwrap_or_default();
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        let sign = c == '-' && chars.peek().is_some_and(char::is_ascii_digit);
        if c.is_ascii_digit() || sign {
            while chars
                .peek()
                .is_some_and(|c| c.is_ascii_hexdigit() || matches!(c, 'x' | '.' | '-' | '+'))
            {
                chars.next();
            }
            class.push('N');
        } else {
            class.push(c);
        }
    }
    let mut seen = SEEN.lock().unwrap();
    let count = seen
        .get_or_insert_with(HashMap::new)
        .entry(class.clone())
        .or_insert(0);
    *count += 1;
    if *count > 20 {
        return;
    }
    let name = format!("{:08x}", typegrad::persist::fnv1a32(class.as_bytes()));
    let dir = dir.join(target);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(format!("{name}-{count}")), data).unwrap();
    if *count == 1 {
        std::fs::write(dir.join(format!("{name}.txt")), format!("{message}\n")).unwrap();
        eprintln!("TRIAGE new crash class {target}/{name}: {message}");
    }
}

/// The int8 network types the `tflite` target loads into, and their float networks (for the
/// seeds: `examples/make_seeds.rs` quantizes and writes them).
pub mod tflite {
    use typegrad::activation::{Relu, Relu6, Softmax};
    use typegrad::block;
    use typegrad::nn::{
        ActivationLayer, AvgPool2d, Conv2d, Dense, DepthwiseConv2d, Flatten, Input, Kernel,
        MaxPool2d, Pad, Projected, Residual, Same, Stride,
    };
    use typegrad::quant::Quantize;
    use typegrad::shape::{Image, Size};

    typegrad::network! {
        /// Dense layers with ReLU, ReLU6 and softmax.
        pub type FloatMlp = [
            Dense<f32, 4, 8, Relu>,
            Dense<f32, 8, 8>,
            Relu6,
            Dense<f32, 8, 3>,
            ActivationLayer<Softmax, Size<3>>,
        ];
    }

    typegrad::network! {
        /// Explicit and `SAME` padding, depthwise, both pools, flatten.
        pub type FloatCnn = [
            Input<Image<2, 9, 8>>,
            Conv2d<f32, 2, 6, Kernel<3>, Stride<1>, Pad<1>>,
            Relu,
            MaxPool2d<Kernel<2, 1>>,
            DepthwiseConv2d<f32, 6, Kernel<3, 2>, Stride<2, 1>, Same>,
            Relu6,
            Conv2d<f32, 6, 5, Kernel<1>>,
            AvgPool2d<Kernel<1, 2>>,
            Flatten,
            Dense<f32, 40, 4>,
        ];
    }

    typegrad::network! {
        /// Identity and projection shortcuts (`ADD`).
        pub type FloatRes = [
            Input<Image<3, 8, 8>>,
            Conv2d<f32, 3, 4, Kernel<3>, Stride<1>, Same>,
            Relu,
            Residual<block![
                Conv2d<f32, 4, 4, Kernel<3>, Stride<1>, Same>,
                Relu,
                Conv2d<f32, 4, 4, Kernel<3>, Stride<1>, Same>,
            ]>,
            Relu,
            Projected<
                block![Conv2d<f32, 4, 6, Kernel<3>, Stride<2>, Same>, Relu, Conv2d<f32, 6, 6, Kernel<3>, Stride<1>, Same>],
                Conv2d<f32, 4, 6, Kernel<1>, Stride<2>>,
            >,
            Relu,
            AvgPool2d<Kernel<4>>,
            Flatten,
            Dense<f32, 6, 3>,
        ];
    }

    /// int8 [`FloatMlp`].
    pub type Mlp = <FloatMlp as Quantize>::Quantized;
    /// int8 [`FloatCnn`].
    pub type Cnn = <FloatCnn as Quantize>::Quantized;
    /// int8 [`FloatRes`].
    pub type Res = <FloatRes as Quantize>::Quantized;
}
