//! Reading and writing `.safetensors` files with PyTorch's names and layouts (feature
//! `safetensors`, needs `std`).
//!
//! [safetensors](https://github.com/huggingface/safetensors) is the file format PyTorch and
//! the Hugging Face libraries use to share weights: a JSON header naming each tensor with its
//! dtype and shape, then the raw little-endian data. The format itself is read and written by
//! the [`safetensors`](https://docs.rs/safetensors/0.8) crate; this module maps it onto a
//! typegrad network.
//!
//! # Names and shapes
//! Every layer describes its tensors with PyTorch's names and shapes
//! ([`Parameters::param_spec`], [`Parameters::buffer_spec`]); a dense layer has two:
//!
//! | tensor | shape in the file | typegrad |
//! |---|---|---|
//! | `<name>.weight` | `[out, in]` | [`Dense::weights`]: `Matrix<T, out, in>`, row by row |
//! | `<name>.bias` | `[out]` | [`Dense::bias`]: `Vector<T, out>` |
//!
//! `torch.nn.Linear(in, out).weight` has the same `[out, in]` shape and row-major layout as
//! typegrad's weights, so no transposition is involved. A bias must have shape `[out]`, as
//! PyTorch writes it; `[out, 1]` is refused as a wrong shape.
//!
//! The caller names the layers, one name per layer that has tensors (parameters or buffers),
//! in order; a file's tensor is `<layer name>.<tensor name>`. They are the names of the
//! modules in the PyTorch model:
//!
//! ```python
//! # names ["0", "2"]: the indices of the two nn.Linear in the nn.Sequential
//! model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
//!
//! # names ["fc1", "fc2"]: the attribute names
//! class Mlp(nn.Module):
//!     def __init__(self):
//!         super().__init__()
//!         self.fc1, self.fc2 = nn.Linear(4, 8), nn.Linear(8, 3)
//! ```
//!
//! In an `nn.Sequential` the activation modules take indices too, which is why the second
//! linear layer above is `"2"`. `print(model.state_dict().keys())` in Python shows the names.
//! [`tensor_layout`] lists the names and shapes a typegrad network expects.
//!
//! # Types
//! [`to_bytes`] and [`save_file`] write an `f32` network as `F32` and an `f64` network as
//! `F64`. [`from_bytes`] and [`load_file`] read `F32`, `F64`, `F16` and `BF16` tensors into
//! either: `F16`, `BF16` and `F32` values convert exactly, `F64` values are rounded to the
//! nearest `f32` for an `f32` network. `I64` is read where PyTorch stores integers (BatchNorm's
//! `num_batches_tracked`). Other dtypes (other integers, 8-bit floats, …) are refused.
//!
//! # What loading checks
//! The file must hold exactly the network's tensors: each one present, with the right shape
//! and a supported dtype, no others (a `state_dict` with more layers, or with buffers the
//! network does not have, is refused), and only finite values. Buffers (state a layer keeps
//! but does not train) are written and read like parameters. Every check is done before
//! the network is written, so a failed load leaves it unchanged. Each problem is a
//! [`SafetensorsError`] naming the tensor. The header's optional `__metadata__` is ignored.
//!
//! # Example
//! Loading weights that Python wrote for `nn.Sequential(nn.Linear(4, 8), nn.ReLU(),
//! nn.Linear(8, 3))` (the file is made by `scripts/safetensors_fixture.py`; `docs/pytorch.md`
//! walks through the PyTorch side):
//!
//! ```
//! use typegrad::activation::Relu;
//! use typegrad::interop::safetensors::{from_bytes, load_file, to_bytes};
//! use typegrad::nn::{Dense, Layer};
//! use typegrad::Vector;
//!
//! type Mlp = typegrad::seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
//!
//! let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mlp_4_8_3.safetensors");
//! let mut net = Mlp::default();
//! load_file(&mut net, &["0", "2"], path)?;
//! let y = net.predict(&Vector::new([0.5, -1.0, 2.0, 0.25]));
//! assert!(y.is_finite());
//!
//! // Writing gives a file PyTorch loads with
//! // `model.load_state_dict(safetensors.torch.load_file(path))`.
//! let bytes = to_bytes(&net, &["0", "2"])?;
//! let mut copy = Mlp::default();
//! from_bytes(&mut copy, &["0", "2"], &bytes)?;
//! assert_eq!(copy, net);
//! # Ok::<(), typegrad::interop::safetensors::SafetensorsError>(())
//! ```

use core::fmt;
use std::borrow::ToOwned;
use std::format;
use std::path::Path;
use std::string::{String, ToString};
use std::vec::Vec;

use ::safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::Real;
#[cfg(doc)]
use crate::nn::Dense;
use crate::nn::{Parameters, TensorSpec};

mod sealed {
    /// Keeps [`Element`](super::Element) to `f32` and `f64`, and holds its conversions.
    pub trait Sealed: Sized {
        /// The dtype this type is written as.
        fn dtype() -> ::safetensors::Dtype;
        /// Appends the little-endian bytes of `self`.
        fn put(self, out: &mut std::vec::Vec<u8>);
        /// `self` as an `f64` (exact).
        fn to_f64(self) -> f64;
    }

    impl Sealed for f32 {
        fn dtype() -> ::safetensors::Dtype {
            ::safetensors::Dtype::F32
        }
        fn put(self, out: &mut std::vec::Vec<u8>) {
            out.extend_from_slice(&self.to_le_bytes());
        }
        fn to_f64(self) -> f64 {
            f64::from(self)
        }
    }

    impl Sealed for f64 {
        fn dtype() -> ::safetensors::Dtype {
            ::safetensors::Dtype::F64
        }
        fn put(self, out: &mut std::vec::Vec<u8>) {
            out.extend_from_slice(&self.to_le_bytes());
        }
        fn to_f64(self) -> f64 {
            self
        }
    }
}

/// A scalar type a network can have to be saved and loaded here: `f32` (written as `F32`)
/// or `f64` (written as `F64`). Sealed: no other type implements it.
pub trait Element: Real + sealed::Sealed {
    /// The safetensors dtype this type is written as: `"F32"` or `"F64"`.
    const DTYPE: &'static str;
}

impl Element for f32 {
    const DTYPE: &'static str = "F32";
}

impl Element for f64 {
    const DTYPE: &'static str = "F64";
}

/// The dtypes [`from_bytes`] reads.
const READABLE: &str = "F32, F64, F16, BF16 and I64 (as PyTorch stores batch counts)";

/// At most this many of a file's tensor names are listed in a [`SafetensorsError::Missing`]
/// message.
const LISTED: usize = 8;

/// Why a network could not be written to or read from safetensors.
///
/// Every variant that concerns one tensor names it with its full name, e.g. `"0.weight"`.
/// Shapes are as in the file: `[out, in]` for a weight, `[out]` for a bias.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SafetensorsError {
    /// The number of layer names does not fit the network: it needs one name per layer
    /// that has tensors (parameters or buffers).
    NameCount {
        /// The number of names given.
        names: usize,
        /// The number of the network's layers that have tensors.
        layers: usize,
    },
    /// The same layer name is given twice, so two tensors would have the same name.
    DuplicateName {
        /// The repeated name.
        name: String,
    },
    /// The bytes are not a valid safetensors file: a corrupt or truncated header, invalid
    /// JSON, offsets that do not fit, or data shorter or longer than the header says.
    Format {
        /// What the `safetensors` crate found wrong.
        message: String,
    },
    /// A tensor the network needs is not in the file.
    Missing {
        /// The name of the tensor looked for.
        tensor: String,
        /// Its shape in the network.
        expected: Vec<usize>,
        /// The names of the tensors the file has, sorted.
        available: Vec<String>,
    },
    /// The file has a tensor the network does not (e.g. another layer, or a buffer such as
    /// a batch-norm statistic). The first such name in sorted order is reported.
    Unexpected {
        /// The name of the tensor in the file.
        tensor: String,
        /// Its shape in the file.
        shape: Vec<usize>,
    },
    /// A tensor has another shape in the file than in the network.
    Shape {
        /// The name of the tensor.
        tensor: String,
        /// Its shape in the network.
        expected: Vec<usize>,
        /// Its shape in the file.
        found: Vec<usize>,
    },
    /// A tensor is stored with a dtype that cannot be loaded (only `F32`, `F64`, `F16` and
    /// `BF16` can).
    Dtype {
        /// The name of the tensor.
        tensor: String,
        /// The dtype in the file, as safetensors names it (e.g. `"I64"`).
        dtype: String,
    },
    /// A buffer holds a value it cannot hold (a negative running variance, say): the file
    /// describes an impossible state.
    Buffer {
        /// The name of the tensor.
        tensor: String,
        /// The position of the value within the tensor, in row-major order from 0.
        index: usize,
        /// What the buffer's values must be.
        rule: crate::nn::BufferRule,
    },
    /// A value is NaN or infinite: in the file when loading, in the network when saving.
    NonFinite {
        /// The name of the tensor.
        tensor: String,
        /// The position of the value within the tensor, in row-major order from 0.
        index: usize,
        /// The same position as one index per dimension of the tensor's shape, e.g.
        /// `[row, column]` for a weight.
        position: Vec<usize>,
    },
    /// An `F64` value in the file is finite but too large for the network's `f32`.
    OutOfRange {
        /// The name of the tensor.
        tensor: String,
        /// The position of the value within the tensor, in row-major order from 0.
        index: usize,
        /// The value in the file.
        value: f64,
    },
    /// The `safetensors` crate could not encode the tensors (not expected to happen).
    Encode {
        /// What the `safetensors` crate reported.
        message: String,
    },
    /// Reading or writing a file failed.
    Io {
        /// What failed, with the path and the operating system's message.
        message: String,
    },
}

/// Writes `[a, b, …]`.
struct Dims<'a>(&'a [usize]);

impl fmt::Display for Dims<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{d}")?;
        }
        f.write_str("]")
    }
}

impl fmt::Display for SafetensorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SafetensorsError::NameCount { names, layers } => write!(
                f,
                "{names} layer names were given but the network has {layers} layers with \
                 tensors, so it needs {layers} names: one per layer with parameters or \
                 buffers, for its \"<name>.weight\", \"<name>.bias\", …"
            ),
            SafetensorsError::DuplicateName { name } => write!(
                f,
                "the layer name \"{name}\" is given more than once; every layer needs its own"
            ),
            SafetensorsError::Format { message } => {
                write!(f, "not a valid safetensors file: {message}")
            }
            SafetensorsError::Missing {
                tensor,
                expected,
                available,
            } => {
                write!(
                    f,
                    "the file has no tensor \"{tensor}\" (the network needs one of shape {})",
                    Dims(expected)
                )?;
                if available.is_empty() {
                    return f.write_str("; the file has no tensors at all");
                }
                f.write_str("; the file has ")?;
                for (i, name) in available.iter().take(LISTED).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "\"{name}\"")?;
                }
                if available.len() > LISTED {
                    write!(f, " and {} more", available.len() - LISTED)?;
                }
                Ok(())
            }
            SafetensorsError::Unexpected { tensor, shape } => write!(
                f,
                "the file has a tensor \"{tensor}\" of shape {} that the network does not \
                 have; the file must hold exactly the network's tensors",
                Dims(shape)
            ),
            SafetensorsError::Shape {
                tensor,
                expected,
                found,
            } => write!(
                f,
                "tensor \"{tensor}\": the file has shape {}, the network needs {}",
                Dims(found),
                Dims(expected)
            ),
            SafetensorsError::Dtype { tensor, dtype } => write!(
                f,
                "tensor \"{tensor}\" is stored as {dtype}, which cannot be loaded: only \
                 {READABLE} can"
            ),
            SafetensorsError::Buffer {
                tensor,
                index,
                rule,
            } => write!(
                f,
                "tensor \"{tensor}\": element {index} is impossible for this buffer: its values \
                 must be {}",
                rule.describe()
            ),
            SafetensorsError::NonFinite {
                tensor,
                index,
                position,
            } => write!(
                f,
                "tensor \"{tensor}\": the value at {} (element {index} in row-major order) is \
                 NaN or infinite",
                Dims(position)
            ),
            SafetensorsError::OutOfRange {
                tensor,
                index,
                value,
            } => write!(
                f,
                "tensor \"{tensor}\": the value {value:e} at element {index} (in row-major \
                 order) is too large for f32"
            ),
            SafetensorsError::Encode { message } => {
                write!(f, "could not encode the tensors as safetensors: {message}")
            }
            SafetensorsError::Io { message } => f.write_str(message),
        }
    }
}

impl std::error::Error for SafetensorsError {}

/// One parameter tensor of a network, as it appears in a file.
struct Slot {
    /// Its full name, e.g. `"0.weight"`.
    name: String,
    /// Its shape in the file.
    shape: Vec<usize>,
    /// Its number of values.
    len: usize,
}

/// The tensors of a network of type `P` (parameters, then buffers, in visiting order).
///
/// # Panics
/// For an inconsistent [`Parameters`] implementation.
fn specs<T: Element, P: Parameters<T>>() -> Vec<TensorSpec> {
    (0..P::TENSORS + P::BUFFER_TENSORS)
        .map(|k| {
            P::tensor_spec(k).unwrap_or_else(|| {
                panic!("inconsistent `Parameters` implementation: no spec for tensor {k}")
            })
        })
        .collect()
}

/// The indices of the layers that have tensors, in order.
fn named_layers(specs: &[TensorSpec]) -> Vec<usize> {
    let mut layers: Vec<usize> = specs.iter().map(|s| s.layer).collect();
    layers.sort_unstable();
    layers.dedup();
    layers
}

/// The tensors of a network of type `P` with the given layer names, in visiting order.
///
/// # Panics
/// For an inconsistent [`Parameters`] implementation.
fn slots<T: Element, P: Parameters<T>>(names: &[&str]) -> Result<Vec<Slot>, SafetensorsError> {
    let specs = specs::<T, P>();
    let layers = named_layers(&specs);
    if names.len() != layers.len() {
        return Err(SafetensorsError::NameCount {
            names: names.len(),
            layers: layers.len(),
        });
    }
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(SafetensorsError::DuplicateName {
                name: (*name).to_owned(),
            });
        }
    }
    let mut slots = Vec::with_capacity(specs.len());
    let mut total = 0usize;
    for spec in &specs {
        let shape = spec.dims.as_slice().to_vec();
        let len = shape.iter().product();
        total += len;
        // Every spec's layer is in `layers`, which has one name per entry.
        let at = layers.partition_point(|&l| l < spec.layer);
        slots.push(Slot {
            name: format!("{}.{}", names[at], spec.name),
            shape,
            len,
        });
    }
    assert!(
        total == P::PARAMS + P::BUFFERS,
        "inconsistent `Parameters` implementation: the tensor shapes hold {total} values but \
         PARAMS + BUFFERS = {}",
        P::PARAMS + P::BUFFERS
    );
    Ok(slots)
}

/// The parameters of `params` in visiting order, then its buffers.
///
/// # Panics
/// If `visit` and `visit_buffers` yield another number of values than `PARAMS + BUFFERS`.
fn values<T: Element, P: Parameters<T>>(params: &P) -> Vec<T> {
    let mut out = Vec::with_capacity(P::PARAMS + P::BUFFERS);
    params.visit(&mut |s| out.extend_from_slice(s));
    params.visit_buffers(&mut |s| out.extend_from_slice(s));
    assert!(
        out.len() == P::PARAMS + P::BUFFERS,
        "inconsistent `Parameters` implementation: visit yields {} values but PARAMS + \
         BUFFERS = {}",
        out.len(),
        P::PARAMS + P::BUFFERS
    );
    out
}

/// `index` (row-major) as one index per dimension of `shape`.
fn position(shape: &[usize], mut index: usize) -> Vec<usize> {
    let mut out = std::vec![0; shape.len()];
    for (slot, &dim) in out.iter_mut().zip(shape).rev() {
        if dim > 0 {
            *slot = index % dim;
            index /= dim;
        }
    }
    out
}

/// The names and shapes of the tensors a network of type `P` has in a file, in the order
/// the network visits them, for the given layer names (one per layer with tensors).
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::interop::safetensors::tensor_layout;
/// use typegrad::nn::Dense;
/// type Mlp = typegrad::seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
/// let layout = tensor_layout::<f32, Mlp>(&["fc1", "fc2"]).unwrap();
/// assert_eq!(layout, [
///     ("fc1.weight".to_string(), vec![8, 4]),
///     ("fc1.bias".to_string(), vec![8]),
///     ("fc2.weight".to_string(), vec![3, 8]),
///     ("fc2.bias".to_string(), vec![3]),
/// ]);
/// ```
///
/// # Errors
/// [`SafetensorsError::NameCount`] or [`SafetensorsError::DuplicateName`].
pub fn tensor_layout<T: Element, P: Parameters<T>>(
    names: &[&str],
) -> Result<Vec<(String, Vec<usize>)>, SafetensorsError> {
    Ok(slots::<T, P>(names)?
        .into_iter()
        .map(|slot| (slot.name, slot.shape))
        .collect())
}

/// Encodes the parameters of `params` as a safetensors file, naming the layers that have tensors
/// `names` (see the [module docs](self)): `<name>.weight` of shape `[out, in]` and
/// `<name>.bias` of shape `[out]`, as `F32` for an `f32` network and `F64` for an `f64` one.
/// The header has no `__metadata__`.
///
/// # Errors
/// [`SafetensorsError::NameCount`] or [`SafetensorsError::DuplicateName`] for names that do
/// not fit the network; [`SafetensorsError::NonFinite`] if a parameter is NaN or infinite
/// (such a file could not be loaded back).
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation.
pub fn to_bytes<T: Element, P: Parameters<T>>(
    params: &P,
    names: &[&str],
) -> Result<Vec<u8>, SafetensorsError> {
    let slots = slots::<T, P>(names)?;
    let values = values(params);
    let mut data = Vec::with_capacity(slots.len());
    let mut rest = values.as_slice();
    for slot in &slots {
        let (tensor, tail) = rest.split_at(slot.len);
        rest = tail;
        if let Some(index) = tensor.iter().position(|x| !x.is_finite()) {
            return Err(SafetensorsError::NonFinite {
                tensor: slot.name.clone(),
                index,
                position: position(&slot.shape, index),
            });
        }
        let mut bytes = Vec::with_capacity(core::mem::size_of_val(tensor));
        for &x in tensor {
            x.put(&mut bytes);
        }
        data.push(bytes);
    }
    let encode = |e: ::safetensors::SafeTensorError| SafetensorsError::Encode {
        message: e.to_string(),
    };
    let mut views = Vec::with_capacity(slots.len());
    for (slot, bytes) in slots.iter().zip(&data) {
        let view = TensorView::new(T::dtype(), slot.shape.clone(), bytes).map_err(encode)?;
        views.push((slot.name.as_str(), view));
    }
    ::safetensors::serialize(views, None).map_err(encode)
}

/// Writes the parameters of `params` to a safetensors file at `path` (created or replaced),
/// as [`to_bytes`] encodes them.
///
/// # Errors
/// As [`to_bytes`] (then no file is written), or [`SafetensorsError::Io`] if the file cannot
/// be written.
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation.
pub fn save_file<T: Element, P: Parameters<T>>(
    params: &P,
    names: &[&str],
    path: impl AsRef<Path>,
) -> Result<(), SafetensorsError> {
    let path = path.as_ref();
    let bytes = to_bytes(params, names)?;
    std::fs::write(path, bytes).map_err(|e| SafetensorsError::Io {
        message: format!("could not write {}: {e}", path.display()),
    })
}

/// The `f32` value of the IEEE 754 half-precision number with the given bits (exact: every
/// `f16` is an `f32`).
fn f16_to_f32(bits: u16) -> f32 {
    let negative = bits & 0x8000 != 0;
    let exponent = u32::from((bits >> 10) & 0x1f);
    let fraction = u32::from(bits & 0x03ff);
    let magnitude = match exponent {
        // Zero and subnormals: fraction · 2⁻²⁴ (exact: fraction < 2¹⁰).
        0 => fraction as f32 * f32::from_bits((127 - 24) << 23),
        // Infinity and NaN (the NaN payload is kept in the high fraction bits).
        0x1f => f32::from_bits(0x7f80_0000 | (fraction << 13)),
        // Normal: rebias the exponent from 15 to 127 and widen the fraction from 10 to 23 bits.
        _ => f32::from_bits(((exponent + 127 - 15) << 23) | (fraction << 13)),
    };
    if negative { -magnitude } else { magnitude }
}

/// The `f32` value of the bfloat16 number with the given bits (exact: a bfloat16 is the
/// upper half of an `f32`).
fn bf16_to_f32(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

/// The values of `view` (already checked to have a readable dtype and `slot`'s shape) as
/// `T`, appended to `out`.
fn decode<T: Element>(
    slot: &Slot,
    view: &TensorView<'_>,
    out: &mut Vec<T>,
) -> Result<(), SafetensorsError> {
    let data = view.data();
    let (width, read): (usize, fn(&[u8]) -> f64) = match view.dtype() {
        Dtype::F32 => (4, |b| {
            f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        }),
        Dtype::F64 => (8, |b| {
            f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])
        }),
        Dtype::F16 => (2, |b| {
            f64::from(f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
        }),
        Dtype::BF16 => (2, |b| {
            f64::from(bf16_to_f32(u16::from_le_bytes([b[0], b[1]])))
        }),
        // PyTorch stores BatchNorm's `num_batches_tracked` as int64; counts up to 2^53 are
        // exact in f64 (and up to 2^24 in f32).
        Dtype::I64 => (8, |b| {
            i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f64
        }),
        other => {
            return Err(SafetensorsError::Dtype {
                tensor: slot.name.clone(),
                dtype: other.to_string(),
            });
        }
    };
    // The safetensors crate checks that the data covers shape × dtype exactly.
    if data.len() != slot.len * width {
        return Err(SafetensorsError::Format {
            message: format!(
                "tensor \"{}\" has {} bytes of data but its shape and dtype need {}",
                slot.name,
                data.len(),
                slot.len * width
            ),
        });
    }
    for (index, chunk) in data.chunks_exact(width).enumerate() {
        let x = read(chunk);
        if !x.is_finite() {
            return Err(SafetensorsError::NonFinite {
                tensor: slot.name.clone(),
                index,
                position: position(&slot.shape, index),
            });
        }
        let value = T::from_f64(x);
        if !value.is_finite() {
            return Err(SafetensorsError::OutOfRange {
                tensor: slot.name.clone(),
                index,
                value: x,
            });
        }
        out.push(value);
    }
    Ok(())
}

/// Checks, before the `safetensors` crate reads the header, that every tensor's
/// `data_offsets` lie within the file's data. (Version 0.8 adds the end offset to the header
/// length unchecked: offsets that sum past `u64::MAX` overflow there, a panic in debug
/// builds.) Anything else malformed is left to that crate's checks, which report it.
fn offsets_within(bytes: &[u8]) -> Result<(), SafetensorsError> {
    let Some((len, rest)) = bytes.split_first_chunk::<8>() else {
        return Ok(());
    };
    let Some(header_len) = usize::try_from(u64::from_le_bytes(*len))
        .ok()
        .filter(|&n| n <= rest.len())
    else {
        return Ok(());
    };
    let (header, data) = rest.split_at(header_len);
    let Ok(serde_json::Value::Object(entries)) = serde_json::from_slice(header) else {
        return Ok(());
    };
    for (name, info) in &entries {
        let Some(offsets) = info.get("data_offsets").and_then(|o| o.as_array()) else {
            continue;
        };
        for offset in offsets.iter().filter_map(serde_json::Value::as_u64) {
            if offset > data.len() as u64 {
                return Err(SafetensorsError::Format {
                    message: format!(
                        "tensor `{name}`: data offset {offset} lies past the {} bytes of data \
                         after the header",
                        data.len()
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Reads the parameters of `params` from the bytes of a safetensors file, whose dense
/// layers are named `names` (see the [module docs](self)).
///
/// All checks come first and `params` is written only when they all pass, so a failed load
/// leaves it exactly as it was. Fields that are not parameters (such as an activation's
/// slope) are kept from `params`.
///
/// # Errors
/// The first problem found, in this order:
/// [`NameCount`](SafetensorsError::NameCount) and
/// [`DuplicateName`](SafetensorsError::DuplicateName) for the names;
/// [`Format`](SafetensorsError::Format) if the bytes are not a safetensors file; then, for
/// each of the network's tensors in order, [`Missing`](SafetensorsError::Missing),
/// [`Shape`](SafetensorsError::Shape) or [`Dtype`](SafetensorsError::Dtype);
/// [`Unexpected`](SafetensorsError::Unexpected) if the file has other tensors too;
/// [`NonFinite`](SafetensorsError::NonFinite) or
/// [`OutOfRange`](SafetensorsError::OutOfRange) for a value. Malformed bytes never panic.
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation.
pub fn from_bytes<T: Element, P: Parameters<T>>(
    params: &mut P,
    names: &[&str],
    bytes: &[u8],
) -> Result<(), SafetensorsError> {
    let slots = slots::<T, P>(names)?;
    offsets_within(bytes)?;
    let file = SafeTensors::deserialize(bytes).map_err(|e| SafetensorsError::Format {
        message: e.to_string(),
    })?;

    let mut views = Vec::with_capacity(slots.len());
    for slot in &slots {
        let Ok(view) = file.tensor(&slot.name) else {
            let mut available: Vec<String> = file.names().into_iter().map(String::from).collect();
            available.sort_unstable();
            return Err(SafetensorsError::Missing {
                tensor: slot.name.clone(),
                expected: slot.shape.clone(),
                available,
            });
        };
        if view.shape() != slot.shape.as_slice() {
            return Err(SafetensorsError::Shape {
                tensor: slot.name.clone(),
                expected: slot.shape.clone(),
                found: view.shape().to_vec(),
            });
        }
        if !matches!(
            view.dtype(),
            Dtype::F32 | Dtype::F64 | Dtype::F16 | Dtype::BF16 | Dtype::I64
        ) {
            return Err(SafetensorsError::Dtype {
                tensor: slot.name.clone(),
                dtype: view.dtype().to_string(),
            });
        }
        views.push(view);
    }
    let extra = file
        .iter()
        .filter(|(name, _)| !slots.iter().any(|slot| slot.name == *name))
        .min_by(|(a, _), (b, _)| a.cmp(b));
    if let Some((name, view)) = extra {
        return Err(SafetensorsError::Unexpected {
            tensor: name.to_owned(),
            shape: view.shape().to_vec(),
        });
    }

    let mut decoded = Vec::with_capacity(P::PARAMS + P::BUFFERS);
    for (slot, view) in slots.iter().zip(&views) {
        decode(slot, view, &mut decoded)?;
    }

    // Buffers must hold what their rules allow (a running variance ≥ 0, a whole batch count).
    let mut at = P::PARAMS;
    for (k, slot) in slots.iter().skip(P::TENSORS).enumerate() {
        let rule = P::buffer_rule(k);
        let values = decoded.get(at..at + slot.len).unwrap_or(&[]);
        if let Some(index) = values.iter().position(|&v| !rule.admits(v)) {
            return Err(SafetensorsError::Buffer {
                tensor: slot.name.clone(),
                index,
                rule,
            });
        }
        at += slot.len;
    }

    // Every check passed and `decoded` holds exactly PARAMS values (the shapes matched);
    // writing cannot fail now.
    let mut count = 0usize;
    params.visit(&mut |s| count += s.len());
    params.visit_buffers(&mut |s| count += s.len());
    assert!(
        count == decoded.len(),
        "inconsistent `Parameters` implementation: visit yields {count} values but PARAMS + \
         BUFFERS = {}",
        P::PARAMS + P::BUFFERS
    );
    let mut source = decoded.into_iter();
    let mut write = |s: &mut [T]| {
        for (x, value) in s.iter_mut().zip(&mut source) {
            *x = value;
        }
    };
    params.visit_mut(&mut write);
    params.visit_buffers_mut(&mut write);
    Ok(())
}

/// Reads the parameters of `params` from the safetensors file at `path`, as [`from_bytes`]
/// does; on any error `params` is unchanged.
///
/// # Errors
/// [`SafetensorsError::Io`] if the file cannot be read, otherwise as for [`from_bytes`].
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation.
pub fn load_file<T: Element, P: Parameters<T>>(
    params: &mut P,
    names: &[&str],
    path: impl AsRef<Path>,
) -> Result<(), SafetensorsError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| SafetensorsError::Io {
        message: format!("could not read {}: {e}", path.display()),
    })?;
    from_bytes(params, names, &bytes)
}

/// The walkthrough `docs/pytorch.md`, whose Rust code is compiled as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/pytorch.md")]
pub struct PytorchWalkthrough;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn f16_known_values() {
        assert_eq!(f16_to_f32(0x0000).to_bits(), 0.0f32.to_bits());
        assert_eq!(f16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
        assert_eq!(f16_to_f32(0x3C00), 1.0);
        assert_eq!(f16_to_f32(0xBC00), -1.0);
        assert_eq!(f16_to_f32(0xC000), -2.0);
        assert_eq!(f16_to_f32(0x3800), 0.5);
        assert_eq!(f16_to_f32(0x3555), 0.333_251_95); // 1365 / 4096
        assert_eq!(f16_to_f32(0x3C01), 1.0 + 1.0 / 1024.0);
        assert_eq!(f16_to_f32(0x7BFF), 65504.0); // largest finite
        assert_eq!(f16_to_f32(0x0400), 2f32.powi(-14)); // smallest normal
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24)); // smallest subnormal
        assert_eq!(f16_to_f32(0x8001), -(2f32.powi(-24)));
        assert_eq!(f16_to_f32(0x03FF), 1023.0 * 2f32.powi(-24)); // largest subnormal
        assert_eq!(f16_to_f32(0x7C00), f32::INFINITY);
        assert_eq!(f16_to_f32(0xFC00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7E00).is_nan());
        assert!(f16_to_f32(0x7C01).is_nan());
        assert!(f16_to_f32(0xFE00).is_nan());
    }

    #[test]
    fn f16_is_monotonic_and_exact() {
        // Positive finite halves, in order of their bits, are strictly increasing, and each
        // rounds back to the same bits when re-encoded with 11 significant bits.
        let mut previous = -1.0f32;
        for bits in 0u16..0x7C00 {
            let x = f16_to_f32(bits);
            assert!(x > previous, "{bits:#06x}");
            assert_eq!(f16_to_f32(bits | 0x8000), -x);
            previous = x;
            // Exactly representable with at most 11 significant bits.
            let m = x.to_bits() & 0x007f_ffff;
            if bits >= 0x0400 {
                assert_eq!(m & 0x1fff, 0, "{bits:#06x}");
            }
        }
    }

    #[test]
    fn bf16_known_values() {
        assert_eq!(bf16_to_f32(0x3F80), 1.0);
        assert_eq!(bf16_to_f32(0xC000), -2.0);
        assert_eq!(bf16_to_f32(0x3F00), 0.5);
        assert_eq!(bf16_to_f32(0x4049), 3.140_625);
        assert_eq!(bf16_to_f32(0x7F7F), 3.389_531_4e38); // largest finite
        assert_eq!(bf16_to_f32(0x0001), f32::from_bits(0x0001_0000)); // smallest subnormal
        assert_eq!(bf16_to_f32(0x7F80), f32::INFINITY);
        assert_eq!(bf16_to_f32(0xFF80), f32::NEG_INFINITY);
        assert!(bf16_to_f32(0x7FC0).is_nan());
        assert_eq!(bf16_to_f32(0x8000).to_bits(), (-0.0f32).to_bits());
    }

    #[test]
    fn positions() {
        assert_eq!(position(&[8, 4], 0), [0, 0]);
        assert_eq!(position(&[8, 4], 7), [1, 3]);
        assert_eq!(position(&[8, 4], 31), [7, 3]);
        assert_eq!(position(&[3], 2), [2]);
    }

    #[test]
    fn dtype_names() {
        assert_eq!(
            <f32 as Element>::DTYPE,
            <f32 as sealed::Sealed>::dtype().to_string()
        );
        assert_eq!(
            <f64 as Element>::DTYPE,
            <f64 as sealed::Sealed>::dtype().to_string()
        );
    }
}
