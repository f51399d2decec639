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
//! let mut buf = [0u8; saved_len::<f32, Net>()]; // 16 + 4·8 + 67·4 + 4 = 320 bytes
//! assert_eq!(save(&net, &mut buf), Ok(320));
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
//! Only the trained parameters are stored. Everything else is part of the network's type or
//! is kept from the network loaded into: the layer sizes and activations come from the type,
//! and hyper-parameters such as a [`LeakyRelu`](crate::activation::LeakyRelu)'s slope are
//! those of the value passed to [`load`].
//!
//! # Format
//! All integers are little-endian. `T` is the scalar type (`f32` or `f64`), `P` the network.
//!
//! | Bytes | Content | Value |
//! |---|---|---|
//! | `0..4` | magic | `b"TGRD"` |
//! | `4..6` | format version, `u16` | `1` |
//! | `6` | scalar code, `u8` | [`LeBytes::CODE`]: `1` for `f32`, `2` for `f64` |
//! | `7` | reserved, `u8` | `0` |
//! | `8..12` | number of parameter tensors, `u32` | [`Parameters::TENSORS`] |
//! | `12..16` | number of parameters, `u32` | [`Parameters::PARAMS`] |
//! | `16..16 + 8·TENSORS` | for each tensor `k`: rows `u32`, columns `u32` | [`Parameters::tensor_shape`]`(k)` |
//! | next `PARAMS·size_of::<T>()` | every parameter as `T`, little-endian IEEE 754 | in [`Parameters::visit`] order |
//! | last 4 | checksum, `u32` | FNV-1a 32-bit ([`fnv1a32`]) of all preceding bytes |
//!
//! The total is [`saved_len`]`::<T, P>() = 16 + 8·TENSORS + PARAMS·size_of::<T>() + 4` bytes.
//! A dense layer has two tensors: its weights (`outputs × inputs`, row by row) and its bias
//! (`outputs × 1`).
//!
//! # What [`load`] checks
//! In this order, stopping at the first problem: the length is enough for the header; the
//! magic; the version; the scalar code; the reserved byte; the tensor count; the shape of
//! every tensor (so a file of a network with other layer sizes names the first tensor that
//! differs); the parameter count; the exact length; the checksum; that every value is finite.
//! Only then is the network written.

use core::fmt;

use typenum::Unsigned;

use crate::nn::Parameters;
use crate::tensor::LeBytes;
use crate::{Real, Scalar};

/// The first four bytes of every file.
pub const MAGIC: [u8; 4] = *b"TGRD";

/// The format version [`save`] writes and [`load`] reads.
pub const VERSION: u16 = 1;

/// Bytes of the fixed header (magic, version, scalar code, reserved byte, two counts).
const HEADER: usize = 16;
/// Bytes of one tensor shape (rows and columns, `u32` each).
const SHAPE: usize = 8;
/// Bytes of the checksum.
const CHECKSUM: usize = 4;

/// The number of bytes [`save`] writes for a network of type `P` with scalars `T`:
/// `16 + 8·TENSORS + PARAMS·size_of::<T>() + 4`.
///
/// A `const fn`, so it sizes arrays and `static`s:
///
/// ```
/// use typegrad::activation::Relu;
/// use typegrad::nn::Dense;
/// use typegrad::persist::saved_len;
/// type Net = typegrad::seq![Dense<f64, 2, 3, Relu>, Dense<f64, 3, 1>];
/// static BUFFER: [u8; saved_len::<f64, Net>()] = [0; saved_len::<f64, Net>()];
/// assert_eq!(BUFFER.len(), 16 + 8 * 4 + (2 * 3 + 3 + 3 + 1) * 8 + 4);
/// ```
pub const fn saved_len<T: Scalar + LeBytes, P: Parameters<T>>() -> usize {
    HEADER + SHAPE * P::TENSORS + P::PARAMS * <T::Size as Unsigned>::USIZE + CHECKSUM
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
    /// The file has another number of parameter tensors than the network.
    TensorCount {
        /// The network's [`Parameters::TENSORS`].
        expected: usize,
        /// The number in the file.
        found: usize,
    },
    /// The file has another number of parameters than the network.
    ParamCount {
        /// The network's [`Parameters::PARAMS`].
        expected: usize,
        /// The number in the file.
        found: usize,
    },
    /// A parameter tensor has another shape in the file than in the network.
    Shape {
        /// The index of the tensor, from 0, in visiting order.
        tensor: usize,
        /// Its `[rows, columns]` in the network.
        expected: [usize; 2],
        /// Its `[rows, columns]` in the file.
        found: [usize; 2],
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
            PersistError::Version { found } => write!(
                f,
                "the file has format version {found} but this library reads version {VERSION}"
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
                "the file has {found} parameter tensors but the network has {expected}"
            ),
            PersistError::ParamCount { expected, found } => write!(
                f,
                "the file has {found} parameters but the network has {expected}"
            ),
            PersistError::Shape {
                tensor,
                expected,
                found,
            } => write!(
                f,
                "tensor {tensor} has shape {}×{} in the file but {}×{} in the network",
                found[0], found[1], expected[0], expected[1]
            ),
            PersistError::Checksum { expected, found } => write!(
                f,
                "the checksum does not match: the file stores {found:#010x} but its contents \
                 give {expected:#010x}, so the file is corrupted"
            ),
            PersistError::NonFinite { index } => write!(
                f,
                "parameter {index} (counting from 0 in visiting order) is NaN or infinite"
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

/// The shape of tensor `k < P::TENSORS`.
///
/// # Panics
/// If the `Parameters` implementation returns `None` for a tensor below `TENSORS`.
fn shape_of<T: Scalar, P: Parameters<T>>(k: usize) -> [usize; 2] {
    match P::tensor_shape(k) {
        Some(shape) => shape,
        None => panic!(
            "inconsistent `Parameters` implementation: tensor_shape({k}) is None but TENSORS = {}",
            P::TENSORS
        ),
    }
}

/// Counts the values `visit` yields and checks it against `PARAMS`.
///
/// # Panics
/// If they differ (an inconsistent `Parameters` implementation).
fn check_visit_count<T: Scalar, P: Parameters<T>>(params: &P) {
    let mut count = 0usize;
    params.visit(&mut |s| count += s.len());
    assert!(
        count == P::PARAMS,
        "inconsistent `Parameters` implementation: visit yields {count} values but PARAMS = {}",
        P::PARAMS
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
/// [`PersistError::NonFinite`] if a parameter is NaN or infinite (such a file could not be
/// loaded); [`PersistError::TooLarge`] if a tensor dimension exceeds `u32`. Nothing is written
/// when an error is returned.
///
/// # Panics
/// Only for an inconsistent [`Parameters`] implementation (`visit` yielding another number
/// of values than `PARAMS`, or `tensor_shape(k)` being `None` for `k < TENSORS`).
pub fn save<T: Real + LeBytes, P: Parameters<T>>(
    params: &P,
    out: &mut [u8],
) -> Result<usize, PersistError> {
    const {
        assert!(
            P::TENSORS as u64 <= u32::MAX as u64 && P::PARAMS as u64 <= u32::MAX as u64,
            "the file format counts tensors and parameters with u32"
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
    params.visit(&mut |s| {
        for x in s {
            if non_finite.is_none() && !x.is_finite() {
                non_finite = Some(index);
            }
            index += 1;
        }
    });
    if let Some(index) = non_finite {
        return Err(PersistError::NonFinite { index });
    }
    for tensor in 0..P::TENSORS {
        let [rows, cols] = shape_of::<T, P>(tensor);
        if u32::try_from(rows).is_err() || u32::try_from(cols).is_err() {
            return Err(PersistError::TooLarge { tensor });
        }
    }

    let out = &mut out[..needed];
    let (body, checksum) = out.split_at_mut(needed - CHECKSUM);
    let (header, rest) = body.split_at_mut(HEADER);
    let (shapes, data) = rest.split_at_mut(SHAPE * P::TENSORS);

    header[0..4].copy_from_slice(&MAGIC);
    header[4..6].copy_from_slice(&VERSION.to_le_bytes());
    header[6] = T::CODE;
    header[7] = 0;
    // Both fit: checked at compile time above.
    header[8..12].copy_from_slice(&(P::TENSORS as u32).to_le_bytes());
    header[12..16].copy_from_slice(&(P::PARAMS as u32).to_le_bytes());

    for (tensor, slot) in shapes.chunks_exact_mut(SHAPE).enumerate() {
        let [rows, cols] = shape_of::<T, P>(tensor);
        // Both fit: checked above.
        slot[0..4].copy_from_slice(&(rows as u32).to_le_bytes());
        slot[4..8].copy_from_slice(&(cols as u32).to_le_bytes());
    }

    let mut slots = data.chunks_exact_mut(width::<T>());
    params.visit(&mut |s| {
        for (&x, slot) in s.iter().zip(&mut slots) {
            x.write_le(slot);
        }
    });

    let sum = fnv1a32(body);
    checksum.copy_from_slice(&sum.to_le_bytes());
    Ok(needed)
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
/// [`ParamCount`](PersistError::ParamCount), [`Checksum`](PersistError::Checksum) or
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
    if tensors != P::TENSORS {
        return Err(PersistError::TensorCount {
            expected: P::TENSORS,
            found: tensors,
        });
    }
    if found_len < HEADER + SHAPE * P::TENSORS {
        return Err(length);
    }
    for tensor in 0..P::TENSORS {
        let at = HEADER + SHAPE * tensor;
        let found = [
            to_usize(read_u32(bytes, at)),
            to_usize(read_u32(bytes, at + 4)),
        ];
        let expected = shape_of::<T, P>(tensor);
        if found != expected {
            return Err(PersistError::Shape {
                tensor,
                expected,
                found,
            });
        }
    }
    let count = to_usize(read_u32(bytes, 12));
    if count != P::PARAMS {
        return Err(PersistError::ParamCount {
            expected: P::PARAMS,
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
    let data = &body[HEADER + SHAPE * P::TENSORS..];
    for (index, chunk) in data.chunks_exact(width::<T>()).enumerate() {
        if !T::read_le(chunk).is_finite() {
            return Err(PersistError::NonFinite { index });
        }
    }

    // Every check passed and the values are exactly `PARAMS`; writing cannot fail now, so
    // no copy of the network is needed to keep a failed load from changing it.
    check_visit_count(params);
    let mut chunks = data.chunks_exact(width::<T>());
    params.visit_mut(&mut |s| {
        for (x, chunk) in s.iter_mut().zip(&mut chunks) {
            *x = T::read_le(chunk);
        }
    });
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
        assert_eq!(buf.len(), 16 + 16 + 12 + 4);
        assert_eq!(save(&layer, &mut buf), Ok(48));
        let body: [u8; 44] = [
            b'T', b'G', b'R', b'D', 1, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0, 0, // header
            1, 0, 0, 0, 2, 0, 0, 0, // weights 1 × 2
            1, 0, 0, 0, 1, 0, 0, 0, // bias 1 × 1
            0, 0, 0x80, 0x3F, 0, 0, 0, 0xC0, 0, 0, 0, 0x3F, // 1.0, −2.0, 0.5
        ];
        assert_eq!(&buf[..44], &body);
        assert_eq!(&buf[44..], &fnv1a32(&body).to_le_bytes());
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
