//! Saving and loading a network's parameters, without a heap.
//!
//! # Using this
//! [`save`] writes a network's parameters into a byte buffer whose size,
//! [`saved_len`], is a `const fn` of the network's type, so the buffer can be a stack array
//! or a `static`. [`load`] reads them back into a network of the same type, after checking
//! that the bytes describe exactly this network: same scalar type, same tensors of the same
//! shapes, an intact checksum, and only finite numbers. A failed load leaves the network
//! untouched.
//!
//! ```
//! use typegrad::activation::Relu;
//! use typegrad::init::{Init, Rng};
//! use typegrad::nn::{Dense, Layer};
//! use typegrad::persist::{load, save, saved_len};
//! use typegrad::Vector;
//!
//! type Net = typegrad::seq![Dense<f32, 4, 8, Relu>, Dense<f32, 8, 3>];
//!
//! let mut net = Net::default();
//! net.init(&mut Rng::new(7), Init::HeUniform);
//!
//! let mut buf = [0u8; saved_len::<f32, Net>()]; // 16 + 4·20 + 67·4 + 4 = 368 bytes
//! assert_eq!(save(&net, &mut buf), Ok(368));
//!
//! let mut restored = Net::default();
//! load(&mut restored, &buf).unwrap();
//! let x = Vector::new([0.5, -1.0, 2.0, 0.25]);
//! assert_eq!(restored.predict(&x), net.predict(&x));
//! ```
//!
//! With the `std` feature, [`save_file`] and [`load_file`] do the same with a file.
//! On a device without a file system, the bytes can be kept in flash, e.g.
//! `static MODEL: &[u8] = include_bytes!("model.tgrd");` and `load(&mut net, MODEL)`.
//!
//! The parameters and the buffers (state kept but not trained, such as a batch norm's
//! running statistics) are stored. Everything else is part of the network's type or is kept
//! from the network loaded into: the layer sizes and activations come from the type, and
//! hyper-parameters such as a [`LeakyRelu`](crate::activation::LeakyRelu)'s slope are those
//! of the value passed to [`load`].
//!
//! # Format
//! All integers are little-endian. `T` is the scalar type (`f32` or `f64`), `P` the network;
//! its tensors are its parameter tensors ([`Parameters::param_spec`], `TENSORS` of them) and
//! then its buffer tensors ([`Parameters::buffer_spec`], `BUFFER_TENSORS`): `N` tensors
//! holding `V = PARAMS + BUFFERS` values.
//!
//! | Bytes | Content | Value |
//! |---|---|---|
//! | `0..4` | magic | `b"TGRD"` |
//! | `4..6` | format version, `u16` | `2` |
//! | `6` | scalar code, `u8` | [`LeBytes::CODE`]: `1` for `f32`, `2` for `f64` |
//! | `7` | reserved, `u8` | `0` |
//! | `8..12` | number of tensors `N`, `u32` | `TENSORS + BUFFER_TENSORS` |
//! | `12..16` | number of values `V`, `u32` | `PARAMS + BUFFERS` |
//! | `16..16 + 20·N` | for each tensor: kind `u8` (`0` parameter, `1` buffer), rank `u8` (≤ 4), two zero bytes, four dimensions `u32` (unused ones `0`) | [`TensorSpec`] |
//! | next `V·size_of::<T>()` | the parameters in [`Parameters::visit`] order, then the buffers in [`Parameters::visit_buffers`] order, as `T`, little-endian IEEE 754, each tensor row-major | |
//! | last 4 | checksum, `u32` | FNV-1a 32-bit ([`fnv1a32`]) of all preceding bytes |
//!
//! The total is [`saved_len`]`::<T, P>() = 16 + 20·N + V·size_of::<T>() + 4` bytes.
//! A dense layer has two tensors: `weight` of shape `[outputs, inputs]` and `bias` of shape
//! `[outputs]`. Files of format version 1 (typegrad before the layer-model change, which
//! stored `rows × columns` per tensor) are refused with a message saying so.
//!
//! # What [`load`] checks
//! In this order, stopping at the first problem: the length is enough for the header; the
//! magic; the version; the scalar code; the reserved byte; the tensor count; the kind and
//! shape of every tensor (so a file of a network with other layer sizes names the first
//! tensor that differs); the value count; the exact length; the checksum; that every value is
//! finite. Only then is the network written.

use core::fmt;

use typenum::Unsigned;

use crate::nn::{Dims, MAX_RANK, Parameters, TensorKind, TensorSpec};
use crate::tensor::LeBytes;
use crate::{Real, Scalar};

/// The first four bytes of every file.
pub const MAGIC: [u8; 4] = *b"TGRD";

/// The format version [`save`] writes and [`load`] reads.
pub const VERSION: u16 = 2;

/// Bytes of the fixed header (magic, version, scalar code, reserved byte, two counts).
const HEADER: usize = 16;
/// Bytes of one tensor description (kind, rank, two zero bytes, four `u32` dimensions).
const SHAPE: usize = 4 + 4 * MAX_RANK;
/// Bytes of the checksum.
const CHECKSUM: usize = 4;

/// The number of bytes [`save`] writes for a network of type `P` with scalars `T`:
/// `16 + 20·(TENSORS + BUFFER_TENSORS) + (PARAMS + BUFFERS)·size_of::<T>() + 4`.
///
/// A `const fn`, so it sizes arrays and `static`s:
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::nn::Dense;
/// use typegrad::persist::saved_len;
/// type Net = typegrad::seq![Dense<f64, 2, 3, Relu>, Dense<f64, 3, 1>];
/// static BUFFER: [u8; saved_len::<f64, Net>()] = [0; saved_len::<f64, Net>()];
/// assert_eq!(BUFFER.len(), 16 + 20 * 4 + (2 * 3 + 3 + 3 + 1) * 8 + 4);
/// ```
pub const fn saved_len<T: Scalar + LeBytes, P: Parameters<T>>() -> usize {
    HEADER + SHAPE * tensors::<T, P>() + values::<T, P>() * <T::Size as Unsigned>::USIZE + CHECKSUM
}

/// The number of tensors in a file of `P`: parameters and buffers.
const fn tensors<T: Scalar, P: Parameters<T>>() -> usize {
    P::TENSORS + P::BUFFER_TENSORS
}

/// The number of values in a file of `P`: parameters and buffers.
const fn values<T: Scalar, P: Parameters<T>>() -> usize {
    P::PARAMS + P::BUFFERS
}

/// The FNV-1a 32-bit hash of `bytes` (offset basis `0x811c9dc5`, prime `0x01000193`): the
/// checksum of saved files.
///
/// ```
/// use typegrad::persist::fnv1a32;
/// assert_eq!(fnv1a32(b""), 0x811c_9dc5);
/// assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
/// ```
pub const fn fnv1a32(bytes: &[u8]) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u32;
        hash = hash.wrapping_mul(0x0100_0193);
        i += 1;
    }
    hash
}

/// Why parameters could not be saved or loaded.
///
/// Non-exhaustive: the [`Io`](PersistError::Io) variant exists only with the `std` feature,
/// which another crate in the same build may turn on.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PersistError {
    /// The buffer given to [`save`] is too small.
    BufferTooSmall {
        /// Bytes needed: [`saved_len`].
        needed: usize,
        /// Bytes in the buffer.
        available: usize,
    },
    /// The bytes given to [`load`] are not as many as a file of this network has
    /// (e.g. a truncated file).
    Length {
        /// The length of a file of this network: [`saved_len`].
        expected: usize,
        /// The number of bytes given.
        found: usize,
    },
    /// The bytes do not start with [`MAGIC`]: not a typegrad parameter file.
    Magic,
    /// The file has a format version this library does not read.
    Version {
        /// The version in the file.
        found: u16,
    },
    /// The file stores another scalar type than the network uses.
    Scalar {
        /// The network's scalar type, `"f32"` or `"f64"`.
        expected: &'static str,
        /// The scalar code in the file (see [`LeBytes::CODE`]).
        found: u8,
    },
    /// The reserved header byte is not zero.
    Reserved,
    /// The file has another number of tensors (parameters and buffers) than the network.
    TensorCount {
        /// The network's `TENSORS + BUFFER_TENSORS`.
        expected: usize,
        /// The number in the file.
        found: usize,
    },
    /// The file has another number of values (parameters and buffers) than the network.
    ValueCount {
        /// The network's `PARAMS + BUFFERS`.
        expected: usize,
        /// The number in the file.
        found: usize,
    },
    /// A tensor is a parameter in the file and a buffer in the network, or the other way
    /// round (or the file's kind code is unknown).
    Kind {
        /// The index of the tensor, from 0: parameters first, then buffers.
        tensor: usize,
        /// The tensor in the network.
        expected: TensorSpec,
        /// The kind code in the file (`0` parameter, `1` buffer).
        found: u8,
    },
    /// A tensor has another shape in the file than in the network.
    Shape {
        /// The index of the tensor, from 0: parameters first, then buffers.
        tensor: usize,
        /// The tensor in the network (its layer, name and shape).
        expected: TensorSpec,
        /// Its shape in the file.
        found: Dims,
    },
    /// A tensor's description in the file is malformed: a rank above 4, or bytes that must
    /// be zero are not.
    Malformed {
        /// The index of the tensor, from 0.
        tensor: usize,
    },
    /// The checksum stored in the file does not match its contents: the file is corrupted.
    Checksum {
        /// The checksum of the file's contents.
        expected: u32,
        /// The checksum stored in the file's last four bytes.
        found: u32,
    },
    /// A parameter is NaN or infinite (in the file for [`load`], in the network for
    /// [`save`]).
    NonFinite {
        /// The index of the parameter, from 0, in visiting order.
        index: usize,
    },
    /// A buffer holds a value it cannot hold (a negative running variance, say): the file
    /// describes an impossible state.
    Buffer {
        /// The index of the tensor, from 0 (parameters, then buffers).
        tensor: usize,
        /// The tensor as the network describes it.
        spec: crate::nn::TensorSpec,
        /// The index of the value within the tensor.
        index: usize,
        /// What the buffer's values must be.
        rule: crate::nn::BufferRule,
    },
    /// A tensor dimension does not fit the format's `u32` (only possible for an empty tensor
    /// with more than 4,294,967,295 rows or columns).
    TooLarge {
        /// The index of the tensor, from 0, in visiting order.
        tensor: usize,
    },
    /// Reading or writing a file failed.
    #[cfg(feature = "std")]
    Io {
        /// What failed, with the path and the operating system's message.
        message: std::string::String,
    },
}

/// The name of a scalar code, if it is known.
fn scalar_name(code: u8) -> Option<&'static str> {
    match code {
        <f32 as LeBytes>::CODE => Some(<f32 as LeBytes>::NAME),
        <f64 as LeBytes>::CODE => Some(<f64 as LeBytes>::NAME),
        _ => None,
    }
}

impl fmt::Display for PersistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PersistError::BufferTooSmall { needed, available } => write!(
                f,
                "the buffer has {available} bytes but the saved parameters need {needed}"
            ),
            PersistError::Length { expected, found } => write!(
                f,
                "the file has {found} bytes but a file of this network has exactly {expected}"
            ),
            PersistError::Magic => f.write_str(
                "not a typegrad parameter file: it does not start with the bytes \"TGRD\"",
            ),
            PersistError::Version { found } if *found < VERSION => write!(
                f,
                "the file was written by an older format (version {found}) than this library \
                 reads (version {VERSION}): load it with the typegrad release that wrote it \
                 and save it again with this one, or train the network again"
            ),
            PersistError::Version { found } => write!(
                f,
                "the file was written by a newer format (version {found}) than this library \
                 reads (version {VERSION}): update typegrad to read it"
            ),
            PersistError::Scalar { expected, found } => match scalar_name(*found) {
                Some(name) => write!(
                    f,
                    "the file stores {name} parameters but the network uses {expected}"
                ),
                None => write!(
                    f,
                    "the file stores parameters of an unknown scalar type (unknown code \
                     {found}) but the network uses {expected}"
                ),
            },
            PersistError::Reserved => {
                f.write_str("the reserved header byte is not zero: the file is corrupted")
            }
            PersistError::TensorCount { expected, found } => write!(
                f,
                "the file has {found} tensors but the network has {expected}"
            ),
            PersistError::ValueCount { expected, found } => write!(
                f,
                "the file has {found} values but the network has {expected}"
            ),
            PersistError::Kind {
                tensor,
                expected,
                found,
            } => {
                let kind = |k: TensorKind| match k {
                    TensorKind::Parameter => "parameter",
                    TensorKind::Buffer => "buffer",
                };
                let other = match expected.kind {
                    TensorKind::Parameter => TensorKind::Buffer,
                    TensorKind::Buffer => TensorKind::Parameter,
                };
                match kind_code_to(*found) {
                    Some(_) => write!(
                        f,
                        "tensor {tensor} ({expected}) is a {} in the file but a {} in the network",
                        kind(other),
                        kind(expected.kind)
                    ),
                    None => write!(
                        f,
                        "tensor {tensor} ({expected}) has the unknown kind code {found} in the \
                         file: the file is corrupted"
                    ),
                }
            }
            PersistError::Shape {
                tensor,
                expected,
                found,
            } => write!(
                f,
                "tensor {tensor} (layer {} {}) has shape {found} in the file but {} in the \
                 network",
                expected.layer, expected.name, expected.dims
            ),
            PersistError::Malformed { tensor } => write!(
                f,
                "the description of tensor {tensor} is malformed (a rank above 4 or a \
                 non-zero reserved byte): the file is corrupted"
            ),
            PersistError::Checksum { expected, found } => write!(
                f,
                "the checksum does not match: the file stores {found:#010x} but its contents \
                 give {expected:#010x}, so the file is corrupted"
            ),
            PersistError::NonFinite { index } => write!(
                f,
                "value {index} (counting from 0: the parameters in visiting order, then the \
                 buffers) is NaN or infinite"
            ),
            PersistError::Buffer {
                tensor,
                spec,
                index,
                rule,
            } => write!(
                f,
                "tensor {tensor} (layer {} {}) holds an impossible value at index {index}: its \
                 values must be {}",
                spec.layer,
                spec.name,
                rule.describe()
            ),
            PersistError::TooLarge { tensor } => write!(
                f,
                "tensor {tensor} has a dimension above 4294967295, which the format cannot store"
            ),
            #[cfg(feature = "std")]
            PersistError::Io { message } => f.write_str(message),
        }
    }
}

impl core::error::Error for PersistError {}

/// The width of one encoded scalar.
const fn width<T: LeBytes>() -> usize {
    <T::Size as Unsigned>::USIZE
}

/// Tensor `k` of a file of `P` ([`Parameters::tensor_spec`]).
///
/// # Panics
/// If the `Parameters` implementation returns `None` for a tensor below its count.
fn spec_of<T: Scalar, P: Parameters<T>>(k: usize) -> TensorSpec {
    P::tensor_spec(k).unwrap_or_else(|| {
        panic!(
            "inconsistent `Parameters` implementation: no spec for tensor {k} of {} \
             parameter and {} buffer tensors",
            P::TENSORS,
            P::BUFFER_TENSORS
        )
    })
}

/// The kind code of the format.
fn kind_code(kind: TensorKind) -> u8 {
    match kind {
        TensorKind::Parameter => 0,
        TensorKind::Buffer => 1,
    }
}

/// The kind a code stands for, if any.
fn kind_code_to(code: u8) -> Option<TensorKind> {
    match code {
        0 => Some(TensorKind::Parameter),
        1 => Some(TensorKind::Buffer),
        _ => None,
    }
}

/// Counts the values `visit` yields and checks it against `PARAMS`.
///
/// # Panics
/// If they differ (an inconsistent `Parameters` implementation).
fn check_visit_count<T: Scalar, P: Parameters<T>>(params: &P) {
    let (mut count, mut buffers) = (0usize, 0usize);
    params.visit(&mut |s| count += s.len());
    params.visit_buffers(&mut |s| buffers += s.len());
    assert!(
        count == P::PARAMS && buffers == P::BUFFERS,
        "inconsistent `Parameters` implementation: visit yields {count} values (PARAMS = {}), \
         visit_buffers {buffers} (BUFFERS = {})",
        P::PARAMS,
        P::BUFFERS
    );
}

fn read_u16(bytes: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([bytes[at], bytes[at + 1]])
}

fn read_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// A `u32` from a file as a `usize` (saturating on 16-bit targets, where a larger count
/// cannot match any network anyway).
fn to_usize(x: u32) -> usize {
    usize::try_from(x).unwrap_or(usize::MAX)
}

/// Writes the parameters of `params` into the start of `out`, returning the number of bytes
/// written: [`saved_len`]`::<T, P>()`. The format is in the [module docs](self).
///
/// # Errors
/// [`PersistError::BufferTooSmall`] if `out` is shorter than [`saved_len`];
/// [`PersistError::NonFinite`] if a parameter is NaN or infinite, [`PersistError::Buffer`]
/// if a buffer breaks its rule (such files could not be loaded); [`PersistError::TooLarge`]
/// if a tensor dimension exceeds `u32`. Nothing is written when an error is returned.
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation (`visit` yielding another number
/// of values than `PARAMS`, or `param_spec(k)` being `None` for `k < TENSORS`).
pub fn save<T: Real + LeBytes, P: Parameters<T>>(
    params: &P,
    out: &mut [u8],
) -> Result<usize, PersistError> {
    const {
        assert!(
            tensors::<T, P>() as u64 <= u32::MAX as u64
                && values::<T, P>() as u64 <= u32::MAX as u64,
            "the file format counts tensors and values with u32"
        );
    }
    let needed = saved_len::<T, P>();
    if out.len() < needed {
        return Err(PersistError::BufferTooSmall {
            needed,
            available: out.len(),
        });
    }
    check_visit_count(params);
    let mut index = 0usize;
    let mut non_finite = None;
    let mut check = |s: &[T]| {
        for x in s {
            if non_finite.is_none() && !x.is_finite() {
                non_finite = Some(index);
            }
            index += 1;
        }
    };
    params.visit(&mut check);
    params.visit_buffers(&mut check);
    if let Some(index) = non_finite {
        return Err(PersistError::NonFinite { index });
    }
    // A buffer that the loader would refuse (a negative running variance) is refused here:
    // each visited slice is checked at its position in the whole buffer sequence.
    let (mut verdict, mut seen) = (Ok(()), 0usize);
    params.visit_buffers(&mut |s: &[T]| {
        if verdict.is_ok() {
            verdict = buffers_admitted_from::<T, P>(seen, s.iter().copied());
        }
        seen += s.len();
    });
    verdict?;
    for tensor in 0..tensors::<T, P>() {
        if spec_of::<T, P>(tensor)
            .dims
            .as_slice()
            .iter()
            .any(|&d| u32::try_from(d).is_err())
        {
            return Err(PersistError::TooLarge { tensor });
        }
    }

    let out = &mut out[..needed];
    let (body, checksum) = out.split_at_mut(needed - CHECKSUM);
    let (header, rest) = body.split_at_mut(HEADER);
    let (shapes, data) = rest.split_at_mut(SHAPE * tensors::<T, P>());

    header[0..4].copy_from_slice(&MAGIC);
    header[4..6].copy_from_slice(&VERSION.to_le_bytes());
    header[6] = T::CODE;
    header[7] = 0;
    // Both fit: checked at compile time above.
    header[8..12].copy_from_slice(&(tensors::<T, P>() as u32).to_le_bytes());
    header[12..16].copy_from_slice(&(values::<T, P>() as u32).to_le_bytes());

    for (tensor, slot) in shapes.chunks_exact_mut(SHAPE).enumerate() {
        let spec = spec_of::<T, P>(tensor);
        slot.fill(0);
        slot[0] = kind_code(spec.kind);
        // At most MAX_RANK = 4 (Dims holds no more).
        slot[1] = spec.dims.rank() as u8;
        for (d, bytes) in spec
            .dims
            .as_slice()
            .iter()
            .zip(slot[4..].chunks_exact_mut(4))
        {
            // Fits: checked above.
            bytes.copy_from_slice(&(*d as u32).to_le_bytes());
        }
    }

    let mut slots = data.chunks_exact_mut(width::<T>());
    let mut write = |s: &[T]| {
        for (&x, slot) in s.iter().zip(&mut slots) {
            x.write_le(slot);
        }
    };
    params.visit(&mut write);
    params.visit_buffers(&mut write);

    let sum = fnv1a32(body);
    checksum.copy_from_slice(&sum.to_le_bytes());
    Ok(needed)
}

/// The description of tensor `tensor` in a file, at `at`, checked against the network's.
fn check_tensor<T: Scalar, P: Parameters<T>>(
    bytes: &[u8],
    at: usize,
    tensor: usize,
) -> Result<(), PersistError> {
    let expected = spec_of::<T, P>(tensor);
    let slot = &bytes[at..at + SHAPE];
    let rank = usize::from(slot[1]);
    if rank > MAX_RANK || slot[2] != 0 || slot[3] != 0 {
        return Err(PersistError::Malformed { tensor });
    }
    let mut dims = [0usize; MAX_RANK];
    for (i, d) in dims.iter_mut().enumerate() {
        let value = read_u32(slot, 4 + 4 * i);
        if i >= rank && value != 0 {
            return Err(PersistError::Malformed { tensor });
        }
        *d = to_usize(value);
    }
    if kind_code_to(slot[0]) != Some(expected.kind) {
        return Err(PersistError::Kind {
            tensor,
            expected,
            found: slot[0],
        });
    }
    let found = Dims::new(&dims[..rank]);
    if found != expected.dims {
        return Err(PersistError::Shape {
            tensor,
            expected,
            found,
        });
    }
    Ok(())
}

/// Reads parameters saved by [`save`] into `params`.
///
/// Everything is checked first — see the [module docs](self) for the list — and `params` is
/// written only when all checks pass, so a failed load leaves it exactly as it was. Fields
/// that are not parameters (such as an activation's slope) are kept from `params`.
///
/// # Errors
/// The first problem found, as a [`PersistError`]: [`Length`](PersistError::Length),
/// [`Magic`](PersistError::Magic), [`Version`](PersistError::Version),
/// [`Scalar`](PersistError::Scalar), [`Reserved`](PersistError::Reserved),
/// [`TensorCount`](PersistError::TensorCount), [`Shape`](PersistError::Shape),
/// [`Kind`](PersistError::Kind), [`Malformed`](PersistError::Malformed), [`ValueCount`](PersistError::ValueCount), [`Checksum`](PersistError::Checksum) or
/// [`NonFinite`](PersistError::NonFinite). Malformed bytes never panic.
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation (see [`save`]).
pub fn load<T: Real + LeBytes, P: Parameters<T>>(
    params: &mut P,
    bytes: &[u8],
) -> Result<(), PersistError> {
    let expected_len = saved_len::<T, P>();
    let found_len = bytes.len();
    let length = PersistError::Length {
        expected: expected_len,
        found: found_len,
    };

    if found_len < MAGIC.len() {
        return Err(length);
    }
    if bytes[0..4] != MAGIC {
        return Err(PersistError::Magic);
    }
    if found_len < HEADER {
        return Err(length);
    }
    let version = read_u16(bytes, 4);
    if version != VERSION {
        return Err(PersistError::Version { found: version });
    }
    if bytes[6] != T::CODE {
        return Err(PersistError::Scalar {
            expected: T::NAME,
            found: bytes[6],
        });
    }
    if bytes[7] != 0 {
        return Err(PersistError::Reserved);
    }
    let tensors = to_usize(read_u32(bytes, 8));
    if tensors != self::tensors::<T, P>() {
        return Err(PersistError::TensorCount {
            expected: self::tensors::<T, P>(),
            found: tensors,
        });
    }
    if found_len < HEADER + SHAPE * tensors {
        return Err(length);
    }
    for tensor in 0..tensors {
        check_tensor::<T, P>(bytes, HEADER + SHAPE * tensor, tensor)?;
    }
    let count = to_usize(read_u32(bytes, 12));
    if count != values::<T, P>() {
        return Err(PersistError::ValueCount {
            expected: values::<T, P>(),
            found: count,
        });
    }
    if found_len != expected_len {
        return Err(length);
    }
    let (body, checksum) = bytes.split_at(expected_len - CHECKSUM);
    let stored = read_u32(checksum, 0);
    let computed = fnv1a32(body);
    if stored != computed {
        return Err(PersistError::Checksum {
            expected: computed,
            found: stored,
        });
    }
    let data = &body[HEADER + SHAPE * tensors..];
    for (index, chunk) in data.chunks_exact(width::<T>()).enumerate() {
        if !T::read_le(chunk).is_finite() {
            return Err(PersistError::NonFinite { index });
        }
    }
    check_buffers::<T, P>(&data[P::PARAMS * width::<T>()..])?;

    // Every check passed and the values are exactly `PARAMS + BUFFERS`; writing cannot fail
    // now, so no copy of the network is needed to keep a failed load from changing it.
    check_visit_count(params);
    let mut chunks = data.chunks_exact(width::<T>());
    let mut read = |s: &mut [T]| {
        for (x, chunk) in s.iter_mut().zip(&mut chunks) {
            *x = T::read_le(chunk);
        }
    };
    params.visit_mut(&mut read);
    params.visit_buffers_mut(&mut read);
    Ok(())
}

/// Checks the buffers' values (`data`: the buffers part of a file) against each buffer
/// tensor's [`BufferRule`](crate::nn::BufferRule).
fn check_buffers<T: Real + LeBytes, P: Parameters<T>>(data: &[u8]) -> Result<(), PersistError> {
    buffers_admitted::<T, P>(data.chunks_exact(width::<T>()).map(T::read_le))
}

/// Checks buffer values, in [`Parameters::visit_buffers`] order, against each buffer tensor's
/// [`BufferRule`](crate::nn::BufferRule).
fn buffers_admitted<T: Real, P: Parameters<T>>(
    values: impl Iterator<Item = T>,
) -> Result<(), PersistError> {
    buffers_admitted_from::<T, P>(0, values)
}

/// [`buffers_admitted`] for the values from position `start` of the buffer sequence on.
fn buffers_admitted_from<T: Real, P: Parameters<T>>(
    start: usize,
    values: impl Iterator<Item = T>,
) -> Result<(), PersistError> {
    let mut values = core::iter::repeat_n(None, start).chain(values.map(Some));
    for k in 0..P::BUFFER_TENSORS {
        let Some(spec) = P::buffer_spec(k) else {
            break;
        };
        let rule = P::buffer_rule(k);
        for index in 0..spec.dims.elements().unwrap_or(0) {
            let value = match values.next() {
                None => return Ok(()),
                Some(None) => continue,
                Some(Some(v)) => v,
            };
            if !rule.admits(value) {
                return Err(PersistError::Buffer {
                    tensor: P::TENSORS + k,
                    spec: TensorSpec {
                        kind: crate::nn::TensorKind::Buffer,
                        ..spec
                    },
                    index,
                    rule,
                });
            }
        }
    }
    Ok(())
}

/// Saves the parameters of `params` to the file at `path` (created or replaced), in the
/// format of [`save`].
///
/// # Errors
/// [`PersistError::NonFinite`] or [`PersistError::TooLarge`] as for [`save`] (then no file
/// is written), or [`PersistError::Io`] if the file cannot be written.
#[cfg(feature = "std")]
pub fn save_file<T: Real + LeBytes, P: Parameters<T>>(
    params: &P,
    path: impl AsRef<std::path::Path>,
) -> Result<(), PersistError> {
    let path = path.as_ref();
    let mut bytes = std::vec![0u8; saved_len::<T, P>()];
    save(params, &mut bytes)?;
    std::fs::write(path, &bytes).map_err(|e| PersistError::Io {
        message: std::format!("could not write {}: {e}", path.display()),
    })
}

/// Loads parameters saved by [`save`] or [`save_file`] from the file at `path` into
/// `params`; on any error `params` is unchanged.
///
/// # Errors
/// [`PersistError::Io`] if the file cannot be read, otherwise as for [`load`].
#[cfg(feature = "std")]
pub fn load_file<T: Real + LeBytes, P: Parameters<T>>(
    params: &mut P,
    path: impl AsRef<std::path::Path>,
) -> Result<(), PersistError> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| PersistError::Io {
        message: std::format!("could not read {}: {e}", path.display()),
    })?;
    load(params, &bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::{LeakyRelu, Relu};
    use crate::nn::Dense;
    use crate::{Matrix, Vector};

    #[test]
    fn fnv1a32_known_values() {
        assert_eq!(fnv1a32(b""), 0x811c_9dc5);
        assert_eq!(fnv1a32(b"a"), 0xe40c_292c);
        assert_eq!(fnv1a32(b"foobar"), 0xbf9c_f968);
        const AT_COMPILE_TIME: u32 = fnv1a32(b"a");
        assert_eq!(AT_COMPILE_TIME, 0xe40c_292c);
    }

    #[test]
    fn scalar_codes_and_names() {
        assert_eq!((<f32 as LeBytes>::CODE, <f32 as LeBytes>::NAME), (1, "f32"));
        assert_eq!((<f64 as LeBytes>::CODE, <f64 as LeBytes>::NAME), (2, "f64"));
        assert_eq!(scalar_name(1), Some("f32"));
        assert_eq!(scalar_name(2), Some("f64"));
        assert_eq!(scalar_name(7), None);
    }

    #[test]
    fn saves_a_tiny_layer_byte_for_byte() {
        let layer: Dense<f32, 2, 1, Relu> =
            Dense::new(Matrix::new([[1.0, -2.0]]), Vector::new([0.5]), Relu);
        let mut buf = [0u8; saved_len::<f32, Dense<f32, 2, 1, Relu>>()];
        assert_eq!(buf.len(), 16 + 40 + 12 + 4);
        assert_eq!(save(&layer, &mut buf), Ok(72));
        let body: [u8; 68] = [
            b'T', b'G', b'R', b'D', 2, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, // header
            0, 2, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // weight [1, 2]
            0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // bias [1]
            0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F, // 1.0, −2.0, 0.5
        ];
        assert_eq!(&buf[..68], &body);
        assert_eq!(&buf[68..], &fnv1a32(&body).to_le_bytes());
    }

    /// A layer with one parameter tensor and one buffer, as a batch norm has.
    #[derive(Debug, Clone, Copy, PartialEq)]
    struct Scaled {
        scale: [f32; 3],
        seen: [f32; 3],
    }

    impl Parameters<f32> for Scaled {
        const PARAMS: usize = 3;
        const TENSORS: usize = 1;
        const BUFFERS: usize = 3;
        const BUFFER_TENSORS: usize = 1;
        fn param_spec(k: usize) -> Option<TensorSpec> {
            (k == 0).then(|| TensorSpec::parameter("weight", &[3]))
        }
        fn buffer_spec(k: usize) -> Option<TensorSpec> {
            (k == 0).then(|| TensorSpec::buffer("running_mean", &[3]))
        }
        fn zeros_like(&self) -> Self {
            Scaled {
                scale: [0.0; 3],
                ..*self
            }
        }
        fn visit(&self, f: &mut impl FnMut(&[f32])) {
            f(&self.scale);
        }
        fn visit_mut(&mut self, f: &mut impl FnMut(&mut [f32])) {
            f(&mut self.scale);
        }
        fn visit_with(&self, other: &Self, f: &mut impl FnMut(&[f32], &[f32])) {
            f(&self.scale, &other.scale);
        }
        fn walk<const K: usize>(
            &mut self,
            grads: &Self,
            state: [&mut Self; K],
            f: &mut impl FnMut(&mut [f32], &[f32], [&mut [f32]; K]),
        ) {
            f(
                &mut self.scale,
                &grads.scale,
                state.map(|s| &mut s.scale[..]),
            );
        }
        fn visit_buffers(&self, f: &mut impl FnMut(&[f32])) {
            f(&self.seen);
        }
        fn visit_buffers_mut(&mut self, f: &mut impl FnMut(&mut [f32])) {
            f(&mut self.seen);
        }
    }

    #[test]
    fn buffers_are_saved_after_the_parameters() {
        let layer = Scaled {
            scale: [1.0, 2.0, 3.0],
            seen: [0.5, 0.25, -1.0],
        };
        let mut buf = [0u8; saved_len::<f32, Scaled>()];
        assert_eq!(buf.len(), 16 + 2 * 20 + 6 * 4 + 4);
        save(&layer, &mut buf).unwrap();
        assert_eq!(&buf[8..16], &[2, 0, 0, 0, 6, 0, 0, 0]);
        assert_eq!(buf[16 + 20], 1, "the second tensor is a buffer");
        let values: std::vec::Vec<f32> = buf[56..80]
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect();
        assert_eq!(values, [1.0, 2.0, 3.0, 0.5, 0.25, -1.0]);
        let mut back = Scaled {
            scale: [0.0; 3],
            seen: [0.0; 3],
        };
        load(&mut back, &buf).unwrap();
        assert_eq!(back, layer);
        // zeros_like keeps the buffer; the lockstep walk never sees it.
        let zero = layer.zeros_like();
        assert_eq!(zero.seen, layer.seen);
        let mut walked = 0;
        back.walk(&zero, [], &mut |p: &mut [f32], _: &[f32], _| {
            walked += p.len()
        });
        assert_eq!(walked, 3);
        // A file whose buffer is marked as a parameter is refused, naming it.
        let mut bad = buf;
        bad[16 + 20] = 0;
        let sum = fnv1a32(&bad[..80]);
        bad[80..].copy_from_slice(&sum.to_le_bytes());
        let err = load(&mut back, &bad).unwrap_err();
        assert_eq!(
            std::format!("{err}"),
            "tensor 1 (layer 0 running_mean [3]) is a parameter in the file but a buffer in \
             the network"
        );
    }

    #[test]
    fn version_one_files_are_called_older() {
        let layer: Dense<f32, 2, 1, Relu> = Dense::default();
        let mut buf = [0u8; saved_len::<f32, Dense<f32, 2, 1, Relu>>()];
        save(&layer, &mut buf).unwrap();
        buf[4] = 1;
        let err = load(&mut layer.clone(), &buf).unwrap_err();
        assert_eq!(err, PersistError::Version { found: 1 });
        assert!(std::format!("{err}").starts_with("the file was written by an older format"));
        buf[4] = 3;
        let err = load(&mut layer.clone(), &buf).unwrap_err();
        assert!(std::format!("{err}").starts_with("the file was written by a newer format"));
    }

    #[test]
    fn load_keeps_hyper_parameters() {
        let mut rng = crate::init::Rng::new(3);
        let mut saved: Dense<f64, 3, 2, LeakyRelu> = Dense::default();
        crate::nn::Layer::init(&mut saved, &mut rng, crate::init::Init::HeUniform);
        saved.activation = LeakyRelu::new(0.2);
        let mut buf = [0u8; saved_len::<f64, Dense<f64, 3, 2, LeakyRelu>>()];
        save(&saved, &mut buf).unwrap();
        let mut target: Dense<f64, 3, 2, LeakyRelu> =
            Dense::new(Matrix::zeros(), Vector::zeros(), LeakyRelu::new(0.3));
        load(&mut target, &buf).unwrap();
        assert_eq!(target.weights, saved.weights);
        assert_eq!(target.bias, saved.bias);
        assert_eq!(target.activation, LeakyRelu::new(0.3));
    }
}
