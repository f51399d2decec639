//! What can be wrong with a `.tflite` file, or with the file against a network type, and
//! where: [`TfliteError`] names the operator (index and kind) and the field.

use core::fmt;

use super::schema::{Builtin, Padding};

/// A tensor shape of up to six dimensions, printed `25 × 5 × 64`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    len: u8,
    dims: [i32; 6],
}

impl Dims {
    /// The shape `dims` (the first six dimensions of a longer one).
    pub fn new(dims: &[i32]) -> Self {
        let mut d = [0; 6];
        let len = dims.len().min(6);
        d[..len].copy_from_slice(&dims[..len]);
        Self {
            len: len as u8,
            dims: d,
        }
    }

    /// The dimensions.
    pub fn as_slice(&self) -> &[i32] {
        &self.dims[..usize::from(self.len)]
    }
}

impl fmt::Debug for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl fmt::Display for Dims {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.len == 0 {
            return f.write_str("a scalar");
        }
        for (i, d) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(" × ")?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

/// What is wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Problem {
    /// The bytes are no TFLite flatbuffer (no `TFL3` identifier at bytes 4..8).
    NotTflite,
    /// An offset or a length in `what` points outside the file: it is cut short or corrupt.
    OutOfBounds {
        /// The structure read.
        what: &'static str,
    },
    /// A field the file must have is absent.
    Missing {
        /// The field.
        what: &'static str,
    },
    /// A value typegrad does not compute (`depth_multiplier 2`).
    Unsupported {
        /// The field.
        what: &'static str,
        /// Its value.
        value: i64,
    },
    /// An index (of a tensor, buffer, operator code) beyond its list.
    Index {
        /// What it indexes.
        what: &'static str,
        /// The index.
        index: i64,
        /// The list's length.
        len: usize,
    },
    /// A constant tensor whose data does not fill its shape.
    DataSize {
        /// The tensor.
        tensor: i32,
        /// Bytes in its buffer.
        bytes: usize,
        /// Bytes its shape and type need.
        expected: usize,
    },
    /// A tensor whose shape is not the one its operator needs.
    Shape {
        /// The tensor's role (`filter`, `bias`, `input`).
        what: &'static str,
        /// The file's shape.
        file: Dims,
        /// The shape the operator (or the network type) needs.
        needed: Dims,
    },
    /// The file's operator gives another shape than the network's layer.
    Gives {
        /// The file's operator.
        op: Builtin,
        /// Its output shape.
        file: Dims,
        /// The network's layer (counted from 0).
        layer: usize,
        /// The layer's output shape.
        network: Dims,
    },
    /// No operator of the file reads the tensor the network's layer takes, as that layer
    /// computes it.
    NoOperator {
        /// The network's layer (counted from 0).
        layer: usize,
        /// What the layer needs (`CONV_2D`).
        expects: &'static str,
        /// The tensor it reads.
        tensor: i32,
    },
    /// A quantization parameter the network's arithmetic cannot take (`zero point 300`).
    Quantization {
        /// The tensor.
        tensor: i32,
        /// What is wrong.
        what: &'static str,
    },
    /// A value no model can have.
    Invalid {
        /// What is wrong.
        what: &'static str,
    },
    /// The file's operator pads otherwise than the network's layer.
    Padding {
        /// The file's padding.
        file: Padding,
        /// The layer's.
        network: Padding,
    },
    /// The file's graph ends elsewhere than the network.
    Output {
        /// The file's output tensor.
        file: i32,
        /// The tensor the network's last layer gives.
        network: i32,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Problem::NotTflite => f.write_str("not a TFLite file: bytes 4..8 are not `TFL3`"),
            Problem::OutOfBounds { what } => write!(
                f,
                "`{what}` points outside the file (the file is cut short or corrupt)"
            ),
            Problem::Missing { what } => write!(f, "`{what}` is missing"),
            Problem::Unsupported { what, value } => write!(f, "{what} {value} is not supported"),
            Problem::Index { what, index, len } => {
                write!(f, "{what} {index} is out of range (there are {len})")
            }
            Problem::DataSize {
                tensor,
                bytes,
                expected,
            } => write!(
                f,
                "tensor {tensor} has {bytes} bytes of data, its shape and type need {expected}"
            ),
            Problem::Shape { what, file, needed } => {
                write!(f, "the file's {what} is {file}, the network needs {needed}")
            }
            Problem::Gives {
                op,
                file,
                layer,
                network,
            } => write!(
                f,
                "the file's {} gives {file}, the network's layer {layer} gives {network}",
                op.name()
            ),
            Problem::NoOperator {
                layer,
                expects,
                tensor,
            } => write!(
                f,
                "the network's layer {layer} is a {expects}, but no such operator of the file \
                 reads tensor {tensor}"
            ),
            Problem::Quantization { tensor, what } => {
                write!(f, "tensor {tensor}'s quantization: {what}")
            }
            Problem::Invalid { what } => f.write_str(what),
            Problem::Padding { file, network } => write!(
                f,
                "the file's padding is {file:?}, the network's layer's {network:?}"
            ),
            Problem::Output { file, network } => write!(
                f,
                "the file's output is tensor {file}, the network's last layer gives tensor \
                 {network}"
            ),
        }
    }
}

/// An error reading a `.tflite` file or checking it against a network type: the operator it
/// is about (index and code), if any, and the [`Problem`]. Displayed as
/// `operator 3 (DEPTHWISE_CONV_2D): depth_multiplier 2 is not supported`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TfliteError {
    /// The operator's index in the subgraph and its builtin code.
    pub operator: Option<(usize, i32)>,
    /// What is wrong.
    pub problem: Problem,
}

impl From<Problem> for TfliteError {
    fn from(problem: Problem) -> Self {
        Self {
            operator: None,
            problem,
        }
    }
}

impl fmt::Display for TfliteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((index, code)) = self.operator {
            match Builtin::from_code(code) {
                Some(op) => write!(f, "operator {index} ({}): ", op.name())?,
                None => write!(f, "operator {index} (builtin code {code}): ")?,
            }
        }
        fmt::Display::fmt(&self.problem, f)
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TfliteError {}
